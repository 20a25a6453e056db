"""cisco.aci pools, domains and AEPs (VLAN/VXLAN/VSAN pools and blocks, physical domain, domain to pool,
AEP, AEP to domain, AEP to EPG) against a fresh lab: playbooks/access_pools.yml checks each module's answers,
here the run as a whole is judged and the APIC's state read back over REST."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "access_pools"
MODULES = ("vlp", "vlb", "vxp", "vxb", "vsp", "vsb", "dom", "aep", "a2d", "a2e")
ERROR_CASES = {"vlp06", "vlp07", "vlp08", "vlb06", "vlb07", "vxp06", "vxb06", "vsb06", "dom06", "aep06", "aep07",
               "a2d06", "a2e06", "d2p06"}
CHANGED = ({f"{m}{n:02d}" for m in MODULES for n in (1, 2, 10, 11)}
           | {"s01", "s02", "s03", "d2p01", "d2p02"})


def test_only_the_error_cases_fail(family):
    family.assert_clean(ERROR_CASES)


def test_what_changed(family):
    assert family.run.changed() == CHANGED, family.checks_report()


def test_apic_errors_are_surfaced(family):
    for key, dn in (("vlp08", "uni/infra/vlanns-[ans_vlan]-static"), ("aep07", "uni/infra/attentp-ans_aep")):
        family.assert_descr_refused(key, dn)


def test_nothing_is_left(family):
    for dn in ("infra/vlanns-[ans_vlan]-static", "infra/vxlanns-ans_vxlan", "infra/vsanns-[ans_vsan]-static",
               "phys-ans_phys", "infra/attentp-ans_aep"):
        assert family.imdata(f"/api/mo/uni/{dn}.json") == [], dn
    # the EPG the AEP deployed on is still there, without the AEP's relation
    [epg] = family.imdata("/api/mo/uni/tn-ans_acc/ap-ans_ap/epg-ans_epg.json")
    assert epg["fvAEPg"]["attributes"]["name"] == "ans_epg"
    relations = 'wcard(infraRsFuncToEpg.dn,"attentp-ans_aep")'
    assert family.imdata(f"/api/class/infraRsFuncToEpg.json?query-target-filter={relations}") == []
