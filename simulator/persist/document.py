"""The whole lab as one document: what a named snapshot holds and what the state file is made of.

The APIC part is its tree as rows `[dn, class, attributes]` (attributes sparse: only the values that
differ from the class's defaults), parents before children and siblings in their order, so the tree
comes back exactly, with the files the controller keeps for its own configuration snapshots. The RHV
part is the engine's own export (inventory, event and job counters); the Kubernetes part is the API
server's (its objects with their uids and resourceVersions, the resourceVersion counter, the applied
configurations; a document from before it had one leaves the API server as it is); the clock part says
where the lab's time stands. A document is checked whole before any of it is applied, and applying it is all or
nothing: a part that fails puts back what the earlier parts replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..apic.managers.config_snapshots import archive_of
from ..apic.mit.catalog import Catalog
from ..apic.mit.dn import parent_dn
from ..apic.mit.store import Store

if TYPE_CHECKING:
    from ..lab import Lab

FORMAT = "acisim-lab"
VERSION = 1
Row = list  # [dn, class, {prop: value}]


class StateError(ValueError):
    """A state file or a document that cannot be taken; the message is one line that says why."""


@dataclass
class LabDocument:
    apic: list[Row]
    clock: dict[str, Any]
    rhv: dict[str, Any] | None = None
    files: dict[str, Any] = field(default_factory=dict)  # the APIC's configuration-snapshot files
    k8s: dict[str, Any] | None = None
    preparation: dict[str, Any] | None = None  # the Kubernetes nodes' preparation (simulator/opflex)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "apic": self.apic, "apic_files": self.files,
                "rhv": self.rhv, "k8s": self.k8s, "preparation": self.preparation, "clock": self.clock}

    @classmethod
    def from_json(cls, data: Any) -> LabDocument:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise StateError("not a lab document")
        if data.get("version") != VERSION:
            raise StateError(f"lab document version {data.get('version')!r} is not {VERSION}")
        apic, files, clock, rhv = data.get("apic"), data.get("apic_files"), data.get("clock"), data.get("rhv")
        if not isinstance(apic, list) or not isinstance(files, dict) or not isinstance(clock, dict):
            raise StateError("a lab document holds an APIC tree, its files and a clock")
        if rhv is not None and not isinstance(rhv, dict):
            raise StateError("the RHV part of a lab document is not a mapping")
        k8s = data.get("k8s")
        if k8s is not None and not isinstance(k8s, dict):
            raise StateError("the Kubernetes part of a lab document is not a mapping")
        preparation = data.get("preparation")
        if preparation is not None and not isinstance(preparation, dict):
            raise StateError("the node preparation part of a lab document is not a mapping")
        return cls(apic, clock, rhv, files, k8s, preparation)


# --- the APIC tree ---------------------------------------------------------------------------------
def apic_rows(store: Store) -> list[Row]:
    """The tree as rows, parents first and siblings in their order (take it under the store's lock)."""
    return [[mo.dn, mo.cls, dict(mo.attrs)] for mo in store.subtree(store.root) if mo.dn]


def check_rows(catalog: Catalog, rows: Sequence[Any]) -> None:
    """Every row names a class the catalog knows, under a parent that comes before it; StateError if not."""
    seen = {""}
    for number, row in enumerate(rows, 1):
        if not isinstance(row, (list, tuple)) or len(row) != 3 or not isinstance(row[0], str) or not row[0]:
            raise StateError(f"APIC object {number} is not [dn, class, attributes]")
        dn, cls, attrs = row
        if not isinstance(cls, str) or cls not in catalog:
            raise StateError(f"APIC object {dn}: unknown class {cls!r}")
        if not isinstance(attrs, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in attrs.items()):
            raise StateError(f"APIC object {dn}: attributes are not a mapping of strings")
        if dn in seen:
            raise StateError(f"APIC object {dn} is there twice")
        if parent_dn(dn) not in seen:
            raise StateError(f"APIC object {dn} has no parent {parent_dn(dn)} before it (an orphan)")
        seen.add(dn)


def replace_tree(store: Store, rows: Sequence[Row]) -> int:
    """Make the tree hold exactly `rows` (checked first: on an error nothing changes); returns how many.

    One transaction: the managers react to it as to any write (relations resolve, inventories follow),
    and listeners (subscriptions, the state file) hear it as one change."""
    check_rows(store.catalog, rows)
    with store.transaction() as txn:
        for mo in store.root.child_list():
            txn.delete(mo.dn)
        for dn, cls, attrs in rows:
            txn.create(store.catalog.get(cls), dn, attrs)
    return len(rows)


# --- the whole lab -----------------------------------------------------------------------------------
def capture(lab: Lab) -> LabDocument:
    """The lab as it stands; each system is read under its own lock, the APIC's tree and files together."""
    store = lab.apic.store
    archive = archive_of(store)
    with store.lock:
        rows = apic_rows(store)
        files = archive.export(store) if archive is not None else {}
    return LabDocument(rows, lab.clock.export_state(), lab.rhv.export_state(), files, lab.k8s.export_state(),
                       lab.opflex.preparation.export_state())


def restore(lab: Lab, doc: LabDocument) -> int:
    """Make the lab what the document says, all or nothing; returns the APIC objects restored.

    Raises StateError (nothing changed) for a document a part refuses."""
    check_rows(lab.apic.store.catalog, doc.apic)
    before = capture(lab)
    try:
        return _apply(lab, doc)
    except ValueError as exc:
        _apply(lab, before)
        raise StateError(str(exc)) from exc


def _apply(lab: Lab, doc: LabDocument) -> int:
    store = lab.apic.store
    archive = archive_of(store)
    with store.lock:
        count = replace_tree(store, doc.apic)
        if archive is not None:
            archive.load(doc.files)
    if doc.rhv is not None:
        lab.rhv.import_state(doc.rhv)
    if doc.k8s is not None:
        lab.k8s.import_state(doc.k8s)
    if doc.preparation is not None:
        lab.opflex.preparation.import_state(doc.preparation)
    lab.clock.import_state(doc.clock)
    return count
