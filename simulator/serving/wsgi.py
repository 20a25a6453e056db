"""A WSGI app (the Flask apps) served from uvicorn's event loop on a bounded pool of threads.

Not a2wsgi (the usual bridge), for two reasons measured against it: uvicorn drops the writes of a
response whose client has gone, and a2wsgi never asks, so a Kubernetes watch whose kubectl exited would
hold its worker until the watch's own deadline (30 minutes); and a2wsgi takes a round trip between the
worker and the loop for every chunk and for every read of the body. Here the body is read on the
loop before the app runs (bounded by `ServerLimits.body_bytes`), the worker hands its messages over
without waiting, and a disconnect seen on the loop stops the response at its next chunk, as a write
to a closed socket did under Werkzeug's server.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from urllib.parse import unquote_to_bytes

from .limits import BODY_TOO_LARGE, ErrorPage, ServerLimits
from .pool import DaemonPool

log = logging.getLogger("acisim.http")

_ABORT = object()  # the app failed after its response started: the connection is cut
_GONE = object()  # the client left: the response ends where it is
_DROP = object()  # the app asked to close the connection without an answer
# environ key of a callable that closes the request's connection without an answer (a fault rule's drop);
# the app calls it and returns an empty body without calling start_response
DROP_CONNECTION = "acisim.drop_connection"
# ASGI scope["state"] key of the connection's own closer (simulator.serving.protocol puts it there)
CLOSE_CONNECTION = "acisim.close_connection"


class WsgiBridge:
    """The ASGI app of the server's http requests."""

    def __init__(self, app, limits: ServerLimits, error_page: ErrorPage, name: str = "wsgi") -> None:
        self.app = app
        self.limits = limits
        self.error_page = error_page
        self.pool = DaemonPool(limits.workers, f"acisim-{name}")

    async def __call__(self, scope, receive, send) -> None:
        body = await self._read_body(receive)
        if body is None:
            status, message = BODY_TOO_LARGE
            content_type, page = self.error_page(status, message, _target(scope))
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", content_type.encode()),
                                    (b"content-length", str(len(page)).encode()), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": page})
            return
        loop = asyncio.get_running_loop()
        exchange = _Exchange(loop, self.error_page, _target(scope))
        watcher = loop.create_task(_watch_disconnect(receive, exchange))
        try:
            environ = _environ(scope, body)
            environ[DROP_CONNECTION] = exchange.drop
            done = loop.run_in_executor(self.pool, exchange.run, self.app, environ)
            while True:
                for message in await exchange.queue.get():
                    if message is _GONE:
                        return  # uvicorn closes the connection of a response left incomplete
                    if message is _DROP:
                        close = scope.get("state", {}).get(CLOSE_CONNECTION)
                        if close is not None:
                            close()
                        return
                    if message is _ABORT:
                        raise ConnectionAbortedError("the WSGI app failed while streaming its response")
                    await send(message)
                    if not message.get("more_body", True) and message["type"] == "http.response.body":
                        await done
                        return
        finally:
            watcher.cancel()

    async def _read_body(self, receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left before its body was in: nothing to answer
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def handshake(self, scope) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """A websocket handshake asked of the WSGI app as a plain GET (its before-request hooks, its
        credentials checks and its error shape apply): 101 accepts the upgrade; any other answer is the
        refusal to send. The environ carries `acisim.websocket: True`."""
        environ = _environ({**scope, "method": "GET", "scheme": "https" if scope["scheme"] == "wss" else "http"},
                           b"")
        environ["acisim.websocket"] = True
        answer: dict = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
            answer["status"] = int(status.split(" ", 1)[0])
            answer["headers"] = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in headers]
            return lambda chunk: None

        def run() -> bytes:
            result = self.app(environ, start_response)
            try:
                return b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()

        body = await asyncio.get_running_loop().run_in_executor(self.pool, run)
        return answer["status"], answer["headers"], body

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


