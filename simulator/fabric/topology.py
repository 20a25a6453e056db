"""The physical fabric: pods, controllers, spines and leaves, as the APIC's topology tree shows them.

Sizes come from a fabric file (fixtures/fabric/*.yaml, simulator/defaults/fabric.yaml) or the
defaults below: one pod, one controller, two spines, four leaves, numbered as real fabrics are
(nodes.py). The TEP pool gives every node its address (tep.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from .files import read_fabric_file
from .infra import infra_vlan_body
from .nodes import (
    CONTROLLER_MODEL,
    LEAF_MODEL,
    LEAF_MODULE,
    LEAF_PORTS,
    SPINE_MODEL,
    SWITCH_VERSION,
    FabricNode,
    controller_ids,
    leaf_ids,
    spine_ids,
)
from .paths import leaf_paths_body
from .tep import DEFAULT_TEP_NETWORK, TepPool

DEFAULT_VERSION = "6.1(4h)"


@dataclass
class Topology:
    pods: int = 1
    controllers: int = 1
    spines: int = 2
    leaves: int = 4
    version: str = DEFAULT_VERSION
    fabric_domain: str = "ACI Fabric1"
    infra_vlan: int = 3967
    tep_pool: str = DEFAULT_TEP_NETWORK

    @classmethod
    def from_file(cls, path: str | Path) -> Topology:
        """The topology of a fabric file (its cabling is `Fabric.from_file`'s)."""
        settings, _ = read_fabric_file(path)
        return cls.from_settings(settings, source=str(path))

    @classmethod
    def from_settings(cls, settings: dict, source: str = "fabric") -> Topology:
        names = {f.name for f in fields(cls)}
        unknown = sorted(map(str, set(settings) - names))
        if unknown:
            raise ValueError(f"{source}: unknown fabric settings: {', '.join(unknown)}")
        topo = cls(**settings)
        try:
            topo.validate()
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
        return topo

    def validate(self) -> None:
        for name in ("pods", "controllers", "spines", "leaves"):
            value = getattr(self, name)
            low = 0 if name == "spines" else 1
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 99:
                raise ValueError(f"fabric {name} must be a whole number between {low} and 99, not {value!r}")
        vlan = self.infra_vlan
        if isinstance(vlan, bool) or not isinstance(vlan, int) or not 1 <= vlan <= 4094:
            raise ValueError(f"infra_vlan must be between 1 and 4094, not {vlan!r}")
        self.tep.node_address(len(self._node_layout()) - 1)

    @property
    def tep(self) -> TepPool:
        return TepPool.parse(self.tep_pool)

    def _node_layout(self) -> list[tuple[int, str, int]]:
        """(pod, role, id) of every node in boot order: per pod its controllers, spines, then leaves."""
        out = []
        for pod in range(1, self.pods + 1):
            for role, ids in (
                ("controller", controller_ids(pod, self.controllers)),
                ("spine", spine_ids(pod, self.spines)),
                ("leaf", leaf_ids(pod, self.leaves)),
            ):
                out.extend((pod, role, node_id) for node_id in ids)
        return out

    def fabric_nodes(self) -> list[FabricNode]:
        tep = self.tep
        models = {"controller": CONTROLLER_MODEL, "spine": SPINE_MODEL, "leaf": LEAF_MODEL}
        return [
            FabricNode(
                pod=pod,
                id=node_id,
                role=role,
                model=models[role],
                version=self.version if role == "controller" else SWITCH_VERSION,
                address=str(tep.node_address(ordinal)),
            )
            for ordinal, (pod, role, node_id) in enumerate(self._node_layout())
        ]

    def nodes(self) -> list[dict[str, str]]:
        """Every fabric node with the attributes fabricNode and topSystem share."""
        return [node.attributes() for node in self.fabric_nodes()]

    def leaf_nodes(self) -> dict[int, FabricNode]:
        return {node.id: node for node in self.fabric_nodes() if node.role == "leaf"}

    def node(self, node_id: int) -> FabricNode | None:
        return next((node for node in self.fabric_nodes() if node.id == node_id), None)

    @staticmethod
    def leaf_interfaces() -> list[str]:
        """A leaf's front-panel interfaces, every one a path the APIC shows."""
        return [f"eth{LEAF_MODULE}/{port}" for port in range(1, LEAF_PORTS + 1)]

    def boot_bodies(self) -> list[tuple[str, dict]]:
        """The topology subtree as (dn, body) pairs the controller writes at start."""
        bodies: list[tuple[str, dict]] = [("topology", {"fabricTopology": {"attributes": {}}})]
        bodies.append(infra_vlan_body(self.infra_vlan))
        for pod in range(1, self.pods + 1):
            bodies.append((f"topology/pod-{pod}", {"fabricPod": {"attributes": {"id": str(pod)}}}))
        for node in self.fabric_nodes():
            bodies.append((node.dn, self._node_body(node)))
        return bodies

    def path_bodies(self) -> list[tuple[str, dict]]:
        """Every leaf's paths (`topology/pod-P/paths-N/pathep-[eth1/X]`) as (dn, body) pairs to boot with.

        A real APIC has a fabricPathEp for each front-panel port of each leaf; static bindings and
        endpoints name them."""
        interfaces = self.leaf_interfaces()
        return [leaf_paths_body(leaf.pod, leaf.id, interfaces) for leaf in self.leaf_nodes().values()]

    def _node_body(self, node: FabricNode) -> dict:
        attrs = node.attributes()
        sys_children = []
        if node.role == "controller":
            sys_children.append(
                {
                    "firmwareCtrlrFwStatusCont": {
                        "attributes": {},
                        "children": [
                            {
                                "firmwareCtrlrRunning": {
                                    "attributes": {"version": self.version, "type": "controller"}
                                }
                            }
                        ],
                    }
                }
            )
        return {
            "fabricNode": {
                "attributes": {
                    "id": attrs["id"],
                    "name": attrs["name"],
                    "role": attrs["role"],
                    "model": attrs["model"],
                    "serial": attrs["serial"],
                    "version": attrs["version"],
                    "address": attrs["address"],
                    "fabricSt": "active",
                    "adSt": "on",
                },
                "children": [
                    {
                        "topSystem": {
                            "attributes": {
                                "id": attrs["id"],
                                "name": attrs["name"],
                                "role": attrs["role"],
                                "podId": attrs["pod"],
                                "address": attrs["address"],
                                "serial": attrs["serial"],
                                "version": attrs["version"],
                                "state": "in-service",
                                "fabricDomain": self.fabric_domain,
                                "fabricId": "1",
                                "siteId": "0",
                            },
                            "children": sys_children,
                        }
                    }
                ],
            }
        }
