"""The real cisco.aci Ansible modules (ansible 12.3.0 → cisco.aci 2.13.0) against the simulator.

`tests/ansible/aci_playbook.yml` holds the 17 tasks of the recorded trace playbook
(/work/shared/research/traces/ansible-aci-playbook.yml), plus two repeat checks ("13b", "17b").
It runs twice as a subprocess, with the `ansible.posix.json` stdout callback, against a fresh
HTTPS lab; then the resulting APIC state is read back over REST. A short HTTP run (tasks tagged
`smoke`) covers `use_ssl: false`.

Expected `changed` per task (apic-rest.md §6.1: the modules diff the config-only GET against what
they propose and only POST when something differs; aci_rest derives `changed` from the statuses in
the `rsp-subtree=modified` reply, §3.3):

* first run: every create reports changed; 02 and 10 (repeats) do not; 14/15 are queries.
* second run: nothing changes, except 13 and 17. Task 17 of the first run deletes rest_tn, so
  task 13 of the second run really creates it again (changed) and task 17 really deletes it again
  (changed): the playbook is not idempotent there by construction. The no-op cases those two
  tasks were meant to exercise are checked by 13b (re-POST of an existing tenant through aci_rest
  → the simulator's `rsp-subtree=modified` reply is empty → changed=false) and 17b (absent on an
  already-absent tenant → no DELETE → changed=false), on both runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from playbooks import ANSIBLE_DIR, PlaybookRun, run_playbook

from simulator.lab import Lab, LabOptions
from simulator.tls import self_signed

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

PLAYBOOK = ANSIBLE_DIR / "aci_playbook.yml"
PASSWORD = "secret"
CERT_DN = "uni/userext/user-admin/usercert-admin"

TASKS = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
         "13", "13b", "14", "15", "16", "17", "17b"]
CHANGED_FIRST_RUN = {"01", "03", "04", "05", "06", "07", "08", "09", "11", "12", "13", "16", "17"}
CHANGED_SECOND_RUN = {"13", "17"}  # rest_tn is created by 13 and deleted by 17 on every run (see above)


# --- helpers --------------------------------------------------------------------------------------


def _rest_session() -> requests.Session:
    s = requests.Session()
    s.verify = False
    s.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=False
    return s


def _login(url: str) -> requests.Session:
    s = _rest_session()
    r = s.post(f"{url}/api/aaaLogin.json",
               json={"aaaUser": {"attributes": {"name": "admin", "pwd": PASSWORD}}}, timeout=30)
    assert r.status_code == 200, r.text
    return s


def _imdata(s: requests.Session, url: str, path: str) -> list[dict]:
    r = s.get(url + path, timeout=30)
    assert r.status_code == 200, f"GET {path} -> {r.status_code} {r.text}"
    return r.json()["imdata"]


def _make_key_and_cert(directory: Path) -> tuple[Path, str]:
    """An RSA key (written as admin.key: cisco.aci derives certificate_name 'admin' from it) and a
    self-signed X.509 certificate for it, as PEM text."""
    key, cert = self_signed("admin")
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / "admin.key"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                          serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return key_path, cert.public_bytes(serialization.Encoding.PEM).decode()


def _register_certificate(url: str, pem: str) -> None:
    """What an admin does before using signature auth: add an aaaUserCert to the user."""
    s = _login(url)
    r = s.post(f"{url}/api/mo/{CERT_DN}.json",
               json={"aaaUserCert": {"attributes": {"name": "admin", "data": pem}}}, timeout=30)
    assert r.status_code == 200, f"registering the certificate failed: {r.status_code} {r.text}"
    [mo] = _imdata(s, url, f"/api/mo/{CERT_DN}.json")
    attrs = mo["aaaUserCert"]["attributes"]
    assert attrs["dn"] == CERT_DN
    assert attrs["name"] == "admin"
    assert attrs["data"].strip() == pem.strip()


def run_aci_playbook(tmp_path: Path, run_name: str, port: int, use_ssl: bool, key_path: Path,
                     tags: str | None = None) -> PlaybookRun:
    extra = {"aci_port": port, "aci_use_ssl": use_ssl, "aci_private_key": str(key_path)}
    return run_playbook(tmp_path, run_name, PLAYBOOK, extra, tags)


def _child(children: list[dict], cls: str, **attrs: str) -> dict:
    """The attributes of the one nested child of class `cls` whose attributes include `attrs`."""
    found = [c[cls]["attributes"] for c in children if cls in c
             and all(c[cls]["attributes"].get(k) == v for k, v in attrs.items())]
    assert len(found) == 1, f"expected one {cls} {attrs} among {json.dumps(children)}"
    return found[0]


# --- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """A fresh HTTPS lab, the admin's certificate registered, the playbook run twice."""
    tmp_path = tmp_path_factory.mktemp("ansible")
    lab = Lab(LabOptions(admin_password=PASSWORD))
    srv = lab.start(tls_dir=tmp_path / "tls")
    try:
        assert srv.scheme == "https"
        key_path, pem = _make_key_and_cert(tmp_path / "pki")
        _register_certificate(srv.url, pem)
        first = run_aci_playbook(tmp_path, "run1", srv.port, True, key_path)
        second = run_aci_playbook(tmp_path, "run2", srv.port, True, key_path)
        yield srv, first, second
    finally:
        lab.stop()


