"""What the engine's operations changed, as typed changes: the RHV Manager's change feed.

Each operation collects its changes in a `ChangeSet` while it holds the model's lock; when it
ends, the set becomes one batch of `Change`s (numbered for the engine's whole life) published on
the engine's `ChangeFeed` and delivered to listeners once the lock is released. One entity gets
one change per operation: fields set twice are merged, a status among them makes it a
`state-changed`, something created and removed within the same operation never shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("created", "updated", "deleted", "state-changed")


@dataclass(frozen=True)
class Change:
    seq: int
    kind: str
    entity: str  # vm, host, host_nic, network_attachment, network, vnic_profile, vm_nic, cluster, ...
    id: str
    fields: dict[str, object] = field(default_factory=dict)


@dataclass
class _Pending:
    kind: str
    entity: str
    id: str
    fields: dict[str, object]
    dropped: bool = False


class ChangeSet:
    """The changes of one operation, in the order they happened, one per entity."""

    def __init__(self):
        self._records: list[_Pending] = []
        self._open: dict[tuple[str, str], _Pending] = {}

    def created(self, entity: str, entity_id: str, fields: dict) -> None:
        record = _Pending("created", entity, entity_id, dict(fields))
        self._records.append(record)
        self._open[(entity, entity_id)] = record

    def updated(self, entity: str, entity_id: str, fields: dict) -> None:
        if not fields:
            return
        kind = "state-changed" if "status" in fields else "updated"
        record = self._open.get((entity, entity_id))
        if record is None:
            record = _Pending(kind, entity, entity_id, {})
            self._records.append(record)
            self._open[(entity, entity_id)] = record
        elif record.kind == "updated" and kind == "state-changed":
            record.kind = kind
        record.fields.update(fields)

    def deleted(self, entity: str, entity_id: str, fields: dict | None = None) -> None:
        record = self._open.pop((entity, entity_id), None)
        if record is not None and record.kind == "created":
            record.dropped = True
            return
        if record is not None:
            record.dropped = True
        self._records.append(_Pending("deleted", entity, entity_id, dict(fields or {})))

    def batch(self, first_seq: int) -> list[Change]:
        kept = [r for r in self._records if not r.dropped]
        return [Change(first_seq + i, r.kind, r.entity, r.id, r.fields) for i, r in enumerate(kept)]

    def __bool__(self) -> bool:
        return any(not r.dropped for r in self._records)
