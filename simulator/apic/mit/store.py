"""The management information tree: MOs indexed by DN, by class (with superclasses) and by parent.

The store is deliberately dumb: it holds MOs and keeps its indexes right. Deciding what a write
means (validation, defaults, relations) is the job of `writes.py` and the managers; they change the
tree only through `Store.transaction()`, which holds the one lock and collects the change events.
Managers react to them inside the transaction (hooks); everyone else (subscriptions, the state
file, other systems) receives each transaction's events from the store's change feed, in commit
order, once the lock is released (DESIGN principle 11).

A production-sized tree (the verified-scalability fabric: ~500,000 MOs) has to fit in memory and
answer its indexed queries at once, so every MO costs as little as its data does: it holds only the
values that differ from its class's defaults (the keys and short repeated values interned), its
parent keys its children by the child's own DN string (no RN copy), the class index holds each MO
under its own class and builds a superclass's index only when someone asks for that class, and
value indexes (`Store.lookup`) are built for the (class, property) pairs that queries filter on.
Those indexes are kept right by the same change path as the tree (create, modify, delete, undo).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager

from ...feed import ChangeFeed
from .catalog import Catalog, ClassMeta
from .dn import parent_dn, rn_of

_intern = sys.intern
# values up to this length are interned: state words, timestamps, policy DNs and relation targets repeat
# across thousands of MOs; longer ones are rarely shared
_INTERN_MAX = 64


def _compact(attrs: Mapping[str, str], defaults: Mapping[str, str]) -> dict[str, str]:
    """The values that differ from the defaults, with interned keys and short values (a client's JSON
    brings its own copy of every key and of words such as "yes" or "regular" in each MO)."""
    return {_intern(k): _intern(v) if len(v) <= _INTERN_MAX else v for k, v in attrs.items() if v != defaults.get(k)}


class Children(Mapping[str, "MO"]):
    """An MO's children by RN, in the order they were added (a view over the parent's own dict, which
    keys them by DN so that no RN string is kept per MO)."""

    __slots__ = ("_dn", "_kids")

    def __init__(self, dn: str, kids: dict[str, MO]):
        self._dn = dn
        self._kids = kids

    def _key(self, rn: str) -> str:
        return f"{self._dn}/{rn}" if self._dn else rn

    def __getitem__(self, rn: str) -> MO:
        return self._kids[self._key(rn)]

    def __contains__(self, rn: object) -> bool:
        return isinstance(rn, str) and self._key(rn) in self._kids

    def __iter__(self) -> Iterator[str]:
        return (rn_of(dn) for dn in self._kids)

    def __len__(self) -> int:
        return len(self._kids)

    def values(self):  # type: ignore[override]
        return self._kids.values()

    def items(self):  # type: ignore[override]
        return [(rn_of(dn), mo) for dn, mo in self._kids.items()]

    def __repr__(self) -> str:
        return f"Children({dict(self.items())!r})"


class MO:
    """One managed object. `attrs` holds only values that differ from the class defaults."""

    __slots__ = ("meta", "dn", "attrs", "_kids")

    def __init__(self, meta: ClassMeta, dn: str, attrs: dict[str, str] | None = None):
        self.meta = meta
        self.dn = dn
        self.attrs: dict[str, str] = attrs or {}
        self._kids: dict[str, MO] | None = None  # children by their DN

    @property
    def cls(self) -> str:
        return self.meta.name

    @property
    def rn(self) -> str:
        return rn_of(self.dn)

    @property
    def children(self) -> Children | None:
        """The children by RN (None for an MO that never had one, as before any child was added)."""
        return Children(self.dn, self._kids) if self._kids is not None else None

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
        return list(self._kids.values()) if self._kids else []

    def detached(self) -> MO:
        """A copy of the MO as it is now, without children, that later writes leave alone."""
        return MO(self.meta, self.dn, dict(self.attrs))

    def __repr__(self) -> str:
        return f"MO({self.cls}, {self.dn!r})"


class Event:
    """One change to the tree. `changed` holds the new values of the properties that changed (for a
    created MO, every property: worked out when first read, since most listeners never read it)."""

    __slots__ = ("kind", "dn", "cls", "_changed", "mo", "state")

    def __init__(self, kind: str, dn: str, cls: str, changed: dict[str, str] | None = None,
                 mo: MO | None = None, state: MO | None = None):
        self.kind = kind  # created | modified | deleted
        self.dn = dn
        self.cls = cls
        self._changed = changed
        self.mo = mo
        # the MO as its transaction left it: listeners run after the lock is released, when later writes
        # may have changed `mo` itself (set when the transaction commits)
        self.state = state

    @property
    def changed(self) -> dict[str, str]:
        if self._changed is None:
            source = self.state or self.mo
            # a created MO reports its final values: the modifications of its own write fold into them
            self._changed = source.values() if source is not None else {}
        return self._changed

    @changed.setter
    def changed(self, value: dict[str, str]) -> None:
        self._changed = value

    def merge(self, changed: dict[str, str]) -> None:
        """Later changes of the same write to the same MO (nothing to do while `changed` is unread: it
        is read from the MO itself)."""
        if self._changed is not None:
            self._changed.update(changed)

    def commit(self) -> None:
        if self.mo is not None:
            # a deleted MO is out of the tree: nothing changes it any more
            self.state = self.mo if self.kind == "deleted" else self.mo.detached()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return (self.kind, self.dn, self.cls, self.changed, self.mo, self.state) == (
            other.kind, other.dn, other.cls, other.changed, other.mo, other.state)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Event({self.kind!r}, {self.dn!r}, {self.cls!r})"


Listener = Callable[[list[Event]], None]
Hook = Callable[["Transaction", list[Event]], None]


class ClassIndex(Mapping[str, dict[str, MO]]):
    """MOs by class, each class with its subclasses' MOs (`by_class[cls]` is {dn: MO} in creation order).

    Each MO is held under its own class; the index of a class that has subclasses (an abstract class
    such as polDom or relnTo, nine of them above an fvBD) is built from the tree the first time it is
    asked for and kept up to date from then on. So an MO pays for the superclasses somebody queries,
    not for all of them. Built indexes keep the order the tree has (creation order), as eager ones did."""

    def __init__(self, store: Store):
        self._store = store
        catalog = store.catalog
        self._own: dict[str, dict[str, MO]] = {}
        self._wide: dict[str, dict[str, MO]] = {}
        self._above: set[str] = {s for meta in catalog.classes.values() for s in meta.superclasses}
        self._homes: dict[str, tuple[dict[str, MO], ...]] = {}  # class -> the dicts its MOs live in

    def homes(self, cls: str) -> tuple[dict[str, MO], ...]:
        homes = self._homes.get(cls)
        if homes is None:
            own = self._own.get(cls)
            if own is None:
                own = self._own[cls] = {}
            lineage = self._store.catalog.lineage(cls)
            homes = self._homes[cls] = (own, *(self._wide[c] for c in lineage if c in self._wide))
        return homes

    def __getitem__(self, cls: str) -> dict[str, MO]:
        if cls in self._above:
            wide = self._wide.get(cls)
            if wide is None:
                wide = self._build(cls)
            return wide
        return self._own[cls]

    def _build(self, cls: str) -> dict[str, MO]:
        is_a = self._store.catalog.is_a
        wide = self._wide[cls] = {mo.dn: mo for mo in self._store.by_dn.values() if mo.dn and is_a(mo.cls, cls)}
        self._homes.clear()
        return wide

    def __contains__(self, cls: object) -> bool:
        return isinstance(cls, str) and (cls in self._own or cls in self._wide or cls in set(self))

    def __iter__(self) -> Iterator[str]:
        seen = set()
        lineage = self._store.catalog.lineage
        for own in list(self._own):
            for cls in lineage(own):
                if cls not in seen and (cls == own or cls in self._above):
                    seen.add(cls)
                    yield cls

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def sizes(self) -> dict[str, int]:
        """Entries held per class dict: the MOs' own classes and the superclass indexes built so far."""
        return {**{c: len(d) for c, d in self._own.items()}, **{f"{c} (built)": len(d) for c, d in self._wide.items()}}


