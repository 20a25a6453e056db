"""Step definitions for the CNI install: the real kubectl applies the manifest acc-provision wrote, and
what the CNI did is read back from the APIC over REST and from the cluster with kubectl.

The same steps run against the simulator's lab and against a real APIC and cluster (--apic-url,
--kubeconfig). The CNI controller works on its own time, so every check waits for it: in the lab by
asking the lab to settle the controller (and moving the lab's clock on, which a restart after a
failure waits for), on real gear by asking again until a deadline. Whatever a scenario applied or
created is deleted with kubectl when it ends, before provisioning_steps removes what it added to the APIC.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pytest_bdd import given, parsers, then, when

from steps.provisioning_steps import MANIFEST, Provisioning
from steps.support.apic import mo_entry
from steps.support.kube import manifest_documents, pod_ready, secret_with_key
from steps.support.nodeprep import CliLab, said
from steps.support.sim import SimControl, eventually
from steps.support.tables import names, table_rows

REPO = Path(__file__).resolve().parents[1]
NODEPREP_CONFIG = REPO / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
QUERY = r"the query '(?P<path>[^']+)'"


@dataclass
class CniInstall:
    """One scenario's cluster side: what it applied and created, undone with kubectl afterwards."""

    provisioning: Provisioning
    kube: object  # the K8sTarget
    workdir: Path
    applied: list[Path] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    preparations: list[str] = field(default_factory=list)
    apply_run: subprocess.CompletedProcess | None = None
    lab: CliLab | None = None
    report: dict = field(default_factory=dict)

    @property
    def apic(self):
        return self.provisioning.apic

    def kubectl(self, *args: str, stdin: str | None = None, ok: bool = True) -> subprocess.CompletedProcess:
        run = self.kube.kubectl(*args, stdin=stdin)
        if ok:
            assert run.returncode == 0, f"kubectl {' '.join(args)} exited {run.returncode}:\n{run.stdout}{run.stderr}"
        return run

    def json(self, *args: str) -> dict:
        return json.loads(self.kubectl(*args, "-o", "json").stdout)

    def manifest(self, name: str) -> Path:
        path = self.provisioning.workdir / name
        assert path.is_file(), f"no {name}: acc-provision has not written it\n{self.provisioning.report()}"
        return path

    def apply(self, path: Path) -> None:
        self.applied.append(path)
        self.apply_run = self.kubectl("apply", "-f", str(path))

    def settle(self) -> None:
        """In the lab, wait until the CNI controller has synced what the cluster holds now."""
        if self.kube.simulated:
            SimControl(self.kube).call("POST", "/cni/settle")

    def until(self, check):
        """`check()` once it passes: in the lab the controller is settled before each try and the lab's clock
        moved on between tries (a controller restarting after a failure waits on it, as kubelet's back-off does)."""
        return eventually(self.kube, check, settle=self.settle)

    def undo(self) -> None:
        for path in reversed(self.applied):
            self.kubectl("delete", "--ignore-not-found", "-f", str(path), ok=False)
        for namespace in self.namespaces:
            self.kubectl("delete", "namespace", namespace, "--ignore-not-found", ok=False)
        for node in self.nodes:
            self.kubectl("delete", "node", node, "--ignore-not-found", ok=False)
        if self.preparations:  # every node back to the scenario's verdict and infra address
            SimControl(self.kube).call("DELETE", "/k8s/preparation")
        if self.applied:
            self.settle()
        if self.lab is not None and self.lab.down_run is None:
            run = self.lab.down()
            assert run.returncode == 0, said(run)
            assert self.lab.leftovers() == [], f"the node-prep lab left behind: {self.lab.leftovers()}"


@pytest.fixture
def cni(provisioning, k8s_target, tmp_path):
    install = CniInstall(provisioning, k8s_target, tmp_path)
    yield install
    install.undo()


def _pods_of(cni: CniInstall, deployment: str, namespace: str) -> list[dict]:
    selector = cni.json("get", "deployment", deployment, "-n", namespace)["spec"]["selector"]["matchLabels"]
    labels = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    return cni.json("get", "pods", "-n", namespace, "-l", labels)["items"]


def _query(cni: CniInstall, path: str) -> list[tuple[str, dict]]:
    """(class, attributes) of every object the query answers."""
    return [(cls, body["attributes"]) for cls, body in map(mo_entry, cni.apic.imdata(path))]


def _named(cni: CniInstall, path: str, cls: str) -> list[str]:
    found = [attrs for found_cls, attrs in _query(cni, path) if found_cls == cls]
    return sorted(attrs.get("name", "") for attrs in found)


# ---------------------------------------------------------------------------------------------- given


@given("I have provisioned the APIC with acc-provision")
def provisioned(provisioning):
    run = provisioning.acc_provision("-o", MANIFEST, "-a")
    assert run.returncode == 0, provisioning.report()


@given(parsers.parse('I have applied "{name}" with kubectl'))
def applied(cni, name):
    cni.apply(cni.manifest(name))
    pod_is_ready(cni, "aci-containers-controller", "aci-containers-system")


