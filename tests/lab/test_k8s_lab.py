"""The lab's Kubernetes cluster: its nodes as a scenario declares them (or the default lab's two), cabled by
the fabric file; a scenario that cannot be is refused in one line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from served import refused

from simulator.lab import Lab, LabOptions


def scenario(tmp_path: Path, kubernetes: object, **extra: object) -> Path:
    path = tmp_path / "lab.yaml"
    path.write_text(yaml.safe_dump({"name": "k8s", "kubernetes": kubernetes, **extra}))
    return path


def test_the_default_lab_has_two_nodes_cabled_to_leaves_103_and_104():
    lab = Lab()
    assert [(n.name, n.address, n.uplink, n.mac) for n in lab.kube_nodes] == [
        ("k8s-node1", "10.1.0.101", "ens192", "00:50:56:aa:bb:01"),
        ("k8s-node2", "10.1.0.102", "ens192", "00:50:56:aa:bb:02"),
    ]
    assert {n.name: lab.fabric.cabling.for_server(n.name)[n.uplink].path_dn for n in lab.kube_nodes} == {
        "k8s-node1": "topology/pod-1/paths-103/pathep-[eth1/1]",
        "k8s-node2": "topology/pod-1/paths-104/pathep-[eth1/1]",
    }


def test_a_scenario_names_its_nodes(tmp_path):
    options = LabOptions()
    options.apply_scenario(scenario(tmp_path, {"node_subnet": "10.7.0.1/24", "nodes": [
        {"name": "worker-a", "address": "10.7.0.11", "labels": {"zone": "a"}},
        {"name": "k8s-node1", "address": "10.7.0.12", "mac": "00-50-56-AA-00-12"},
    ]}))
    lab = Lab(options)
    assert [(n.name, n.address, n.uplink, n.mac, n.labels) for n in lab.kube_nodes] == [
        ("worker-a", "10.7.0.11", "ens192", "00:50:56:aa:00:01", {"zone": "a"}),  # not cabled: no leaf
        ("k8s-node1", "10.7.0.12", "ens192", "00:50:56:aa:00:12", {}),  # cabled by the default fabric file
    ]


def test_a_scenario_without_nodes_has_none(tmp_path):
    options = LabOptions()
    options.apply_scenario(scenario(tmp_path, {"nodes": []}))
    assert Lab(options).kube_nodes == []


@pytest.mark.parametrize(("kubernetes", "problem"), [
    (["k8s-node1"], "kubernetes: is a mapping with node_subnet and nodes"),
    ({"node": []}, "kubernetes: unknown keys: node (known: node_subnet, nodes)"),
    ({"node_subnet": "10.1.0.0/16"}, "node_subnet 10.1.0.0/16 must name the gateway address and prefix"),
    ({"node_subnet": "ten"}, "node_subnet 'ten' is not an IPv4 gateway/prefix such as 10.1.0.1/16"),
    ({"nodes": [{"name": "Node_1", "address": "10.1.0.5"}]}, "nodes entry 1: name 'Node_1' is not a node name"),
    ({"nodes": [{"name": "n1", "address": "10.2.0.5"}]},
     "nodes entry 1 (n1): address 10.2.0.5 is not a host address of the node subnet 10.1.0.1/16"),
    ({"nodes": [{"name": "n1", "address": "10.1.0.1"}]}, "(n1): address 10.1.0.1 is not a host address"),
    ({"nodes": [{"name": "n1"}]}, "(n1): needs 'address:', the node's InternalIP in the node subnet 10.1.0.1/16"),
    ({"nodes": [{"name": "n1", "address": "ten"}]}, "(n1): address 'ten' is not an IPv4 address such as 10.1.0.101"),
    ({"nodes": [{"name": "n1", "address": "10.1.0.5", "ip": "x"}]},
     "(n1): unknown keys: ip (known: name, address, mac, uplink, labels)"),
    ({"nodes": [{"name": "n1", "address": "10.1.0.5", "mac": "00:50:56"}]}, "(n1): mac '00:50:56' is not a MAC"),
    ({"nodes": [{"name": "n1", "address": "10.1.0.5", "labels": {"zone": True}}]},
     "(n1): label zone value True is not a Kubernetes label value"),
    ({"nodes": [{"name": "n1", "address": "10.1.0.5"}, {"name": "n1", "address": "10.1.0.6"}]},
     "nodes entry 2: node n1 is named twice"),
    ({"nodes": [{"name": "n1", "address": "10.1.0.5"}, {"name": "n2", "address": "10.1.0.5"}]},
     "nodes entry 2 (n2): address 10.1.0.5 is already n1's"),
])
def test_a_scenario_that_cannot_be_is_refused_in_one_line_naming_the_file(tmp_path, kubernetes, problem):
    path = scenario(tmp_path, kubernetes)
    with pytest.raises(ValueError) as refusal:
        LabOptions().apply_scenario(path)
    message = str(refusal.value)
    assert message.startswith(f"{path}: kubernetes"), message
    assert problem in message
    assert "\n" not in message


def test_an_uplink_the_fabric_does_not_cable_is_refused(tmp_path):
    options = LabOptions()
    options.apply_scenario(scenario(tmp_path, {"nodes": [{"name": "k8s-node1", "address": "10.1.0.101",
                                                          "uplink": "ens224"}]}))
    with pytest.raises(ValueError, match=r"^kubernetes node k8s-node1: uplink ens224 is not cabled in the fabric "
                                         r"\(its cabled NICs: ens192\)$"):
        Lab(options)


def test_serve_refuses_a_bad_kubernetes_section_in_one_line(tmp_path):
    path = scenario(tmp_path, {"nodes": [{"name": "n1", "address": "10.9.0.5"}]})
    returncode, out, err = refused("--apic-port", "0", "--rhv-port", "0", "--http", "--tls-dir", str(tmp_path),
                                   "--scenario", str(path))
    assert returncode != 0
    assert err.strip().splitlines() == [
        f"acisim: error: {path}: kubernetes.nodes entry 1 (n1): address 10.9.0.5 is not a host address of the "
        "node subnet 10.1.0.1/16 (other than its gateway)"]
    assert out == ""
