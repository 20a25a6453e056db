"""The management information tree: MOs indexed by DN, by class (with superclasses) and by parent.

The store is deliberately dumb: it holds MOs and keeps its indexes right. Deciding what a write
means (validation, defaults, relations) is the job of `writes.py` and the managers; they change the
tree only through `Store.transaction()`, which holds the one lock and collects the change events.
Managers react to them inside the transaction (hooks); everyone else (subscriptions, the state
file, other systems) receives each transaction's events from the store's change feed, in commit
order, once the lock is released (DESIGN principle 11).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ...feed import ChangeFeed
from .catalog import Catalog, ClassMeta
from .dn import parent_dn, rn_of


class MO:
    """One managed object. `attrs` holds only values that differ from the class defaults."""

    __slots__ = ("meta", "dn", "attrs", "children")

    def __init__(self, meta: ClassMeta, dn: str, attrs: dict[str, str] | None = None):
        self.meta = meta
        self.dn = dn
        self.attrs: dict[str, str] = attrs or {}
        self.children: dict[str, MO] | None = None

    @property
    def cls(self) -> str:
        return self.meta.name

    @property
    def rn(self) -> str:
        return rn_of(self.dn)

    def get(self, prop: str) -> str:
        value = self.attrs.get(prop)
        if value is not None:
            return value
        if prop == "dn":
            return self.dn
        if prop == "rn":
            return self.rn
        return self.meta.defaults.get(prop, "")

    def values(self) -> dict[str, str]:
        """Every property with its current value, in APIC's (alphabetical) order."""
        return {p: self.get(p) for p in self.meta.prop_names}

    def child_list(self) -> list[MO]:
        return list(self.children.values()) if self.children else []

    def detached(self) -> MO:
        """A copy of the MO as it is now, without children, that later writes leave alone."""
        return MO(self.meta, self.dn, dict(self.attrs))

    def __repr__(self) -> str:
        return f"MO({self.cls}, {self.dn!r})"


@dataclass
class Event:
    """One change to the tree. `changed` holds the new values of the properties that changed."""

    kind: str  # created | modified | deleted
    dn: str
    cls: str
    changed: dict[str, str] = field(default_factory=dict)
    mo: MO | None = None
    # the MO as its transaction left it: listeners run after the lock is released, when later writes
    # may have changed `mo` itself (set when the transaction commits)
    state: MO | None = None

    def commit(self) -> None:
        if self.mo is not None:
            # a deleted MO is out of the tree: nothing changes it any more
            self.state = self.mo if self.kind == "deleted" else self.mo.detached()


Listener = Callable[[list[Event]], None]


class Transaction:
    """Mutations of one write, applied in place; the events are published when it ends."""

    def __init__(self, store: Store):
        self.store = store
        self.events: list[Event] = []
        self._undo: list[Callable[[], None]] = []
        self._created: dict[str, Event] = {}
        self._modified: dict[str, Event] = {}

    def rollback(self) -> None:
        """Undo every mutation made so far (a write that fails half-way leaves no trace)."""
        while self._undo:
            self._undo.pop()()
        self.events.clear()
        self._created.clear()
        self._modified.clear()

    def create(self, meta: ClassMeta, dn: str, attrs: dict[str, str]) -> MO:
        store = self.store
        parent = store.by_dn.get(parent_dn(dn))
        if parent is None:
            raise KeyError(f"parent of {dn} does not exist")
        mo = MO(meta, dn, {k: v for k, v in attrs.items() if v != meta.defaults.get(k)})
        if parent.children is None:
            parent.children = {}
        parent.children[mo.rn] = mo
        store.by_dn[dn] = mo
        for cls in store.catalog.lineage(meta.name):
            store.by_class.setdefault(cls, {})[dn] = mo
        event = Event("created", dn, meta.name, mo.values(), mo)
        self.events.append(event)
        self._created[dn] = event
        self._undo.append(lambda: self._unlink([mo], parent))
        return mo

    def modify(self, mo: MO, changes: dict[str, str]) -> dict[str, str]:
        """Set properties; returns (and reports) only those whose value really changed."""
        changed = {}
        before = dict(mo.attrs)
        for prop, value in changes.items():
            if mo.get(prop) != value:
                changed[prop] = value
                if value == mo.meta.defaults.get(prop):
                    mo.attrs.pop(prop, None)
                else:
                    mo.attrs[prop] = value
        if changed:
            earlier = self._created.get(mo.dn) or self._modified.get(mo.dn)
            if earlier is not None and earlier.mo is mo:
                # one write reports an MO once: created with its final values, or modified with every
                # property it changed (a relation's name and the tDn it resolves to alike)
                earlier.changed.update(changed)
            else:
                event = Event("modified", mo.dn, mo.cls, changed, mo)
                self.events.append(event)
                self._modified[mo.dn] = event
            self._undo.append(lambda: setattr(mo, "attrs", before))
        return changed

    def delete(self, dn: str) -> list[MO]:
        """Remove an MO and its subtree; children are reported before their parent."""
        store = self.store
        mo = store.by_dn.get(dn)
        if mo is None:
            return []
        removed = list(store.subtree(mo))
        parent = store.by_dn[parent_dn(dn)]
        siblings = dict(parent.children or {})
        self._unlink(removed, parent)
        for node in reversed(removed):
            self.events.append(Event("deleted", node.dn, node.cls, {}, node))
        self._undo.append(lambda: self._link(removed, parent, siblings))
        return removed

    def _unlink(self, nodes: list[MO], parent: MO) -> None:
        store = self.store
        for node in nodes:
            del store.by_dn[node.dn]
            for cls in store.catalog.lineage(node.cls):
                store.by_class[cls].pop(node.dn, None)
        if parent.children:
            parent.children.pop(nodes[0].rn, None)

    def _link(self, nodes: list[MO], parent: MO, siblings: dict[str, MO]) -> None:
        """Put a deleted subtree back, with its parent's children in their old order."""
        store = self.store
        for node in nodes:
            store.by_dn[node.dn] = node
            for cls in store.catalog.lineage(node.cls):
                store.by_class.setdefault(cls, {})[node.dn] = node
        parent.children = siblings


