"""The engine's inventory: data centers, clusters, hosts, logical networks, vNIC profiles, VMs.

Plain data with the relations the engine keeps (a cluster belongs to a data center, a VM runs on
a host of its cluster, a VM NIC uses a profile of a network, a network attachment puts a logical
network on a host NIC). Behaviour lives elsewhere: every change goes through `Engine`'s
operations (`engine.py`), the state machines in `lifecycle.py`/`hosts.py`, the network rules in
`networking.py`. Entities are keyword-only dataclasses, so a snapshot (`fields_of`) and a restore
(`from_fields`) are generic.
"""

from __future__ import annotations

import dataclasses
import random
import re
import uuid
from dataclasses import dataclass, field

from .mac_pools import DEFAULT_MAC_POOL_ID
from .scheduling import DEFAULT_SCHEDULING_POLICY_ID

BLANK_TEMPLATE_ID = "00000000-0000-0000-0000-000000000000"
ROOT_TAG_ID = "00000000-0000-0000-0000-000000000000"
ID_NAMESPACE = uuid.UUID("6f1c3e2a-5d0b-4b7e-9a41-0c7e2b9d5a11")
DEFAULT_NETWORK_FILTER_ID = "5a55d534-0151-0329-0198-00000000039d"  # vdsm-no-mac-spoofing

RUNNING = ("powering_up", "up", "migrating", "powering_down", "paused", "wait_for_launch", "reboot_in_progress")


