"""Fault injection, as vcsim checks its faults before dispatch: rules (rules.py) that delay, fail or drop
requests of one system (middleware.py), or change the state the systems show (states.py), seeded and
deterministic; the lab keeps them in its book (book.py), driven by /_sim/faults and scenario files.

Flask-free: the middleware is plain WSGI, installed by lab.py around each system's app.
"""

from __future__ import annotations

from .book import Faults
from .middleware import FaultLayer, apic_class_of
from .rules import FaultRule, FaultRuleError, parse_rule, parse_rules

WEBSOCKET_EXTENSION = "acisim.websocket"  # the APIC app's event socket (simulator.serving.runner)

__all__ = ["FaultLayer", "FaultRule", "FaultRuleError", "Faults", "install", "parse_rule", "parse_rules"]


def install(app, faults: Faults, system: str, apic=None) -> None:
    """Put the fault layer in front of a system's Flask app (its final wsgi_app) and, for the APIC, make its
    event sockets droppable."""
    app.wsgi_app = FaultLayer(app.wsgi_app, faults, system, apic_class_of(apic) if apic is not None else None)
    socket_app = app.extensions.get(WEBSOCKET_EXTENSION)
    if socket_app is not None:
        app.extensions[WEBSOCKET_EXTENSION] = faults.droppable(socket_app)
