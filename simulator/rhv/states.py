"""Progress on the injectable clock: transitions that are due at a time, applied when time is read.

Nothing runs in the background. A VM that powers up in 5 seconds is a transition due at
now + 5; whenever the model is touched (a request, a test reading state) `Timeline.settle`
applies every transition that has come due, oldest first, each at its own due time. Advancing a
`ManualClock` by an hour and reading once applies the whole hour in order.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(order=True)
class Pending:
    """A scheduled transition; `cancel()` drops it (a VM stopped while powering up)."""

    due: float
    seq: int
    action: Callable[[float], None] = field(compare=False)
    what: str = field(default="", compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Timeline:
    def __init__(self, clock):
        self.clock = clock
        self._heap: list[Pending] = []
        self._seq = itertools.count()

    def after(self, seconds: float, action: Callable[[float], None], what: str = "", start: float | None = None) -> Pending:
        """Run `action(due_time)` once the clock reaches start (default now) + seconds."""
        base = self.clock.now() if start is None else start
        pending = Pending(base + max(0.0, seconds), next(self._seq), action, what)
        heapq.heappush(self._heap, pending)
        return pending

    def settle(self) -> int:
        """Apply every transition due by now; transitions may schedule more (a drained host)."""
        now = self.clock.now()
        applied = 0
        while self._heap and self._heap[0].due <= now:
            pending = heapq.heappop(self._heap)
            if pending.cancelled:
                continue
            pending.action(pending.due)
            applied += 1
        return applied

    def pending(self) -> list[Pending]:
        return sorted(p for p in self._heap if not p.cancelled)

    def clear(self) -> None:
        self._heap.clear()
