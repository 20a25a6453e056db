"""Preferred group (VEC D5): members talk freely (grp_any_any_any_permit 20), groups left out are denied by
grp_src_any_any_deny (18) / grp_any_dest_any_deny (19); contracts still win over both."""

from __future__ import annotations

from zoning_builders import Fabric, ap, bd, cons, contract, epg, filt, mo, prov, subj, tcp, tenant, vrf

IN1, IN2, OUT = "uni/tn-t/ap-a/epg-in1", "uni/tn-t/ap-a/epg-in2", "uni/tn-t/ap-a/epg-out"


def fabric(enabled: str = "enabled") -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf("v", mo("vzAny", prefGrMemb=enabled)), bd(), filt("web", tcp("http", "80")),
                  contract("web", subj("s", "web")),
                  ap("a", epg("in1", prefGrMemb="include"), epg("in2", prov("web"), prefGrMemb="include"),
                     epg("out", cons("web")))))
    return f


def test_members_talk_freely():
    v = fabric().verdict(IN1, IN2, "tcp", 9999)
    assert v["verdict"] == "permit" and (v["rule"]["prio"], v["rule"]["prioName"]) == (20, "grp_any_any_any_permit")


def test_a_group_left_out_is_denied_both_ways_unless_a_contract_says_otherwise():
    f = fabric()
    v = f.verdict(OUT, IN1, "tcp", 80)
    assert v["verdict"] == "deny" and v["rule"]["prioName"] == "grp_src_any_any_deny" and v["rule"]["sPcTag"] == f.tag(OUT)
    back = f.verdict(IN1, OUT, "tcp", 80)
    assert back["verdict"] == "deny" and back["rule"]["prioName"] == "grp_any_dest_any_deny"
    assert f.says(OUT, IN2, "tcp", 80) == "permit"  # by the contract (fully_qual 7)


def test_with_the_vrf_switch_off_members_are_ordinary_epgs():
    v = fabric("disabled").verdict(IN1, IN2, "tcp", 9999)
    assert v["verdict"] == "deny" and v["rule"]["prioName"] == "any_any_any"