async def _watch_disconnect(receive, exchange: _Exchange) -> None:
    """Once the body is in, uvicorn's receive() answers only when the client has gone (or the response
    is complete, when nothing is left to stop)."""
    while (await receive())["type"] != "http.disconnect":
        pass
    exchange.gone = True


class _Exchange:
    """One request's run of the app on a worker; its messages go to the loop in batches, without waiting."""

    def __init__(self, loop: asyncio.AbstractEventLoop, error_page: ErrorPage, target: bytes) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[list] = asyncio.Queue()
        self.error_page = error_page
        self.target = target
        self.gone = False
        self.start: dict | None = None
        self.started = False
        self.remaining: int | None = None  # Content-Length still to send, when the app gave one
        self.finished = False

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info=None):
        if exc_info is not None and self.started:
            raise exc_info[1].with_traceback(exc_info[2])
        raw = []  # names as the app wrote them (Set-Cookie, not set-cookie), as the real servers send them
        for name, value in headers:
            raw.append((name.encode("latin-1"), value.encode("latin-1")))
            if name.lower() == "content-length":
                self.remaining = int(value)
        self.start = {"type": "http.response.start", "status": int(status.split(" ", 1)[0]), "headers": raw}
        return self._write

    def drop(self) -> None:
        """The app's way to end the request with no answer at all: the connection closes."""
        if not self.started:
            self.finished = True
            self._post([_DROP])

    def _post(self, messages: list) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, messages)

    def _write(self, chunk: bytes) -> None:
        messages = []
        if not self.started:
            self.started = True
            messages.append(self.start)
        more = True
        if self.remaining is not None:
            self.remaining -= len(chunk)
            more = self.remaining > 0
        messages.append({"type": "http.response.body", "body": chunk, "more_body": more})
        self.finished = not more
        self._post(messages)

    def run(self, app, environ: dict) -> None:
        try:
            result = app(environ, self.start_response)
            try:
                for chunk in result:
                    if self.gone:
                        return
                    if chunk or not self.started:  # an empty first chunk sends the headers (a watch's first)
                        self._write(chunk)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if not self.finished:
                if self.start is None:
                    raise RuntimeError("the WSGI app returned without calling start_response")
                if not self.started:
                    self.started = True
                    self._post([self.start])
                self.finished = True
                self._post([{"type": "http.response.body", "body": b"", "more_body": False}])
        except BaseException as exc:
            log.exception("the WSGI app failed on %s", self.target.decode("latin-1"))
            if self.finished:
                return
            if self.started:
                self.finished = True
                self._post([_ABORT])
                return
            content_type, page = self.error_page(500, f"Internal Server Error: {type(exc).__name__}", self.target)
            self.finished = True
            self._post([{"type": "http.response.start", "status": 500,
                         "headers": [(b"content-type", content_type.encode()),
                                     (b"content-length", str(len(page)).encode()), (b"connection", b"close")]},
                        {"type": "http.response.body", "body": page, "more_body": False}])
        finally:
            if not self.finished:  # ended early (the client left): let the loop side end too
                self.finished = True
                self._post([_GONE])


def _target(scope) -> bytes:
    query = scope.get("query_string", b"")
    return scope.get("raw_path", b"") + (b"?" + query if query else b"")


def _environ(scope, body: bytes) -> dict:
    """PEP 3333's environ, as Werkzeug's own server builds it (PATH_INFO percent-decoded, as bytes in
    latin-1; RAW_URI and REQUEST_URI as sent, for the APIC's signatures)."""
    raw_path = scope["raw_path"]
    query = scope["query_string"].decode("latin-1")
    target = raw_path.decode("latin-1") + (f"?{query}" if query else "")
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
        "QUERY_STRING": query,
        "RAW_URI": target,
        "REQUEST_URI": target,
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope["scheme"],
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in scope["headers"]:
        if name == b"upgrade":
            # hop-by-hop, and the server decided not to upgrade (no websocket here, or no valid
            # handshake): the app sees a plain request, as behind a front end
            continue
        key = name.decode("latin-1").upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        text = value.decode("latin-1")
        if key in environ:
            text = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + text
        environ[key] = text
    return environ
