"""Fabric membership over the APIC's REST API: the lab's switches are registered under uni/controller/nodeidentpol,
a new registration is discovered into the topology (fabricNode, topSystem, a leaf's paths) and deleting it
decommissions the switch; the checks a real APIC makes refuse a write whole. Then the real cisco.aci
aci_fabric_node module through ansible-playbook (tests/ansible/registration_fabric_node.yml)."""

from __future__ import annotations

import ipaddress

import pytest
from playbooks import ANSIBLE_DIR, run_playbook
from rest_session import ApicRest

from simulator.fabric.tep import DEFAULT_TEP_NETWORK

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

IDENT_POL = "uni/controller/nodeidentpol"
PLAYBOOK = ANSIBLE_DIR / "registration_fabric_node.yml"


@pytest.fixture
def apic(lab) -> ApicRest:
    return ApicRest(lab.apic_server.url)


def register(apic: ApicRest, serial: str, **attrs: str):
    body = {"fabricNodeIdentP": {"attributes": {"serial": serial, **attrs}}}
    return apic.post(f"{IDENT_POL}/nodep-{serial}", body)


def error_of(response) -> tuple[int, str, str]:
    error = response.json()["imdata"][0]["error"]["attributes"]
    return response.status_code, error["code"], error["text"]


def one(apic: ApicRest, dn: str) -> dict:
    [mo] = apic.imdata(f"/api/mo/{dn}.json")
    [(_, content)] = mo.items()
    return content["attributes"]


def test_the_lab_fabric_is_registered_as_a_real_one(apic):
    assert apic.objects("ctrlrInst")[0]["dn"] == "uni/controller"
    assert apic.objects("fabricNodeIdentPol")[0]["dn"] == IDENT_POL
    switches = {n["serial"]: n for n in apic.objects("fabricNode") if n["role"] != "controller"}
    members = {m["serial"]: m for m in apic.objects("fabricNodeIdentP")}
    assert set(members) == set(switches) == {"SAL0100101", "SAL0100102", "SAL0100103", "SAL0100104",
                                             "SAL0100201", "SAL0100202"}
    for serial, member in members.items():
        node = switches[serial]
        assert member["dn"] == f"{IDENT_POL}/nodep-{serial}"
        assert (member["nodeId"], member["name"], member["role"]) == (node["id"], node["name"], node["role"])
        assert (member["podId"], member["fabricId"], member["nodeType"], member["extPoolId"]) == (
            "1", "1", "unspecified", "0")


def test_a_registered_leaf_is_discovered_into_the_topology(apic):
    taken = {n["address"] for n in apic.objects("fabricNode")}
    r = register(apic, "FDO22000001", nodeId="105", name="leaf-new", role="leaf", nodeType="tier-2-leaf")
    assert r.status_code == 200, r.text
    node = one(apic, "topology/pod-1/node-105")
    assert {k: node[k] for k in ("id", "name", "role", "serial", "model", "fabricSt", "adSt", "nodeType")} == {
        "id": "105", "name": "leaf-new", "role": "leaf", "serial": "FDO22000001", "model": "N9K-C93180YC-FX",
        "fabricSt": "active", "adSt": "on", "nodeType": "tier-2-leaf"}
    assert ipaddress.ip_address(node["address"]) in ipaddress.ip_network(DEFAULT_TEP_NETWORK)
    assert node["address"] not in taken
    system = one(apic, "topology/pod-1/node-105/sys")
    assert {k: system[k] for k in ("id", "name", "role", "podId", "address", "serial", "state")} == {
        "id": "105", "name": "leaf-new", "role": "leaf", "podId": "1", "address": node["address"],
        "serial": "FDO22000001", "state": "in-service"}
    paths = apic.imdata("/api/mo/topology/pod-1/paths-105.json", **{"query-target": "children"})
    assert len(paths) == 54
    assert paths[0]["fabricPathEp"]["attributes"]["dn"].startswith("topology/pod-1/paths-105/pathep-[eth1/")
    # the class query a client lists the fabric with now shows it, the membership list its registration
    assert "topology/pod-1/node-105" in {n["dn"] for n in apic.objects("fabricNode")}
    assert one(apic, f"{IDENT_POL}/nodep-FDO22000001")["nodeType"] == "tier-2-leaf"


