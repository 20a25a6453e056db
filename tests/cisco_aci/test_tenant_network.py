"""cisco.aci tenant networking (tenant, VRF, BD, BD subnet, AP, EPG) against a fresh lab.

playbooks/tenant_network.yml runs every module through its present/query/absent cycle and checks the answers
(`current`, `previous`, `proposed`, `sent`) in its own `assert` tasks; here the run as a whole is judged: which
tasks changed the APIC, that only the modules' error cases failed and with the APIC's error, and what is left.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "tenant_network"
MODULES = ("tn", "vrf", "bd", "sn", "ap", "epg")
ERROR_CASES = {"vrf06", "vrf07", "bd06", "sn06", "sn07", "ap06", "epg06", "epg07", "epg13", "vrf13",
               "tn13", "tn14"}
# check mode and the real writes report a change; repeats, queries and the error cases do not
CHANGED = {f"{m}{n:02d}" for m in MODULES for n in (1, 2, 10, 11)}


def test_only_the_error_cases_fail(family):
    family.assert_clean(ERROR_CASES)


def test_what_changed(family):
    assert family.run.changed() == CHANGED, family.checks_report()


def test_apic_errors_are_surfaced(family):
    """A description the APIC refuses comes back as the APIC's own code and text (error 801), HTTP 400."""
    for key, dn in (("vrf07", "uni/tn-ans_tn/ctx-ans_vrf"), ("epg07", "uni/tn-ans_tn/ap-ans_ap/epg-ans_epg"),
                    ("tn14", "uni/tn-ans_tn")):
        family.assert_descr_refused(key, dn)


def test_nothing_is_left(family):
    """The tenant's deletion took its whole subtree: no object of the family is left on the APIC."""
    assert family.imdata("/api/mo/uni/tn-ans_tn.json") == []
    for cls in ("fvCtx", "fvBD", "fvSubnet", "fvAp", "fvAEPg"):
        left = family.imdata(f'/api/class/{cls}.json?query-target-filter=wcard({cls}.dn,"tn-ans_tn/")')
        assert left == [], (cls, left)
    names = {t["fvTenant"]["attributes"]["name"] for t in family.imdata("/api/class/fvTenant.json")}
    assert {"common", "infra", "mgmt"} <= names
