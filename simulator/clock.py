"""The simulator's clock: token expiry, subscription lifetimes, jobs and migrations read time here.

Tests and the /_sim control API advance a `ManualClock` instead of sleeping; `acisim serve` uses
`SystemClock` unless a scenario pins the time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> float:
        return time.time()

    def advance(self, seconds: float) -> float:
        raise TypeError("the system clock cannot be advanced; start the lab with a manual clock")


class ManualClock:
    """A clock that moves only when told to; starts at the real time unless given one."""

    def __init__(self, start: float | None = None):
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._now += seconds
            return self._now


class OffsetClock:
    """The system time plus an offset that /_sim can push forward (a running lab's default).

    It can also be frozen: then it moves only when advanced, so a test can look at a state that lasts
    a few seconds of lab time (a VM migrating) however slow the machine running it is."""

    def __init__(self):
        self._offset = 0.0
        self._frozen_at: float | None = None
        self._lock = threading.Lock()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def now(self) -> float:
        frozen = self._frozen_at
        return frozen if frozen is not None else time.time() + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds
            return self.now()

    def freeze(self) -> float:
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = time.time() + self._offset
            return self._frozen_at

    def thaw(self) -> float:
        """Run on from the frozen instant (time never goes back)."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None
            return self.now()


def apic_timestamp(t: float) -> str:
    """APIC's modTs format: 2020-04-13T10:43:19.237+00:00."""
    dt = datetime.fromtimestamp(t, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+00:00"
