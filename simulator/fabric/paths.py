"""Path DNs: how the APIC names the place on the fabric where a server is attached.

A port of one leaf is `topology/pod-P/paths-N/pathep-[eth1/X]`; a vPC is named after its interface
policy group, `topology/pod-P/protpaths-N-M/pathep-[name]`, with N < M (vmm-endpoints-contracts.md
§B3). EPG static bindings (`fvRsPathAtt`), endpoints (`fvRsCEpToPathEp`) and the leaves' LLDP Port
Description all carry these strings, so they are built in this one place.
"""

from __future__ import annotations

import re

INTERFACE = re.compile(r"eth([1-9][0-9]*)/([1-9][0-9]*)")
# an APIC object name (the vPC policy group's), as the catalog's name properties allow
POLICY_GROUP_NAME = re.compile(r"[a-zA-Z0-9_.:-]{1,64}")


def parse_interface(name: str) -> tuple[int, int] | None:
    """(module, port) of a front-panel interface name such as `eth1/33`, None for anything else."""
    match = INTERFACE.fullmatch(name)
    return (int(match[1]), int(match[2])) if match else None


def path_dn(pod: int, node: int, interface: str) -> str:
    return f"topology/pod-{pod}/paths-{node}/pathep-[{interface}]"


def vpc_path_dn(pod: int, leaves: tuple[int, int], name: str) -> str:
    a, b = sorted(leaves)
    return f"topology/pod-{pod}/protpaths-{a}-{b}/pathep-[{name}]"


def node_dn(pod: int, node: int) -> str:
    """What a leaf sends as its LLDP System Description (vmm-endpoints-contracts.md §A4)."""
    return f"topology/pod-{pod}/node-{node}"


def leaf_paths_body(pod: int, node: int, interfaces: list[str]) -> tuple[str, dict]:
    """The leaf's path container with one fabricPathEp per front-panel port (single, not aggregated)."""
    children = [
        {
            "fabricPathEp": {
                "attributes": {"name": name, "descr": "", "pathT": "leaf", "lagT": "not-aggregated"}
            }
        }
        for name in interfaces
    ]
    return (
        f"topology/pod-{pod}/paths-{node}",
        {"fabricPathEpCont": {"attributes": {"nodeId": str(node)}, "children": children}},
    )


def vpc_paths_body(pod: int, leaves: tuple[int, int], names: list[str]) -> tuple[str, dict]:
    """A vPC pair's path container with one fabricPathEp per vPC policy group cabled over it.

    `lagT node` is what a vPC bundle carries (infraAccBndlGrp); `pathT vpc` is inferred, no recorded
    protpaths object shows it."""
    a, b = sorted(leaves)
    children = [
        {"fabricPathEp": {"attributes": {"name": name, "descr": "", "pathT": "vpc", "lagT": "node"}}}
        for name in names
    ]
    return (
        f"topology/pod-{pod}/protpaths-{a}-{b}",
        {
            "fabricProtPathEpCont": {
                "attributes": {"nodeAId": str(a), "nodeBId": str(b)},
                "children": children,
            }
        },
    )
