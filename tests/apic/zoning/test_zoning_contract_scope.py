"""Contract scope (VEC D5): context joins one VRF, application-profile one AP, tenant one tenant, global any;
tenant and global join two VRFs as shared services, whose provider takes a global pcTag (VEC D2)."""

from __future__ import annotations

import pytest
from zoning_builders import Fabric, ap, bd, cons, contract, epg, filt, mo, prov, subj, tcp, tenant, vrf


def build(scope: str) -> Fabric:
    f = Fabric()
    f.post(tenant("common", filt("web", tcp("http", "80")), contract("shared", subj("s", "web"), scope=scope)))
    f.post(tenant("t", vrf("v1"), vrf("v2"), bd("b1", "v1"), bd("b2", "v2"),
                  filt("web", tcp("http", "80")), contract("c", subj("s", "web"), scope=scope),
                  ap("a1", epg("front", cons("c"), cons("shared"), bd_name="b1"), epg("web", prov("c"), bd_name="b1"),
                     epg("other", prov("c"), bd_name="b2")),
                  ap("a2", epg("api", prov("c"), bd_name="b1"))))
    f.post(tenant("u", vrf("v"), bd("b", "v"), ap("a", epg("far", prov("shared")))))
    return f


FRONT, WEB, OTHER, API = ("uni/tn-t/ap-a1/epg-front", "uni/tn-t/ap-a1/epg-web", "uni/tn-t/ap-a1/epg-other",
                          "uni/tn-t/ap-a2/epg-api")


@pytest.mark.parametrize(("scope", "same_ap", "other_ap", "other_vrf"), [
    ("context", "permit", "permit", "deny"),
    ("application-profile", "permit", "deny", "deny"),
    ("tenant", "permit", "permit", "permit"),
    ("global", "permit", "permit", "permit"),
])
def test_the_scope_limits_which_consumer_provider_pairs_a_contract_joins(scope, same_ap, other_ap, other_vrf):
    f = build(scope)
    assert f.says(FRONT, WEB, "tcp", 80) == same_ap
    assert f.says(FRONT, API, "tcp", 80) == other_ap
    assert f.says(FRONT, OTHER, "tcp", 80) == other_vrf


def test_a_shared_service_provider_takes_a_global_tag_and_the_consumer_vrf_enforces_both_ways():
    f = build("tenant")
    assert 16 <= int(f.tag(OTHER)) <= 16385
    assert 16386 <= int(f.tag(WEB)) <= 65535 and 16386 <= int(f.tag(FRONT))
    v = f.verdict(FRONT, OTHER, "tcp", 80, sport=33000)
    v1 = f.store.get("uni/tn-t/ctx-v1").get("scope")
    assert v["rule"]["scopeId"] == int(v1) and v["rule"]["dPcTag"] == f.tag(OTHER)
    assert v["reply"]["verdict"] == "permit" and v["reply"]["rule"]["scopeId"] == int(v1)
    assert f.says(OTHER, FRONT, "tcp", 80) == "deny"


def test_a_provider_goes_back_to_a_local_tag_when_the_scope_stops_being_shared():
    f = build("tenant")
    f.post(contract("c", scope="context"), "uni/tn-t")
    assert 16386 <= int(f.tag(OTHER)) <= 65535
    assert f.says(FRONT, OTHER, "tcp", 80) == "deny"


def test_a_tenant_scope_contract_does_not_join_two_tenants_but_a_global_one_does():
    assert build("tenant").says(FRONT, "uni/tn-u/ap-a/epg-far", "tcp", 80) == "deny"
    g = build("global")
    assert 16 <= int(g.tag("uni/tn-u/ap-a/epg-far")) <= 16385
    assert g.says(FRONT, "uni/tn-u/ap-a/epg-far", "tcp", 80) == "permit"


def test_a_contract_named_from_tenant_common_is_found_there():
    f = build("global")
    f.post(tenant("u", ap("a", epg("near", cons("shared")))))
    assert f.says("uni/tn-u/ap-a/epg-near", "uni/tn-u/ap-a/epg-far", "tcp", 80) == "permit"
    assert f.verdict("uni/tn-u/ap-a/epg-near", "uni/tn-u/ap-a/epg-far", "tcp", 80)["rule"]["contract"] == \
        "uni/tn-common/brc-shared"


def test_a_contract_exported_to_another_tenant_is_consumed_through_its_interface():
    f = Fabric()
    f.post(tenant("t", vrf("v1"), bd("b1", "v1"), filt("web", tcp("http", "80")),
                  contract("c", subj("s", "web"), scope="global"), ap("a1", epg("web", prov("c"), bd_name="b1"))))
    f.post(tenant("u", vrf("v"), bd("b", "v"), mo("vzCPIf", mo("vzRsIf", tDn="uni/tn-t/brc-c"), name="from-t"),
                  ap("a", epg("far", mo("fvRsConsIf", tnVzCPIfName="from-t")))))
    v = f.verdict("uni/tn-u/ap-a/epg-far", WEB, "tcp", 80)
    assert v["verdict"] == "permit" and v["rule"]["contract"] == "uni/tn-t/brc-c"
    assert 16 <= int(f.tag(WEB)) <= 16385


def test_two_vrfs_no_shared_contract_joins_have_no_route_even_when_one_side_is_a_shared_provider():
    f = build("tenant")
    f.post(tenant("t", vrf("v3", pcEnfPref="unenforced"), bd("b3", "v3"), ap("a3", epg("lone", bd_name="b3"))))
    lone = "uni/tn-t/ap-a3/epg-lone"
    assert 16 <= int(f.tag(OTHER)) <= 16385  # shared with front's VRF, not with v3
    for src, dst in ((lone, OTHER), (OTHER, lone), (lone, FRONT)):
        v = f.verdict(src, dst, "tcp", 80)
        assert v["verdict"] == "deny" and v["rule"]["prioName"] == "default_action" and v["rule"]["dn"] is None
        assert v["rule"]["note"] == "no route between the VRFs"
