"""EPGs associated with the lab's Red Hat VMM domain become logical networks of the lab's RHV Manager, and
the NICs of VMs on them endpoints that follow their VMs: everything over the APIC's REST API (requests)
and the real ovirtsdk4, the lab clock moved through /_sim.
"""

from __future__ import annotations

import socket

import ovirtsdk4.types as types
import pytest
import requests
import yaml
from vmm_lab import DOMAIN, EVENT_POLL, INVENTORY, START, advance, get, post, sdk_connection

from simulator.clock import ManualClock
from simulator.lab import Lab, LabOptions

POOL = "uni/infra/vlanns-[rhv]-dynamic"
WEB = "uni/tn-shop/ap-app/epg-web"
NETWORK = "shop|app|web"


@pytest.fixture
def shop(lab_apic_rhv):
    """The default lab with a Red Hat domain (VLAN pool 1000-1009, controller on the lab's RHV Manager),
    a tenant whose EPG web is associated with it (immediate), and the inventory read once."""
    s, url, rhv = lab_apic_rhv
    post(s, url, POOL, {"fvnsVlanInstP": {"attributes": {"name": "rhv", "allocMode": "dynamic"}, "children": [
        {"fvnsEncapBlk": {"attributes": {"from": "vlan-1000", "to": "vlan-1009"}}}]}})
    post(s, url, DOMAIN, {"vmmDomP": {"attributes": {"name": "rhv"}, "children": [
        {"infraRsVlanNs": {"attributes": {"tDn": POOL}}},
        {"vmmUsrAccP": {"attributes": {"name": "cred", "usr": "admin@internal", "pwd": "redhat123"}}},
        {"vmmCtrlrP": {"attributes": {"name": "engine", "hostOrIp": "127.0.0.1", "port": str(rhv.port),
                                      "rootContName": "Default"},
                       "children": [{"vmmRsAcc": {"attributes": {"tDn": f"{DOMAIN}/usracc-cred"}}}]}}]}})
    post(s, url, "uni/tn-shop", {"fvTenant": {"attributes": {"name": "shop"}, "children": [
        {"fvCtx": {"attributes": {"name": "vrf"}}},
        {"fvBD": {"attributes": {"name": "bd"}, "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "vrf"}}}]}},
        {"fvAp": {"attributes": {"name": "app"}, "children": [
            {"fvAEPg": {"attributes": {"name": "web"}, "children": [
                {"fvRsBd": {"attributes": {"tnFvBDName": "bd"}}},
                {"fvRsDomAtt": {"attributes": {"tDn": DOMAIN, "resImedcy": "immediate"}}}]}}]}}]}})
    advance(s, url, 1)
    return s, url, rhv


def _network(rhv, name: str = NETWORK):
    connection = sdk_connection(rhv)
    try:
        system = connection.system_service()
        (net,) = [n for n in system.networks_service().list() if n.name == name] or [None]
        if net is None:
            return None
        clusters = [c.name for c in system.clusters_service().list()
                    if any(n.id == net.id for n in system.clusters_service().cluster_service(c.id)
                           .networks_service().list())]
        profiles = [p.name for p in system.vnic_profiles_service().list() if p.network.id == net.id]
        return {"vlan": net.vlan.id if net.vlan else None, "clusters": clusters, "profiles": profiles}
    finally:
        connection.close()


def _plug(rhv, vm_name: str, profile: str = NETWORK) -> str:
    """Hot-plug a NIC on the EPG's profile into a VM; returns its MAC (upper case, as the APIC writes it)."""
    connection = sdk_connection(rhv)
    try:
        system = connection.system_service()
        (vm,) = system.vms_service().list(search=f"name={vm_name}")
        (prof,) = [p for p in system.vnic_profiles_service().list() if p.name == profile]
        nic = system.vms_service().vm_service(vm.id).nics_service().add(
            types.Nic(name="web0", vnic_profile=types.VnicProfile(id=prof.id)))
        return nic.mac.address.upper()
    finally:
        connection.close()


def _endpoint(s, url, mac: str) -> dict:
    (cep,) = get(s, url, f"/api/mo/{WEB}/cep-{mac}.json", **{"rsp-subtree": "children"})
    return cep["fvCEp"]


def _paths(cep: dict) -> list[str]:
    return sorted(c["fvRsCEpToPathEp"]["attributes"]["tDn"] for c in cep.get("children", []) if "fvRsCEpToPathEp" in c)


def test_an_associated_epg_is_a_logical_network_with_its_vlan_on_every_cluster(shop):
    s, url, rhv = shop
    (eppd,) = get(s, url, f"/api/mo/{DOMAIN}/eppd-[{WEB}].json")
    assert (eppd["vmmEpPD"]["attributes"]["encap"], eppd["vmmEpPD"]["attributes"]["name"]) == ("vlan-1000", NETWORK)
    assert _network(rhv) == {"vlan": 1000, "clusters": ["Default"], "profiles": [NETWORK]}
    (pd,) = get(s, url, f"/api/mo/{INVENTORY}/eppd-[{WEB}].json")
    assert pd["compEpPD"]["attributes"]["encap"] == "vlan-1000"
    deployed = {mo["fvDyPathAtt"]["attributes"]["targetDn"] for mo in get(s, url, "/api/class/fvDyPathAtt.json")}
    # immediate: the leaf ports facing both hosts (simulator/defaults/fabric.yaml)
    assert deployed == {f"topology/pod-1/paths-{leaf}/pathep-[eth1/{port}]" for leaf in (101, 102) for port in (1, 2)}


def test_an_endpoint_shows_the_vm_its_host_and_leaf_ports_and_follows_a_migration(shop):
    s, url, rhv = shop
    mac = _plug(rhv, "vm1")
    advance(s, url, EVENT_POLL)
    cep = _endpoint(s, url, mac)
    assert (cep["attributes"]["contName"], cep["attributes"]["hostingServer"],
            cep["attributes"]["reportingControllerName"], cep["attributes"]["encap"]) == (
        "vm1", "host1", "engine", "vlan-1000")
    assert _paths(cep) == ["topology/pod-1/paths-101/pathep-[eth1/1]", "topology/pod-1/paths-102/pathep-[eth1/1]"]
    found = get(s, url, "/api/class/fvCEp.json", **{"query-target-filter": 'eq(fvCEp.contName,"vm1")'})
    assert [mo["fvCEp"]["attributes"]["mac"] for mo in found] == [mac]

    connection = sdk_connection(rhv)
    try:
        vms = connection.system_service().vms_service()
        (vm,) = vms.list(search="name=vm1")
        (host2,) = connection.system_service().hosts_service().list(search="name=host2")
        vms.vm_service(vm.id).migrate(host=types.Host(id=host2.id))
    finally:
        connection.close()
    advance(s, url, EVENT_POLL)
    cep = _endpoint(s, url, mac)
    assert cep["attributes"]["hostingServer"] == "host2"
    assert _paths(cep) == ["topology/pod-1/paths-101/pathep-[eth1/2]", "topology/pod-1/paths-102/pathep-[eth1/2]"]
    rows = get(s, url, "/mqapi2/troubleshoot.eptracker.json", ep=f"{WEB}/cep-{mac}")
    moves = [(r["troubleshootEpTransition"]["attributes"]["action"], r["troubleshootEpTransition"]["attributes"]["path"])
             for r in rows]
    old, new = ("topology/pod-1/paths-101/pathep-[eth1/1]", "topology/pod-1/paths-102/pathep-[eth1/1]"), (
        "topology/pod-1/paths-101/pathep-[eth1/2]", "topology/pod-1/paths-102/pathep-[eth1/2]")
    assert sorted(moves) == sorted([*(("attached", p) for p in old + new), *(("detached", p) for p in old)])


def test_removing_the_association_waits_for_the_last_nic_then_removes_the_network(shop):
    s, url, rhv = shop
    mac = _plug(rhv, "vm1")
    advance(s, url, EVENT_POLL)
    r = s.delete(f"{url}/api/mo/{WEB}/rsdomAtt-[{DOMAIN}].json")
    assert r.status_code == 200, r.text
    advance(s, url, 1)
    (fault,) = get(s, url, f"/api/mo/{WEB}/fault-F606351.json")
    assert "This logical network is used by virtual machine: vm1" in fault["faultInst"]["attributes"]["descr"]
    assert _network(rhv) is not None
    assert get(s, url, f"/api/mo/{DOMAIN}/eppd-[{WEB}].json") == []  # the VLAN is free in the APIC at once

    connection = sdk_connection(rhv)
    try:
        vms = connection.system_service().vms_service()
        (vm,) = vms.list(search="name=vm1")
        nics = vms.vm_service(vm.id).nics_service()
        (nic,) = [n for n in nics.list() if n.mac.address.upper() == mac]
        nics.nic_service(nic.id).deactivate()  # the engine removes no NIC plugged into a running VM
        advance(s, url, EVENT_POLL)
        assert get(s, url, f"/api/mo/{WEB}/cep-{mac}.json") == []  # an unplugged NIC is no endpoint
        (vnic,) = get(s, url, f"/api/mo/{INVENTORY}/vm-{vm.id}/vnic-{mac}.json")
        assert vnic["compVNic"]["attributes"]["operSt"] == "down"
        nics.nic_service(nic.id).remove()
    finally:
        connection.close()
    advance(s, url, EVENT_POLL * 6)  # the next whole sync (60 s) tries again
    assert _network(rhv) is None
    assert get(s, url, f"/api/mo/{WEB}/fault-F606351.json") == []
    assert get(s, url, "/api/class/fvDyPathAtt.json") == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_domain_from_fixtures_sees_a_vpc_bonded_host_on_the_vpc_path(tmp_path):
    """The domain, controller and an associated EPG come from a fixture file; host1's two NICs are a bond
    over a vPC pair, so both hear the vPC's path and the endpoint sits on the protpaths path."""
    port = _free_port()
    fabric = tmp_path / "fabric.yaml"
    fabric.write_text(yaml.safe_dump({"fabric": {"pods": 1, "spines": 2, "leaves": 4}, "cabling": [
        {"server": "host1", "nic": "bond0", "vpc": [101, 102], "port": "eth1/5", "members": ["eno1", "eno2"]},
        {"server": "host2", "nic": "eno1", "leaf": 103, "port": "eth1/2"}]}))
    objects = tmp_path / "objects.yaml"
    ctrlr = {"vmmCtrlrP": {"attributes": {"name": "engine", "hostOrIp": "127.0.0.1", "port": str(port),
                                          "rootContName": "Default"},
                           "children": [{"vmmRsAcc": {"attributes": {"tDn": f"{DOMAIN}/usracc-cred"}}}]}}
    objects.write_text(yaml.safe_dump([
        {"dn": POOL, "body": {"fvnsVlanInstP": {"attributes": {"allocMode": "dynamic"}, "children": [
            {"fvnsEncapBlk": {"attributes": {"from": "vlan-1000", "to": "vlan-1009"}}}]}}},
        {"dn": DOMAIN, "body": {"vmmDomP": {"attributes": {}, "children": [
            {"infraRsVlanNs": {"attributes": {"tDn": POOL}}},
            {"vmmUsrAccP": {"attributes": {"name": "cred", "usr": "admin@internal", "pwd": "redhat123"}}}, ctrlr]}}},
        {"dn": WEB, "body": {"fvAEPg": {"attributes": {}, "children": [
            {"fvRsDomAtt": {"attributes": {"tDn": DOMAIN}}}]}}}]))
    lab = Lab(LabOptions(admin_password="secret", topology=fabric, fixtures=[objects]), clock=ManualClock(START))
    try:
        apic = lab.start(tls=False)
        rhv = lab.start_rhv(tls=False, port=port)
        s = requests.Session()
        s.trust_env = False
        r = s.post(f"{apic.url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}})
        assert r.status_code == 200, r.text
        advance(s, apic.url, 1)
        vpc = "topology/pod-1/protpaths-101-102/pathep-[host1-bond0-vpc]"
        adjs = get(s, apic.url, "/api/class/hvsAdj.json")
        assert sorted(a["hvsAdj"]["attributes"]["portDesc"] for a in adjs) == [
            "topology/pod-1/paths-103/pathep-[eth1/2]", vpc, vpc]
        mac = _plug(rhv, "vm1")
        advance(s, apic.url, EVENT_POLL)
        assert _paths(_endpoint(s, apic.url, mac)) == [vpc]
        on_vpc = sorted(mo["fvDyPathAtt"]["attributes"]["dn"] for mo in get(s, apic.url, "/api/class/fvDyPathAtt.json")
                        if mo["fvDyPathAtt"]["attributes"]["targetDn"] == vpc)
        assert on_vpc == [f"uni/epp/fv-[{WEB}]/node-{leaf}/dyatt-[{vpc}]" for leaf in (101, 102)]
    finally:
        lab.stop()
