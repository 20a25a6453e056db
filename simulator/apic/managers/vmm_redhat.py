"""The APIC's side of a Red Hat VMM domain: each vmmCtrlrP under uni/vmmp-Redhat names an RHV Manager,
and the controller's inventory (comp/prov-Redhat/ctrlr-[<dom>]-<name>) mirrors what that engine shows.

Talking to the engine is HTTP and may take long, so it never happens inside a store transaction: a
change of the controller or of its credential only asks for a sync through the `schedule` port (the
lab's reactions, run by its tick outside every lock); the sync reads the engine through an
InventorySource and applies the whole snapshot with one system write. On the lab clock, every
`event_poll_seconds` the engine's events are polled from the last one seen (the oVirt API has no push)
and any new one brings a sync forward; a full resync comes due every `resync_seconds` regardless.
A failed sync turns the controller `offline` and raises F0130 on it, as a real APIC does when it cannot
reach or log in to its controller (vmm-endpoints-contracts.md A3); the next good sync clears it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..mit.dn import parent_dn
from .vmm_ports import ControllerEndpoint, ControllerError, Inventory, InventorySource, Schedule, Vm

if TYPE_CHECKING:
    from ..mit.store import Event, Transaction
    from ..service import Apic

PROVIDER = "uni/vmmp-Redhat/"
INVENTORY = "comp/prov-Redhat"
F0130 = "F0130"
F0130_TEXT = (
    "Connection to VMM controller: {host} with name {ctrlr} in datacenter {dc} in domain: {dom} is failing "
    "repeatedly with error: [{error}]. Please verify network connectivity of VMM controller {host} and check "
    "VMM controller user credentials are valid."
)
F0130_FIXED = {  # vmm-endpoints-contracts.md A3, the PUV sample of a real F0130
    "cause": "connect-failed", "rule": "comp-ctrlr-connect-failed", "severity": "major",
    "origSeverity": "major", "highestSeverity": "major", "prevSeverity": "major", "type": "communications",
    "subject": "controller", "domain": "external", "lc": "raised", "delegated": "yes", "ack": "no",
    "occur": "1",
}


@dataclass
class RedhatVmmSettings:
    # lab time between full resyncs of one controller, and between polls of its events (a real APIC's
    # periods are not public)
    resync_seconds: float = 60.0
    event_poll_seconds: float = 10.0


class RedhatVmm:
    def __init__(self, apic: Apic, source: InventorySource, schedule: Schedule,
                 settings: RedhatVmmSettings | None = None):
        self.apic = apic
        self.store = apic.store
        self.source = source
        self.schedule = schedule
        self.settings = settings or RedhatVmmSettings()
        self._lock = threading.Lock()
        self._queued: set[str] = set()
        self._due: dict[str, float] = {}  # vmmCtrlrP dn -> lab time of its next full resync
        self._polled: dict[str, tuple[int, float]] = {}  # online vmmCtrlrP dn -> (last event seen, next poll)
        self.store.hooks.append(self)

    # --- what asks for a sync ----------------------------------------------------------------------------
    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        """Store hook: a new or changed controller, or a credential given, changed or taken away, wants a
        sync (queued only)."""
        for event in events:
            if event.cls == "vmmCtrlrP" and event.dn.startswith(PROVIDER):
                if event.kind == "deleted":
                    self._due.pop(event.dn, None)
                    self._polled.pop(event.dn, None)
                else:
                    self.request(event.dn)
            elif event.cls == "vmmRsAcc" and event.dn.startswith(PROVIDER):
                self.request(parent_dn(event.dn))
            elif event.cls == "vmmUsrAccP" and event.dn.startswith(PROVIDER):
                for rel in self.store.of_class("vmmRsAcc"):
                    if rel.get("tDn") == event.dn:
                        self.request(parent_dn(rel.dn))
            elif event.cls == "compCtrlr" and event.kind == "created" and event.dn.startswith(INVENTORY):
                txn.modify(self.store.get(event.dn), {"operSt": "offline"})  # until its engine answers

    def request(self, ctrlr_dn: str) -> None:
        """Ask for one sync of a controller; asking again before it ran changes nothing."""
        with self._lock:
            if ctrlr_dn in self._queued:
                return
            self._queued.add(ctrlr_dn)
        self.schedule(f"sync Red Hat VMM controller {ctrlr_dn}", lambda: self.sync(ctrlr_dn))

    def tick(self) -> int:
        """The lab's tick: queue the full resync of every controller whose period has run out, and a
        poll of the events of every other online one whose poll is due."""
        now = self.apic.clock.now()
        with self.store.lock:
            due = [mo.dn for mo in self.store.of_class("vmmCtrlrP")
                   if mo.dn.startswith(PROVIDER) and now >= self._due.get(mo.dn, -math.inf)]
        for dn in due:
            self._due[dn] = now + self.settings.resync_seconds
            self.request(dn)
        polls = [(dn, last) for dn, (last, at) in list(self._polled.items()) if now >= at and dn not in due]
        for dn, last in polls:
            self._polled[dn] = (last, now + self.settings.event_poll_seconds)
            self.schedule(f"poll the events of Red Hat VMM controller {dn}",
                          lambda dn=dn, last=last: self.poll(dn, last))
        return len(due) + len(polls)

    def poll(self, ctrlr_dn: str, last: int) -> None:
        """A reaction: any event after `last` (or an engine that no longer answers) asks for a sync."""
        if self.store.get(ctrlr_dn) is None:
            return
        try:
            changed = self.source.newest_event(self.endpoint(ctrlr_dn), last) > last
        except ControllerError:
            changed = True  # the sync finds out what is wrong and says so
        if changed:
            self.request(ctrlr_dn)

    # --- the sync itself (a reaction: no lock held) ------------------------------------------------------
    def sync(self, ctrlr_dn: str) -> None:
        with self._lock:
            self._queued.discard(ctrlr_dn)
        ctrlr = self.store.get(ctrlr_dn)
        if ctrlr is None:
            return
        self._due[ctrlr_dn] = self.apic.clock.now() + self.settings.resync_seconds
        inventory: Inventory | None = None
        error = ""
        try:
            inventory = self.source.fetch(self.endpoint(ctrlr_dn))
        except ControllerError as exc:
            error = str(exc)
        # what is there now and what replaces it are read and written under one hold of the lock
        with self.store.lock:
            if self.store.get(ctrlr_dn) is None:
                return  # deleted while its engine was read: nothing is left to update
            if inventory is not None:
                body = self._online(ctrlr_dn, inventory)
                next_poll = self.apic.clock.now() + self.settings.event_poll_seconds
                self._polled[ctrlr_dn] = (inventory.last_event, next_poll)
            else:
                body = self._offline(ctrlr_dn, error)
                self._polled.pop(ctrlr_dn, None)
            self.apic.system_post(self.inventory_dn(ctrlr_dn), body)

    def endpoint(self, ctrlr_dn: str) -> ControllerEndpoint:
        """Where the vmmCtrlrP points and the credential its vmmRsAcc names (pwd read from the store)."""
        ctrlr = self.store.get(ctrlr_dn)
        rel = self.store.get(ctrlr_dn + "/rsacc")
        account = self.store.get(rel.get("tDn")) if rel is not None and rel.get("tDn") else None
        if account is None:
            raise ControllerError("no credentials: the controller has no vmmRsAcc to a vmmUsrAccP")
        port = ctrlr.get("port")
        return ControllerEndpoint(host=ctrlr.get("hostOrIp"), port=int(port) if port.isdigit() else 0,
                                  data_center=ctrlr.get("rootContName"), user=account.get("usr"),
                                  password=account.get("pwd"))

    def inventory_dn(self, ctrlr_dn: str) -> str:
        """comp/prov-Redhat/ctrlr-[<domain>]-<name> of uni/vmmp-Redhat/dom-<domain>/ctrlr-<name>."""
        domain_rn, ctrlr_rn = ctrlr_dn[len(PROVIDER):].split("/", 1)
        return f"{INVENTORY}/ctrlr-[{domain_rn[len('dom-'):]}]-{ctrlr_rn[len('ctrlr-'):]}"

    # --- what a sync writes --------------------------------------------------------------------------------
    def _online(self, ctrlr_dn: str, inventory: Inventory) -> dict[str, Any]:
        inv_dn = self.inventory_dn(ctrlr_dn)
        product = inventory.product
        attrs = {"status": "modified", "operSt": "online", "vendor": product.vendor, "model": product.name,
                 "rev": product.version, "apiVer": product.api_version}
        children = [_child("faultInst", code=F0130, status="deleted")]
        host_dns = {h.id: f"{inv_dn}/hv-{h.id}" for h in inventory.hosts}
        for host in inventory.hosts:
            nics = [_child("compHpNic", oid=n.name, name=n.name, mac=n.mac.upper(), ip=n.ip)
                    for n in host.nics]
            nics += self._gone(host_dns[host.id], "compHpNic", "oid", {n.name for n in host.nics})
            children.append(_child("compHv", nics, oid=host.id, name=host.name, mgmtIp=host.address))
        children += self._gone(inv_dn, "compHv", "oid", set(host_dns))
        for vm in inventory.vms:
            children.append(self._vm(inv_dn, vm, host_dns))
        children += self._gone(inv_dn, "compVm", "oid", {vm.id for vm in inventory.vms})
        return {"compCtrlr": {"attributes": attrs, "children": children}}

    def _vm(self, inv_dn: str, vm: Vm, host_dns: dict[str, str]) -> dict[str, Any]:
        vm_dn = f"{inv_dn}/vm-{vm.id}"
        on = vm.powered_on and vm.host_id in host_dns
        rel = _child("compRsHv", tDn=host_dns[vm.host_id]) if on else _child("compRsHv", status="deleted")
        nics = [_child("compVNic", mac=n.mac.upper(), name=n.name, ip=n.ips[0] if n.ips else "",
                       operSt="up" if on else "down") for n in vm.nics]
        nics += self._gone(vm_dn, "compVNic", "mac", {n.mac.upper() for n in vm.nics})
        return _child("compVm", [rel, *nics], oid=vm.id, name=vm.name, uuid=vm.id, type="virt",
                      state="poweredOn" if on else "poweredOff")

    def _gone(self, parent: str, cls: str, naming: str, keep: set[str]) -> list[dict[str, Any]]:
        """Deletions of the children of `cls` the engine no longer shows."""
        return [_child(cls, **{naming: mo.get(naming), "status": "deleted"})
                for mo in self.store.children(parent) if mo.cls == cls and mo.get(naming) not in keep]

    def _offline(self, ctrlr_dn: str, error: str) -> dict[str, Any]:
        inv_dn = self.inventory_dn(ctrlr_dn)
        ctrlr, inv = self.store.get(ctrlr_dn), self.store.get(inv_dn)
        was = inv.get("operSt") if inv is not None else "offline"
        fault = self.store.get(f"{inv_dn}/fault-{F0130}")
        domain = ctrlr_dn[len(PROVIDER):].split("/", 1)[0][len("dom-"):]
        descr = F0130_TEXT.format(host=ctrlr.get("hostOrIp"), ctrlr=ctrlr.get("name"),
                                  dc=ctrlr.get("rootContName"), dom=domain, error=error)
        attrs = {"code": F0130, **F0130_FIXED, "descr": descr}
        if fault is None:
            now = self.apic.timestamp()
            old = "online" if was == "online" else "unknown"
            attrs.update(created=now, lastTransition=now, changeSet=f"operSt (Old: {old}, New: offline)")
        return {"compCtrlr": {"attributes": {"status": "modified", "operSt": "offline"},
                              "children": [_child("faultInst", **attrs)]}}


def _child(cls: str, children: list[dict[str, Any]] | None = None, **attrs: str) -> dict[str, Any]:
    body: dict[str, Any] = {"attributes": attrs}
    if children:
        body["children"] = children
    return {cls: body}
