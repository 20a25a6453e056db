"""uvicorn's HTTP/1.1 and websocket protocols on an event loop of their own, in a background thread.

uvicorn (h11 and wsproto) rather than Werkzeug's development server: keep-alive, the TLS handshake
done by asyncio off the accept path (one client that never says hello no longer freezes the port),
timeouts for handshakes, heads and idle connections, and a bounded pool of WSGI workers.

uvicorn.Server itself is not used: it polls for its exit every 100 ms and sleeps 100 ms more while
stopping (the tests start and stop hundreds of labs), installs signal handlers when it can, and passes
no TLS handshake timeout to asyncio. The loop below is its startup and shutdown without those: the
same protocols, Config and ServerState, a listening socket bound by the caller's thread (so a port
in use fails there, at once), and a stop that closes idle keep-alive connections and open websockets
at once and gives running requests `stop_grace_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate

import uvicorn
from uvicorn.server import ServerState

from ..tls import ensure_certificate, server_context
from .limits import ErrorPage, ServerLimits, plain_error_page
from .protocol import LimitedH11Protocol
from .wsgi import WsgiBridge

log = logging.getLogger("acisim.http")
# uvicorn words every refused request and every websocket as a warning or an info line: the lab's own
# logging says what matters ("acisim.http"); uvicorn's errors still go to logging
if logging.getLogger("uvicorn.error").level == logging.NOTSET:
    logging.getLogger("uvicorn.error").setLevel(logging.ERROR)

WEBSOCKET_EXTENSION = "acisim.websocket"  # an app's ASGI websocket handler, in Flask's app.extensions


class Server:
    """One listening socket served by one event loop thread; `app` is the WSGI app it serves."""

    def __init__(self, app, sock: socket.socket, ssl_context, limits: ServerLimits, error_page: ErrorPage,
                 websocket=None) -> None:
        self.app = app
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.ssl_context = ssl_context
        self.limits = limits
        self.error_page = error_page
        self.websocket = websocket
        self.bridge = WsgiBridge(app, limits, error_page, name=str(self.port))
        self.config = uvicorn.Config(self._asgi, ws="wsproto", lifespan="off", interface="asgi3", log_config=None,
                                     access_log=False, proxy_headers=False, server_header=False,
                                     h11_max_incomplete_event_size=limits.head_bytes,
                                     timeout_keep_alive=limits.keep_alive_seconds)
        self.config.load()
        self.state = ServerState()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    async def _asgi(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            await self.bridge(scope, receive, send)
        elif scope["type"] == "websocket":  # only upgraded when there is a handler (protocol.upgrades)
            status, headers, body = await self.bridge.handshake(scope)
            if status != 101:
                await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
                await send({"type": "websocket.http.response.body", "body": body})
                return
            await self.websocket(scope, receive, send)

    def _protocol(self) -> LimitedH11Protocol:
        return LimitedH11Protocol(self.config, self.state, {}, self.limits, self.error_page,
                                  upgrades=self.websocket is not None, _loop=self.loop)

    def run(self) -> None:
        """The thread's body: serve until stop()."""
        self.loop = asyncio.new_event_loop()
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:
            self._failure = exc
            log.exception("the server on port %s failed", self.port)
        finally:
            self._ready.set()
            self.loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        self._date()
        ssl_args = {"ssl": self.ssl_context, "ssl_handshake_timeout": self.limits.tls_handshake_seconds} \
            if self.ssl_context else {}
        listener = await self.loop.create_server(self._protocol, sock=self.sock, backlog=1024, **ssl_args)
        self._ready.set()
        await self._stopping.wait()
        listener.close()
        for connection in list(self.state.connections):
            connection.shutdown()  # idle keep-alive: closed; websocket: 1012 close; busy: closed when done
        deadline = time.monotonic() + self.limits.stop_grace_seconds
        while self.state.tasks and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        for task in list(self.state.tasks):
            task.cancel()
        for connection in list(self.state.connections):
            connection.transport.abort()  # also TLS connections waiting for the peer's close_notify
        await asyncio.sleep(0)

    def _date(self) -> None:
        """The Date header, once a second (as uvicorn.Server keeps it)."""
        self.state.default_headers[:] = [(b"date", formatdate(usegmt=True).encode())]
        if not (self._stopping and self._stopping.is_set()):
            self.loop.call_later(1.0, self._date)

    def wait_ready(self) -> None:
        self._ready.wait(timeout=10)
        if self._failure is not None:
            raise RuntimeError(f"the server on port {self.port} did not start: {self._failure}")

    def stop(self) -> None:
        if self.loop is not None and not self.loop.is_closed() and self._stopping is not None:
            try:
                self.loop.call_soon_threadsafe(self._stopping.set)
            except RuntimeError:  # the loop closed meanwhile
                pass


WILDCARD_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


@dataclass
class RunningServer:
    """A server started by `serve_in_thread`; `url` is what clients connect to."""

    server: Server
    thread: threading.Thread
    scheme: str
    host: str
    port: int
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Where a client on this machine connects: a wildcard address (all interfaces) is no destination, so a
        server on 0.0.0.0 or :: is reached on loopback (the lab's own clients, such as its CNI controller,
        connect there and check the certificate's name)."""
        host = WILDCARD_LOOPBACK.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{host}:{self.port}"


    def stop(self) -> None:
        self.server.stop()
        self.thread.join(timeout=10)
        self.server.bridge.close()
        self.server.sock.close()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    dualstack = host == "::" and socket.has_dualstack_ipv6()
    sock = socket.create_server((host, port), family=family, backlog=1024, dualstack_ipv6=dualstack)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def serve_in_thread(app, host: str = "127.0.0.1", port: int = 0, tls: bool = True, tls_dir=None, *,
                    limits: ServerLimits | None = None, error_page: ErrorPage | None = None,
                    websocket=None) -> RunningServer:
    """Serve a WSGI `app` on host:port (0: a free port) until `.stop()`.

    `error_page` words the refusals made before the app sees a request (over-long request line or
    headers, a malformed request, a body over `limits.body_bytes`) in the API's own error shape.
    `websocket` is an ASGI app for websocket upgrades; by default the one a Flask app carries in
    `app.extensions["acisim.websocket"]` (the APIC's event socket), else upgrades are plain requests.
    The WSGI app decides each handshake first (see WsgiBridge.handshake): 101 hands it to `websocket`."""
    limits = limits or ServerLimits()
    if websocket is None:
        websocket = getattr(app, "extensions", {}).get(WEBSOCKET_EXTENSION)
    ssl_context = None
    if tls:
        cert, key = ensure_certificate(tls_dir, hosts=(host,) if host not in ("0.0.0.0", "::") else ())
        ssl_context = server_context(cert, key)
    sock = _listen(host, port)
    server = Server(app, sock, ssl_context, limits, error_page or plain_error_page, websocket)
    scheme = "https" if tls else "http"
    thread = threading.Thread(target=server.run, name=f"acisim-{scheme}-{server.port}", daemon=True)
    thread.start()
    try:
        server.wait_ready()
    except RuntimeError:
        sock.close()
        raise
    return RunningServer(server, thread, scheme, host, server.port)
