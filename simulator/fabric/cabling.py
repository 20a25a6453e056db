"""Cabling: which leaf port every server NIC is plugged into (RHV hosts, Kubernetes nodes, bare metal).

Loaded from a fabric file's `cabling:` list, one entry per server NIC:

    cabling:
      - {server: host1, nic: eno1, leaf: 101, port: eth1/1}
      - {server: db1, nic: bond0, vpc: [101, 102], port: eth1/10, members: [eno3, eno4]}

A single attachment names its `leaf`; a vPC names the two leaves of one pod (`vpc`), the port used on
each, the bond's two physical NICs (`members`, in the order of `vpc`: LLDP runs on physical links, a
bond has none of its own) and optionally the vPC interface policy group (`policy_group`, the vPC
path's name; `<server>-<nic>-vpc` when not given). The pod is the leaf's. Every mistake is refused at
load with one line naming the file and the entry, so a lab never starts with a cable that cannot be.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .nodes import LEAF_MODEL, LEAF_MODULE, LEAF_PORTS, FabricNode
from .paths import POLICY_GROUP_NAME, parse_interface, path_dn, vpc_path_dn
from .topology import Topology

KEYS = ("server", "nic", "leaf", "vpc", "port", "members", "policy_group")


@dataclass(frozen=True)
class LeafPort:
    """One front-panel port of one leaf: the fabric end of one cable."""

    pod: int
    leaf: int
    interface: str

    @property
    def path_dn(self) -> str:
        return path_dn(self.pod, self.leaf, self.interface)


@dataclass(frozen=True)
class Port:
    """Where a server NIC attaches: one leaf port, or a vPC over the same port of two leaves of a pod."""

    pod: int
    leaves: tuple[int, ...]  # one leaf, or the vPC pair in ascending order
    interface: str  # the port used on each leaf, e.g. eth1/10
    policy_group: str = ""  # a vPC's interface policy group: the name of its path

    @property
    def vpc(self) -> bool:
        return len(self.leaves) == 2

    @property
    def path_dn(self) -> str:
        """The path static bindings name, and LACP-bonded endpoints are learned on."""
        if self.vpc:
            return vpc_path_dn(self.pod, (self.leaves[0], self.leaves[1]), self.policy_group)
        return path_dn(self.pod, self.leaves[0], self.interface)

    @property
    def member_ports(self) -> tuple[LeafPort, ...]:
        """The physical ports (one, or one per vPC leaf): where a MAC-pinned bond's endpoints are learned."""
        return tuple(LeafPort(self.pod, leaf, self.interface) for leaf in self.leaves)


@dataclass(frozen=True)
class Link:
    """One cable, a server's physical NIC to a leaf port, and the attachment it belongs to."""

    server: str
    nic: str
    port: LeafPort
    attachment: Port


@dataclass(frozen=True)
class Attachment:
    """One cabling entry: a server NIC (a bond for a vPC) and where it lands."""

    server: str
    nic: str
    port: Port
    members: tuple[str, ...] = ()  # a vPC bond's physical NICs, one per leaf of `port.leaves`

    def links(self) -> list[Link]:
        nics = self.members or (self.nic,)
        return [
            Link(self.server, nic, leaf_port, self.port)
            for nic, leaf_port in zip(nics, self.port.member_ports, strict=True)
        ]


@dataclass
class Cabling:
    attachments: list[Attachment] = field(default_factory=list)

    @classmethod
    def load(cls, entries: object, topology: Topology, source: str = "fabric") -> Cabling:
        """Validate a `cabling:` list against the topology; a mistake is a ValueError of one line."""
        if not isinstance(entries, list):
            raise ValueError(
                f"{source}: 'cabling:' is a list of entries such as "
                "{server: host1, nic: eno1, leaf: 101, port: eth1/1}"
            )
        checker = _Checker(topology, source)
        return cls([checker.check(index, entry) for index, entry in enumerate(entries, start=1)])

    def __iter__(self) -> Iterator[Attachment]:
        return iter(self.attachments)

    def servers(self) -> list[str]:
        return list(dict.fromkeys(a.server for a in self.attachments))

    def for_server(self, server: str) -> dict[str, Port]:
        """The server's cabled NICs (a vPC under its bond's name) and where each lands."""
        return {a.nic: a.port for a in self.attachments if a.server == server}

    def links(self) -> list[Link]:
        """Every physical cable, vPC members one by one."""
        return [link for a in self.attachments for link in a.links()]

    def vpcs(self) -> list[Port]:
        return [a.port for a in self.attachments if a.port.vpc]


def _leaf_ranges(leaves: list[int]) -> str:
    """`101-104, 1101-1104`: a fabric's leaves named compactly for an error message."""
    spans: list[list[int]] = []
    for leaf in sorted(leaves):
        if spans and leaf == spans[-1][1] + 1:
            spans[-1][1] = leaf
        else:
            spans.append([leaf, leaf])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


