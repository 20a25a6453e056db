"""The APIC's value rules where a mutation showed no fast test watching, over HTTPS to a served lab: a ranged
number that also has named values (l3extInstP.targetDscp: 0..64 or a DSCP name), a filter entry's port range
given by its start where the end was set before, a host protection rule's ports (by number, by name, empty),
and an uplink order whose standby list is emptied with no active list.

Found by mutation testing (tools/mutation/RESULTS.md, simulator/apic/mit/normalise.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

INST_P = "uni/tn-mutnorm/out-o1/instP-ext"
FILTER = "uni/tn-mutnorm/flt-f"
HOST_SUBJ = "uni/tn-mutnorm/pol-hpp/subj-s"
EPG = "uni/tn-mutnorm/ap-ap/epg-web"
VMM_ATT = f"{EPG}/rsdomAtt-[uni/vmmp-VMware/dom-vds]"
UPLINKS = f"{VMM_ATT}/uplinkorder"


def mo(cls: str, children: list[dict] | None = None, **attrs: str) -> dict:
    body: dict = {"attributes": attrs}
    if children:
        body["children"] = children
    return {cls: body}


def attrs_of(rest, dn: str) -> dict[str, str]:
    [found] = rest.imdata(f"/api/mo/{dn}.json")
    return next(iter(found.values()))["attributes"]


def error_of(response) -> tuple[int, str, str]:
    err = response.json()["imdata"][0]["error"]["attributes"]
    return response.status_code, err["code"], err["text"]


@pytest.fixture(scope="module")
def tenant(rest):
    rest.post_ok("uni/tn-mutnorm", mo("fvTenant", [mo("l3extOut", [mo("l3extInstP", name="ext")], name="o1")],
                                      name="mutnorm"))
    return rest


# --- a ranged number with named values ---------------------------------------------------------------
@pytest.mark.parametrize("value", ["AF11", "EF", "CS7", "unspecified", "0", "64"])
def test_a_dscp_is_a_name_or_a_number_in_its_range(tenant, value):
    tenant.post_ok(INST_P, mo("l3extInstP", targetDscp=value))
    assert attrs_of(tenant, INST_P)["targetDscp"] == value


def test_a_dscp_past_its_range_fails_validation(tenant):
    tenant.post_ok(INST_P, mo("l3extInstP", targetDscp="AF21"))
    r = tenant.post(INST_P, mo("l3extInstP", targetDscp="65"))
    assert error_of(r) == (400, "801", f"property targetDscp of {INST_P} failed validation for value '65'")
    assert attrs_of(tenant, INST_P)["targetDscp"] == "AF21"


@pytest.mark.parametrize("value", ["af11", "AF99", "high"])
def test_a_dscp_that_is_neither_is_an_unknown_value(tenant, value):
    r = tenant.post(INST_P, mo("l3extInstP", targetDscp=value))
    assert error_of(r) == (400, "120", f"unknown property value {value}, name targetDscp, class l3extInstP "
                                       f"[(Dn0)] Dn0={INST_P}, ")


# --- filter entry port ranges --------------------------------------------------------------------------
def test_a_new_start_keeps_an_end_set_before(tenant):
    dn = f"{FILTER}/e-kept"
    tenant.post_ok(dn, mo("vzEntry", name="kept", etherT="ip", prot="tcp", sFromPort="1000", sToPort="2000",
                          dFromPort="80", dToPort="8080"))
    tenant.post_ok(dn, mo("vzEntry", sFromPort="1500", dFromPort="https"))
    got = attrs_of(tenant, dn)
    assert (got["sFromPort"], got["sToPort"], got["dFromPort"], got["dToPort"]) == ("1500", "2000", "https", "8080")


def test_a_new_start_moves_an_end_left_unspecified(tenant):
    dn = f"{FILTER}/e-moved"
    tenant.post_ok(dn, mo("vzEntry", name="moved", etherT="ip", prot="tcp"))
    tenant.post_ok(dn, mo("vzEntry", dFromPort="53"))
    got = attrs_of(tenant, dn)
    assert (got["dFromPort"], got["dToPort"], got["sFromPort"], got["sToPort"]) == (
        "dns", "dns", "unspecified", "unspecified")
    tenant.post_ok(dn, mo("vzEntry", sFromPort="25", sToPort="unspecified"))
    got = attrs_of(tenant, dn)
    assert (got["sFromPort"], got["sToPort"]) == ("smtp", "unspecified")  # an end given is kept as given


@pytest.mark.parametrize(("given", "answered"), [("65535", "65535"), ("00080", "80"), ("0", "unspecified"),
                                                 ("554", "rtsp"), ("110", "pop3")])
def test_a_destination_port_reads_back_as_the_apic_answers_it(tenant, given, answered):
    dn = f"{FILTER}/e-d{given}"
    tenant.post_ok(dn, mo("vzEntry", name=f"d{given}", etherT="ip", prot="tcp", dFromPort=given, dToPort=given))
    got = attrs_of(tenant, dn)
    assert (got["dFromPort"], got["dToPort"]) == (answered, answered)


@pytest.mark.parametrize(("given", "answered"), [("255", "255"), ("132", "sctp"), ("089", "ospfigp")])
def test_an_ip_protocol_at_the_top_of_its_range_or_by_number_with_zeros(tenant, given, answered):
    dn = f"{FILTER}/e-p{given}"
    tenant.post_ok(dn, mo("vzEntry", name=f"p{given}", etherT="ip", prot=given))
    assert attrs_of(tenant, dn)["prot"] == answered


# --- host protection rules -----------------------------------------------------------------------------
def test_host_protection_rule_ports_by_number_by_name_and_empty(tenant):
    dn = f"{HOST_SUBJ}/rule-r1"
    tenant.post_ok(dn, mo("hostprotRule", name="r1", direction="ingress", ethertype="ipv4", protocol="tcp",
                          fromPort="80", toPort="dns"))
    got = attrs_of(tenant, dn)
    assert (got["fromPort"], got["toPort"]) == ("http", "dns")
    tenant.post_ok(dn, mo("hostprotRule", fromPort="", toPort="1024"))
    got = attrs_of(tenant, dn)
    assert (got["fromPort"], got["toPort"]) == ("", "1024")


def test_a_host_protection_rule_refuses_a_to_port_past_the_range(tenant):
    dn = f"{HOST_SUBJ}/rule-r2"
    r = tenant.post(dn, mo("hostprotRule", name="r2", toPort="65536"))
    assert error_of(r) == (400, "120", f"unknown property value 65536, name toPort, class hostprotRule "
                                       f"[(Dn0)] Dn0={dn}, ")
    assert tenant.imdata(f"/api/mo/{dn}.json") == []


# --- uplink order --------------------------------------------------------------------------------------
def test_a_standby_list_emptied_with_no_active_list_fails_validation(tenant):
    tenant.post_ok(VMM_ATT, mo("fvRsDomAtt", [mo("fvUplinkOrderCont", standby="3,4")],
                               tDn="uni/vmmp-VMware/dom-vds"))
    r = tenant.post(UPLINKS, mo("fvUplinkOrderCont", standby=""))
    assert error_of(r) == (400, "801", f"property standby of {UPLINKS} failed validation for value ''")
    assert attrs_of(tenant, UPLINKS)["standby"] == "3,4"
    tenant.post_ok(UPLINKS, mo("fvUplinkOrderCont", active="1", standby=""))
    got = attrs_of(tenant, UPLINKS)
    assert (got["active"], got["standby"]) == ("1", "")


# --- enums ---------------------------------------------------------------------------------------------
def test_an_enum_takes_its_values_and_refuses_others_with_120(tenant):
    dn = "uni/tn-mutnorm/BD-b1"
    tenant.post_ok(dn, mo("fvBD", name="b1", arpFlood="yes"))
    assert attrs_of(tenant, dn)["arpFlood"] == "yes"
    r = tenant.post(dn, mo("fvBD", arpFlood="maybe"))
    assert error_of(r) == (400, "120", f"unknown property value maybe, name arpFlood, class fvBD [(Dn0)] Dn0={dn}, ")
    assert attrs_of(tenant, dn)["arpFlood"] == "yes"