def stable_id(kind: str, key: str) -> str:
    """The id an inventory entity gets when its fixture names none: the same name, the same id."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{kind}:{key}"))


class IdFactory:
    """UUIDs for what is created at run time, from a seeded stream: same seed, same ids. The stream's
    position is part of the engine's state (`position`/`seek`), so a restored engine goes on where
    the saved one stopped and never hands out an id twice."""

    def __init__(self, seed: int | str = 0):
        self._rng = random.Random(f"rhv-ids:{seed}")
        self.position = 0

    def new(self) -> str:
        self.position += 1
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def seek(self, position: int) -> None:
        while self.position < position:
            self.new()


@dataclass
class Version:
    major: int
    minor: int
    build: int = 0
    revision: int = 0
    full: str = ""


@dataclass(kw_only=True)
class Named:
    id: str
    name: str
    description: str = ""


@dataclass(kw_only=True)
class DataCenter(Named):
    status: str = "up"
    local: bool = False
    storage_format: str = "v5"
    version: Version = field(default_factory=lambda: Version(4, 7))
    mac_pool_id: str = DEFAULT_MAC_POOL_ID


@dataclass(kw_only=True)
class Cluster(Named):
    data_center_id: str
    cpu_type: str = "Intel Cascadelake Server Family"
    architecture: str = "x86_64"
    version: Version = field(default_factory=lambda: Version(4, 7))
    switch_type: str = "legacy"
    mac_pool_id: str = DEFAULT_MAC_POOL_ID
    scheduling_policy_id: str = DEFAULT_SCHEDULING_POLICY_ID


@dataclass(kw_only=True)
class HostNic:
    """A host's network device: a physical NIC, or the VLAN device `<base>.<vlan>` the engine shows
    once a VLAN network is attached to `base`. `lldp` is what the NIC hears from its switch."""

    id: str
    name: str
    mac: str
    mtu: int = 1500
    speed: int = 10_000_000_000
    status: str = "up"
    ip: str = ""
    netmask: str = ""
    gateway: str = ""
    boot_protocol: str = "static"
    vlan: int | None = None
    base: str | None = None
    lldp: dict[str, str] | None = None


@dataclass(kw_only=True)
class NetworkAttachment:
    """A logical network on a host NIC (the physical one; a VLAN network also shows its VLAN device)."""

    id: str
    network_id: str
    nic_id: str


@dataclass(kw_only=True)
class Host:
    id: str
    name: str
    address: str
    cluster_id: str
    comment: str = ""
    status: str = "up"
    nics: list[HostNic] = field(default_factory=list)
    attachments: list[NetworkAttachment] = field(default_factory=list)
    cpu_type: str = "Intel Cascadelake Server Family"
    cpu_name: str = "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"
    cpu_speed: int = 2100
    sockets: int = 2
    cores: int = 20
    threads: int = 2
    memory: int = 256 * 1024**3
    serial: str = ""
    uuid: str = ""
    vdsm: Version = field(default_factory=lambda: Version(4, 50, 3, 4, "vdsm-4.50.3.4-1.el8ev"))
    spm: bool = False
    maintenance_reason: str = ""
    boot_time: int = 1767139200  # 2025-12-31T00:00:00Z, what VDSM reports as the machine's boot


@dataclass
class ClusterAttachment:
    """A logical network as one cluster sees it: required or not, and its roles there."""

    required: bool = False
    display: bool = False
    migration: bool = False
    management: bool = False
    default_route: bool = False


@dataclass(kw_only=True)
class Network(Named):
    data_center_id: str
    comment: str = ""
    vlan: int | None = None
    mtu: int = 0
    stp: bool = False
    vm: bool = True
    vdsm_name: str = ""
    port_isolation: bool = False
    labels: list[str] = field(default_factory=list)
    clusters: dict[str, ClusterAttachment] = field(default_factory=dict)

    def usages(self) -> list[str]:
        return ["vm"] if self.vm else []


@dataclass(kw_only=True)
class VnicProfile(Named):
    """`migratable` only means something (and only shows) on a pass-through profile; no
    `network_filter_id` means the profile filters nothing."""

    network_id: str
    pass_through: str = "disabled"
    port_mirroring: bool = False
    migratable: bool = False
    network_filter_id: str | None = DEFAULT_NETWORK_FILTER_ID


@dataclass(kw_only=True)
class VmNic:
    id: str
    name: str
    mac: str
    profile_id: str | None
    interface: str = "virtio"
    linked: bool = True
    plugged: bool = True
    ips: list[str] = field(default_factory=list)
    guest_name: str = ""


@dataclass(kw_only=True)
class Vm(Named):
    cluster_id: str
    status: str = "down"
    host_id: str | None = None
    comment: str = ""
    memory: int = 1024**3
    sockets: int = 1
    cores: int = 1
    threads: int = 1
    os_type: str = "rhel_8x64"
    fqdn: str = ""
    nics: list[VmNic] = field(default_factory=list)
    template_id: str = BLANK_TEMPLATE_ID
    creation_time: float = 0.0
    start_time: float | None = None
    stop_time: float | None = None
    affinity: str = "migratable"
    placement_host_ids: list[str] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.status in RUNNING


# entity kind (as the change feed names it) of each class; children are listed in their own changes
KINDS = {DataCenter: "data_center", Cluster: "cluster", Host: "host", HostNic: "host_nic",
         NetworkAttachment: "network_attachment", Network: "network", VnicProfile: "vnic_profile", Vm: "vm",
         VmNic: "vm_nic"}
CHILDREN = {"nics", "attachments"}
NESTED = {"version": Version, "vdsm": Version}


def plain(value):
    """A field's value as plain data: nested dataclasses (a version, a cluster attachment) as dicts."""
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return list(value)
    return value


def fields_of(entity) -> dict[str, object]:
    """A plain (JSON-ready) copy of an entity's own fields: what a change or a saved state carries."""
    return {f.name: plain(getattr(entity, f.name)) for f in dataclasses.fields(entity) if f.name not in CHILDREN}


def from_fields(cls, data: dict):
    """The entity `fields_of` described (children are added by the caller)."""
    values = dict(data)
    for name, nested in NESTED.items():
        if isinstance(values.get(name), dict):
            values[name] = nested(**values[name])
    if cls is Network:
        values["clusters"] = {k: ClusterAttachment(**v) for k, v in values.get("clusters", {}).items()}
    return cls(**values)


