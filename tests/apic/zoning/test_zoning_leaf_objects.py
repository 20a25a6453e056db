"""Zoning rules on the leaves (VEC D1, D4): the objects a real leaf holds, read back over REST, and recomputed
on every relevant change for the affected leaves only."""

from __future__ import annotations

import pytest
from rest_session import ApicRest
from zoning_builders import ap, bd, cons, contract, epg, filt, mo, path, prov, subj, tcp, tenant, vrf

from simulator.lab import Lab, LabOptions

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

T = "uni/tn-z"
FRONT, WEB = f"{T}/ap-app/epg-front", f"{T}/ap-app/epg-web"
L101, L102, L103 = "topology/pod-1/node-101", "topology/pod-1/node-102", "topology/pod-1/node-103"


@pytest.fixture
def fabric(tmp_path):
    lab = Lab(LabOptions(admin_password="secret"))
    srv = lab.start(tls_dir=tmp_path / "tls")
    rest = ApicRest(srv.url)
    rest.lab = lab
    rest.post_ok("uni", tenant("z", vrf(), bd(), filt("https", tcp("https", "443")),
                               contract("web", subj("s", "https")),
                               ap("app", epg("front", cons("web")), epg("web", prov("web")))))
    yield rest
    lab.stop()


def learn(rest, epg_dn: str, mac: str, ip: str, leaf: int) -> None:
    rest.lab.apic.system_post(f"{epg_dn}/cep-{mac}", {"fvCEp": {"attributes": {"mac": mac, "ip": ip}, "children": [
        {"fvRsCEpToPathEp": {"attributes": {"tDn": path(leaf)}}}]}})


def leaf_rules(rest, leaf: str) -> dict[str, dict]:
    return {r["dn"]: r for r in rest.objects("actrlRule") if r["dn"].startswith(leaf + "/")}


def attrs(rest, dn: str) -> dict:
    ((_, body),) = rest.imdata(f"/api/mo/{dn}.json")[0].items()
    return body["attributes"]


def test_pc_tags_and_vnids_are_on_the_policy_objects(fabric):
    ctx, bd_, front = attrs(fabric, f"{T}/ctx-v"), attrs(fabric, f"{T}/BD-b"), attrs(fabric, FRONT)
    assert ctx["scope"] == ctx["seg"] and 2097152 <= int(ctx["scope"]) < 16777200
    assert 16386 <= int(ctx["pcTag"]) <= 65535 and 16386 <= int(front["pcTag"]) <= 65535
    assert bd_["scope"] == ctx["scope"] == front["scope"] and int(bd_["seg"]) >= 15728640
    assert attrs(fabric, f"{T}/ctx-v/any")["pcTag"] == "any"


def test_a_vrf_is_on_the_leaves_of_its_endpoints_with_the_default_and_contract_rules(fabric):
    assert leaf_rules(fabric, L101) == {}
    learn(fabric, FRONT, "00:00:00:00:01:01", "10.1.0.1", 101)
    vnid = attrs(fabric, f"{T}/ctx-v")["scope"]
    scope = f"{L101}/sys/actrl/scope-{vnid}"
    assert attrs(fabric, scope)["id"] == vnid
    rules = leaf_rules(fabric, L101)
    front, web, bdtag = (attrs(fabric, dn)["pcTag"] for dn in (FRONT, WEB, f"{T}/BD-b"))
    by_dn = {dn.rsplit("/", 1)[1]: r for dn, r in rules.items()}
    assert {rn: (r["prio"], r["action"], r["direction"]) for rn, r in by_dn.items()
            if "-f-impl" in rn or "-d-15-" in rn} == {
        f"rule-{vnid}-s-any-d-any-f-implicit": ("any_any_any", "deny,log", "uni-dir"),
        f"rule-{vnid}-s-any-d-any-f-implarp": ("any_any_filter", "permit", "uni-dir"),
        f"rule-{vnid}-s-any-d-{bdtag}-f-implicit": ("any_dest_any", "permit", "uni-dir"),
        f"rule-{vnid}-s-any-d-15-f-implicit": ("any_vrf_any_deny", "deny,log", "uni-dir"),
    }
    pair = {(r["sPcTag"], r["dPcTag"]): r for r in by_dn.values() if r["prio"] == "fully_qual"}
    assert pair[(front, web)]["direction"] == "bi-dir" and pair[(web, front)]["direction"] == "uni-dir-ignore"
    forward = pair[(front, web)]
    assert forward["operSt"] == "enabled" and int(forward["id"]) >= 4096 and forward["scopeId"] == vnid
    owners = [o for o in fabric.objects("vzRuleOwner") if o["dn"].startswith(forward["dn"] + "/")]
    assert [(o["ctrctName"], o["tag"]) for o in owners] == [("web", "contract")]
    conns = [c for c in fabric.objects("actrlRsToEpgConn") if c["dn"].startswith(forward["dn"] + "/")]
    assert len(conns) == 1 and "[uni/tn-z/brc-web]" in conns[0]["tDn"]
    flt = forward["fltId"]
    assert attrs(fabric, f"{L101}/sys/actrl/filt-{flt}")["id"] == flt
    entry = attrs(fabric, f"{L101}/sys/actrl/filt-{flt}/ent-{flt}_0")
    assert (entry["prot"], entry["dFromPort"], entry["dToPort"], entry["etherT"]) == ("tcp", "https", "https", "ip")
    reverse = attrs(fabric, f"{L101}/sys/actrl/filt-{pair[(web, front)]['fltId']}/ent-{pair[(web, front)]['fltId']}_0")
    assert (reverse["sFromPort"], reverse["dFromPort"]) == ("https", "unspecified")


