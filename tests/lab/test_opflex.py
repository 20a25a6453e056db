"""Node preparation meets the fabric: a lab provisioned with the real acc-provision, the real manifest applied
with the real kubectl, then what the APIC holds for each node's OpFlex agent (REST class queries) and what
kubectl shows for a node whose preparation failed; the preparation changed through /_sim/k8s/preparation
with a report shaped as the node-prep lab writes it; and `kubectl delete -f` + `acc-provision -d` leaving
the fabric's topology and VMM inventory as they were.

The scenario: k8s-node1 (leaf 103 eth1/1) prepared, k8s-node2 (leaf 104 eth1/1) failed its MTU check,
k8s-node3 on a vPC over leaves 103/104 (eth1/5) prepared.
"""

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
PREREQS = REPO / "fixtures" / "apic" / "kube-fabric-prereqs.yaml"
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
NAMESPACE = "aci-containers-system"
MTU_FAILURE = "infra MTU path: a 1572-byte DF ping to 10.0.0.30 failed (leaf port MTU 1500?)"
CABLING = [
    {"server": "k8s-node1", "nic": "ens192", "leaf": 103, "port": "eth1/1"},
    {"server": "k8s-node2", "nic": "ens192", "leaf": 104, "port": "eth1/1"},
    {"server": "k8s-node3", "nic": "bond0", "vpc": [103, 104], "port": "eth1/5", "members": ["ens192", "ens224"]},
]
NODES = [
    {"name": "k8s-node1", "address": "10.1.0.101", "mac": "00:50:56:aa:bb:01"},
    {"name": "k8s-node2", "address": "10.1.0.102", "mac": "00:50:56:aa:bb:02", "prepared": False,
     "failure": MTU_FAILURE},
    {"name": "k8s-node3", "address": "10.1.0.103", "mac": "00:50:56:aa:bb:03"},
]
INVENTORY = "comp/prov-Kubernetes/ctrlr-[mykube]-mykube"


def odev_dn(leaf: int, port: str, infra_ip: str) -> str:
    a, b, c, d = map(int, infra_ip.split("."))
    return f"topology/pod-1/node-{leaf}/sys/br-[{port}]/odev-{(a << 24) + (b << 16) + (c << 8) + d}"


