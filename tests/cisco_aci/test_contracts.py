"""cisco.aci contracts (filter, filter entry, contract, subject, subject to filter, EPG to contract).

playbooks/contracts.yml runs each module through its present/query/absent cycle and checks the answers in its
own `assert` tasks; here the run as a whole is judged, and the APIC's state is read back over REST.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "contracts"
MODULES = ("flt", "ent", "ctr", "sbj", "s2f", "e2c")
ERROR_CASES = {"flt06", "flt07", "ent06", "ent07", "ctr06", "ctr07", "sbj06", "sbj07", "s2f06", "s2f09",
               "e2c07", "e2c08", "e2c13"}
CHANGED = ({f"{m}{n:02d}" for m in MODULES for n in (1, 2, 10, 11)}
           | {"s01", "s02", "s03", "s2f00", "s2f07", "s2f13", "e2c04"})


def test_only_the_error_cases_fail(family):
    family.assert_clean(ERROR_CASES)


def test_what_changed(family):
    assert family.run.changed() == CHANGED, family.checks_report()


def test_apic_errors_are_surfaced(family):
    for key, dn in (("flt07", "uni/tn-ans_ct/flt-ans_flt"), ("ctr07", "uni/tn-ans_ct/brc-ans_ctr")):
        family.assert_descr_refused(key, dn)


def test_what_is_left(family):
    """The absent tasks removed the family's objects; the consumer relation, never removed, is still there
    and points at a contract that is gone."""
    for dn in ("flt-ans_flt", "brc-ans_ctr", "ap-ans_ap/epg-ans_epg/rsprov-ans_ctr"):
        assert family.imdata(f"/api/mo/uni/tn-ans_ct/{dn}.json") == [], dn
    [cons] = family.imdata("/api/mo/uni/tn-ans_ct/ap-ans_ap/epg-ans_epg/rscons-ans_ctr.json")
    attrs = cons["fvRsCons"]["attributes"]
    assert attrs["tnVzBrCPName"] == "ans_ctr"
    assert attrs["state"] == "missing-target"
