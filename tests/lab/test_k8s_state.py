"""The Kubernetes API server is part of the lab's durable state: `acisim serve --state FILE` killed with
SIGKILL right after kubectl's answer comes back with the same objects (same uids), its CRD-defined kinds
and a resourceVersion that goes on increasing; named snapshots and /_sim/reset hold it too. Through the
real command and the real kubectl."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import requests
import yaml
from served import Served
from test_k8s_lab import Kubectl, printed

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.lab.example.com"},
    "spec": {"group": "lab.example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
             "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                 "type": "object", "properties": {"spec": {"type": "object", "properties": {
                     "size": {"type": "integer"}}}}}}}]},
}


class ServedLab:
    """One `acisim serve --state FILE` run with kubectl on the kubeconfig it wrote (a new port each run)."""

    def __init__(self, state: Path):
        self.served = Served("--apic-port", "0", "--rhv-port", "0", "--k8s-port", "0", "--http",
                             "--state", str(state), "--tls-dir", str(state.parent)).__enter__()
        self.kubectl = Kubectl(Path(printed(self.served, "kubeconfig")), state.parent / f"cache-{self.served.proc.pid}")

    def sim(self, method: str, path: str, **kwargs) -> requests.Response:
        session = requests.Session()
        session.trust_env = False
        return session.request(method, f"{self.served.url}/_sim{path}", auth=("admin", "cisco123"), timeout=30,
                               **kwargs)

    def get(self, *args: str) -> dict:
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def create(self, obj: dict) -> dict:
        return json.loads(self.kubectl("create", "-o", "json", "-f", "-", input=json.dumps(obj)).stdout)

    def list_version(self, plural: str) -> int:
        """The resourceVersion the API server lists `plural` at (kubectl's own List prints none)."""
        return rv(json.loads(self.kubectl("get", "--raw", f"/api/v1/{plural}").stdout))

    def kill(self) -> None:
        self.served.kill()


def names(lab: ServedLab, kind: str, *args: str) -> list[str]:
    return [item["metadata"]["name"] for item in lab.get(kind, *args)["items"]]


def rv(obj: dict) -> int:
    return int(obj["metadata"]["resourceVersion"])


def test_a_killed_lab_comes_back_with_its_objects_uids_kinds_and_a_counter_that_goes_on(tmp_path):
    state = tmp_path / "lab.db"
    lab = ServedLab(state)
    try:
        ns = lab.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
        cm = lab.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "team-a"},
                         "data": {"mode": "strict"}})
        lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(CRD))
        widget = lab.create({"apiVersion": "lab.example.com/v1", "kind": "Widget",
                             "metadata": {"name": "w1", "namespace": "team-a"}, "spec": {"size": 3}})
    finally:
        lab.kill()  # SIGKILL right after kubectl's last answer
    lab = ServedLab(state)
    try:
        assert "team-a" in names(lab, "namespaces")
        again = lab.get("configmap", "settings", "-n", "team-a")
        assert again["data"] == {"mode": "strict"}
        assert again["metadata"]["uid"] == cm["metadata"]["uid"]
        assert again["metadata"]["resourceVersion"] == cm["metadata"]["resourceVersion"]
        assert lab.get("namespace", "team-a")["metadata"]["uid"] == ns["metadata"]["uid"]
        kept = lab.get("widget", "w1", "-n", "team-a")  # the CRD's kind is served again
        assert (kept["spec"], kept["metadata"]["uid"]) == ({"size": 3}, widget["metadata"]["uid"])
        # optimistic concurrency still holds: a replace with the saved resourceVersion is taken, then that one is stale
        changed = json.loads(lab.kubectl("replace", "-o", "json", "-f", "-",
                                         input=json.dumps({**again, "data": {"mode": "lax"}})).stdout)
        assert rv(changed) > rv(widget)
        stale = lab.kubectl("replace", "-f", "-", input=json.dumps(again), check=False)
        assert stale.returncode != 0 and "the object has been modified" in stale.stderr, stale.stderr
        later = lab.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}})
        assert rv(later) > rv(changed)
    finally:
        lab.kill()


def test_a_snapshot_brings_a_deleted_namespace_back_and_a_reset_keeps_the_counter_going(tmp_path):
    state = tmp_path / "lab.db"
    lab = ServedLab(state)
    try:
        ns = lab.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "keep-me"}})
        assert lab.sim("POST", "/snapshots", json={"name": "before"}).status_code == 201
        assert lab.kubectl("delete", "namespace", "keep-me").stdout.strip() == 'namespace "keep-me" deleted'
        assert "keep-me" not in names(lab, "namespaces")
        gone = lab.list_version("namespaces")
        assert lab.sim("POST", "/snapshots/before/restore").status_code == 200
        back = lab.get("namespace", "keep-me")
        assert back["metadata"]["uid"] == ns["metadata"]["uid"]
        assert lab.list_version("namespaces") > gone  # a restore does not take the counter back
    finally:
        lab.kill()
    lab = ServedLab(state)  # the restore was saved
    try:
        assert lab.get("namespace", "keep-me")["metadata"]["uid"] == ns["metadata"]["uid"]
        before_reset = lab.list_version("namespaces")
        assert lab.sim("POST", "/reset").status_code == 200
        assert names(lab, "namespaces") == ["default", "kube-node-lease", "kube-public", "kube-system"]
        assert names(lab, "nodes") == ["k8s-node1", "k8s-node2"]
        fresh = lab.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "after-reset"}})
        assert rv(fresh) > before_reset
    finally:
        lab.kill()
    lab = ServedLab(state)  # the reset was saved too
    try:
        assert "keep-me" not in names(lab, "namespaces") and "after-reset" in names(lab, "namespaces")
    finally:
        lab.kill()


def test_a_state_file_from_before_the_kubernetes_api_loads_with_the_default_nodes(tmp_path):
    state = tmp_path / "lab.db"
    lab = ServedLab(state)
    lab.kill()
    with sqlite3.connect(state) as conn:  # as a state file written before the lab served Kubernetes
        conn.execute("DELETE FROM document WHERE name = 'k8s'")
    conn.close()
    lab = ServedLab(state)
    try:
        assert names(lab, "nodes") == ["k8s-node1", "k8s-node2"]
        lab.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "new-here"}})
    finally:
        lab.kill()
    lab = ServedLab(state)
    try:
        assert "new-here" in names(lab, "namespaces")
    finally:
        lab.kill()
