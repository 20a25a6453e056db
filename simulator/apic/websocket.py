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
        model.aaa.session_for(token)
    except ApicError as err:
        return Response(codec.render_error(err, "json"), status=err.http_status, mimetype="application/json")
    ws = Server(request.environ)
    messages = model.subscriptions.open_socket(token)
    try:
        while ws.connected:
            try:
                message = messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not _session_alive(model, token):
                    break
                continue
            ws.send(message)
    except ConnectionClosed:
        pass
    finally:
        model.subscriptions.close_socket(token)
        try:
            ws.close()
        except ConnectionClosed:
            pass
    return _AfterWebsocket()


def _session_alive(model, token: str) -> bool:
    try:
        model.aaa.session_for(token)
    except ApicError:
        return False
    return True


class _AfterWebsocket(Response):
    """Werkzeug still writes a response once the view returns; the socket is already closed then."""