class Inventory:
    """Every entity by id, with the lookups the engine's queries make cheap."""

    TABLES = ("data_centers", "clusters", "hosts", "networks", "profiles", "vms")

    def __init__(self):
        self.data_centers: dict[str, DataCenter] = {}
        self.clusters: dict[str, Cluster] = {}
        self.hosts: dict[str, Host] = {}
        self.networks: dict[str, Network] = {}
        self.profiles: dict[str, VnicProfile] = {}
        self.vms: dict[str, Vm] = {}

    def replace_with(self, other: Inventory) -> None:
        """Take another inventory's entities in place (a reset keeps this object, so do its users)."""
        for table in self.TABLES:
            mine = getattr(self, table)
            mine.clear()
            mine.update(getattr(other, table))

    # --- lookups ---------------------------------------------------------------------------------
    def by_name(self, table: dict, name: str):
        for entity in table.values():
            if entity.name == name:
                return entity
        return None

    def clusters_of(self, dc_id: str) -> list[Cluster]:
        return [c for c in self.clusters.values() if c.data_center_id == dc_id]

    def hosts_of(self, cluster_id: str) -> list[Host]:
        return [h for h in self.hosts.values() if h.cluster_id == cluster_id]

    def vms_on(self, host_id: str) -> list[Vm]:
        return [v for v in self.vms.values() if v.host_id == host_id]

    def data_center_of_cluster(self, cluster_id: str) -> DataCenter:
        return self.data_centers[self.clusters[cluster_id].data_center_id]

    def networks_of(self, dc_id: str) -> list[Network]:
        return [n for n in self.networks.values() if n.data_center_id == dc_id]

    def cluster_networks(self, cluster_id: str) -> list[Network]:
        return [n for n in self.networks.values() if cluster_id in n.clusters]

    def management_network(self, cluster_id: str) -> Network | None:
        for network in self.cluster_networks(cluster_id):
            if network.clusters[cluster_id].management:
                return network
        return None

    def profiles_of(self, network_id: str) -> list[VnicProfile]:
        return [p for p in self.profiles.values() if p.network_id == network_id]

    def network_of_nic(self, nic: VmNic) -> Network | None:
        profile = self.profiles.get(nic.profile_id or "")
        return self.networks.get(profile.network_id) if profile else None

    def nics_using_profile(self, profile_id: str) -> list[tuple[Vm, VmNic]]:
        return [(vm, nic) for vm in self.vms.values() for nic in vm.nics if nic.profile_id == profile_id]

    def vms_using_network(self, network_id: str) -> list[Vm]:
        profile_ids = {p.id for p in self.profiles_of(network_id)}
        return [vm for vm in self.vms.values() if any(nic.profile_id in profile_ids for nic in vm.nics)]

    def macs_in_use(self) -> set[str]:
        return {nic.mac.lower() for vm in self.vms.values() for nic in vm.nics}

    def find_vm_nic(self, vm: Vm, nic_id: str) -> VmNic | None:
        return next((n for n in vm.nics if n.id == nic_id), None)

    def find_host_nic(self, host: Host, nic_id: str) -> HostNic | None:
        return next((n for n in host.nics if n.id == nic_id), None)

    def host_nic_named(self, host: Host, name: str) -> HostNic | None:
        return next((n for n in host.nics if n.name == name), None)

    def attachment_of(self, host: Host, network_id: str) -> NetworkAttachment | None:
        return next((a for a in host.attachments if a.network_id == network_id), None)

    def untagged_network(self, host: Host, nic: HostNic) -> Network | None:
        """The network a NIC itself carries: an untagged network attached to it, or a VLAN device's own."""
        if nic.vlan is not None:
            base = self.host_nic_named(host, nic.base or "")
            return next((self.networks[a.network_id] for a in host.attachments
                         if base and a.nic_id == base.id and self.networks[a.network_id].vlan == nic.vlan), None)
        return next((self.networks[a.network_id] for a in host.attachments
                     if a.nic_id == nic.id and self.networks[a.network_id].vlan is None), None)


def vdsm_name(name: str, network_id: str) -> str:
    """The bridge name VDSM gets: the name itself when it is a short device name, else `on` + the id.

    The engine's rule (NetworkUtils): names matching ^[0-9a-zA-Z_-]{1,15}$ are used as they are;
    any other name (an ACI `tenant|ap|epg`) becomes "on" + the first 13 alphanumerics of the UUID.
    """
    if re.fullmatch(r"[0-9a-zA-Z_-]{1,15}", name):
        return name
    return "on" + network_id.replace("-", "")[:13]