def test_a_static_path_deploys_the_vrf_and_its_removal_takes_the_scope_away(fabric):
    static = f"{FRONT}/rspathAtt-[{path(103)}]"
    fabric.post_ok(FRONT, mo("fvRsPathAtt", tDn=path(103), encap="vlan-300"))
    vnid = attrs(fabric, f"{T}/ctx-v")["scope"]
    assert fabric.imdata(f"/api/mo/{L103}/sys/actrl/scope-{vnid}.json")
    fabric.delete_ok(static)
    assert fabric.imdata(f"/api/mo/{L103}/sys/actrl/scope-{vnid}.json") == []
    assert [f for f in fabric.objects("actrlFlt") if f["dn"].startswith(L103)] == []


def test_a_contract_change_rewrites_the_rules_of_the_affected_leaves_only(fabric):
    learn(fabric, FRONT, "00:00:00:00:01:01", "10.1.0.1", 101)
    learn(fabric, WEB, "00:00:00:00:01:02", "10.1.0.2", 102)
    fabric.post_ok("uni", tenant("other", vrf("o"), bd("ob", "o"), ap("a", epg("lonely", bd_name="ob"))))
    learn(fabric, "uni/tn-other/ap-a/epg-lonely", "00:00:00:00:02:01", "10.2.0.1", 103)
    before_103 = leaf_rules(fabric, L103)
    seen = []
    fabric.lab.apic.store.subscribe(seen.extend)
    fabric.post_ok(f"{T}/flt-https/e-https", mo("vzEntry", dFromPort="8443", dToPort="8443"))
    changed = {e.dn for e in seen if e.cls.startswith("actrl") or e.cls == "vzRuleOwner"}
    assert changed and all(dn.startswith((L101, L102)) for dn in changed)
    assert leaf_rules(fabric, L103) == before_103
    flt = [r for r in leaf_rules(fabric, L101).values() if r["prio"] == "fully_qual" and r["direction"] == "bi-dir"][0]
    assert attrs(fabric, f"{L101}/sys/actrl/filt-{flt['fltId']}/ent-{flt['fltId']}_0")["dFromPort"] == "8443"


def test_removing_the_subject_filter_leaves_only_the_default_rules(fabric):
    learn(fabric, FRONT, "00:00:00:00:01:01", "10.1.0.1", 101)
    fabric.delete_ok(f"{T}/brc-web/subj-s/rssubjFiltAtt-https")
    assert {r["prio"] for r in leaf_rules(fabric, L101).values()} == {
        "any_any_any", "any_any_filter", "any_dest_any", "any_vrf_any_deny"}


def test_an_endpoint_move_brings_the_vrf_to_the_new_leaf_and_takes_it_from_the_old(fabric):
    learn(fabric, FRONT, "00:00:00:00:01:01", "10.1.0.1", 101)
    vnid = attrs(fabric, f"{T}/ctx-v")["scope"]
    cep = f"{FRONT}/cep-00:00:00:00:01:01"
    with fabric.lab.apic.store.transaction() as txn:
        txn.delete(f"{cep}/rscEpToPathEp-[{path(101)}]")
    learn(fabric, FRONT, "00:00:00:00:01:01", "10.1.0.1", 102)
    assert fabric.imdata(f"/api/mo/{L101}/sys/actrl/scope-{vnid}.json") == []
    assert fabric.imdata(f"/api/mo/{L102}/sys/actrl/scope-{vnid}.json")


def test_an_unenforced_vrf_holds_an_any_any_permit(fabric):
    learn(fabric, FRONT, "00:00:00:00:01:01", "10.1.0.1", 101)
    fabric.post_ok(f"{T}/ctx-v", mo("fvCtx", pcEnfPref="unenforced"))
    assert {(r["prio"], r["action"], r["fltId"]) for r in leaf_rules(fabric, L101).values()} == {
        ("any_any_any", "permit", "implicit"), ("any_any_filter", "permit", "implarp")}


def test_deleting_the_tenant_clears_its_scopes(fabric):
    learn(fabric, FRONT, "00:00:00:00:01:01", "10.1.0.1", 101)
    fabric.delete_ok(T)
    assert [s for s in fabric.objects("actrlScope") if s["dn"].startswith(L101)] == []
    assert [f for f in fabric.objects("actrlFlt") if f["dn"].startswith(L101)] == []
