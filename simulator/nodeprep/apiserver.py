"""A stand-in Kubernetes API server for the lab: HTTPS on the control-plane node's node-subnet
address, answering /version and /healthz as kube-apiserver does. It is what `nodeprep check` reaches
to prove the node subnet carries API traffic; it is not a Kubernetes API.

    python -m simulator.nodeprep.apiserver --bind ADDRESS --port 6443 --tls-dir DIR --ready FILE
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..tls import ensure_certificate, server_context

VERSION = {"major": "1", "minor": "36", "gitVersion": "v1.36.0", "platform": "linux/amd64"}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/version":
            self._send(200, "application/json", json.dumps(VERSION).encode())
        elif self.path in ("/healthz", "/livez", "/readyz"):
            self._send(200, "text/plain", b"ok")
        else:
            status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
                      "message": "the server could not find the requested resource"}
            self._send(404, "application/json", json.dumps(status).encode())

    def _send(self, code: int, content_type: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.nodeprep.apiserver")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port", type=int, default=6443)
    parser.add_argument("--tls-dir", type=Path, required=True)
    parser.add_argument("--ready", type=Path, required=True, help="written once listening")
    args = parser.parse_args(argv)
    cert, key = ensure_certificate(args.tls_dir, hosts=(args.bind,))
    server = ThreadingHTTPServer((args.bind, args.port), Handler)
    server.socket = server_context(cert, key).wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    args.ready.write_text(f"{args.bind}:{args.port}\n")
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
