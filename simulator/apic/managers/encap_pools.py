"""Encap blocks of the access pools: which encaps a block of a VLAN, VXLAN or VSAN pool may span.

A pool's blocks name their ends by encap: `from-[vlan-20]-to-[vlan-40]` (fvnsEncapBlk under fvnsVlanInstP),
`from-[vxlan-5000]-to-[vxlan-6000]` (fvnsEncapBlk under fvnsVxlanInstP), `vsanfrom-[vsan-20]-to-[vsan-40]`
(fvnsVsanEncapBlk under fvnsVsanInstP). The ranges are the ones the cisco.aci modules enforce before they
send anything, and the APIC answers accept (aci_encap_pool_range and its integration tests in ansible-aci
tests/integration/targets/aci_encap_pool_range/tasks/{vlan,vxlan,vsan}.yml): VLAN 1-4094, VXLAN
5000-16777215, VSAN 1-4093. A block is refused, and the write changes nothing, when an end is not an encap
of the pool's kind in that range, when it starts above its end, or when it shares an encap with another block
of the same pool. No recorded answer shows the APIC's wording for these: the wrong encap takes the APIC's
"unknown property value" text (the answer for a value a property cannot hold), the other two are worded
after it (inferred). Blocks under any other parent (vmmUsrCustomAggr) are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import errors
from ..mit.dn import parent_dn
from ..mit.store import MO, Event, Store, Transaction

BLOCK_CLASSES = frozenset({"fvnsEncapBlk", "fvnsVsanEncapBlk"})
VALIDATION_CODE = 120  # the code of the APIC's "unknown property value" answer


@dataclass(frozen=True)
class EncapRange:
    prefix: str  # the encap's kind as its text starts: "vlan-"
    first: int
    last: int

    def number(self, encap: str) -> int | None:
        """42 for "vlan-42" in a VLAN pool; None for anything that is no encap of this range."""
        digits = encap.removeprefix(self.prefix)
        if not encap.startswith(self.prefix) or not digits.isdigit() or digits != str(int(digits)):
            return None
        value = int(digits)
        return value if self.first <= value <= self.last else None


# pool class -> the encaps its blocks span
POOL_RANGES = {
    "fvnsVlanInstP": EncapRange("vlan-", 1, 4094),
    "fvnsVxlanInstP": EncapRange("vxlan-", 5000, 16777215),
    "fvnsVsanInstP": EncapRange("vsan-", 1, 4093),
}


class EncapBlockRules:
    """A store hook: refuses a block whose encaps its pool cannot hold."""

    def __init__(self, store: Store):
        self.store = store
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        for event in events:
            if event.cls not in BLOCK_CLASSES or event.kind == "deleted":
                continue
            if event.kind == "modified" and not {"from", "to"} & event.changed.keys():
                continue
            block = self.store.get(event.dn)
            pool = self.store.get(parent_dn(event.dn))
            if block is not None and pool is not None and pool.cls in POOL_RANGES:
                self._check(block, pool, POOL_RANGES[pool.cls])

    def _check(self, block: MO, pool: MO, span: EncapRange) -> None:
        bounds = []
        for prop in ("from", "to"):
            value = block.get(prop)
            number = span.number(value)
            if number is None:
                raise errors.bad_value(value, prop, block.cls, block.dn)
            bounds.append(number)
        first, last = bounds
        if first > last:
            raise errors.bad_request(
                f"Invalid encap block {block.dn}: from {block.get('from')} is above to {block.get('to')}",
                VALIDATION_CODE)
        for other in self.store.children(pool.dn):
            if other.dn == block.dn or other.cls != block.cls:
                continue
            low, high = span.number(other.get("from")), span.number(other.get("to"))
            if low is not None and high is not None and low <= last and first <= high:
                raise errors.bad_request(
                    f"Invalid encap block {block.dn}: it overlaps the encap block {other.dn} of {pool.dn}",
                    VALIDATION_CODE)
