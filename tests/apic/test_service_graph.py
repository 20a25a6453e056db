"""Deployed graph instances through the REST API: a contract with a service graph, provided and consumed, with
a device context, renders vnsGraphInst; a device without a concrete device with a path fails to apply."""

from __future__ import annotations

import pytest
from rest_session import ApicRest

TN = "uni/tn-shop"
CONTRACT = f"{TN}/brc-web"
GRAPH = f"{TN}/AbsGraph-lb"
DEVICE = f"{TN}/lDevVip-lb"
VRF = f"{TN}/ctx-v1"
INSTANCE = f"{TN}/GraphInst_C-[{CONTRACT}]-G-[{GRAPH}]-S-[{VRF}]"
PROVIDER = f"{TN}/ap-app/epg-web"
PATH = "topology/pod-1/paths-101/pathep-[eth1/1]"


def tenant(with_device_path: bool) -> dict:
    cdevs = [{"vnsCDev": {"attributes": {"name": "node-1"}, "children": [{"vnsCIf": {"attributes": {"name": "interface"},
             "children": [{"vnsRsCIfPathAtt": {"attributes": {"tDn": PATH}}}]}}]}}] if with_device_path else []
    return {"fvTenant": {"attributes": {"name": "shop"}, "children": [
        {"fvCtx": {"attributes": {"name": "v1"}}},
        {"fvBD": {"attributes": {"name": "bd1"}, "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "v1"}}}]}},
        {"fvAp": {"attributes": {"name": "app"}, "children": [
            {"fvAEPg": {"attributes": {"name": "web"}, "children": [
                {"fvRsBd": {"attributes": {"tnFvBDName": "bd1"}}},
                {"fvRsProv": {"attributes": {"tnVzBrCPName": "web"}}}]}},
            {"fvAEPg": {"attributes": {"name": "client"}, "children": [
                {"fvRsBd": {"attributes": {"tnFvBDName": "bd1"}}},
                {"fvRsCons": {"attributes": {"tnVzBrCPName": "web"}}}]}}]}},
        {"vnsLDevVip": {"attributes": {"name": "lb", "managed": "no"}, "children": [
            *cdevs, {"vnsLIf": {"attributes": {"name": "interface", "encap": "vlan-4003"}}}]}},
        {"vnsAbsGraph": {"attributes": {"name": "lb"}, "children": [
            {"vnsAbsNode": {"attributes": {"name": "loadbalancer", "managed": "no", "routingMode": "Redirect"},
                            "children": [{"vnsRsNodeToLDev": {"attributes": {"tDn": DEVICE}}}]}}]}},
        {"vzFilter": {"attributes": {"name": "web"}}},
        {"vzBrCP": {"attributes": {"name": "web"}, "children": [{"vzSubj": {"attributes": {"name": "lbs"}, "children": [
            {"vzRsSubjGraphAtt": {"attributes": {"tnVnsAbsGraphName": "lb"}}},
            {"vzRsSubjFiltAtt": {"attributes": {"tnVzFilterName": "web"}}}]}}]}},
        {"vnsLDevCtx": {"attributes": {"ctrctNameOrLbl": "web", "graphNameOrLbl": "lb", "nodeNameOrLbl": "loadbalancer"},
                        "children": [{"vnsRsLDevCtxToLDev": {"attributes": {"tDn": DEVICE}}}]}}]}}


@pytest.fixture
def apic(lab):
    return ApicRest(lab.apic_server.url)


def one(apic: ApicRest, dn: str) -> dict | None:
    found = apic.imdata(f"/api/mo/{dn}.json")
    return next(iter(found[0].values()))["attributes"] if found else None


def test_a_provided_and_consumed_contract_with_a_graph_and_a_device_context_renders_the_applied_instance(apic):
    apic.post_ok(TN, tenant(with_device_path=True))
    inst = one(apic, INSTANCE)
    assert inst is not None
    assert {k: inst[k] for k in ("ctrctDn", "graphDn", "scopeDn", "ctrctName", "graphName", "configSt")} == {
        "ctrctDn": CONTRACT, "graphDn": GRAPH, "scopeDn": VRF, "ctrctName": "web", "graphName": "lb",
        "configSt": "applied"}
    node = one(apic, f"{INSTANCE}/NodeInst-loadbalancer")
    assert (node["name"], node["routingMode"], node["funcType"], node["ctxName"]) == (
        "loadbalancer", "Redirect", "GoTo", "v1")
    assert [i["dn"] for i in apic.objects("vnsGraphInst")] == [INSTANCE]
    assert one(apic, f"{PROVIDER}/fault-F1690") is None


def test_without_a_concrete_device_with_a_path_it_fails_to_apply_with_a_fault_and_applies_once_one_comes(apic):
    apic.post_ok(TN, tenant(with_device_path=False))
    assert one(apic, INSTANCE)["configSt"] == "failed-to-apply"
    fault = one(apic, f"{PROVIDER}/fault-F1690")
    assert (fault["severity"], fault["lc"]) == ("major", "raised")
    assert fault["descr"] == (f"Configuration is invalid due to the device {DEVICE} of {INSTANCE} "
                              "has no concrete device with a path")
    apic.post_ok(TN, tenant(with_device_path=True))
    assert one(apic, INSTANCE)["configSt"] == "applied"
    assert one(apic, f"{PROVIDER}/fault-F1690") is None


def test_the_instance_goes_when_the_consumer_or_the_device_context_goes(apic):
    apic.post_ok(TN, tenant(with_device_path=True))
    apic.delete_ok(f"{TN}/ap-app/epg-client/rscons-web")
    assert one(apic, INSTANCE) is None
    apic.post_ok(f"{TN}/ap-app/epg-client", {"fvAEPg": {"attributes": {}, "children": [
        {"fvRsCons": {"attributes": {"tnVzBrCPName": "web"}}}]}})
    assert one(apic, INSTANCE)["configSt"] == "applied"
    apic.delete_ok(f"{TN}/ldevCtx-c-web-g-lb-n-loadbalancer")
    assert one(apic, INSTANCE) is None
    assert apic.objects("vnsNodeInst") == []


def test_a_client_cannot_write_a_graph_instance(apic):
    apic.post_ok(TN, tenant(with_device_path=True))
    changed = apic.post(INSTANCE, {"vnsGraphInst": {"attributes": {"configSt": "failed-to-apply"}}})
    assert changed.status_code == 400
    assert changed.json()["imdata"][0]["error"]["attributes"]["text"] == (
        f"Read-only props cannot be modified, class=vnsGraphInst, prop=configSt, dn={INSTANCE}")
    other = f"{TN}/GraphInst_C-[{TN}/brc-other]-G-[{GRAPH}]-S-[{VRF}]"
    created = apic.post(other, {"vnsGraphInst": {"attributes": {}}})
    assert created.status_code == 400
    assert created.json()["imdata"][0]["error"]["attributes"]["text"] == (
        f"Cannot create object of non-configurable class vnsGraphInst: {other}")
    assert one(apic, INSTANCE)["configSt"] == "applied"
