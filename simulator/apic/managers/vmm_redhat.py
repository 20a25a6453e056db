"""The APIC's side of a Red Hat VMM domain: each vmmCtrlrP under uni/vmmp-Redhat names an RHV Manager,
and the controller's inventory (comp/prov-Redhat/ctrlr-[<dom>]-<name>) mirrors what that engine shows;
the EPGs associated with the domain become logical networks there, and the NICs of running VMs on them
endpoints of their EPGs.

Talking to the engine is HTTP and may take long, so it never happens inside a store transaction: a
change of the controller or of its credential only asks for a sync through the `schedule` port (the
lab's reactions, run by its tick outside every lock); the sync reads the engine through an
InventorySource and applies the whole snapshot with one system write. On the lab clock, every
`event_poll_seconds` the engine's events are polled from the last one seen (the oVirt API has no push):
the VMs and hosts they name are read again and written alone, and an event about anything else brings
a whole sync forward; a whole sync comes due every `resync_seconds` regardless, and at once when a user
sets the controller's inventoryTrigSt to `triggered` (the GUI's "trigger inventory sync"; it reads
`untriggered` again once the sync has run).
One sync first provisions the engine (every EPG's network carried, the networks of EPGs no longer
associated removed; a refusal is F606351 on the EPG and is tried again on every sync), then reads it
whole and writes the inventory tree (redhat_inventory.py) and the endpoints (vmm_endpoints.py).
Faults as a real APIC raises them (vmm-endpoints-contracts.md A3): an engine it cannot reach or log in
to turns the controller `offline` with F0130; a data center the engine does not have, offline with
F606262 and F16438 (the add-controller FSM and its connect stage); a part of the inventory that could
not be read, F0132 (the controller stays online and keeps what it had of that part). The next good
sync clears them.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..mit.dn import parent_dn
from .faults import cleared_body, fault_body
from .redhat_faults import CONTROLLER_FAULTS, F0130, F0132, F16438, F606262, F606351
from .redhat_inventory import CarriedNetwork, InventoryTree, host_paths, stored_paths
from .vmm_endpoints import EndpointWriter
from .vmm_epg import DEFAULT_NAME, RedhatEpgAssociations
from .vmm_ports import (
    Changes,
    ControllerEndpoint,
    ControllerError,
    DataCenterNotFound,
    Inventory,
    InventorySource,
    LogicalNetwork,
    Schedule,
)

if TYPE_CHECKING:
    from ..mit.store import Event, Transaction
    from ..service import Apic

PROVIDER = "uni/vmmp-Redhat/"
INVENTORY = "comp/prov-Redhat"


@dataclass
class RedhatVmmSettings:
    # lab time between full resyncs of one controller, and between polls of its events (a real APIC's
    # periods are not public)
    resync_seconds: float = 60.0
    event_poll_seconds: float = 10.0
    # the logical network's name for an EPG (the real rule is not public, research A1), which free VLAN
    # a pool gives first (lowest | highest), and fvCEp.vmmSrc of RHV endpoints (not public, research B1)
    network_name: str = DEFAULT_NAME
    vlan_order: str = "lowest"
    vmm_source: str = "rhev"

    def __post_init__(self) -> None:
        for name in ("resync_seconds", "event_poll_seconds"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if self.vlan_order not in ("lowest", "highest"):
            raise ValueError(f"vlan_order is lowest or highest, not {self.vlan_order!r}")
        try:
            self.network_name.format(tenant="t", ap="a", epg="e", delimiter="|")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"network_name {self.network_name!r} may use only {{tenant}}, {{ap}}, {{epg}} and "
                             f"{{delimiter}} ({exc})") from None


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
        self.associations = RedhatEpgAssociations(
            self.store, self.domain_changed, apic.timestamp,
            name_template=lambda: self.settings.network_name, order=lambda: self.settings.vlan_order)

    # --- what asks for a sync ----------------------------------------------------------------------------
    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        """Store hook: a new or changed controller, or a credential given, changed or taken away, wants a
        sync (queued only)."""
        for event in events:
            if event.cls == "vmmCtrlrP" and event.dn.startswith(PROVIDER):
                if event.kind == "deleted":
                    self._due.pop(event.dn, None)
                    self._polled.pop(event.dn, None)
                elif not _trigger_done(event.changed):
                    self.request(event.dn)
            elif event.cls == "vmmRsAcc" and event.dn.startswith(PROVIDER):
                self.request(parent_dn(event.dn))
            elif event.cls == "vmmUsrAccP" and event.dn.startswith(PROVIDER):
                for rel in self.store.of_class("vmmRsAcc"):
                    if rel.get("tDn") == event.dn:
                        self.request(parent_dn(rel.dn))

    def request(self, ctrlr_dn: str) -> None:
        """Ask for one sync of a controller; asking again before it ran changes nothing."""
        with self._lock:
            if ctrlr_dn in self._queued:
                return
            self._queued.add(ctrlr_dn)
        self.schedule(f"sync Red Hat VMM controller {ctrlr_dn}", lambda: self.sync(ctrlr_dn))

    def domain_changed(self, domain_dn: str) -> None:
        """The EPGs a domain carries changed: every controller of the domain syncs."""
        for mo in self.store.children(domain_dn):
            if mo.cls == "vmmCtrlrP":
                self.request(mo.dn)

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
        """A reaction: the engine's events after `last` say what changed. The VMs and hosts they name are
        read again and only they are written; an event about anything else (a network, a cluster), or an
        engine that no longer answers, asks for a whole sync."""
        if self.store.get(ctrlr_dn) is None:
            return
        try:
            endpoint = self.endpoint(ctrlr_dn)
            changes = self.source.changes(endpoint, last)
            if changes.whole:
                self.request(ctrlr_dn)
            elif changes.any:
                self._refresh(ctrlr_dn, endpoint, changes)
            else:
                self._seen(ctrlr_dn, changes.last_event)
        except ControllerError:
            self.request(ctrlr_dn)  # the sync finds out what is wrong and says so

    def _seen(self, ctrlr_dn: str, last_event: int) -> None:
        if ctrlr_dn in self._polled:
            self._polled[ctrlr_dn] = (last_event, self._polled[ctrlr_dn][1])

    def _refresh(self, ctrlr_dn: str, endpoint: ControllerEndpoint, changes: Changes) -> None:
        """Read the named VMs and hosts again (and the VMs on those hosts, whose paths follow the host's),
        then write just them and their endpoints."""
        inv_dn = self.inventory_dn(ctrlr_dn)
        with self.store.lock:
            hv_dns = {f"{inv_dn}/hv-{h}" for h in changes.hosts}
            on_hosts = [vm.get("oid") for vm in self.store.children(inv_dn) if vm.cls == "compVm"
                        and (rel := self.store.get(f"{vm.dn}/rshv")) is not None and rel.get("tDn") in hv_dns]
        delta = self.source.fetch_some(endpoint, tuple(dict.fromkeys([*changes.vms, *on_hosts])), changes.hosts)
        with self.store.lock:
            ctrlr = self.store.get(ctrlr_dn)
            if ctrlr is None or self.store.get(inv_dn) is None:
                return
            self._seen(ctrlr_dn, changes.last_event)
            tree = InventoryTree(self.store, inv_dn, self.apic.timestamp())
            tree.data_center = ctrlr.get("rootContName")
            carried = list(self._networks(ctrlr_dn)[1].values())
            hosts = tree.host_names()
            hosts.update({h.id: h.name for h in delta.hosts})
            for gone in delta.gone_hosts:
                hosts.pop(gone, None)
            paths = {oid: stored_paths(self.store, tree.hv_dn(oid)) for oid in hosts}
            paths.update({h.id: host_paths(h) for h in delta.hosts})
            children = [tree.host(h) for h in delta.hosts]
            children += [_deleted("compHv", oid=oid) for oid in delta.gone_hosts if self.store.get(tree.hv_dn(oid))]
            by_network = {c.name: c for c in carried}
            children += [tree.vm(vm, set(hosts), by_network, paths) for vm in delta.vms]
            children += [_deleted("compVm", oid=oid) for oid in delta.gone_vms if self.store.get(tree.vm_dn(oid))]
            self.apic.system_post(inv_dn, {"compCtrlr": {"attributes": {"status": "modified"}, "children": children}})
            only = {tree.vm_dn(vm.id) for vm in delta.vms} | {tree.vm_dn(oid) for oid in delta.gone_vms}
            writer = EndpointWriter(self.store, tree, ctrlr.get("name"), self.settings.vmm_source)
            for epg_dn, epg_body in writer.writes(delta.vms, hosts, carried, paths, only):
                self.apic.system_post(epg_dn, epg_body)

    # --- the sync itself (a reaction: no lock held while the engine is talked to) -----------------------
    def sync(self, ctrlr_dn: str) -> None:
        with self._lock:
            self._queued.discard(ctrlr_dn)
        if self.store.get(ctrlr_dn) is None:
            return
        now = self.apic.clock.now()
        triggered = self.store.get(ctrlr_dn).get("inventoryTrigSt") == "triggered"  # "sync now", asked by a user
        full = triggered or now >= self._due.get(ctrlr_dn, -math.inf) or ctrlr_dn not in self._polled
        self._due[ctrlr_dn] = now + self.settings.resync_seconds
        inventory: Inventory | None = None
        carried: list[CarriedNetwork] = []
        refused: dict[str, str] = {}
        failure: ControllerError | None = None
        try:
            endpoint = self.endpoint(ctrlr_dn)
            with self.store.lock:
                wanted, have = self._networks(ctrlr_dn)
            carried, refused = self._provision(endpoint, wanted, have, full)
            inventory = self.source.fetch(endpoint)
        except ControllerError as exc:
            failure = exc
        # what is there now and what replaces it are read and written under one hold of the lock
        with self.store.lock:
            if self.store.get(ctrlr_dn) is None:
                return  # deleted while its engine was read: nothing is left to update
            inv_dn = self.inventory_dn(ctrlr_dn)
            if triggered:
                self.apic.system_post(ctrlr_dn, {"vmmCtrlrP": {"attributes": {"inventoryTrigSt": "untriggered"}}})
            if inventory is None:
                self._polled.pop(ctrlr_dn, None)
                self.apic.system_post(inv_dn, self._offline(ctrlr_dn, failure))
                return
            self._polled[ctrlr_dn] = (inventory.last_event, now + self.settings.event_poll_seconds)
            tree = InventoryTree(self.store, inv_dn, self.apic.timestamp())
            paths = {h.id: host_paths(h) for h in inventory.hosts}
            body = self._online(ctrlr_dn, inventory, tree.children(inventory, carried, paths))
            self.apic.system_post(inv_dn, body)
            if "vms" not in inventory.partial:  # a partial inventory keeps the endpoints it had
                writer = EndpointWriter(self.store, tree, self.store.get(ctrlr_dn).get("name"),
                                        self.settings.vmm_source)
                hosts = tree.host_names()
                for epg_dn, epg_body in writer.writes(inventory.vms, hosts, carried, paths):
                    self.apic.system_post(epg_dn, epg_body)
            self._report(ctrlr_dn, wanted, have, refused)

    def _networks(self, ctrlr_dn: str) -> tuple[dict[str, LogicalNetwork], dict[str, CarriedNetwork]]:
        """The networks the domain's EPGs want (vmmEpPD), and what the controller carried at its last
        sync (compEpPD with its port group's network id), both by EPG."""
        domain_dn, inv_dn = parent_dn(ctrlr_dn), self.inventory_dn(ctrlr_dn)
        wanted = {}
        for eppd in self.store.children(domain_dn):
            vlan = eppd.get("encap")[len("vlan-"):] if eppd.cls == "vmmEpPD" else ""
            if vlan.isdigit():
                wanted[eppd.get("epgPKey")] = LogicalNetwork(
                    eppd.get("name"), int(vlan), f"EPG {eppd.get('epgPKey')} of the APIC's VMM domain {domain_dn}")
        ids = {pol.get("name"): pol.get("oid") for sw in self.store.children(inv_dn) if sw.cls == "hvsLNode"
               for pol in self.store.children(sw.dn) if pol.cls == "hvsExtPol"}
        have = {}
        for pd in self.store.children(inv_dn):
            vlan = pd.get("encap")[len("vlan-"):] if pd.cls == "compEpPD" else ""
            if vlan.isdigit():
                have[pd.get("epgPKey")] = CarriedNetwork(pd.get("epgPKey"), pd.get("name"), int(vlan),
                                                         ids.get(pd.get("name"), ""))
        return wanted, have

    def _provision(self, endpoint: ControllerEndpoint, wanted: dict[str, LogicalNetwork],
                   have: dict[str, CarriedNetwork], full: bool) -> tuple[list[CarriedNetwork], dict[str, str]]:
        """Carry every wanted network (checked on the engine on a full resync, or when it is new or
        changed), remove the networks no EPG wants any more. Returns what the controller now carries and,
        by EPG, why the engine refused a change. A controller that cannot be reached raises."""
        carried, refused = [], {}
        for epg, net in wanted.items():
            known = have.get(epg)
            if not full and known is not None and known.network_id and (known.name, known.vlan) == (net.name, net.vlan):
                carried.append(known)
                continue
            try:
                carried.append(CarriedNetwork(epg, net.name, net.vlan, self.source.ensure_network(endpoint, net)))
            except DataCenterNotFound:
                raise
            except ControllerError as exc:
                # refused (an engine that cannot be reached at all fails the inventory read that follows);
                # what the EPG had stays carried
                refused[epg] = str(exc)
                if known is not None:
                    carried.append(known)
        for epg, old in have.items():
            if epg in wanted and wanted[epg].name == old.name:
                continue
            try:
                self.source.remove_network(endpoint, old.name)
            except ControllerError as exc:
                refused[epg] = str(exc)
                if epg not in wanted:
                    carried.append(old)  # still on the engine, and still the EPG's until it can go
        return carried, refused

    def _report(self, ctrlr_dn: str, wanted: dict[str, LogicalNetwork], have: dict[str, CarriedNetwork],
                refused: dict[str, str]) -> None:
        """F606351 on each EPG whose change the engine refused; cleared on the others of the domain."""
        name = self.store.get(ctrlr_dn).get("name")
        for epg in dict.fromkeys([*wanted, *have, *refused]):
            if self.store.get(epg) is None:
                continue
            if epg in refused:
                fault = fault_body(self.store, epg, F606351, self.apic.timestamp(), ctrlr=name, error=refused[epg])
            elif self.store.get(f"{epg}/fault-{F606351.code}") is not None:
                fault = cleared_body(F606351.code)
            else:
                continue
            self.apic.system_post(epg, {"fvAEPg": {"attributes": {"status": "modified"}, "children": [fault]}})

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

    # --- the controller's own state and faults -----------------------------------------------------------
    def _details(self, ctrlr_dn: str) -> dict[str, str]:
        ctrlr = self.store.get(ctrlr_dn)
        return {"host": ctrlr.get("hostOrIp"), "ctrlr": ctrlr.get("name"), "dc": ctrlr.get("rootContName"),
                "dom": ctrlr_dn[len(PROVIDER):].split("/", 1)[0][len("dom-"):], "inv": self.inventory_dn(ctrlr_dn)}

    def _online(self, ctrlr_dn: str, inventory: Inventory, children: list[dict[str, Any]]) -> dict[str, Any]:
        product = inventory.product
        attrs = {"status": "modified", "operSt": "online", "vendor": product.vendor, "model": product.name,
                 "rev": product.version, "apiVer": product.api_version}
        inv_dn = self.inventory_dn(ctrlr_dn)
        faults = [cleared_body(spec.code) for spec in (F0130, F606262, F16438)]
        if inventory.partial:
            faults.append(fault_body(self.store, inv_dn, F0132, self.apic.timestamp(),
                                     "remoteOperIssues (Old: , New: partial-inv)",
                                     parts=" and the ".join(inventory.partial), **self._details(ctrlr_dn)))
        else:
            faults.append(cleared_body(F0132.code))
        return {"compCtrlr": {"attributes": attrs, "children": faults + children}}

    def _offline(self, ctrlr_dn: str, failure: ControllerError | None) -> dict[str, Any]:
        inv_dn = self.inventory_dn(ctrlr_dn)
        inv = self.store.get(inv_dn)
        was = "online" if inv is not None and inv.get("operSt") == "online" else "unknown"
        change = f"operSt (Old: {was}, New: offline)"
        now, details = self.apic.timestamp(), self._details(ctrlr_dn)
        if isinstance(failure, DataCenterNotFound):
            raised = [fault_body(self.store, inv_dn, F606262, now, change, **details),
                      fault_body(self.store, inv_dn, F16438, now, change, **details)]
        else:
            raised = [fault_body(self.store, inv_dn, F0130, now, change, error=str(failure), **details)]
        codes = {f["faultInst"]["attributes"]["code"] for f in raised}
        cleared = [cleared_body(spec.code) for spec in CONTROLLER_FAULTS if spec.code not in codes]
        return {"compCtrlr": {"attributes": {"status": "modified", "operSt": "offline"},
                              "children": raised + cleared}}


def _deleted(cls: str, **naming: str) -> dict[str, Any]:
    return {cls: {"attributes": {**naming, "status": "deleted"}}}


def _trigger_done(changed: dict[str, str]) -> bool:
    """A controller's change that only says its triggered sync has run (asks for no other)."""
    return changed.get("inventoryTrigSt") == "untriggered" and set(changed) <= {"inventoryTrigSt", "modTs"}