@pytest.fixture
def http_lab(tmp_path):
    lab = Lab(LabOptions(admin_password=PASSWORD))
    srv = lab.start(tls=False)
    yield srv
    lab.stop()


# --- tests ----------------------------------------------------------------------------------------
def test_first_run_creates_everything(two_runs):
    _, first, _ = two_runs
    first.assert_ok(TASKS)
    assert first.changed() == CHANGED_FIRST_RUN, first.summary()
    r = first.results
    assert r["01"]["changed"] is True
    assert r["02"]["changed"] is False
    assert r["10"]["changed"] is False
    assert r["13"]["changed"] is True
    assert r["16"]["changed"] is True
    # aci_rest's reply is the rsp-subtree=modified tree: the new tenant with status "created"
    assert r["13"]["imdata"][0]["fvTenant"]["attributes"]["status"] == "created", first.summary()
    assert r["13b"]["imdata"] == [], first.summary()
    # what the modules proposed matches the recorded trace (apic-rest.md §6.1)
    assert r["07"]["sent"]["fvRsDomAtt"]["attributes"]["encap"] == "vlan-100"
    assert r["09"]["sent"]["fvRsDomAtt"]["children"][0]["vmmSecP"]["attributes"] == {
        "allowPromiscuous": "reject", "forgedTransmits": "reject", "macChanges": "reject"}
    # the signed task read and returned the tenant it created
    assert r["16"]["current"][0]["fvTenant"]["attributes"]["name"] == "sig_tn", first.summary()
    # state=query, all tenants: the class query returns the built-in tenants as well
    names = {t["fvTenant"]["attributes"]["name"] for t in r["14"]["current"]}
    assert {"common", "infra", "mgmt", "k8s_tn", "rest_tn"} <= names, names


def test_second_run_changes_nothing(two_runs):
    _, first, second = two_runs
    first.assert_ok(TASKS)
    second.assert_ok(TASKS)
    assert second.changed() == CHANGED_SECOND_RUN, second.summary()
    for key in ("13b", "17b"):
        assert second.results[key]["changed"] is False, second.summary()
    assert second.results["13b"]["imdata"] == [], second.summary()


