"""A fresh lab holds the access policy defaults a real APIC has (simulator/apic/default_tree.yaml), so the default
relations policy groups get by themselves are formed, pointing where a real APIC points them
(simulator/apic/managers/relations.py: a source outside every tenant resolves in the home of the target that holds
it, uni/infra before tenant common), over the lab's REST API, and with the real cisco.aci modules
(tests/ansible/defaults_policy_groups.yml).

Real-APIC references: the DNs of the defaults are those of tools/catalog_overlay/defaults.yaml's sources and
implicit_children.yaml's; the lacpLagPol defaults from ansible-aci's aci_interface_policy_port_channel test; vzSubj
applyBothDirections and the terms' prio/targetDscp from terraform-provider-aci's contract subject resource.
"""

from __future__ import annotations

import pytest
from playbooks import ANSIBLE_DIR, run_playbook
from rest_session import ApicRest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

FUNCPROF = "uni/infra/funcprof"
# the default policy each default relation of an access port policy group resolves to
PORT_GROUP_DEFAULTS = {
    "infraRsStpIfPol": ("stpIfPol", "uni/infra/ifPol-default"),
    "infraRsCdpIfPol": ("cdpIfPol", "uni/infra/cdpIfP-default"),
    "infraRsLldpIfPol": ("lldpIfPol", "uni/infra/lldpIfP-default"),
    "infraRsHIfPol": ("fabricHIfPol", "uni/infra/hintfpol-default"),
    "infraRsMcpIfPol": ("mcpIfPol", "uni/infra/mcpIfP-default"),
    "infraRsL2IfPol": ("l2IfPol", "uni/infra/l2IfP-default"),
    "infraRsStormctrlIfPol": ("stormctrlIfPol", "uni/infra/stormctrlifp-default"),
    "infraRsMonIfInfraPol": ("monInfraPol", "uni/infra/moninfra-default"),
    "infraRsLinkFlapPol": ("fabricLinkFlapPol", "uni/infra/linkflappol-default"),
    "infraRsQosDppIfPol": ("qosDppPol", "uni/infra/qosdpppol-default"),
    "infraRsQosIngressDppIfPol": ("qosDppPol", "uni/infra/qosdpppol-default"),
    "infraRsQosEgressDppIfPol": ("qosDppPol", "uni/infra/qosdpppol-default"),
    "infraRsL2PortSecurityPol": ("l2PortSecurityPol", "uni/infra/portsecurityP-default"),
    "infraRsL2PortAuthPol": ("l2PortAuthPol", "uni/infra/portauthpol-default"),
    "infraRsQosLlfcIfPol": ("qosLlfcIfPol", "uni/infra/llfc-default"),
    "infraRsQosPfcIfPol": ("qosPfcIfPol", "uni/infra/pfc-default"),
    "infraRsQosSdIfPol": ("qosSdIfPol", "uni/infra/qossdpol-default"),
    "infraRsMacsecIfPol": ("macsecIfPol", "uni/infra/macsecifp-default"),
    "infraRsCoppIfPol": ("coppIfPol", "uni/infra/coppifpol-default"),
    "infraRsDwdmIfPol": ("dwdmIfPol", "uni/infra/dwdmifpol-default"),
    "infraRsFcIfPol": ("fcIfPol", "uni/infra/fcIfPol-default"),
}
# the leaf switch policy group's, as the default leaf policy group of a real APIC lists them
LEAF_GROUP_DEFAULTS = {
    "infraRsMstInstPol": "uni/infra/mstpInstPol-default",
    "infraRsSynceInstPol": "uni/infra/synceInstP-default",
    "infraRsBfdIpv4InstPol": "uni/infra/bfdIpv4Inst-default",
    "infraRsBfdIpv6InstPol": "uni/infra/bfdIpv6Inst-default",
    "infraRsBfdMhIpv4InstPol": "uni/infra/bfdMhIpv4Inst-default",
    "infraRsBfdMhIpv6InstPol": "uni/infra/bfdMhIpv6Inst-default",
    "infraRsEquipmentFlashConfigPol": "uni/infra/flashconfigpol-default",
    "infraRsFcFabricPol": "uni/infra/fcfabricpol-default",
    "infraRsFcInstPol": "uni/infra/fcinstpol-default",
    "infraRsMonNodeInfraPol": "uni/infra/moninfra-default",
    "infraRsPoeInstPol": "uni/infra/poeInstP-default",
    "infraRsLeafCoppProfile": "uni/infra/coppleafp-default",
    "infraRsTopoctrlFwdScaleProfPol": "uni/infra/fwdscalepol-default",
    "infraRsTopoctrlFastLinkFailoverInstPol": "uni/infra/fastlinkfailoverinstpol-default",
    "infraRsL2NodeAuthPol": "uni/infra/nodeauthpol-default",
    "infraRsIaclLeafProfile": "uni/infra/iaclleafp-default",
    "infraRsLeafPGrpToCdpIfPol": "uni/infra/cdpIfP-default",
    "infraRsLeafPGrpToLldpIfPol": "uni/infra/lldpIfP-default",
}
SPINE_GROUP_DEFAULTS = {
    "infraRsSpinePGrpToLldpIfPol": "uni/infra/lldpIfP-default",
    "infraRsSpinePGrpToCdpIfPol": "uni/infra/cdpIfP-default",
    "infraRsSpineCoppProfile": "uni/infra/coppspinep-default",
    "infraRsSpineBfdIpv6InstPol": "uni/infra/bfdIpv6Inst-default",
    "infraRsSpineBfdIpv4InstPol": "uni/infra/bfdIpv4Inst-default",
    "infraRsIaclSpineProfile": "uni/infra/iaclspinep-default",
}


