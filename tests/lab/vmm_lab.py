"""A lab with the APIC and the RHV Manager served over HTTP, and the calls the Red Hat VMM tests make
through the interfaces users have: requests for the APIC's REST API and /_sim, the real ovirtsdk4 for RHV."""

from __future__ import annotations

from contextlib import contextmanager

import ovirtsdk4 as sdk
import pytest
import requests

from simulator.adapters.ovirt_client import OvirtInventorySource
from simulator.apic.managers.vmm_ports import ControllerEndpoint
from simulator.clock import ManualClock
from simulator.lab import Lab, LabOptions

START = 1_800_000_000.0
DOMAIN = "uni/vmmp-Redhat/dom-rhv"
CTRLR = f"{DOMAIN}/ctrlr-engine"
INVENTORY = "comp/prov-Redhat/ctrlr-[rhv]-engine"
RESYNC = 60  # RedhatVmmSettings defaults: a full resync every 60 s of lab time, an event poll every 10 s
EVENT_POLL = 10


@contextmanager
def served_lab(options: LabOptions | None = None, rhv_port: int = 0):
    """A lab (the default one, or `options`' with admin password "secret") serving its APIC and RHV Manager
    over HTTP on a manual clock: (an APIC session logged in as admin, the APIC's URL, the RHV server)."""
    lab = Lab(options or LabOptions(admin_password="secret"), clock=ManualClock(START))
    try:
        apic = lab.start(tls=False)
        rhv = lab.start_rhv(tls=False, port=rhv_port)
        session = requests.Session()
        session.trust_env = False
        # the admin's own credentials for /_sim, which outlive the APIC-cookie a clock move expires
        session.auth = (lab.options.admin_user, lab.options.admin_password)
        login = {"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}
        r = session.post(f"{apic.url}/api/aaaLogin.json", json=login)
        assert r.status_code == 200, r.text
        yield session, apic.url, rhv
    finally:
        lab.stop()


@pytest.fixture
def lab_apic_rhv():
    with served_lab() as served:
        yield served


def post(s: requests.Session, url: str, dn: str, body: dict) -> None:
    r = s.post(f"{url}/api/mo/{dn}.json", json=body)
    assert r.status_code == 200, r.text


def domain(s: requests.Session, url: str, rhv, password: str = "redhat123") -> None:
    body = {"vmmDomP": {"attributes": {"name": "rhv"}, "children": [
        {"vmmUsrAccP": {"attributes": {"name": "cred", "usr": "admin@internal", "pwd": password}}},
        {"vmmCtrlrP": {"attributes": {"name": "engine", "hostOrIp": "127.0.0.1", "port": str(rhv.port),
                                      "rootContName": "Default", "scope": "rhev"},
                       "children": [{"vmmRsAcc": {"attributes": {"tDn": f"{DOMAIN}/usracc-cred"}}}]}}]}}
    post(s, url, DOMAIN, body)


def advance(s: requests.Session, url: str, seconds: float) -> None:
    r = s.post(f"{url}/_sim/clock/advance", json={"seconds": seconds})
    assert r.status_code == 200, r.text


def get(s: requests.Session, url: str, path: str, **params: str) -> list[dict]:
    r = s.get(f"{url}{path}", params=params)
    assert r.status_code == 200, r.text
    return r.json()["imdata"]


def controller(s, url, **params) -> dict:
    (mo,) = get(s, url, f"/api/mo/{INVENTORY}.json", **params)
    return mo["compCtrlr"]


def children(s, url, cls: str) -> list[dict]:
    return [mo[cls] for mo in get(s, url, f"/api/mo/{INVENTORY}.json", **{
        "query-target": "children", "target-subtree-class": cls, "rsp-subtree": "children"})]


def vm_hosts(s, url) -> dict[str, str]:
    """VM name -> the name of the compHv its compRsHv points at ("" when it runs nowhere)."""
    hv_names = {mo["attributes"]["dn"]: mo["attributes"]["name"] for mo in children(s, url, "compHv")}
    out = {}
    for vm in children(s, url, "compVm"):
        rels = [c["compRsHv"]["attributes"]["tDn"] for c in vm.get("children", []) if "compRsHv" in c]
        out[vm["attributes"]["name"]] = hv_names[rels[0]] if rels else ""
    return out


def sdk_connection(rhv) -> sdk.Connection:
    return sdk.Connection(url=f"{rhv.url}/ovirt-engine/api", username="admin@internal", password="redhat123")


def sdk_vm_hosts(rhv) -> dict[str, str]:
    connection = sdk_connection(rhv)
    try:
        hosts = {h.id: h.name for h in connection.system_service().hosts_service().list()}
        vms = connection.system_service().vms_service().list()
        return {v.name: hosts[v.host.id] if v.host else "" for v in vms}
    finally:
        connection.close()




@pytest.fixture(scope="module")
def served():
    lab = Lab(clock=ManualClock(1_800_000_000.0))
    plain = lab.start_rhv(tls=False)
    yield lab, plain
    lab.stop()


@pytest.fixture
def fresh(served):
    """The module's lab with its RHV Manager back to the default inventory, and a source that reaches it."""
    lab, server = served
    lab.rhv.reset()
    source = OvirtInventorySource(plain_http=lambda host, port: port == server.port)
    endpoint = ControllerEndpoint("127.0.0.1", server.port, "Default", "admin@internal", "redhat123")
    connection = sdk.Connection(url=f"{server.url}/ovirt-engine/api", username="admin@internal",
                                password="redhat123", insecure=True)
    yield lab, source, endpoint, connection.system_service()
    connection.close()
    source.close()
