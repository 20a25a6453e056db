"""The engine's audit log (events) and its jobs, both stamped with the request's correlation id.

Events carry sequential integer ids that never repeat for the engine's life (a reset empties the
log but the next id goes on counting), so `GET /events?from=N` gives what happened after event
N: the way pollers (and the APIC's RHV integration) follow changes. Times come from the clock,
and for transitions that complete later, from the moment they were due, so a log reads the same
however late it is read. Only the engine's operations write here (`Engine.log`, `Engine.start_job`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .messages import AUDIT_LOG, fill


@dataclass(kw_only=True)
class Event:
    id: int
    code: int
    severity: str
    description: str
    time: float
    correlation_id: str = ""
    refs: dict[str, str] = field(default_factory=dict)  # vm/host/cluster/data_center/user -> id


@dataclass(kw_only=True)
class Job:
    id: str
    description: str
    start_time: float
    status: str = "started"
    end_time: float | None = None
    last_updated: float = 0.0
    correlation_id: str = ""
    owner_id: str = ""
    auto_cleared: bool = True
    external: bool = False


class AuditLog:
    """Events in the order they were logged; the REST layer lists them newest first."""

    def __init__(self, first_id: int = 1, limit: int = 100_000):
        self.events: list[Event] = []
        self.next_id = first_id
        self._limit = limit

    def log(self, kind: str, at: float, correlation_id: str = "", refs: dict | None = None, **values) -> Event:
        code, severity, template = AUDIT_LOG[kind]
        event = Event(id=self.next_id, code=code, severity=severity, description=fill(template, values), time=at,
                      correlation_id=correlation_id, refs=dict(refs or {}))
        self.next_id += 1
        self.events.append(event)
        if len(self.events) > self._limit:
            del self.events[: len(self.events) - self._limit]
        return event

    def get(self, event_id: int) -> Event | None:
        return next((e for e in self.events if e.id == event_id), None)

    def remove(self, event_id: int) -> Event | None:
        event = self.get(event_id)
        if event is not None:
            self.events.remove(event)
        return event

    def with_codes(self, *codes: int) -> list[Event]:
        return [e for e in self.events if e.code in codes]

    def export(self) -> dict:
        return {"next_id": self.next_id, "events": [dataclasses.asdict(e) for e in self.events]}

    def restore(self, data: dict) -> None:
        self.events = [Event(**e) for e in data["events"]]
        self.next_id = int(data["next_id"])


class JobBook:
    """Jobs by id, in creation order."""

    def __init__(self):
        self.jobs: dict[str, Job] = {}

    def export(self) -> list[dict]:
        return [dataclasses.asdict(j) for j in self.jobs.values()]

    def restore(self, data: list[dict]) -> None:
        self.jobs = {j["id"]: Job(**j) for j in data}


@dataclass
class Caller:
    """Who asked (for `${UserName}` and job owners) and the request's correlation id; plain data,
    so a transition that completes later (or after a restore) still names who started it."""

    user: str = "admin@internal"
    user_id: str = ""
    correlation_id: str = ""

    @property
    def display(self) -> str:
        login, _, domain = self.user.partition("@")
        return f"{login}@{domain or 'internal'}-authz"

    def describe(self) -> dict:
        return dataclasses.asdict(self)