@pytest.fixture
def apic(lab) -> ApicRest:
    return ApicRest(lab.apic_server.url)


def relations(apic: ApicRest, dn: str) -> dict[str, dict]:
    """The relation children of an object, by class."""
    [mo] = apic.imdata(f"/api/mo/{dn}.json", **{"rsp-subtree": "children"})
    ((_, body),) = mo.items()
    return {cls: kid["attributes"] for child in body.get("children", []) for cls, kid in child.items()}


def attributes(apic: ApicRest, dn: str, **params: str) -> dict:
    [mo] = apic.imdata(f"/api/mo/{dn}.json", **params)
    ((_, body),) = mo.items()
    return body["attributes"]


@pytest.mark.parametrize("target", sorted({dn for _, dn in PORT_GROUP_DEFAULTS.values()}
                                          | set(LEAF_GROUP_DEFAULTS.values()) | set(SPINE_GROUP_DEFAULTS.values())
                                          | {"uni/infra/lacplagp-default"}))
def test_a_fresh_lab_has_the_default_policy(apic, target):
    assert attributes(apic, target)["name"] == "default"


def test_every_default_relation_of_an_access_port_group_is_formed_in_uni_infra(apic):
    apic.post_ok(f"{FUNCPROF}/accportgrp-pg1", {"infraAccPortGrp": {"attributes": {"name": "pg1"}}})
    rels = relations(apic, f"{FUNCPROF}/accportgrp-pg1")
    got = {cls: (a["tCl"], a["tDn"], a["tRn"], a["state"], a["stateQual"]) for cls, a in rels.items()}
    assert got == {cls: (t_cl, t_dn, t_dn.rsplit("/", 1)[1], "formed", "default-target")
                   for cls, (t_cl, t_dn) in PORT_GROUP_DEFAULTS.items()}


