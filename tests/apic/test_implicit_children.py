"""Policy groups get the APIC's default relations by themselves (tools/catalog_overlay/implicit_children.yaml), over
the lab's REST API, and the real cisco.aci aci_interface_policy_leaf_policy_group reads them as a real APIC answers
(tests/ansible/children_leaf_policy_group.yml)."""

from __future__ import annotations

import pytest
from playbooks import ANSIBLE_DIR, run_playbook
from rest_session import ApicRest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

FUNCPROF = "uni/infra/funcprof"
# the classes cisco.aci's aci_interface_policy_leaf_policy_group reads (its child_classes)
MODULE_CLASSES = (
    "infraRsAttEntP,infraRsCdpIfPol,infraRsFcIfPol,infraRsHIfPol,infraRsL2IfPol,infraRsL2PortSecurityPol,"
    "infraRsLacpPol,infraRsLldpIfPol,infraRsMcpIfPol,infraRsMonIfInfraPol,infraRsQosEgressDppIfPol,"
    "infraRsQosIngressDppIfPol,infraRsQosPfcIfPol,infraRsQosSdIfPol,infraRsStormctrlIfPol,infraRsStpIfPol"
)


@pytest.fixture
def apic(lab) -> ApicRest:
    return ApicRest(lab.apic_server.url)


def children(apic: ApicRest, dn: str) -> list[tuple[str, dict]]:
    """(class, attributes) of each child, in the order of the answer."""
    [mo] = apic.imdata(f"/api/mo/{dn}.json", **{"rsp-subtree": "children"})
    ((_, body),) = mo.items()
    return [(cls, kid["attributes"]) for c in body.get("children", []) for cls, kid in c.items()]


def port_group(name: str, *kids: dict) -> dict:
    return {"infraAccPortGrp": {"attributes": {"name": name}, "children": list(kids)}}


def test_a_new_access_port_policy_group_has_the_default_relations(apic):
    apic.post_ok(f"{FUNCPROF}/accportgrp-pg1", port_group("pg1"))
    kids = dict(children(apic, f"{FUNCPROF}/accportgrp-pg1"))
    assert {"infraRsStpIfPol", "infraRsCdpIfPol", "infraRsLldpIfPol", "infraRsHIfPol", "infraRsMcpIfPol",
            "infraRsMonIfInfraPol", "infraRsL2IfPol", "infraRsFcIfPol", "infraRsStormctrlIfPol",
            "infraRsLinkFlapPol", "infraRsQosLlfcIfPol"} <= set(kids)
    assert "infraRsAttEntP" not in kids  # the AEP relation has no default target: only when posted
    stp = kids["infraRsStpIfPol"]
    assert stp["rn"] == "rsstpIfPol" and stp["tnStpIfPolName"] == ""
    # an empty name resolves to the default policy, which a fresh lab has (default_tree.yaml)
    assert (stp["tDn"], stp["tCl"], stp["state"]) == ("uni/infra/ifPol-default", "stpIfPol", "formed")


def test_the_default_relation_forms_when_the_default_policy_appears(apic):
    apic.delete_ok("uni/infra/ifPol-default")
    apic.post_ok(f"{FUNCPROF}/accportgrp-pg1", port_group("pg1"))
    [rel] = apic.imdata(f"/api/mo/{FUNCPROF}/accportgrp-pg1/rsstpIfPol.json")
    assert (rel["infraRsStpIfPol"]["attributes"]["state"], rel["infraRsStpIfPol"]["attributes"]["tDn"]) == (
        "missing-target", "uni/infra/ifPol-default")
    apic.post_ok("uni/infra/ifPol-default", {"stpIfPol": {"attributes": {"name": "default"}}})
    [rel] = apic.imdata(f"/api/mo/{FUNCPROF}/accportgrp-pg1/rsstpIfPol.json")
    attrs = rel["infraRsStpIfPol"]["attributes"]
    assert (attrs["state"], attrs["stateQual"], attrs["tDn"]) == ("formed", "default-target", "uni/infra/ifPol-default")


def test_a_posted_relation_sets_the_implicit_one_instead_of_adding_one(apic):
    apic.post_ok(f"{FUNCPROF}/accportgrp-pg1",
                 port_group("pg1", {"infraRsCdpIfPol": {"attributes": {"tnCdpIfPolName": "cdp-on"}}}))
    kids = children(apic, f"{FUNCPROF}/accportgrp-pg1")
    cdp = [attrs for cls, attrs in kids if cls == "infraRsCdpIfPol"]
    assert [a["tnCdpIfPolName"] for a in cdp] == ["cdp-on"]
    assert cdp[0]["tDn"] == "uni/infra/cdpIfP-cdp-on"


