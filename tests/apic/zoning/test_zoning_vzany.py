"""vzAny (VEC D2, D3, D5): every group of the VRF as class `any` in zoning rules, with the vzAny priorities."""

from __future__ import annotations

from zoning_builders import Fabric, ap, bd, cons, contract, epg, filt, mo, prov, subj, tenant, vrf

A, B, DNS = "uni/tn-t/ap-a/epg-a", "uni/tn-t/ap-a/epg-b", "uni/tn-t/ap-a/epg-dns"


def fabric(*any_rels) -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf("v", mo("vzAny", *any_rels)), bd(), filt("dns", mo("vzEntry", name="d", etherT="ip", prot="udp",
                  dFromPort="53", dToPort="53")), contract("dns", subj("s", "dns")),
                  ap("a", epg("a"), epg("b"), epg("dns", prov("dns")))))
    return f


def test_vzany_consuming_lets_every_epg_reach_the_provider_by_an_any_to_epg_rule():
    f = fabric(mo("vzRsAnyToCons", tnVzBrCPName="dns"))
    for src in (A, B):
        v = f.verdict(src, DNS, "udp", 53, sport=3000)
        assert v["verdict"] == "permit"
        assert (v["rule"]["sPcTag"], v["rule"]["prio"], v["rule"]["prioName"]) == ("any", 14, "any_dest_filter")
        assert v["reply"]["verdict"] == "permit" and v["reply"]["rule"]["prioName"] == "src_any_filter"
    assert f.says(A, B, "udp", 53) == "deny"


def test_vzany_providing_and_consuming_opens_the_vrf_on_the_filter():
    f = fabric(mo("vzRsAnyToCons", tnVzBrCPName="dns"), mo("vzRsAnyToProv", tnVzBrCPName="dns"))
    v = f.verdict(A, B, "udp", 53)
    assert v["verdict"] == "permit" and (v["rule"]["sPcTag"], v["rule"]["dPcTag"]) == ("any", "any")
    assert v["rule"]["prioName"] == "any_any_filter"
    assert f.says(A, B, "udp", 54) == "deny"


def test_an_epg_to_epg_deny_beats_a_vzany_permit():
    f = fabric(mo("vzRsAnyToCons", tnVzBrCPName="dns"))
    f.post(tenant("t", filt("block", mo("vzEntry", name="b", etherT="ip", prot="udp")),
                  contract("block", subj("s", mo("vzRsSubjFiltAtt", tnVzFilterName="block", action="deny"))),
                  ap("a", epg("a", cons("block")), epg("dns", prov("dns"), prov("block")))))
    v = f.verdict(A, DNS, "udp", 53)
    assert v["verdict"] == "deny" and v["rule"]["prioName"] == "fully_qual" and v["rule"]["contract"] == "uni/tn-t/brc-block"
    assert f.says(B, DNS, "udp", 53) == "permit"
