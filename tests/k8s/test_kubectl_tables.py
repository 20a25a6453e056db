"""`kubectl get` as a real API server answers it: kubectl asks for a meta.k8s.io Table and prints the
server's columns (STATUS, READY, VERSION, ...), `-o wide` adds the priority-1 columns, ages come from the
server's clock, and `-o json`/`-o yaml` still get the plain objects."""

from __future__ import annotations

import json

import yaml

MANIFEST = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: agent, image: busybox}]
"""

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
"""


def _rows(output: str) -> list[list[str]]:
    return [line.split() for line in output.strip().splitlines()]


def test_get_nodes_shows_status_roles_and_version_and_wide_the_addresses(served_kube):
    served_kube.kube.add_node("node-1", {"InternalIP": "10.1.0.101", "Hostname": "node-1"},
                              labels={"node-role.kubernetes.io/control-plane": ""})
    served_kube.clock.advance(3 * 3600 + 5 * 60)
    assert _rows(served_kube.ok("get", "nodes")) == [["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
                                                     ["node-1", "Ready", "control-plane", "3h5m", "v1.32.4"]]
    header, row = _rows(served_kube.ok("get", "nodes", "-o", "wide"))
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE",
                      "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    assert row[:7] == ["node-1", "Ready", "control-plane", "3h5m", "v1.32.4", "10.1.0.101", "<none>"]
    assert row[-2:] == ["5.15.0-105-generic", "containerd://1.7.12"]


def test_get_namespaces_and_an_empty_pod_list(served_kube):
    rows = _rows(served_kube.ok("get", "ns"))
    assert rows[0] == ["NAME", "STATUS", "AGE"]
    assert ["default", "Active", "0s"] in rows and ["kube-system", "Active", "0s"] in rows
    run = served_kube.kubectl("get", "pods", "-A")
    assert run.returncode == 0 and run.stdout == "" and "No resources found" in run.stderr


def test_get_deployments_and_daemonsets_after_an_apply(served_kube):
    served_kube.ok("apply", "-f", "-", input=MANIFEST)
    served_kube.clock.advance(90)
    out = served_kube.ok("get", "deploy,ds", "-n", "shop")
    blocks = [_rows(block) for block in out.strip().split("\n\n")]
    assert blocks[0] == [["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], ["deployment.apps/web", "0/2", "0", "0", "90s"]]
    assert blocks[1] == [["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE", "SELECTOR", "AGE"],
                         ["daemonset.apps/agent", "0", "0", "0", "0", "0", "kubernetes.io/os=linux", "90s"]]
    wide = _rows(served_kube.ok("get", "deploy", "web", "-n", "shop", "-o", "wide"))
    assert wide[0][-3:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert wide[1][-3:] == ["web", "nginx:1.27", "app=web"]


def test_services_configmaps_secrets_and_service_accounts(served_kube):
    served_kube.ok("create", "configmap", "settings", "--from-literal=a=1", "--from-literal=b=2")
    served_kube.ok("create", "secret", "generic", "key", "--from-literal=k=v")  # the server defaults the type to Opaque
    served_kube.ok("create", "serviceaccount", "robot")
    assert _rows(served_kube.ok("get", "svc")) == [["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
                                                   ["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "0s"]]
    assert _rows(served_kube.ok("get", "cm", "settings")) == [["NAME", "DATA", "AGE"], ["settings", "2", "0s"]]
    assert _rows(served_kube.ok("get", "secret", "key")) == [["NAME", "TYPE", "DATA", "AGE"], ["key", "Opaque", "1", "0s"]]
    assert _rows(served_kube.ok("get", "sa", "robot")) == [["NAME", "SECRETS", "AGE"], ["robot", "0", "0s"]]


def test_kinds_without_a_printer_and_custom_resources(served_kube):
    served_kube.ok("apply", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}))
    role = served_kube.json("get", "clusterrole", "reader")
    assert _rows(served_kube.ok("get", "clusterrole", "reader")) == [
        ["NAME", "CREATED", "AT"], ["reader", role["metadata"]["creationTimestamp"]]]
    served_kube.ok("apply", "-f", "-", input=CRD)
    crd = served_kube.json("get", "crd", "widgets.example.com")
    assert _rows(served_kube.ok("get", "crd")) == [["NAME", "CREATED", "AT"],
                                                   ["widgets.example.com", crd["metadata"]["creationTimestamp"]]]
    served_kube.ok("apply", "-f", "-", input=yaml.safe_dump({"apiVersion": "example.com/v1", "kind": "Widget",
                                                             "metadata": {"name": "w1", "namespace": "default"},
                                                             "spec": {"size": 3}}))
    served_kube.clock.advance(600)
    assert _rows(served_kube.ok("get", "widgets")) == [["NAME", "SIZE", "AGE"], ["w1", "3", "10m"]]


def test_json_and_yaml_output_are_the_plain_objects(served_kube):
    listed = json.loads(served_kube.ok("get", "ns", "-o", "json"))
    assert listed["kind"] == "List" and {i["kind"] for i in listed["items"]} == {"Namespace"}
    one = yaml.safe_load(served_kube.ok("get", "ns", "default", "-o", "yaml"))
    assert one["kind"] == "Namespace" and one["status"] == {"phase": "Active"}


def test_the_table_as_a_client_asks_for_it(served_kube):
    served_kube.kube.add_node("node-1", {"InternalIP": "10.1.0.101"})
    http = served_kube.http()
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    table = http.get(f"{served_kube.url}/api/v1/nodes", headers={"Accept": accept}, timeout=30).json()
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert [(c["name"], c["priority"]) for c in table["columnDefinitions"]][:6] == [
        ("Name", 0), ("Status", 0), ("Roles", 0), ("Age", 0), ("Version", 0), ("Internal-IP", 1)]
    row = table["rows"][0]
    assert row["cells"][:5] == ["node-1", "Ready", "<none>", "0s", "v1.32.4"]
    assert row["object"]["kind"] == "PartialObjectMetadata" and row["object"]["metadata"]["name"] == "node-1"
    full = http.get(f"{served_kube.url}/api/v1/nodes?includeObject=Object", headers={"Accept": accept}, timeout=30)
    assert full.json()["rows"][0]["object"]["kind"] == "Node"
    bare = http.get(f"{served_kube.url}/api/v1/nodes?includeObject=None", headers={"Accept": accept}, timeout=30)
    assert bare.json()["rows"][0]["object"] is None
    plain = http.get(f"{served_kube.url}/api/v1/nodes", timeout=30).json()
    assert plain["kind"] == "NodeList"


def test_kubectl_get_watch_prints_table_rows(served_kube):
    served_kube.ok("create", "namespace", "seen")
    run = served_kube.kubectl("get", "ns", "seen", "-w", "--request-timeout=2s")
    assert run.returncode == 0, run.stderr
    assert _rows(run.stdout)[:2] == [["NAME", "STATUS", "AGE"], ["seen", "Active", "0s"]]


def test_a_watch_asked_for_tables_streams_one_row_tables(served_kube):
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    with served_kube.http().get(f"{served_kube.url}/api/v1/namespaces?watch=true&fieldSelector=metadata.name%3Ddefault"
                                "&timeoutSeconds=1", headers={"Accept": accept}, stream=True, timeout=30) as resp:
        events = [json.loads(line) for line in resp.iter_lines() if line]
    assert [e["type"] for e in events] == ["ADDED"]
    added = events[0]["object"]
    assert (added["kind"], [c["name"] for c in added["columnDefinitions"]]) == ("Table", ["Name", "Status", "Age"])
    assert added["rows"][0]["cells"] == ["default", "Active", "0s"]
