"""The lab's clock: token expiry, subscription lifetimes, jobs and migrations read time here.

Every clock of the lab speaks one protocol (`LabClock`): read it, move it forward, freeze it, run it
on, and save and restore where it stands. Tests advance a `ManualClock` instead of sleeping; a
running lab uses an `OffsetClock` (the system time plus what /_sim has pushed it forward by).
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


class ClockError(ValueError):
    """A request the clock cannot take (backwards, not a number, a manual clock asked to run on)."""


@runtime_checkable
class LabClock(Protocol):
    @property
    def frozen(self) -> bool: ...

    def now(self) -> float: ...

    def advance(self, seconds: float) -> float: ...

    def freeze(self) -> float: ...

    def thaw(self) -> float: ...

    def export_state(self) -> dict: ...

    def import_state(self, data: dict) -> None: ...


def _forward(seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ClockError(f"the clock moves by a finite number of seconds, not {seconds!r}")
    if seconds < 0:
        raise ClockError("the clock only moves forward")
    return float(seconds)


def _number(data: dict, key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ClockError(f"clock state: {key} must be a number, not {value!r}")
    return float(value)


class ManualClock:
    """A clock that moves only when told to; starts at the real time unless given one. It is always
    frozen: it never runs on by itself."""

    frozen = True

    def __init__(self, start: float | None = None):
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        seconds = _forward(seconds)
        with self._lock:
            self._now += seconds
            return self._now

    def freeze(self) -> float:
        return self._now

    def thaw(self) -> float:
        raise ClockError("this lab's clock is manual: it moves only when advanced")

    def export_state(self) -> dict:
        return {"kind": "manual", "now": self._now}

    def import_state(self, data: dict) -> None:
        now = _number(data, "now")
        if now is None:
            raise ClockError("clock state: 'now' is missing")
        with self._lock:
            self._now = now


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
        seconds = _forward(seconds)
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

    def export_state(self) -> dict:
        """Where the lab's time stands: frozen at an instant, or running this far ahead of the system's."""
        with self._lock:
            return {"kind": "offset", "offset": self._offset, "frozen_at": self._frozen_at}

    def import_state(self, data: dict) -> None:
        """Take a saved state: a frozen clock stands where it stood, a running one keeps its offset from
        the system time (the time the lab was down passed for it too, as it does for a real fabric)."""
        offset, frozen_at = _number(data, "offset") or 0.0, _number(data, "frozen_at")
        with self._lock:
            self._offset, self._frozen_at = offset, frozen_at


def apic_timestamp(t: float) -> str:
    """APIC's modTs format: 2020-04-13T10:43:19.237+00:00."""
    dt = datetime.fromtimestamp(t, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+00:00"
