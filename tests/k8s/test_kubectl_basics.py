"""The everyday kubectl commands against the lab's Kubernetes API: get, create, delete, label, annotate,
scale and replace, each answered as a real API server answers it."""

from __future__ import annotations

import yaml


def test_get_nodes_and_pods(served_kube):
    served_kube.kube.add_node("node-1", {"InternalIP": "10.1.0.101", "Hostname": "node-1"})
    nodes = served_kube.ok("get", "nodes")
    assert nodes.split()[:7] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "node-1", "Ready"]
    node = served_kube.json("get", "node", "node-1")
    assert {"type": "InternalIP", "address": "10.1.0.101"} in node["status"]["addresses"]
    assert node["metadata"]["labels"]["kubernetes.io/hostname"] == "node-1"
    run = served_kube.kubectl("get", "pods", "-A")
    assert run.returncode == 0 and "No resources found" in run.stderr


def test_create_get_and_delete_a_namespace(served_kube):
    assert served_kube.ok("create", "namespace", "team-a") == "namespace/team-a created\n"
    namespace = yaml.safe_load(served_kube.ok("get", "ns", "team-a", "-o", "yaml"))
    assert namespace["status"] == {"phase": "Active"}
    assert namespace["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a"}
    assert namespace["spec"] == {"finalizers": ["kubernetes"]}
    served_kube.ok("create", "configmap", "settings", "-n", "team-a", "--from-literal=mode=fast")
    assert served_kube.json("get", "cm", "settings", "-n", "team-a")["data"] == {"mode": "fast"}

    again = served_kube.kubectl("create", "namespace", "team-a")
    assert again.returncode == 1
    assert again.stderr.strip() == 'Error from server (AlreadyExists): namespaces "team-a" already exists'

    assert served_kube.ok("delete", "ns", "team-a") == 'namespace "team-a" deleted\n'
    gone = served_kube.kubectl("get", "ns", "team-a")
    assert gone.stderr.strip() == 'Error from server (NotFound): namespaces "team-a" not found'
    # its objects went with it
    assert served_kube.kube.list("configmaps", "team-a")[0] == []


def test_label_annotate_scale_and_replace(served_kube):
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}},
    }
    served_kube.ok("apply", "-f", "-", input=yaml.safe_dump(deployment))
    created = served_kube.json("get", "deploy", "web")
    assert created["spec"]["replicas"] == 1 and created["metadata"]["generation"] == 1

    served_kube.ok("label", "deploy", "web", "tier=front")
    served_kube.ok("annotate", "deploy", "web", "owner=netops")
    assert served_kube.ok("scale", "deploy/web", "--replicas=3") == "deployment.apps/web scaled\n"
    scaled = served_kube.json("get", "deploy", "web")
    assert scaled["metadata"]["labels"] == {"tier": "front"}
    assert scaled["metadata"]["annotations"]["owner"] == "netops"
    assert scaled["spec"]["replicas"] == 3 and scaled["metadata"]["generation"] == 2

    scaled["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    assert served_kube.ok("replace", "-f", "-", input=yaml.safe_dump(scaled)) == "deployment.apps/web replaced\n"
    assert served_kube.json("get", "deploy", "web")["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"

    stale = served_kube.kubectl("replace", "-f", "-", input=yaml.safe_dump(scaled))  # its resourceVersion is old now
    assert stale.returncode == 1
    assert ('Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on '
            'deployments.apps "web": the object has been modified; please apply your changes to the latest version '
            "and try again") in stale.stderr


def test_client_side_apply_patches_containers_by_name(served_kube):
    pod_spec = {"containers": [{"name": "a", "image": "busybox", "env": [{"name": "X", "value": "1"}]},
                               {"name": "b", "image": "busybox"}]}
    daemonset = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "default"},
                 "spec": {"selector": {"matchLabels": {"app": "agent"}},
                          "template": {"metadata": {"labels": {"app": "agent"}}, "spec": pod_spec}}}
    served_kube.ok("apply", "-f", "-", input=yaml.safe_dump(daemonset))
    pod_spec["containers"][1]["image"] = "busybox:1.36"
    pod_spec["containers"][0]["env"].append({"name": "EXTRA", "value": "2"})
    assert served_kube.ok("apply", "-f", "-", input=yaml.safe_dump(daemonset)) == "daemonset.apps/agent configured\n"
    containers = served_kube.json("get", "ds", "agent")["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("a", "busybox"), ("b", "busybox:1.36")]
    assert containers[0]["env"] == [{"name": "X", "value": "1"}, {"name": "EXTRA", "value": "2"}]
    del pod_spec["containers"][1]
    served_kube.ok("apply", "-f", "-", input=yaml.safe_dump(daemonset))
    assert [c["name"] for c in served_kube.json("get", "ds", "agent")["spec"]["template"]["spec"]["containers"]] == ["a"]
