"""The VMM inventory tree the controller derives from VMM domain configuration.

A vmmCtrlrP (uni/vmmp-<vendor>/dom-<dom>/ctrlr-<name>) makes the APIC keep an inventory controller
comp/prov-<vendor>/ctrlr-[<dom>]-<name>, with an injected-objects container for container domains,
where integrations (the aci-containers controller, the RHV import) report what they see. It goes
away with the vmmCtrlrP (cni-nodeprep.md §A3).
"""

from __future__ import annotations

from ..mit.dn import split_dn
from ..mit.store import Event, Store, Transaction

CONTAINER_VENDORS = frozenset({"Kubernetes", "OpenShift", "CloudFoundry"})
COPIED = ("hostOrIp", "mode", "scope", "rootContName", "port", "dvsVersion")


def inventory_dn(ctrlr_dn: str) -> tuple[str, str, str, str] | None:
    """(vendor, domain, controller, inventory DN) of a vmmCtrlrP DN."""
    rns = split_dn(ctrlr_dn)
    if len(rns) != 4 or rns[0] != "uni" or not rns[1].startswith("vmmp-"):
        return None
    vendor, dom, name = rns[1][5:], rns[2][4:], rns[3][6:]
    return vendor, dom, name, f"comp/prov-{vendor}/ctrlr-[{dom}]-{name}"


class VmmInventory:
    def __init__(self, store: Store):
        self.store = store
        self.catalog = store.catalog
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        for event in events:
            if event.cls != "vmmCtrlrP":
                continue
            where = inventory_dn(event.dn)
            if where is None:
                continue
            vendor, dom, name, dn = where
            if event.kind == "deleted":
                txn.delete(dn)
            elif event.kind == "created":
                self._create(txn, event, vendor, dom, name, dn)
            else:
                mo = self.store.get(dn)
                copied = {k: v for k, v in event.changed.items() if k in COPIED}
                if mo is not None and copied:
                    txn.modify(mo, copied)

    def _create(self, txn: Transaction, event: Event, vendor: str, dom: str, name: str, dn: str) -> None:
        get = self.catalog.get
        if "comp" not in self.store:
            txn.create(get("compUni"), "comp", {})
        prov = f"comp/prov-{vendor}"
        if prov not in self.store:
            txn.create(get("compProv"), prov, {"name": vendor})
        if dn in self.store:
            return
        source = self.store.get(event.dn)
        attrs = {"domName": dom, "name": name, "vendor": vendor, "operSt": "online", "modTs": source.get("modTs")}
        attrs.update({k: source.get(k) for k in COPIED})
        meta = get("compCtrlr")
        txn.create(meta, dn, {k: v for k, v in attrs.items() if k in meta.props})
        if vendor in CONTAINER_VENDORS:
            txn.create(get("vmmInjectedCont"), f"{dn}/injcont", {})