class OpflexLab:
    def __init__(self, lab: Lab, workdir: Path):
        self.lab, self.workdir = lab, workdir
        self.url = lab.apic_server.url
        self.session = requests.Session()
        self.session.verify = False
        self.session.trust_env = False
        login = self.session.post(f"{self.url}/api/aaaLogin.json",
                                  json={"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}})
        assert login.status_code == 200, login.text

    def objects(self, cls: str) -> dict[str, dict]:
        """A class query as an engineer runs it: DN -> attributes."""
        reply = self.session.get(f"{self.url}/api/node/class/{cls}.json")
        assert reply.status_code == 200, reply.text
        return {o[cls]["attributes"]["dn"]: o[cls]["attributes"] for o in reply.json()["imdata"]}

    def fabric_dns(self) -> set[str]:
        """Every DN of the fabric's topology and of the VMM inventory (where the OpFlex side writes)."""
        replies = [self.session.get(f"{self.url}/api/mo/{top}.json?query-target=subtree") for top in ("topology", "comp")]
        return {next(iter(o.values()))["attributes"]["dn"] for r in replies for o in r.json()["imdata"]}

    def ours(self) -> tuple[dict, dict, dict]:
        """The odevs, compHvs and logical switches of the lab's Kubernetes nodes."""
        return ({dn: a for dn, a in self.objects("opflexODev").items() if a["hostName"].startswith("k8s-node")},
                {dn: a for dn, a in self.objects("compHv").items() if dn.startswith(INVENTORY)},
                {dn: a for dn, a in self.objects("hvsLNode").items() if dn.startswith(INVENTORY)})

    def kubectl(self, *args: str) -> str:
        run = subprocess.run([KUBECTL, f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.workdir / 'kcache'}",
                              *args], capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        return run.stdout

    def host_pod(self, node: str) -> dict:
        pods = json.loads(self.kubectl("get", "pods", "-n", NAMESPACE, "-o", "json"))["items"]
        return next(p for p in pods if p["metadata"]["name"].startswith("aci-containers-host-")
                    and p["spec"]["nodeName"] == node)

    def prepare(self, body: object) -> requests.Response:
        data = body if isinstance(body, str) else json.dumps(body)
        # the admin's APIC-cookie is the control API's credential here
        return self.session.post(f"{self.url}/_sim/k8s/preparation", data=data,
                                 headers={"Content-Type": "application/json"})

    def acc_provision(self, *args: str) -> None:
        run = subprocess.run([client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", "cfg.yaml",
                              "-f", "kubernetes-1.36", "-u", "admin", "-p", "secret", *args],
                             cwd=self.workdir, capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.fixture(scope="module")
def opflex_lab(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("opflex")
    fabric = yaml.safe_load((REPO / "simulator" / "defaults" / "fabric.yaml").read_text())
    fabric["cabling"] = [c for c in fabric["cabling"] if not c["server"].startswith("k8s-")] + CABLING
    (workdir / "fabric.yaml").write_text(yaml.safe_dump(fabric))
    (workdir / "scenario.yaml").write_text(yaml.safe_dump({
        "name": "opflex", "topology": "fabric.yaml", "admin_password": "secret",
        "kubernetes": {"node_subnet": "10.1.0.1/16", "nodes": NODES}}))
    options = LabOptions(fixtures=[PREREQS])
    options.apply_scenario(workdir / "scenario.yaml")
    lab = Lab(options)
    lab.start(tls_dir=workdir / "tls")
    lab.start_k8s(tls_dir=workdir / "tls")
    served = OpflexLab(lab, workdir)
    served.kubeconfig = lab.write_kubeconfig(workdir / "kubeconfig")
    served.before = served.fabric_dns()
    assert "topology/pod-1/node-103/sys" in served.before
    config = yaml.safe_load(CONFIG.read_text())
    config["aci_config"]["apic_hosts"] = [f"localhost:{lab.apic_server.port}"]
    (workdir / "cfg.yaml").write_text(yaml.safe_dump(config))
    served.acc_provision("-o", "aci-containers.yaml", "-a")
    served.kubectl("apply", "-f", str(workdir / "aci-containers.yaml"))
    yield served
    lab.stop()


def test_each_prepared_node_gets_an_odev_on_each_leaf_it_is_cabled_to_and_a_compHv(opflex_lab):
    odevs, hvs, switches = opflex_lab.ours()
    node1, node3a, node3b = (odev_dn(103, "eth1/1", "10.0.0.101"), odev_dn(103, "eth1/5", "10.0.0.103"),
                             odev_dn(104, "eth1/5", "10.0.0.103"))
    assert set(odevs) == {node1, node3a, node3b}
    assert node1.endswith("/odev-167772261")  # 10.0.0.101 as a 32-bit integer
    one = odevs[node1]
    assert {k: one[k] for k in ("hostName", "uuid", "devType", "domName", "ctrlrName", "id", "devId", "ip", "mac",
                                "fabricPathDn", "compHvDn", "lNodeDn", "vmmCtrlrPKey", "state", "operSt",
                                "hbStatus", "isSecondary", "encap")} == {
        "hostName": "k8s-node1", "uuid": "k8s-node1", "devType": "k8s", "domName": "mykube", "ctrlrName": "mykube",
        "id": "167772261", "devId": "167772261", "ip": "10.0.0.101", "mac": "00:50:56:AA:BB:01",
        "fabricPathDn": "topology/pod-1/paths-103/pathep-[eth1/1]", "compHvDn": f"{INVENTORY}/hv-k8s-node1",
        "lNodeDn": f"{INVENTORY}/sw-InsiemeLSOid", "vmmCtrlrPKey": "uni/vmmp-Kubernetes/dom-mykube/ctrlr-mykube",
        "state": "connected", "operSt": "online", "hbStatus": "valid-dvs", "isSecondary": "false",
        "encap": "unknown"}
    vpc = "topology/pod-1/protpaths-103-104/pathep-[k8s-node3-bond0-vpc]"
    assert (odevs[node3a]["fabricPathDn"], odevs[node3b]["fabricPathDn"]) == (vpc, vpc)
    assert (odevs[node3a]["isSecondary"], odevs[node3b]["isSecondary"]) == ("false", "true")
    assert set(hvs) == {f"{INVENTORY}/hv-k8s-node1", f"{INVENTORY}/hv-k8s-node3"}
    assert hvs[f"{INVENTORY}/hv-k8s-node1"]["name"] == "k8s-node1"
    assert set(switches) == {f"{INVENTORY}/sw-InsiemeLSOid"}


def test_a_node_whose_preparation_failed_has_none_and_kubectl_shows_why(opflex_lab):
    odevs, hvs, _ = opflex_lab.ours()
    assert not [a for a in odevs.values() if a["hostName"] == "k8s-node2"]
    assert f"{INVENTORY}/hv-k8s-node2" not in hvs
    pod = opflex_lab.host_pod("k8s-node2")
    ready = {c["type"]: c for c in pod["status"]["conditions"]}["Ready"]
    assert (ready["status"], ready["reason"]) == ("False", "ContainersNotReady")
    assert ready["message"].startswith("containers with unready status: [opflex-agent]") and MTU_FAILURE in \
        ready["message"]
    agent = {c["name"]: c for c in pod["status"]["containerStatuses"]}
    assert agent["opflex-agent"]["ready"] is False and agent["aci-containers-host"]["ready"] is True
    listed = opflex_lab.kubectl("get", "pods", "-n", NAMESPACE, "-o", "wide")
    row = next(line.split() for line in listed.splitlines() if pod["metadata"]["name"] in line)
    assert row[1] == "2/3", listed
    events = json.loads(opflex_lab.kubectl("get", "events", "-n", NAMESPACE, "-o", "json"))["items"]
    warned = [e for e in events if e["involvedObject"]["name"] == pod["metadata"]["name"]
              and e["reason"] == "OpflexPeerUnreachable"]
    assert len(warned) == 1 and warned[0]["type"] == "Warning"
    assert "10.0.0.30" in warned[0]["message"] and MTU_FAILURE in warned[0]["message"]
    described = opflex_lab.kubectl("describe", "pod", "-n", NAMESPACE, pod["metadata"]["name"])
    assert "OpflexPeerUnreachable" in described and MTU_FAILURE in described
    healthy = opflex_lab.host_pod("k8s-node1")
    assert all(c["status"] == "True" for c in healthy["status"]["conditions"])


def report(ip: str, tep: str, failed: dict[str, str] | None = None) -> dict:
    """A report in the shape `acisim nodeprep lab check --json` writes, for one lab node."""
    names = ["uplink", "infra subinterface", "infra DHCP lease", "infra MTU path", "multicast route"]
    checks = [{"name": n, "status": "fail" if n in (failed or {}) else "pass", "detail": (failed or {}).get(n, "ok")}
              for n in names]
    return {"subif_kind": "macvlan", "ok": not failed, "nodes": {"node2": checks},
            "fabric": [{"name": "leaf DHCP lease for node2", "status": "pass",
                        "detail": f"{tep} to client id 01:02:ac:00:00:00:02, host name node2"}],
            "addresses": {"node2": {"ip": ip, "tep": tep}}}


def test_a_node_prep_lab_report_flips_a_node_and_its_tep_is_the_infra_address(opflex_lab):
    passed = opflex_lab.prepare(report("10.1.0.102", "10.0.0.150"))
    assert passed.status_code == 200, passed.text
    assert passed.json()["changed"] == [{"node": "k8s-node2", "address": "10.1.0.102", "prepared": True, "reason": "",
                                         "infra_ip": "10.0.0.150", "source": "report"}]
    odevs, hvs, _ = opflex_lab.ours()
    node2 = odev_dn(104, "eth1/1", "10.0.0.150")
    assert odevs[node2]["ip"] == "10.0.0.150" and odevs[node2]["hostName"] == "k8s-node2"
    assert f"{INVENTORY}/hv-k8s-node2" in hvs
    pod = opflex_lab.host_pod("k8s-node2")
    assert all(c["status"] == "True" for c in pod["status"]["conditions"])

    failed = opflex_lab.prepare(report("10.1.0.102", "10.0.0.150", {
        "multicast route": "no route 224.0.0.0/4 dev ens192.3967", "infra MTU path": "1572 B DF ping failed"}))
    assert failed.status_code == 200, failed.text
    state = {p["node"]: p for p in opflex_lab.session.get(f"{opflex_lab.url}/_sim/k8s/preparation").json()["nodes"]}
    assert state["k8s-node2"]["reason"] == ("infra MTU path: 1572 B DF ping failed; "
                                            "multicast route: no route 224.0.0.0/4 dev ens192.3967")
    assert state["k8s-node2"]["prepared"] is False and state["k8s-node1"]["prepared"] is True
    odevs, hvs, _ = opflex_lab.ours()
    assert node2 not in odevs and f"{INVENTORY}/hv-k8s-node2" not in hvs
    ready = {c["type"]: c for c in opflex_lab.host_pod("k8s-node2")["status"]["conditions"]}["Ready"]
    assert ready["status"] == "False" and "multicast route: no route 224.0.0.0/4" in ready["message"]


def test_a_plain_verdict_takes_a_node_off_the_fabric_and_back(opflex_lab):
    off = opflex_lab.prepare({"node": "k8s-node1", "passed": False, "reason": "uplink is down"})
    assert off.status_code == 200, off.text
    odevs, hvs, _ = opflex_lab.ours()
    assert not [a for a in odevs.values() if a["hostName"] == "k8s-node1"]
    assert f"{INVENTORY}/hv-k8s-node1" not in hvs and f"{INVENTORY}/hv-k8s-node3" in hvs
    back = opflex_lab.prepare({"node": "k8s-node1", "passed": True})
    assert back.status_code == 200, back.text
    assert odev_dn(103, "eth1/1", "10.0.0.101") in opflex_lab.ours()[0]


@pytest.mark.parametrize(("body", "status", "problem"), [
    ("{not json", 400, "give a node-prep lab report (acisim nodeprep lab check --json) or"),
    ({"node": "k8s-node9", "passed": True}, 404, "no Kubernetes node k8s-node9 in the lab (its nodes: k8s-node1"),
    ({"node": "k8s-node1", "passed": "yes"}, 400, "passed must be true or false, not 'yes'"),
    ({"node": "k8s-node1", "passed": True, "why": "x"}, 400, "unknown keys: why (known: node, passed, reason)"),
    ({"passed": True}, 400, 'give {"node": NAME, "passed": true|false'),
    ({**report("10.1.0.199", "10.0.0.150")}, 404, "no node of the report (node2 (10.1.0.199)) has the address of"),
    ({k: v for k, v in report("10.1.0.102", "10.0.0.150").items() if k != "addresses"}, 400,
     'a node-prep lab report has "addresses"'),
    ({**report("10.1.0.102", "10.0.0.150"), "addresses": {"node2": {"ip": "10.1.0.102", "tep": "x"}}}, 400,
     "report node node2: ip '10.1.0.102' and tep 'x' must be IPv4 addresses"),
    ({"nodes": {"node2": "all good"}, "addresses": {}}, 400, "report node node2: checks are a list of"),
])
def test_bad_preparation_bodies_are_one_line_errors(opflex_lab, body, status, problem):
    before = opflex_lab.session.get(f"{opflex_lab.url}/_sim/k8s/preparation").json()
    answer = opflex_lab.prepare(body)
    assert answer.status_code == status, answer.text
    assert set(answer.json()) == {"error"} and answer.json()["error"].startswith(problem), answer.text
    assert "\n" not in answer.json()["error"]
    assert opflex_lab.session.get(f"{opflex_lab.url}/_sim/k8s/preparation").json() == before


def test_deleting_the_manifest_and_unprovisioning_leave_the_apic_as_it_was(opflex_lab):
    # --ignore-not-found: the lab's API server deletes a namespace with its objects at once (a real one leaves
    # them Terminating a while), so the manifest's later objects in it are already gone
    opflex_lab.kubectl("delete", "--ignore-not-found", "-f", str(opflex_lab.workdir / "aci-containers.yaml"))
    odevs, hvs, switches = opflex_lab.ours()
    assert (odevs, hvs, switches) == ({}, {}, {})
    assert not opflex_lab.objects("l2BrIf")
    opflex_lab.acc_provision("-d")
    assert opflex_lab.fabric_dns() == opflex_lab.before
