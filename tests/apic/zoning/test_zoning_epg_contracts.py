"""EPG-to-EPG contracts: the verdict names the rule a leaf holds (VEC D3, D4, D6), and the API's shape."""

from __future__ import annotations

import pytest
from zoning_builders import Fabric, ap, bd, cons, contract, epg, filt, path, prov, subj, tcp, tenant, vrf

from simulator.apic.zoning import ZoningError

FRONT, WEB, DB = "uni/tn-t/ap-app/epg-front", "uni/tn-t/ap-app/epg-web", "uni/tn-t/ap-app/epg-db"


@pytest.fixture(scope="module")
def fabric() -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf(), bd(),
                  filt("https", tcp("https", "443")),
                  contract("web", subj("s", "https")),
                  ap("app", epg("front", cons("web")), epg("web", prov("web")), epg("db"))))
    f.endpoint(FRONT, "00:50:56:00:00:01", "10.0.0.1", path(101), vm="front-vm")
    f.endpoint(WEB, "00:50:56:00:00:02", "10.0.0.2", path(102, "eth1/2"), vm="web-vm")
    return f


def test_the_consumer_reaches_the_provider_on_the_filter_port_by_the_contract_rule(fabric):
    v = fabric.verdict(FRONT, WEB, "tcp", 443)
    rule = v["rule"]
    assert v["verdict"] == "permit"
    assert (rule["prio"], rule["prioName"], rule["direction"], rule["action"]) == (7, "fully_qual", "bi-dir", "permit")
    assert (rule["contract"], rule["subject"], rule["filter"], rule["entry"]) == (
        "uni/tn-t/brc-web", "uni/tn-t/brc-web/subj-s", "uni/tn-t/flt-https", "https")
    assert (rule["sPcTag"], rule["dPcTag"]) == (fabric.tag(FRONT), fabric.tag(WEB))
    assert rule["default"] is False


def test_another_port_meets_the_implicit_deny(fabric):
    v = fabric.verdict(FRONT, WEB, "tcp", 80)
    assert v["verdict"] == "deny"
    assert (v["rule"]["prio"], v["rule"]["prioName"], v["rule"]["action"]) == (21, "any_any_any", "deny,log")
    assert (v["rule"]["sPcTag"], v["rule"]["dPcTag"], v["rule"]["fltId"]) == ("any", "any", "implicit")
    assert v["rule"]["default"] is True and v["rule"]["contract"] is None


def test_the_provider_cannot_open_a_connection_to_the_consumer_port(fabric):
    assert fabric.says(WEB, FRONT, "tcp", 443) == "deny"


def test_the_reply_is_permitted_by_the_provider_to_consumer_rule_with_reversed_ports(fabric):
    reply = fabric.verdict(FRONT, WEB, "tcp", 443, sport=40000)["reply"]
    assert reply["verdict"] == "permit"
    assert reply["rule"]["direction"] == "uni-dir-ignore"
    assert (reply["rule"]["sPcTag"], reply["rule"]["dPcTag"]) == (fabric.tag(WEB), fabric.tag(FRONT))


def test_an_epg_with_no_contract_is_denied(fabric):
    assert fabric.says(FRONT, DB, "tcp", 443) == "deny"


def test_ends_by_ip_mac_and_vm_name_are_the_endpoints_and_the_source_leaf_enforces(fabric):
    for src in ("10.0.0.1", "00:50:56:00:00:01", "front-vm"):
        v = fabric.verdict(src, "web-vm", "tcp", 443)
        assert v["verdict"] == "permit"
        assert v["leaf"] == "topology/pod-1/node-101"
        assert v["from"]["kind"] == "endpoint" and v["from"]["epg"] == FRONT
        assert v["to"]["leaf"] == "topology/pod-1/node-102"
    assert fabric.verdict("web-vm", "front-vm", "tcp", 443)["leaf"] == "topology/pod-1/node-102"


def test_the_rule_dn_is_under_the_enforcing_leafs_scope(fabric):
    v = fabric.verdict("10.0.0.1", "10.0.0.2", "tcp", 443)
    scope = v["rule"]["scopeId"]
    rule = v["rule"]
    assert rule["dn"] == (f"topology/pod-1/node-101/sys/actrl/scope-{scope}/"
                          f"rule-{scope}-s-{rule['sPcTag']}-d-{rule['dPcTag']}-f-{rule['fltId']}")
    assert rule["text"].startswith(f"[7:{rule['id']}] [vrf:t:v] permit tcp dport https tn-t/ap-app/epg-front(")
    assert rule["text"].endswith("[contract:uni/tn-t/brc-web]")


@pytest.mark.parametrize(("src", "dst", "kw", "says"), [
    ("10.9.9.9", "10.9.9.8", {}, "neither"),
    ("nobody", WEB, {}, "no endpoint IP or MAC"),
    ("uni/tn-t/ap-app/epg-nope", WEB, {}, "no object"),
    ("uni/tn-t", WEB, {}, "fvTenant"),
    (FRONT, WEB, {"proto": "bogus"}, "unknown protocol"),
    (FRONT, WEB, {"port": 70000}, "0-65535"),
    (FRONT, WEB, {"proto": "icmp", "port": 80}, "tcp and udp only"),
    (FRONT, WEB, {"tcp_flags": "push"}, "unknown TCP flag"),
])
def test_a_flow_that_cannot_be_asked_is_a_zoning_error(fabric, src, dst, kw, says):
    with pytest.raises(ZoningError, match=says):
        fabric.verdict(src, dst, kw.pop("proto", "tcp"), kw.pop("port", 443), **kw)


def test_an_ambiguous_end_is_a_zoning_error(fabric):
    fabric.endpoint(DB, "00:50:56:00:00:09", "10.0.0.9", path(103), vm="twin")
    fabric.endpoint(WEB, "00:50:56:00:00:0A", "10.0.0.10", path(103), vm="twin")
    with pytest.raises(ZoningError, match="ambiguous"):
        fabric.verdict("twin", FRONT)


def test_the_verdict_is_json_able(fabric):
    import json
    v = fabric.verdict(FRONT, WEB, "tcp", 443)
    assert json.loads(json.dumps(v)) == v