@given(parsers.parse('the fabric team has deleted the VRF "{name}" in tenant "{tenant}"'))
def vrf_deleted(provisioning, name, tenant):
    answer = provisioning.apic.delete(f"/api/mo/uni/tn-{tenant}/ctx-{name}.json")
    assert answer.status_code == 200, answer.text


@given(parsers.parse('the preparation of node "{node}" failed with "{reason}"'))
def preparation_failed(cni, node, reason):
    SimControl(cni.kube).call("POST", "/k8s/preparation", {"node": node, "passed": False, "reason": reason})
    cni.preparations.append(node)


# ----------------------------------------------------------------------------------------------- when


@when(parsers.parse('I apply "{name}" with kubectl'))
def apply_manifest(cni, name):
    cni.apply(cni.manifest(name))


@when(parsers.parse('I apply "{name}" with kubectl, its Secret "{secret}" holding a key the APIC does not know'))
def apply_with_foreign_key(cni, name, secret):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    documents = [secret_with_key(doc, secret, key) for doc in manifest_documents(cni.manifest(name))]
    changed = cni.workdir / f"foreign-key-{name}"
    changed.write_text(yaml.safe_dump_all(documents))
    cni.apply(changed)


@when(parsers.parse('I create the namespace "{namespace}" with kubectl'))
def create_namespace(cni, namespace):
    cni.namespaces.append(namespace)
    cni.kubectl("create", "namespace", namespace)


@when(parsers.parse('I delete the namespace "{namespace}" with kubectl'))
def delete_namespace(cni, namespace):
    cni.kubectl("delete", "namespace", namespace)


@when(parsers.parse("the node \"{node}\" with the InternalIP {address} registers with the API server"))
def node_registers(cni, node, address):
    """As a kubelet registers: the Node first, then its status with the addresses."""
    cni.nodes.append(node)
    cni.kubectl("create", "-f", "-", stdin=json.dumps({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": node, "labels": {"kubernetes.io/hostname": node, "kubernetes.io/os": "linux"}}}))
    status = {"status": {"addresses": [{"type": "InternalIP", "address": address}, {"type": "Hostname", "address": node}]}}
    cni.kubectl("patch", "node", node, "--subresource=status", "--type=merge", "-p", json.dumps(status))


@when(parsers.parse('I run the deployment "{name}" of {replicas:d} replicas in the namespace "{namespace}" and '
                    'expose it on port {port:d} as a LoadBalancer service with kubectl'))
def run_and_expose(cni, name, replicas, namespace, port):
    if namespace not in cni.namespaces:
        cni.namespaces.append(namespace)
        cni.kubectl("create", "namespace", namespace)
    labels = {"app": name}
    documents = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace},
         "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels},
                               "spec": {"containers": [{"name": name, "image": "nginx:1.27",
                                                        "ports": [{"containerPort": port}]}]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace},
         "spec": {"type": "LoadBalancer", "selector": labels,
                  "ports": [{"port": port, "targetPort": port, "protocol": "TCP"}]}},
    ]
    cni.kubectl("apply", "-f", "-", stdin=yaml.safe_dump_all(documents))


@when(parsers.parse('I delete the service "{name}" in "{namespace}" with kubectl'))
def delete_service(cni, name, namespace):
    cni.kubectl("delete", "service", name, "-n", namespace)


@when(parsers.parse("I prepare {count:d} nodes in the node-prep lab and their checks pass"))
def prepare_nodes(cni, count):
    cni.lab = CliLab(f"cni{os.getpid() % 100000}", cni.workdir / "nodeprep")
    run = cni.lab.up(NODEPREP_CONFIG, count, {})
    assert run.returncode == 0, said(run)
    checked, cni.report = cni.lab.check()
    assert checked.returncode == 0 and cni.report["ok"], said(checked)


@when("I report the node-prep lab's checks to the simulator as the preparation of the cluster's nodes")
def report_preparation(cni):
    answer = SimControl(cni.kube).call("POST", "/k8s/preparation", cni.report)
    cni.preparations += [entry["node"] for entry in answer.get("nodes", [])]


@when(parsers.parse('I delete everything "{name}" and the scenario created with kubectl'))
def delete_everything(cni, name):
    cni.undo()
    cni.applied, cni.namespaces, cni.nodes, cni.preparations = [], [], [], []


# ----------------------------------------------------------------------------------------------- then


@then("kubectl created every object of the manifest")
def created_everything(cni):
    said_lines = {line.strip() for line in cni.apply_run.stdout.splitlines()}
    missing = []
    for doc in manifest_documents(cni.applied[-1]):
        kind, name = doc["kind"].lower(), doc["metadata"]["name"]
        if not any(line.endswith(f"/{name} created") and line.split("/")[0].split(".")[0] == kind for line in said_lines):
            missing.append(f"{doc['kind']} {name}")
    assert not missing, f"kubectl apply did not create {missing}:\n{cni.apply_run.stdout}"


