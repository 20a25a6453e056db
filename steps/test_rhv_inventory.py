"""Binds features/rhv_inventory.feature; the steps live in rhv_steps.py (shared through conftest.py)."""

import pytest
from pytest_bdd import scenarios

# the simulator's certificate is self-signed, and a real engine's often is too
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

scenarios("rhv_inventory.feature")
