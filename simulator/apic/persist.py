"""Saving the tree to a file and bringing it back: a restarted simulator loses nothing.

The file is JSON, written to a temporary name and renamed over the old one, so a crash mid-write
leaves the previous state intact.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from .mit.store import Store

FORMAT_VERSION = 1


def snapshot(store: Store) -> dict:
    with store.lock:
        mos = [[mo.dn, mo.cls, dict(mo.attrs)] for mo in store.subtree(store.root) if mo.dn]
    return {"format": FORMAT_VERSION, "mos": mos}


def restore(store: Store, data: dict) -> int:
    """Replace the tree's content with a snapshot (parents come before children in it)."""
    if data.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported state format {data.get('format')!r}")
    with store.transaction() as txn:
        for mo in store.root.child_list():
            txn.delete(mo.dn)
        for dn, cls, attrs in data["mos"]:
            txn.create(store.catalog.get(cls), dn, attrs)
    return len(data["mos"])


def save(store: Store, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(snapshot(store), f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load(store: Store, path: Path) -> int:
    with open(path, encoding="utf-8") as f:
        return restore(store, json.load(f))


class AutoSaver:
    """Writes the state file shortly after each change, and once more when stopped."""

    def __init__(self, store: Store, path: Path, delay: float = 0.5):
        self.store = store
        self.path = Path(path)
        self.delay = delay
        self._dirty = threading.Event()
        self._stop = threading.Event()
        store.listeners.append(self._changed)
        self._thread = threading.Thread(target=self._run, name="acisim-autosave", daemon=True)
        self._thread.start()

    def _changed(self, events) -> None:
        self._dirty.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._dirty.wait(timeout=1.0):
                self._stop.wait(self.delay)
                self._dirty.clear()
                save(self.store, self.path)

    def stop(self) -> None:
        if self._changed in self.store.listeners:
            self.store.listeners.remove(self._changed)
        self._stop.set()
        self._dirty.set()
        self._thread.join(timeout=10)
        save(self.store, self.path)
