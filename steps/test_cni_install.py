"""Binds features/cni_install.feature; the steps live in cni_steps.py (shared through conftest.py)."""

import pytest
from pytest_bdd import scenarios

# the simulator's certificate is self-signed, and a real APIC's often is too
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

scenarios("cni_install.feature")
