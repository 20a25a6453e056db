"""The WSGI middleware that applies request rules, one in front of each system's app (installed by lab.py
around the app's final `wsgi_app`, so the APIC's reads answered before Flask (fast_reads.py) pass it too).

A request the rules leave alone goes straight on (with no request rule in the lab, at the cost of one
attribute read). Latency is served by holding the request's worker for the delay (a real slow server
holds its connection the same way), then the request goes on or gets the rule's answer. An error is
answered in the system's own error shape (shapes.py). A drop closes the connection without an answer
through the lab's HTTP server (the `acisim.drop_connection` hook of simulator.serving.wsgi); under a
server without that hook (a WSGI test client) the request fails with ConnectionAbortedError instead.
The control API (/_sim) is never touched, so a rule can always be removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .book import Faults
from .matching import Request
from .shapes import error_answer, status_line

CONTROL_PREFIX = "/_sim"
# the environ key of the lab's HTTP server's connection closer (simulator.serving.wsgi.DROP_CONNECTION; named here
# as the APIC's websocket key is, so the fault layer imports no server)
DROP_CONNECTION = "acisim.drop_connection"


class FaultLayer:
    def __init__(self, app: Callable, faults: Faults, system: str, apic_class: Callable[[str], str] | None = None):
        self.app = app
        self.faults = faults
        self.system = system
        self.apic_class = apic_class  # the class an APIC request is about, from its path

    def __call__(self, environ: dict, start_response: Callable):
        if not self.faults.has_request_rules:
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX) or environ.get("acisim.websocket"):
            return self.app(environ, start_response)  # a websocket handshake cannot be dropped or delayed here
        request = Request(self.system, environ.get("REQUEST_METHOD", ""), path,
                          (lambda: self.apic_class(path)) if self.apic_class else (lambda: ""))
        outcome = self.faults.decide(request)
        if outcome.delay_ms > 0:
            time.sleep(outcome.delay_ms / 1000)  # the client's wait: the fault itself, not a test's sleep
        if outcome.drop is not None:
            drop = environ.get(DROP_CONNECTION)
            if drop is None:
                raise ConnectionAbortedError(f"fault rule {outcome.drop.id}: connection dropped")
            drop()
            return []
        if outcome.error is not None:
            status, headers, body = error_answer(outcome.error, environ)
            start_response(status_line(status), headers)
            return [body]
        return self.app(environ, start_response)


def apic_class_of(model) -> Callable[[str], str]:
    """The class an APIC REST path is about: a class query's class, or the class of the DN an /api/mo path
    names (by the catalog's RN formats when the object does not exist); '' for other paths."""
    from urllib.parse import unquote

    def of(path: str) -> str:
        rest = path.removeprefix("/api/").removeprefix("node/")
        if path == rest or "." not in rest:
            return ""
        rest = rest.rsplit(".", 1)[0]
        head, _, tail = rest.partition("/")
        if head == "class":
            return tail.rsplit("/", 1)[-1]
        if head == "mo":
            try:
                return model.class_of(unquote(tail).strip("/"))
            except Exception:  # noqa: BLE001 (a DN the catalog cannot place names no class)
                return ""
        return ""

    return of
