"""The physical fabric: pods, controllers, spines and leaves, as the APIC's topology tree shows them.

Sizes come from a fixture (fixtures/fabric/*.yaml) or the defaults below: one pod, one
controller, two spines, four leaves, the numbering real fabrics use (controllers 1.., leaves
101.., spines 201..).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_VERSION = "6.1(4h)"
SWITCH_VERSION = "n9000-16.1(4h)"


@dataclass
class Topology:
    pods: int = 1
    controllers: int = 1
    spines: int = 2
    leaves: int = 4
    version: str = DEFAULT_VERSION
    fabric_domain: str = "ACI Fabric1"
    infra_vlan: int = 3967
    tep_pool: str = "10.0.0.0/16"

    @classmethod
    def from_file(cls, path: str | Path) -> Topology:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
        fabric = data.get("fabric", data)
        known = {k: fabric[k] for k in cls.__dataclass_fields__ if k in fabric}
        unknown = sorted(set(fabric) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"{path}: unknown fabric settings: {', '.join(unknown)}")
        topo = cls(**known)
        topo.validate()
        return topo

    def validate(self) -> None:
        for name in ("pods", "controllers", "spines", "leaves"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < (1 if name != "spines" else 0) or value > 99:
                raise ValueError(f"fabric {name} must be a whole number between 1 and 99, not {value!r}")
        if not (1 <= int(self.infra_vlan) <= 4094):
            raise ValueError(f"infra_vlan must be between 1 and 4094, not {self.infra_vlan}")

    def nodes(self) -> list[dict[str, str]]:
        """Every fabric node with the attributes fabricNode and topSystem share."""
        out = []
        tep = 32
        for pod in range(1, self.pods + 1):
            groups = (
                ("controller", "APIC-SERVER-L2", range(1, self.controllers + 1) if pod == 1 else ()),
                ("spine", "N9K-C9364C", range(200 + (pod - 1) * 1000 + 1, 200 + (pod - 1) * 1000 + self.spines + 1)),
                ("leaf", "N9K-C93180YC-FX", range(100 + (pod - 1) * 1000 + 1, 100 + (pod - 1) * 1000 + self.leaves + 1)),
            )
            for role, model, ids in groups:
                for node_id in ids:
                    tep += 1
                    name = f"apic{node_id}" if role == "controller" else f"{role}-{node_id}"
                    out.append(
                        {
                            "pod": str(pod),
                            "id": str(node_id),
                            "name": name,
                            "role": role,
                            "model": model,
                            "serial": f"SAL{pod:02d}{node_id:05d}",
                            "version": self.version if role == "controller" else SWITCH_VERSION,
                            "address": f"10.0.{(tep // 250)}.{tep % 250}",
                        }
                    )
        return out

    def boot_bodies(self) -> list[tuple[str, dict]]:
        """The topology subtree as (dn, body) pairs the controller writes at start."""
        bodies: list[tuple[str, dict]] = [("topology", {"fabricTopology": {"attributes": {}}})]
        # Fabric bring-up enables the infrastructure VLAN on the default AEP; acc-provision learns the
        # infra VLAN from this relation's encap (acc-provision.md §4, apic-rest.md §5 infraAttEntityP row).
        bodies.append(
            (
                "uni/infra/attentp-default",
                {
                    "infraAttEntityP": {
                        "attributes": {"name": "default"},
                        "children": [
                            {
                                "infraProvAcc": {
                                    "attributes": {"name": "provacc"},
                                    "children": [
                                        {
                                            "infraRsFuncToEpg": {
                                                "attributes": {
                                                    "tDn": "uni/tn-infra/ap-access/epg-default",
                                                    "encap": f"vlan-{self.infra_vlan}",
                                                    "mode": "regular",
                                                }
                                            }
                                        }
                                    ],
                                }
                            }
                        ],
                    }
                },
            )
        )
        for pod in range(1, self.pods + 1):
            bodies.append((f"topology/pod-{pod}", {"fabricPod": {"attributes": {"id": str(pod)}}}))
        for n in self.nodes():
            dn = f"topology/pod-{n['pod']}/node-{n['id']}"
            sys_children = []
            if n["role"] == "controller":
                sys_children.append(
                    {
                        "firmwareCtrlrFwStatusCont": {
                            "attributes": {},
                            "children": [
                                {"firmwareCtrlrRunning": {"attributes": {"version": self.version, "type": "controller"}}}
                            ],
                        }
                    }
                )
            bodies.append(
                (
                    dn,
                    {
                        "fabricNode": {
                            "attributes": {
                                "id": n["id"], "name": n["name"], "role": n["role"], "model": n["model"],
                                "serial": n["serial"], "version": n["version"], "address": n["address"],
                                "fabricSt": "active", "adSt": "on",
                            },
                            "children": [
                                {
                                    "topSystem": {
                                        "attributes": {
                                            "id": n["id"], "name": n["name"], "role": n["role"], "podId": n["pod"],
                                            "address": n["address"], "serial": n["serial"], "version": n["version"],
                                            "state": "in-service", "fabricDomain": self.fabric_domain,
                                            "fabricId": "1", "siteId": "0",
                                        },
                                        "children": sys_children,
                                    }
                                }
                            ],
                        }
                    },
                )
            )
        return bodies
