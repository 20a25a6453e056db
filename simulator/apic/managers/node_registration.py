"""Fabric membership: registering a switch (fabricNodeIdentP) and what the APIC's discovery makes of it.

A real APIC keeps its node registrations under uni/controller/nodeidentpol as `nodep-{serial}` (serial,
nodeId, podId, name, role, nodeType, extPoolId); a switch with that serial that is cabled to the fabric
is then discovered: it gets a TEP address from the pod's pool and appears as topology/pod-P/node-N
(fabricNode) with its topSystem, and a leaf with its port paths. Deleting the registration decommissions
the switch: it leaves the topology (ACI troubleshooting book, "Fabric Initialization": a node is
Undiscovered until the switch answers, Disabled once decommissioned).

The lab has no switch waiting to be cabled, so discovery is simulated as immediate: the write that
registers a node (with a node id, in a pod the fabric has) also creates its topology objects, in the same
transaction, so the client's next read sees it active. A registration whose node id is 0 (none yet) or
whose pod the fabric lacks stays undiscovered, as a switch nobody plugged in. The fabric's own nodes are
registered as the controller boots (a fabricNode of the topology gets its `nodep-{serial}` with the
fixture's serial), so the lab's membership list shows them as a real fabric's does.

What a discovered switch gets copies the boot topology's nodes (simulator/fabric/topology.py): its role is
the registration's (`unspecified` is taken as a leaf: inferred, a real switch reports its own hardware),
the model of that role, the switch version, the next free TEP address of the pod's pool, fabricSt active
and the registration's nodeType. A remote leaf takes its address from the same pool (inferred: the remote
pool named by extPoolId has no object in the lab).

Checks a real APIC makes across objects, made here inside the write so a refused one changes nothing:
one node id per serial (a second serial with a registered node id is refused), a remote leaf names its
external pool. Their texts were not recorded: they are worded after the APIC's validation errors
(inferred). The id ranges (101-4000, pods 1-254) are catalog facts (tools/catalog_overlay/registration.yaml).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...fabric.nodes import LEAF_MODEL, SPINE_MODEL, SWITCH_VERSION, node_name
from ...fabric.paths import leaf_paths_body
from ...fabric.topology import Topology
from .. import errors
from ..mit.dn import child_dn, parent_dn, rn_of
from ..mit.store import MO, Event, Store, Transaction

UNI = "uni"
CONTROLLER = "uni/controller"
IDENT_POL = "uni/controller/nodeidentpol"
IDENT_PREFIX = "nodep-"
SWITCH_ROLES = ("leaf", "spine")
REMOTE_LEAF = "remote-leaf-wan"
NO_NODE_ID = ("", "0")
NO_POOL_ID = ("", "0")
VALIDATION_CODE = 120  # the code of the APIC's own validation answers (unknown property value and the like)


def ident_dn(serial: str) -> str:
    return f"{IDENT_POL}/{IDENT_PREFIX}{serial}"


class NodeRegistration:
    """A store hook: keeps the topology in step with the node registrations, and registers the boot nodes."""

    def __init__(self, store: Store, topology: Topology):
        self.store = store
        self.catalog = store.catalog
        self.topology = topology
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        serials: dict[str, None] = {}
        for event in events:
            if event.cls == "polUni" and event.kind == "created":
                self._containers(txn)
            elif event.cls == "fabricNodeIdentP":
                serials[_serial_of(event)] = None
            elif event.cls == "fabricNode" and event.kind == "created":
                self._register_booted(txn, event.dn)
        for serial in serials:
            self._reconcile(txn, serial)

    # --- the membership list ---------------------------------------------------------------------------
    def _containers(self, txn: Transaction) -> bool:
        """uni/controller and its nodeidentpol, as a booted APIC has them; False before uni exists."""
        if UNI not in self.store:
            return False
        for dn, cls in ((CONTROLLER, "ctrlrInst"), (IDENT_POL, "fabricNodeIdentPol")):
            if dn not in self.store:
                txn.create(self.catalog.get(cls), dn, {})
        return True

    def _register_booted(self, txn: Transaction, node_dn: str) -> None:
        """A switch of the topology with no registration gets one (the fixture's fabric was registered)."""
        node = self.store.get(node_dn)
        serial = node.get("serial") if node is not None else ""
        if not serial or node.get("role") not in SWITCH_ROLES or ident_dn(serial) in self.store:
            return
        if not self._containers(txn):
            return
        attrs = {"serial": serial, "nodeId": node.get("id"), "podId": _pod_of(node_dn), "name": node.get("name"),
                 "role": node.get("role"), "nodeType": node.get("nodeType") or "unspecified"}
        txn.create(self.catalog.get("fabricNodeIdentP"), ident_dn(serial), attrs)

    # --- discovery and decommission ----------------------------------------------------------------------
    def _reconcile(self, txn: Transaction, serial: str) -> None:
        ident = self.store.get(ident_dn(serial))
        wanted = self._wanted_dn(ident) if ident is not None else None
        for node in [n for n in self.store.of_class("fabricNode") if n.get("serial") == serial]:
            if node.dn != wanted and node.get("role") in SWITCH_ROLES:
                self._decommission(txn, node)
        if wanted is None:
            return
        node = self.store.get(wanted)
        if node is None:
            self._discover(txn, ident, wanted)
        elif ident.get("name") and node.get("name") != ident.get("name"):
            txn.modify(node, {"name": ident.get("name")})
            system = self.store.get(child_dn(wanted, "sys"))
            if system is not None:
                txn.modify(system, {"name": ident.get("name")})

    def _wanted_dn(self, ident: MO) -> str | None:
        """Where the registered switch lives once discovered; None while it cannot be (no id, no such pod)."""
        self._check(ident)
        node_id = ident.get("nodeId")
        pod = f"topology/pod-{ident.get('podId')}"
        if node_id in NO_NODE_ID or pod not in self.store:
            return None
        return f"{pod}/node-{node_id}"

    def _check(self, ident: MO) -> None:
        node_id, serial = ident.get("nodeId"), ident.get("serial")
        if node_id not in NO_NODE_ID:
            other = next((mo for mo in self.store.of_class("fabricNodeIdentP")
                          if mo.get("nodeId") == node_id and mo.get("serial") != serial), None)
            if other is not None:
                raise errors.bad_request(
                    f"Node ID {node_id} is already registered for serial number {other.get('serial')}: "
                    f"{ident.dn} cannot use it", VALIDATION_CODE)
            taken = next((mo for mo in self.store.of_class("fabricNode") if mo.get("id") == node_id
                          and mo.get("serial") != serial), None)
            if taken is not None:
                raise errors.bad_request(
                    f"Node ID {node_id} is already in use by {taken.dn}: {ident.dn} cannot use it", VALIDATION_CODE)
        if ident.get("nodeType") == REMOTE_LEAF and ident.get("extPoolId") in NO_POOL_ID:
            raise errors.bad_request(
                f"A remote leaf needs the id of its external TEP pool (extPoolId) in {ident.dn}", VALIDATION_CODE)

    def _discover(self, txn: Transaction, ident: MO, node_dn: str) -> None:
        address = self._free_address()
        if address is None:
            return  # the pod's TEP pool is full: the switch stays undiscovered
        pod, node_id = ident.get("podId"), ident.get("nodeId")
        role = ident.get("role") if ident.get("role") in SWITCH_ROLES else "leaf"
        name = ident.get("name") or node_name(role, int(node_id))
        node_type = ident.get("nodeType") or "unspecified"
        common = {"id": node_id, "name": name, "role": role, "serial": ident.get("serial"),
                  "version": SWITCH_VERSION, "address": address}
        system = {**common, "podId": pod, "state": "in-service", "fabricDomain": self.topology.fabric_domain,
                  "fabricId": ident.get("fabricId") or "1", "siteId": "0"}
        if node_type == REMOTE_LEAF:
            system["remoteNode"] = "yes"
        body = {"fabricNode": {
            "attributes": {**common, "model": SPINE_MODEL if role == "spine" else LEAF_MODEL,
                           "fabricSt": "active", "adSt": "on", "nodeType": node_type},
            "children": [{"topSystem": {"attributes": system}}]}}
        self._create(txn, parent_dn(node_dn), body)
        if role == "leaf":
            paths_dn, paths = leaf_paths_body(int(pod), int(node_id), self.topology.leaf_interfaces())
            self._create(txn, parent_dn(paths_dn), paths)

    def _decommission(self, txn: Transaction, node: MO) -> None:
        paths = f"{parent_dn(node.dn)}/paths-{node.get('id')}"
        txn.delete(node.dn)
        txn.delete(paths)

    def _free_address(self) -> str | None:
        """The first TEP of the pool no fabric node holds (the boot nodes hold the first ones)."""
        used = {node.get("address") for node in self.store.of_class("fabricNode")}
        tep = self.topology.tep
        ordinal = 0
        while True:
            try:
                address = str(tep.node_address(ordinal))
            except ValueError:
                return None
            if address not in used:
                return address
            ordinal += 1

    def _create(self, txn: Transaction, parent: str, body: Mapping[str, Any]) -> None:
        """Create one MO body ({cls: {attributes, children}}) and its children under `parent`."""
        ((cls, content),) = body.items()
        meta = self.catalog.get(cls)
        attrs = dict(content.get("attributes", {}))
        dn = child_dn(parent, meta.rn.format(attrs))
        txn.create(meta, dn, attrs)
        for child in content.get("children", ()):
            self._create(txn, dn, child)


def _serial_of(event: Event) -> str:
    mo = event.state or event.mo
    serial = mo.get("serial") if mo is not None else ""
    return serial or rn_of(event.dn).removeprefix(IDENT_PREFIX)


def _pod_of(node_dn: str) -> str:
    return rn_of(parent_dn(node_dn)).removeprefix("pod-")
