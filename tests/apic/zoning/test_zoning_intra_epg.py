"""Intra-EPG isolation (fvAEPg.pcEnfPref enforced: class-eq-deny 2) and intra-EPG contracts (fvRsIntraEpg:
class-eq-filter 1), VEC D3, D5; without either, traffic inside an EPG meets no zoning rule."""

from __future__ import annotations

from zoning_builders import Fabric, ap, bd, contract, epg, filt, mo, path, subj, tcp, tenant, vrf

WEB = "uni/tn-t/ap-a/epg-web"


def fabric(**attrs) -> Fabric:
    f = Fabric()
    rels = [mo("fvRsIntraEpg", tnVzBrCPName="peer")] if attrs.pop("intra", False) else []
    f.post(tenant("t", vrf(), bd(), filt("ssh", tcp("ssh", "22")), contract("peer", subj("s", "ssh")),
                  ap("a", epg("web", *rels, **attrs))))
    f.endpoint(WEB, "00:00:00:00:00:01", "10.0.0.1", path(101), vm="web1")
    f.endpoint(WEB, "00:00:00:00:00:02", "10.0.0.2", path(102), vm="web2")
    return f


def test_endpoints_of_one_epg_talk_freely_by_default():
    v = fabric().verdict("web1", "web2", "tcp", 80)
    assert v["verdict"] == "permit" and v["rule"]["prioName"] == "class-eq-allow" and v["rule"]["dn"] is None


def test_isolation_denies_inside_the_epg_by_class_eq_deny():
    f = fabric(pcEnfPref="enforced")
    v = f.verdict("web1", "web2", "tcp", 80)
    assert v["verdict"] == "deny"
    assert (v["rule"]["prio"], v["rule"]["prioName"], v["rule"]["sPcTag"], v["rule"]["dPcTag"]) == (
        2, "class-eq-deny", f.tag(WEB), f.tag(WEB))
    assert v["rule"]["dn"].startswith("topology/pod-1/node-101/sys/actrl/scope-")


def test_an_intra_epg_contract_permits_its_filter_inside_the_epg_and_denies_the_rest():
    f = fabric(intra=True)
    v = f.verdict("web1", "web2", "tcp", 22, sport=40000)
    assert v["verdict"] == "permit" and (v["rule"]["prio"], v["rule"]["prioName"]) == (1, "class-eq-filter")
    assert v["rule"]["contract"] == "uni/tn-t/brc-peer" and v["reply"]["verdict"] == "permit"
    assert f.says("web1", "web2", "tcp", 80) == "deny"
