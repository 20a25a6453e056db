"""Which VLAN a VMM domain gives an EPG: the domain's VLAN pool, read from the tree.

A domain names its pool with infraRsVlanNs (uni/infra/vlanns-[<name>]-<allocMode>); the pool's blocks
(fvnsEncapBlk from-[vlan-X]-to-[vlan-Y]) each have an allocMode, `inherit` taking the pool's. Dynamic
allocation takes VLANs only from dynamic blocks; a static encap given on the association must lie in a
static block (vmm-endpoints-contracts.md C). Which free VLAN is taken first is not public: the simulator
takes the lowest free VLAN of the first block, blocks in ascending order of their first VLAN (the
`order` setting "lowest"; "highest" takes from the top). Two EPGs of one domain never share a VLAN.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..mit.store import Store

VLAN_PREFIX = "vlan-"


@dataclass(frozen=True)
class Block:
    first: int
    last: int
    mode: str  # dynamic | static, once `inherit` has taken the pool's


class PoolError(Exception):
    """No VLAN can be given; the message is the debug text of the EPG's fault."""


def vlan_number(encap: str) -> int | None:
    """42 for "vlan-42"; None for "unknown", "" or anything that is not a VLAN encap."""
    if encap.startswith(VLAN_PREFIX) and encap[len(VLAN_PREFIX):].isdigit():
        return int(encap[len(VLAN_PREFIX):])
    return None


def pool_dn(store: Store, domain_dn: str) -> str:
    rel = store.get(f"{domain_dn}/rsvlanNs")
    return rel.get("tDn") if rel is not None else ""


def blocks(store: Store, pool: str) -> list[Block]:
    """The pool's blocks in ascending order of their first VLAN."""
    mo = store.get(pool)
    if mo is None:
        return []
    pool_mode = mo.get("allocMode") or "dynamic"
    found = []
    for child in store.children(pool):
        if child.cls != "fvnsEncapBlk":
            continue
        first, last = vlan_number(child.get("from")), vlan_number(child.get("to"))
        if first is None or last is None:
            continue
        mode = child.get("allocMode") or "inherit"
        found.append(Block(min(first, last), max(first, last), pool_mode if mode == "inherit" else mode))
    return sorted(found, key=lambda b: (b.first, b.last))


def allocate(store: Store, domain_dn: str, pool: str, taken: set[int], static_encap: str = "",
             order: str = "lowest") -> tuple[int, str]:
    """(the VLAN, its allocMode) for one EPG of the domain; `taken` holds the VLANs its other EPGs have."""
    if not pool or store.get(pool) is None:
        raise PoolError(f"invalid-vlan-pool: the domain {domain_dn} has no VLAN pool")
    found = blocks(store, pool)
    wanted = vlan_number(static_encap)
    if wanted is not None:
        if not any(b.first <= wanted <= b.last and b.mode == "static" for b in found):
            raise PoolError(f"invalid-vlan: vlan-{wanted} :Either the EpG is not associated with a domain or "
                            "the domain does not have this vlan assigned to it")
        if wanted in taken:
            raise PoolError(f"encap-already-in-use: vlan-{wanted} is already used by another EPG of {domain_dn}")
        return wanted, "static"
    ordered = found if order == "lowest" else list(reversed(found))
    for block in ordered:
        if block.mode != "dynamic":
            continue
        span = range(block.first, block.last + 1) if order == "lowest" else range(block.last, block.first - 1, -1)
        for vlan in span:
            if vlan not in taken:
                return vlan, "dynamic"
    raise PoolError(f"encap-pool-exhausted: no free VLAN in the dynamic blocks of {pool}")
