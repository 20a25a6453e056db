"""The object store of the lab's Kubernetes API: objects by (kind key, namespace, name), one global
resourceVersion counter, and the watch events every write makes.

Each write takes the next resourceVersion, records its event in a bounded history (so a watch can
resume from a resourceVersion it saw in a list, as etcd's window lets it on a real server) and hands
it to the open watches under the store's lock, so every watch sees every change in commit order. The
same events go out on the `changes` feed (simulator/feed.py) for the rest of the lab, outside the lock.
"""

from __future__ import annotations

import copy
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ...feed import ChangeFeed

Key = tuple[str, str, str]  # (kind key, namespace or "", name)
HISTORY = 5000


@dataclass(frozen=True)
class WatchEvent:
    type: str  # ADDED, MODIFIED, DELETED
    kind_key: str
    object: dict
    resource_version: int

    @property
    def namespace(self) -> str:
        return self.object.get("metadata", {}).get("namespace", "")

    def wire(self) -> dict:
        """The event as a watch stream carries it."""
        return {"type": self.type, "object": self.object}


class Subscription:
    """One watch: the events of one kind (one namespace or all) that pass its filter, in order."""

    def __init__(self, store: ObjectStore, kind_key: str, namespace: str | None, matches: Callable[[dict], bool]):
        self._store, self.kind_key, self.namespace, self._matches = store, kind_key, namespace, matches
        self._queue: queue.Queue[WatchEvent | None] = queue.Queue()
        self._last = 0
        self.closed = False

    def offer(self, event: WatchEvent) -> None:
        """A change, delivered once (a replayed event is not delivered again live)."""
        if event.resource_version > self._last and self.wants(event):
            self._last = event.resource_version
            self._queue.put(event)

    def wants(self, event: WatchEvent) -> bool:
        return (event.kind_key == self.kind_key and (self.namespace is None or event.namespace == self.namespace)
                and self._matches(event.object))

    def start_at(self, events: list[WatchEvent], resource_version: int) -> None:
        """The watch's start: `events` (the current objects, as ADDED), then changes after `resource_version`."""
        for event in events:
            if self.wants(event):
                self._queue.put(event)
        self._last = resource_version

    def next(self, timeout: float | None = None) -> WatchEvent | None:
        """The next event, or None when `timeout` seconds pass without one or the watch is closed."""
        if self.closed:
            return None
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._queue.put(None)
            self._store.unwatch(self)


