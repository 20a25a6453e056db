"""A raw client that sees exactly what a server sends, and a bare WSGI app to serve."""

from __future__ import annotations

import socket
import ssl
import threading

from simulator.serving import ServerLimits

SAFETY = 10.0  # a cap on every blocking read, so a server that never answers fails the test instead of hanging


class Gate:
    """What the bare app's /slow requests wait on: how many run at once, and a gate the test opens."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.active = 0
        self.peak = 0
        self.open = threading.Event()

    def __call__(self) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.lock.notify_all()
        self.open.wait(SAFETY)
        with self.lock:
            self.active -= 1

    def wait_active(self, count: int) -> bool:
        with self.lock:
            return self.lock.wait_for(lambda: self.active >= count, timeout=SAFETY)


def bare_app(gate: Gate):
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            gate()
        body = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    return app


TINY = ServerLimits(tls_handshake_seconds=0.2, head_seconds=0.2, keep_alive_seconds=0.2, workers=2,
                    line_bytes=1024, head_bytes=4096)


def connect(server, timeout: float = SAFETY) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=timeout)
    if server.scheme == "https":
        sock = ssl._create_unverified_context().wrap_socket(sock)
    return sock


def read_to_eof(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a socket timeout fails the test)."""
    out = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ssl.SSLEOFError:  # a TLS peer that closed without close_notify
            return out
        except ConnectionResetError:
            return out
        if not chunk:
            return out
        out += chunk


def exchange(server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the answer up to the server's close: (status, headers, body)."""
    with connect(server) as sock:
        sock.sendall(request)
        reply = read_to_eof(sock)
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), {k.lower(): v for k, v in headers.items()}, body
