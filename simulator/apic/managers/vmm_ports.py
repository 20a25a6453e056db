"""What the APIC's VMM managers need from a hypervisor manager, in the APIC's own vendor-neutral terms.

The APIC side owns these types so it imports nothing of the systems it manages: an adapter (an HTTP
client of the oVirt API, or anything else that can describe a data center) fills them in, and the
manager only ever sees plain, frozen values. A snapshot is what one sync saw, whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class ControllerEndpoint:
    """Where and as whom the APIC reaches one controller (from vmmCtrlrP and its vmmUsrAccP)."""

    host: str
    port: int  # 0: the protocol's default
    data_center: str  # vmmCtrlrP.rootContName
    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class ProductInfo:
    name: str  # "Red Hat Virtualization Manager"
    vendor: str  # "Red Hat"
    version: str  # the full version, "4.5.3.5-1.el8ev"
    api_version: str  # "<major>.<minor>"


@dataclass(frozen=True)
class HostNic:
    id: str
    name: str
    mac: str
    ip: str
    lldp: dict[str, str]  # what the NIC hears: TLV name ("Port Description") -> value


@dataclass(frozen=True)
class Host:
    id: str
    name: str
    address: str
    status: str
    nics: tuple[HostNic, ...]
    cluster: str = ""  # the name of the host's cluster


@dataclass(frozen=True)
class VmNic:
    id: str
    name: str
    mac: str
    network: str  # the logical network of its vNIC profile ("" when unplugged from any)
    vlan: int | None
    ips: tuple[str, ...]  # as the guest agent reports them
    plugged: bool = True  # an unplugged NIC is no endpoint (its VM keeps it, down)


@dataclass(frozen=True)
class Vm:
    id: str
    name: str
    status: str  # the manager's own word: up, down, migrating, ...
    host_id: str  # "" when it runs nowhere
    nics: tuple[VmNic, ...]

    @property
    def powered_on(self) -> bool:
        return bool(self.host_id)


@dataclass(frozen=True)
class Inventory:
    product: ProductInfo
    data_center: str
    clusters: tuple[str, ...]
    hosts: tuple[Host, ...]
    vms: tuple[Vm, ...]
    last_event: int  # the newest event id seen, for a later poll with from=
    # the parts that could not be read ("hosts", "vms"): their tuples are empty, and the APIC keeps what it
    # had of them and raises F0132 (partial inventory) rather than deleting them
    partial: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogicalNetwork:
    """What the APIC asks a controller to carry for one EPG: a VLAN-tagged network of its data center,
    with a vNIC profile of the same name, attached (not required) to every cluster of the data center."""

    name: str
    vlan: int
    description: str


@dataclass(frozen=True)
class Changes:
    """What the controller's events since a poll's position say changed in the data center."""

    last_event: int  # the newest event id seen (the position of the next poll)
    vms: tuple[str, ...] = ()  # ids of VMs an event named
    hosts: tuple[str, ...] = ()  # ids of hosts an event named (and no VM)
    whole: bool = False  # an event that names neither (a network, a cluster, ...): read everything again

    @property
    def any(self) -> bool:
        return self.whole or bool(self.vms or self.hosts)


@dataclass(frozen=True)
class Delta:
    """A re-read of some objects of the data center: what they are now, and those the engine no longer
    has there (deleted, or moved to another data center)."""

    hosts: tuple[Host, ...]
    vms: tuple[Vm, ...]
    gone_hosts: tuple[str, ...]
    gone_vms: tuple[str, ...]


class ControllerError(Exception):
    """The controller could not be read: unreachable, refused the credentials, or has no such data
    center. The message is short and goes into the fault's text as a real APIC quotes its error."""


class DataCenterNotFound(ControllerError):
    """The controller answered, but has no data center of the vmmCtrlrP's rootContName (F606262)."""


class NetworkInUse(ControllerError):
    """The controller refused to remove a logical network because a VM NIC still uses it."""


class InventorySource(Protocol):
    """Reads and provisions one controller over the wire; every method raises ControllerError."""

    def fetch(self, endpoint: ControllerEndpoint) -> Inventory:
        """The whole inventory of the endpoint's data center."""
        ...

    def changes(self, endpoint: ControllerEndpoint, after: int) -> Changes:
        """What the events after the id `after` changed in the endpoint's data center (events of other
        data centers and sign-ins/outs ignored); `last_event` is `after` when there is nothing new."""
        ...

    def fetch_some(self, endpoint: ControllerEndpoint, vm_ids: tuple[str, ...],
                   host_ids: tuple[str, ...]) -> Delta:
        """Those VMs and hosts as the engine has them now (as `fetch` would return them)."""
        ...

    def ensure_network(self, endpoint: ControllerEndpoint, network: LogicalNetwork) -> str:
        """Make the data center carry `network` (create it, or correct its VLAN, profile and cluster
        attachments) and return its id; asking again for what is already there changes nothing."""
        ...

    def remove_network(self, endpoint: ControllerEndpoint, name: str) -> None:
        """Remove the data center's logical network `name` (gone already: nothing to do); NetworkInUse
        when the controller refuses because a VM NIC still uses it."""
        ...


# Queue work to run later, outside every lock (the lab's reactions): a description for logs, the work.
Schedule = Callable[[str, Callable[[], None]], None]
