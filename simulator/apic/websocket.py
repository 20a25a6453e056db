"""The APIC event websocket: `wss://<apic>/socket<token>` carries a session's subscription events.

The token is a login token or one from a signed GET /api/webtokenSession.json. A bad or expired
token is refused before the upgrade with APIC's 403; the socket closes when the session ends, and
closing it drops the session's subscriptions.

The socket is served natively by the HTTP server (an ASGI app, `EventSocket`), not through the WSGI
app: the blueprint below hands it to the server in `app.extensions["acisim.websocket"]`. The Flask
route decides each handshake first (the app's hooks see it, as they see every request), and answers
APIC's error to what is not a valid websocket handshake.
"""

from __future__ import annotations

import asyncio
import queue
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, Response, current_app, request

from . import codec
from .errors import ApicError

bp = Blueprint("apic_socket", __name__)

POLL_SECONDS = 0.5  # how often an idle socket checks that its session is still there
WEBSOCKET_EXTENSION = "acisim.websocket"

# The sessions' message queues are thread queues (the store delivers from its writers' threads): a
# socket waits on its queue in one of these threads, at most POLL_SECONDS at a time, never for good.
# Shared by every lab of the process, so hundreds of labs in a test run leave no threads behind.
_WAITERS = ThreadPoolExecutor(max_workers=64, thread_name_prefix="apic-socket")


class EventSocket:
    """The ASGI app of `/socket<token>` upgrades."""

    def __init__(self, model) -> None:
        self.model = model

    async def __call__(self, scope, receive, send) -> None:
        path = scope["path"]
        if not path.startswith("/socket"):
            await _refuse(send, ApicError(400, 400, f"Invalid request: no websocket at {path}"))
            return
        token = path[len("/socket"):]
        try:
            messages = self.model.open_socket(token)
        except ApicError as err:
            await _refuse(send, err)
            return
        if (await receive())["type"] != "websocket.connect":
            self.model.close_socket(token)
            return
        await send({"type": "websocket.accept"})
        loop = asyncio.get_running_loop()
        peer = loop.create_task(_until_disconnect(receive))
        try:
            while not peer.done():
                waiting = loop.run_in_executor(_WAITERS, _next_message, messages)
                await asyncio.wait({waiting, peer}, return_when=asyncio.FIRST_COMPLETED)
                if peer.done():
                    waiting.cancel()
                    break
                message = waiting.result()
                try:
                    if message is not None:
                        await send({"type": "websocket.send", "text": message})
                    elif not self.model.socket_alive(token):
                        await send({"type": "websocket.close", "code": 1000})
                        break
                except (OSError, RuntimeError):
                    # the peer closed meanwhile (uvicorn refuses a send after the close with RuntimeError,
                    # and with ClientDisconnected, an OSError, once the connection is gone)
                    break
        finally:
            peer.cancel()
            self.model.close_socket(token)


def _next_message(messages: queue.Queue) -> str | None:
    try:
        return messages.get(timeout=POLL_SECONDS)
    except queue.Empty:
        return None


async def _until_disconnect(receive) -> None:
    while (await receive())["type"] != "websocket.disconnect":
        pass  # the APIC ignores what a client sends on the socket


async def _refuse(send, err: ApicError) -> None:
    """Refused before the upgrade, as the APIC refuses it: its error envelope with its status."""
    body = codec.render_error(err, "json").encode()
    await send({"type": "websocket.http.response.start", "status": err.http_status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "websocket.http.response.body", "body": body})


@bp.record_once
def _serve_natively(state) -> None:
    state.app.extensions[WEBSOCKET_EXTENSION] = EventSocket(state.app.config["APIC"])


@bp.route("/socket<token>", methods=["GET", "POST", "PUT", "DELETE"])
def socket(token: str):
    """The handshake, asked by the server before it upgrades (`acisim.websocket` in the environ), so the
    app's before-request hooks see it as they see every request: 101 lets the upgrade go on; a bad token
    gets APIC's 403. Not a websocket handshake (no upgrade, or no valid Sec-WebSocket-Key/Version): a
    bad token gets the same 403, a good one APIC's 400."""
    model = current_app.config["APIC"]
    if not model.socket_alive(token):
        try:
            model.open_socket(token)  # raises the 403 with APIC's texts
        except ApicError as err:
            return _error(err)
    if request.environ.get(WEBSOCKET_EXTENSION):
        return Response(status=101)
    return _error(ApicError(400, 400, "Invalid request: /socket<token> is the event websocket; connect with a "
                                      "websocket handshake (Upgrade: websocket, Sec-WebSocket-Key, "
                                      "Sec-WebSocket-Version: 13)"))


def _error(err: ApicError) -> Response:
    return Response(codec.render_error(err, "json"), status=err.http_status, mimetype="application/json")
