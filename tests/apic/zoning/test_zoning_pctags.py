"""pcTags and segment ids (VEC D2, apic-rest §5): local tags per VRF from 16386, global tags for shared-service
providers from 16, VRF and BD VNIDs; deterministic and stable."""

from __future__ import annotations

from zoning_builders import Fabric, ap, bd, epg, tenant, vrf


def two_vrfs() -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf("v1"), vrf("v2"), bd("b1", "v1"), bd("b2", "v2"),
                  ap("a", epg("x", bd_name="b1"), epg("y", bd_name="b2"), epg("z", bd_name="b1"))))
    return f


def test_tags_are_local_per_vrf_and_reused_across_vrfs():
    f = two_vrfs()
    x, y, z = (int(f.tag(f"uni/tn-t/ap-a/epg-{n}")) for n in "xyz")
    assert all(16386 <= t <= 65535 for t in (x, y, z))
    assert x != z
    v1 = {int(f.tag(dn)) for dn in ("uni/tn-t/ctx-v1", "uni/tn-t/BD-b1", "uni/tn-t/ap-a/epg-x", "uni/tn-t/ap-a/epg-z")}
    v2 = {int(f.tag(dn)) for dn in ("uni/tn-t/ctx-v2", "uni/tn-t/BD-b2", "uni/tn-t/ap-a/epg-y")}
    assert len(v1) == 4 and len(v2) == 3 and v1 & v2


def test_vnids_are_distinct_and_the_objects_carry_their_vrfs():
    f = two_vrfs()
    s1, s2 = (f.store.get(f"uni/tn-t/ctx-{v}") for v in ("v1", "v2"))
    assert s1.get("scope") != s2.get("scope") and s1.get("seg") == s1.get("scope")
    assert f.store.get("uni/tn-t/BD-b2").get("scope") == s2.get("scope")
    assert f.store.get("uni/tn-t/ap-a/epg-y").get("scope") == s2.get("scope")
    assert f.store.get("uni/tn-t/BD-b1").get("seg") != f.store.get("uni/tn-t/BD-b2").get("seg")
    assert f.store.get("uni/tn-infra/ctx-overlay-1").get("scope") == "16777199"


def test_the_same_configuration_gets_the_same_tags():
    a, b = two_vrfs(), two_vrfs()
    for dn in ("uni/tn-t/ctx-v1", "uni/tn-t/BD-b2", "uni/tn-t/ap-a/epg-x", "uni/tn-t/ap-a/epg-y"):
        assert a.tag(dn) == b.tag(dn)
        assert a.store.get(dn).get("scope") == b.store.get(dn).get("scope")


def test_an_epg_keeps_its_tag_across_unrelated_changes_and_moves_vrf_with_its_bd():
    f = two_vrfs()
    x = f.tag("uni/tn-t/ap-a/epg-x")
    f.post(tenant("t", ap("a", epg("w", bd_name="b1"), epg("x", bd_name="b1", descr="edited"))))
    f.delete("uni/tn-t/ap-a/epg-z")
    assert f.tag("uni/tn-t/ap-a/epg-x") == x
    f.post(tenant("t", ap("a", epg("x", bd_name="b2"))))
    epg_x = f.store.get("uni/tn-t/ap-a/epg-x")
    assert epg_x.get("scope") == f.store.get("uni/tn-t/ctx-v2").get("scope")
    assert epg_x.get("pcTag") != f.tag("uni/tn-t/ap-a/epg-y")


def test_a_freed_tag_is_given_again():
    f = two_vrfs()
    z = f.tag("uni/tn-t/ap-a/epg-z")
    f.delete("uni/tn-t/ap-a/epg-z")
    f.post(tenant("t", ap("a", epg("n", bd_name="b1"))))
    assert f.tag("uni/tn-t/ap-a/epg-n") == z


def test_an_epgs_leaf_deployment_carries_its_pc_tag_and_scope():
    f = two_vrfs()
    x = "uni/tn-t/ap-a/epg-x"
    f.apic.system_post(f"uni/epp/fv-[{x}]", {"fvEpP": {"attributes": {"epgPKey": x, "epgDn": x}}})
    epp = f.store.get(f"uni/epp/fv-[{x}]")
    assert (epp.get("pcTag"), epp.get("scopeId")) == (f.tag(x), f.store.get("uni/tn-t/ctx-v1").get("scope"))
    f.post(tenant("t", ap("a", epg("x", bd_name="b2"))))
    assert epp.get("scopeId") == f.store.get("uni/tn-t/ctx-v2").get("scope")


def test_after_a_reset_the_same_configuration_gets_the_same_tags_and_rule_ids():
    from zoning_builders import path

    from simulator.apic.zoning import flow_verdict

    f = two_vrfs()
    f.endpoint("uni/tn-t/ap-a/epg-x", "00:00:00:00:00:01", "10.0.0.1", path(101))

    def seen():
        v = flow_verdict(f.store, "uni/tn-t/ap-a/epg-x", "uni/tn-t/ap-a/epg-z", "tcp", 80)
        return f.tag("uni/tn-t/ap-a/epg-x"), f.store.get("uni/tn-t/ctx-v1").get("scope"), v["rule"]["id"]

    before = seen()
    f.apic.reset()
    f.post(tenant("t", vrf("v1"), vrf("v2"), bd("b1", "v1"), bd("b2", "v2"),
                  ap("a", epg("x", bd_name="b1"), epg("y", bd_name="b2"), epg("z", bd_name="b1"))))
    f.endpoint("uni/tn-t/ap-a/epg-x", "00:00:00:00:00:01", "10.0.0.1", path(101))
    assert seen() == before
