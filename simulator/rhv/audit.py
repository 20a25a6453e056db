"""The engine's audit log (events) and its jobs, both stamped with the request's correlation id.

Events carry sequential integer ids, so `GET /events?from=N` gives what happened after event N:
the way pollers (and the APIC's RHV integration) follow changes. Times come from the clock, and
for transitions that complete later, from the moment they were due, so a log reads the same
however late it is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .messages import AUDIT_LOG, fill


@dataclass
class Event:
    id: int
    code: int
    severity: str
    description: str
    time: float
    correlation_id: str = ""
    refs: dict[str, str] = field(default_factory=dict)  # vm/host/cluster/data_center/user -> id


@dataclass
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

    def end(self, status: str, at: float) -> None:
        if self.status == "started":
            self.status = status
            self.end_time = at
            self.last_updated = at


class AuditLog:
    """Events in the order they were logged; the REST layer lists them newest first."""

    def __init__(self, first_id: int = 1, limit: int = 100_000):
        self.events: list[Event] = []
        self._next = first_id
        self._limit = limit

    def log(self, kind: str, at: float, correlation_id: str = "", refs: dict | None = None, **values) -> Event:
        code, severity, template = AUDIT_LOG[kind]
        event = Event(self._next, code, severity, fill(template, values), at, correlation_id, dict(refs or {}))
        self._next += 1
        self.events.append(event)
        if len(self.events) > self._limit:
            del self.events[: len(self.events) - self._limit]
        return event

    def get(self, event_id: int) -> Event | None:
        for event in self.events:
            if event.id == event_id:
                return event
        return None

    def remove(self, event_id: int) -> bool:
        for i, event in enumerate(self.events):
            if event.id == event_id:
                del self.events[i]
                return True
        return False

    def with_codes(self, *codes: int) -> list[Event]:
        return [e for e in self.events if e.code in codes]


class JobBook:
    """Jobs by id, in creation order."""

    def __init__(self, new_id):
        self.jobs: dict[str, Job] = {}
        self._new_id = new_id

    def start(self, description: str, at: float, correlation_id: str = "", owner_id: str = "") -> Job:
        job = Job(self._new_id(), description, at, last_updated=at, correlation_id=correlation_id, owner_id=owner_id)
        self.jobs[job.id] = job
        return job

    def finished(self, description: str, at: float, correlation_id: str = "", owner_id: str = "") -> Job:
        """A job for a command that completes within the request (stop, remove network)."""
        job = self.start(description, at, correlation_id, owner_id)
        job.end("finished", at)
        return job
