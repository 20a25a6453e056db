"""What one server accepts from a client, and how it words a refusal made before any app sees the request.

The defaults are those of a real front end (nginx's `large_client_header_buffers 4 8k`,
`client_header_timeout`, `keepalive_timeout`): the simulator's clients talk to an APIC, an oVirt
engine or an API server behind such a front end, and a client that misbehaves (a stalled head, an
idle socket that never says hello, an 80 KiB cookie) must get what it would get there, not tie up
the lab. Tests pass tiny values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

# (status, message, the request target as far as it was read) -> (content type, body)
ErrorPage = Callable[[int, str, bytes], tuple[str, bytes]]


@dataclass(frozen=True)
class ServerLimits:
    line_bytes: int = 8 * 1024  # the request line, and any one header line
    head_bytes: int = 32 * 1024  # request line and all headers together
    body_bytes: int = 64 * 1024 * 1024  # above the apps' own limits, so they answer those in their words
    tls_handshake_seconds: float = 10.0
    head_seconds: float = 30.0  # from connection open, or from the first byte of a keep-alive reuse
    keep_alive_seconds: float = 60.0  # idle between two requests on one connection
    workers: int = 32  # threads running the WSGI app; a streamed response holds one for its lifetime
    stop_grace_seconds: float = 2.0  # how long stop() lets running requests finish before cutting them

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not value > 0:
                raise ValueError(f"ServerLimits.{name} must be positive, got {value!r}")
        if self.line_bytes > self.head_bytes:
            raise ValueError("ServerLimits.line_bytes cannot exceed head_bytes")


# A Kubernetes API server streams watches: each one holds a worker for as long as it lasts, and the CNI
# controller emulator, kubectl and the lab's controllers each keep several open.
STREAMING = ServerLimits(workers=256)


def plain_error_page(status: int, message: str, target: bytes) -> tuple[str, bytes]:
    """The page of a server that serves no API of the lab's (a bare app in a test or a bench)."""
    return "application/json", json.dumps({"status": status, "error": message}).encode()


# What each refusal says; the API's error page words it in its own shape.
REQUEST_LINE_TOO_LONG = (414, "Request-URI Too Long: the request line is longer than the server accepts")
HEADERS_TOO_LARGE = (431, "Request Header Fields Too Large: a header line or the headers together are "
                          "larger than the server accepts")
BODY_TOO_LARGE = (413, "Request Entity Too Large: the body is larger than the server accepts")
MALFORMED = 400  # with h11's own reason ("illegal request line", "Missing mandatory Host header", ...)