def test_a_spine_and_a_remote_leaf_are_discovered_as_what_they_are(apic):
    assert register(apic, "FDO22000002", nodeId="203", role="spine").status_code == 200
    spine = one(apic, "topology/pod-1/node-203")
    assert (spine["role"], spine["model"], spine["name"]) == ("spine", "N9K-C9364C", "spine-203")
    assert apic.imdata("/api/mo/topology/pod-1/paths-203.json") == []  # a spine has no access paths
    r = register(apic, "FDO22000003", nodeId="301", role="leaf", nodeType="remote-leaf-wan", extPoolId="2")
    assert r.status_code == 200, r.text
    assert one(apic, "topology/pod-1/node-301")["nodeType"] == "remote-leaf-wan"
    assert one(apic, "topology/pod-1/node-301/sys")["remoteNode"] == "yes"
    addresses = [n["address"] for n in apic.objects("fabricNode")]
    assert len(addresses) == len(set(addresses))


def test_deleting_a_registration_decommissions_the_switch(apic, lab):
    assert register(apic, "FDO22000004", nodeId="110", role="leaf").status_code == 200
    apic.delete_ok(f"{IDENT_POL}/nodep-FDO22000004")
    assert apic.imdata("/api/mo/topology/pod-1/node-110.json") == []
    assert apic.imdata("/api/mo/topology/pod-1/paths-110.json") == []
    # a switch of the lab's own fabric leaves too, and a reset brings the lab's fabric back
    apic.delete_ok(f"{IDENT_POL}/nodep-SAL0100104")
    assert apic.imdata("/api/mo/topology/pod-1/node-104.json") == []
    assert apic.imdata("/api/mo/topology/pod-1/paths-104.json") == []
    assert apic.http.post(f"{apic.url}/_sim/reset").status_code == 200
    apic = ApicRest(lab.apic_server.url)
    assert one(apic, "topology/pod-1/node-104")["serial"] == "SAL0100104"
    assert one(apic, f"{IDENT_POL}/nodep-SAL0100104")["nodeId"] == "104"



def test_a_static_binding_reaches_a_registered_leaf_until_it_is_decommissioned(apic):
    """A discovered leaf's ports are paths as the lab's own leaves' are: an EPG's static binding resolves to one."""
    assert register(apic, "FDO22000010", nodeId="112", role="leaf").status_code == 200
    path = "topology/pod-1/paths-112/pathep-[eth1/7]"
    apic.post_ok("uni/tn-t1", {"fvTenant": {"attributes": {"name": "t1"}, "children": [
        {"fvAp": {"attributes": {"name": "ap"}, "children": [{"fvAEPg": {"attributes": {"name": "web"}, "children": [
            {"fvRsPathAtt": {"attributes": {"tDn": path, "encap": "vlan-10"}}}]}}]}}]}})
    binding = f"uni/tn-t1/ap-ap/epg-web/rspathAtt-[{path}]"
    assert (one(apic, binding)["state"], one(apic, binding)["tCl"]) == ("formed", "fabricPathEp")
    apic.delete_ok(f"{IDENT_POL}/nodep-FDO22000010")
    assert one(apic, binding)["state"] == "missing-target"

def test_a_renamed_registration_renames_the_switch(apic):
    assert register(apic, "FDO22000005", nodeId="111", name="old").status_code == 200
    assert register(apic, "FDO22000005", name="new").status_code == 200
    assert one(apic, "topology/pod-1/node-111")["name"] == "new"
    assert one(apic, "topology/pod-1/node-111/sys")["name"] == "new"


def test_a_registration_without_a_node_id_or_pod_stays_undiscovered(apic):
    assert register(apic, "FDO22000006").status_code == 200
    assert one(apic, f"{IDENT_POL}/nodep-FDO22000006")["nodeId"] == "0"
    assert register(apic, "FDO22000007", nodeId="120", podId="9").status_code == 200
    assert apic.imdata("/api/mo/topology/pod-9/node-120.json") == []
    assert {n["serial"] for n in apic.objects("fabricNode")}.isdisjoint({"FDO22000006", "FDO22000007"})


