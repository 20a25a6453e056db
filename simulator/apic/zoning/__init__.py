"""Contracts enforced as a leaf enforces them (VEC D1-D6): pcTags and VNIDs on the policy objects, zoning
rules on the leaves, and the verdict for a flow with the rule that decides it.

`Zoning(store)` registers the store hooks (tags, then leaf rules); `flow_verdict(store, src, dst, ...)`
answers from the same compiled rules the leaves hold; `ZoningError` is a flow that cannot be asked.
"""

from __future__ import annotations

from ..mit.store import Store
from .endpoints import ZoningError
from .leaves import LeafRules
from .tags import TagAllocator
from .verdict import flow_verdict


class Zoning:
    """The zoning managers of one APIC."""

    def __init__(self, store: Store):
        self.tags = TagAllocator(store)
        self.leaves = LeafRules(store)


__all__ = ["Zoning", "ZoningError", "flow_verdict"]
