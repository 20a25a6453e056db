"""L3Out external EPGs (VEC D2, D5): an outside address is classified by longest-prefix match over the
import-security subnets of the VRF's external EPGs, 0.0.0.0/0 -> class 15; the non-border leaf enforces."""

from __future__ import annotations

import pytest
from zoning_builders import (
    Fabric,
    ap,
    bd,
    cons,
    contract,
    epg,
    filt,
    instp,
    l3out,
    path,
    prov,
    subj,
    tcp,
    tenant,
    vrf,
)

from simulator.apic.zoning import ZoningError

FRONT, DB = "uni/tn-t/ap-a/epg-front", "uni/tn-t/ap-a/epg-db"
NET, WORLD = "uni/tn-t/out-wan/instP-partners", "uni/tn-t/out-wan/instP-world"


@pytest.fixture(scope="module")
def fabric() -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf(), bd(), filt("https", tcp("https", "443")), contract("in", subj("s", "https")),
                  ap("a", epg("front", prov("in")), epg("db")),
                  l3out("wan", "v", instp("partners", "172.16.0.0/12", "172.16.5.0/24", rels=(cons("in"),)),
                        instp("world", "0.0.0.0/0"))))
    f.endpoint(FRONT, "00:00:00:00:00:01", "10.0.0.1", path(101), vm="front1")
    f.endpoint(DB, "00:00:00:00:00:02", "10.0.0.2", path(102), vm="db1")
    return f


def test_the_longest_matching_prefix_classifies_an_outside_address(fabric):
    v = fabric.verdict("172.16.5.9", "front1", "tcp", 443)
    assert v["from"]["kind"] == "external" and v["from"]["instP"] == NET and v["from"]["pcTag"] == fabric.tag(NET)
    assert v["verdict"] == "permit" and v["rule"]["contract"] == "uni/tn-t/brc-in"
    assert fabric.says("172.20.0.1", "front1", "tcp", 443) == "permit"


def test_an_address_only_the_default_route_matches_is_class_15_and_denied(fabric):
    v = fabric.verdict("front1", "8.8.8.8", "tcp", 443)
    assert v["to"]["pcTag"] == "15" and v["to"]["instP"] == WORLD
    assert v["verdict"] == "deny" and v["rule"]["default"]  # the implicit deny (21) comes before any->15 (22)
    vnid = v["rule"]["scopeId"]
    deny15 = fabric.store.get(f"topology/pod-1/node-101/sys/actrl/scope-{vnid}/rule-{vnid}-s-any-d-15-f-implicit")
    assert (deny15.get("prio"), deny15.get("action")) == ("any_vrf_any_deny", "deny,log")
    assert fabric.says("8.8.8.8", "front1", "tcp", 443) == "deny"


def test_traffic_from_outside_is_enforced_on_the_non_border_leaf(fabric):
    assert fabric.verdict("172.16.5.9", "front1", "tcp", 443)["leaf"] == "topology/pod-1/node-101"
    assert fabric.verdict("172.16.5.9", "front1", "tcp", 443)["from"]["leaf"] == "topology/pod-1/node-104"


def test_a_contract_with_the_default_route_epg_uses_class_15(fabric):
    fabric.post(tenant("t", l3out("wan", "v", instp("world", "0.0.0.0/0", rels=(cons("in"),)))))
    v = fabric.verdict("8.8.8.8", "front1", "tcp", 443)
    assert v["verdict"] == "permit" and v["rule"]["sPcTag"] == "15"
    assert fabric.says("8.8.8.8", "db1", "tcp", 443) == "deny"
    fabric.delete(f"{WORLD}/rscons-in")
    assert fabric.says("8.8.8.8", "front1", "tcp", 443) == "deny"


def test_the_border_leaf_holds_the_vrf(fabric):
    vnid = fabric.store.get("uni/tn-t/ctx-v").get("scope")
    assert fabric.store.get(f"topology/pod-1/node-104/sys/actrl/scope-{vnid}") is not None


def test_an_outside_address_no_subnet_classifies_is_an_error():
    f = Fabric()
    f.post(tenant("t", vrf(), bd(), ap("a", epg("front")), l3out("wan", "v", instp("n", "172.16.0.0/12"))))
    f.endpoint(FRONT, "00:00:00:00:00:01", "10.0.0.1", path(101))
    with pytest.raises(ZoningError, match="no external EPG"):
        f.verdict("10.0.0.1", "8.8.8.8", "tcp", 443)
    assert f.says("10.0.0.1", "172.16.0.1", "tcp", 443) == "deny"


def test_ipv6_outside_addresses_are_classified_by_their_own_prefixes():
    f = Fabric()
    f.post(tenant("t", vrf(), bd(), filt("https", tcp("https", "443")), contract("in", subj("s", "https")),
                  ap("a", epg("front", prov("in"))),
                  l3out("wan", "v", instp("v6", "2001:db8::/32", rels=(cons("in"),)), instp("all6", "::/0"))))
    f.endpoint(FRONT, "00:00:00:00:00:01", "2001:db8:ffff::1", path(101), vm="front6")
    v = f.verdict("2001:db8::5", "front6", "tcp", 443)
    assert v["verdict"] == "permit" and v["flow"]["ethertype"] == "ipv6"
    assert f.verdict("2600::1", "front6", "tcp", 443)["from"]["pcTag"] == "15"
