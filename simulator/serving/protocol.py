"""uvicorn's h11 protocol with what a front end adds: head limits and timeouts, refusals in the API's words.

uvicorn has a keep-alive timeout but no header-read timeout (a client that opens a connection and sends
half a request head holds it forever), checks only the total size of a head (h11's incomplete-event
limit: a complete 40 KiB head arriving in one read passes, and no line limit exists), and answers a
malformed request with its own text/plain page. This subclass adds exactly those, and one decision:
a request asking to upgrade to a websocket without a valid handshake (`Sec-WebSocket-Key`, version 13)
is served as plain HTTP, so the app answers it in its own error shape instead of the websocket
library refusing it with a bare 400 or a 500.

It overrides four of H11Protocol's methods (connection_made/lost, data_received, send_400_response)
and `_should_upgrade`; everything else (keep-alive, pipelining, flow control) is uvicorn's.
"""

from __future__ import annotations

import base64
import binascii
import http
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .limits import HEADERS_TOO_LARGE, MALFORMED, REQUEST_LINE_TOO_LONG, ErrorPage, ServerLimits
from .wsgi import CLOSE_CONNECTION

log = logging.getLogger("acisim.http")


class _LimitedConnection(h11.Connection):
    """h11's server side, refusing request lines and header lines over the limits; remembers why it
    refused, for the error page."""

    def __init__(self, limits: ServerLimits, on_head) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=limits.head_bytes)
        self.limits = limits
        self.on_head = on_head
        self.refusal: tuple[int, str, bytes] | None = None

    def next_event(self):
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as exc:
            self.refusal = self._classify(exc)
            raise
        if type(event) is h11.Request:
            self.on_head()
            refusal = self._over_limits(event)
            if refusal is not None:
                self.refusal = refusal
                raise h11.RemoteProtocolError(refusal[1], refusal[0])
        return event

    def _classify(self, exc: h11.RemoteProtocolError) -> tuple[int, str, bytes]:
        buffered = self.trailing_data[0]
        line_end = buffered.find(b"\n")
        first_line = buffered if line_end < 0 else buffered[:line_end]
        parts = first_line.split(b" ")
        target = parts[1] if len(parts) > 1 else b""
        if exc.error_status_hint == 431:  # h11's "Receive buffer too long": the head outgrew head_bytes
            if line_end < 0 or line_end > self.limits.line_bytes:
                return (*REQUEST_LINE_TOO_LONG, target)
            return (*HEADERS_TOO_LARGE, target)
        return MALFORMED, f"Bad Request: {str(exc).split(':', 1)[0]}", target  # h11's reason, not the bytes

    def _over_limits(self, event: h11.Request) -> tuple[int, str, bytes] | None:
        line_bytes = self.limits.line_bytes
        total = len(event.method) + len(event.target) + 12  # "GET /x HTTP/1.1\r\n"
        if total - 2 > line_bytes:
            return (*REQUEST_LINE_TOO_LONG, event.target)
        for name, value in event.headers:
            line = len(name) + 2 + len(value)
            if line > line_bytes:
                return (*HEADERS_TOO_LARGE, event.target)
            total += line + 2
        if total > self.limits.head_bytes:
            return (*HEADERS_TOO_LARGE, event.target)
        return None


def is_websocket_handshake(method: str, headers: list[tuple[bytes, bytes]]) -> bool:
    """RFC 6455 section 4.2.1: a GET with a 16-byte base64 key and version 13 (Upgrade and Connection
    were checked by uvicorn)."""
    if method != "GET":
        return False
    values = dict(headers)
    if values.get(b"sec-websocket-version", b"").strip() != b"13":
        return False
    try:
        return len(base64.b64decode(values.get(b"sec-websocket-key", b"").strip(), validate=True)) == 16
    except (binascii.Error, ValueError):
        return False


class LimitedH11Protocol(H11Protocol):
    def __init__(self, config, server_state, app_state: dict[str, Any], limits: ServerLimits,
                 error_page: ErrorPage, upgrades: bool, _loop=None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = _LimitedConnection(limits, self._cancel_head_timer)
        self.limits, self.error_page, self.upgrades = limits, error_page, upgrades
        self._head_timer = None

    # a request head must be in within head_seconds of the connection opening (for TLS: of the handshake
    # ending, which has its own timeout) or of its first byte on a kept-alive connection
    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # asyncio sets TCP_NODELAY on every accepted TCP socket
        self.app_state[CLOSE_CONNECTION] = self._close_unanswered  # each request's scope["state"] carries it
        self._arm_head_timer()

    def _close_unanswered(self) -> None:
        """Close the connection with the request unanswered (a fault rule's drop): the client sees its
        connection end, and uvicorn sends nothing more for this request."""
        if self.cycle is not None:
            self.cycle.disconnected = True
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_timer is None and self.conn.their_state is h11.IDLE:
            self._arm_head_timer()
        super().data_received(data)

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.limits.head_seconds, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()  # as nginx on client_header_timeout: no answer, the connection ends

    def _should_upgrade(self) -> bool:
        if not self.upgrades or not is_websocket_handshake(self.scope["method"], self.headers):
            return False
        return super()._should_upgrade()

    def send_400_response(self, msg: str) -> None:
        """Every refusal of a request uvicorn could not serve, in the API's own error shape."""
        status, message, target = self.conn.refusal or (MALFORMED, f"Bad Request: {msg}", b"")
        try:
            content_type, body = self.error_page(status, message, target)
        except Exception:  # the page must not take the connection down with a traceback in the loop
            log.exception("error page failed for %s %s", status, message)
            content_type, body = "text/plain; charset=utf-8", message.encode()
        headers = [(b"content-type", content_type.encode("latin-1")), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close"), *self.server_state.default_headers]
        try:
            for event in (h11.Response(status_code=status, headers=headers, reason=http.HTTPStatus(status).phrase),
                          h11.Data(data=body), h11.EndOfMessage()):
                self.transport.write(self.conn.send(event))
        except h11.LocalProtocolError:  # a response was already under way: all that is left is to close
            pass
        self.transport.close()
