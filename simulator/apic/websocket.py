"""The APIC event websocket: `wss://<apic>/socket<token>` carries a session's subscription events.

The token is a login token or one from a signed GET /api/webtokenSession.json. A bad or expired
token is refused before the upgrade with APIC's 403; the socket closes when the session ends, and
closing it drops the session's subscriptions.
"""

from __future__ import annotations

import queue

from flask import Blueprint, Response, current_app, request
from simple_websocket import ConnectionClosed, Server

from . import codec
from .errors import ApicError

bp = Blueprint("apic_socket", __name__)

POLL_SECONDS = 0.5  # how often an idle socket checks that its session and peer are still there


@bp.route("/socket<token>", websocket=True)
def socket(token: str):
    model = current_app.config["APIC"]
    try:
        messages = model.open_socket(token)
    except ApicError as err:
        return Response(codec.render_error(err, "json"), status=err.http_status, mimetype="application/json")
    ws = None
    try:
        ws = Server(request.environ)
        while ws.connected:
            try:
                message = messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not model.socket_alive(token):
                    break
                continue
            ws.send(message)
    except ConnectionClosed:
        pass
    finally:
        model.close_socket(token)
        if ws is not None:
            try:
                ws.close()
            except ConnectionClosed:
                pass
    return _AfterWebsocket()


class _AfterWebsocket(Response):
    """Werkzeug still writes a response once the view returns; the socket is already closed then."""
