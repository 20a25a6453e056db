"""Binds features/migration.feature; the steps live in migration_steps.py (shared through conftest.py).

The feature runs on its own lab, scenarios/rhv-two-pod.yaml (two pods, a stretched cluster and a cluster
per pod), which these module fixtures serve instead of the session's default lab; with --apic-url and
--rhv-url it runs against that gear, which must be built like the scenario.
"""

from pathlib import Path

import pytest
from pytest_bdd import scenarios

from steps.support.scenario_lab import served_by

# the simulator's certificate is self-signed, and a real APIC's or engine's often is too
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "rhv-two-pod.yaml"

scenarios("migration.feature")


scenario_lab, apic_target, rhv_target = served_by(SCENARIO, "two-pod")
