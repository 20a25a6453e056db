"""Binds features/segmentation.feature; the steps live in segmentation_steps.py (shared through conftest.py).

The feature runs on the two-pod lab of scenarios/rhv-two-pod.yaml (a cluster stretched across two pods), served by
these module fixtures instead of the session's default lab, as steps/test_migration.py serves it; with --apic-url
and --rhv-url it runs against that gear, where its verdict steps fail saying they need the simulator.
"""

from pathlib import Path

import pytest
from pytest_bdd import scenarios

from simulator.pytest_plugin import ApicTarget, RhvTarget, lab_apic_target, lab_rhv_target, start_lab

# the simulator's certificate is self-signed, and a real APIC's or engine's often is too
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "rhv-two-pod.yaml"

scenarios("segmentation.feature")


@pytest.fixture(scope="module")
def segmentation_lab(tmp_path_factory):
    """The two-pod lab on free ports of 127.0.0.1 (HTTPS), for this feature only."""
    from simulator.lab import LabOptions

    options = LabOptions()
    options.apply_scenario(SCENARIO)
    lab = start_lab(tmp_path_factory.mktemp("segmentation-tls"), options)
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def apic_target(request, apic_target) -> ApicTarget:
    """The plugin's target when it is real gear; else the two-pod lab's APIC."""
    return apic_target if not apic_target.simulated else lab_apic_target(request.getfixturevalue("segmentation_lab"))


@pytest.fixture(scope="module")
def rhv_target(request, rhv_target) -> RhvTarget:
    """The plugin's target when it is real gear; else the two-pod lab's RHV Manager."""
    return rhv_target if not rhv_target.simulated else lab_rhv_target(request.getfixturevalue("segmentation_lab"))
