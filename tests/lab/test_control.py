"""The /_sim control API: the simulator-only powers tests and labs use, with clear errors."""

from __future__ import annotations

import pytest

from simulator.lab import Lab
from simulator.pytest_plugin import sim_session


@pytest.fixture
def sim():
    lab = Lab()
    server = lab.start(tls=False)
    yield lab, server.url, sim_session(lab)
    lab.stop()


def test_info_reports_both_controllers(sim):
    lab, url, s = sim
    info = s.get(f"{url}/_sim/info").json()
    assert info["apic"]["version"] == "6.1(4h)"
    assert info["rhv"]["hosts"] == 2


def test_clock_advance_validates_its_input(sim):
    lab, url, s = sim
    before = s.get(f"{url}/_sim/clock").json()["now"]
    assert s.post(f"{url}/_sim/clock/advance", json={"seconds": 30}).json()["now"] >= before + 30
    r = s.post(f"{url}/_sim/clock/advance", json={"seconds": -1})
    assert r.status_code == 400


def test_rhv_powers_name_what_they_act_on(sim):
    lab, url, s = sim
    r = s.post(f"{url}/_sim/rhv/migration-failure", json={"vm": "no-such-vm"})
    assert (r.status_code, r.json()["error"]) == (400, "no VM named 'no-such-vm'")
    r = s.post(f"{url}/_sim/rhv/host-status", json={"host": "host1", "status": "bogus"})
    assert r.status_code == 400 and "is not a host status" in r.json()["error"]
    r = s.post(f"{url}/_sim/rhv/host-status", json={"host": "host2", "status": "non_operational"})
    assert r.status_code == 200
    assert lab.rhv.find("hosts", "host2").status == "non_operational"
    assert s.post(f"{url}/_sim/rhv/host-status", json={}).status_code == 400


def test_reset_brings_both_back(sim):
    lab, url, s = sim
    lab.rhv.set_host_status("host2", "non_operational")
    assert s.post(f"{url}/_sim/reset").status_code == 200
    assert lab.rhv.find("hosts", "host2").status == "up"


def test_a_frozen_clock_moves_only_when_advanced(sim):
    lab, url, s = sim
    frozen = s.post(f"{url}/_sim/clock/freeze", json={"frozen": True}).json()
    assert frozen["frozen"] is True
    assert s.get(f"{url}/_sim/clock").json() == {"now": frozen["now"], "frozen": True}
    moved = s.post(f"{url}/_sim/clock/advance", json={"seconds": 20}).json()["now"]
    assert moved == frozen["now"] + 20
    thawed = s.post(f"{url}/_sim/clock/freeze", json={"frozen": False}).json()
    assert thawed["frozen"] is False and thawed["now"] >= moved  # runs on from there, never back
    assert s.post(f"{url}/_sim/clock/freeze", json={"frozen": "yes"}).status_code == 400
