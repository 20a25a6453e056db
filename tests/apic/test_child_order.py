"""Children come back in the order a real APIC answers them (simulator/apic/mit/child_order.py), over the lab's
REST API in JSON and XML, and the real cisco.aci modules that read children by position work
(tests/ansible/children_contract_subject.yml, children_epg_to_domain.yml)."""

from __future__ import annotations

import pytest
from lxml import etree
from playbooks import ANSIBLE_DIR, run_playbook
from rest_session import ApicRest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

SUBJ = "uni/tn-t1/brc-c1/subj-s1"
VSWITCH = "uni/vmmp-VMware/dom-d1/vswitchpolcont"


@pytest.fixture
def apic(lab) -> ApicRest:
    return ApicRest(lab.apic_server.url)


def classes_of(nodes: list[dict]) -> list[str]:
    return [cls for node in nodes for cls in node]


def kids(apic: ApicRest, path: str, **params: str) -> list[dict]:
    """The children of the one MO a query answers."""
    [mo] = apic.imdata(path, **params)
    ((_, body),) = mo.items()
    return body.get("children", [])


def subject(apic: ApicRest) -> None:
    """A subject posted as cisco.aci's aci_contract_subject posts a one-way one: the in-term first."""
    apic.post_ok("uni/tn-t1", {"fvTenant": {"attributes": {"name": "t1"}, "children": [
        {"vzBrCP": {"attributes": {"name": "c1"}, "children": [
            {"vzSubj": {"attributes": {"name": "s1"}, "children": [
                {"vzInTerm": {"attributes": {"prio": "level2"}}},
                {"vzOutTerm": {"attributes": {"prio": "level3"}}},
            ]}},
        ]}},
    ]}})


def test_a_subject_answers_its_out_term_before_its_in_term(apic):
    subject(apic)
    children = kids(apic, f"/api/mo/{SUBJ}.json", **{"rsp-subtree": "children"})
    assert classes_of(children) == ["vzOutTerm", "vzInTerm"]
    assert children[0]["vzOutTerm"]["attributes"]["prio"] == "level3"


def test_the_order_holds_in_class_queries_query_target_children_and_xml(apic):
    subject(apic)
    [mo] = apic.imdata("/api/class/vzSubj.json", **{"rsp-subtree": "full",
                                                   "query-target-filter": 'eq(vzSubj.name,"s1")'})
    assert classes_of(mo["vzSubj"]["children"]) == ["vzOutTerm", "vzInTerm"]
    listed = apic.imdata(f"/api/mo/{SUBJ}.json", **{"query-target": "children"})
    assert classes_of(listed) == ["vzOutTerm", "vzInTerm"]
    xml = apic.get(f"/api/mo/{SUBJ}.xml", **{"rsp-subtree": "children"})
    assert xml.status_code == 200, xml.text
    root = etree.fromstring(xml.content)
    assert [el.tag for el in root.find("vzSubj")] == ["vzOutTerm", "vzInTerm"]


def test_children_of_one_class_come_newest_first(apic):
    for name in ("anstest", "anstest_2", "anstest_3"):
        apic.post_ok(f"uni/tn-t1/BD-{name}", {"fvBD": {"attributes": {"name": name}}})
    children = kids(apic, "/api/mo/uni/tn-t1.json", **{"rsp-subtree": "children", "rsp-subtree-class": "fvBD"})
    assert [c["fvBD"]["attributes"]["name"] for c in children] == ["anstest_3", "anstest_2", "anstest"]


def test_a_vswitch_policy_lists_its_children_as_a_real_apic(apic):
    """aci_vmm_vswitch_policy's recorded answers: the overrides in the APIC's order whatever the POST's, the
    enhanced LAG policy and the exporter before them; an override added later (MTU) first of all."""
    apic.post_ok("uni/vmmp-VMware/dom-d1", {"vmmDomP": {"attributes": {"name": "d1"}}})
    apic.post_ok(VSWITCH, {"vmmVSwitchPolicyCont": {"attributes": {}, "children": [
        {"vmmRsVswitchOverrideLacpPol": {"attributes": {"tDn": "uni/infra/lacplagp-lacp"}}},
        {"vmmRsVswitchOverrideLldpIfPol": {"attributes": {"tDn": "uni/infra/lldpIfP-lldp"}}},
        {"vmmRsVswitchOverrideCdpIfPol": {"attributes": {"tDn": "uni/infra/cdpIfP-cdp"}}},
    ]}})
    first = kids(apic, f"/api/mo/{VSWITCH}.json", **{"rsp-subtree": "children"})
    assert classes_of(first) == ["vmmRsVswitchOverrideLacpPol", "vmmRsVswitchOverrideCdpIfPol",
                                 "vmmRsVswitchOverrideLldpIfPol"]
    apic.post_ok(VSWITCH, {"vmmVSwitchPolicyCont": {"attributes": {}, "children": [
        {"vmmRsVswitchExporterPol": {"attributes": {"tDn": "uni/infra/vmmexporterpol-nf"}}},
        {"lacpEnhancedLagPol": {"attributes": {"name": "enhanced"}}},
    ]}})
    apic.post_ok(VSWITCH, {"vmmVSwitchPolicyCont": {"attributes": {}, "children": [
        {"vmmRsVswitchOverrideMtuPol": {"attributes": {"tDn": "uni/fabric/l2pol-mtu"}}},
    ]}})
    later = kids(apic, f"/api/mo/{VSWITCH}.json", **{"rsp-subtree": "children"})
    assert classes_of(later) == ["vmmRsVswitchOverrideMtuPol", "lacpEnhancedLagPol", "vmmRsVswitchExporterPol",
                                 "vmmRsVswitchOverrideLacpPol", "vmmRsVswitchOverrideCdpIfPol",
                                 "vmmRsVswitchOverrideLldpIfPol"]


