"""The node-preparation lab with real Linux networking (root): namespaces, veth, dnsmasq, dhclient.

Each lab is built by the `nodeprep_lab` fixture, which tears it down and fails the test if a
namespace or process of it is left; the CLI cycle checks the same by hand."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.fabric import DEFAULT_TEP_POOL
from simulator.nodeprep import NodePrepError
from simulator.nodeprep.netns_lab import NodePrepLab, probe_subif_kind
from simulator.nodeprep.system import netns_list, process_alive

ROOT = Path(__file__).resolve().parents[2]
VXLAN = ROOT / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
NODE_CHECKS = ["uplink", "infra subinterface", "node subinterface", "infra DHCP lease", "DHCP client identifier",
               "fabric TEP route", "infra MTU path", "multicast route", "node address", "default route",
               "API server", "Open vSwitch not running"]


def failed(report, node: str) -> dict[str, str]:
    return {r.name: r.detail for r in report.nodes[node] if not r.ok}


def test_prepared_nodes_pass_every_check(nodeprep_lab):
    lab = nodeprep_lab(VXLAN, nodes=2)
    report = lab.check()
    assert report.failures() == []
    assert report.subif_kind == probe_subif_kind(f"{lab.prefix}x")
    for node in ("node1", "node2"):
        assert [r.name for r in report.nodes[node]] == NODE_CHECKS
        assert all(r.status == "pass" for r in report.nodes[node])
    fabric = {r.name: r.detail for r in report.fabric}
    assert fabric["leaf DHCP lease for node1"] == f"10.0.0.101 to client id 01:{lab.state.nodes[0].infra_mac}, host name node1"
    assert fabric["multicast node1 → node2"] == "225.20.1.1 from " + lab._tep(lab.state.nodes[0]) + " received on the infra VLAN"
    mtu = {r.name: r.detail for r in report.nodes["node2"]}["infra MTU path"]
    assert mtu == "DF ping 1572 B to OpFlex peer 10.0.0.30 passes, 1573 B is refused"


def test_each_mistake_is_caught_on_its_node_with_its_reason(nodeprep_lab):
    lab = nodeprep_lab(VXLAN, nodes=5, faults={"node2": ["leaf-port-mtu-1500"], "node3": ["no-multicast-route"],
                                               "node4": ["wrong-client-id"], "node5": ["ovs-running"]})
    report = lab.check()
    assert failed(report, "node1") == {}
    assert list(failed(report, "node2")) == ["infra MTU path"]
    assert "DF ping of 1572 bytes to OpFlex peer 10.0.0.30 failed" in failed(report, "node2")["infra MTU path"]
    assert failed(report, "node3") == {"multicast route": "no route 224.0.0.0/4 dev ens192.3967: BUM traffic would leave by the default route"}
    assert list(failed(report, "node4")) == ["DHCP client identifier"]
    assert f"has MAC {lab.state.nodes[3].infra_mac}" in failed(report, "node4")["DHCP client identifier"]
    assert list(failed(report, "node5")) == ["Open vSwitch not running"]
    assert "ovsdb-server" in failed(report, "node5")["Open vSwitch not running"]
    fabric = {r.name: r.detail for r in report.fabric if not r.ok}
    assert set(fabric) == {"leaf DHCP lease for node4", "TEP path node1 → node2", "TEP path node2 → node3",
                           "multicast node3 → node4"}
    assert "left by the wrong interface" in fabric["multicast node3 → node4"]


def test_a_failed_step_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken(self):
        raise NodePrepError("the API server would not start")

    monkeypatch.setattr(NodePrepLab, "_start_apiserver", broken)
    lab = NodePrepLab(VXLAN, 2, f"apf{os.getpid() % 100000}", tmp_path / "lab")
    with pytest.raises(NodePrepError, match="the API server would not start"):
        lab.up()
    assert {"dnsmasq", "dhclient-node1-0", "dhclient-node2-0"} <= set(lab.state.pids)
    assert not any(process_alive(pid) for pid in lab.state.pids.values())
    assert lab.leftovers() == [] and not [n for n in netns_list() if n.startswith(lab.prefix)]


def test_a_second_lab_with_the_same_prefix_is_refused(nodeprep_lab, tmp_path):
    lab = nodeprep_lab(VXLAN, nodes=1)
    with pytest.raises(NodePrepError, match=f"another lab with prefix '{lab.prefix}' is up"):
        NodePrepLab(VXLAN, 1, lab.prefix, tmp_path / "second").up()
    assert lab.check().nodes["node1"][0].ok  # the first lab is untouched


@pytest.mark.parametrize("kwargs, message", [
    ({"faults": {"node9": ["ovs-running"]}}, "fault for unknown node 'node9'"),
    ({"faults": {"node1": ["unplugged"]}}, "unknown fault 'unplugged'"),
    ({"nodes": 0}, "a lab has 1 to 64 nodes, not 0"),
    ({"subif_kind": "vxlan"}, "sub-interface kind 'vxlan' is not auto, vlan or macvlan"),
])
def test_bad_lab_requests(kwargs, message, tmp_path):
    with pytest.raises(NodePrepError, match=message):
        NodePrepLab(VXLAN, **{"nodes": 2, "workdir": tmp_path, **kwargs})


def acisim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", "nodeprep", "lab", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_cli_up_check_down(tmp_path):
    prefix, workdir = f"apc{os.getpid() % 100000}", tmp_path / "lab"
    where = ("--prefix", prefix, "--workdir", str(workdir))
    up = acisim("up", "-c", str(VXLAN), "--nodes", "2", "--fault", "node2=no-multicast-route", *where)
    try:
        assert up.returncode == 0, up.stderr
        assert "2 nodes, sub-interfaces: " in up.stdout and "node2: namespace " + prefix + "-node2" in up.stdout
        check = acisim("check", *where)
        assert check.returncode == 1, check.stderr
        assert "  FAIL  multicast route: no route 224.0.0.0/4 dev ens192.3967" in check.stdout
        as_json = acisim("check", "--json", *where)
        assert as_json.returncode == 1, as_json.stderr
        report = json.loads(as_json.stdout)
        assert set(report) == {"subif_kind", "ok", "nodes", "fabric", "addresses"} and report["ok"] is False
        assert [report["addresses"][n]["ip"] for n in ("node1", "node2")] == ["10.1.0.101", "10.1.0.102"]
        assert all(ipaddress.ip_address(a["tep"]) in DEFAULT_TEP_POOL.network for a in report["addresses"].values()), report["addresses"]
        assert check.stdout.startswith(f"sub-interfaces: {report['subif_kind']}\n")
        assert list(report["nodes"]) == ["node1", "node2"]
        for node, results in report["nodes"].items():
            assert [r["name"] for r in results] == NODE_CHECKS
            assert all(set(r) == {"name", "status", "detail"} and r["status"] in ("pass", "fail", "skip") for r in results)
            # the human report says the same, line by line
            assert [f"  {r['status'].upper():4}  {r['name']}: {r['detail']}" for r in results] == \
                check.stdout.split(f"-- {node}\n")[1].splitlines()[:len(NODE_CHECKS)]
        assert all(r["status"] == "pass" for r in report["nodes"]["node1"])
        assert {r["name"]: r["status"] for r in report["nodes"]["node2"] if r["status"] != "pass"} == {"multicast route": "fail"}
        assert {r["name"] for r in report["fabric"]} >= {"leaf DHCP lease for node1", "multicast node1 → node2"}
    finally:
        down = acisim("down", *where)
    assert down.returncode == 0, down.stderr
    state = json.loads((workdir / "lab.json").read_text())
    assert state["namespaces"] == [] and not [n for n in netns_list() if n.startswith(prefix)]
    assert len(state["pids"]) >= 4 and not any(process_alive(pid) for pid in state["pids"].values())


def test_cli_check_and_down_without_a_lab(tmp_path):
    done = acisim("check", "--workdir", str(tmp_path))
    assert (done.returncode, done.stderr) == (2, f"acisim nodeprep: error: no lab in {tmp_path} (run `acisim nodeprep lab up` first)\n")


def test_a_workdir_with_other_files_is_left_alone(tmp_path):
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    with pytest.raises(NodePrepError, match="is not empty and holds no earlier lab"):
        NodePrepLab(VXLAN, 1, f"apw{os.getpid() % 100000}", tmp_path).up()
    assert keep.read_text() == "mine" and not [n for n in netns_list() if n.startswith(f"apw{os.getpid() % 100000}")]


def test_a_lab_comes_down_even_when_its_config_is_gone(tmp_path):
    config = tmp_path / "cluster.yaml"
    config.write_text(VXLAN.read_text())
    prefix = f"apg{os.getpid() % 100000}"
    lab = NodePrepLab(config, 1, prefix, tmp_path / "lab")
    try:
        lab.up()
        config.unlink()
        with pytest.raises(NodePrepError, match=f"holds lab '{prefix}', which is still up"):
            NodePrepLab(VXLAN, 1, f"{prefix}b", tmp_path / "lab").up()
        attached = NodePrepLab.attach(tmp_path / "lab")
        assert attached.down() == [] and attached.leftovers() == []
    finally:
        assert lab.down() == []


def test_node_check_json_is_one_document_with_every_check_and_its_reason(tmp_path):
    """`acisim nodeprep check` in an empty network namespace: every check fails or skips with its
    reason, and --json says exactly what the human report says."""
    def check(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(["unshare", "--net", sys.executable, "-m", "simulator", "nodeprep", "check", "-c", str(VXLAN),
                               "--uplink", "ens192", "--dhclient-conf", str(tmp_path / "none.conf"),
                               "--lease-file", str(tmp_path / "none.leases"), *extra],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    as_json, human = check("--json"), check()
    assert (as_json.returncode, human.returncode) == (1, 1), as_json.stderr + human.stderr
    results = json.loads(as_json.stdout)
    assert [r["name"] for r in results] == NODE_CHECKS
    assert all(set(r) == {"name", "status", "detail"} for r in results)
    by_name = {r["name"]: r for r in results}
    assert by_name["uplink"] == {"name": "uplink", "status": "fail", "detail": "no interface ens192"}
    assert by_name["API server"] == {"name": "API server", "status": "skip",
                                     "detail": "no API server given (--apiserver https://ADDRESS:6443)"}
    assert by_name["Open vSwitch not running"]["status"] == "pass"
    assert {r["status"] for name, r in by_name.items() if name not in ("API server", "Open vSwitch not running")} == {"fail"}
    assert human.stdout.splitlines() == [f"{r['status'].upper():4}  {r['name']}: {r['detail']}" for r in results] + [
        "2 of 12 checks passed, 10 failed"]
