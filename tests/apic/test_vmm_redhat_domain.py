"""A Red Hat VMM domain as a real APIC has it, built by the real cisco.aci modules and by one curl-style POST.

`tests/ansible/rhv_vmm_domain.yml` (cisco.aci 2.13.0, `vm_provider: redhat`) creates a dynamic VLAN pool
with a range, the domain `uni/vmmp-Redhat/dom-rhv_dom`, its VLAN pool binding (`infraRsVlanNs`), the
credential (`vmmUsrAccP`), the controller (`vmmCtrlrP` naming the lab's own RHV Manager, data center
`Default`, with `vmmRsAcc` to the credential; its port through aci_rest, since aci_vmm_controller has no
port parameter) and the AEP's `infraRsDomP`. The playbook runs twice against one lab: the first run
changes every task, the second only the credential, because the APIC never returns the secure `pwd`
(apic-rest.md §5: write-only) and the module therefore always sees a difference to post. The result is
read back over REST, as an engineer checks it.
"""

from __future__ import annotations

import pytest
import requests
from playbooks import ANSIBLE_DIR, run_playbook

from simulator.lab import Lab, LabOptions

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

PLAYBOOK = ANSIBLE_DIR / "rhv_vmm_domain.yml"
PASSWORD = "secret"
RHV_PASSWORD = "redhat123"
TASKS = ["01", "02", "03", "04", "05", "06", "07", "08", "09"]
DOMAIN = "uni/vmmp-Redhat/dom-rhv_dom"
POOL = "uni/infra/vlanns-[rhv_pool]-dynamic"


def _login(url: str) -> requests.Session:
    s = requests.Session()
    s.verify = False
    s.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=False
    r = s.post(f"{url}/api/aaaLogin.json",
               json={"aaaUser": {"attributes": {"name": "admin", "pwd": PASSWORD}}}, timeout=30)
    assert r.status_code == 200, r.text
    return s


def _attrs(s: requests.Session, url: str, dn: str, cls: str) -> dict:
    """The attributes of the one object at `dn`, which must be of class `cls`."""
    r = s.get(f"{url}/api/mo/{dn}.json", timeout=30)
    assert r.status_code == 200, f"GET {dn} -> {r.status_code} {r.text}"
    imdata = r.json()["imdata"]
    assert len(imdata) == 1 and cls in imdata[0], f"{dn}: {imdata}"
    return imdata[0][cls]["attributes"]


@pytest.fixture(scope="module")
def lab_runs(tmp_path_factory):
    """An HTTPS APIC and the lab's RHV Manager on its own port; the playbook run twice."""
    tmp_path = tmp_path_factory.mktemp("rhv-vmm")
    lab = Lab(LabOptions(admin_password=PASSWORD, rhv_admin_password=RHV_PASSWORD))
    apic = lab.start(tls_dir=tmp_path / "tls")
    rhv = lab.start_rhv(tls_dir=tmp_path / "tls-rhv")
    try:
        extra = {"aci_port": apic.port, "rhv_host": rhv.host, "rhv_port": rhv.port, "rhv_password": RHV_PASSWORD}
        first = run_playbook(tmp_path, "run1", PLAYBOOK, extra)
        second = run_playbook(tmp_path, "run2", PLAYBOOK, extra)
        yield apic, rhv, first, second
    finally:
        lab.stop()


def test_first_run_changes_every_task(lab_runs):
    _, _, first, _ = lab_runs
    first.assert_ok(TASKS)
    assert first.changed() == set(TASKS), first.summary()
    sent = first.results["06"]["sent"]["vmmCtrlrP"]
    assert sent["attributes"]["scope"] == "rhev", first.summary()
    assert sent["children"] == [{"vmmRsAcc": {"attributes": {"tDn": f"{DOMAIN}/usracc-rhv_cred"}}}]


def test_second_run_changes_only_the_credential(lab_runs):
    _, _, first, second = lab_runs
    first.assert_ok(TASKS)
    second.assert_ok(TASKS)
    assert second.changed() == {"05"}, second.summary()
    assert second.results["05"]["sent"] == {"vmmUsrAccP": {"attributes": {"pwd": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}}}