def test_the_aep_relation_is_the_eleventh_child_the_module_reads(apic):
    """ansible-aci's integration test records children.10 = infraRsAttEntP for this very group (binding_query)."""
    apic.post_ok(f"{FUNCPROF}/accportgrp-policygroupname_leaf", port_group(
        "policygroupname_leaf",
        {"infraRsFcIfPol": {"attributes": {"tnFcIfPolName": "fiberchannelpolicy"}}},
        {"infraRsHIfPol": {"attributes": {"tnFabricHIfPolName": "linklevelpolicy"}}},
        {"infraRsAttEntP": {"attributes": {"tDn": "uni/infra/attentp-test_aep"}}},
    ))
    [mo] = apic.imdata(f"/api/mo/{FUNCPROF}/accportgrp-policygroupname_leaf.json",
                       **{"rsp-subtree": "full", "rsp-subtree-class": MODULE_CLASSES})
    kids = [(cls, kid["attributes"]) for c in mo["infraAccPortGrp"]["children"] for cls, kid in c.items()]
    assert len(kids) == 15
    assert kids[10][0] == "infraRsAttEntP" and kids[10][1]["tDn"] == "uni/infra/attentp-test_aep"


def test_a_new_bundle_policy_group_has_the_default_relations_with_lacp(apic):
    apic.post_ok(f"{FUNCPROF}/accbundle-vpc1", {"infraAccBndlGrp": {"attributes": {"name": "vpc1", "lagT": "node"}}})
    kids = dict(children(apic, f"{FUNCPROF}/accbundle-vpc1"))
    assert {"infraRsLacpPol", "infraRsStpIfPol", "infraRsCdpIfPol", "infraRsLldpIfPol", "infraRsHIfPol",
            "infraRsLinkFlapPol", "infraRsQosLlfcIfPol"} <= set(kids)
    assert kids["infraRsLacpPol"]["tDn"] == "uni/infra/lacplagp-default"


def test_a_new_leaf_switch_policy_group_lists_its_relations_as_a_6_0_apic(apic):
    """aci_access_switch_policy_group's 6.0(2h) answer for a group created with a name only."""
    apic.post_ok(f"{FUNCPROF}/accnodepgrp-leafpg", {"infraAccNodePGrp": {"attributes": {"name": "leafpg"}}})
    kids = children(apic, f"{FUNCPROF}/accnodepgrp-leafpg")
    assert [cls for cls, _ in kids] == [
        "infraRsTopoctrlFwdScaleProfPol", "infraRsLeafTopoctrlUsbConfigProfilePol", "infraRsLeafPGrpToLldpIfPol",
        "infraRsBfdIpv6InstPol", "infraRsSynceInstPol", "infraRsPoeInstPol", "infraRsBfdMhIpv4InstPol", "infraRsBfdMhIpv6InstPol", "infraRsEquipmentFlashConfigPol",
        "infraRsMonNodeInfraPol", "infraRsFcInstPol", "infraRsTopoctrlFastLinkFailoverInstPol", "infraRsMstInstPol",
        "infraRsFcFabricPol", "infraRsLeafCoppProfile", "infraRsIaclLeafProfile", "infraRsBfdIpv4InstPol",
        "infraRsL2NodeAuthPol", "infraRsLeafPGrpToCdpIfPol",
    ]
    assert all(next(v for k, v in attrs.items() if k.startswith("tn")) == "" for _, attrs in kids)


def test_a_new_spine_switch_policy_group_has_its_relations(apic):
    apic.post_ok(f"{FUNCPROF}/spaccnodepgrp-spinepg", {"infraSpineAccNodePGrp": {"attributes": {"name": "spinepg"}}})
    kids = children(apic, f"{FUNCPROF}/spaccnodepgrp-spinepg")
    assert [cls for cls, _ in kids] == [
        "infraRsSpineTopoctrlUsbConfigProfilePol", "infraRsSpinePGrpToLldpIfPol", "infraRsSpinePGrpToCdpIfPol", "infraRsSpineCoppProfile",
        "infraRsSpineBfdIpv6InstPol", "infraRsSpineBfdIpv4InstPol", "infraRsIaclSpineProfile",
    ]


def test_deleting_the_group_takes_its_relations(apic):
    apic.post_ok(f"{FUNCPROF}/accportgrp-pg1", port_group("pg1"))
    apic.delete_ok(f"{FUNCPROF}/accportgrp-pg1")
    assert apic.imdata(f"/api/mo/{FUNCPROF}/accportgrp-pg1/rsstpIfPol.json") == []


@pytest.mark.slow
def test_ansible_leaf_policy_group_present_query_absent(lab, tmp_path):
    run = run_playbook(tmp_path, "leaf_policy_group", ANSIBLE_DIR / "children_leaf_policy_group.yml",
                       {"aci_port": lab.apic_server.port})
    run.assert_ok(["01", "02", "03", "04", "05", "06", "07", "08", "09"])
    assert run.changed() == {"01", "02", "06", "07"}
