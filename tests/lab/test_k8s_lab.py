"""The lab's Kubernetes API through the real kubectl: `acisim serve` serves it beside the APIC and the RHV
Manager and writes a kubeconfig for it; its nodes are the scenario's (or the default lab's two), cabled by
the fabric file; a scenario that cannot be is refused in one line naming the file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
import requests
import yaml
from served import STARTUP_DEADLINE, Served, refused

from simulator.lab import Lab, LabOptions

KUBECTL = "/usr/bin/kubectl"
NODE_COLUMNS = ("custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type==\"Ready\")].status,"
                "IP:.status.addresses[?(@.type==\"InternalIP\")].address,HOSTNAME:.status.addresses[?(@.type=="
                "\"Hostname\")].address,KUBELET:.status.nodeInfo.kubeletVersion,CPU:.status.capacity.cpu")


class Kubectl:
    """The real kubectl on one kubeconfig, its cache in the test's directory (nothing reads or writes ~/.kube)."""

    def __init__(self, kubeconfig: Path, cache: Path):
        self.kubeconfig, self.cache = kubeconfig, cache

    def __call__(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([KUBECTL, f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.cache}", *args],
                              input=input, capture_output=True, text=True, timeout=STARTUP_DEADLINE,
                              env={k: v for k, v in os.environ.items() if k != "KUBECONFIG"})
        if check:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def table(self, *args: str) -> list[list[str]]:
        return [line.split() for line in self(*args).stdout.strip().splitlines()]


def printed(served: Served, word: str) -> str | None:
    """What `acisim serve` printed after `word` on the line that starts with it (None: no such line)."""
    return next((line.split(None, 1)[1] for line in served.lines if line.split(None, 1)[0] == word), None)


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
    assert returncode == 2
    assert err.strip().splitlines() == [
        f"acisim serve: error: argument --scenario: {path}: kubernetes.nodes entry 1 (n1): address 10.9.0.5 is not a host address of the "
        "node subnet 10.1.0.1/16 (other than its gateway)"]
    assert out == ""


@pytest.fixture(scope="module")
def lab_served(tmp_path_factory):
    """The default lab as `acisim serve` starts it (HTTPS, the Kubernetes API on a free port), with kubectl."""
    home = tmp_path_factory.mktemp("k8s-lab")
    with Served("--apic-port", "0", "--rhv-port", "0", "--k8s-port", "0", "--tls-dir", str(home)) as served:
        yield served, Kubectl(Path(printed(served, "kubeconfig")), home / "kube-cache")


def test_serve_prints_the_api_and_its_kubeconfig_beside_the_certificate(lab_served):
    served, kubectl = lab_served
    url = printed(served, "K8S")
    assert url.startswith("https://127.0.0.1:"), served.lines
    assert served.lines.index(f"K8S      {url}") + 1 == served.lines.index(f"kubeconfig {kubectl.kubeconfig}")
    assert kubectl.kubeconfig.parent == Path(served.proc.args[served.proc.args.index("--tls-dir") + 1])
    assert stat.S_IMODE(kubectl.kubeconfig.stat().st_mode) == 0o600  # it holds the token
    config = yaml.safe_load(kubectl.kubeconfig.read_text())
    assert config["clusters"][0]["cluster"]["server"] == url
    assert json.loads(kubectl("version", "-o", "json").stdout)["serverVersion"]["gitVersion"] == "v1.32.4"


def test_kubectl_gets_the_default_labs_two_nodes_ready_with_their_addresses(lab_served):
    _, kubectl = lab_served
    assert [row[0] for row in kubectl.table("get", "nodes")[1:]] == ["k8s-node1", "k8s-node2"]
    assert kubectl.table("get", "nodes", "-o", NODE_COLUMNS)[1:] == [
        ["k8s-node1", "True", "10.1.0.101", "k8s-node1", "v1.32.4", "8"],
        ["k8s-node2", "True", "10.1.0.102", "k8s-node2", "v1.32.4", "8"],
    ]
    node = json.loads(kubectl("get", "node", "k8s-node1", "-o", "json").stdout)
    assert node["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] == ""
    assert node["metadata"]["labels"]["kubernetes.io/hostname"] == "k8s-node1"
    assert not [key for key in node["metadata"]["annotations"] if key.startswith("opflex.cisco.com/")]  # no CNI yet
    assert {c["type"]: c["status"] for c in node["status"]["conditions"]} == {
        "MemoryPressure": "False", "DiskPressure": "False", "PIDPressure": "False", "Ready": "True"}
    assert node["status"]["nodeInfo"]["osImage"] == "Red Hat Enterprise Linux 9.5 (Plow)"


def test_the_lab_counts_and_resets_its_kubernetes_objects(lab_served):
    served, kubectl = lab_served
    sim = requests.Session()
    sim.trust_env = False
    sim.auth = ("admin", "cisco123")  # the lab's admin, as `acisim serve` printed it
    sim.verify = str(kubectl.kubeconfig.parent / "acisim.crt")  # the lab's certificate, in --tls-dir
    before = sim.get(f"{served.url}/_sim/info").json()["k8s"]
    assert (before["nodes"], before["namespaces"]) == (2, 4)
    kubectl("apply", "-f", "-", input=yaml.safe_dump({"apiVersion": "v1", "kind": "Namespace",
                                                      "metadata": {"name": "reset-me"}}))
    after = sim.get(f"{served.url}/_sim/info").json()["k8s"]
    assert (after["namespaces"], after["objects"]) == (5, before["objects"] + 1)
    assert sim.post(f"{served.url}/_sim/reset").status_code == 200
    assert sim.get(f"{served.url}/_sim/info").json()["k8s"] == before
    # the same kubeconfig still works, and the namespace is gone
    assert "namespace/reset-me" not in kubectl("get", "namespaces", "-o", "name").stdout.split()
    assert [row[0] for row in kubectl.table("get", "nodes")[1:]] == ["k8s-node1", "k8s-node2"]


def test_kubectl_creates_gets_and_deletes_a_namespace(lab_served):
    _, kubectl = lab_served
    made = kubectl("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Namespace",
                                                          "metadata": {"name": "demo"}}))
    assert made.stdout.strip() == "namespace/demo created"
    assert "demo" in [row[0] for row in kubectl.table("get", "ns")]
    assert json.loads(kubectl("get", "ns", "demo", "-o", "json").stdout)["status"]["phase"] == "Active"
    assert kubectl("delete", "ns", "demo").stdout.strip() == 'namespace "demo" deleted'
    assert "namespace/demo" not in kubectl("get", "ns", "-o", "name").stdout.split()


