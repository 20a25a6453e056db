"""cisco.aci L3Out (L3Out, external EPG, external subnet, external EPG to contract, BD to L3Out) against a
fresh lab: playbooks/l3out.yml checks each module's answers, here the run as a whole is judged and the APIC's
state read back over REST."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "l3out"
MODULES = ("l3o", "xep", "xsn", "x2c", "b2l")
ERROR_CASES = {"l3o06", "l3o07", "xep06", "xsn06", "x2c06", "b2l06"}
CHANGED = {f"{m}{n:02d}" for m in MODULES for n in (1, 2, 10, 11)} | {"s01", "s02", "s03", "s04", "s05"}


def test_only_the_error_cases_fail(family):
    family.assert_clean(ERROR_CASES)


def test_what_changed(family):
    assert family.run.changed() == CHANGED, family.checks_report()


def test_nothing_is_left(family):
    assert family.imdata("/api/mo/uni/tn-ans_l3/out-ans_l3out.json") == []
    assert family.imdata("/api/mo/uni/tn-ans_l3/BD-ans_bd/rsBDToOut-ans_l3out.json") == []
    [bd] = family.imdata("/api/mo/uni/tn-ans_l3/BD-ans_bd.json")
    assert bd["fvBD"]["attributes"]["name"] == "ans_bd"
