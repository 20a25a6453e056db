"""Refusals of the lab's Kubernetes API, in the real API server's words (k8s.io/apimachinery
pkg/api/errors): each is a `KubeError` that rest.py renders as a metav1 Status.
"""

from __future__ import annotations

from .kinds import Kind


class KubeError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self) -> dict:
        """The metav1 Status the API server answers with."""
        out = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": self.message,
               "reason": self.reason, "details": self.details, "code": self.code}
        if self.details is None:  # the API server leaves details out where it has none (BadRequest)
            del out["details"]
        return out


def _qualified(kind: Kind) -> str:
    return kind.key


def _details(kind: Kind, name: str) -> dict:
    out = {"name": name, "kind": kind.plural}
    if kind.group:
        out["group"] = kind.group
    return out


def not_found(kind: Kind, name: str) -> KubeError:
    return KubeError(404, "NotFound", f'{_qualified(kind)} "{name}" not found', _details(kind, name))


def namespace_not_found(name: str) -> KubeError:
    return KubeError(404, "NotFound", f'namespaces "{name}" not found', {"name": name, "kind": "namespaces"})


def already_exists(kind: Kind, name: str) -> KubeError:
    return KubeError(409, "AlreadyExists", f'{_qualified(kind)} "{name}" already exists', _details(kind, name))


def conflict(kind: Kind, name: str) -> KubeError:
    return KubeError(409, "Conflict", f'Operation cannot be fulfilled on {_qualified(kind)} "{name}": the object has been '
                     "modified; please apply your changes to the latest version and try again", _details(kind, name))


def invalid(kind: Kind, name: str, causes: list[tuple[str, str, str]]) -> KubeError:
    """causes: (reason, field, message) as field.Error renders them (`metadata.name: Required value`)."""
    text = ", ".join(f"{field}: {message}" for _, field, message in causes)
    if len(causes) > 1:
        text = "[" + text + "]"
    details = {"name": name, "kind": kind.kind,
               "causes": [{"reason": reason, "message": message, "field": field} for reason, field, message in causes]}
    if kind.group:
        details["group"] = kind.group
    return KubeError(422, "Invalid", f'{kind.kind}{"." + kind.group if kind.group else ""} "{name}" is invalid: {text}',
                     details)


def invalid_options(message: str) -> KubeError:
    """Bad query options (PatchOptions), named as the API server validates them."""
    return KubeError(422, "Invalid", f'PatchOptions.meta.k8s.io "" is invalid: {message}',
                     {"group": "meta.k8s.io", "kind": "PatchOptions"})


def bad_request(message: str) -> KubeError:
    return KubeError(400, "BadRequest", message)


def resource_not_found() -> KubeError:
    return KubeError(404, "NotFound", "the server could not find the requested resource", {})


def method_not_allowed() -> KubeError:
    return KubeError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {})


def unsupported_media_type(accepted: tuple[str, ...]) -> KubeError:
    return KubeError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media "
                     "types include: " + ", ".join(accepted))


def gone(requested: str, oldest: int) -> KubeError:
    return KubeError(410, "Expired", f"too old resource version: {requested} ({oldest})")


def unauthorized() -> KubeError:
    return KubeError(401, "Unauthorized", "Unauthorized")
