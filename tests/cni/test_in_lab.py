"""The lab runs the controller emulator for the controller Pod the real kubectl's apply of the real
acc-provision manifest brings: the APIC gets the cluster, the Pod is Ready, a namespace created with kubectl
follows, and `kubectl delete -f` stops it with no thread left."""

from __future__ import annotations

import json
import threading

import pytest

from simulator.cni.config import from_manifest
from simulator.cni.in_lab import LabCni

SYSTEM = "aci-containers-system"


@pytest.fixture(scope="module")
def cni(vrf_associated):
    cni = LabCni.attach(vrf_associated.lab)
    yield cni
    cni.stop()


@pytest.fixture(scope="module")
def applied(vrf_associated, cni):
    vrf_associated.kubectl("apply", "-f", str(vrf_associated.workdir / "aci-containers.yaml"))
    vrf_associated.config, _ = from_manifest(vrf_associated.manifest)
    assert cni.settle(timeout=60), cni.status()
    assert [r["state"] for r in cni.status()] == ["running"], cni.status()
    return vrf_associated


def controller_pods(lab) -> list[dict]:
    pods = json.loads(lab.kubectl("get", "pods", "-n", SYSTEM, "-o", "json").stdout)["items"]
    return [p for p in pods if p["metadata"]["name"].startswith("aci-containers-controller-")]


def test_the_controller_pod_is_ready_once_the_emulator_synced(applied, cni):
    [pod] = controller_pods(applied)
    [status] = [c for c in pod["status"]["containerStatuses"] if c["name"] == "aci-containers-controller"]
    assert status["ready"] is True and "running" in status["state"] and status["restartCount"] == 0, (status, cni.status())
    rows = [line.split() for line in applied.kubectl("get", "pods", "-n", SYSTEM).stdout.splitlines()]
    assert [row[1:3] for row in rows if row[0] == pod["metadata"]["name"]] == [["1/1", "Running"]]
    [report] = cni.status()
    assert report["pod"] == pod["metadata"]["name"] and report["state"] == "running" and report["syncs"] >= 1
    assert report["lastError"] == ""


def test_the_apic_gets_a_host_per_node_and_a_namespace_per_namespace(applied):
    inj = applied.config.injcont
    for node in json.loads(applied.kubectl("get", "nodes", "-o", "json").stdout)["items"]:
        host = applied.read(f"{inj}/host-[{node['metadata']['name']}]")
        assert host is not None and host["annotation"] == "orchestrator:aci-containers-controller"
    for ns in json.loads(applied.kubectl("get", "namespaces", "-o", "json").stdout)["items"]:
        assert applied.read(f"{inj}/ns-[{ns['metadata']['name']}]") is not None, ns["metadata"]["name"]
    [pod] = controller_pods(applied)
    grp = applied.read(f"{inj}/ns-[{SYSTEM}]/grp-[{pod['metadata']['name']}]")
    assert grp is not None and grp["computeNodeName"] == pod["spec"]["nodeName"]


def test_a_namespace_created_with_kubectl_is_in_the_apic_after_settle(applied, cni):
    applied.kubectl("create", "namespace", "shop")
    assert cni.settle()
    assert applied.read(f"{applied.config.injcont}/ns-[shop]")["name"] == "shop"
    applied.kubectl("delete", "namespace", "shop")
    assert cni.settle()
    assert applied.read(f"{applied.config.injcont}/ns-[shop]") is None


def test_kubectl_delete_of_the_manifest_stops_the_emulator(applied, cni):
    # the lab's API server deletes a namespace with its objects at once (no Terminating phase), so the objects
    # kubectl deletes after the namespace are gone already
    applied.kubectl("delete", "-f", str(applied.workdir / "aci-containers.yaml"), "--ignore-not-found")
    assert cni.settle()
    assert cni.status() == [], cni.status()
    assert [t.name for t in threading.enumerate() if t.name.startswith("cni-")] == []


def test_a_restored_cluster_state_brings_its_controller_pod_back_with_its_emulator(applied, cni):
    """A state restored into the API server tells no change: the lab's tick finds the Pod the state holds."""
    applied.kubectl("apply", "-f", str(applied.workdir / "aci-containers.yaml"))
    assert cni.settle() and [r["state"] for r in cni.status()] == ["running"], cni.status()
    state = applied.lab.k8s.export_state()
    applied.kubectl("delete", "-f", str(applied.workdir / "aci-containers.yaml"), "--ignore-not-found")
    assert cni.settle() and cni.status() == [], cni.status()
    applied.lab.k8s.import_state(state)
    # the CNI's own look at the API server on a tick finds the restored Pod (nothing else runs in between: the
    # lab's whole tick also runs the Kubernetes controllers, which may touch the Pod meanwhile)
    cni.tick()
    assert [r["state"] for r in cni.status()] in (["starting"], ["running"]), cni.status()
    applied.lab.tick()
    assert cni.settle()
    [pod] = controller_pods(applied)
    assert [c["ready"] for c in pod["status"]["containerStatuses"]] == [True], cni.status()
    [report] = cni.status()
    assert report["pod"] == pod["metadata"]["name"] and report["state"] == "running"
