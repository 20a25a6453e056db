"""Subjects applied in both directions (vzRsSubjFiltAtt) or one way (vzInTerm / vzOutTerm), and reverse filter
ports (VEC D4, D5)."""

from __future__ import annotations

import pytest
from zoning_builders import Fabric, ap, bd, cons, contract, epg, filt, mo, prov, subj, tcp, tenant, vrf

C, P = "uni/tn-t/ap-a/epg-client", "uni/tn-t/ap-a/epg-server"


def fabric_with(*subjects) -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf(), bd(), filt("web", tcp("http", "8080")), filt("src", mo("vzEntry", name="s", etherT="ip",
                  prot="tcp", sFromPort="8080", sToPort="8080")), contract("c", *subjects),
                  ap("a", epg("client", cons("c")), epg("server", prov("c")))))
    return f


def one_way(into: str | None, out: str | None, **attrs) -> dict:
    terms = []
    if into:
        terms.append(mo("vzInTerm", mo("vzRsFiltAtt", tnVzFilterName=into)))
    if out:
        terms.append(mo("vzOutTerm", mo("vzRsFiltAtt", tnVzFilterName=out)))
    return mo("vzSubj", *terms, name="s", **attrs)


def test_both_directions_with_reverse_ports_let_the_reply_back_from_the_server_port():
    f = fabric_with(subj("s", "web"))
    v = f.verdict(C, P, "tcp", 8080, sport=50000)
    assert v["verdict"] == "permit" and v["rule"]["direction"] == "bi-dir"
    assert v["reply"]["verdict"] == "permit" and v["reply"]["rule"]["direction"] == "uni-dir-ignore"
    assert v["reply"]["rule"]["fltId"] != v["rule"]["fltId"]  # the port-reversed twin
    assert f.says(P, C, "tcp", 8080) == "deny"  # the server cannot open to the client's 8080


def test_without_reverse_ports_the_return_rule_keeps_the_filter_as_it_is():
    f = fabric_with(subj("s", "web", revFltPorts="no"))
    v = f.verdict(C, P, "tcp", 8080, sport=50000)
    assert v["verdict"] == "permit" and v["reply"]["verdict"] == "deny"
    back = f.verdict(P, C, "tcp", 8080, sport=50000)
    assert back["verdict"] == "permit" and back["rule"]["direction"] == "uni-dir-ignore"
    assert back["rule"]["fltId"] == v["rule"]["fltId"]


@pytest.mark.parametrize(("into", "out", "forward", "reply"), [
    ("web", None, "permit", "deny"),
    ("web", "src", "permit", "permit"),
    (None, "src", "deny", "permit"),
])
def test_one_way_terms_make_uni_dir_rules_for_their_own_direction(into, out, forward, reply):
    v = fabric_with(one_way(into, out)).verdict(C, P, "tcp", 8080, sport=50000)
    assert (v["verdict"], v["reply"]["verdict"]) == (forward, reply)
    for side in (v, v["reply"]):
        if side["verdict"] == "permit":
            assert side["rule"]["direction"] == "uni-dir"
