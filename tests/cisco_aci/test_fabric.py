"""cisco.aci fabric membership (aci_fabric_node: a tier-2 leaf and a remote leaf) against a fresh lab:
playbooks/fabric.yml checks the module's answers; here the run as a whole is judged and the APIC read back."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "fabric"
ERROR_CASES = {"fn06", "fn07", "fn08", "fnr06"}
CHANGED = {f"{m}{n:02d}" for m in ("fn", "fnr") for n in (1, 2, 10, 11)}


def test_only_the_error_cases_fail(family):
    family.assert_clean(ERROR_CASES)


def test_what_changed(family):
    assert family.run.changed() == CHANGED, family.checks_report()


def test_nothing_is_left(family):
    for serial in ("ANS105", "ANS106"):
        assert family.imdata(f"/api/mo/uni/controller/nodeidentpol/nodep-{serial}.json") == [], serial