@then(parsers.parse('the Pod of the Deployment "{deployment}" in "{namespace}" is Running and Ready'))
def pod_is_ready(cni, deployment, namespace):
    def check():
        pods = _pods_of(cni, deployment, namespace)
        assert pods, f"the Deployment {deployment} has no Pod"
        assert all(p["status"].get("phase") == "Running" and pod_ready(p) for p in pods), \
            [(p["metadata"]["name"], p["status"]) for p in pods]
    cni.until(check)


@then(parsers.parse('the Pod of the Deployment "{deployment}" in "{namespace}" is not Ready and kubectl '
                    'describes it with "{text}"'))
def pod_not_ready(cni, deployment, namespace, text):
    def check():
        pods = _pods_of(cni, deployment, namespace)
        assert pods and not any(pod_ready(p) for p in pods), [(p["metadata"]["name"], p["status"]) for p in pods]
        described = cni.kubectl("describe", "pod", "-n", namespace, pods[0]["metadata"]["name"]).stdout
        assert text in described, described
    cni.until(check)


@then(parsers.parse("kubectl shows the service \"{name}\" in \"{namespace}\" with an external IP in {subnet}"))
def service_external_ip(cni, name, namespace, subnet):
    def check():
        ingress = cni.json("get", "service", name, "-n", namespace)["status"].get("loadBalancer", {}).get("ingress", [])
        assert ingress and ipaddress.ip_address(ingress[0]["ip"]) in ipaddress.ip_network(subnet), ingress
    cni.until(check)


@then(parsers.re(QUERY + r" lists the (?P<cls>\w+) named (?P<expected>.+)$"))
def query_lists(cni, path, cls, expected):
    cni.until(lambda: _compare(_named(cni, path, cls), sorted(names(expected)), "exactly"))


@then(parsers.re(QUERY + r" includes the (?P<cls>\w+) named (?P<expected>.+)$"))
def query_includes(cni, path, cls, expected):
    cni.until(lambda: _compare(_named(cni, path, cls), sorted(names(expected)), "including"))


@then(parsers.re(QUERY + r" leaves out the (?P<cls>\w+) named (?P<expected>.+)$"))
def query_leaves_out(cni, path, cls, expected):
    cni.until(lambda: _compare(_named(cni, path, cls), sorted(names(expected)), "without"))


@then(parsers.re(QUERY + r" lists no (?P<cls>\w+)$"))
def query_lists_none(cni, path, cls):
    cni.until(lambda: _compare(_named(cni, path, cls), [], "exactly"))


@then(parsers.re(QUERY + r" lists these (?P<cls>\w+):$"))
def query_lists_these(cni, path, cls, datatable):
    rows = table_rows(datatable)
    columns = list(rows[0]) if rows else []

    def check():
        found = sorted(tuple(attrs.get(c, "") for c in columns) for found_cls, attrs in _query(cni, path)
                       if found_cls == cls)
        assert found == sorted(tuple(row[c] for c in columns) for row in rows), f"{path} answers {found}"
    cni.until(check)


@then(parsers.parse('kubectl shows the CNI host agent\'s Pod on "{node}" not Ready, described with "{text}"'))
def host_agent_not_ready(cni, node, text):
    def check():
        pods = [p for p in cni.json("get", "pods", "-A", "--field-selector", f"spec.nodeName={node}")["items"]
                if any(c["name"] == "opflex-agent" for c in p["spec"]["containers"])]
        assert len(pods) == 1, f"{len(pods)} host agent Pods on {node}"
        assert not pod_ready(pods[0]), pods[0]["status"]
        described = cni.kubectl("describe", "pod", "-n", pods[0]["metadata"]["namespace"],
                                pods[0]["metadata"]["name"]).stdout
        assert text in described, described
    cni.until(check)


@then("the OpFlex device of each node carries the TEP address the node-prep lab's DHCP gave it")
def odev_tep_addresses(cni):
    addresses = {n["metadata"]["name"]: next(a["address"] for a in n["status"]["addresses"] if a["type"] == "InternalIP")
                 for n in cni.json("get", "nodes")["items"]}
    given_tep = {entry["ip"]: entry["tep"] for entry in cni.report["addresses"].values()}

    def check():
        odevs = {attrs["hostName"]: attrs for attrs in cni.apic.class_query("opflexODev")}
        for node, address in addresses.items():
            if address in given_tep:
                assert node in odevs, f"no opflexODev for {node}"
                assert odevs[node]["ip"] == given_tep[address], (node, odevs[node])
                assert odevs[node]["devId"] == str(int(ipaddress.ip_address(given_tep[address]))), odevs[node]
    cni.until(check)


def _compare(found: list[str], expected: list[str], how: str) -> None:
    if how == "exactly":
        assert found == expected, f"found {found}, expected exactly {expected}"
    elif how == "including":
        assert set(expected) <= set(found), f"found {found}, expected {expected} among them"
    else:
        assert not set(expected) & set(found), f"found {found}, expected none of {expected}"
