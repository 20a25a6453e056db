"""A scripted Red Hat VMM lab for the manager's tests: an APIC on a manual clock, a reactions queue run by
hand, and an inventory source that answers what the test says and records how it was called."""

from __future__ import annotations

from simulator.apic.managers.vmm_ports import (
    Changes,
    ControllerEndpoint,
    ControllerError,
    Delta,
    Host,
    HostNic,
    Inventory,
    LogicalNetwork,
    NetworkInUse,
    ProductInfo,
    Vm,
    VmNic,
)
from simulator.apic.managers.vmm_redhat import RedhatVmm, RedhatVmmSettings
from simulator.apic.mit.proposed import proposed_mo
from simulator.apic.service import Apic
from simulator.clock import ManualClock
from simulator.reactions import Reactions

DOMAIN = "uni/vmmp-Redhat/dom-rhv"
CTRLR = f"{DOMAIN}/ctrlr-engine"
INV = "comp/prov-Redhat/ctrlr-[rhv]-engine"
PRODUCT = ProductInfo("Red Hat Virtualization Manager", "Red Hat", "4.5.3.5-1.el8ev", "4.5")


def lldp(leaf: int, port: str) -> dict[str, str]:
    """What a host NIC cabled to an ACI leaf port hears (the TLVs the oVirt client reads)."""
    return {"Chassis ID": "00:3a:9c:01:00:65", "Port ID": port, "System Name": f"leaf-{leaf}",
            "Port Description": f"topology/pod-1/paths-{leaf}/pathep-[{port}]",
            "System Description": f"topology/pod-1/node-{leaf}"}


def host(oid: str, *nics: str, heard: bool = True) -> Host:
    """A host whose n-th NIC is cabled to leaf 101+n (or to nothing the APIC knows)."""
    return Host(oid, f"name-{oid}", "192.0.2.1", "up",
                tuple(HostNic(n, n, f"00:1a:4a:00:00:0{i}", "", lldp(101 + i, f"eth1/{oid[-1]}") if heard else {})
                      for i, n in enumerate(nics)))


def vm(oid: str, host: str, *macs: str, network: str = "net", ips: tuple[str, ...] = ()) -> Vm:
    return Vm(oid, f"name-{oid}", "up" if host else "down", host,
              tuple(VmNic(m, f"nic{i}", m, network, None, ips) for i, m in enumerate(macs)))


class Script:
    """An inventory source that answers what the test says and records whether the store was locked."""

    def __init__(self, apic: Apic):
        self.apic = apic
        self.answer: Inventory | ControllerError = Inventory(PRODUCT, "Default", ("Default",), (), (), 0)
        self.seen: list[ControllerEndpoint] = []
        self.locked: list[bool] = []
        self.during = lambda: None
        self.newest = 0
        self.polled: list[int] = []
        self.networks: dict[str, tuple[str, int]] = {}  # name -> (id, vlan) the engine carries
        self.in_use: set[str] = set()  # networks a VM NIC uses: removal refused
        self.calls: list[tuple[str, str]] = []
        self.named: Changes | None = None
        self.some: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

    def fetch(self, endpoint: ControllerEndpoint) -> Inventory:
        self.seen.append(endpoint)
        self.locked.append(self.apic.store.lock._is_owned())
        self.during()
        if isinstance(self.answer, ControllerError):
            raise self.answer
        return self.answer

    def changes(self, endpoint: ControllerEndpoint, after: int) -> Changes:
        """`named` (set by the test) names what changed; otherwise an event newer than `after` is whole."""
        self.polled.append(after)
        if self.named is not None:
            named, self.named = self.named, None
            return named
        return Changes(max(self.newest, after), whole=self.newest > after)

    def fetch_some(self, endpoint: ControllerEndpoint, vm_ids: tuple[str, ...], host_ids: tuple[str, ...]) -> Delta:
        self.some.append((vm_ids, host_ids))
        self.locked.append(self.apic.store.lock._is_owned())
        if isinstance(self.answer, ControllerError):
            raise self.answer
        hosts = tuple(h for h in self.answer.hosts if h.id in host_ids)
        vms = tuple(v for v in self.answer.vms if v.id in vm_ids)
        return Delta(hosts, vms, tuple(sorted(set(host_ids) - {h.id for h in hosts})),
                     tuple(sorted(set(vm_ids) - {v.id for v in vms})))

    def ensure_network(self, endpoint: ControllerEndpoint, network: LogicalNetwork) -> str:
        self.calls.append(("ensure", network.name))
        self.locked.append(self.apic.store.lock._is_owned())
        if isinstance(self.answer, ControllerError):
            raise self.answer
        net_id = self.networks.get(network.name, (f"net-{len(self.networks) + 1}", 0))[0]
        self.networks[network.name] = (net_id, network.vlan)
        return net_id

    def remove_network(self, endpoint: ControllerEndpoint, name: str) -> None:
        self.calls.append(("remove", name))
        if name in self.in_use:
            raise NetworkInUse(f"Cannot remove Logical Network. {name} is used by VMs")
        self.networks.pop(name, None)


def scripted_lab(password: str = "pw", credential: bool = True):
    clock = ManualClock(1_800_000_000.0)
    apic = Apic(clock=clock)
    reactions = Reactions()
    source = Script(apic)
    RedhatVmm(apic, source, reactions.queue, RedhatVmmSettings(resync_seconds=30, event_poll_seconds=10))
    children = [{"vmmUsrAccP": {"attributes": {"name": "cred", "usr": "admin@internal", "pwd": password}}}]
    attrs = {"name": "engine", "hostOrIp": "rhvm.example", "rootContName": "Default"}
    ctrlr: dict = {"vmmCtrlrP": {"attributes": attrs}}
    if credential:
        ctrlr["vmmCtrlrP"]["children"] = [{"vmmRsAcc": {"attributes": {"tDn": f"{DOMAIN}/usracc-cred"}}}]
    domain = {"vmmDomP": {"attributes": {"name": "rhv"}, "children": [*children, ctrlr]}}
    apic.writer.post(DOMAIN, proposed_mo(domain))
    return apic, clock, reactions, source


