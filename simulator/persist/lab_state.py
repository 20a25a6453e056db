"""A running lab's state: its state file (`--state`), and its named snapshots.

Once the lab keeps its state in a file, every change reaches the file before it is answered: the
APIC's change feed, the RHV engine's and the Kubernetes API server's deliver each committed batch to a
listener here before the write that made it returns, and the clock is saved whenever it is moved, frozen or run on (the lab's
`advance_clock` and `freeze_clock` are the only ways it moves). `/_sim/reset` needs nothing of its
own: the reset is a set of changes like any other, so the file follows the lab back to its boot state.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..apic.managers.config_snapshots import archive_of
from ..apic.mit.store import Event
from ..clock import LabClock
from .document import LabDocument, StateError, capture, restore
from .snapshots import DuplicateSnapshot, MemoryShelf, Shelf, UnknownSnapshot, check_name
from .state_file import StateFile

if TYPE_CHECKING:
    from ..lab import Lab


class SavedClock:
    """The lab's clock, saved after every move; reading it is the wrapped clock's business alone."""

    def __init__(self, inner: LabClock, save: Callable[[dict], None]):
        self.inner = inner
        self._save = save
        self._lock = threading.Lock()  # two moves save in the order they were made

    @property
    def frozen(self) -> bool:
        return self.inner.frozen

    def now(self) -> float:
        return self.inner.now()

    def advance(self, seconds: float) -> float:
        return self._moved(lambda: self.inner.advance(seconds))

    def freeze(self) -> float:
        return self._moved(self.inner.freeze)

    def thaw(self) -> float:
        return self._moved(self.inner.thaw)

    def export_state(self) -> dict:
        return self.inner.export_state()

    def import_state(self, data: dict) -> None:
        self._moved(lambda: self.inner.import_state(data))

    def _moved(self, move: Callable[[], Any]) -> Any:
        with self._lock:
            result = move()
            self._save(self.inner.export_state())
            return result


class LabState:
    def __init__(self, lab: Lab):
        self.lab = lab
        self.file: StateFile | None = None
        self.shelf: Shelf = MemoryShelf()
        # the parts saved as whole documents (the RHV engine, the Kubernetes API server, the nodes' preparation):
        # each export and its write happen under the part's lock, so the last document written is the part's
        # latest state whichever thread wrote it
        self._documents: dict[str, tuple[Callable[[], dict], threading.RLock]] = {
            "rhv": (lab.rhv.export_state, threading.RLock()),
            "k8s": (lab.k8s.export_state, threading.RLock()),
            "preparation": (lab.opflex.preparation.export_state, threading.RLock()),
        }

    # --- the state file -------------------------------------------------------------------------------
    def keep_in(self, path: str | Path) -> int:
        """Keep the lab in a state file from now on (call it before the lab serves): a file that holds a
        lab restores it, a new or empty one starts with the lab as it is. Returns how many APIC objects
        were restored (0 for a new file). StateError naming the file when it cannot be used; then the
        lab and the file are left as they were."""
        if self.file is not None:
            raise RuntimeError(f"the lab already keeps its state in {self.file.path}")
        file = StateFile.open(path)
        try:
            doc = file.read()
            if doc is None:
                file.write_lab(capture(self.lab))
                restored = 0
            else:
                try:
                    restored = restore(self.lab, doc)
                except StateError as exc:
                    raise StateError(f"{file.path}: {exc}") from None
                if doc.k8s is None:  # a file from before the lab had a Kubernetes API: it holds the boot one now
                    file.write_document("k8s", self.lab.k8s.export_state())
            for name, taken in self.shelf.list_snapshots():
                file.put_snapshot(name, taken, self.shelf.get_snapshot(name) or "")
        except BaseException:
            file.close()
            raise
        self.file, self.shelf = file, file
        self.lab.apic.store.subscribe(self._apic_changed)
        self.lab.rhv.changes.subscribe(self._rhv_changed)
        self.lab.k8s.changes.subscribe(self._k8s_changed)
        self.lab.opflex.preparation.listeners.append(self._preparation_changed)
        self.lab.clock = SavedClock(self.lab.clock, self._clock_moved)
        return restored

    def close(self) -> None:
        """Stop saving and close the file (every change is already in it)."""
        file, self.file = self.file, None
        if file is None:
            return
        self.lab.apic.store.unsubscribe(self._apic_changed)
        self.lab.rhv.changes.unsubscribe(self._rhv_changed)
        self.lab.k8s.changes.unsubscribe(self._k8s_changed)
        self.lab.opflex.preparation.listeners.remove(self._preparation_changed)
        if isinstance(self.lab.clock, SavedClock):
            self.lab.clock = self.lab.clock.inner
        file.close()

    def _apic_changed(self, events: list[Event]) -> None:
        file = self.file
        if file is None:
            return
        files = None
        if any(event.cls == "configSnapshot" for event in events):
            archive = archive_of(self.lab.apic.store)
            files = archive.export(self.lab.apic.store) if archive is not None else None
        file.write_apic(events, files)

    def _rhv_changed(self, changes: list) -> None:
        self._save("rhv")

    def _k8s_changed(self, changes: list) -> None:
        self._save("k8s")

    def _preparation_changed(self) -> None:
        self._save("preparation")

    def _save(self, name: str) -> None:
        export, lock = self._documents[name]
        with lock:
            file = self.file
            if file is not None:
                file.write_document(name, export())

    def _clock_moved(self, state: dict) -> None:
        file = self.file
        if file is not None:
            file.write_document("clock", state)

    # --- named snapshots ------------------------------------------------------------------------------
    def take(self, name: object) -> dict[str, Any]:
        name = check_name(name)
        if self.shelf.get_snapshot(name) is not None:
            raise DuplicateSnapshot(f"a snapshot named {name!r} exists")
        taken = self.lab.clock.now()
        if not self.shelf.put_snapshot(name, taken, json.dumps(capture(self.lab).to_json(), separators=(",", ":"))):
            raise DuplicateSnapshot(f"a snapshot named {name!r} exists")
        return {"name": name, "taken": taken}

    def snapshots(self) -> list[dict[str, Any]]:
        return [{"name": name, "taken": taken} for name, taken in self.shelf.list_snapshots()]

    def restore(self, name: object) -> dict[str, Any]:
        """Put the whole lab back as the snapshot has it. The file follows as it follows any change: the
        APIC's restore is one transaction its listener saves, the clock saves itself; the imports of the
        parts saved as whole documents publish no change, so their documents are saved here."""
        name = check_name(name)
        body = self.shelf.get_snapshot(name)
        if body is None:
            raise UnknownSnapshot(f"no snapshot named {name!r}")
        doc = LabDocument.from_json(json.loads(body))
        with ExitStack() as held:  # no part's listener saves a half-restored document meanwhile
            for _, lock in self._documents.values():
                held.enter_context(lock)
            count = restore(self.lab, doc)
            for part in self._documents:
                self._save(part)
        return {"name": name, "restored": True, "apic_objects": count}

    def delete(self, name: object) -> dict[str, Any]:
        name = check_name(name)
        if not self.shelf.delete_snapshot(name):
            raise UnknownSnapshot(f"no snapshot named {name!r}")
        return {"name": name, "deleted": True}
