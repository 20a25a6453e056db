"""The controller's own configuration snapshots and rollback (configExportP / configImportP, snapshot=yes).

On a real APIC, triggering an export policy with snapshot="yes" (adminSt="triggered", as Ansible's
aci_config_snapshot posts it under uni/fabric) writes the configuration into a file the controller
keeps, listed as configSnapshot `uni/backupst/snapshots-[<policy dn>]/snapshot-run-<time>`; the
policy's adminSt goes back to "untriggered" once the job has run, the snapshot takes the policy's
description, and maxSnapshotCount (1..10) retires the oldest ones. Posting retire="yes" on a snapshot
removes it. An import policy with snapshot="yes", fileName "ce2_<export policy>-<time>.tar.gz" and
adminSt="triggered" (aci_config_rollback) puts that configuration back: importType "replace" makes
the snapshot's scope hold exactly what the snapshot holds, "merge" only adds and changes.

Here the job runs inside the write that triggers it, in its transaction (so a rollback is atomic and
the answer already shows its effect). A snapshot holds the export policy's targetDn subtree (`uni`
when empty), without the snapshots themselves and without the export and import policies that drive
them (a rollback must not undo the policy that asked for it). The files live in the manager's
archive; the lab's state and snapshots carry them beside the tree.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import bad_request
from ..mit.dn import Dn, DnError, child_dn
from ..mit.store import MO, Event, Store, Transaction

BACKUP_STATUS = "uni/backupst"
DRIVERS = ("configExportP", "configImportP")  # the policies that take and put back snapshots
RETIRED = ("yes", "true")


def snapshot_file(policy: str, snapshot: str) -> str:
    """The file a snapshot is kept in, as aci_config_rollback names it: ce2_<policy>-<time>.tar.gz."""
    return f"ce2_{policy}-{snapshot.removeprefix('run-')}.tar.gz"


class ConfigArchive:
    """The snapshot files: file name -> {"snapshot": its configSnapshot DN, "root": scope DN, "mos": rows}.

    A file is live while its configSnapshot is in the tree: files are added inside the write that takes
    them and never dropped there, so a write that rolls back leaves no missing file behind (at worst
    an unlisted one, which `export` leaves out)."""

    def __init__(self) -> None:
        self._files: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def add(self, name: str, snapshot_dn: str, root: str, rows: list[list]) -> None:
        with self._lock:
            self._files[name] = {"snapshot": snapshot_dn, "root": root, "mos": rows}

    def find(self, name: str, store: Store) -> dict[str, Any] | None:
        with self._lock:
            entry = self._files.get(name)
        return entry if entry is not None and entry["snapshot"] in store else None

    def export(self, store: Store) -> dict[str, Any]:
        """The live files (read it under the store's lock to match the tree)."""
        with self._lock:
            files = dict(self._files)
        return {name: entry for name, entry in files.items() if entry["snapshot"] in store}

    def load(self, files: dict[str, Any]) -> None:
        """Take the files of a saved state (kept as they are: they are never changed once written)."""
        with self._lock:
            self._files = {
                name: entry for name, entry in files.items()
                if isinstance(entry, dict) and isinstance(entry.get("snapshot"), str) and isinstance(entry.get("mos"), list)
            }


class ConfigSnapshots:
    def __init__(self, store: Store, timestamp: Callable[[], str]):
        self.store = store
        self.catalog = store.catalog
        self.timestamp = timestamp
        self.archive = ConfigArchive()
        store.hooks.append(self)

    @classmethod
    def install(cls, store: Store, timestamp: Callable[[], str]) -> ConfigSnapshots:
        """The store's manager, made and hooked in if it has none yet."""
        for hook in store.hooks:
            if isinstance(hook, cls):
                return hook
        return cls(store, timestamp)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        for event in events:
            if event.kind == "deleted":
                continue
            if event.cls in DRIVERS and event.changed.get("adminSt") == "triggered":
                mo = self.store.get(event.dn)
                if mo is not None and mo.get("snapshot") == "yes":
                    if event.cls == "configExportP":
                        self._take(txn, mo)
                    else:
                        self._roll_back(txn, mo)
                    txn.modify(mo, {"adminSt": "untriggered"})
            elif event.cls == "configSnapshot" and event.changed.get("retire") in RETIRED:
                txn.delete(event.dn)

    # --- export: take a snapshot -------------------------------------------------------------------
    def _take(self, txn: Transaction, policy: MO) -> None:
        root = policy.get("targetDn") or "uni"
        if root not in self.store:
            raise bad_request(f"Export target {root} does not exist")
        rows = [[mo.dn, mo.cls, dict(mo.attrs)] for mo in self._scope(root)]
        cont = child_dn(BACKUP_STATUS, f"snapshots-[{policy.dn}]")
        self._ensure(txn, cont)
        name = self._free_name(cont, "run-" + self.timestamp()[:19].replace(":", "-"))
        meta = self.catalog.get("configSnapshot")
        dn = child_dn(cont, meta.rn.format({"name": name}))
        file_name = snapshot_file(policy.get("name"), name)
        txn.create(meta, dn, {"name": name, "descr": policy.get("descr"), "fileName": file_name})
        self.archive.add(file_name, dn, root, rows)
        self._retire_beyond(txn, cont, policy.get("maxSnapshotCount"))

    def _free_name(self, cont: str, name: str) -> str:
        taken = {mo.get("name") for mo in self.store.children(cont)}
        candidate, n = name, 1
        while candidate in taken:
            candidate, n = f"{name}-{n}", n + 1
        return candidate

    def _retire_beyond(self, txn: Transaction, cont: str, limit: str) -> None:
        if not limit.isdigit() or int(limit) < 1:
            return  # "" or "global-limit": no limit of the policy's own
        snapshots = [mo for mo in self.store.children(cont) if mo.cls == "configSnapshot"]
        for old in snapshots[: max(0, len(snapshots) - int(limit))]:
            txn.delete(old.dn)

    def _ensure(self, txn: Transaction, dn: str) -> None:
        """Create the missing containers on the way to `dn`, each of the class the catalog gives its RN."""
        try:
            path = Dn.parse(dn, self.catalog).path
        except DnError as exc:  # a catalog without the backup status container
            raise bad_request(str(exc)) from exc
        at = ""
        for rn in path:
            at = child_dn(at, rn.text)
            if at not in self.store:
                txn.create(rn.meta, at, dict(rn.values))

    def _scope(self, root: str) -> Iterator[MO]:
        """The MOs a snapshot of `root` holds: its subtree, parents first, without the snapshots and the
        policies that drive them."""
        stack = [self.store.get(root)]
        while stack:
            mo = stack.pop()
            if mo is None or mo.cls in DRIVERS or mo.dn == BACKUP_STATUS:
                continue
            yield mo
            if mo.children:
                stack.extend(reversed(mo.children.values()))

    # --- import: roll back to a snapshot -----------------------------------------------------------
    def _roll_back(self, txn: Transaction, policy: MO) -> None:
        name = policy.get("fileName")
        entry = self.archive.find(name, self.store)
        if entry is None:
            raise bad_request(f"Snapshot file {name or '(none)'} not found; give the fileName of a configSnapshot")
        root, rows = entry["root"], copy.deepcopy(entry["mos"])
        if policy.get("importType") != "merge":
            wanted = {row[0] for row in rows}
            for mo in list(self._scope(root)):
                if mo.dn not in wanted and mo.dn in self.store:
                    txn.delete(mo.dn)
        for dn, cls, attrs in rows:
            mo = self.store.get(dn)
            if mo is None:
                txn.create(self.catalog.get(cls), dn, attrs)
            elif mo.attrs != attrs:
                props = set(mo.attrs) | set(attrs)
                txn.modify(mo, {p: attrs.get(p, mo.meta.defaults.get(p, "")) for p in props})


def archive_of(store: Store) -> ConfigArchive | None:
    """The configuration-snapshot files of a store's controller (None when it has no such manager)."""
    for hook in store.hooks:
        if isinstance(hook, ConfigSnapshots):
            return hook.archive
    return None
