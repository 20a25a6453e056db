"""Named snapshots of the whole lab (/_sim/snapshots): where they are kept, and what names they take.

A snapshot is a lab document (see document.py) under a name. With a state file they are kept in it
and survive a restart; without one, in memory for the life of the process. Both keepers answer the
same four calls; each refuses what the control API reports as 400 (bad name), 404 (unknown) or 409
(a name already taken).
"""

from __future__ import annotations

import re
import threading
from typing import Protocol

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class SnapshotError(Exception):
    """A request about snapshots that cannot be done; `status` is the HTTP status the control API answers."""

    status = 400


class UnknownSnapshot(SnapshotError):
    status = 404


class DuplicateSnapshot(SnapshotError):
    status = 409


def check_name(name: object) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise SnapshotError(
            f"a snapshot name is 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit, "
            f"not {name!r}"
        )
    return name


class Shelf(Protocol):
    """Where named snapshots are kept (`StateFile` is one)."""

    def put_snapshot(self, name: str, taken: float, body: str) -> bool: ...

    def get_snapshot(self, name: str) -> str | None: ...

    def delete_snapshot(self, name: str) -> bool: ...

    def list_snapshots(self) -> list[tuple[str, float]]: ...


class MemoryShelf:
    """Snapshots of a lab without a state file: gone when the process ends."""

    def __init__(self) -> None:
        self._snapshots: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def put_snapshot(self, name: str, taken: float, body: str) -> bool:
        with self._lock:
            if name in self._snapshots:
                return False
            self._snapshots[name] = (taken, body)
            return True

    def get_snapshot(self, name: str) -> str | None:
        with self._lock:
            kept = self._snapshots.get(name)
        return kept[1] if kept else None

    def delete_snapshot(self, name: str) -> bool:
        with self._lock:
            return self._snapshots.pop(name, None) is not None

    def list_snapshots(self) -> list[tuple[str, float]]:
        with self._lock:
            return sorted(((name, taken) for name, (taken, _) in self._snapshots.items()), key=lambda s: (s[1], s[0]))
