"""The state file of `acisim serve --state FILE`: an SQLite database in WAL mode, written through.

Every acknowledged write must be on disk before its answer is sent, and a crash at any instant must
leave the state as it was before a write or after it, never torn. So each change is one SQLite
transaction, made by the change listener (which runs before the write is answered): the APIC's rows
of that write, or the RHV engine's or the Kubernetes API server's document after that change batch, or
the clock's.

Durability is `PRAGMA synchronous=FULL`. In WAL mode a commit appends the transaction's pages to the
write-ahead log; FULL syncs the log at every commit, so an answered write survives the machine losing
power or the kernel crashing, not only the process being killed (for `kill -9` alone NORMAL would do,
since the log is then in the kernel's page cache, but "durable" should mean on the disk). The price is
one fsync per write; bench/state_writes.py measures the write rate with and without a state file.

The file is ours when its SQLite header carries our application id; its user_version is the format.
Tables:
  apic_mo(dn, seq, cls, attrs)   one row per MO; seq is the creation order (parents first, siblings in order)
  apic_file(name, body)          the APIC's configuration-snapshot files
  document(name, body)           "rhv" (the engine's own export), "k8s" (the API server's; a file from
                                 before it had one holds none), "preparation" (the Kubernetes nodes'
                                 preparation verdicts, simulator/opflex) and "clock"
  snapshot(name, taken, body)    named snapshots of the whole lab (/_sim/snapshots), as lab documents
It is created mode 0600 (it holds the users' passwords); its -wal and -shm files take the same mode.
A damaged or foreign file is refused with a StateError naming it, and left as it was.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..apic.mit.store import Event
from .document import LabDocument, StateError

APPLICATION_ID = 0x61636973  # "acis"
FORMAT = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
SCHEMA = (
    "CREATE TABLE apic_mo (dn TEXT PRIMARY KEY, seq INTEGER NOT NULL, cls TEXT NOT NULL, attrs TEXT NOT NULL)",
    "CREATE INDEX apic_mo_order ON apic_mo (seq)",
    "CREATE TABLE apic_file (name TEXT PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE TABLE document (name TEXT PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE TABLE snapshot (name TEXT PRIMARY KEY, taken REAL NOT NULL, body TEXT NOT NULL)",
)
log = logging.getLogger("acisim.state")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class StateFile:
    """One open state file. Its methods may be called from any thread; each is one SQLite transaction."""

    def __init__(self, path: Path, conn: sqlite3.Connection, fresh: bool):
        self.path = path
        self.fresh = fresh  # created now (or was empty): holds no lab yet
        self._conn = conn
        self._lock = threading.Lock()
        self._seq = conn.execute("SELECT coalesce(max(seq), 0) FROM apic_mo").fetchone()[0]
        self._files = {name: None for (name,) in conn.execute("SELECT name FROM apic_file")}

    @classmethod
    def open(cls, path: str | Path) -> StateFile:
        """Open a state file, or create it when there is none (or it is empty)."""
        path = Path(path)
        fresh = _identify(path)
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StateError(f"{path}: cannot open the state file ({exc})") from None
        try:
            if fresh:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {FORMAT}")
                conn.execute("BEGIN")
                for statement in SCHEMA:
                    conn.execute(statement)
                conn.execute("COMMIT")
            else:
                _check(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            return cls(path, conn, fresh)
        except sqlite3.Error as exc:
            conn.close()
            raise StateError(f"{path}: damaged state file ({exc})") from None
        except BaseException:
            conn.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- reading --------------------------------------------------------------------------------------
    def read(self) -> LabDocument | None:
        """The lab the file holds (None for a fresh file); StateError naming the file if it is damaged."""
        if self.fresh:
            return None
        try:
            with self._lock:
                rows = [[dn, cls, json.loads(attrs)] for dn, cls, attrs in
                        self._conn.execute("SELECT dn, cls, attrs FROM apic_mo ORDER BY seq")]
                files = {name: json.loads(body) for name, body in self._conn.execute("SELECT name, body FROM apic_file")}
                docs = {name: json.loads(body) for name, body in self._conn.execute("SELECT name, body FROM document")}
        except (sqlite3.Error, ValueError) as exc:
            raise StateError(f"{self.path}: damaged state file ({exc})") from None
        if not isinstance(docs.get("clock"), dict):
            raise StateError(f"{self.path}: damaged state file (no clock)")
        return LabDocument(rows, docs["clock"], docs.get("rhv"), files, docs.get("k8s"), docs.get("preparation"))

    # --- writing: each method is one transaction ------------------------------------------------------
    def write_lab(self, doc: LabDocument) -> None:
        """Replace everything but the named snapshots with `doc`."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM apic_mo")
            conn.executemany("INSERT INTO apic_mo (dn, seq, cls, attrs) VALUES (?, ?, ?, ?)",
                             ((dn, self._next(), cls, _dumps(attrs)) for dn, cls, attrs in doc.apic))
            self._sync_files(conn, doc.files)
            self._put_document(conn, "clock", doc.clock)
            if doc.rhv is not None:
                self._put_document(conn, "rhv", doc.rhv)
            if doc.k8s is not None:
                self._put_document(conn, "k8s", doc.k8s)
            if doc.preparation is not None:
                self._put_document(conn, "preparation", doc.preparation)

    def write_apic(self, events: Iterable[Event], files: dict[str, Any] | None = None) -> None:
        """One APIC transaction's events (each MO as its transaction left it), and the snapshot files if they changed."""
        with self._transaction() as conn:
            for event in events:
                if event.kind == "deleted":
                    conn.execute("DELETE FROM apic_mo WHERE dn = ?", (event.dn,))
                elif event.kind == "created":
                    conn.execute("INSERT OR REPLACE INTO apic_mo (dn, seq, cls, attrs) VALUES (?, ?, ?, ?)",
                                 (event.dn, self._next(), event.cls, _dumps(event.state.attrs)))
                else:
                    conn.execute("UPDATE apic_mo SET attrs = ? WHERE dn = ?", (_dumps(event.state.attrs), event.dn))
            if files is not None:
                self._sync_files(conn, files)

    def write_document(self, name: str, body: dict[str, Any]) -> None:
        with self._transaction() as conn:
            self._put_document(conn, name, body)

    # --- named snapshots ------------------------------------------------------------------------------
    def put_snapshot(self, name: str, taken: float, body: str) -> bool:
        """Keep a snapshot; False (and nothing written) when one of that name exists."""
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM snapshot WHERE name = ?", (name,)).fetchone():
                return False
            conn.execute("INSERT INTO snapshot (name, taken, body) VALUES (?, ?, ?)", (name, taken, body))
            return True

    def get_snapshot(self, name: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM snapshot WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def delete_snapshot(self, name: str) -> bool:
        with self._transaction() as conn:
            return conn.execute("DELETE FROM snapshot WHERE name = ?", (name,)).rowcount > 0

    def list_snapshots(self) -> list[tuple[str, float]]:
        with self._lock:
            return list(self._conn.execute("SELECT name, taken FROM snapshot ORDER BY taken, name"))

    # --- internals ------------------------------------------------------------------------------------
    def _transaction(self):
        return _Transaction(self)

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _put_document(self, conn: sqlite3.Connection, name: str, body: dict[str, Any]) -> None:
        conn.execute("INSERT OR REPLACE INTO document (name, body) VALUES (?, ?)", (name, _dumps(body)))

    def _sync_files(self, conn: sqlite3.Connection, files: dict[str, Any]) -> None:
        """Files are written once and never change: add the new ones, drop the gone ones."""
        for name in [n for n in self._files if n not in files]:
            conn.execute("DELETE FROM apic_file WHERE name = ?", (name,))
            del self._files[name]
        for name, entry in files.items():
            if self._files.get(name, "") != entry["snapshot"]:
                conn.execute("INSERT OR REPLACE INTO apic_file (name, body) VALUES (?, ?)", (name, _dumps(entry)))
                self._files[name] = entry["snapshot"]


class _Transaction:
    """The file's lock and one SQLite transaction: committed on success, rolled back on an error."""

    def __init__(self, state: StateFile):
        self.state = state

    def __enter__(self) -> sqlite3.Connection:
        self.state._lock.acquire()
        self._seq, self._files = self.state._seq, dict(self.state._files)
        try:
            self.state._conn.execute("BEGIN")
        except BaseException:
            self.state._lock.release()
            raise
        return self.state._conn

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                self.state._conn.execute("COMMIT")
            else:
                self.state._conn.execute("ROLLBACK")
                self.state._seq, self.state._files = self._seq, self._files
                log.error("state file %s: a write failed and was not saved: %s", self.state.path, exc)
        finally:
            self.state._lock.release()


def _identify(path: Path) -> bool:
    """True for a new state file (created here, mode 0600, or an empty one); StateError for a file that
    is not one of ours, checked from its header alone so that nothing is written to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        os.close(fd)
        return True
    if path.is_dir():
        raise StateError(f"{path}: is a directory, not a state file")
    with open(path, "rb") as f:
        header = f.read(100)
    if not header:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        return True
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StateError(f"{path}: not an acisim state file (not an SQLite database)")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise StateError(f"{path}: not an acisim state file (an SQLite database of another application)")
    version = int.from_bytes(header[60:64], "big")
    if version != FORMAT:
        raise StateError(f"{path}: state format {version}, this acisim reads format {FORMAT}")
    return False


def _check(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise sqlite3.DatabaseError(result)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = {"apic_mo", "apic_file", "document", "snapshot"} - tables
    if missing:
        raise sqlite3.DatabaseError(f"no table {', '.join(sorted(missing))}")
