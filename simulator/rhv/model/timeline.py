"""Progress on the injectable clock: transitions due at a time, applied when the clock is read.

Nothing runs in the background. A VM that powers up in 5 seconds is a transition of kind `boot`
for that VM due at now + 5; whenever the model is touched (a request, the lab's tick, a test
reading state) `Timeline.settle` hands every transition that has come due, oldest first, to the
handler of its kind, at its own due time. Advancing a `ManualClock` by an hour and reading once
applies the whole hour in order. A transition is plain data (kind, entity id, due time, details),
so a saved engine's pending work is saved with it and completes after a restore.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(order=True)
class Pending:
    due: float
    seq: int
    kind: str = field(compare=False)
    entity_id: str = field(compare=False)
    data: dict = field(default_factory=dict, compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True

    def describe(self) -> dict:
        return {"kind": self.kind, "entity_id": self.entity_id, "due": self.due, "seq": self.seq,
                "data": dict(self.data)}


class Timeline:
    def __init__(self, clock, handlers: dict[str, Callable[[Pending], None]] | None = None):
        self.clock = clock
        self.handlers = handlers if handlers is not None else {}
        self._heap: list[Pending] = []
        self._seq = 0

    def after(self, seconds: float, kind: str, entity_id: str = "", data: dict | None = None,
              start: float | None = None) -> Pending:
        """Hand `kind` its transition once the clock reaches start (default now) + seconds."""
        base = self.clock.now() if start is None else start
        return self._push(base + max(0.0, seconds), kind, entity_id, dict(data or {}))

    def _push(self, due: float, kind: str, entity_id: str, data: dict, seq: int | None = None) -> Pending:
        if seq is None:
            seq, self._seq = self._seq, self._seq + 1
        else:
            self._seq = max(self._seq, seq + 1)
        pending = Pending(due, seq, kind, entity_id, data)
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
            self.handlers[pending.kind](pending)
            applied += 1
        return applied

    def find(self, kind: str, entity_id: str) -> Pending | None:
        return next((p for p in self._heap if not p.cancelled and p.kind == kind and p.entity_id == entity_id), None)

    def cancel(self, kind: str, entity_id: str) -> Pending | None:
        pending = self.find(kind, entity_id)
        if pending is not None:
            pending.cancel()
        return pending

    def pending(self) -> list[Pending]:
        return sorted(p for p in self._heap if not p.cancelled)

    def clear(self) -> None:
        self._heap.clear()

    # --- saved state ------------------------------------------------------------------------------
    def export(self) -> dict:
        return {"next_seq": self._seq, "pending": [p.describe() for p in self.pending()]}

    def restore(self, data: dict) -> None:
        self.clear()
        for item in data["pending"]:
            if item["kind"] not in self.handlers:
                raise ValueError(f"pending transition of unknown kind {item['kind']!r}")
            self._push(float(item["due"]), item["kind"], str(item["entity_id"]), dict(item["data"]), int(item["seq"]))
        self._seq = max(self._seq, int(data["next_seq"]))
