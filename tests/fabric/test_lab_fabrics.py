"""The fabrics the lab ships: every cabled NIC lands on a path its APIC has, and the default fabric
cables exactly the default lab's servers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator import defaults
from simulator.fabric import Fabric

REPO = Path(__file__).resolve().parents[2]
FABRICS = {"default": defaults.FABRIC, "two-pod": REPO / "fixtures" / "fabric" / "two-pod.yaml"}


def host_nics(inventory: Path) -> set[tuple[str, str]]:
    data = yaml.safe_load(inventory.read_text())
    return {
        (host["name"], nic["name"])
        for dc in data["data_centers"]
        for cluster in dc["clusters"]
        for host in cluster["hosts"]
        for nic in host.get("nics", [])
    }


@pytest.mark.parametrize("name", FABRICS)
def test_every_cabled_nic_lands_on_a_path_of_a_leaf_of_its_fabric(name):
    fabric = Fabric.from_file(FABRICS[name])
    leaves = fabric.topology.leaf_nodes()
    paths = fabric.path_dns()
    for server in fabric.cabling.servers():
        for nic, port in fabric.cabling.for_server(server).items():
            assert port.path_dn in paths, (server, nic)
            assert all(leaves[leaf].pod == port.pod for leaf in port.leaves), (server, nic)
            assert all(member.path_dn in paths for member in port.member_ports), (server, nic)
    for (server, nic), neighbour in fabric.lldp_neighbours().items():
        assert neighbour["port_description"] in paths, (server, nic)
        assert neighbour["system_name"] in {leaf.name for leaf in leaves.values()}


def test_the_default_fabric_cables_the_default_rhv_hosts_and_the_kubernetes_nodes():
    fabric = Fabric.from_file(defaults.FABRIC)
    cabled = set(fabric.lldp_neighbours())
    assert host_nics(defaults.RHV_INVENTORY) == {
        ("host1", "eno1"),
        ("host1", "eno2"),
        ("host2", "eno1"),
        ("host2", "eno2"),
    }
    assert cabled == host_nics(defaults.RHV_INVENTORY) | {("k8s-node1", "ens192"), ("k8s-node2", "ens192")}
    where = {key: (n["system_name"], n["port_id"]) for key, n in fabric.lldp_neighbours().items()}
    assert where == {
        ("host1", "eno1"): ("leaf-101", "eth1/1"),
        ("host1", "eno2"): ("leaf-102", "eth1/1"),
        ("host2", "eno1"): ("leaf-101", "eth1/2"),
        ("host2", "eno2"): ("leaf-102", "eth1/2"),
        ("k8s-node1", "ens192"): ("leaf-103", "eth1/1"),
        ("k8s-node2", "ens192"): ("leaf-104", "eth1/1"),
    }


def test_the_two_pod_fabric_puts_each_rhv_cluster_in_its_own_pod():
    fabric = Fabric.from_file(FABRICS["two-pod"])
    inventory = yaml.safe_load((REPO / "fixtures" / "rhv" / "two-clusters.yaml").read_text())
    clusters = {c["name"]: [h["name"] for h in c["hosts"]] for c in inventory["data_centers"][0]["clusters"]}
    pods = {
        name: {port.pod for host in hosts for port in fabric.cabling.for_server(host).values()}
        for name, hosts in clusters.items()
    }
    assert pods == {"Default": {1}, "Secondary": {2}}
    assert host_nics(REPO / "fixtures" / "rhv" / "two-clusters.yaml") <= set(fabric.lldp_neighbours())
    assert [port.path_dn for port in fabric.cabling.vpcs()] == [
        "topology/pod-2/protpaths-1103-1104/pathep-[storage1-bond0-vpc]"
    ]