INDEX_MIN_MOS = 512  # a class with fewer MOs is scanned: an index would not pay for itself
INDEX_MAX_PER_CLASS = 8  # value indexes one class may have (each costs about 40 B per MO of the class)


class ValueIndex:
    """The MOs of one class (with its subclasses) by the value of one property: value -> {dn: MO}.

    Each value's MOs are kept in the class index's order, so a lookup answers as a scan of the class
    would. An MO enters a value's bucket in that order when it is created (or put back by a rollback);
    one that enters it by a modification may be out of order, so the bucket is marked and put back in
    class order (one pass over the class) the next time it is read."""

    __slots__ = ("cls", "prop", "buckets", "unordered")

    def __init__(self, cls: str, prop: str, mos: Iterable[MO]):
        self.cls = cls
        self.prop = prop
        self.buckets: dict[str, dict[str, MO]] = {}
        self.unordered: set[str] = set()
        for mo in mos:
            self.add(mo, mo.get(prop))

    def add(self, mo: MO, value: str, in_order: bool = True) -> None:
        bucket = self.buckets.get(value)
        if bucket is None:
            self.buckets[value] = {mo.dn: mo}
            return
        bucket[mo.dn] = mo
        if not in_order:
            self.unordered.add(value)

    def remove(self, mo: MO, value: str) -> None:
        bucket = self.buckets.get(value)
        if bucket is not None and bucket.pop(mo.dn, None) is not None and not bucket:
            del self.buckets[value]
            self.unordered.discard(value)

    def get(self, value: str, in_class_order: Callable[[], Iterable[MO]]) -> list[MO]:
        bucket = self.buckets.get(value)
        if not bucket:
            return []
        if value in self.unordered:
            self._reorder(in_class_order())
        return list(self.buckets[value].values())

    def _reorder(self, mos: Iterable[MO]) -> None:
        pending = {value: self.buckets[value] for value in self.unordered if value in self.buckets}
        ordered: dict[str, dict[str, MO]] = {value: {} for value in pending}
        for mo in mos:
            value = mo.get(self.prop)
            if value in pending and mo.dn in pending[value]:
                ordered[value][mo.dn] = mo
        self.buckets.update(ordered)
        self.unordered.clear()

    def __len__(self) -> int:
        return sum(len(b) for b in self.buckets.values())


