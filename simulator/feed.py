"""A system's change feed: batches of changes published in commit order, delivered in that order to
every listener, outside the model's lock.

A model publishes a batch while it still holds its lock (so the order of batches is the order of
commits), then calls `deliver()` once the lock is released. Whoever delivers first drains every
batch that is waiting, one at a time, so listeners never see two batches at once or out of order,
and a writer's `deliver()` returns only once its own batch has reached every listener (a durable
state file is written before the write is answered). A listener that fails does not stop the others
or later batches; the writer whose delivery it was gets the error. A listener that changes the model in turn
(a manager's reaction) only queues its batch: the delivery already running hands it on next.
Listeners that must reach another system queue a reaction there instead of calling it (the lab
delivers those outside every system's lock).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
Listener = Callable[[list[T]], None]
log = logging.getLogger("acisim.feed")


class ChangeFeed(Generic[T]):
    def __init__(self, name: str = "changes"):
        self.name = name
        self._listeners: list[Listener] = []
        self._waiting: deque[list[T]] = deque()
        self._queue_lock = threading.Lock()
        self._delivery = threading.RLock()
        self._delivering = threading.local()
        self.published = 0  # batches published so far (never reset: a reset is itself a change)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def publish(self, batch: list[T]) -> None:
        """Queue one commit's changes; call with the model's lock held, then `deliver()` without it."""
        if not batch:
            return
        with self._queue_lock:
            self._waiting.append(list(batch))
            self.published += 1

    def deliver(self) -> None:
        """Hand every waiting batch to the listeners, in order; returns when none is left waiting."""
        if getattr(self._delivering, "active", False):
            return  # a listener's own change: the running delivery hands it on after this batch
        failure: Exception | None = None
        with self._delivery:
            self._delivering.active = True
            try:
                while True:
                    with self._queue_lock:
                        if not self._waiting:
                            break
                        batch = self._waiting.popleft()
                    for listener in list(self._listeners):
                        try:
                            listener(batch)
                        except Exception as exc:  # the others still hear it, later batches still go out
                            log.exception("%s: a listener failed on a batch of %d", self.name, len(batch))
                            failure = failure or exc
            finally:
                self._delivering.active = False
        if failure is not None:
            raise failure  # the writer learns that a listener (a state file) did not take its change
