"""The endpoints a Red Hat VMM controller reports: one fvCEp under an EPG for every NIC of a running VM
on the EPG's logical network, with what the fabric administrator looks for (vmm-endpoints-contracts.md
B1, B2): the VM's name (contName), its host (hostingServer, fvRsHyper), the controller
(reportingControllerName), the guest-reported IPs (fvIp), and the leaf ports facing the host
(fvRsCEpToPathEp, one per path) plus the relations to the VM and its NIC (fvRsToVm, fvRsVm,
fvRsToNic).

While a VM migrates the engine still names the source as its host, so the endpoint stays there; once
the VM is up on the destination the next sync moves fvRsHyper, hostingServer and the paths (the old
path is deleted and the new one created in one write, which the endpoint tracker records). A VM that
stops or goes, or a NIC that leaves the network or is unplugged, takes its endpoint with it.

`lcC` is "vmm" (learned from the controller) and `fabricPathDn` the first path facing the host, as if
the leaf had also learned it there; `vmmSrc` for RHV is not public (research B1): the setting
`RedhatVmmSettings.vmm_source`, default "rhev".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..mit.dn import parent_dn
from .access_policy import path_leaves
from .redhat_inventory import CarriedNetwork, InventoryTree, _child
from .vmm_ports import Vm, VmNic

if TYPE_CHECKING:
    from ..mit.store import MO, Store


class EndpointWriter:
    def __init__(self, store: Store, tree: InventoryTree, controller: str, vmm_source: str):
        self.store = store
        self.tree = tree
        self.controller = controller
        self.vmm_source = vmm_source

    def writes(self, vms: Iterable[Vm], hosts: dict[str, str], carried: list[CarriedNetwork],
               paths: dict[str, list[str]], only: set[str] | None = None) -> list[tuple[str, dict[str, Any]]]:
        """(EPG dn, body) system writes that bring the endpoints of `vms` up to date; `hosts` maps host
        ids to names. `only` (VM DNs) limits what is taken away to the endpoints of those VMs (a re-read
        of some VMs); without it every endpoint this controller reported and no VM has any more goes."""
        wanted: dict[str, dict[str, dict[str, Any]]] = {c.epg: {} for c in carried if self.store.get(c.epg)}
        by_network = {c.name: c for c in carried}
        for vm in vms:
            if not vm.powered_on or vm.host_id not in hosts:
                continue
            for nic in vm.nics:
                net = by_network.get(nic.network)
                if net is None or net.epg not in wanted or not nic.plugged:
                    continue
                wanted[net.epg][nic.mac.upper()] = self._endpoint(net, vm, nic, hosts[vm.host_id],
                                                                  paths.get(vm.host_id, []))
        for epg in self._reported_epgs():
            wanted.setdefault(epg, {})
        out = []
        for epg, endpoints in wanted.items():
            children = list(endpoints.values())
            children += [_child("fvCEp", mac=mo.get("mac"), status="deleted") for mo, vm_dn in self._ours(epg)
                         if mo.get("mac") not in endpoints and (only is None or vm_dn in only)]
            if children:
                out.append((epg, {"fvAEPg": {"attributes": {"status": "modified"}, "children": children}}))
        return out

    def _endpoint(self, net: CarriedNetwork, vm: Vm, nic: VmNic, host_name: str, paths: list[str]) -> dict[str, Any]:
        mac = nic.mac.upper()
        cep_dn = f"{net.epg}/cep-{mac}"
        encap = f"vlan-{net.vlan}"
        scope = self._scope(net.epg)
        first_path = paths[0] if paths else ""
        nodes = [str(n) for p in paths for n in path_leaves(p)]
        children = []
        for ip in nic.ips:
            reporting = [_child("fvReportingNode", id=n, lcC="vmm") for n in dict.fromkeys(nodes)]
            children.append(_child("fvIp", reporting, addr=ip, encap=encap, fabricPathDn=first_path, **scope))
        children += [_child("fvRsCEpToPathEp", tDn=p, lcC="vmm", forceResolve="yes") for p in paths]
        hv_dn, vm_dn = self.tree.hv_dn(vm.host_id), self.tree.vm_dn(vm.id)
        children += [_child("fvRsHyper", tDn=hv_dn), _child("fvRsToVm", tDn=vm_dn), _child("fvRsVm", tDn=vm_dn),
                     _child("fvRsToNic", tDn=f"{vm_dn}/vnic-{mac}")]
        children += self._stale(cep_dn, set(nic.ips), set(paths), hv_dn, vm_dn, f"{vm_dn}/vnic-{mac}")
        return _child("fvCEp", children, mac=mac, name=mac, encap=encap, lcC="vmm", vmmSrc=self.vmm_source,
                      contName=vm.name, hostingServer=host_name, reportingControllerName=self.controller,
                      id="0", fabricPathDn=first_path, **scope)

    def _stale(self, cep_dn: str, ips: set[str], paths: set[str], hv_dn: str, vm_dn: str,
               vnic_dn: str) -> list[dict[str, Any]]:
        """Deletions of what the endpoint no longer has: IPs, paths, an old host, VM or NIC."""
        keep = {"fvIp": ips, "fvRsCEpToPathEp": paths, "fvRsHyper": {hv_dn}, "fvRsToVm": {vm_dn},
                "fvRsToNic": {vnic_dn}}
        out = []
        for mo in self.store.children(cep_dn):
            if mo.cls not in keep:
                continue
            key = "addr" if mo.cls == "fvIp" else "tDn"
            if mo.get(key) not in keep[mo.cls]:
                out.append(_child(mo.cls, **{key: mo.get(key), "status": "deleted"}))
        return out

    def _scope(self, epg: str) -> dict[str, str]:
        rel = self.store.get(f"{epg}/rsbd")
        bd = rel.get("tDn") if rel is not None else ""
        ctx = self.store.get(f"{bd}/rsctx") if bd else None
        return {"baseEpgDn": epg, "bdDn": bd, "vrfDn": ctx.get("tDn") if ctx is not None else ""}

    def _reported_epgs(self) -> list[str]:
        """The EPGs holding an endpoint this controller reported (one whose VM is in its inventory)."""
        prefix = self.tree.inv_dn + "/"
        return list(dict.fromkeys(parent_dn(parent_dn(rel.dn)) for rel in self.store.of_class("fvRsToVm")
                                  if rel.get("tDn").startswith(prefix)))

    def _ours(self, epg: str) -> list[tuple[MO, str]]:
        """The EPG's endpoints this controller reported, each with the DN of its VM."""
        prefix = self.tree.inv_dn + "/"
        out = []
        for mo in self.store.children(epg):
            if mo.cls != "fvCEp":
                continue
            rel = next((c for c in self.store.children(mo.dn) if c.cls == "fvRsToVm"), None)
            if rel is not None and rel.get("tDn").startswith(prefix):
                out.append((mo, rel.get("tDn")))
        return out