def test_no_k8s_serves_none(tmp_path):
    with Served("--apic-port", "0", "--rhv-port", "0", "--http", "--no-k8s", "--tls-dir", str(tmp_path)) as served:
        assert printed(served, "K8S") is None and printed(served, "kubeconfig") is None, served.lines
        assert not (tmp_path / "kubeconfig").exists()


def test_a_scenarios_nodes_are_the_clusters_and_the_kubeconfig_goes_where_asked(tmp_path):
    path = scenario(tmp_path, {"node_subnet": "10.9.0.1/16", "nodes": [
        {"name": "worker-a", "address": "10.9.0.21", "labels": {"zone": "a"}},
        {"name": "worker-b", "address": "10.9.1.22"},
    ]})
    wanted = tmp_path / "config" / "lab.kubeconfig"
    with Served("--apic-port", "0", "--rhv-port", "0", "--k8s-port", "0", "--tls-dir", str(tmp_path / "tls"),
                "--scenario", str(path), "--kubeconfig", str(wanted)) as served:
        assert printed(served, "kubeconfig") == str(wanted)
        kubectl = Kubectl(wanted, tmp_path / "kube-cache")
        assert kubectl.table("get", "nodes", "-o", NODE_COLUMNS)[1:] == [
            ["worker-a", "True", "10.9.0.21", "worker-a", "v1.32.4", "8"],
            ["worker-b", "True", "10.9.1.22", "worker-b", "v1.32.4", "8"],
        ]
        assert kubectl("get", "nodes", "-l", "zone=a", "-o", "name").stdout.split() == ["node/worker-a"]


@pytest.mark.parametrize(("args", "problem"), [
    (("--k8s-port", "70000"), "argument --k8s-port: invalid port value: '70000' (0 to 65535, 0 picks a free one)"),
    (("--k8s-port", "six"), "argument --k8s-port: invalid port value: 'six'"),
    (("--no-k8s", "--kubeconfig", "k.yaml"), "argument --kubeconfig: not allowed with argument --no-k8s"),
])
def test_bad_kubernetes_flags_are_refused_as_argparse_refuses(tmp_path, args, problem):
    returncode, out, err = refused("--http", "--tls-dir", str(tmp_path), *args)
    assert returncode == 2
    assert err.strip().splitlines()[-1].startswith("acisim serve: error: " + problem), err
    assert "Traceback" not in err and out == ""


def test_serve_prints_where_the_object_browser_is_and_it_answers(lab_served):
    served, _ = lab_served
    page = printed(served, "browser")
    assert page == printed(served, "APIC") + "/visore.html"
    r = requests.get(page, verify=False, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html") and "Visore" in r.text
