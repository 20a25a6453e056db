"""Reactions across systems: what a change in one system asks of another, queued and run later.

A listener of one system's change feed never calls into another system (that would take the second
system's lock while the first one's delivery runs, and two systems doing so towards each other could
deadlock). It queues a reaction here instead; the lab's tick runs the queue with no system's lock held.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("acisim.reactions")
MAX_PER_TICK = 10_000  # a reaction that keeps queueing itself must not hold the tick forever


@dataclass(frozen=True)
class Reaction:
    what: str  # for logs: "import RHV inventory into vmmDomP Redhat/rhv1"
    action: Callable[[], None]


class Reactions:
    def __init__(self) -> None:
        self._queue: deque[Reaction] = deque()
        self._lock = threading.Lock()

    def queue(self, what: str, action: Callable[[], None]) -> None:
        with self._lock:
            self._queue.append(Reaction(what, action))

    def __len__(self) -> int:
        return len(self._queue)

    def tick(self) -> int:
        """Run what is queued, oldest first (reactions may queue more); returns how many ran. A reaction
        that fails is logged and dropped: the change that asked for it has already happened."""
        ran = 0
        while ran < MAX_PER_TICK:
            with self._lock:
                if not self._queue:
                    break
                reaction = self._queue.popleft()
            try:
                reaction.action()
            except Exception:
                log.exception("reaction failed: %s", reaction.what)
            ran += 1
        return ran
