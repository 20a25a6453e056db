"""The APIC's own value rules, seen through the REST API as a client sees them: what a write stores is
what a real APIC answers for it (bitmask lists sorted, filter entry port ranges completed, bracketed
naming values bare), what it refuses is refused with the APIC's code and text.

Facts and their sources are in simulator/apic/mit/normalise.py; the answers asserted here are the ones
ansible-aci's integration tests recorded from real APICs.
"""

from __future__ import annotations

import pytest
from rest_session import ApicRest

from simulator.apic.errors import ApicError
from simulator.apic.mit.catalog import default_catalog
from simulator.apic.mit.normalise import ZERO_FLAGS, checked_value

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

EPG = "uni/tn-norm/ap-ap/epg-web"
VMM_ATT = f"{EPG}/rsdomAtt-[uni/vmmp-VMware/dom-vds]"
UPLINKS = f"{VMM_ATT}/uplinkorder"


def attrs_of(rest: ApicRest, dn: str) -> dict[str, str]:
    [mo] = rest.imdata(f"/api/mo/{dn}.json")
    return next(iter(mo.values()))["attributes"]


def error_of(response) -> tuple[int, str, str]:
    err = response.json()["imdata"][0]["error"]["attributes"]
    return response.status_code, err["code"], err["text"]


