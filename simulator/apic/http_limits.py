"""The APIC's words for what its front end refuses before the REST layer sees a request (a request
line or headers over the limits, a malformed request): its error envelope, in XML when the request
asked for .xml. The server (simulator.serving) calls `error_page`; no Flask here."""

from __future__ import annotations

from urllib.parse import urlsplit

from . import codec
from .errors import ApicError


def error_page(status: int, message: str, target: bytes) -> tuple[str, bytes]:
    fmt = "xml" if _path(target).endswith(".xml") else "json"
    body = codec.render_error(ApicError(status, status, message), fmt)
    return ("application/xml" if fmt == "xml" else "application/json"), body.encode()


def _path(target: bytes) -> str:
    try:
        return urlsplit(target.decode("latin-1")).path
    except ValueError:
        return ""
