"""Failures the way the engine reports them: an HTTP status plus a <fault> (or nothing at all).

The REST layer renders these; the model raises them. The shapes follow ovirt-engine's restapi:
validation failures are `Operation Failed` with the messages in brackets, missing input is
`Incomplete parameters`, a missing entity addressed by the URL is a bare 404.
"""

from __future__ import annotations

from .messages import app_error


class RhvFault(Exception):
    """`status` and, unless `empty`, a fault with `reason` and `detail`.

    `in_action` marks failures of actions (start, migrate, ...): the engine wraps those in an
    <action> with <status>failed</status>.
    """

    def __init__(self, status: int, reason: str = "", detail: str = "", empty: bool = False, in_action: bool = False):
        super().__init__(f"{status} {reason}: {detail}")
        self.status = status
        self.reason = reason
        self.detail = detail
        self.empty = empty
        self.in_action = in_action


def not_found() -> RhvFault:
    """An id in the URL that names nothing: 404 with an empty body, as `asGuidOr404` answers."""
    return RhvFault(404, empty=True)


def entity_not_found(identifier: str) -> RhvFault:
    """A reference in a request body (a host or data center by name) that resolves to nothing."""
    return RhvFault(404, "Operation Failed", f"Entity not found: {identifier}")


def failed(*messages: str, status: int = 409) -> RhvFault:
    """A command's validation failure: the engine joins its messages in brackets."""
    return RhvFault(status, "Operation Failed", "[" + ", ".join(messages) + "]")


def rejected(key: str, action: str = "", type_: str = "", status: int = 409, **values) -> RhvFault:
    return failed(app_error(key, action, type_, **values), status=status)


def incomplete(entity: str, fields: list[str], operation: str) -> RhvFault:
    """`Network [name] required for add`: what the restapi says before the command even runs."""
    return RhvFault(400, "Incomplete parameters", f"{entity} [{', '.join(fields)}] required for {operation}")


def bad_request(detail: str, reason: str = "Invalid value") -> RhvFault:
    return RhvFault(400, reason, detail)


def malformed_id(value: str) -> RhvFault:
    """An id in a request body that is no UUID: the restapi's MalformedIdExceptionMapper (its reason
    really is `Operation failed`, lower case, unlike the command failures)."""
    return RhvFault(400, "Operation failed", f"Invalid UUID string: {value}")
