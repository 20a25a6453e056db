"""The lab's event log: what was done to the lab through its control API, in the order it happened.

An instructor (or a CI job) reads it to see what changed the lab and when, in lab time: a clock moved, a
fault rule added, a snapshot restored, a training lab reset, and the refusals too (a trainee's account trying
to reset the lab gets a 403, and the log says so). Reads are not logged. The log is bounded (the newest
`MAX_ENTRIES` are kept); ids only grow, so a reader asks for what came after the last id it saw.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

MAX_ENTRIES = 1000
MAX_DETAIL = 200  # characters of a request's body kept with its entry


class LabLog:
    def __init__(self, now: Callable[[], float]):
        self._now = now
        self._entries: deque[dict] = deque(maxlen=MAX_ENTRIES)
        self._last = 0
        self._lock = threading.Lock()

    def add(self, action: str, status: int, user: str = "", detail: str = "") -> dict:
        """One entry: `action` as `POST /_sim/clock/advance`, the status it was answered with, who asked
        (empty when the request carried no valid credentials) and the start of its body."""
        if len(detail) > MAX_DETAIL:
            detail = detail[:MAX_DETAIL] + "…"
        with self._lock:
            self._last += 1
            entry = {"id": self._last, "time": _iso(self._now()), "action": action, "status": status,
                     "user": user, "detail": detail}
            self._entries.append(entry)
            return entry

    def since(self, after: int = 0) -> list[dict]:
        with self._lock:
            return [dict(e) for e in self._entries if e["id"] > after]

    @property
    def last(self) -> int:
        return self._last


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
