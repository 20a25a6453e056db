"""The inventory controller the APIC keeps for each VMM domain controller (comp/prov-*/ctrlr-[dom]-name)."""

from __future__ import annotations

from simulator.apic.mit.proposed import proposed_mo
from simulator.apic.service import Apic

DOMAIN = "uni/vmmp-Kubernetes/dom-k8s"
INVENTORY = "comp/prov-Kubernetes/ctrlr-[k8s]-k8s"


def post(apic: Apic, dn: str, body: dict):
    return apic.writer.post(dn, proposed_mo(body))


def domain(host: str = "10.0.0.1") -> dict:
    return {"vmmDomP": {"attributes": {"name": "k8s", "mode": "k8s"}, "children": [
        {"vmmCtrlrP": {"attributes": {"name": "k8s", "hostOrIp": host, "mode": "k8s", "scope": "kubernetes"}}}]}}


def test_controller_appears_with_the_domain_and_goes_with_it():
    apic = Apic()
    result = post(apic, DOMAIN, domain())
    inv = apic.store.get(INVENTORY)
    assert inv is not None and inv.cls == "compCtrlr"
    assert (inv.get("domName"), inv.get("name"), inv.get("hostOrIp"), inv.get("vendor")) == (
        "k8s", "k8s", "10.0.0.1", "Kubernetes")
    assert apic.store.get(INVENTORY + "/injcont").cls == "vmmInjectedCont"
    assert INVENTORY in {e.dn for e in result.events if e.kind == "created"}  # part of the same write

    post(apic, DOMAIN + "/ctrlr-k8s", {"vmmCtrlrP": {"attributes": {"hostOrIp": "10.0.0.2"}}})
    assert apic.store.get(INVENTORY).get("hostOrIp") == "10.0.0.2"

    apic.writer.delete(DOMAIN)
    assert INVENTORY not in apic.store
    assert INVENTORY + "/injcont" not in apic.store


def test_hypervisor_domains_get_no_injected_container():
    apic = Apic()
    post(apic, "uni/vmmp-Redhat/dom-rhv", {"vmmDomP": {"attributes": {"name": "rhv"}, "children": [
        {"vmmCtrlrP": {"attributes": {"name": "engine", "hostOrIp": "rhvm.example", "rootContName": "dc1"}}}]}})
    inv = apic.store.get("comp/prov-Redhat/ctrlr-[rhv]-engine")
    assert inv.get("rootContName") == "dc1"
    assert "comp/prov-Redhat/ctrlr-[rhv]-engine/injcont" not in apic.store
