"""Serving a Flask app on a real socket, in a background thread or in the foreground.

The simulator is a real HTTP(S) server because its clients are other processes (acc-provision,
ansible, pycurl in ovirtsdk4); the same runner serves `acisim serve` and the pytest fixture.
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass, field

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .tls import ensure_certificate, server_context


class _QuietHandler(WSGIRequestHandler):
    def setup(self) -> None:
        super().setup()
        # responses go out in several small writes (TLS records); without TCP_NODELAY, Nagle waits for
        # the client's delayed ACK (~40 ms on Linux) between them
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_request(self, code="-", size="-") -> None:
        logging.getLogger("acisim.http").debug('%s "%s" %s %s', self.address_string(), self.requestline, code, size)


@dataclass
class RunningServer:
    """A server started by `serve_in_thread`; `url` is what clients connect to."""

    server: BaseWSGIServer
    thread: threading.Thread
    scheme: str
    host: str
    port: int
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def build_server(app, host: str = "127.0.0.1", port: int = 0, tls: bool = True, tls_dir=None) -> tuple[BaseWSGIServer, str]:
    ssl_ctx = None
    if tls:
        cert, key = ensure_certificate(tls_dir, hosts=(host,) if host not in ("0.0.0.0", "::") else ())
        ssl_ctx = server_context(cert, key)
    server = make_server(host, port, app, threaded=True, ssl_context=ssl_ctx, request_handler=_QuietHandler)
    server.daemon_threads = True
    # accepted sockets inherit TCP_NODELAY from the listener, so the TLS handshake (done on accept)
    # is not held up by Nagle and the client's delayed ACK either
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return server, "https" if tls else "http"


def serve_in_thread(app, host: str = "127.0.0.1", port: int = 0, tls: bool = True, tls_dir=None) -> RunningServer:
    server, scheme = build_server(app, host, port, tls, tls_dir)
    thread = threading.Thread(target=server.serve_forever, name=f"acisim-{scheme}-{server.port}", daemon=True)
    thread.start()
    return RunningServer(server, thread, scheme, host, server.port)
