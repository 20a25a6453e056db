"""The lab the browser tests look at: the default lab served over HTTP on 127.0.0.1 on a manual clock, with a
Red Hat VMM domain on the lab's RHV Manager and a tenant "shop" whose EPG web is associated with it, set up
as an engineer sets it up (requests for the APIC's REST API and /_sim, the real ovirtsdk4 for RHV), as
tests/lab/test_rhv_vmm_epgs.py does: the VM vm1 (on host1) gets a NIC on the EPG's vNIC profile, so the
EPG has an endpoint that follows vm1 when it migrates. The same set-up runs on a scenario's lab too
(scenarios/rhv-two-pod.yaml, with the controller on its data center MultiPod), as features/migration.feature's
lab is."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import requests

from simulator.clock import ManualClock
from simulator.lab import Lab, LabOptions

START = 1_800_000_000.0
PASSWORD = "secret"
POOL = "uni/infra/vlanns-[rhv]-dynamic"
DOMAIN = "uni/vmmp-Redhat/dom-rhv"
TENANT = "uni/tn-shop"
WEB = f"{TENANT}/ap-app/epg-web"
NETWORK = "shop|app|web"
EVENT_POLL = 10  # RedhatVmmSettings: the APIC polls the engine's events every 10 s of lab time
TIMEOUT = 30


@dataclass
class ShopLab:
    lab: Lab
    url: str  # the APIC's
    rhv_url: str
    session: requests.Session  # the admin's: logged in, and HTTP Basic for /_sim

    def login(self) -> None:
        """The admin's APIC session (again, after the lab's clock ended the last one)."""
        login = {"aaaUser": {"attributes": {"name": self.lab.options.admin_user, "pwd": PASSWORD}}}
        r = self.session.post(f"{self.url}/api/aaaLogin.json", json=login, timeout=TIMEOUT)
        assert r.status_code == 200, r.text

    def post(self, dn: str, body: dict) -> None:
        r = self.session.post(f"{self.url}/api/mo/{dn}.json", json=body, timeout=TIMEOUT)
        assert r.status_code == 200, r.text

    def imdata(self, path: str, **params: str) -> list[dict]:
        r = self.session.get(f"{self.url}{path}", params=params, timeout=TIMEOUT)
        assert r.status_code == 200, r.text
        return r.json()["imdata"]

    def advance(self, seconds: float) -> None:
        r = self.session.post(f"{self.url}/_sim/clock/advance", json={"seconds": seconds}, timeout=TIMEOUT)
        assert r.status_code == 200, r.text

    def rhv(self) -> sdk.Connection:
        return sdk.Connection(url=f"{self.rhv_url}/ovirt-engine/api", username="admin@internal",
                              password="redhat123")

    def plug(self, vm_name: str) -> str:
        """Hot-plug a NIC on the EPG web's vNIC profile into a VM; its MAC as the APIC writes it."""
        connection = self.rhv()
        try:
            system = connection.system_service()
            (vm,) = system.vms_service().list(search=f"name={vm_name}")
            (profile,) = [p for p in system.vnic_profiles_service().list() if p.name == NETWORK]
            nic = system.vms_service().vm_service(vm.id).nics_service().add(
                types.Nic(name="web0", vnic_profile=types.VnicProfile(id=profile.id)))
            return nic.mac.address.upper()
        finally:
            connection.close()

    def migrate(self, vm_name: str, host_name: str) -> None:
        connection = self.rhv()
        try:
            system = connection.system_service()
            (vm,) = system.vms_service().list(search=f"name={vm_name}")
            (host,) = system.hosts_service().list(search=f"name={host_name}")
            system.vms_service().vm_service(vm.id).migrate(host=types.Host(id=host.id))
        finally:
            connection.close()

    def endpoint(self, mac: str) -> dict[str, str]:
        (cep,) = self.imdata(f"/api/mo/{WEB}/cep-{mac}.json")
        return cep["fvCEp"]["attributes"]


def set_up_shop(shop: ShopLab, data_center: str = "Default") -> None:
    shop.post(POOL, {"fvnsVlanInstP": {"attributes": {"name": "rhv", "allocMode": "dynamic"}, "children": [
        {"fvnsEncapBlk": {"attributes": {"from": "vlan-1000", "to": "vlan-1009"}}}]}})
    rhv_port = shop.rhv_url.rsplit(":", 1)[1]
    shop.post(DOMAIN, {"vmmDomP": {"attributes": {"name": "rhv"}, "children": [
        {"infraRsVlanNs": {"attributes": {"tDn": POOL}}},
        {"vmmUsrAccP": {"attributes": {"name": "cred", "usr": "admin@internal", "pwd": "redhat123"}}},
        {"vmmCtrlrP": {"attributes": {"name": "engine", "hostOrIp": "127.0.0.1", "port": rhv_port,
                                      "rootContName": data_center},
                       "children": [{"vmmRsAcc": {"attributes": {"tDn": f"{DOMAIN}/usracc-cred"}}}]}}]}})
    shop.post(TENANT, {"fvTenant": {"attributes": {"name": "shop"}, "children": [
        {"fvCtx": {"attributes": {"name": "vrf"}}},
        {"fvBD": {"attributes": {"name": "bd"}, "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "vrf"}}}]}},
        {"fvAp": {"attributes": {"name": "app"}, "children": [
            {"fvAEPg": {"attributes": {"name": "web"}, "children": [
                {"fvRsBd": {"attributes": {"tnFvBDName": "bd"}}},
                {"fvRsDomAtt": {"attributes": {"tDn": DOMAIN, "resImedcy": "immediate"}}}]}}]}}]}})
    shop.advance(1)


@contextmanager
def shop_lab(tls: bool = False, tls_dir=None, scenario: Path | None = None, data_center: str = "Default"):
    """The served lab with the shop set up (see the module's docstring); stopped on the way out. With a
    scenario (scenarios/rhv-two-pod.yaml), its fabric and RHV inventory, the controller on `data_center`."""
    options = LabOptions(admin_password=PASSWORD)
    if scenario is not None:
        options.apply_scenario(scenario)
        options.admin_password = PASSWORD
    lab = Lab(options, clock=ManualClock(START))
    try:
        apic = lab.start(tls=tls, tls_dir=tls_dir)
        rhv = lab.start_rhv(tls=False)
        session = requests.Session()
        session.trust_env = False
        session.verify = False
        session.auth = (lab.options.admin_user, PASSWORD)
        shop = ShopLab(lab, apic.url, rhv.url, session)
        shop.login()
        set_up_shop(shop, data_center)
        yield shop
    finally:
        lab.stop()