def test_resulting_apic_state(two_runs):
    srv, first, second = two_runs
    first.assert_ok(TASKS)
    second.assert_ok(TASKS)
    s = _login(srv.url)
    url = srv.url

    [tenant] = _imdata(s, url, "/api/mo/uni/tn-k8s_tn.json")
    assert tenant["fvTenant"]["attributes"]["descr"] == "simulator trace"
    assert tenant["fvTenant"]["attributes"]["annotation"] == "orchestrator:ansible"

    # BD bd1 -> vrf1, which was never created: the named relation stays unresolved
    [bd] = _imdata(s, url, "/api/mo/uni/tn-k8s_tn/BD-bd1.json?rsp-subtree=children&rsp-subtree-class=fvRsCtx")
    rsctx = _child(bd["fvBD"]["children"], "fvRsCtx")
    assert rsctx["tnFvCtxName"] == "vrf1"
    assert rsctx["state"] == "missing-target"
    assert _imdata(s, url, "/api/mo/uni/tn-k8s_tn/ctx-vrf1.json") == []

    # EPG epg1 -> bd1 (formed), -> phys1 with vlan-100, -> Kubernetes domain kube1 with vmmSecP
    [epg] = _imdata(s, url, "/api/mo/uni/tn-k8s_tn/ap-ap1/epg-epg1.json?rsp-subtree=full")
    children = epg["fvAEPg"]["children"]
    rsbd = _child(children, "fvRsBd")
    assert rsbd["tnFvBDName"] == "bd1"
    assert rsbd["state"] == "formed"
    assert rsbd["tDn"] == "uni/tn-k8s_tn/BD-bd1"
    phys = _child(children, "fvRsDomAtt", tDn="uni/phys-phys1")
    assert phys["rn"] == "rsdomAtt-[uni/phys-phys1]"
    assert phys["encap"] == "vlan-100"
    assert phys["instrImedcy"] == "immediate" and phys["resImedcy"] == "immediate"
    assert phys["state"] == "formed" and phys["tCl"] == "physDomP"
    [kube] = [c["fvRsDomAtt"] for c in children
              if "fvRsDomAtt" in c and c["fvRsDomAtt"]["attributes"]["tDn"] == "uni/vmmp-Kubernetes/dom-kube1"]
    assert kube["attributes"]["state"] == "formed" and kube["attributes"]["tCl"] == "vmmDomP"
    sec = _child(kube.get("children", []), "vmmSecP")
    assert (sec["allowPromiscuous"], sec["forgedTransmits"], sec["macChanges"]) == ("reject",) * 3

    assert len(_imdata(s, url, "/api/mo/uni/phys-phys1.json")) == 1
    assert len(_imdata(s, url, "/api/mo/uni/vmmp-Kubernetes/dom-kube1.json")) == 1

    # AEP aep1 -> Redhat VMM domain rhv1 (never created)
    [aep] = _imdata(s, url, "/api/mo/uni/infra/attentp-aep1.json?rsp-subtree=children&rsp-subtree-class=infraRsDomP")
    rsdomp = _child(aep["infraAttEntityP"]["children"], "infraRsDomP")
    assert rsdomp["tDn"] == "uni/vmmp-Redhat/dom-rhv1"
    assert rsdomp["rn"] == "rsdomP-[uni/vmmp-Redhat/dom-rhv1]"
    assert rsdomp["state"] == "missing-target"

    # rest_tn deleted by task 17, sig_tn created through signature auth
    assert _imdata(s, url, "/api/mo/uni/tn-rest_tn.json") == []
    [sig] = _imdata(s, url, "/api/mo/uni/tn-sig_tn.json")
    assert sig["fvTenant"]["attributes"]["annotation"] == "orchestrator:ansible"


def test_plain_http_lab(http_lab, tmp_path):
    """`use_ssl: false` against an HTTP lab: the two `smoke` tasks (create, then idempotent repeat)."""
    assert http_lab.scheme == "http"
    run = run_aci_playbook(tmp_path, "http", http_lab.port, False, tmp_path / "unused.key", tags="smoke")
    run.assert_ok(["01", "02"])
    assert run.changed() == {"01"}, run.summary()
    s = _login(http_lab.url)
    [tenant] = _imdata(s, http_lab.url, "/api/mo/uni/tn-k8s_tn.json")
    assert tenant["fvTenant"]["attributes"]["descr"] == "simulator trace"
