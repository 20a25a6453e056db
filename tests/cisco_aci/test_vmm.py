"""cisco.aci VMM (VMware and Red Hat domains, credential, controller, uplink container and uplinks, vSwitch
policy, EPG to VMM domain) against a fresh lab: playbooks/vmm.yml checks each module's answers, here the run
as a whole is judged and the APIC's state read back over REST."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "vmm"
MODULES = ("vdw", "vdr", "cred", "ctl", "upc", "upl", "vsw", "e2d")
ERROR_CASES = {"vdw06", "cred06", "ctl06", "upc06", "upl06", "vsw06", "e2d06", "e2d07", "e2d08"}
CHANGED = ({f"{m}{n:02d}" for m in MODULES for n in (1, 2, 10, 11)}
           | {"s01", "s02", "s03", "e2r01", "e2r03"})


def test_only_the_error_cases_fail(family):
    family.assert_clean(ERROR_CASES)


def test_what_changed(family):
    """vsw03 (the vSwitch policy again) is left out: aci_vmm_vswitch_policy always proposes the container's
    `rn`, which a config-only answer does not carry at the top level, so its repeat posts again."""
    assert family.run.changed() - {"vsw03"} == CHANGED, family.checks_report()


def test_uplink_errors_are_the_apics(family):
    """fvUplinkOrderCont is validated by the APIC: an uplink given twice, or one above 32, is error 120."""
    errors = {key: family.run.results[key].get("error") for key in ("e2d06", "e2d07")}
    assert errors == {
        "e2d06": {"code": "120", "text": "Invalid Configuration. Uplink Id entered more than once or delimiter "
                                         "was  misused."},
        "e2d07": {"code": "120", "text": "Invalid Configuration. Uplink Id can not be higher than 32."},
    }, family.checks_report()


def test_nothing_is_left(family):
    for dn in ("vmmp-VMware/dom-ans_vmw", "vmmp-Redhat/dom-ans_rhv"):
        assert family.imdata(f"/api/mo/uni/{dn}.json") == [], dn
    [epg] = family.imdata("/api/mo/uni/tn-ans_vmm/ap-ans_ap/epg-ans_epg.json?rsp-subtree=children"
                          "&rsp-subtree-class=fvRsDomAtt")
    assert "children" not in epg["fvAEPg"], epg
