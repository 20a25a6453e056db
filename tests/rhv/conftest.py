"""Fixtures of the RHV tests: a simulated engine served over HTTPS on a free port (one per module),
reset to the default lab's inventory (simulator/defaults) for every test, and a real ovirtsdk4 connection to it."""

from __future__ import annotations

import pytest
from rhv_support import PASSWORD, START, Engine

from simulator import defaults
from simulator.clock import ManualClock
from simulator.rhv.rest import create_app
from simulator.rhv.service import Rhv, RhvConfig
from simulator.serving import serve_in_thread


@pytest.fixture(scope="module")
def rhv_server(tmp_path_factory):
    clock = ManualClock(START)
    rhv = Rhv(RhvConfig(admin_password=PASSWORD), clock)
    tls_dir = tmp_path_factory.mktemp("rhv-tls")
    server = serve_in_thread(create_app(rhv, ca_file=tls_dir / "acisim.crt"), tls=True, tls_dir=tls_dir)
    yield Engine(rhv, clock, server.url, tls_dir / "acisim.crt")
    server.stop()


@pytest.fixture
def engine(rhv_server) -> Engine:
    """The module's engine, back to the default lab's inventory (simulator/defaults) for every test."""
    rhv_server.rhv.load_inventory(defaults.RHV_INVENTORY)
    return rhv_server


@pytest.fixture
def connection(engine):
    conn = engine.connect()
    yield conn
    conn.close()
