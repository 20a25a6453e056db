"""The engine's words for what its front end refuses before the REST layer sees a request (a request
line or headers over the limits, a malformed request): an oVirt <fault>, as the REST layer renders
it. The server (simulator.serving) calls `error_page`; no Flask here."""

from __future__ import annotations

import http

from .wire import xml_codec
from .wire.envelopes import fault


def error_page(status: int, message: str, target: bytes) -> tuple[str, bytes]:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Bad Request"
    return "application/xml", xml_codec.render(fault(reason, message))
