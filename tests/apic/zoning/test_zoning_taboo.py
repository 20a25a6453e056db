"""Taboo contracts (VEC D3, D5): vzTaboo/vzTSubj/vzRsDenyRule attached by fvRsProtBy deny traffic to the
protected EPG at black_list (5), above contract permits."""

from __future__ import annotations

from zoning_builders import Fabric, ap, bd, cons, contract, epg, filt, mo, prov, subj, tcp, tenant, vrf

C, P = "uni/tn-t/ap-a/epg-c", "uni/tn-t/ap-a/epg-p"


def fabric(directives: str = "") -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf(), bd(), filt("all-tcp", mo("vzEntry", name="t", etherT="ip", prot="tcp")),
                  filt("telnet", tcp("telnet", "23")), contract("k", subj("s", "all-tcp")),
                  mo("vzTaboo", mo("vzTSubj", mo("vzRsDenyRule", tnVzFilterName="telnet", directives=directives),
                                   name="ts"), name="no-telnet"),
                  ap("a", epg("c", cons("k")), epg("p", prov("k"), mo("fvRsProtBy", tnVzTabooName="no-telnet")))))
    return f


def test_the_taboo_denies_its_filter_to_the_protected_epg_despite_the_contract():
    f = fabric()
    v = f.verdict(C, P, "tcp", 23)
    assert v["verdict"] == "deny"
    assert (v["rule"]["prio"], v["rule"]["prioName"], v["rule"]["sPcTag"], v["rule"]["dPcTag"]) == (
        5, "black_list", "any", f.tag(P))
    assert v["rule"]["taboo"] == "uni/tn-t/taboo-no-telnet" and v["rule"]["default"] is False
    assert f.says(C, P, "tcp", 22) == "permit"


def test_a_logged_taboo_denies_with_log():
    assert fabric("log").verdict(C, P, "tcp", 23)["rule"]["action"] == "deny,log"
