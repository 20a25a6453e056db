"""Binds features/segmentation.feature; the steps live in segmentation_steps.py (shared through conftest.py).

The feature runs on the two-pod lab of scenarios/rhv-two-pod.yaml (a cluster stretched across two pods), served by
these module fixtures instead of the session's default lab, as steps/test_migration.py serves it; with --apic-url
and --rhv-url it runs against that gear, where its verdict steps fail saying they need the simulator.
"""

from pathlib import Path

import pytest
from pytest_bdd import scenarios

from steps.support.scenario_lab import served_by

# the simulator's certificate is self-signed, and a real APIC's or engine's often is too
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "rhv-two-pod.yaml"

scenarios("segmentation.feature")


scenario_lab, apic_target, rhv_target = served_by(SCENARIO, "segmentation")