class _Checker:
    """The checks of one load: an entry's own shape, then what it shares with the entries before it."""

    def __init__(self, topology: Topology, source: str):
        self.source = source
        self.nodes = {node.id: node for node in topology.fabric_nodes()}
        self.leaves = {i: n for i, n in self.nodes.items() if n.role == "leaf"}
        self.nics: dict[tuple[str, str], int] = {}
        self.ports: dict[tuple[int, str], tuple[int, str, str]] = {}
        self.pair_of: dict[int, tuple[int, int]] = {}
        self.vpc_paths: dict[str, int] = {}

    def check(self, index: int, entry: object) -> Attachment:
        where = f"{self.source}: cabling entry {index}"

        def fail(problem: str) -> ValueError:
            return ValueError(f"{where}: {problem}")

        if not isinstance(entry, dict):
            raise fail(
                f"is {entry!r}, not a mapping such as {{server: host1, nic: eno1, leaf: 101, port: eth1/1}}"
            )
        unknown = sorted(map(str, set(entry) - set(KEYS)))
        if unknown:
            raise fail(f"unknown keys: {', '.join(unknown)} (known: {', '.join(KEYS)})")
        for key in ("server", "nic"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise fail(f"needs '{key}:' naming the server's {'NIC' if key == 'nic' else 'name'}")
        server, nic = entry["server"], entry["nic"]
        where = f"{where} ({server} {nic})"
        if ("leaf" in entry) == ("vpc" in entry):
            raise fail(
                "needs either 'leaf: N' (one port) or 'vpc: [N, M]' (a vPC pair), not "
                + ("both" if "leaf" in entry else "neither")
            )
        interface = entry.get("port")
        if not isinstance(interface, str) or parse_interface(interface) is None:
            raise fail(f"port {interface!r} is not a leaf interface such as eth1/1")
        if "leaf" in entry:
            for key in ("members", "policy_group"):
                if key in entry:
                    raise fail(f"'{key}:' belongs to a vPC entry ('vpc: [N, M]')")
            leaf = self._leaf(entry["leaf"], fail)
            attachment = Attachment(server, nic, Port(leaf.pod, (leaf.id,), interface))
        else:
            attachment = self._vpc(server, nic, interface, entry, fail)
        self._check_interface(attachment.port, fail)
        self._claim(index, attachment, fail)
        return attachment

    def _leaf(self, value: object, fail) -> FabricNode:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(f"leaf {value!r} is not a node id such as 101")
        if value in self.leaves:
            return self.leaves[value]
        if value in self.nodes:
            raise fail(f"node {value} is a {self.nodes[value].role}, not a leaf")
        raise fail(f"leaf {value} is not in the fabric (its leaves: {_leaf_ranges(list(self.leaves))})")

    def _vpc(self, server: str, nic: str, interface: str, entry: dict, fail) -> Attachment:
        pair = entry["vpc"]
        if not isinstance(pair, list) or len(pair) != 2:
            raise fail(f"vpc {pair!r} is not a pair of leaves such as [101, 102]")
        if pair[0] == pair[1]:
            raise fail(f"vpc names leaf {pair[0]} twice: a vPC pair is two different leaves")
        a, b = (self._leaf(value, fail) for value in pair)
        if a.pod != b.pod:
            raise fail(
                f"vpc leaves {a.id} and {b.id} are in pods {a.pod} and {b.pod}: "
                "a vPC pair is two leaves of one pod"
            )
        members = entry.get("members")
        if (
            not isinstance(members, list)
            or len(members) != 2
            or not all(isinstance(m, str) and m for m in members)
            or members[0] == members[1]
            or nic in members
        ):
            raise fail(
                f"members {members!r} must name the bond's two physical NICs, one per leaf of the vpc "
                "in its order, e.g. members: [eno3, eno4]"
            )
        name = entry.get("policy_group", f"{server}-{nic}-vpc")
        if not isinstance(name, str) or not POLICY_GROUP_NAME.fullmatch(name):
            raise fail(f"policy_group {name!r} is not an APIC name (letters, digits, _ . : -, at most 64)")
        leaves = (a.id, b.id)
        if a.id > b.id:  # the path names the lower leaf first; members stay with their leaves
            leaves, members = (b.id, a.id), [members[1], members[0]]
        return Attachment(server, nic, Port(a.pod, leaves, interface, name), tuple(members))

    def _check_interface(self, port: Port, fail) -> None:
        module, number = parse_interface(port.interface)
        if module != LEAF_MODULE or number > LEAF_PORTS:
            raise fail(
                f"leaf {port.leaves[0]} ({LEAF_MODEL}) has no {port.interface}: its ports are "
                f"eth{LEAF_MODULE}/1 to eth{LEAF_MODULE}/{LEAF_PORTS}"
            )

    def _claim(self, index: int, attachment: Attachment, fail) -> None:
        """Refuse what an earlier entry already holds: a NIC, a leaf port, a leaf's vPC pair, a vPC path."""
        port = attachment.port
        for nic in (attachment.nic, *attachment.members):
            earlier = self.nics.get((attachment.server, nic))
            if earlier is not None:
                raise fail(f"{attachment.server} {nic} is already cabled by entry {earlier}")
        for leaf in port.leaves:
            earlier_port = self.ports.get((leaf, port.interface))
            if earlier_port is not None:
                at, server, nic = earlier_port
                raise fail(f"leaf {leaf} {port.interface} is already cabled to {server} {nic} (entry {at})")
        if port.vpc:
            pair = (port.leaves[0], port.leaves[1])
            for leaf in pair:
                other = self.pair_of.get(leaf)
                if other is not None and other != pair:
                    raise fail(
                        f"leaf {leaf} is already in vPC pair {other[0]}-{other[1]}: a leaf has one vPC peer"
                    )
            earlier = self.vpc_paths.get(port.path_dn)
            if earlier is not None:
                raise fail(f"vPC path {port.path_dn} is already cabled by entry {earlier}")
            self.pair_of.update({leaf: pair for leaf in pair})
            self.vpc_paths[port.path_dn] = index
        for nic in (attachment.nic, *attachment.members):
            self.nics[(attachment.server, nic)] = index
        for link in attachment.links():
            self.ports[(link.port.leaf, link.port.interface)] = (index, link.server, link.nic)
