"""What one good sync of a Red Hat VMM controller writes under its inventory controller
comp/prov-Redhat/ctrlr-[<dom>]-<name>: hosts with their NICs and LLDP adjacencies, VMs with their
NICs, the data center as the controller's logical switch with a port group (hvsExtPol) per EPG the
domain carries, and the inventory-side EPGs (compEpPD). One system write, built here as one body.

A host NIC that hears an ACI leaf over LLDP (Port Description = a path DN, research A4) gets an hvsAdj
(the leaf's system name, the port, the advertised path) that its compHpNic points at with
compRsNicAdj; a host with a NIC that hears no leaf gets F606391, as a real APIC raises it when it cannot
get the adjacency of a hypervisor's physical adapters (research A3). The RNs of hvsAdj and compEpPConn
and the oids used for RHV objects (the engine's ids; the data center's name for the switch) are
inferred (research A2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .faults import FaultSpec, cleared_body, fault_body
from .vmm_ports import Host, HostNic, Inventory, Vm

if TYPE_CHECKING:
    from ..mit.store import Store

F606391 = FaultSpec(
    code="F606391", cause="fsm-failed", rule="fsm-get-hp-nic-adj-fsm-fail", severity="major", type="config",
    subject="task-ifc-vmmmgr-comp-hv-get-hp-nic-adj", domain="infra",
    text="[FSM:FAILED]: Get LLDP/CDP adjacency information for the physical adapters on the host: "
         "{host}(TASK:ifc:vmmmgr:CompHvGetHpNicAdj)",
)
LEAF_PATH = "topology/"  # what an ACI leaf's Port Description starts with


@dataclass(frozen=True)
class CarriedNetwork:
    """An EPG's logical network as the controller carries it (after the sync provisioned it)."""

    epg: str
    name: str
    vlan: int
    network_id: str


def adjacency(nic: HostNic) -> dict[str, str] | None:
    """The hvsAdj attributes of a NIC that hears an ACI leaf, else None."""
    path = nic.lldp.get("Port Description", "")
    if not path.startswith(LEAF_PATH):
        return None
    return {"nbrKey": nic.lldp.get("System Name", ""), "ifId": nic.lldp.get("Port ID", ""), "portDesc": path,
            "nbrDesc": nic.lldp.get("System Description", ""), "nbrChassisId": nic.lldp.get("Chassis ID", "")}


def adj_rn(adj: dict[str, str]) -> str:
    return f"adj-[{adj['nbrKey']}]-[{adj['ifId']}]"


def host_paths(host: Host) -> list[str]:
    """The leaf paths facing a host, each once (both members of a vPC advertise the vPC's path)."""
    return list(dict.fromkeys(a["portDesc"] for a in map(adjacency, host.nics) if a is not None))


def stored_paths(store: Store, hv_dn: str) -> list[str]:
    """The leaf paths facing a host as the last read of it left them (its hvsAdj)."""
    return list(dict.fromkeys(mo.get("portDesc") for mo in store.children(hv_dn) if mo.cls == "hvsAdj"))


