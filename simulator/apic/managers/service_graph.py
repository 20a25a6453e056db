"""Deployed graph instances: what the APIC renders when a contract with a service graph is in use.

A contract (vzBrCP) whose subject carries a vzRsSubjGraphAtt to an existing graph (vnsAbsGraph), that is
both provided and consumed (fvRsProv / fvRsCons on EPGs or external EPGs, resolved to it by the relation
resolver), and for each of whose graph's function nodes a device context (vnsLDevCtx ldevCtx-c-<contract>-g-
<graph>-n-<node>, in the contract's tenant or in common) exists, gets a vnsGraphInst in the contract's tenant:
`GraphInst_C-[<contract dn>]-G-[<graph dn>]-S-[<scope dn>]` with a vnsNodeInst `NodeInst-<node>` per function
node (vmm-endpoints-contracts.md E). The scope is the VRF of the providing EPG when the contract's scope is
`context` (the default), else the contract's tenant (the research shows both forms; which scopes map to the
tenant is INFERRED). The instance is `configSt applied` when every node's device (the context's
vnsRsLDevCtxToLDev, a vnsLDevVip) has a concrete device (vnsCDev) whose interface has a path
(vnsRsCIfPathAtt); else `failed-to-apply`, and fault F1690 on each EPG that provides the contract, naming the
instance and the device that has no concrete device with a path. F1690 is the APIC's configuration-error fault
of rendered graphs ("Configuration is invalid due to ..."); a real APIC hangs it on a vnsConfIssue below the
instance, neither of which the catalog lets hold a fault: the providing EPG (fvAEPg, l3extInstP) is the nearest
object that can, and for the aci-containers controller it is the service's own external EPG, one per service.
Its placement and wording are INFERRED.

A store hook: any write that touches one of the pieces re-renders the instances of the tenants it touches
(and of tenant common, whose contracts other tenants consume), writing only what differs; an instance whose
pieces went is deleted. The classes are not configurable, so a client's POST of an instance is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from ..mit.dn import parent_dn
from ..mit.store import MO, Event, Store, Transaction
from .faults import FaultSpec, clear_fault, raise_fault

COMMON = "uni/tn-common"
PIECES = frozenset({"fvTenant", "vzBrCP", "vzSubj", "vzRsSubjGraphAtt", "fvRsProv", "fvRsCons", "vnsAbsGraph",
                    "vnsAbsNode", "vnsLDevCtx", "vnsRsLDevCtxToLDev", "vnsLDevVip", "vnsCDev", "vnsCIf",
                    "vnsRsCIfPathAtt", "fvRsCtx", "fvRsBd", "l3extRsEctx", "fvCtx", "vnsGraphInst"})
NO_DEVICE = FaultSpec(code="F1690", cause="configuration-failed", rule="vns-graph-inst-config-failed",
                      severity="major", type="config", subject="graph-inst", domain="tenant",
                      text="Configuration is invalid due to the device {device} of {instance} has no concrete device with a path")


class ServiceGraphRenderer:
    def __init__(self, store: Store, now: Callable[[], str]):
        self.store = store
        self.catalog = store.catalog
        self.now = now
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        tenants = {_tenant(e.dn) for e in events if e.cls in PIECES} - {""}
        if not tenants:
            return
        tenants.add(COMMON)
        wanted: dict[str, tuple[dict[str, str], list[tuple[str, dict[str, str]]], tuple | None]] = {}
        for tenant in tenants:
            for contract in self._contracts(tenant):
                wanted.update(self._render(contract))
        for mo in list(self.store.of_class("vnsGraphInst")):
            if _tenant(mo.dn) in tenants and mo.dn not in wanted:
                txn.delete(mo.dn)
        for dn, (attrs, nodes, _failure) in wanted.items():
            self._write(txn, dn, attrs, nodes)
        self._faults(txn, tenants, wanted)

    def _contracts(self, tenant: str) -> list[MO]:
        return [mo for mo in self.store.children(tenant) if mo.cls == "vzBrCP"]

    def _render(self, contract: MO) -> dict:
        """DN -> (instance attributes, [(node name, node attributes)], None or (the device lacking a path, the
        providing EPGs that carry the fault))."""
        out = {}
        for subj in (c for c in contract.child_list() if c.cls == "vzSubj"):
            att = next((c for c in subj.child_list() if c.cls == "vzRsSubjGraphAtt"), None)
            graph = self.store.get(att.get("tDn")) if att is not None else None
            if graph is None or graph.cls != "vnsAbsGraph":
                continue
            providers = [r for r in self.store.of_class("fvRsProv") if r.get("tDn") == contract.dn]
            if not providers or not any(r.get("tDn") == contract.dn for r in self.store.of_class("fvRsCons")):
                continue
            nodes = [n for n in graph.child_list() if n.cls == "vnsAbsNode"]
            devices = [self._device(contract, graph, n) for n in nodes]
            if not nodes or None in devices:
                continue
            missing = next((d for d in devices if not self._has_path(d)), "")
            tenant = _tenant(contract.dn)
            for scope in dict.fromkeys(self._scope(contract, tenant, r) for r in providers):
                dn = f"{tenant}/GraphInst_C-[{contract.dn}]-G-[{graph.dn}]-S-[{scope}]"
                attrs = {"ctrctDn": contract.dn, "graphDn": graph.dn, "scopeDn": scope, "ctrctName": contract.get("name"),
                         "graphName": graph.get("name"), "configSt": "failed-to-apply" if missing else "applied"}
                ctx_name = scope.rsplit("/ctx-", 1)[1] if "/ctx-" in scope else ""
                node_attrs = [(n.get("name"), {"name": n.get("name"), "funcType": n.get("funcType"),
                                               "isCopy": n.get("isCopy"), "routingMode": n.get("routingMode"),
                                               "ctxName": ctx_name}) for n in nodes]
                epgs = [parent_dn(r.dn) for r in providers if self._scope(contract, tenant, r) == scope]
                out[dn] = (attrs, node_attrs, (missing, epgs) if missing else None)
        return out

    def _device(self, contract: MO, graph: MO, node: MO) -> str | None:
        """The device DN of the node's device context (None: no context; "": a context without a device)."""
        rn = f"ldevCtx-c-{contract.get('name')}-g-{graph.get('name')}-n-{node.get('name')}"
        for home in dict.fromkeys((_tenant(contract.dn), COMMON)):
            ctx = self.store.get(f"{home}/{rn}")
            if ctx is not None:
                rel = self.store.get(f"{ctx.dn}/rsLDevCtxToLDev")
                return rel.get("tDn") if rel is not None else ""
        return None

    def _has_path(self, device_dn: str) -> bool:
        device = self.store.get(device_dn)
        if device is None or device.cls != "vnsLDevVip":
            return False
        return any(path.get("tDn") for cdev in device.child_list() if cdev.cls == "vnsCDev"
                   for cif in cdev.child_list() if cif.cls == "vnsCIf"
                   for path in cif.child_list() if path.cls == "vnsRsCIfPathAtt")

    def _scope(self, contract: MO, tenant: str, provider: MO) -> str:
        if (contract.get("scope") or "context") != "context":
            return tenant
        owner = self.store.get(parent_dn(provider.dn))
        vrf = self._vrf(owner) if owner is not None else ""
        return vrf or tenant

    def _vrf(self, epg: MO) -> str:
        """The VRF of an EPG (through its BD) or of an external EPG (through its L3Out)."""
        if epg.cls == "l3extInstP":
            rel = self.store.get(f"{parent_dn(epg.dn)}/rsectx")
        else:
            bd_rel = self.store.get(f"{epg.dn}/rsbd")
            bd = self.store.get(bd_rel.get("tDn")) if bd_rel is not None else None
            rel = self.store.get(f"{bd.dn}/rsctx") if bd is not None else None
        return rel.get("tDn") if rel is not None and rel.get("tDn") in self.store else ""

    def _write(self, txn: Transaction, dn: str, attrs: dict[str, str], nodes: list) -> None:
        inst = self.store.get(dn)
        if inst is None:
            inst = txn.create(self.catalog.get("vnsGraphInst"), dn, attrs)
        else:
            txn.modify(inst, attrs)
        names = {name for name, _ in nodes}
        for child in inst.child_list():
            if child.cls == "vnsNodeInst" and child.get("name") not in names:
                txn.delete(child.dn)
        for name, node_attrs in nodes:
            node_dn = f"{dn}/NodeInst-{name}"
            node = self.store.get(node_dn)
            if node is None:
                txn.create(self.catalog.get("vnsNodeInst"), node_dn, node_attrs)
            else:
                txn.modify(node, node_attrs)

    def _faults(self, txn: Transaction, tenants: set[str], wanted: dict) -> None:
        """F1690 on the providers of the instances that failed to apply; cleared on the others."""
        failing = {epg: (dn, device) for dn, (_, _, failure) in wanted.items() if failure
                   for device, epgs in (failure,) for epg in epgs}
        for fault in list(self.store.of_class("faultInst")):
            owner = parent_dn(fault.dn)
            if fault.get("code") == NO_DEVICE.code and _tenant(owner) in tenants and owner not in failing:
                clear_fault(txn, self.store, owner, NO_DEVICE.code)
        for epg, (dn, device) in failing.items():
            raise_fault(txn, self.store, epg, NO_DEVICE, self.now(), instance=dn, device=device)


def _tenant(dn: str) -> str:
    """The tenant DN a DN lives in ("" outside uni/tn-*)."""
    if not dn.startswith("uni/tn-"):
        return ""
    end = dn.find("/", 7)
    return dn if end < 0 else dn[:end]
