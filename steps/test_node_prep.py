"""Binds features/node_prep.feature; the steps live in nodeprep_steps.py (shared through conftest.py)."""

import pytest
from pytest_bdd import scenarios

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

scenarios("node_prep.feature")
