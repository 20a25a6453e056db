"""Which leaf ports carry an attachable entity profile (AEP), resolved through the access policies.

A real APIC deploys a pre-provisioned EPG on every port of every AEP that carries the EPG's domain
(vmm-endpoints-contracts.md C, PUV "VMM Domain LLDP/CDP Adjacency Status"), and it finds those ports
by walking the access policies from the AEP down to the switches:

    infraAttEntityP uni/infra/attentp-X
      <- infraRsAttEntP under a policy group: infraAccPortGrp uni/infra/funcprof/accportgrp-G (one port),
         infraAccBndlGrp uni/infra/funcprof/accbundle-G (lagT `link`: a port-channel, `node`: a vPC)
      <- infraRsAccBaseGrp under a port selector infraHPortS uni/infra/accportprof-P/hports-S-typ-range
         with its infraPortBlk (fromCard..toCard, fromPort..toPort)
      <- the interface profile infraAccPortP uni/infra/accportprof-P
      <- infraRsAccPortP under a leaf profile infraNodeP uni/infra/nprof-L
         with infraLeafS leaves-S-typ-range / infraNodeBlk (from_..to_)

The path names follow vmm-endpoints-contracts.md B3: a single port is `paths-N/pathep-[ethC/P]`, a
port-channel `paths-N/pathep-[G]`, a vPC `protpaths-N-M/pathep-[G]`. The leaves' pods are the fabricNode
objects the APIC holds under topology/pod-P. The two leaves of a vPC are those of a vPC protection group
(fabricExplicitGEp with two fabricNodePEp) when one pairs them, else the two leaves a vPC bundle is
configured on; a vPC bundle on any other set of leaves makes no vPC path (a real APIC raises a fault
there; not simulated). Inferred, no public source states it: a block spanning cards takes the ports
fromPort..toPort on every card fromCard..toCard; a port selector of type ALL takes every front-panel
port path (fabricPathEp) the APIC shows for the leaf; ports are named whether or not the leaf has them.

Pure reads of the store: callers hold its lock (a store hook does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...fabric.paths import parse_interface, path_dn, vpc_path_dn
from ..mit.dn import parent_dn, rn_of
from ..mit.store import MO, Store

INFRA = "uni/infra"
# the classes (and the properties of them) whose changes may change which ports carry an AEP
POLICY_CLASSES = frozenset({
    "infraAttEntityP", "infraRsDomP", "infraAccPortGrp", "infraAccBndlGrp", "infraRsAttEntP",
    "infraAccPortP", "infraHPortS", "infraPortBlk", "infraRsAccBaseGrp", "infraNodeP", "infraRsAccPortP",
    "infraLeafS", "infraNodeBlk", "fabricExplicitGEp", "fabricNodePEp", "fabricNode",
})
POLICY_PROPS = frozenset({"tDn", "lagT", "type", "fromCard", "toCard", "fromPort", "toPort", "from_", "to_",
                          "id", "role"})
_NODE = re.compile(r"topology/pod-(\d+)/node-(\d+)")
_PATH = re.compile(r"topology/pod-(\d+)/(?:paths-(\d+)|protpaths-(\d+)-(\d+))/pathep-\[.+\]")


def path_leaves(path: str) -> tuple[int, ...]:
    """The leaf node ids a path DN lives on: one for a port or port-channel, two for a vPC, none for a
    string that is no leaf path (what a host's LLDP neighbour that is not an ACI leaf advertises)."""
    match = _PATH.fullmatch(path)
    if match is None:
        return ()
    return tuple(int(n) for n in match.groups()[1:] if n is not None)


def leaf_pods(store: Store) -> dict[int, int]:
    """Leaf node id -> pod, from the fabricNode objects of the topology tree."""
    pods = {}
    for node in store.of_class("fabricNode"):
        match = _NODE.fullmatch(node.dn)
        if match and node.get("role") == "leaf":
            pods[int(match[2])] = int(match[1])
    return pods


def vpc_pairs(store: Store) -> dict[int, int]:
    """Leaf -> its vPC peer, from the explicit vPC protection groups that pair exactly two leaves."""
    peers: dict[int, int] = {}
    for group in store.of_class("fabricExplicitGEp"):
        ids = [_node_id(ep) for ep in group.child_list() if ep.cls == "fabricNodePEp"]
        ids = [n for n in ids if n is not None]
        if len(ids) == 2 and ids[0] != ids[1]:
            peers[ids[0]], peers[ids[1]] = ids[1], ids[0]
    return peers


def aep_ports(store: Store, aep_dn: str) -> set[str]:
    """The path DNs of every leaf port, port-channel and vPC whose policy group names the AEP."""
    pods = leaf_pods(store)
    peers = vpc_pairs(store)
    paths: set[str] = set()
    for rel in _pointing_at(store, "infraRsAttEntP", aep_dn):
        group = store.get(parent_dn(rel.dn))
        if group is None:
            continue
        placements = [(leaf, iface) for selector in _pointing_at(store, "infraRsAccBaseGrp", group.dn)
                      for leaf, iface in _selected(store, pods, store.get(parent_dn(selector.dn)))]
        if group.cls == "infraAccPortGrp":
            paths.update(path_dn(pods[leaf], leaf, iface) for leaf, iface in placements)
        elif group.cls == "infraAccBndlGrp":
            leaves = {leaf for leaf, _ in placements}
            name = group.get("name")
            if group.get("lagT") == "node":
                paths.update(vpc_path_dn(pods[a], (a, b), name) for a, b in _vpc_leaf_pairs(leaves, peers))
            else:
                paths.update(path_dn(pods[leaf], leaf, name) for leaf in leaves)
    return paths


def domain_aeps(store: Store, domain_dn: str) -> list[str]:
    """The AEPs with an infraRsDomP to the domain."""
    return [parent_dn(rel.dn) for rel in _pointing_at(store, "infraRsDomP", domain_dn)
            if rel.dn.startswith(INFRA + "/attentp-")]


def domain_ports(store: Store, domain_dn: str) -> set[str]:
    """Every leaf path of every AEP that carries the domain (where pre-provision deploys)."""
    return {path for aep in domain_aeps(store, domain_dn) for path in aep_ports(store, aep)}


def _pointing_at(store: Store, cls: str, target: str) -> list[MO]:
    return [rel for rel in store.of_class(cls) if rel.get("tDn") == target]


def _selected(store: Store, pods: dict[int, int], selector: MO | None) -> Iterable[tuple[int, str]]:
    """(leaf, interface) of every port a port selector picks on every leaf its interface profile is on."""
    if selector is None or selector.cls != "infraHPortS":
        return ()
    profile = parent_dn(selector.dn)
    leaves = sorted(leaf for leaf in _profile_leaves(store, profile) if leaf in pods)
    if selector.get("type") == "ALL":
        return [(leaf, iface) for leaf in leaves for iface in _leaf_interfaces(store, pods[leaf], leaf)]
    interfaces = [iface for blk in selector.child_list() if blk.cls == "infraPortBlk" for iface in _block(blk)]
    return [(leaf, iface) for leaf in leaves for iface in dict.fromkeys(interfaces)]


def _profile_leaves(store: Store, profile_dn: str) -> set[int]:
    """The leaves of every leaf profile (infraNodeP) that names the interface profile."""
    leaves: set[int] = set()
    for rel in _pointing_at(store, "infraRsAccPortP", profile_dn):
        for selector in store.children(parent_dn(rel.dn)):
            if selector.cls != "infraLeafS":
                continue
            for blk in selector.child_list():
                if blk.cls == "infraNodeBlk":
                    low, high = _numbers(blk.get("from_"), blk.get("to_"))
                    leaves.update(range(low, high + 1))
    return leaves


def _block(blk: MO) -> list[str]:
    first_card, last_card = _numbers(blk.get("fromCard"), blk.get("toCard"))
    first_port, last_port = _numbers(blk.get("fromPort"), blk.get("toPort"))
    return [f"eth{card}/{port}" for card in range(first_card, last_card + 1)
            for port in range(first_port, last_port + 1)]


def _leaf_interfaces(store: Store, pod: int, leaf: int) -> list[str]:
    names = [ep.get("name") for ep in store.children(f"topology/pod-{pod}/paths-{leaf}")]
    return [name for name in names if parse_interface(name) is not None]


def _vpc_leaf_pairs(leaves: set[int], peers: dict[int, int]) -> set[tuple[int, int]]:
    pairs = {tuple(sorted((leaf, peers[leaf]))) for leaf in leaves if peers.get(leaf) in leaves}
    unpaired = sorted(leaf for leaf in leaves if leaf not in peers)
    if not pairs and len(unpaired) == 2:
        pairs.add((unpaired[0], unpaired[1]))
    return pairs


def _numbers(low: str, high: str) -> tuple[int, int]:
    """A block's bounds; a missing or unreadable bound takes the other, so a block is never inverted."""
    a = int(low) if low.isdigit() else None
    b = int(high) if high.isdigit() else None
    a = a if a is not None else b if b is not None else 0
    b = b if b is not None else a
    return min(a, b), max(a, b)


def _node_id(ep: MO) -> int | None:
    value = ep.get("id") or rn_of(ep.dn).removeprefix("nodepep-")
    return int(value) if value.isdigit() else None