def test_the_apic_checks_refuse_the_write_whole(apic):
    before = apic.objects("fabricNodeIdentP")
    for attrs, prop, value in ((dict(nodeId="50"), "nodeId", "50"), (dict(nodeId="4001"), "nodeId", "4001"),
                               (dict(nodeId="130", podId="0"), "podId", "0")):
        r = register(apic, "FDO22000008", **attrs)
        assert error_of(r) == (400, "801", f"property {prop} of {IDENT_POL}/nodep-FDO22000008 failed validation "
                                           f"for value '{value}'")
    assert error_of(register(apic, "FDO22000008", nodeId="101")) == (
        400, "120", f"Node ID 101 is already registered for serial number SAL0100101: {IDENT_POL}/nodep-FDO22000008 "
                    "cannot use it")
    assert error_of(register(apic, "FDO22000008", nodeId="131", nodeType="remote-leaf-wan")) == (
        400, "120", f"A remote leaf needs the id of its external TEP pool (extPoolId) in {IDENT_POL}/nodep-FDO22000008")
    assert apic.objects("fabricNodeIdentP") == before
    assert "FDO22000008" not in {n["serial"] for n in apic.objects("fabricNode")}
    assert register(apic, "FDO22000009", nodeId="132", nodeType="tier-2-leaf").status_code == 200
    assert error_of(register(apic, "FDO22000009", nodeType="virtual")) == (
        400, "400", "Create-only and naming props cannot be modified after creation, class=fabricNodeIdentP, "
                    "prop=nodeType")


@pytest.mark.slow
def test_ansible_aci_fabric_node(lab, tmp_path):
    """The module's own integration test, shortened: answers as a real APIC gave them (ansible-aci
    tests/integration/targets/aci_fabric_node/tasks/main.yml), and the node in the topology between."""
    run = run_playbook(tmp_path, "fabric_node", PLAYBOOK, {"aci_port": lab.apic_server.port})
    failed = {key for key, res in run.results.items() if res.get("failed")}
    assert run.rc == 0 and failed == {"08", "09", "10", "11"}, run.summary()
    r = run.results
    assert run.changed() == {"01", "02", "07", "12", "13"}, run.summary()
    assert r["01"]["current"] == [] and r["01"]["previous"] == []
    assert r["01"]["sent"] == r["01"]["proposed"] == {"fabricNodeIdentP": {"attributes": {
        "annotation": "orchestrator:ansible", "dn": f"{IDENT_POL}/nodep-ansible_test", "name": "anstest",
        "nodeId": "105", "nodeType": "tier-2-leaf", "podId": "1", "role": "leaf", "serial": "ansible_test"}}}
    created = r["02"]["current"][0]["fabricNodeIdentP"]["attributes"]
    assert (created["annotation"], created["role"], created["nodeType"]) == ("orchestrator:ansible", "leaf",
                                                                             "tier-2-leaf")
    assert r["04"]["previous"] == r["04"]["current"] == r["02"]["current"]
    assert r["05"]["current"][0]["fabricNodeIdentP"]["attributes"]["serial"] == "ansible_test"
    listed = {m["fabricNodeIdentP"]["attributes"]["serial"] for m in r["06"]["current"]}
    assert {"ansible_test", "SAL0100101", "SAL0100201"} <= listed
    remote = r["07"]["current"][0]["fabricNodeIdentP"]["attributes"]
    assert (remote["nodeType"], remote["extPoolId"]) == ("remote-leaf-wan", "2")
    assert r["08"]["error"]["text"] == ("Create-only and naming props cannot be modified after creation, "
                                        "class=fabricNodeIdentP, prop=nodeType")
    assert r["09"]["error"]["text"] == ("Create-only and naming props cannot be modified after creation, "
                                        "class=fabricNodeIdentP, prop=extPoolId")
    assert r["10"]["msg"] == "External Pool Id is not compatible with a node type other than 'remote'."
    assert r["11"]["error"]["code"] == "120"
    assert r["12"]["previous"] == r["02"]["current"]
    assert r["13"]["current"] == [] and r["13"]["previous"] == r["02"]["current"]
    assert r["14"]["previous"] == [] and r["15"]["current"] == []
    apic = ApicRest(lab.apic_server.url)
    assert apic.imdata("/api/mo/topology/pod-1/node-105.json") == []  # decommissioned by 13
    assert one(apic, "topology/pod-1/node-106")["nodeType"] == "remote-leaf-wan"  # the remote leaf stays
