"""When an OpFlex agent connects and when it stops, with the host agent of the real manifest (rendered offline by
the real acc-provision) applied alone with the real kubectl, on a lab that was never provisioned: a cabled
node's agent gets its opflexODev though no VMM inventory holds a compHv for it; an uncabled node's agent is
refused and says so on its pod; deleting a node or the DaemonSet takes the odev away."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
import yaml

from simulator.lab import Lab, LabOptions
from simulator.pytest_plugin import client_tool

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
NAMESPACE = "aci-containers-system"
ODEV = "topology/pod-1/node-103/sys/br-[eth1/1]/odev-167772261"  # k8s-node1, infra 10.0.0.101


@pytest.fixture
def host_agents(tmp_path):
    """The lab's nodes: k8s-node1 cabled (leaf 103), k8s-uncabled not; the host agent's manifest, applied."""
    run = subprocess.run([client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", str(CONFIG), "-o",
                          "aci-containers.yaml", "-f", "kubernetes-1.36"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    keep = {"Namespace", "PriorityClass", "ServiceAccount", "ConfigMap"}
    docs = [d for d in yaml.safe_load_all((tmp_path / "aci-containers.yaml").read_text()) if d and (
        d["kind"] in keep or (d["kind"] == "DaemonSet" and d["metadata"]["name"] == "aci-containers-host"))]
    (tmp_path / "host-agent.yaml").write_text(yaml.safe_dump_all(docs))
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump({"kubernetes": {"nodes": [
        {"name": "k8s-node1", "address": "10.1.0.101"}, {"name": "k8s-uncabled", "address": "10.1.0.109"}]}}))
    options = LabOptions()
    options.apply_scenario(tmp_path / "scenario.yaml")
    lab = Lab(options)
    url = lab.start(tls=False).url
    lab.start_k8s(tls_dir=tmp_path / "tls")
    kubeconfig = lab.write_kubeconfig(tmp_path / "kubeconfig")

    def kubectl(*args: str) -> str:
        done = subprocess.run([KUBECTL, f"--kubeconfig={kubeconfig}", f"--cache-dir={tmp_path / 'kcache'}", *args],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    session = requests.Session()
    session.trust_env = False
    assert session.post(f"{url}/api/aaaLogin.json",
                        json={"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}}).status_code == 200

    def objects(cls: str) -> dict[str, dict]:
        imdata = session.get(f"{url}/api/node/class/{cls}.json").json()["imdata"]
        return {o[cls]["attributes"]["dn"]: o[cls]["attributes"] for o in imdata}

    kubectl("apply", "-f", str(tmp_path / "host-agent.yaml"))
    yield kubectl, objects
    lab.stop()


def test_a_cabled_node_connects_without_an_inventory_and_an_uncabled_one_says_why(host_agents):
    kubectl, objects = host_agents
    odevs = objects("opflexODev")
    assert list(odevs) == [ODEV]
    assert odevs[ODEV]["compHvDn"] == "comp/prov-Kubernetes/ctrlr-[mykube]-mykube/hv-k8s-node1"
    assert objects("compHv") == {} and objects("hvsLNode") == {}  # acc-provision never made the domain
    pods = json.loads(kubectl("get", "pods", "-n", NAMESPACE, "-o", "json"))["items"]
    refused = next(p for p in pods if p["spec"]["nodeName"] == "k8s-uncabled")
    ready = {c["type"]: c for c in refused["status"]["conditions"]}["Ready"]
    assert ready["status"] == "False" and "its uplink ens192 is not cabled to a leaf port" in ready["message"]
    events = json.loads(kubectl("get", "events", "-n", NAMESPACE, "-o", "json"))["items"]
    assert [e["message"] for e in events if e["reason"] == "OpflexPeerUnreachable"] == [
        "OpFlex agent on k8s-uncabled cannot reach its OpFlex peer 10.0.0.30 from 10.0.0.102 on infra VLAN 3967: "
        "its uplink ens192 is not cabled to a leaf port"]


def test_a_deleted_node_loses_its_odev(host_agents):
    kubectl, objects = host_agents
    kubectl("delete", "node", "k8s-node1")
    assert objects("opflexODev") == {} and objects("l2BrIf") == {}


def test_deleting_the_daemon_set_stops_the_agents_and_their_odevs_go(host_agents):
    kubectl, objects = host_agents
    kubectl("delete", "daemonset", "-n", NAMESPACE, "aci-containers-host")
    assert objects("opflexODev") == {} and objects("l2BrIf") == {}
