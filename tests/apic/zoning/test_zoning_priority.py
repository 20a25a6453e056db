"""The default deny and priority order (VEC D3, D4): lower priority wins; within one, deny,log > deny >
permit; then the more specific entry (a destination port beats a source port; a specific filter the any one)."""

from __future__ import annotations

from zoning_builders import Fabric, ap, bd, cons, contract, entry, epg, filt, mo, prov, subj, tcp, tenant, vrf

from simulator.apic.zoning.priorities import NAMES, PRIORITIES, action_rank

C, P = "uni/tn-t/ap-a/epg-c", "uni/tn-t/ap-a/epg-p"


def test_the_priority_table_is_the_research_table():
    assert [NAMES[n] for n in range(1, 24)] == [
        "class-eq-filter", "class-eq-deny", "class-eq-allow", "prov-nonshared-to-cons", "black_list", "fabric_infra",
        "fully_qual", "system_incomplete", "src_dst_any", "shsrc_any_filt_perm", "shsrc_any_any_perm",
        "shsrc_any_any_deny", "src_any_filter", "any_dest_filter", "src_any_any", "any_dest_any", "any_any_filter",
        "grp_src_any_any_deny", "grp_any_dest_any_deny", "grp_any_any_any_permit", "any_any_any",
        "any_vrf_any_deny", "default_action"]
    assert PRIORITIES["any_any_filter"] == 17
    assert action_rank("deny,log") < action_rank("deny") < action_rank("redir") < action_rank("permit")


def fabric(*subjects) -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf(), bd(), filt("web", tcp("http", "80")), filt("ports", tcp("d", "80"),
                  entry("s", etherT="ip", prot="tcp", sFromPort="1000", sToPort="1000")),
                  filt("all", entry("any")), contract("k", *subjects),
                  ap("a", epg("c", cons("k")), epg("p", prov("k")))))
    return f


def test_with_no_contract_the_implicit_deny_decides():
    f = fabric()
    v = f.verdict(C, P, "tcp", 80)
    assert v["verdict"] == "deny" and v["rule"]["default"] and v["rule"]["text"].startswith("[21:")


def test_a_deny_beats_a_permit_of_the_same_priority():
    f = fabric(subj("s", "web", mo("vzRsSubjFiltAtt", tnVzFilterName="ports", action="deny", directives="log")))
    v = f.verdict(C, P, "tcp", 80)
    assert v["verdict"] == "deny" and (v["rule"]["action"], v["rule"]["prioName"]) == ("deny,log", "fully_qual")


def test_a_deny_of_the_any_filter_loses_to_a_specific_permit():
    f = fabric(subj("s", "web", mo("vzRsSubjFiltAtt", tnVzFilterName="all", action="deny")))
    assert f.says(C, P, "tcp", 80) == "permit"
    v = f.verdict(C, P, "tcp", 81)
    assert v["verdict"] == "deny" and v["rule"]["prioName"] == "src_dst_any"


def test_a_deny_with_a_lower_priority_override_loses_to_the_specific_permit():
    f = fabric(subj("s", "web", mo("vzRsSubjFiltAtt", tnVzFilterName="all", action="deny", priorityOverride="level3")))
    v = f.verdict(C, P, "tcp", 80)
    assert v["verdict"] == "permit" and v["rule"]["prioName"] == "fully_qual"
    deny = f.verdict(C, P, "tcp", 81)
    assert deny["verdict"] == "deny" and deny["rule"]["prioName"] == "any_any_filter" and not deny["rule"]["default"]


def test_a_specific_filter_is_fully_qual_and_the_any_filter_src_dst_any():
    f = fabric(subj("s", "web", "all"))
    assert f.verdict(C, P, "tcp", 80)["rule"]["prioName"] == "fully_qual"
    assert f.verdict(C, P, "tcp", 81)["rule"]["prioName"] == "src_dst_any"


def test_the_destination_port_entry_is_named_before_the_source_port_entry():
    v = fabric(subj("s", "ports")).verdict(C, P, "tcp", 80, sport=1000)
    assert v["verdict"] == "permit" and v["rule"]["entry"] == "d"
