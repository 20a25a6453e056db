"""Servers started by the tests on 127.0.0.1 with port 0, stopped by the tests."""

from __future__ import annotations

import pytest
from serving_client import TINY, Gate, bare_app

from simulator.lab import Lab, LabOptions
from simulator.serving import serve_in_thread


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def tiny_servers(tmp_path, gate):
    """A bare WSGI app over HTTP and HTTPS, with tiny timeouts and two workers."""
    servers = {tls: serve_in_thread(bare_app(gate), tls=tls, tls_dir=tmp_path / "tls", limits=TINY)
               for tls in (False, True)}
    yield servers
    gate.open.set()
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The lab's APIC, RHV Manager and Kubernetes API over HTTPS, as `acisim serve` and the fixture serve them."""
    lab = Lab(LabOptions(admin_password="secret"))
    tls_dir = tmp_path_factory.mktemp("tls")
    lab.start(tls_dir=tls_dir)
    lab.start_rhv(tls_dir=tls_dir)
    lab.start_k8s(tls_dir=tls_dir)
    yield lab
    lab.stop()
