"""cisco.aci access ports (access port policy group, leaf interface profile and port selector, leaf switch
profile and leaf selector, static binding) against a fresh lab: playbooks/access_ports.yml checks each
module's answers, here the run as a whole is judged and the APIC's state read back over REST."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "access_ports"
MODULES = ("ipg", "ifp", "aps", "swp", "lsel", "sb")
ERROR_CASES = {"ipg06", "ipg07", "ifp06", "aps06", "swp06", "lsel06", "sb06"}
CHANGED = {f"{m}{n:02d}" for m in MODULES for n in (1, 2, 10, 11)} | {"s01", "s02", "s03", "s04"}


def test_only_the_error_cases_fail(family):
    family.assert_clean(ERROR_CASES)


def test_what_changed(family):
    assert family.run.changed() == CHANGED, family.checks_report()


def test_nothing_is_left(family):
    for dn in ("infra/funcprof/accportgrp-ans_pg", "infra/accportprof-ans_ifp", "infra/nprof-ans_swp",
               "tn-ans_ports/ap-ans_ap/epg-ans_epg/rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/7]]"):
        assert family.imdata(f"/api/mo/uni/{dn}.json") == [], dn
    [aep] = family.imdata("/api/mo/uni/infra/attentp-ans_aep.json")
    assert aep["infraAttEntityP"]["attributes"]["name"] == "ans_aep"
