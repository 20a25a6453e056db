"""The tree as plain rows, the form the APIC tests compare trees in.

The lab's durable state moved to `simulator.persist` (the SQLite state file of the whole lab, written
through per change; named snapshots). This module remains only for the APIC tests' `snapshot(store)`
until they use `simulator.persist.document.apic_rows`; then it goes.
"""

from __future__ import annotations

from .mit.store import Store

FORMAT_VERSION = 1


def snapshot(store: Store) -> dict:
    with store.lock:
        mos = [[mo.dn, mo.cls, dict(mo.attrs)] for mo in store.subtree(store.root) if mo.dn]
    return {"format": FORMAT_VERSION, "mos": mos}