class Transaction:
    """Mutations of one write, applied in place; the events are published when it ends."""

    def __init__(self, store: Store):
        self.store = store
        self.events: list[Event] = []
        self._undo: list[Callable[[], None]] = []
        self._created: dict[str, Event] = {}
        self._modified: dict[str, Event] = {}
        self._siblings_kept: dict[int, MO] = {}  # parents whose children's order a rollback restores

    def rollback(self) -> None:
        """Undo every mutation made so far (a write that fails half-way leaves no trace)."""
        while self._undo:
            self._undo.pop()()
        self.events.clear()
        self._created.clear()
        self._modified.clear()
        self._siblings_kept.clear()

    def create(self, meta: ClassMeta, dn: str, attrs: dict[str, str]) -> MO:
        store = self.store
        parent = store.by_dn.get(parent_dn(dn))
        if parent is None:
            raise KeyError(f"parent of {dn} does not exist")
        mo = MO(meta, dn, _compact(attrs, meta.defaults))
        if parent._kids is None:
            parent._kids = {}
        parent._kids[dn] = mo
        store._link_one(mo)
        event = Event("created", dn, meta.name, None, mo)
        self.events.append(event)
        self._created[dn] = event
        self._undo.append(lambda: self._unlink([mo], parent))
        return mo

    def modify(self, mo: MO, changes: dict[str, str]) -> dict[str, str]:
        """Set properties; returns (and reports) only those whose value really changed."""
        changed = {}
        before = None
        attrs = mo.attrs
        defaults = mo.meta.defaults
        for prop, value in changes.items():
            old = mo.get(prop)
            if old != value:
                if before is None:
                    before = dict(attrs)
                changed[prop] = value
                if value == defaults.get(prop):
                    attrs.pop(prop, None)
                else:
                    attrs[_intern(prop)] = _intern(value) if len(value) <= _INTERN_MAX else value
                self.store._reindex(mo, prop, old, value)
        if changed:
            earlier = self._created.get(mo.dn) or self._modified.get(mo.dn)
            if earlier is not None and earlier.mo is mo:
                # one write reports an MO once: created with its final values, or modified with every
                # property it changed (a relation's name and the tDn it resolves to alike)
                earlier.merge(changed)
            else:
                event = Event("modified", mo.dn, mo.cls, changed, mo)
                self.events.append(event)
                self._modified[mo.dn] = event
            self._undo.append(lambda: self.store._restore(mo, before, changed))
        return changed

    def delete(self, dn: str) -> list[MO]:
        """Remove an MO and its subtree; children are reported before their parent."""
        store = self.store
        mo = store.by_dn.get(dn)
        if mo is None:
            return []
        removed = list(store.subtree(mo))
        parent = store.by_dn[parent_dn(dn)]
        # a rollback puts the parent's children back in their old order: the first delete under a parent
        # keeps a copy of them (undone last, it restores the order the write found); later ones under the
        # same parent need none (a body deleting 4,000 children copied 4,000 dicts of up to 4,000)
        siblings = None
        if id(parent) not in self._siblings_kept:
            self._siblings_kept[id(parent)] = parent
            siblings = dict(parent._kids or {})
        self._unlink(removed, parent)
        for node in reversed(removed):
            self.events.append(Event("deleted", node.dn, node.cls, {}, node))
        self._undo.append(lambda: self._link(removed, parent, siblings))
        return removed

    def _unlink(self, nodes: list[MO], parent: MO) -> None:
        store = self.store
        for node in nodes:
            store._unlink_one(node)
        if parent._kids:
            parent._kids.pop(nodes[0].dn, None)

    def _link(self, nodes: list[MO], parent: MO, siblings: dict[str, MO] | None) -> None:
        """Put a deleted subtree back, with its parent's children in their old order (`siblings`, from
        the transaction's first delete under that parent; the later ones just put the MO back)."""
        for node in nodes:
            self.store._link_one(node)
        if siblings is not None:
            parent._kids = siblings
        else:
            if parent._kids is None:
                parent._kids = {}
            parent._kids[nodes[0].dn] = nodes[0]


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
        self.by_class = ClassIndex(self)
        self.hooks: list[Hook] = []
        # how many writes changed the tree: equal numbers, equal trees (a reply cached at one number holds)
        self.generation = 0
        # value indexes: (class, prop) -> index, and per MO class the indexes its MOs are in
        self._value_indexes: dict[tuple[str, str], ValueIndex] = {}
        self._indexed_by: dict[str, tuple[ValueIndex, ...]] = {}
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

    def count(self, cls: str) -> int:
        """How many MOs `of_class(cls)` holds."""
        return len(self.by_class.get(cls, {}))

    def children(self, dn: str) -> list[MO]:
        mo = self.by_dn.get(dn)
        return mo.child_list() if mo else []

    def subtree(self, mo: MO) -> Iterator[MO]:
        """The MO and all its descendants, parents before children."""
        stack = [mo]
        while stack:
            node = stack.pop()
            yield node
            if node._kids:
                stack.extend(reversed(node._kids.values()))

    # --- value indexes ---------------------------------------------------------------------------
    def lookup(self, cls: str, prop: str, value: str) -> list[MO]:
        """The MOs of `cls` (with its subclasses) whose `prop` is `value` (string equality), in the order
        `of_class(cls)` has them: what `[mo for mo in of_class(cls) if mo.get(prop) == value]` answers,
        from a value index once the class is big enough to be worth one (built on the first lookup,
        kept current by every write from then on)."""
        if prop == "dn":
            mo = self.by_dn.get(value)
            return [mo] if mo is not None and mo.dn and self.catalog.is_a(mo.cls, cls) else []
        index = self._value_indexes.get((cls, prop))
        if index is None:
            index = self._new_value_index(cls, prop)
            if index is None:
                return [mo for mo in self.of_class(cls) if mo.get(prop) == value]
        return index.get(value, lambda: self.of_class(cls))

    def indexed(self, cls: str, prop: str) -> bool:
        """Whether `lookup(cls, prop, ...)` is answered from an index already (a DN always is)."""
        return prop == "dn" or (cls, prop) in self._value_indexes

    def value_indexes(self) -> list[tuple[str, str, int]]:
        """(class, property, MOs held) of every value index built so far."""
        return [(ix.cls, ix.prop, len(ix)) for ix in self._value_indexes.values()]

    def _new_value_index(self, cls: str, prop: str) -> ValueIndex | None:
        if self.count(cls) < INDEX_MIN_MOS or prop == "rn":
            return None
        if sum(1 for c, _ in self._value_indexes if c == cls) >= INDEX_MAX_PER_CLASS:
            return None
        index = self._value_indexes[(cls, prop)] = ValueIndex(cls, prop, self.of_class(cls))
        self._indexed_by.clear()
        return index

    def _indexes_for(self, cls: str) -> tuple[ValueIndex, ...]:
        found = self._indexed_by.get(cls)
        if found is None:
            is_a = self.catalog.is_a
            found = self._indexed_by[cls] = tuple(ix for ix in self._value_indexes.values() if is_a(cls, ix.cls))
        return found

    # --- the change path's index upkeep ----------------------------------------------------------
    def _link_one(self, mo: MO) -> None:
        dn = mo.dn
        self.by_dn[dn] = mo
        for home in self.by_class.homes(mo.meta.name):
            home[dn] = mo
        if self._value_indexes:
            for index in self._indexes_for(mo.meta.name):
                index.add(mo, mo.get(index.prop))

    def _unlink_one(self, mo: MO) -> None:
        dn = mo.dn
        del self.by_dn[dn]
        for home in self.by_class.homes(mo.meta.name):
            home.pop(dn, None)
        if self._value_indexes:
            for index in self._indexes_for(mo.meta.name):
                index.remove(mo, mo.get(index.prop))

    def _reindex(self, mo: MO, prop: str, old: str, new: str) -> None:
        if self._value_indexes and self.by_dn.get(mo.dn) is mo:
            for index in self._indexes_for(mo.meta.name):
                if index.prop == prop:
                    index.remove(mo, old)
                    index.add(mo, new, in_order=False)

    def _restore(self, mo: MO, attrs: dict[str, str], props: Iterable[str]) -> None:
        """A rollback puts an MO's earlier values back, and its place in the value indexes."""
        olds = {p: mo.get(p) for p in props}
        mo.attrs = attrs
        for prop, old in olds.items():
            new = mo.get(prop)
            if new != old:
                self._reindex(mo, prop, old, new)

    @contextmanager
    def transaction(self, without: Collection[Hook] = ()) -> Iterator[Transaction]:
        """Hold the lock for one write; hooks (managers) react inside it, listeners after it.

        `without` leaves hooks out of this write: the controller's own bulk load of a state it boots with
        (scale.py's generated endpoints) is not a history for the endpoint tracker to record."""
        with self.lock:
            txn = Transaction(self)
            hooks = [h for h in self.hooks if h not in without] if without else self.hooks
            try:
                yield txn
                seen = 0
                # managers may react to changes with changes of their own, until the tree settles
                while seen < len(txn.events):
                    batch = txn.events[seen:]
                    seen = len(txn.events)
                    for hook in hooks:
                        hook(txn, batch)
            except BaseException:
                txn.rollback()
                raise
            finally:
                # the undo closures refer to the transaction: a cycle that would keep every event and MO
                # copy of the write alive until the next full garbage collection
                txn._undo.clear()
            # published under the lock, so the feed's order is the commit order; delivered when the
            # lock is let go (StoreLock.release)
            if txn.events:
                for event in txn.events:
                    event.commit()
                self.generation += 1
                self.feed.publish(txn.events)
                self.lock.committed()


__all__ = ["MO", "Event", "Transaction", "Store", "StoreLock", "ClassIndex", "ValueIndex", "Children"]
