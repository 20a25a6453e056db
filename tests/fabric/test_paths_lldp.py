"""Path DNs and what a leaf says about itself in LLDP: the strings the APIC, RHV and Kubernetes share."""

from __future__ import annotations

import pytest

from simulator.fabric import Cabling, Fabric, Topology, path_dn, vpc_path_dn
from simulator.fabric.paths import parse_interface

VPC = [{"server": "db1", "nic": "bond0", "vpc": [102, 101], "port": "eth1/10", "members": ["eno3", "eno4"]}]


def test_path_dns_of_a_port_and_of_a_vpc():
    assert path_dn(1, 101, "eth1/45") == "topology/pod-1/paths-101/pathep-[eth1/45]"
    assert path_dn(2, 1101, "eth1/1") == "topology/pod-2/paths-1101/pathep-[eth1/1]"
    assert vpc_path_dn(1, (102, 101), "esx-2-vpc") == "topology/pod-1/protpaths-101-102/pathep-[esx-2-vpc]"


def test_interface_names():
    assert parse_interface("eth1/33") == (1, 33)
    assert [parse_interface(name) for name in ("Eth1/1", "eth1/0", "eth1", "po1", "eth1/1/1", " eth1/1")] == [
        None
    ] * 6


def test_every_leaf_port_is_a_path_the_apic_boots_with():
    bodies = dict(Topology().path_bodies())
    assert list(bodies) == [f"topology/pod-1/paths-{n}" for n in (101, 102, 103, 104)]
    container = bodies["topology/pod-1/paths-103"]["fabricPathEpCont"]
    assert container["attributes"] == {"nodeId": "103"}
    names = [c["fabricPathEp"]["attributes"]["name"] for c in container["children"]]
    assert names == [f"eth1/{n}" for n in range(1, 55)]
    assert container["children"][0]["fabricPathEp"]["attributes"] == {
        "name": "eth1/1",
        "descr": "",
        "pathT": "leaf",
        "lagT": "not-aggregated",
    }


def test_a_cabled_vpc_is_a_path_too():
    topology = Topology()
    fabric = Fabric(topology, Cabling.load(VPC, topology))
    bodies = dict(fabric.path_bodies())
    container = bodies["topology/pod-1/protpaths-101-102"]["fabricProtPathEpCont"]
    assert container["attributes"] == {"nodeAId": "101", "nodeBId": "102"}
    assert [c["fabricPathEp"]["attributes"] for c in container["children"]] == [
        {"name": "db1-bond0-vpc", "descr": "", "pathT": "vpc", "lagT": "node"}
    ]
    assert "topology/pod-1/protpaths-101-102/pathep-[db1-bond0-vpc]" in fabric.path_dns()
    assert len(fabric.path_dns()) == 4 * 54 + 1


def test_what_a_leaf_sends_on_a_port():
    identity = Fabric().leaf_port_identity(102, "eth1/2")
    assert identity.as_neighbour() == {
        "chassis_id": "00:3a:9c:01:00:66",
        "port_id": "eth1/2",
        "port_description": "topology/pod-1/paths-102/pathep-[eth1/2]",
        "system_name": "leaf-102",
        "system_description": "topology/pod-1/node-102",
    }
    assert identity.ttl == 120


def test_each_leaf_has_its_own_stable_chassis_id():
    topology = Topology(pods=2)
    fabric = Fabric(topology)
    chassis = {leaf: fabric.leaf_port_identity(leaf, "eth1/1").chassis_id for leaf in topology.leaf_nodes()}
    assert len(set(chassis.values())) == len(chassis) == 8
    assert chassis[1101] == "00:3a:9c:02:04:4d"
    assert Fabric(Topology(pods=2)).leaf_port_identity(1101, "eth1/7").chassis_id == chassis[1101]


def test_a_vpc_member_port_advertises_the_vpc_path():
    topology = Topology()
    fabric = Fabric(topology, Cabling.load(VPC, topology))
    neighbours = fabric.lldp_neighbours()
    assert set(neighbours) == {("db1", "eno3"), ("db1", "eno4")}
    assert neighbours["db1", "eno4"] == {
        "chassis_id": "00:3a:9c:01:00:65",
        "port_id": "eth1/10",
        "port_description": "topology/pod-1/protpaths-101-102/pathep-[db1-bond0-vpc]",
        "system_name": "leaf-101",
        "system_description": "topology/pod-1/node-101",
    }
    assert neighbours["db1", "eno3"]["system_name"] == "leaf-102"
    assert fabric.leaf_port_identity(102, "eth1/10").port_description.endswith(
        "protpaths-101-102/pathep-[db1-bond0-vpc]"
    )
    assert (
        fabric.leaf_port_identity(102, "eth1/11").port_description
        == "topology/pod-1/paths-102/pathep-[eth1/11]"
    )


def test_a_leaf_the_fabric_does_not_have_sends_nothing():
    with pytest.raises(ValueError, match="leaf 105 is not in the fabric"):
        Fabric().leaf_port_identity(105, "eth1/1")
