"""Query subscriptions: a GET with `subscription=yes` keeps telling its session what changes.

Each subscription remembers the query it came from; every store event is matched against the
live subscriptions, and each matching MO change is pushed to the session's websocket as APIC
pushes it: `{"subscriptionId": [ids...], "imdata": [{cls: {"attributes": {...}}}]}`, created with
every property, modified with only the changed ones, deleted with the DN alone. Subscriptions
expire unless refreshed (default 60 s, or `refresh-timeout`), and die with their socket.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
from dataclasses import dataclass, field

from . import errors
from .mit.catalog import Catalog
from .mit.dn import is_ancestor, parent_dn, split_dn
from .mit.store import Event, Store
from .query import Query

DEFAULT_LIFETIME = 60
MAX_LIFETIME = 86400
FIRST_ID = 72057598349803551  # the 17-digit form real controllers hand out


@dataclass
class Subscription:
    id: str
    token: str
    kind: str  # "mo" | "class"
    target: str  # dn, or class name
    scope: str  # class queries under a DN
    query: Query
    key: tuple
    lifetime: float
    expires: float


@dataclass
class _Socket:
    messages: queue.Queue = field(default_factory=queue.Queue)


class SubscriptionManager:
    def __init__(self, store: Store, clock, timestamp):
        self.store = store
        self.catalog: Catalog = store.catalog
        self.clock = clock
        self.timestamp = timestamp
        self.subscriptions: dict[str, Subscription] = {}
        self.sockets: dict[str, _Socket] = {}
        self._ids = itertools.count(FIRST_ID)
        self._lock = threading.Lock()
        store.subscribe(self.deliver)

    # --- lifecycle -------------------------------------------------------------------------------
    def subscribe(self, token: str, kind: str, target: str, scope: str, query: Query, key: tuple,
                  refresh_timeout: str | None) -> str:
        lifetime = _lifetime(refresh_timeout)
        with self._lock:
            sub_id = str(next(self._ids))
            self.subscriptions[sub_id] = Subscription(
                sub_id, token, kind, target, scope, query, key, lifetime, self.clock.now() + lifetime
            )
        return sub_id

    def unsubscribe(self, token: str, key: tuple) -> int:
        """`subscription=no` on the same query ends the session's subscriptions to it."""
        with self._lock:
            gone = [s.id for s in self.subscriptions.values() if s.token == token and s.key == key]
            for sub_id in gone:
                del self.subscriptions[sub_id]
        return len(gone)

    def refresh(self, sub_id: str) -> None:
        with self._lock:
            sub = self.subscriptions.get(sub_id)
            if sub is None or sub.expires <= self.clock.now():
                self.subscriptions.pop(sub_id, None)
                raise errors.bad_request(f"Subscription refresh failed: unknown or expired subscription id {sub_id}")
            sub.expires = self.clock.now() + sub.lifetime

    def open_socket(self, token: str) -> queue.Queue:
        with self._lock:
            sock = self.sockets.setdefault(token, _Socket())
        return sock.messages

    def close_socket(self, token: str) -> None:
        """A closed socket drops its session's subscriptions (clients resubscribe on reconnect)."""
        with self._lock:
            self.sockets.pop(token, None)
            for sub_id in [s.id for s in self.subscriptions.values() if s.token == token]:
                del self.subscriptions[sub_id]

    def drop_session(self, token: str) -> None:
        self.close_socket(token)

    def expire(self) -> int:
        """Drop the subscriptions not refreshed in time; returns how many lapsed."""
        with self._lock:
            return self._expire(self.clock.now())

    def _expire(self, now: float) -> int:
        lapsed = [sub_id for sub_id, sub in self.subscriptions.items() if sub.expires <= now]
        for sub_id in lapsed:
            del self.subscriptions[sub_id]
        return len(lapsed)

    # --- delivery ----------------------------------------------------------------------------------
    def deliver(self, events: list[Event]) -> None:
        """Store listener: the feed hands over one transaction at a time, in commit order, so the
        pushes keep that order; each event's MO is as its transaction left it."""
        if not self.subscriptions:
            return
        with self._lock:
            self._expire(self.clock.now())
            live = [sub for sub in self.subscriptions.values() if sub.token in self.sockets]
            if not live:
                return
            for event in events:
                by_token: dict[str, list[str]] = {}
                for sub in live:
                    if self._matches(sub, event):
                        by_token.setdefault(sub.token, []).append(sub.id)
                if not by_token:
                    continue
                node = {event.cls: {"attributes": self._attributes(event)}}
                for token, ids in by_token.items():
                    message = json.dumps({"subscriptionId": ids, "imdata": [node]}, separators=(",", ":"))
                    self.sockets[token].messages.put(message)

    def _matches(self, sub: Subscription, event: Event) -> bool:
        q = sub.query
        is_a = self.catalog.is_a
        if q.target_classes and q.target != "self" and not any(is_a(event.cls, c) for c in q.target_classes):
            return False
        if sub.kind == "mo":
            anchors = [sub.target]
        else:
            if sub.scope and not (event.dn == sub.scope or is_ancestor(sub.scope, event.dn)):
                return False
            if q.target == "self":
                anchors = [event.dn] if is_a(event.cls, sub.target) else []
            else:
                anchors = [a for a in _ancestors_or_self(event.dn) if self._is_instance(a, sub.target, event)]
        if not any(_in_scope(q.target, anchor, event.dn) for anchor in anchors):
            return False
        return q.target_filter is None or (event.state is not None and q.target_filter(event.state))

    def _is_instance(self, dn: str, cls: str, event: Event) -> bool:
        if dn == event.dn:
            return self.catalog.is_a(event.cls, cls)
        mo = self.store.get(dn)
        if mo is not None:
            return self.catalog.is_a(mo.cls, cls)
        meta = self.catalog.class_of_dn(dn)
        return meta is not None and self.catalog.is_a(meta.name, cls)

    def _attributes(self, event: Event) -> dict[str, str]:
        mo = event.state
        if event.kind == "deleted" or mo is None:
            attrs = {"modTs": self.timestamp()}
        else:
            props = mo.meta.props
            attrs = {p: v for p, v in event.changed.items() if p not in props or not props[p].secure}
            if event.kind == "modified":
                attrs.setdefault("modTs", mo.get("modTs"))
        attrs.update({"dn": event.dn, "rn": "", "status": event.kind, "childAction": ""})
        return dict(sorted(attrs.items()))


def _ancestors_or_self(dn: str) -> list[str]:
    rns = split_dn(dn)
    return ["/".join(rns[: i + 1]) for i in range(len(rns))]


def _in_scope(target: str, anchor: str, dn: str) -> bool:
    if target == "self":
        return dn == anchor
    if target == "children":
        return parent_dn(dn) == anchor
    return dn == anchor or is_ancestor(anchor, dn)


def _lifetime(raw: str | None) -> float:
    if raw in (None, ""):
        return DEFAULT_LIFETIME
    try:
        value = int(raw)
    except ValueError:
        raise errors.bad_request(f"Invalid value for refresh-timeout: {raw}") from None
    if value < 1 or value > MAX_LIFETIME:
        raise errors.bad_request(f"Invalid value for refresh-timeout: {raw} (1..{MAX_LIFETIME} seconds)")
    return value
