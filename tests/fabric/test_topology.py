"""The fabric a lab boots with: sizes from a fixture, numbering, the infra VLAN acc-provision reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.apic.service import Apic, ApicConfig
from simulator.fabric import INFRA_VLAN_BINDING as INFRA_BINDING
from simulator.fabric.topology import Topology

REPO = Path(__file__).resolve().parents[2]


def roles(apic: Apic) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in apic.store.of_class("fabricNode"):
        out.setdefault(node.get("role"), []).append(node.get("id"))
    return {role: sorted(ids, key=int) for role, ids in out.items()}


def test_default_fabric():
    apic = Apic()
    assert roles(apic) == {"controller": ["1"], "spine": ["201", "202"], "leaf": ["101", "102", "103", "104"]}
    running = list(apic.store.of_class("firmwareCtrlrRunning"))
    assert [m.dn for m in running] == ["topology/pod-1/node-1/sys/ctrlrfwstatuscont/ctrlrrunning"]
    assert running[0].get("version") == "6.1(4h)"
    binding = apic.store.get(INFRA_BINDING)
    assert (binding.get("encap"), binding.get("state")) == ("vlan-3967", "formed")


def test_fabric_from_fixture_file():
    topo = Topology.from_file(REPO / "fixtures" / "fabric" / "two-pod.yaml")
    apic = Apic(ApicConfig(topology=topo))
    found = roles(apic)
    assert found["controller"] == ["1", "2", "3"]
    assert found["leaf"] == [*map(str, range(101, 109)), *map(str, range(1101, 1109))]
    assert len(found["spine"]) == 8
    assert apic.store.get("topology/pod-2/node-1101/sys").get("podId") == "2"
    assert next(iter(apic.store.of_class("firmwareCtrlrRunning"))).get("version") == "6.0(8e)"


def test_infra_vlan_follows_the_topology():
    apic = Apic(ApicConfig(topology=Topology(infra_vlan=4093)))
    assert apic.store.get(INFRA_BINDING).get("encap") == "vlan-4093"



def test_nodes_are_numbered_named_and_addressed_as_a_real_fabric():
    nodes = {n["id"]: n for n in Topology().nodes()}
    assert nodes["1"] == {
        "pod": "1",
        "id": "1",
        "name": "apic1",
        "role": "controller",
        "model": "APIC-SERVER-L2",
        "serial": "SAL0100001",
        "version": "6.1(4h)",
        "address": "10.0.0.33",
    }
    assert nodes["101"] == {
        "pod": "1",
        "id": "101",
        "name": "leaf-101",
        "role": "leaf",
        "model": "N9K-C93180YC-FX",
        "serial": "SAL0100101",
        "version": "n9000-16.1(4h)",
        "address": "10.0.0.36",
    }
    assert [n["id"] for n in Topology().nodes()] == ["1", "201", "202", "101", "102", "103", "104"]


def test_the_topology_tree_the_apic_boots_with():
    bodies = dict(Topology().boot_bodies())
    assert list(bodies)[:3] == ["topology", "uni/infra/attentp-default", "topology/pod-1"]
    leaf = bodies["topology/pod-1/node-103"]["fabricNode"]
    assert leaf["attributes"] == {
        "id": "103",
        "name": "leaf-103",
        "role": "leaf",
        "model": "N9K-C93180YC-FX",
        "serial": "SAL0100103",
        "version": "n9000-16.1(4h)",
        "address": "10.0.0.38",
        "fabricSt": "active",
        "adSt": "on",
    }
    system = leaf["children"][0]["topSystem"]
    assert system["attributes"]["podId"] == "1" and system["attributes"]["fabricDomain"] == "ACI Fabric1"
    assert system["children"] == []


def test_tep_pool_and_the_addresses_derived_from_it():
    topo = Topology()
    assert str(topo.tep.network) == "10.0.0.0/16"
    assert (str(topo.tep.opflex_peer), str(topo.tep.vxlan_anycast)) == ("10.0.0.30", "10.0.0.32")
    assert str(topo.tep.opflex_peer_interface) == "10.0.0.30/16"
    assert str(topo.tep.fabric_route) == "10.0.0.0/8"
    other = Topology(tep_pool="10.4.0.0/16")
    assert str(other.tep.opflex_peer) == "10.4.0.30"
    assert other.nodes()[0]["address"] == "10.4.0.33"


def test_node_addresses_continue_in_the_next_block():
    addresses = [n["address"] for n in Topology(pods=3, leaves=99, spines=6, controllers=3).nodes()]
    assert addresses[216:218] == ["10.0.0.249", "10.0.1.0"]
    assert len(set(addresses)) == len(addresses)


def test_a_second_pod_numbers_its_switches_a_thousand_further():
    found = {(n["pod"], n["role"]): n["id"] for n in reversed(Topology(pods=2, leaves=2, spines=1).nodes())}
    assert found == {
        ("1", "controller"): "1",
        ("1", "spine"): "201",
        ("1", "leaf"): "101",
        ("2", "spine"): "1201",
        ("2", "leaf"): "1101",
    }


@pytest.mark.parametrize(
    "text, message",
    [
        ("fabric: {leaves: 0}", "leaves must be a whole number"),
        ("fabric: {infra_vlan: 5000}", "infra_vlan must be between 1 and 4094"),
        ("fabric: {racks: 2}", "unknown fabric settings: racks"),
        (
            "fabric: {tep_pool: 10.0.0.1/16}",
            "tep_pool must be an IPv4 network such as 10.0.0.0/16, not '10.0.0.1/16'",
        ),
        ("fabric: {tep_pool: 10.0.0.0/29}", "tep_pool 10.0.0.0/29 is too small for 7 fabric nodes"),
        ("fabric: {spines: true}", "fabric spines must be a whole number between 0 and 99, not True"),
        ("fabric: {pods: 2}\nracks: 3", "unknown sections: racks"),
        ("fabric: [1, 2]", "'fabric:' is a mapping"),
        ("- 1\n- 2", "a fabric file is a mapping"),
        ("fabric: {pods: [1", "not valid YAML"),
    ],
)
def test_bad_fabric_files_are_refused_naming_the_file(tmp_path, text, message):
    path = tmp_path / "fabric.yaml"
    path.write_text(text)
    with pytest.raises(ValueError) as refused:
        Topology.from_file(path)
    assert str(refused.value).startswith(f"{path}: ") and message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_the_flat_form_of_a_fabric_file_is_still_read(tmp_path):
    path = tmp_path / "fabric.yaml"
    path.write_text("leaves: 2\nspines: 1\n")
    assert [n["name"] for n in Topology.from_file(path).nodes()] == [
        "apic1",
        "spine-201",
        "leaf-101",
        "leaf-102",
    ]
