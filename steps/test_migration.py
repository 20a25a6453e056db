"""Binds features/migration.feature; the steps live in migration_steps.py (shared through conftest.py).

The feature runs on its own lab, scenarios/rhv-two-pod.yaml (two pods, a stretched cluster and a cluster
per pod), which these module fixtures serve instead of the session's default lab; with --apic-url and
--rhv-url it runs against that gear, which must be built like the scenario.
"""

from pathlib import Path

import pytest
from pytest_bdd import scenarios

from simulator.pytest_plugin import ApicTarget, RhvTarget, lab_apic_target, lab_rhv_target, start_lab

# the simulator's certificate is self-signed, and a real APIC's or engine's often is too
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "rhv-two-pod.yaml"

scenarios("migration.feature")


@pytest.fixture(scope="module")
def two_pod_lab(tmp_path_factory):
    """The two-pod lab on free ports of 127.0.0.1 (HTTPS), for this feature only."""
    from simulator.lab import LabOptions

    options = LabOptions()
    options.apply_scenario(SCENARIO)
    lab = start_lab(tmp_path_factory.mktemp("two-pod-tls"), options)
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def apic_target(request, apic_target) -> ApicTarget:
    """The plugin's target when it is real gear; else the two-pod lab's APIC."""
    return apic_target if not apic_target.simulated else lab_apic_target(request.getfixturevalue("two_pod_lab"))


@pytest.fixture(scope="module")
def rhv_target(request, rhv_target) -> RhvTarget:
    """The plugin's target when it is real gear; else the two-pod lab's RHV Manager."""
    return rhv_target if not rhv_target.simulated else lab_rhv_target(request.getfixturevalue("two_pod_lab"))