def test_a_bundle_groups_lacp_relation_reaches_the_default_lacp_policy_with_its_values(apic):
    apic.post_ok(f"{FUNCPROF}/accbundle-vpc1", {"infraAccBndlGrp": {"attributes": {"name": "vpc1", "lagT": "node"}}})
    lacp = relations(apic, f"{FUNCPROF}/accbundle-vpc1")["infraRsLacpPol"]
    assert (lacp["tDn"], lacp["state"]) == ("uni/infra/lacplagp-default", "formed")
    pol = attributes(apic, "uni/infra/lacplagp-default")
    assert (pol["mode"], pol["minLinks"], pol["maxLinks"], pol["ctrl"]) == (
        "off", "1", "16", "fast-sel-hot-stdby,graceful-conv,susp-individual")


def test_a_leaf_switch_groups_default_relations_are_formed(apic):
    apic.post_ok(f"{FUNCPROF}/accnodepgrp-leafpg", {"infraAccNodePGrp": {"attributes": {"name": "leafpg"}}})
    rels = relations(apic, f"{FUNCPROF}/accnodepgrp-leafpg")
    assert {cls: (rels[cls]["tDn"], rels[cls]["state"]) for cls in LEAF_GROUP_DEFAULTS} == {
        cls: (dn, "formed") for cls, dn in LEAF_GROUP_DEFAULTS.items()}


def test_a_spine_switch_groups_default_relations_are_formed(apic):
    apic.post_ok(f"{FUNCPROF}/spaccnodepgrp-spinepg", {"infraSpineAccNodePGrp": {"attributes": {"name": "spinepg"}}})
    rels = relations(apic, f"{FUNCPROF}/spaccnodepgrp-spinepg")
    assert {cls: (rels[cls]["tDn"], rels[cls]["state"]) for cls in SPINE_GROUP_DEFAULTS} == {
        cls: (dn, "formed") for cls, dn in SPINE_GROUP_DEFAULTS.items()}


def test_a_policy_in_tenant_common_does_not_serve_an_access_policy_group(apic):
    """qosDppPol may live in a tenant and in uni/infra: a group in uni/infra looks in uni/infra only."""
    apic.post_ok("uni/tn-common/qosdpppol-police", {"qosDppPol": {"attributes": {"name": "police"}}})
    apic.post_ok(f"{FUNCPROF}/accportgrp-pg1", {"infraAccPortGrp": {"attributes": {"name": "pg1"}, "children": [
        {"infraRsQosIngressDppIfPol": {"attributes": {"tnQosDppPolName": "police"}}}]}})
    rel = relations(apic, f"{FUNCPROF}/accportgrp-pg1")["infraRsQosIngressDppIfPol"]
    assert (rel["tDn"], rel["state"]) == ("uni/infra/qosdpppol-police", "missing-target")
    apic.post_ok("uni/infra/qosdpppol-police", {"qosDppPol": {"attributes": {"name": "police"}}})
    rel = relations(apic, f"{FUNCPROF}/accportgrp-pg1")["infraRsQosIngressDppIfPol"]
    assert (rel["tDn"], rel["state"], rel["stateQual"]) == ("uni/infra/qosdpppol-police", "formed", "none")


def test_a_named_lldp_policy_resolves_in_uni_infra_not_in_the_fabric(apic):
    """lldpIfPol lives in uni/infra and uni/fabric; an access policy group's relation looks in uni/infra."""
    apic.post_ok("uni/fabric/lldpIfP-lldp-off", {"lldpIfPol": {"attributes": {"name": "lldp-off"}}})
    apic.post_ok(f"{FUNCPROF}/accportgrp-pg1", {"infraAccPortGrp": {"attributes": {"name": "pg1"}, "children": [
        {"infraRsLldpIfPol": {"attributes": {"tnLldpIfPolName": "lldp-off"}}}]}})
    rel = relations(apic, f"{FUNCPROF}/accportgrp-pg1")["infraRsLldpIfPol"]
    assert (rel["tDn"], rel["state"]) == ("uni/infra/lldpIfP-lldp-off", "missing-target")


