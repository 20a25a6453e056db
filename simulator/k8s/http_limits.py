"""The API server's words for what is refused before the REST layer sees a request (a request line or
headers over the limits, a malformed request): a metav1 Status, as every other refusal. The server
(simulator.serving) calls `error_page`; no Flask here."""

from __future__ import annotations

import json

from .errors import KubeError

# the StatusReason of each status the server refuses with (k8s.io/apimachinery pkg/apis/meta/v1 types.go)
REASONS = {400: "BadRequest", 413: "RequestEntityTooLarge", 414: "BadRequest", 431: "BadRequest",
           500: "InternalError"}


def error_page(status: int, message: str, target: bytes) -> tuple[str, bytes]:
    status_obj = KubeError(status, REASONS.get(status, "BadRequest"), message).status()
    return "application/json", json.dumps(status_obj, separators=(",", ":")).encode()