class InventoryTree:
    def __init__(self, store: Store, inv_dn: str, now: str):
        self.store = store
        self.inv_dn = inv_dn
        self.now = now
        self.data_center = ""

    def host_names(self) -> dict[str, str]:
        """Host id -> name of the hosts the controller holds now."""
        return {mo.get("oid"): mo.get("name") for mo in self.store.children(self.inv_dn) if mo.cls == "compHv"}

    def hv_dn(self, host_id: str) -> str:
        return f"{self.inv_dn}/hv-{host_id}"

    def vm_dn(self, vm_id: str) -> str:
        return f"{self.inv_dn}/vm-{vm_id}"

    def children(self, inventory: Inventory, carried: list[CarriedNetwork],
                 paths: dict[str, list[str]]) -> list[dict[str, Any]]:
        """Every child of the compCtrlr a snapshot gives; parts the snapshot could not read are kept."""
        out: list[dict[str, Any]] = []
        self.data_center = inventory.data_center
        if "hosts" not in inventory.partial:
            for host in inventory.hosts:
                out.append(self.host(host))
            out += self.gone(self.inv_dn, "compHv", "oid", {h.id for h in inventory.hosts})
        if "vms" not in inventory.partial:
            by_network = {c.name: c for c in carried}
            known_hosts = set(self.host_names()) | {h.id for h in inventory.hosts}
            for vm in inventory.vms:
                out.append(self.vm(vm, known_hosts, by_network, paths))
            out += self.gone(self.inv_dn, "compVm", "oid", {vm.id for vm in inventory.vms})
        out += self._switch(inventory.data_center, carried)
        out += [_child("compEpPD", epgPKey=c.epg, encap=f"vlan-{c.vlan}", name=c.name) for c in carried]
        out += self.gone(self.inv_dn, "compEpPD", "epgPKey", {c.epg for c in carried})
        return out

    def host(self, host: Host) -> dict[str, Any]:
        hv_dn = self.hv_dn(host.id)
        children, adjs, unheard = [], {}, False
        for nic in host.nics:
            adj = adjacency(nic)
            rel = []
            if adj is None:
                unheard = True
            else:
                adjs[adj_rn(adj)] = adj
                rel = [_child("compRsNicAdj", tDn=f"{hv_dn}/{adj_rn(adj)}")]
            rel += self._gone_rels(f"{hv_dn}/hpnic-{nic.name}", "compRsNicAdj",
                                   {f"{hv_dn}/{adj_rn(adj)}"} if adj else set())
            children.append(_child("compHpNic", rel, oid=nic.name, name=nic.name, mac=nic.mac.upper(), ip=nic.ip))
        children += self.gone(hv_dn, "compHpNic", "oid", {n.name for n in host.nics})
        children += [_child("hvsAdj", **adj) for adj in adjs.values()]
        children += [_child("hvsAdj", nbrKey=mo.get("nbrKey"), ifId=mo.get("ifId"), status="deleted")
                     for mo in self.store.children(hv_dn) if mo.cls == "hvsAdj" and mo.rn not in adjs]
        if unheard:
            children.append(fault_body(self.store, hv_dn, F606391, self.now, host=host.name))
        else:
            children.append(cleared_body(F606391.code))
        state = "poweredOn" if host.status in ("up", "preparing_for_maintenance") else "poweredOff"
        return _child("compHv", children, oid=host.id, name=host.name, mgmtIp=host.address, state=state,
                      availOperSt="maintenance" if host.status == "maintenance" else "available",
                      enteringMaintenance="yes" if host.status == "preparing_for_maintenance" else "no")

    def vm(self, vm: Vm, known_hosts: set[str], by_network: dict[str, CarriedNetwork],
            paths: dict[str, list[str]]) -> dict[str, Any]:
        vm_dn = self.vm_dn(vm.id)
        on = vm.powered_on and vm.host_id in known_hosts
        hv_dn = self.hv_dn(vm.host_id) if on else ""
        rel = _child("compRsHv", tDn=hv_dn) if on else _child("compRsHv", status="deleted")
        nics = []
        for nic in vm.nics:
            vnic_dn = f"{vm_dn}/vnic-{nic.mac.upper()}"
            carried = by_network.get(nic.network)
            conns = []
            if carried is not None and on and nic.plugged:
                port = ",".join(paths.get(vm.host_id, []))
                conns = [_child("compEpPConn", epgPKey=carried.epg, encap=f"vlan-{carried.vlan}", hostDn=hv_dn,
                                portDn=port),
                         _child("compRsDlPol", tDn=self.extpol_dn(carried))]
            else:
                conns = [_child("compRsDlPol", status="deleted")]
            keep = {carried.epg} if carried is not None and on and nic.plugged else set()
            conns += self.gone(vnic_dn, "compEpPConn", "epgPKey", keep)
            nics.append(_child("compVNic", conns, mac=nic.mac.upper(), name=nic.name, ip=nic.ips[0] if nic.ips else "",
                               operSt="up" if on and nic.plugged else "down", vmName=vm.name))
        nics += self.gone(vm_dn, "compVNic", "mac", {n.mac.upper() for n in vm.nics})
        return _child("compVm", [rel, *nics], oid=vm.id, name=vm.name, uuid=vm.id, type="virt",
                      state="poweredOn" if on else "poweredOff")

    def switch_dn(self, data_center: str) -> str:
        return f"{self.inv_dn}/sw-{data_center}"

    def extpol_dn(self, carried: CarriedNetwork) -> str:
        return f"{self.switch_dn(self.data_center)}/extpol-{carried.network_id}"

    def _switch(self, data_center: str, carried: list[CarriedNetwork]) -> list[dict[str, Any]]:
        """The data center as the controller's one logical switch, a port group per carried network."""
        sw_dn = self.switch_dn(data_center)
        pols = [_child("hvsExtPol", [_child("hvsRsEpPD", tDn=f"{self.inv_dn}/eppd-[{c.epg}]")],
                       oid=c.network_id, name=c.name, startEncap=f"vlan-{c.vlan}") for c in carried]
        pols += self.gone(sw_dn, "hvsExtPol", "oid", {c.network_id for c in carried})
        out = [_child("hvsLNode", pols, oid=data_center, name=data_center)]
        return out + self.gone(self.inv_dn, "hvsLNode", "oid", {data_center})

    def _gone_rels(self, parent: str, cls: str, keep: set[str]) -> list[dict[str, Any]]:
        return [_child(cls, tDn=mo.get("tDn"), status="deleted")
                for mo in self.store.children(parent) if mo.cls == cls and mo.get("tDn") not in keep]

    def gone(self, parent: str, cls: str, naming: str, keep: set[str]) -> list[dict[str, Any]]:
        """Deletions of the children of `cls` the engine no longer shows."""
        return [_child(cls, **{naming: mo.get(naming), "status": "deleted"})
                for mo in self.store.children(parent) if mo.cls == cls and mo.get(naming) not in keep]


def _child(cls: str, children: list[dict[str, Any]] | None = None, **attrs: str) -> dict[str, Any]:
    body: dict[str, Any] = {"attributes": attrs}
    if children:
        body["children"] = children
    return {cls: body}
