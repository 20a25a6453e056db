"""Fixtures shared by the APIC tests that go through the served REST API and websocket."""

from __future__ import annotations

import pytest

from simulator.lab import Lab, LabOptions


@pytest.fixture
def lab(tmp_path):
    """A lab served over HTTPS on 127.0.0.1 whose admin logs in with the password `secret`."""
    lab = Lab(LabOptions(admin_password="secret"))
    lab.start(tls_dir=tmp_path / "tls")
    yield lab
    lab.stop()
