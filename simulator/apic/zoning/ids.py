"""Rule and filter ids of the leaves: numbers the APIC gives once and keeps.

Confirmed (VEC D1): rule ids are 4096 and up; filter ids are numbers, the implicit filters keep a name
(implicit, implarp, default). Chosen here: both are counted up in the order they are first needed (so the
same configuration written in the same order gets the same ids) and kept for as long as the lab runs (a reset of the controller, which deletes `uni`, starts them again); a
filter's port-reversed twin (revFltPorts) and its stateful provider-to-consumer twin have ids of their own; filter numbers start at 5.
"""

from __future__ import annotations

import weakref

from ..mit.store import Store

FIRST_RULE_ID = 4096
FIRST_FILTER_ID = 5


class ZoningIds:
    def __init__(self):
        # compiled scopes the verdict keeps between calls, by VRF; only while the leaf renderer (which drops
        # the VRFs every write touches) watches the store
        self.scopes: dict = {}
        self.hooked = False
        self.settle = lambda: None  # the leaf renderer's: keep the last committed write's scopes
        self.rules: dict[tuple[int, tuple[str, str, str]], int] = {}
        self.filters: dict[tuple[str, bool, bool], int] = {}

    def reset(self) -> None:
        """A controller wiped back to its boot tree (Apic.reset) counts its ids from the start again."""
        self.rules.clear()
        self.filters.clear()
        self.scopes.clear()

    def rule_id(self, scope: int, key: tuple[str, str, str]) -> int:
        found = self.rules.get((scope, key))
        if found is None:
            found = self.rules[(scope, key)] = FIRST_RULE_ID + len(self.rules)
        return found

    def filter_id(self, dn: str, swap: bool, ack: bool) -> int:
        """The id of a filter, of its port-swapped twin, or of its provider-to-consumer (stateful) twin."""
        key = (dn, swap, ack)
        found = self.filters.get(key)
        if found is None:
            found = self.filters[key] = FIRST_FILTER_ID + len(self.filters)
        return found


_BY_STORE: weakref.WeakKeyDictionary[Store, ZoningIds] = weakref.WeakKeyDictionary()


def ids_of(store: Store) -> ZoningIds:
    """The ids of one APIC's fabric (one registry per store, shared by the leaf renderer and the verdict)."""
    ids = _BY_STORE.get(store)
    if ids is None:
        ids = _BY_STORE[store] = ZoningIds()
    return ids