class StoreLock:
    """The store's one (re-entrant) lock. When a thread releases its outermost hold after committing,
    it hands the waiting change batches to the listeners, so whoever holds the lock around a write
    (the writer, or a caller that read and wrote under one hold) returns only once its events were
    delivered, and no listener ever runs under the lock."""

    def __init__(self, feed: ChangeFeed[Event]):
        self._lock = threading.RLock()
        self._feed = feed
        self._local = threading.local()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not self._lock.acquire(blocking, timeout):
            return False
        self._local.depth = getattr(self._local, "depth", 0) + 1
        return True

    def release(self) -> None:
        self._local.depth -= 1
        self._lock.release()
        if self._local.depth == 0 and getattr(self._local, "committed", False):
            self._local.committed = False
            self._feed.deliver()

    def committed(self) -> None:
        """This thread published a batch; it is delivered when the thread lets go of the lock."""
        self._local.committed = True

    def _is_owned(self) -> bool:
        """As `threading.RLock._is_owned`: whether this thread holds the lock."""
        return getattr(self._local, "depth", 0) > 0

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Store:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.feed: ChangeFeed[Event] = ChangeFeed("apic")
        self.lock = StoreLock(self.feed)
        self.by_dn: dict[str, MO] = {}
        self.by_class: dict[str, dict[str, MO]] = {}
        self.hooks: list[Callable[[Transaction, list[Event]], None]] = []
        self.root = MO(catalog.get("topRoot"), "")
        self.by_dn[""] = self.root

    def subscribe(self, listener: Listener) -> None:
        """Receive every committed transaction's events, in commit order, outside the lock."""
        self.feed.subscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self.feed.unsubscribe(listener)

    def get(self, dn: str) -> MO | None:
        return self.by_dn.get(dn)

    def __contains__(self, dn: str) -> bool:
        return dn in self.by_dn

    def __len__(self) -> int:
        return len(self.by_dn) - 1

    def of_class(self, cls: str) -> Iterable[MO]:
        """Every MO of a class or of its subclasses (the class index holds both)."""
        return self.by_class.get(cls, {}).values()

    def children(self, dn: str) -> list[MO]:
        mo = self.by_dn.get(dn)
        return mo.child_list() if mo else []

    def subtree(self, mo: MO) -> Iterator[MO]:
        """The MO and all its descendants, parents before children."""
        stack = [mo]
        while stack:
            node = stack.pop()
            yield node
            if node.children:
                stack.extend(reversed(node.children.values()))

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Hold the lock for one write; hooks (managers) react inside it, listeners after it."""
        with self.lock:
            txn = Transaction(self)
            try:
                yield txn
                seen = 0
                # managers may react to changes with changes of their own, until the tree settles
                while seen < len(txn.events):
                    batch = txn.events[seen:]
                    seen = len(txn.events)
                    for hook in self.hooks:
                        hook(txn, batch)
            except BaseException:
                txn.rollback()
                raise
            # published under the lock, so the feed's order is the commit order; delivered when the
            # lock is let go (StoreLock.release)
            if txn.events:
                for event in txn.events:
                    event.commit()
                self.feed.publish(txn.events)
                self.lock.committed()
