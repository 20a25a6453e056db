"""The real kubectl applies the real aci-containers.yaml (acc-provision's 37 documents) to the lab's
Kubernetes API with its default validation, as the Kubernetes-on-ACI procedure's last step does."""

from __future__ import annotations

import yaml

EXPECTED_KINDS = {"CustomResourceDefinition": 17, "ConfigMap": 4, "ClusterRole": 3, "ClusterRoleBinding": 3,
                  "ServiceAccount": 3, "DaemonSet": 2, "Deployment": 2, "Namespace": 1, "Secret": 1, "LimitRange": 1}


def _documents(manifest) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(manifest.read_text()) if doc]


def _versions(served_kube, docs: list[dict]) -> dict[str, str]:
    """Each applied object's resourceVersion, read back with kubectl."""
    out = {}
    for doc in docs:
        namespace = doc["metadata"].get("namespace")
        args = ["get", f"{doc['kind']}.{doc['apiVersion'].split('/')[0] if '/' in doc['apiVersion'] else ''}".rstrip("."),
                doc["metadata"]["name"], "-o", "jsonpath={.metadata.resourceVersion}"]
        if namespace:
            args += ["-n", namespace]
        out[f"{doc['kind']}/{namespace}/{doc['metadata']['name']}"] = served_kube.ok(*args)
    return out


def test_kubectl_applies_the_aci_containers_manifest_and_a_second_apply_changes_nothing(served_kube, aci_manifest):
    docs = _documents(aci_manifest)
    counts: dict[str, int] = {}
    for doc in docs:
        counts[doc["kind"]] = counts.get(doc["kind"], 0) + 1
    assert counts == EXPECTED_KINDS and len(docs) == 37

    first = served_kube.ok("apply", "-f", str(aci_manifest)).splitlines()
    assert len(first) == 37 and all(line.endswith(" created") for line in first), first

    before = _versions(served_kube, docs)
    second = served_kube.ok("apply", "-f", str(aci_manifest)).splitlines()
    assert len(second) == 37 and all(line.endswith((" unchanged", " configured")) for line in second), second
    assert "deployment.apps/aci-containers-controller unchanged" in second
    assert _versions(served_kube, docs) == before  # what kubectl re-sent matched what was stored

    listed = served_kube.ok("get", "ds,deploy", "-n", "aci-containers-system")
    for name in ("daemonset.apps/aci-containers-host", "daemonset.apps/aci-containers-openvswitch",
                 "deployment.apps/aci-containers-controller", "deployment.apps/aci-containers-operator"):
        assert name in listed
    crds = served_kube.json("get", "crd")["items"]
    assert len(crds) == 17
    established = {c["metadata"]["name"] for c in crds
                   if {"type": "Established", "status": "True"}.items() <= c["status"]["conditions"][1].items()}
    assert len(established) == 17
    # the CRDs' kinds are served: kubectl finds them by name
    assert "No resources found" in served_kube.kubectl("get", "snatpolicies", "-A").stderr


def test_server_side_apply_creates_then_reapplies_without_changes(served_kube, aci_manifest):
    first = served_kube.ok("apply", "--server-side", "-f", str(aci_manifest)).splitlines()
    assert len(first) == 37 and all(line.endswith(" serverside-applied") for line in first), first
    controller = served_kube.json("get", "deploy", "-n", "aci-containers-system", "aci-containers-controller",
                                 "--show-managed-fields")
    assert {"manager": "kubectl", "operation": "Apply"}.items() <= controller["metadata"]["managedFields"][0].items()
    before = _versions(served_kube, _documents(aci_manifest))
    served_kube.ok("apply", "--server-side", "-f", str(aci_manifest))
    assert _versions(served_kube, _documents(aci_manifest)) == before


def test_server_side_apply_removes_what_the_manager_stopped_applying(served_kube):
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa", "namespace": "default"},
              "data": {"a": "1", "b": "2"}}
    served_kube.ok("apply", "--server-side", "-f", "-", input=yaml.safe_dump(config))
    config["data"] = {"a": "10"}
    served_kube.ok("apply", "--server-side", "-f", "-", input=yaml.safe_dump(config))
    assert served_kube.json("get", "cm", "ssa")["data"] == {"a": "10"}


def test_a_broken_manifest_is_refused_in_the_api_servers_words(served_kube):
    broken = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"replicas": "one", "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
    run = served_kube.kubectl("apply", "-f", "-", input=yaml.safe_dump(broken))
    assert run.returncode == 1
    assert "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32" in run.stderr
