"""aci_rest against a fresh lab: playbooks/rest.yml posts, reads (with paging) and deletes through aci_rest
and checks the APIC's answers; here the run as a whole is judged and the final state read over REST."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "rest"
ERROR_CASES = {"e01", "e02", "e03", "e04", "e05"}
CHANGED = {"r01", "r03", "r05", "r10", "r11", "r12", "r20", "r21", "r24"}


def test_only_the_error_cases_fail(family):
    family.assert_clean(ERROR_CASES)


def test_what_changed(family):
    assert family.run.changed() == CHANGED, family.checks_report()


def test_apic_errors_keep_their_code(family):
    errors = {key: family.run.results[key].get("error") for key in ("e03", "e04", "e05")}
    assert errors == {
        "e03": {"code": "400", "text": "unknown attribute 'description' in element 'fvTenant'"},
        "e04": {"code": "122", "text": "unknown managed object class fvFoobar"},
        "e05": {"code": "801", "text": "property descr of uni/tn-ans_rest failed validation for value "
                                       "'This is an [invalid] description'"},
    }, family.checks_report()


def test_what_is_left(family):
    """Both tenants are gone; the LACP policy posted under uni/infra stays, with its default mode."""
    assert family.imdata("/api/mo/uni/tn-ans_rest.json") == []
    assert family.imdata("/api/mo/uni/tn-ans_rest2.json") == []
    [lacp] = family.imdata("/api/mo/uni/infra/lacpifp-ans_lacp.json")
    assert lacp["lacpIfPol"]["attributes"]["prio"] == "32768"
    assert lacp["lacpIfPol"]["attributes"]["descr"] == "test"
