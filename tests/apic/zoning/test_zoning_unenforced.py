"""An unenforced VRF (fvCtx.pcEnfPref unenforced, VEC D5) permits everything: rendered as one any-any permit
(any_any_any 21, filter implicit), the simulator's documented choice for an unknown rendering."""

from __future__ import annotations

from zoning_builders import Fabric, ap, bd, epg, tenant, vrf

A, B = "uni/tn-t/ap-a/epg-a", "uni/tn-t/ap-a/epg-b"


def test_everything_is_permitted_in_an_unenforced_vrf_and_denied_again_when_enforced():
    f = Fabric()
    f.post(tenant("t", vrf("v", pcEnfPref="unenforced"), bd(), ap("a", epg("a", pcEnfPref="enforced"), epg("b"))))
    v = f.verdict(A, B, "tcp", 5432)
    assert v["verdict"] == "permit"
    assert (v["rule"]["prioName"], v["rule"]["action"], v["rule"]["fltId"], v["rule"]["default"]) == (
        "any_any_any", "permit", "implicit", True)
    assert f.says(B, A, "udp", 53) == "permit"
    f.post(tenant("t", vrf("v", pcEnfPref="enforced")))
    assert f.says(A, B, "tcp", 5432) == "deny"
