"""Well-known L4 ports answered by name, as a real APIC answers them.

The aci-containers controller names its desired ports before it compares them with the APIC's answers
(pkg/apicapi/apic_metadata.go portNormalizations: filter entries and host protection rules), and ansible-aci's
aci_filter_entry test reads the names back; a client that compares what it wrote with what it reads would
otherwise rewrite the object forever. Through REST (requests) and the real cisco.aci aci_filter_entry
(tests/ansible/port_names.yml).
"""

from __future__ import annotations

import pytest
from playbooks import ANSIBLE_DIR, PlaybookRun, run_on_fresh_lab
from rest_session import ApicRest

from simulator.lab import Lab, LabOptions

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

FILTER = "uni/tn-ports/flt-web"
HOST_SUBJ = "uni/tn-ports/pol-hpp/subj-s"
NAMED = {"0": "unspecified", "20": "ftpData", "25": "smtp", "53": "dns", "80": "http", "110": "pop3",
         "443": "https", "554": "rtsp"}


@pytest.fixture(scope="module")
def rest(tmp_path_factory):
    """One lab for the REST tests, with the tenant, a filter and a host protection subject."""
    lab = Lab(LabOptions(admin_password="secret"))
    srv = lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    api = ApicRest(srv.url)
    api.post_ok("uni/tn-ports", mo("fvTenant", [mo("vzFilter", name="web"), mo("hostprotPol", [
        mo("hostprotSubj", name="s")], name="hpp")], name="ports"))
    yield api
    lab.stop()


def mo(cls: str, children: list[dict] | None = None, **attrs: str) -> dict:
    body: dict = {"attributes": attrs}
    if children:
        body["children"] = children
    return {cls: body}


def attrs_of(rest: ApicRest, dn: str) -> dict[str, str]:
    [found] = rest.imdata(f"/api/mo/{dn}.json")
    return next(iter(found.values()))["attributes"]


def modified(rest: ApicRest, dn: str, body: dict) -> list[dict]:
    r = rest.http.post(f"{rest.url}/api/mo/{dn}.json?rsp-subtree=modified", json=body, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["imdata"]


@pytest.mark.parametrize(("number", "name"), sorted(NAMED.items()))
def test_a_well_known_filter_entry_port_is_answered_by_name(rest, number, name):
    dn = f"{FILTER}/e-p{number}"
    rest.post_ok(dn, mo("vzEntry", name=f"p{number}", etherT="ip", prot="tcp", sFromPort=number, sToPort=number,
                        dFromPort=number, dToPort=number))
    got = attrs_of(rest, dn)
    assert [got[p] for p in ("sFromPort", "sToPort", "dFromPort", "dToPort")] == [name] * 4
    assert modified(rest, dn, mo("vzEntry", dFromPort=name, dToPort=number)) == []


def test_a_port_without_a_name_stays_a_number_and_a_range_mixes_both(rest):
    dn = f"{FILTER}/e-range"
    rest.post_ok(dn, mo("vzEntry", name="range", etherT="ip", prot="tcp", dFromPort="80", dToPort="8080"))
    got = attrs_of(rest, dn)
    assert (got["dFromPort"], got["dToPort"]) == ("http", "8080")
    assert modified(rest, dn, mo("vzEntry", dFromPort="http", dToPort="8080")) == []


def test_a_start_alone_is_named_and_ends_where_it_starts(rest):
    dn = f"{FILTER}/e-start"
    rest.post_ok(dn, mo("vzEntry", name="start", etherT="ip", prot="tcp", dFromPort="443"))
    got = attrs_of(rest, dn)
    assert (got["dFromPort"], got["dToPort"]) == ("https", "https")


def test_a_filter_read_by_class_answers_the_names(rest):
    rest.post_ok(f"{FILTER}/e-dns", mo("vzEntry", name="dns", etherT="ip", prot="udp", dFromPort="53", dToPort="53"))
    found = rest.imdata("/api/class/vzEntry.json", **{"query-target-filter": 'eq(vzEntry.name,"dns")'})
    assert [(e["vzEntry"]["attributes"]["dFromPort"], e["vzEntry"]["attributes"]["prot"]) for e in found] == [
        ("dns", "udp")]


@pytest.mark.parametrize("port", ["HTTP", "Https", "ftp", "www"])
def test_a_name_the_apic_does_not_have_is_refused(rest, port):
    dn = f"{FILTER}/e-bad"
    r = rest.post(dn, mo("vzEntry", name="bad", dFromPort=port))
    err = r.json()["imdata"][0]["error"]["attributes"]
    assert (r.status_code, err["code"], err["text"]) == (
        400, "120", f"unknown property value {port}, name dFromPort, class vzEntry [(Dn0)] Dn0={dn}, ")
    assert rest.imdata(f"/api/mo/{dn}.json") == []


def test_a_host_protection_rule_port_is_answered_by_name(rest):
    dn = f"{HOST_SUBJ}/rule-web"
    rest.post_ok(dn, mo("hostprotRule", name="web", direction="ingress", ethertype="ipv4", protocol="tcp",
                        fromPort="443", toPort="8443"))
    got = attrs_of(rest, dn)
    assert (got["fromPort"], got["toPort"]) == ("https", "8443")
    assert modified(rest, dn, mo("hostprotRule", fromPort="https", toPort="8443")) == []


def test_a_host_protection_rule_refuses_a_port_that_is_not_one(rest):
    dn = f"{HOST_SUBJ}/rule-bad"
    r = rest.post(dn, mo("hostprotRule", name="bad", fromPort="webs"))
    err = r.json()["imdata"][0]["error"]["attributes"]
    assert (r.status_code, err["code"], err["text"]) == (
        400, "120", f"unknown property value webs, name fromPort, class hostprotRule [(Dn0)] Dn0={dn}, ")


# --- the real cisco.aci aci_filter_entry ----------------------------------------------------------------

@pytest.fixture(scope="module")
def run(tmp_path_factory) -> PlaybookRun:
    return run_on_fresh_lab(tmp_path_factory.mktemp("port_names"), "port_names", ANSIBLE_DIR / "port_names.yml")


def entry(run: PlaybookRun, task: str) -> dict[str, str]:
    return run.results[task]["current"][0]["vzEntry"]["attributes"]


@pytest.mark.slow
def test_aci_filter_entry_port_443_is_https_and_a_rerun_changes_nothing(run):
    run.assert_ok(["01", "02", "03", "04", "05"])
    assert run.results["02"]["changed"] is True, run.summary()
    assert (entry(run, "02")["dFromPort"], entry(run, "02")["dToPort"]) == ("https", "https")
    assert run.results["03"]["changed"] is False, run.summary()


@pytest.mark.slow
def test_aci_filter_entry_named_start_numbered_end_and_a_rerun_changes_nothing(run):
    assert run.results["04"]["changed"] is True, run.summary()
    assert (entry(run, "04")["dFromPort"], entry(run, "04")["dToPort"]) == ("http", "8443")
    assert run.results["05"]["changed"] is False, run.summary()
