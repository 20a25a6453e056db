"""Server errors on demand, a simulator power for failure tests: the next N GETs of one root collection
(`/vms`, `/vms/{id}`, `/vms/{id}/nics`, ...) answer as an engine whose backend failed, with the fault
the restapi writes for an unexpected error (BaseBackendResource.handleError: reason `Operation
Failed`, the error's words as detail, HTTP 500). It is how a test makes one part of an inventory
unreadable while the rest answers (an APIC's partial inventory, F0132).

Armed faults are a test's momentary setting, not the engine's state: a reset or a new inventory
clears them, and a saved lab does not keep them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model.errors import RhvFault

REASON = "Operation Failed"
DETAIL = "Internal server error"


@dataclass
class Armed:
    status: int
    count: int
    detail: str


class ReadFaults:
    def __init__(self, collections: list[str]):
        self.collections = tuple(collections)
        self.armed: dict[str, Armed] = {}

    def arm(self, collection: object, status: object = 500, count: object = 1, detail: object = DETAIL) -> Armed:
        """ValueError (a one-line reason) for anything but a root collection, a 5xx status, a count >= 1."""
        if collection not in self.collections:
            raise ValueError(f"collection must be one of {', '.join(sorted(self.collections))}, not {collection!r}")
        if not isinstance(status, int) or isinstance(status, bool) or not 500 <= status <= 599:
            raise ValueError(f"status must be a server error (500-599), not {status!r}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(f"count must be a whole number of requests >= 1, not {count!r}")
        if not isinstance(detail, str) or not detail:
            raise ValueError(f"detail must be a non-empty text, not {detail!r}")
        self.armed[collection] = Armed(status, count, detail)
        return self.armed[collection]

    def clear(self) -> None:
        self.armed.clear()

    def take(self, method: str, path: list[str]) -> RhvFault | None:
        """The fault this request gets (and one fewer left), or None when it is answered normally."""
        armed = self.armed.get(path[0]) if method == "GET" and path else None
        if armed is None:
            return None
        armed.count -= 1
        if armed.count == 0:
            del self.armed[path[0]]
        return RhvFault(armed.status, REASON, armed.detail)

    def describe(self) -> dict[str, dict]:
        return {name: {"status": a.status, "count": a.count, "detail": a.detail} for name, a in self.armed.items()}