def test_an_epg_lists_its_relations_by_descending_class_id(apic):
    """aci_epg's recorded answers: fvRsBd, fvRsCustQosPol, fvRsAEPgMonPol (class ids 1988 > 1900 > 1861)."""
    apic.post_ok("uni/tn-t1/ap-a1/epg-e1", {"fvAEPg": {"attributes": {"name": "e1"}, "children": [
        {"fvRsAEPgMonPol": {"attributes": {"tnMonEPGPolName": "check"}}},
        {"fvRsBd": {"attributes": {"tnFvBDName": "b1"}}},
    ]}})
    children = kids(apic, "/api/mo/uni/tn-t1/ap-a1/epg-e1.json", **{
        "rsp-subtree": "full", "rsp-subtree-class": "fvCrtrn,fvRsAEPgMonPol,fvRsBd,fvRsCustQosPol"})
    assert classes_of(children) == ["fvRsBd", "fvRsCustQosPol", "fvRsAEPgMonPol"]


def test_rsp_subtree_full_with_a_class_brings_that_class_with_its_whole_subtree(apic):
    """aci_epg_to_domain reads fvAEPgLagPolAtt by rsp-subtree-class and compares its enhanced LAG relation."""
    lag = "uni/vmmp-VMware/dom-d1/vswitchpolcont/enlacplagp-enhanced"
    apic.post_ok("uni/tn-t1/ap-a1/epg-e1", {"fvAEPg": {"attributes": {"name": "e1"}, "children": [
        {"fvRsDomAtt": {"attributes": {"tDn": "uni/vmmp-VMware/dom-d1"}, "children": [
            {"vmmSecP": {"attributes": {}}},
            {"fvAEPgLagPolAtt": {"attributes": {}, "children": [
                {"fvRsVmmVSwitchEnhancedLagPol": {"attributes": {"tDn": lag}}},
            ]}},
        ]}},
    ]}})
    children = kids(apic, "/api/mo/uni/tn-t1/ap-a1/epg-e1/rsdomAtt-[uni/vmmp-VMware/dom-d1].json",
                    **{"rsp-subtree": "full", "rsp-subtree-class": "vmmSecP,fvAEPgLagPolAtt"})
    [att] = [c["fvAEPgLagPolAtt"] for c in children if "fvAEPgLagPolAtt" in c]
    [rel] = att["children"]
    assert rel["fvRsVmmVSwitchEnhancedLagPol"]["attributes"]["tDn"] == lag
    # the branches that lead to no named class stay out, as before
    tenant = kids(apic, "/api/mo/uni/tn-t1.json", **{"rsp-subtree": "full", "rsp-subtree-class": "vmmSecP"})
    assert classes_of(tenant) == ["fvAp"]


def test_a_named_class_with_named_classes_below_it_brings_only_the_paths_to_them(apic):
    """aci_bd_to_l3out queries a tenant with fvBD,fvRsBDToOut: each BD answers its L3Out relation as child 0,
    not its whole subtree (fvRsBDToNdP, fvRsCtx, fvSubnet, ...), newest BD first."""
    for bd, out in (("b1", "o1"), ("b2", "o2")):
        apic.post_ok(f"uni/tn-t1/BD-{bd}", {"fvBD": {"attributes": {"name": bd}, "children": [
            {"fvSubnet": {"attributes": {"ip": "10.0.0.1/24"}}},
            {"fvRsBDToOut": {"attributes": {"tnL3extOutName": out}}},
        ]}})
    tenant = kids(apic, "/api/mo/uni/tn-t1.json", **{"rsp-subtree": "full", "rsp-subtree-class": "fvBD,fvRsBDToOut"})
    assert [node["fvBD"]["attributes"]["name"] for node in tenant] == ["b2", "b1"]
    for node, out in zip(tenant, ("o2", "o1"), strict=True):
        assert [list(c) for c in node["fvBD"]["children"]] == [["fvRsBDToOut"]]
        assert node["fvBD"]["children"][0]["fvRsBDToOut"]["attributes"]["tnL3extOutName"] == out
    # a BD alone (no named class below it) still comes with its whole subtree
    [bd] = apic.imdata("/api/mo/uni/tn-t1.json", **{"rsp-subtree": "full", "rsp-subtree-class": "fvBD",
                                                     "query-target": "self"})
    whole = {cls for node in bd["fvTenant"]["children"][0]["fvBD"]["children"] for cls in node}
    assert {"fvSubnet", "fvRsBDToOut", "fvRsCtx"} <= whole


@pytest.mark.slow
def test_ansible_contract_subject_with_qos_in_both_directions(lab, tmp_path):
    run = run_playbook(tmp_path, "contract_subject", ANSIBLE_DIR / "children_contract_subject.yml",
                       {"aci_port": lab.apic_server.port})
    run.assert_ok([f"{i:02d}" for i in range(1, 13)])
    assert run.changed() == {"01", "02", "03", "04", "06", "07", "08", "11"}


@pytest.mark.slow
def test_ansible_epg_to_domain_with_an_enhanced_lag_policy(lab, tmp_path):
    run = run_playbook(tmp_path, "epg_to_domain", ANSIBLE_DIR / "children_epg_to_domain.yml",
                       {"aci_port": lab.apic_server.port})
    run.assert_ok([f"{i:02d}" for i in range(1, 12)])
    assert run.changed() == {"01", "02", "03", "04", "05", "09"}