def modified(rest: ApicRest, dn: str, body: dict) -> list[dict]:
    r = rest.http.post(f"{rest.url}/api/mo/{dn}.json?rsp-subtree=modified", json=body, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["imdata"]


def mo(cls: str, children: list[dict] | None = None, **attrs: str) -> dict:
    body: dict = {"attributes": attrs}
    if children:
        body["children"] = children
    return {cls: body}


# --- bitmasks ---------------------------------------------------------------------------------------
def test_bitmask_list_is_stored_sorted_without_repeats(rest):
    dn = "uni/tn-bits/out-o/instP-ext/extsubnet-[10.0.0.0/8]"
    rest.post_ok(dn, mo("l3extSubnet", ip="10.0.0.0/8", scope="import-security,export-rtctrl,import-security"))
    assert attrs_of(rest, dn)["scope"] == "export-rtctrl,import-security"
    # the same flags in another order, with spaces, change nothing
    assert modified(rest, dn, mo("l3extSubnet", scope=" import-security , export-rtctrl")) == []


def test_bd_subnet_control_answers_as_recorded(rest):
    """aci_bd_subnet's recorded answers: all three controls, then unspecified alone, which sets no bit."""
    dn = "uni/tn-bits/BD-bd/subnet-[10.1.1.1/24]"
    rest.post_ok(dn, mo("fvSubnet", ip="10.1.1.1/24", ctrl="querier,nd,no-default-gateway", scope="shared,private"))
    got = attrs_of(rest, dn)
    assert (got["ctrl"], got["scope"]) == ("nd,no-default-gateway,querier", "private,shared")
    rest.post_ok(dn, mo("fvSubnet", ctrl="unspecified"))
    assert attrs_of(rest, dn)["ctrl"] == ""
    rest.post_ok(dn, mo("fvSubnet", ctrl="unspecified,querier"))
    assert attrs_of(rest, dn)["ctrl"] == "querier"


def test_unknown_flag_is_refused_with_120(rest):
    dn = "uni/tn-bits/BD-bd2/subnet-[10.2.2.1/24]"
    r = rest.post(dn, mo("fvSubnet", ip="10.2.2.1/24", scope="private,galactic"))
    assert error_of(r) == (
        400, "120", f"unknown property value private,galactic, name scope, class fvSubnet [(Dn0)] Dn0={dn}, ")
    assert rest.imdata(f"/api/mo/{dn}.json") == []


def test_zero_flag_shown_by_name_where_it_is_the_default(rest):
    """stpIfPol.ctrl's zero value is shown as "unspecified" (its meta default), so a cleared list reads so."""
    dn = "uni/infra/ifPol-stp"
    rest.post_ok(dn, mo("stpIfPol", name="stp", ctrl="bpdu-guard,bpdu-filter"))
    assert attrs_of(rest, dn)["ctrl"] == "bpdu-filter,bpdu-guard"
    rest.post_ok(dn, mo("stpIfPol", ctrl=""))
    assert attrs_of(rest, dn)["ctrl"] == "unspecified"


def test_overlay_bitmask_bgp_peer_controls(rest):
    dn = "uni/tn-bits/out-o/lnodep-n/peerP-[10.9.9.9]"
    rest.post_ok(dn, mo("bgpPeerP", addr="10.9.9.9", ctrl="send-ext-com,nh-self,send-com", addrTCtrl="af-ucast,af-mcast"))
    got = attrs_of(rest, dn)
    assert (got["ctrl"], got["addrTCtrl"]) == ("nh-self,send-com,send-ext-com", "af-mcast,af-ucast")


CONFIG_BITMASKS = sorted(
    (meta.name, spec.name)
    for meta in default_catalog().classes.values()
    for spec in meta.props.values()
    if spec.kind == "bitmask" and spec.access in ("config", "create-only")
    and any(v and v not in ZERO_FLAGS for v in spec.values)
)


@pytest.mark.parametrize(("cls", "prop"), CONFIG_BITMASKS)
def test_every_catalog_bitmask_takes_a_list_in_any_order(cls, prop):
    spec = default_catalog().get(cls).props[prop]
    flags = [v for v in spec.values if v and v not in ZERO_FLAGS]
    given = ",".join([*reversed(flags), flags[0]])
    assert checked_value(spec, given, cls, "uni/x") == ",".join(sorted(flags))
    with pytest.raises(ApicError) as err:
        checked_value(spec, f"{flags[0]},no-such-flag", cls, "uni/x")
    assert err.value.code == "120"


# --- filter entries -----------------------------------------------------------------------------------
FILTER = "uni/tn-flt/flt-f"


def test_filter_entry_port_start_alone_sets_the_end(rest):
    """aci_filter_entry's recorded answer: source_port_start 20 (sent as ftpData) alone reads back ftpData to
    ftpData."""
    rest.post_ok(f"{FILTER}/e-src", mo("vzEntry", name="src", etherT="ip", prot="tcp", sFromPort="ftpData"))
    got = attrs_of(rest, f"{FILTER}/e-src")
    assert (got["sFromPort"], got["sToPort"], got["dFromPort"], got["dToPort"]) == (
        "ftpData", "ftpData", "unspecified", "unspecified")
    rest.post_ok(f"{FILTER}/e-dst", mo("vzEntry", name="dst", etherT="ip", prot="tcp", dFromPort="8080"))
    got = attrs_of(rest, f"{FILTER}/e-dst")
    assert (got["dFromPort"], got["dToPort"]) == ("8080", "8080")


def test_filter_entry_ports_by_name_or_number(rest):
    dn = f"{FILTER}/e-range"
    rest.post_ok(dn, mo("vzEntry", name="range", etherT="ip", prot="tcp", sFromPort="ftpData", sToPort="23",
                        dFromPort="https", dToPort="0443"))
    got = attrs_of(rest, dn)
    assert (got["sFromPort"], got["sToPort"], got["dFromPort"], got["dToPort"]) == ("ftpData", "23", "https", "443")
    assert modified(rest, dn, mo("vzEntry", sToPort="023")) == []
    rest.post_ok(dn, mo("vzEntry", sFromPort="0", sToPort="unspecified"))
    got = attrs_of(rest, dn)
    assert (got["sFromPort"], got["sToPort"]) == ("unspecified", "unspecified")


def test_filter_entry_protocol_numbers_answered_by_name(rest):
    for number, name in (("6", "tcp"), ("17", "udp"), ("0", "unspecified"), ("50", "50")):
        rest.post_ok(f"{FILTER}/e-p{number}", mo("vzEntry", name=f"p{number}", etherT="ip", prot=number))
        assert attrs_of(rest, f"{FILTER}/e-p{number}")["prot"] == name
    dn = f"{FILTER}/e-pbad"
    r = rest.post(dn, mo("vzEntry", name="pbad", etherT="ip", prot="quic"))
    assert error_of(r) == (400, "120", f"unknown property value quic, name prot, class vzEntry [(Dn0)] Dn0={dn}, ")


@pytest.mark.parametrize("port", ["www", "65536", "-1"])
def test_filter_entry_bad_port_is_refused(rest, port):
    dn = f"{FILTER}/e-bad"
    r = rest.post(dn, mo("vzEntry", name="bad", dFromPort=port))
    assert error_of(r) == (400, "120", f"unknown property value {port}, name dFromPort, class vzEntry [(Dn0)] Dn0={dn}, ")


# --- uplink order -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def uplinks(rest):
    rest.post_ok(VMM_ATT, mo("fvRsDomAtt", [mo("fvUplinkOrderCont", active="1,2", standby="3,4")],
                             tDn="uni/vmmp-VMware/dom-vds"))
    return rest


def test_uplink_order_lists_kept_in_their_order(uplinks):
    uplinks.post_ok(UPLINKS, mo("fvUplinkOrderCont", active="2,1"))
    got = attrs_of(uplinks, UPLINKS)
    assert (got["active"], got["standby"]) == ("2,1", "3,4")


@pytest.mark.parametrize(("change", "text"), [
    ({"standby": "2,5"}, "Invalid Configuration. Uplink Id entered more than once or delimiter was  misused."),
    ({"active": "1,1"}, "Invalid Configuration. Uplink Id entered more than once or delimiter was  misused."),
    ({"active": "1,,2"}, "Invalid Configuration. Uplink Id entered more than once or delimiter was  misused."),
    ({"active": "33"}, "Invalid Configuration. Uplink Id can not be higher than 32."),
])
def test_uplink_order_refusals_are_error_120(uplinks, change, text):
    before = attrs_of(uplinks, UPLINKS)
    assert error_of(uplinks.post(UPLINKS, mo("fvUplinkOrderCont", **change))) == (400, "120", text)
    assert attrs_of(uplinks, UPLINKS) == before


@pytest.mark.parametrize("active", ["", "testing"])
def test_uplink_order_bad_active_list_fails_validation(uplinks, active):
    r = uplinks.post(UPLINKS, mo("fvUplinkOrderCont", active=active))
    assert error_of(r) == (400, "801", f"property active of {UPLINKS} failed validation for value '{active}'")


def test_uplink_32_is_the_highest(uplinks):
    uplinks.post_ok(UPLINKS, mo("fvUplinkOrderCont", active="32", standby=""))
    got = attrs_of(uplinks, UPLINKS)
    assert (got["active"], got["standby"]) == ("32", "")


# --- DNs -----------------------------------------------------------------------------------------------
def test_bracketed_naming_value_is_the_bare_one(rest):
    rest.post_ok("uni/tn-[brk_tn]", mo("fvTenant", [mo("fvAp", rn="ap-[brk_ap]")], dn="uni/tn-[brk_tn]",
                                       name="brk_tn"))
    assert attrs_of(rest, "uni/tn-brk_tn")["dn"] == "uni/tn-brk_tn"
    assert attrs_of(rest, "uni/tn-[brk_tn]")["dn"] == "uni/tn-brk_tn"
    assert attrs_of(rest, "uni/tn-[brk_tn]/ap-[brk_ap]")["dn"] == "uni/tn-brk_tn/ap-brk_ap"
    scoped = rest.imdata("/api/class/uni/tn-[brk_tn]/fvAp.json")
    assert [m["fvAp"]["attributes"]["dn"] for m in scoped] == ["uni/tn-brk_tn/ap-brk_ap"]
    rest.delete_ok("uni/tn-[brk_tn]")
    assert rest.imdata("/api/mo/uni/tn-brk_tn.json") == []


def test_value_that_needs_its_brackets_keeps_them(rest):
    dn = "uni/tn-brk2/ap-ap/epg-e/rsdomAtt-[uni/phys-p]"
    rest.post_ok(dn, mo("fvRsDomAtt", tDn="uni/phys-p"))
    assert attrs_of(rest, dn)["dn"] == dn
    r = rest.post("uni/tn-[a/b]", mo("fvTenant", name="a/b"))
    assert r.status_code == 400
    assert rest.imdata("/api/mo/uni/tn-a/b.json") == []


# --- query string ----------------------------------------------------------------------------------------
def test_page_none_is_the_first_page(rest):
    for name in ("pg1", "pg2"):
        rest.post_ok(f"uni/tn-{name}", mo("fvTenant", name=name))
    r = rest.http.get(f"{rest.url}/api/class/uni/fvTenant.json?page=None&page-size=1", timeout=30)
    first = rest.imdata("/api/class/uni/fvTenant.json", **{"page": "0", "page-size": "1"})
    assert r.status_code == 200, r.text
    assert r.json()["imdata"] == first
    assert int(r.json()["totalCount"]) >= 5


# --- class facts --------------------------------------------------------------------------------------------
def test_tag_has_no_annotation(rest):
    dn = "uni/tn-tagged/tagKey-owner"
    rest.post_ok(dn, mo("tagTag", key="owner", value="ops"))
    assert "annotation" not in attrs_of(rest, dn)
    r = rest.post(dn, mo("tagTag", annotation="orchestrator:ansible"))
    assert error_of(r) == (400, "400", "unknown attribute 'annotation' in element 'tagTag'")


def test_clearing_password_history_is_an_action(rest):
    dn = "uni/userext/user-norm_user"
    rest.post_ok(dn, mo("aaaUser", name="norm_user", pwd="Secret-123!"))
    assert modified(rest, dn, mo("aaaUser", clearPwdHistory="yes")) == []
    assert attrs_of(rest, dn)["clearPwdHistory"] == "no"


# --- rsp-subtree=modified --------------------------------------------------------------------------------------
def test_modified_reply_top_object_has_empty_rn(rest):
    body = mo("fvTenant", [mo("fvAp", [mo("fvAEPg", name="usge_epg")], name="ap1")], name="mod_tn",
              descr="Ansible test tenant")
    [created] = modified(rest, "uni/tn-mod_tn", body)
    top = created["fvTenant"]
    assert (top["attributes"]["dn"], top["attributes"]["rn"], top["attributes"]["status"]) == (
        "uni/tn-mod_tn", "", "created")
    ap = next(c["fvAp"] for c in top["children"] if "fvAp" in c)
    assert (ap["attributes"]["rn"], ap["attributes"]["status"]) == ("ap-ap1", "created")
    assert "dn" not in ap["attributes"]
    r = rest.http.delete(f"{rest.url}/api/mo/uni/tn-mod_tn.json?rsp-subtree=modified", timeout=30)
    gone = r.json()["imdata"][0]["fvTenant"]["attributes"]
    assert (gone["dn"], gone["rn"], gone["status"]) == ("uni/tn-mod_tn", "", "deleted")
    assert (gone["name"], gone["descr"]) == ("mod_tn", "Ansible test tenant")
