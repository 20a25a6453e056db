"""The lab's workload controllers seen through the real kubectl: what kube-controller-manager, the
scheduler and the kubelets leave in the API after an apply, a scale, a delete, and after applying the
real aci-containers.yaml (its controller and one host agent per node, Running)."""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess

import pytest
import yaml

from simulator.k8s.controllers import WorkloadControllers

NODES = {"node1": "10.1.0.101", "node2": "10.1.0.102"}
WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                      "ports": [{"name": "http", "containerPort": 80}]}]}}}}
AGENT = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "kube-system"},
         "spec": {"selector": {"matchLabels": {"app": "agent"}},
                  "template": {"metadata": {"labels": {"app": "agent"}},
                               "spec": {"hostNetwork": True, "tolerations": [{"operator": "Exists"}],
                                        "containers": [{"name": "agent", "image": "busybox:1.36"}]}}}}


@pytest.fixture
def cluster(served_kube):
    """The served API with two Ready nodes and its controllers settling after every client's change."""
    for name, address in NODES.items():
        served_kube.kube.add_node(name, {"InternalIP": address, "Hostname": name})
    controllers = WorkloadControllers(served_kube.kube)
    controllers.listen()
    try:
        yield served_kube, controllers
    finally:
        controllers.stop()


def _apply(kube, *docs: dict) -> None:
    kube.ok("apply", "-f", "-", input=yaml.safe_dump_all(docs))


def _pods(kube, *args: str) -> list[dict]:
    return kube.json("get", "pods", *(args or ("-A",)))["items"]


def _rollout_status(kube, name: str) -> subprocess.CompletedProcess:
    """`kubectl rollout status deploy/<name>`: it watches the deployment until it has rolled out."""
    args = [shutil.which("kubectl"), f"--kubeconfig={kube.kubeconfig}", f"--cache-dir={kube.workdir / 'cache'}",
            "rollout", "status", f"deploy/{name}", "--timeout=60s"]
    return subprocess.run(args, capture_output=True, text=True, cwd=kube.workdir, timeout=90, check=False,
                          env={"HOME": str(kube.workdir), "PATH": "/usr/bin:/bin"})


def _running(pod: dict) -> bool:
    status = pod["status"]
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    return (status["phase"] == "Running" and pod["spec"]["nodeName"] in NODES
            and all(conditions[t] == "True" for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready"))
            and all(c["ready"] and c["started"] and c["restartCount"] == 0 and c["state"]["running"]["startedAt"]
                    for c in status["containerStatuses"]))


def test_a_deployment_and_a_daemonset_run_on_the_nodes_and_roll_out(cluster):
    kube, controllers = cluster
    _apply(kube, WEB, AGENT)
    assert controllers.settle() == 0  # the apply itself was settled before kubectl got its answer

    pods = _pods(kube)
    assert len(pods) == 2 + len(NODES) and all(_running(p) for p in pods), pods
    web = [p for p in pods if p["metadata"]["labels"].get("app") == "web"]
    rs = kube.json("get", "rs", "-l", "app=web")["items"]
    assert len(rs) == 1 and rs[0]["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    template_hash = rs[0]["metadata"]["labels"]["pod-template-hash"]
    assert rs[0]["metadata"]["name"] == f"web-{template_hash}"
    assert all(re.fullmatch(rf"web-{template_hash}-[bcdfghjklmnpqrstvwxz2456789]{{5}}", p["metadata"]["name"])
               and p["metadata"]["ownerReferences"][0]["name"] == rs[0]["metadata"]["name"] for p in web)
    assert {p["spec"]["nodeName"] for p in web} == set(NODES)  # spread over the least loaded nodes
    assert all(ipaddress.ip_address(p["status"]["podIP"]) in ipaddress.ip_network("10.2.0.0/16") for p in web)
    agents = {p["spec"]["nodeName"]: p["status"]["podIP"] for p in pods if p["metadata"]["labels"].get("app") == "agent"}
    assert agents == NODES  # one per node, with the node's IP (hostNetwork)

    run = _rollout_status(kube, "web")
    assert run.returncode == 0 and 'deployment "web" successfully rolled out' in run.stdout, run.stdout + run.stderr
    deploy = kube.json("get", "deploy", "web")
    assert {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2,
            "observedGeneration": 1}.items() <= deploy["status"].items()
    assert [(c["type"], c["status"]) for c in deploy["status"]["conditions"]] == [("Available", "True"),
                                                                                  ("Progressing", "True")]
    ds = kube.json("get", "ds", "agent", "-n", "kube-system")["status"]
    assert {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 2, "updatedNumberScheduled": 2,
            "numberAvailable": 2}.items() <= ds.items()

    events = "\n".join(e["message"] for e in kube.json("get", "events", "-A")["items"])
    pod, node = web[0]["metadata"]["name"], web[0]["spec"]["nodeName"]
    assert f"Successfully assigned default/{pod} to {node}" in events
    assert "Started container web" in events and "Created container: agent" in events
    assert f"Scaled up replica set web-{template_hash} from 0 to 2" in events
    table = kube.ok("get", "pods", "-n", "default")
    assert table.count("Running") == 2 and "1/1" in table


def test_scaling_and_deleting_a_deployment(cluster):
    kube, _ = cluster
    _apply(kube, WEB)
    kube.ok("scale", "deploy/web", "--replicas=3")
    assert len([p for p in _pods(kube, "-l", "app=web") if _running(p)]) == 3
    kube.ok("scale", "deploy/web", "--replicas=1")
    assert len(_pods(kube, "-l", "app=web")) == 1
    assert kube.json("get", "deploy", "web")["status"]["replicas"] == 1
    kube.ok("delete", "deploy", "web")
    assert _pods(kube, "-l", "app=web") == []
    assert kube.json("get", "rs")["items"] == []


def test_a_service_gets_endpoints_of_its_ready_pods(cluster):
    kube, _ = cluster
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
               "spec": {"selector": {"app": "web"}, "ports": [{"name": "web", "port": 8080, "targetPort": "http"}]}}
    _apply(kube, WEB, service)
    ips = sorted(p["status"]["podIP"] for p in _pods(kube, "-l", "app=web"))
    endpoints = kube.json("get", "endpoints", "web")
    assert sorted(a["ip"] for a in endpoints["subsets"][0]["addresses"]) == ips
    assert endpoints["subsets"][0]["ports"] == [{"name": "web", "port": 80, "protocol": "TCP"}]
    slices = kube.json("get", "endpointslices", "-l", "kubernetes.io/service-name=web")["items"]
    assert len(slices) == 1 and sorted(e["addresses"][0] for e in slices[0]["endpoints"]) == ips
    kube.ok("scale", "deploy/web", "--replicas=3")
    assert len(kube.json("get", "endpoints", "web")["subsets"][0]["addresses"]) == 3
    kube.ok("delete", "service", "web")
    assert "NotFound" in kube.kubectl("get", "endpoints", "web").stderr


def test_a_pod_no_node_accepts_stays_pending_with_the_schedulers_reason(cluster):
    kube, _ = cluster
    picky = yaml.safe_load(yaml.safe_dump(WEB))
    picky["spec"]["template"]["spec"]["nodeSelector"] = {"disktype": "ssd"}
    _apply(kube, picky)
    pod = _pods(kube, "-l", "app=web")[0]
    assert pod["status"]["phase"] == "Pending" and "nodeName" not in pod["spec"]
    message = ("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes "
               "are available: 2 Preemption is not helpful for scheduling.")
    assert pod["status"]["conditions"] == [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                            "message": message,
                                            "lastTransitionTime": pod["status"]["conditions"][0]["lastTransitionTime"]}]
    assert [e["message"] for e in kube.json("get", "events")["items"] if e["reason"] == "FailedScheduling"] == [message] * 2
    assert kube.json("get", "deploy", "web")["status"]["unavailableReplicas"] == 2


