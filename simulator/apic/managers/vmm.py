"""The VMM inventory tree the controller derives from VMM domain configuration.

A vmmCtrlrP (uni/vmmp-<vendor>/dom-<dom>/ctrlr-<name>) makes the APIC keep an inventory controller
comp/prov-<vendor>/ctrlr-[<dom>]-<name>, with an injected-objects container for container domains,
where integrations (the aci-containers controller, the RHV import) report what they see. It goes
away with the vmmCtrlrP (cni-nodeprep.md §A3). A container domain's controller is online at once (its
integration signs in to the APIC); any other is offline until the APIC has reached it (vmm_redhat.py).
"""

from __future__ import annotations

from ..mit.dn import Dn
from ..mit.store import Event, Store, Transaction

CONTAINER_VENDORS = frozenset({"Kubernetes", "OpenShift", "CloudFoundry"})
COPIED = ("hostOrIp", "mode", "scope", "rootContName", "port", "dvsVersion")


class VmmInventory:
    def __init__(self, store: Store):
        self.store = store
        self.catalog = store.catalog
        self._comp = Dn.root(store.catalog).child("compUni")
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        for event in events:
            if event.cls != "vmmCtrlrP":
                continue
            ctrlr = Dn.parse(event.dn, self.catalog)
            inventory = self.inventory_dn(ctrlr)
            if event.kind == "deleted":
                txn.delete(inventory.text)
            elif event.kind == "created":
                self._create(txn, event, inventory)
            else:
                mo = self.store.get(inventory.text)
                copied = {k: v for k, v in event.changed.items() if k in COPIED}
                if mo is not None and copied:
                    txn.modify(mo, copied)

    def inventory_dn(self, ctrlr: Dn) -> Dn:
        """The inventory controller of a vmmCtrlrP: comp/prov-<vendor>/ctrlr-[<domain>]-<name>."""
        vendor = ctrlr.naming("vmmProvP")["vendor"]
        domain = ctrlr.naming("vmmDomP")["name"]
        return self._comp.child("compProv", name=vendor).child("compCtrlr", domName=domain, name=ctrlr.naming()["name"])

    def _create(self, txn: Transaction, event: Event, inventory: Dn) -> None:
        for dn in (inventory.parent.parent, inventory.parent):
            if dn.text not in self.store:
                txn.create(dn.meta, dn.text, dn.naming())
        if inventory.text in self.store:
            return
        source = self.store.get(event.dn)
        naming = inventory.naming()
        vendor = inventory.naming("compProv")["name"]
        oper = "online" if vendor in CONTAINER_VENDORS else "offline"
        attrs = {**naming, "vendor": vendor, "operSt": oper, "modTs": source.get("modTs")}
        attrs.update({k: source.get(k) for k in COPIED})
        txn.create(inventory.meta, inventory.text, {k: v for k, v in attrs.items() if k in inventory.meta.props})
        if vendor in CONTAINER_VENDORS:
            injected = inventory.child("vmmInjectedCont")
            txn.create(injected.meta, injected.text, {})
