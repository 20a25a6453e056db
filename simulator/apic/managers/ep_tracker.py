"""The APIC's endpoint tracker: the history of where each endpoint was attached to the fabric.

A real APIC answers `GET /mqapi2/troubleshoot.eptracker.json?ep=<fvCEp dn>` with troubleshootEpTransition
objects, one per IP of the endpoint and change (vmm-endpoints-contracts.md B5, the EPTRK reply). Here a
store hook writes them in the same transaction as the change they record: an fvRsCEpToPathEp created
under an fvCEp is an `attached` row for its path, one deleted (alone, or with its fvCEp: a deleted subtree
reports its children before their parent) a `detached` row ([inferred] wording for the removal side).
A path deleted and created again in one write did not move, and a write that deletes the policy universe
itself (a lab reset, a restore of a saved state) replaces the tree rather than moving anything: neither
records a row.

The rows live in the MIT at `epts-[<cep dn>]-<n>` under the root, so the lab's state file and snapshots
keep them like any MO; n counts up per endpoint from its newest row and is never reused while the history
lasts. Whether a real APIC shows them to a plain class query (/api/class/troubleshootEpTransition.json) is
unknown: here they are ordinary MOs and do show. Each endpoint keeps its newest `history_per_endpoint`
rows (a real APIC's retention is not public), so a long-running lab does not grow without bound.

Attributes as the EPTRK reply has them: `ctx` stays empty for an endpoint under an EPG even when its vrfDn
is set (the recorded reply shows exactly that); it names the VRF only for an endpoint learned in the VRF
itself (uni/tn-T/ctx-V/cep-..., [inferred]). `esg` likewise names the ESG of an endpoint under one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..mit.dn import Dn, parent_dn
from ..mit.store import MO, Event, Store, Transaction

ROW = "troubleshootEpTransition"
PATH_REL = "fvRsCEpToPathEp"
UNIVERSE = "uni"  # deleted only when the whole tree is replaced (reset, restore)


@dataclass
class EpTrackerSettings:
    # rows kept per endpoint, oldest dropped first (a real APIC's retention is not public)
    history_per_endpoint: int = 1000

    def __post_init__(self) -> None:
        if self.history_per_endpoint < 1:
            raise ValueError("the endpoint tracker keeps at least one row per endpoint")


class EpTracker:
    def __init__(self, store: Store, timestamp: Callable[[], str], settings: EpTrackerSettings | None = None):
        self.store = store
        self.catalog = store.catalog
        self.timestamp = timestamp
        self.settings = settings or EpTrackerSettings()
        self._root = Dn.root(store.catalog)
        # committed rows: cep dn -> ids, ascending. A transaction works on copies (`_working`) that replace
        # these once it is known to have committed: when the next transaction reaches the hook, or a reader
        # looks. A transaction that rolled back has no events left (Transaction.rollback clears them), so
        # its copies are dropped then.
        self._rows: dict[str, list[int]] = {}
        self._txn: Transaction | None = None
        self._working: dict[str, list[int]] = {}
        self._replacing = False  # the open transaction replaces the whole tree
        store.hooks.append(self)

    # --- the store hook --------------------------------------------------------------------------------
    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        if txn is not self._txn:
            self._settle()
            self._txn = txn
        gone: dict[str, MO] = {}
        moves: dict[tuple[str, str], int] = {}  # (cep dn, path dn) -> created minus deleted in this batch
        for event in events:
            if event.kind == "deleted":
                gone[event.dn] = event.mo
                self._replacing = self._replacing or event.dn == UNIVERSE
            if event.cls == ROW and event.kind != "modified":
                self._follow_row(event)
            elif event.cls == PATH_REL and event.kind != "modified":
                key = (parent_dn(event.dn), event.mo.get("tDn"))
                moves[key] = moves.get(key, 0) + (1 if event.kind == "created" else -1)
        if self._replacing:
            return
        for (cep_dn, path), net in moves.items():
            cep = self.store.get(cep_dn) or gone.get(cep_dn)
            if net and cep is not None:
                self._record(txn, cep, path, "attached" if net > 0 else "detached", gone)

    def _record(self, txn: Transaction, cep: MO, path: str, action: str, gone: dict[str, MO]) -> None:
        """One row per IP of the endpoint (one with an empty ip when it has none), then the oldest rows
        beyond the bound go."""
        ips = [c.get("addr") for c in cep.child_list() if c.cls == "fvIp"]
        if action == "detached":  # IPs that went in the same write still were the endpoint's
            ips += [mo.get("addr") for dn, mo in gone.items()
                    if mo.cls == "fvIp" and parent_dn(dn) == cep.dn and mo.get("addr") not in ips]
        ids = self._ids(cep.dn)
        common = {"action": action, "date": self.timestamp(), "mac": cep.get("mac"), "encap": cep.get("encap"),
                  "path": path, "subj": cep.dn, "lcOwn": "local", "modTs": "never", **self._where(cep.dn)}
        meta = self.catalog.get(ROW)
        for ip in ips or [""]:
            n = ids[-1] + 1 if ids else 1
            txn.create(meta, self._row_dn(cep.dn, n), {**common, "id": str(n), "ip": ip})
            ids.append(n)
        while len(ids) > self.settings.history_per_endpoint:
            txn.delete(self._row_dn(cep.dn, ids.pop(0)))

    def _where(self, cep_dn: str) -> dict[str, str]:
        """tenant, ap, epg, esg and ctx from the endpoint's DN (the names of the MOs it lives under)."""
        dn = Dn.parse(cep_dn, self.catalog)
        names = {"tenant": "fvTenant", "ap": "fvAp", "epg": "fvAEPg", "esg": "fvESg", "ctx": "fvCtx"}
        return {key: dn.naming(cls)["name"] if dn.ancestor(cls) is not None else "" for key, cls in names.items()}

    def _follow_row(self, event: Event) -> None:
        """Rows created or deleted by anyone (this hook, a restore, a reset, a client) keep the index right."""
        ids = self._ids(event.mo.get("subj"))
        n = int(event.mo.get("id"))
        if event.kind == "created" and n not in ids:
            ids.append(n)
            ids.sort()
        elif event.kind == "deleted" and n in ids:
            ids.remove(n)

    def _ids(self, cep_dn: str) -> list[int]:
        """The open transaction's view of an endpoint's row ids."""
        ids = self._working.get(cep_dn)
        if ids is None:
            ids = self._working[cep_dn] = list(self._rows.get(cep_dn, ()))
        return ids

    def _settle(self) -> None:
        """The last transaction is over: keep its changes if it committed, forget them if it rolled back."""
        if self._txn is not None and self._txn.events:
            for cep_dn, ids in self._working.items():
                if ids:
                    self._rows[cep_dn] = ids
                else:
                    self._rows.pop(cep_dn, None)
        self._txn = None
        self._working = {}
        self._replacing = False

    def _row_dn(self, cep_dn: str, n: int) -> str:
        return self._root.child(ROW, subj=cep_dn, id=str(n)).text

    # --- reads ----------------------------------------------------------------------------------------
    def transitions(self, ep: str, order_by: Sequence[tuple[str, str, bool]] = (), page: int | None = None,
                    page_size: int | None = None) -> tuple[list[MO], int]:
        """The rows of one endpoint and how many there are before paging. Without `order_by` (class, prop,
        descending) keys they come by date, then id (a real APIC's default order is not documented); ties
        under the first key follow its direction. Keys on other classes are ignored."""
        with self.store.lock:
            if self._txn is not None:
                self._settle()
            rows = [mo for n in self._rows.get(ep, ()) if (mo := self.store.get(self._row_dn(ep, n))) is not None]
        keys = [(prop, desc) for cls, prop, desc in order_by if cls == ROW]
        rows.sort(key=lambda mo: (mo.get("date"), int(mo.get("id"))), reverse=bool(keys) and keys[0][1])
        for prop, desc in reversed(keys):
            rows.sort(key=lambda mo, p=prop: _value(mo, p), reverse=desc)
        total = len(rows)
        if page_size is not None:
            start = (page or 0) * page_size
            rows = rows[start:start + page_size]
        return rows, total


def _value(mo: MO, prop: str) -> tuple[int, int, str]:
    """Numbers (the id) sort as numbers, everything else (dates in APIC's format included) as text."""
    value = mo.get(prop)
    return (0, int(value), "") if value.isdigit() else (1, 0, value)
