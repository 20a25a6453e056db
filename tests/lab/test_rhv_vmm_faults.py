"""The faults of a Red Hat VMM controller as an engineer sees them over REST (`rsp-subtree-include=faults`
and class queries on faultInst), each raised by a real cause in the lab and cleared when the cause goes:
a data center the engine does not have (F606262 + F16438, offline), a part of the inventory the engine
fails to serve (F0132, online, the rest kept), a host NIC that hears no ACI leaf (F606391 on its compHv).
"""

from __future__ import annotations

import yaml
from vmm_lab import DOMAIN, INVENTORY, RESYNC, advance, children, controller, domain, get, post, served_lab

from simulator.lab import LabOptions


def _codes(s, url) -> set[str]:
    ctrlr = controller(s, url, **{"rsp-subtree-include": "faults"})
    return {c["faultInst"]["attributes"]["code"] for c in ctrlr.get("children", []) if "faultInst" in c}


def test_a_data_center_the_engine_lacks_is_f606262_and_f16438_until_it_is_named_right(lab_apic_rhv):
    s, url, rhv = lab_apic_rhv
    domain(s, url, rhv)
    post(s, url, f"{DOMAIN}/ctrlr-engine", {"vmmCtrlrP": {"attributes": {"rootContName": "Elsewhere"}}})
    advance(s, url, 1)
    assert controller(s, url)["attributes"]["operSt"] == "offline"
    assert _codes(s, url) == {"F606262", "F16438"}
    (fault,) = get(s, url, "/api/class/faultInst.json", **{"query-target-filter": 'eq(faultInst.code,"F606262")'})
    assert fault["faultInst"]["attributes"]["descr"] == (
        f"[FSM:FAILED]: VMM Add-Controller FSM: {INVENTORY} Failed to find datacenter Elsewhere in RHV-M "
        "127.0.0.1(FSM:ifc:vmmmgr:CompCtrlrAdd)")

    post(s, url, f"{DOMAIN}/ctrlr-engine", {"vmmCtrlrP": {"attributes": {"rootContName": "Default"}}})
    advance(s, url, 1)
    assert controller(s, url)["attributes"]["operSt"] == "online" and _codes(s, url) == set()


def test_a_part_the_engine_fails_to_serve_is_f0132_and_what_was_read_stays(lab_apic_rhv):
    s, url, rhv = lab_apic_rhv
    domain(s, url, rhv)
    advance(s, url, 1)
    hosts = {h["attributes"]["name"] for h in children(s, url, "compHv")}
    r = s.post(f"{url}/_sim/rhv/faults", json={"collection": "hosts", "status": 500, "count": 1})
    assert r.status_code == 200, r.text
    advance(s, url, RESYNC)
    ctrlr = controller(s, url, **{"rsp-subtree-include": "faults"})
    assert ctrlr["attributes"]["operSt"] == "online"
    (fault,) = [c["faultInst"]["attributes"] for c in ctrlr["children"]]
    assert (fault["code"], fault["cause"], fault["changeSet"]) == (
        "F0132", "operational-issues", "remoteOperIssues (Old: , New: partial-inv)")
    assert fault["descr"].endswith("due to error: Partial inventory: the hosts of the data center could not be read")
    assert {h["attributes"]["name"] for h in children(s, url, "compHv")} == hosts  # kept, not deleted

    advance(s, url, RESYNC)  # the fault was for one read: the next whole sync reads everything
    assert _codes(s, url) == set()


def test_a_host_nic_that_hears_no_leaf_is_f606391_on_its_host(tmp_path):
    fabric = tmp_path / "fabric.yaml"  # the default lab's cabling without host2's eno2
    fabric.write_text(yaml.safe_dump({"fabric": {"pods": 1, "spines": 2, "leaves": 4}, "cabling": [
        {"server": "host1", "nic": "eno1", "leaf": 101, "port": "eth1/1"},
        {"server": "host1", "nic": "eno2", "leaf": 102, "port": "eth1/1"},
        {"server": "host2", "nic": "eno1", "leaf": 101, "port": "eth1/2"}]}))
    with served_lab(LabOptions(admin_password="secret", topology=fabric)) as (s, url, rhv):
        domain(s, url, rhv)
        advance(s, url, 1)
        (fault,) = get(s, url, "/api/class/faultInst.json",
                       **{"query-target-filter": 'eq(faultInst.code,"F606391")'})
        attrs = fault["faultInst"]["attributes"]
        (host2,) = [h["attributes"] for h in children(s, url, "compHv") if h["attributes"]["name"] == "host2"]
        assert attrs["dn"] == f"{host2['dn']}/fault-F606391"
        assert (attrs["severity"], attrs["cause"], attrs["descr"]) == ("major", "fsm-failed", (
            "[FSM:FAILED]: Get LLDP/CDP adjacency information for the physical adapters on the host: "
            "host2(TASK:ifc:vmmmgr:CompHvGetHpNicAdj)"))
        adjs = get(s, url, f"/api/mo/{host2['dn']}.json", **{"query-target": "children",
                                                              "target-subtree-class": "hvsAdj"})
        assert [a["hvsAdj"]["attributes"]["portDesc"] for a in adjs] == ["topology/pod-1/paths-101/pathep-[eth1/2]"]
