"""Binds features/rhv_vmm.feature; the steps live in rhv_vmm_steps.py (shared through conftest.py)."""

import pytest
from pytest_bdd import scenarios

# the simulator's certificate is self-signed, and a real APIC's or engine's often is too
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

scenarios("rhv_vmm.feature")