class ObjectStore:
    def __init__(self):
        self.lock = threading.RLock()
        self._objects: dict[Key, dict] = {}
        self._rv = 0
        self._history: deque[WatchEvent] = deque(maxlen=HISTORY)
        self._compacted = 0  # the newest resourceVersion no longer in the history
        self._watches: list[Subscription] = []
        self.changes: ChangeFeed[WatchEvent] = ChangeFeed("k8s")
        self._batch: list[WatchEvent] | None = None

    # --- reads -----------------------------------------------------------------------------------
    @property
    def resource_version(self) -> str:
        return str(self._rv)

    def get(self, kind_key: str, namespace: str, name: str) -> dict | None:
        obj = self._objects.get((kind_key, namespace, name))
        return copy.deepcopy(obj) if obj is not None else None

    def items(self, kind_key: str, namespace: str | None = None) -> list[dict]:
        with self.lock:
            found = [(k, o) for k, o in self._objects.items()
                     if k[0] == kind_key and (namespace is None or k[1] == namespace)]
            return [copy.deepcopy(o) for _, o in sorted(found, key=lambda item: item[0])]

    def in_namespace(self, namespace: str) -> list[tuple[str, dict]]:
        with self.lock:
            return [(k[0], copy.deepcopy(o)) for k, o in self._objects.items() if k[1] == namespace]

    # --- writes (callers hold `transaction()`) ---------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One request's writes: made under the lock, then handed to the change feed without it."""
        with self.lock:
            outer = self._batch is not None
            if not outer:
                self._batch = []
            try:
                yield
            finally:
                if not outer:
                    batch, self._batch = self._batch, None
                    self.changes.publish(batch)
        if not outer:
            self.changes.deliver()

    def next_version(self) -> str:
        return str(self._rv + 1)

    def put(self, kind_key: str, obj: dict, event_type: str) -> dict:
        """Store `obj` (ADDED or MODIFIED) under the next resourceVersion; returns the stored copy."""
        meta = obj["metadata"]
        self._rv += 1
        meta["resourceVersion"] = str(self._rv)
        self._objects[(kind_key, meta.get("namespace", ""), meta["name"])] = copy.deepcopy(obj)
        self._record(WatchEvent(event_type, kind_key, copy.deepcopy(obj), self._rv))
        return copy.deepcopy(obj)

    def remove(self, kind_key: str, namespace: str, name: str) -> dict:
        obj = self._objects.pop((kind_key, namespace, name))
        self._rv += 1
        obj["metadata"]["resourceVersion"] = str(self._rv)
        self._record(WatchEvent("DELETED", kind_key, copy.deepcopy(obj), self._rv))
        return obj

    def _record(self, event: WatchEvent) -> None:
        if len(self._history) == self._history.maxlen:
            self._compacted = self._history[0].resource_version
        self._history.append(event)
        for watch in list(self._watches):
            watch.offer(event)
        if self._batch is not None:
            self._batch.append(event)

    # --- watches ---------------------------------------------------------------------------------
    def watch(self, kind_key: str, namespace: str | None, since: int | None,
              matches: Callable[[dict], bool]) -> Subscription | int:
        """A subscription replaying the events after `since` (None: every object now, as ADDED), or the
        oldest resourceVersion still known when `since` is older than the history."""
        with self.lock:
            if since is not None and since < self._compacted:
                return self._compacted + 1
            sub = Subscription(self, kind_key, namespace, matches)
            if since is None:
                sub.start_at([WatchEvent("ADDED", key, copy.deepcopy(obj), int(obj["metadata"]["resourceVersion"]))
                              for (key, _, _), obj in sorted(self._objects.items()) if key == kind_key], self._rv)
            else:
                sub.start_at([], since)
                for event in self._history:
                    sub.offer(event)
            self._watches.append(sub)
            return sub

    # --- the durable state (the lab's state file and snapshots) ----------------------------------
    def export_state(self) -> dict:
        """Every object as [kind key, object], and the resourceVersion counter."""
        with self.lock:
            return {"resource_version": self._rv,
                    "objects": [[key[0], copy.deepcopy(obj)] for key, obj in sorted(self._objects.items())]}

    def import_state(self, resource_version: int, objects: list[tuple[str, dict]]) -> None:
        """Hold exactly `objects` (checked by the caller), each with its own resourceVersion, as etcd does
        restored with --bump-revision --mark-compacted: the counter never goes back (it goes on from the
        larger of the saved one and past this store's own), and no watch resumes across the restore (open
        watches end; an older resourceVersion is Gone, so clients list again)."""
        with self.lock:
            self._objects = {(kind_key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"]):
                             copy.deepcopy(obj) for kind_key, obj in objects}
            self._forget_history(max(resource_version, self._rv + 1))

    def clear(self) -> None:
        """No objects, and the counter goes on (a reset is a new API server on the same etcd revision line:
        watches end, and resuming one from before the reset is Gone)."""
        with self.lock:
            self._objects = {}
            self._forget_history(self._rv + 1)

    def _forget_history(self, resource_version: int) -> None:
        self._rv = resource_version
        self._history.clear()
        self._compacted = resource_version
        self.close_watches()

    def unwatch(self, sub: Subscription) -> None:
        with self.lock:
            if sub in self._watches:
                self._watches.remove(sub)

    def close_watches(self) -> None:
        """End every open watch (the server is stopping: streams finish instead of waiting)."""
        with self.lock:
            watches = list(self._watches)
        for sub in watches:
            sub.close()


def checked_state(data: object) -> tuple[int, list[tuple[str, dict]]]:
    """The counter and the objects of an exported state, checked; ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the Kubernetes state is not a mapping")
    resource_version, items = data.get("resource_version"), data.get("objects")
    if isinstance(resource_version, bool) or not isinstance(resource_version, int) or resource_version < 0:
        raise ValueError(f"the Kubernetes state's resourceVersion counter is {resource_version!r}, not a count")
    if not isinstance(items, list):
        raise ValueError("the Kubernetes state holds no list of objects")
    checked = []
    for number, item in enumerate(items, 1):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict)
                and isinstance(item[1].get("metadata"), dict) and isinstance(item[1]["metadata"].get("name"), str)):
            raise ValueError(f"Kubernetes object {number} is not [kind, object with a name]")
        checked.append((item[0], item[1]))
    return resource_version, checked