def test_the_aep_relation_is_explicit_and_follows_its_target(apic):
    aep_dn = "uni/infra/attentp-aep1"
    apic.post_ok(f"{FUNCPROF}/accportgrp-pg1", {"infraAccPortGrp": {"attributes": {"name": "pg1"}, "children": [
        {"infraRsAttEntP": {"attributes": {"tDn": aep_dn}}}]}})
    rel = relations(apic, f"{FUNCPROF}/accportgrp-pg1")["infraRsAttEntP"]
    assert (rel["tDn"], rel["tCl"], rel["state"]) == (aep_dn, "infraAttEntityP", "missing-target")
    apic.post_ok(aep_dn, {"infraAttEntityP": {"attributes": {"name": "aep1"}}})
    rel = relations(apic, f"{FUNCPROF}/accportgrp-pg1")["infraRsAttEntP"]
    assert (rel["tDn"], rel["tCl"], rel["state"]) == (aep_dn, "infraAttEntityP", "formed")


def test_a_subject_applies_both_ways_and_its_terms_say_unspecified(apic):
    subj = "uni/tn-t1/brc-c1/subj-s1"
    apic.post_ok("uni/tn-t1", {"fvTenant": {"attributes": {"name": "t1"}, "children": [
        {"vzBrCP": {"attributes": {"name": "c1"}, "children": [{"vzSubj": {"attributes": {"name": "s1"}}}]}}]}})
    assert attributes(apic, subj)["applyBothDirections"] == "yes"
    apic.post_ok(subj, {"vzSubj": {"attributes": {"name": "s1", "applyBothDirections": "no"}, "children": [
        {"vzInTerm": {"attributes": {}}}, {"vzOutTerm": {"attributes": {}}}]}})
    for term in ("intmnl", "outtmnl"):
        got = attributes(apic, f"{subj}/{term}")
        assert (got["prio"], got["targetDscp"]) == ("unspecified", "unspecified")


def test_a_vrf_back_reference_names_its_bd_in_a_config_only_answer(apic):
    """fvRtCtx's tDn is its naming property, so it is part of the object's configuration view."""
    apic.post_ok("uni/tn-t1", {"fvTenant": {"attributes": {"name": "t1"}, "children": [
        {"fvCtx": {"attributes": {"name": "v1"}}},
        {"fvBD": {"attributes": {"name": "b1"}, "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "v1"}}}]}}]}})
    back = apic.imdata("/api/mo/uni/tn-t1/ctx-v1.json", **{
        "query-target": "children", "target-subtree-class": "fvRtCtx", "rsp-prop-include": "config-only"})
    assert [mo["fvRtCtx"]["attributes"]["tDn"] for mo in back] == ["uni/tn-t1/BD-b1"]


@pytest.mark.parametrize("deployed", [
    "stpathatt-[eth1-1]",
    "extstpathatt-[eth1-1]-extchid-101",
    "attEntitypathatt-[eth1-1]",
])
def test_a_static_deployments_connection_dn_is_understood(apic, deployed):
    """Static, FEX and AEP path attachments hold their connections under conndef (nothing deployed here)."""
    dn = f"uni/epp/fv-[uni/tn-t1/ap-a1/epg-e1]/node-101/{deployed}/conndef/conn-[vlan-10]-[0.0.0.0]"
    assert apic.imdata(f"/api/mo/{dn}.json") == []


def test_an_isolated_endpoints_reporting_node_dn_is_understood(apic):
    dn = "uni/tn-t1/ap-a1/epg-e1/cep-00:11:22:33:44:55/primaryEncap-[vlan-5]/node-101"
    assert apic.imdata(f"/api/mo/{dn}.json") == []


@pytest.mark.slow
def test_ansible_policy_group_and_subject_defaults(lab, tmp_path):
    run = run_playbook(tmp_path, "defaults", ANSIBLE_DIR / "defaults_policy_groups.yml",
                       {"aci_port": lab.apic_server.port})
    run.assert_ok(["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"])
    assert run.changed() == {"01", "04", "05", "06", "07", "08"}
