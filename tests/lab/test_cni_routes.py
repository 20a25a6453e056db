"""/_sim/cni: the lab's CNI controller emulators, and the wait until they have synced the cluster.

The emulators themselves are tested with the real kubectl and acc-provision in tests/cni/test_in_lab*.py and
features/cni_install.feature; here, what the control API answers with none running and to bad input."""

from __future__ import annotations

import json

import pytest

from simulator.lab import Lab, LabOptions
from simulator.pytest_plugin import sim_session


@pytest.fixture
def control():
    lab = Lab()
    base = lab.start(tls=False).url + "/_sim"
    yield lab, base, sim_session(lab)
    lab.stop()


def test_a_lab_without_an_applied_manifest_runs_no_emulator_and_is_settled_at_once(control):
    lab, base, http = control
    assert http.get(f"{base}/cni").json() == {"emulators": []}
    answer = http.post(f"{base}/cni/settle", json={"timeout": 5})
    assert answer.status_code == 200 and answer.json() == {"settled": True, "emulators": []}
    assert lab.cni.status() == []


@pytest.mark.parametrize("timeout", [-1, 121, "soon", True, None])
def test_a_bad_settle_timeout_is_one_line(control, timeout):
    _, base, http = control
    answer = http.post(f"{base}/cni/settle", json={"timeout": timeout})
    assert answer.status_code == 400
    assert answer.json() == {"error": f"timeout must be a number from 0 to 120 seconds, not {json.dumps(timeout)}"}


def test_a_lab_without_the_emulator_answers_the_same():
    lab = Lab(LabOptions(cni_controller=False))
    try:
        http = sim_session(lab)
        base = lab.start(tls=False).url + "/_sim"
        assert lab.cni is None
        assert http.get(f"{base}/cni").json() == {"emulators": []}
        assert http.post(f"{base}/cni/settle", json={}).json() == {"settled": True, "emulators": []}
    finally:
        lab.stop()