def test_the_domain_reads_back_over_rest(lab_runs):
    apic, rhv, first, second = lab_runs
    first.assert_ok(TASKS)
    second.assert_ok(TASKS)
    s = _login(apic.url)

    assert _attrs(s, apic.url, "uni/vmmp-Redhat", "vmmProvP")["vendor"] == "Redhat"
    dom = _attrs(s, apic.url, DOMAIN, "vmmDomP")
    assert dom["name"] == "rhv_dom"
    assert _attrs(s, apic.url, POOL, "fvnsVlanInstP")["allocMode"] == "dynamic"
    blk = _attrs(s, apic.url, f"{POOL}/from-[vlan-1000]-to-[vlan-1099]", "fvnsEncapBlk")
    assert (blk["from"], blk["to"]) == ("vlan-1000", "vlan-1099")

    rsvlan = _attrs(s, apic.url, f"{DOMAIN}/rsvlanNs", "infraRsVlanNs")
    assert rsvlan["tDn"] == POOL
    assert rsvlan["state"] == "formed"

    ctrlr = _attrs(s, apic.url, f"{DOMAIN}/ctrlr-rhvm", "vmmCtrlrP")
    assert (ctrlr["hostOrIp"], ctrlr["port"], ctrlr["rootContName"]) == (rhv.host, str(rhv.port), "Default")
    assert ctrlr["scope"] == "rhev"

    acc = _attrs(s, apic.url, f"{DOMAIN}/usracc-rhv_cred", "vmmUsrAccP")
    assert acc["usr"] == "admin@internal"
    assert acc.get("pwd", "") == ""  # write-only: never read back
    rsacc = _attrs(s, apic.url, f"{DOMAIN}/ctrlr-rhvm/rsacc", "vmmRsAcc")
    assert rsacc["tDn"] == f"{DOMAIN}/usracc-rhv_cred"
    assert rsacc["state"] == "formed"

    rsdom = _attrs(s, apic.url, f"uni/infra/attentp-rhv_aep/rsdomP-[{DOMAIN}]", "infraRsDomP")
    assert rsdom["tDn"] == DOMAIN
    assert rsdom["tCl"] == "vmmDomP"
    assert rsdom["state"] == "formed"


def test_one_curl_style_post_creates_the_same_domain(lab_runs):
    """What an engineer posts with curl: the pool, the domain with its binding, credential and controller,
    and the AEP's binding, in one body at uni; mode rhev as the APIC GUI sets it (inferred,
    vmm-endpoints-contracts.md A1)."""
    apic, rhv, _, _ = lab_runs
    s = _login(apic.url)
    dom_dn = "uni/vmmp-Redhat/dom-rhv_curl"
    pool_dn = "uni/infra/vlanns-[rhv_curl_pool]-dynamic"
    body = {"polUni": {"attributes": {}, "children": [
        {"infraInfra": {"attributes": {}, "children": [
            {"fvnsVlanInstP": {"attributes": {"name": "rhv_curl_pool", "allocMode": "dynamic"}, "children": [
                {"fvnsEncapBlk": {"attributes": {"from": "vlan-2000", "to": "vlan-2099"}}}]}},
            {"infraAttEntityP": {"attributes": {"name": "rhv_curl_aep"}, "children": [
                {"infraRsDomP": {"attributes": {"tDn": dom_dn}}}]}}]}},
        {"vmmProvP": {"attributes": {"vendor": "Redhat"}, "children": [
            {"vmmDomP": {"attributes": {"name": "rhv_curl", "mode": "rhev"}, "children": [
                {"infraRsVlanNs": {"attributes": {"tDn": pool_dn}}},
                {"vmmUsrAccP": {"attributes": {"name": "cred", "usr": "admin@internal", "pwd": RHV_PASSWORD}}},
                {"vmmCtrlrP": {"attributes": {"name": "rhvm", "hostOrIp": rhv.host, "port": str(rhv.port),
                                              "rootContName": "Default", "mode": "rhev", "scope": "rhev"},
                               "children": [{"vmmRsAcc": {"attributes": {"tDn": f"{dom_dn}/usracc-cred"}}}]}}]}}]}}]}}
    r = s.post(f"{apic.url}/api/mo/uni.json", json=body, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {"totalCount": "0", "imdata": []}

    assert _attrs(s, apic.url, dom_dn, "vmmDomP")["mode"] == "rhev"
    assert _attrs(s, apic.url, f"{dom_dn}/rsvlanNs", "infraRsVlanNs")["state"] == "formed"
    ctrlr = _attrs(s, apic.url, f"{dom_dn}/ctrlr-rhvm", "vmmCtrlrP")
    assert (ctrlr["hostOrIp"], ctrlr["port"], ctrlr["rootContName"], ctrlr["mode"], ctrlr["scope"]) == (
        rhv.host, str(rhv.port), "Default", "rhev", "rhev")
    assert _attrs(s, apic.url, f"{dom_dn}/ctrlr-rhvm/rsacc", "vmmRsAcc")["state"] == "formed"
    assert _attrs(s, apic.url, f"uni/infra/attentp-rhv_curl_aep/rsdomP-[{dom_dn}]", "infraRsDomP")["tCl"] == "vmmDomP"
