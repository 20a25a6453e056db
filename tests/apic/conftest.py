"""Fixtures shared by the APIC tests that go through the served REST API and websocket."""

from __future__ import annotations

import pytest
from rest_session import ApicRest

from simulator.lab import Lab, LabOptions


@pytest.fixture
def lab(tmp_path):
    """A lab served over HTTPS on 127.0.0.1 whose admin logs in with the password `secret`."""
    lab = Lab(LabOptions(admin_password="secret"))
    lab.start(tls_dir=tmp_path / "tls")
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def rest(tmp_path_factory):
    """One lab for a whole test module, logged in as admin over REST: each test writes under its own names."""
    lab = Lab(LabOptions(admin_password="secret"))
    srv = lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    yield ApicRest(srv.url)
    lab.stop()