def test_the_aci_containers_manifest_runs_its_controller_and_a_host_agent_per_node(cluster, aci_manifest):
    kube, _ = cluster
    kube.ok("apply", "-f", str(aci_manifest))
    pods = _pods(kube, "-n", "aci-containers-system")
    assert all(_running(p) for p in pods), pods
    by_app = {}
    for pod in pods:
        by_app.setdefault(pod["metadata"]["labels"]["name"], []).append(pod)
    assert len(by_app["aci-containers-controller"]) == 1
    hosts = {p["spec"]["nodeName"]: p["status"]["podIP"] for p in by_app["aci-containers-host"]}
    assert hosts == NODES
    assert {p["spec"]["nodeName"] for p in by_app["aci-containers-openvswitch"]} == set(NODES)
    assert all(len(p["status"]["containerStatuses"]) == 3 for p in by_app["aci-containers-host"])
    table = kube.ok("get", "pods", "-A")
    assert "aci-containers-controller-" in table and table.count("aci-containers-host-") == 2


def test_kubectl_get_events_shows_the_schedulers_assignment(cluster):
    kube, _ = cluster
    _apply(kube, WEB)
    pod = next(p["metadata"]["name"] for p in _pods(kube, "-n", "default"))
    lines = kube.ok("get", "events", "-n", "default").splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert any(line.split()[1:4] == ["Normal", "Scheduled", f"pod/{pod}"]
               and f"Successfully assigned default/{pod} to node" in line for line in lines[1:])
    wide = kube.ok("get", "events", "-n", "default", "-o", "wide").splitlines()
    assert wide[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE",
                               "FIRST", "SEEN", "COUNT", "NAME"]
    row = next(line for line in wide if "Successfully assigned" in line and f"pod/{pod}" in line)
    assert "default-scheduler" in row and row.split()[-2] == "1" and row.split()[-1].startswith(f"{pod}.")


def test_a_pod_created_directly_gets_the_api_servers_defaults_and_admission(cluster):
    kube, _ = cluster
    kube.ok("run", "solo", "--image=nginx", "-n", "default")
    spec = kube.json("get", "pod", "solo", "-n", "default")["spec"]
    assert {k: spec[k] for k in ("restartPolicy", "dnsPolicy", "schedulerName", "terminationGracePeriodSeconds",
                                 "serviceAccountName", "serviceAccount", "enableServiceLinks", "priority",
                                 "preemptionPolicy")} == {
        "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30, "serviceAccountName": "default", "serviceAccount": "default",
        "enableServiceLinks": True, "priority": 0, "preemptionPolicy": "PreemptLowerPriority"}
    assert spec["containers"][0]["imagePullPolicy"] == "Always"  # no tag is the latest tag
    assert [(t["key"], t["effect"], t["tolerationSeconds"]) for t in spec["tolerations"]] == [
        ("node.kubernetes.io/not-ready", "NoExecute", 300), ("node.kubernetes.io/unreachable", "NoExecute", 300)]
    assert spec["nodeName"] in NODES
