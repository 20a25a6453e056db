"""Fabric nodes: how a real ACI fabric numbers and names its controllers, spines and leaves.

Controllers are 1.. (all in pod 1), spines 201.. and leaves 101..; pod P's switches start 1000 ids
further on per pod (pod 2's leaves are 1101.., its spines 1201..), the scheme the multi-pod samples
in the research use (FABSEARCH: pod-2/paths-2101 is the same idea one pod further).
"""

from __future__ import annotations

from dataclasses import dataclass

CONTROLLER_MODEL = "APIC-SERVER-L2"
SPINE_MODEL = "N9K-C9364C"
LEAF_MODEL = "N9K-C93180YC-FX"
# The leaf's front panel: 48 SFP28 ports and 6 QSFP28 uplinks, eth1/1 to eth1/54, all on module 1.
LEAF_MODULE = 1
LEAF_PORTS = 54
SWITCH_VERSION = "n9000-16.1(4h)"


def leaf_ids(pod: int, count: int) -> range:
    return range(100 + (pod - 1) * 1000 + 1, 100 + (pod - 1) * 1000 + count + 1)


def spine_ids(pod: int, count: int) -> range:
    return range(200 + (pod - 1) * 1000 + 1, 200 + (pod - 1) * 1000 + count + 1)


def controller_ids(pod: int, count: int) -> range:
    """Controllers form one cluster, counted in pod 1."""
    return range(1, count + 1) if pod == 1 else range(0)


def node_name(role: str, node_id: int) -> str:
    """The switch's host name as the fabric shows it (`leaf-101`), the controller's as `apic1`."""
    return f"apic{node_id}" if role == "controller" else f"{role}-{node_id}"


@dataclass(frozen=True)
class FabricNode:
    """One node of the fabric with what fabricNode and topSystem both carry."""

    pod: int
    id: int
    role: str  # controller | spine | leaf
    model: str
    version: str
    address: str  # its TEP address

    @property
    def name(self) -> str:
        return node_name(self.role, self.id)

    @property
    def serial(self) -> str:
        return f"SAL{self.pod:02d}{self.id:05d}"

    @property
    def dn(self) -> str:
        return f"topology/pod-{self.pod}/node-{self.id}"

    def attributes(self) -> dict[str, str]:
        """The node as the APIC's boot tree and `Topology.nodes()` list it (all values strings)."""
        return {
            "pod": str(self.pod),
            "id": str(self.id),
            "name": self.name,
            "role": self.role,
            "model": self.model,
            "serial": self.serial,
            "version": self.version,
            "address": self.address,
        }
