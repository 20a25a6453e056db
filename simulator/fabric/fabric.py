"""One fabric: its topology and its cabling, read from one fabric file.

This is what the lab builds the other systems' view of the wire from: the APIC boots with the
topology (and the paths), and every server NIC's LLDP neighbour goes to the system that owns the
server as plain data (`lldp_neighbours`), so no system imports the fabric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .cabling import Cabling, Link
from .files import read_fabric_file
from .lldp import LldpIdentity, leaf_port_identity
from .paths import vpc_paths_body
from .topology import Topology


@dataclass
class Fabric:
    topology: Topology = field(default_factory=Topology)
    cabling: Cabling = field(default_factory=Cabling)

    @classmethod
    def from_file(cls, path: str | Path) -> Fabric:
        settings, entries = read_fabric_file(path)
        topology = Topology.from_settings(settings, source=str(path))
        return cls(topology, Cabling.load(entries, topology, source=str(path)))

    def leaf_port_identity(self, leaf: int, interface: str) -> LldpIdentity:
        """What `leaf` sends on `interface`: a vPC member port advertises the vPC's path."""
        node = self.topology.leaf_nodes().get(leaf)
        if node is None:
            raise ValueError(f"leaf {leaf} is not in the fabric")
        advertised = next(
            (
                link.attachment.path_dn
                for link in self.cabling.links()
                if (link.port.leaf, link.port.interface) == (leaf, interface)
            ),
            None,
        )
        return leaf_port_identity(node.pod, leaf, interface, advertised)

    def neighbour(self, link: Link) -> LldpIdentity:
        return leaf_port_identity(link.port.pod, link.port.leaf, link.port.interface, link.attachment.path_dn)

    def lldp_neighbours(self) -> dict[tuple[str, str], dict[str, str]]:
        """What each cabled physical NIC hears, keyed by (server, NIC): the RHV Manager's host NICs
        show it, the APIC's adjacency follows it."""
        return {(link.server, link.nic): self.neighbour(link).as_neighbour() for link in self.cabling.links()}

    def path_bodies(self) -> list[tuple[str, dict]]:
        """Every path the APIC has for this fabric as (dn, body) pairs: each leaf port, and each cabled
        vPC (a vPC path exists once its policy group is deployed on the pair; the cabling says it is)."""
        by_pair: dict[tuple[int, int, int], list[str]] = {}
        for port in self.cabling.vpcs():
            by_pair.setdefault((port.pod, port.leaves[0], port.leaves[1]), []).append(port.policy_group)
        vpcs = [vpc_paths_body(pod, (a, b), names) for (pod, a, b), names in by_pair.items()]
        return [*self.topology.path_bodies(), *vpcs]

    def path_dns(self) -> set[str]:
        """The DN of every fabricPathEp `path_bodies` creates."""
        out = set()
        for dn, body in self.path_bodies():
            (container,) = body.values()
            out.update(
                f"{dn}/pathep-[{child['fabricPathEp']['attributes']['name']}]"
                for child in container["children"]
            )
        return out
