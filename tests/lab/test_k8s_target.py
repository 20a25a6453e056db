"""The pytest plugin's k8s_target: the session lab's Kubernetes API (or a real cluster's, with --kubeconfig),
driven by the real kubectl with a kubeconfig and a cache of its own."""

from __future__ import annotations


def test_the_session_labs_kubernetes_answers_kubectl(k8s_target):
    nodes = k8s_target.kubectl("get", "nodes", "-o", "name")
    assert nodes.returncode == 0, nodes.stderr
    assert nodes.stdout.split() == ["node/k8s-node1", "node/k8s-node2"]

    created = k8s_target.kubectl("create", "namespace", "plugin-probe")
    assert (created.returncode, created.stdout.strip()) == (0, "namespace/plugin-probe created"), created.stderr
    gone = k8s_target.kubectl("delete", "namespace", "plugin-probe")
    assert gone.returncode == 0, gone.stderr
    again = k8s_target.kubectl("get", "namespace", "plugin-probe")
    assert again.returncode == 1 and 'namespaces "plugin-probe" not found' in again.stderr
