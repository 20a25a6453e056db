"""A scenario declares each Kubernetes node's preparation (`prepared:`, `failure:`); mistakes are one line
naming the file; /_sim/k8s/preparation lists what the scenario said, with infra addresses from the fabric's
TEP pool, and a reset brings the scenario's verdicts back."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import yaml

from simulator.lab import Lab, LabOptions
from simulator.pytest_plugin import sim_session

REPO = Path(__file__).resolve().parents[2]


def scenario(tmp_path: Path, nodes: list, **extra: object) -> Path:
    path = tmp_path / "lab.yaml"
    path.write_text(yaml.safe_dump({"name": "prep", "kubernetes": {"nodes": nodes}, **extra}))
    return path


@pytest.fixture
def served():
    started: list[Lab] = []

    def serve(options: LabOptions | None = None) -> tuple[Lab, str, requests.Session]:
        lab = Lab(options)
        started.append(lab)
        return lab, lab.start(tls=False).url, sim_session(lab)

    yield serve
    for lab in started:
        lab.stop()


@pytest.mark.parametrize(("node", "problem"), [
    ({"prepared": "no"}, "(n1): prepared 'no' is true or false (did the node's preparation pass?)"),
    ({"prepared": False, "failure": ""}, "(n1): failure '' is one line saying why the node's preparation failed"),
    ({"prepared": False, "failure": "a\nb"}, "(n1): failure 'a\\nb' is one line saying why"),
    ({"prepared": False, "failure": 7}, "(n1): failure 7 is one line saying why"),
    ({"failure": "MTU"}, "(n1): failure is given for a node whose preparation passed (add prepared: false)"),
    ({"ready": True}, "(n1): unknown keys: ready (known: name, address, mac, uplink, labels) "
                      "(and of its preparation: prepared, failure)"),
])
def test_a_bad_preparation_in_a_scenario_is_refused_in_one_line_naming_the_file(tmp_path, node, problem):
    path = scenario(tmp_path, [{"name": "n1", "address": "10.1.0.5", **node}])
    with pytest.raises(ValueError) as refusal:
        LabOptions().apply_scenario(path)
    message = str(refusal.value)
    assert message.startswith(f"{path}: kubernetes.nodes entry 1 (n1): ") and problem in message, message
    assert "\n" not in message


def test_the_default_lab_lists_both_nodes_prepared_with_addresses_from_the_tep_pool(served):
    _, url, s = served()
    listed = s.get(f"{url}/_sim/k8s/preparation")
    assert listed.status_code == 200
    assert listed.json() == {"nodes": [
        {"node": "k8s-node1", "address": "10.1.0.101", "prepared": True, "reason": "", "infra_ip": "10.0.0.101",
         "source": "scenario"},
        {"node": "k8s-node2", "address": "10.1.0.102", "prepared": True, "reason": "", "infra_ip": "10.0.0.102",
         "source": "scenario"}]}


def test_a_scenarios_verdicts_and_tep_pool_are_listed_and_a_reset_brings_them_back(tmp_path, served):
    fabric = yaml.safe_load((REPO / "simulator" / "defaults" / "fabric.yaml").read_text())
    fabric["fabric"]["tep_pool"] = "10.4.0.0/16"
    (tmp_path / "fabric.yaml").write_text(yaml.safe_dump(fabric))
    options = LabOptions()
    options.apply_scenario(scenario(tmp_path, [
        {"name": "k8s-node1", "address": "10.1.0.101"},
        {"name": "k8s-node2", "address": "10.1.0.102", "prepared": False}], topology="fabric.yaml"))
    lab, url, s = served(options)
    nodes = {p["node"]: p for p in s.get(f"{url}/_sim/k8s/preparation").json()["nodes"]}
    assert (nodes["k8s-node1"]["infra_ip"], nodes["k8s-node2"]["infra_ip"]) == ("10.4.0.101", "10.4.0.102")
    assert (nodes["k8s-node2"]["prepared"], nodes["k8s-node2"]["reason"]) == (False, "node preparation failed")
    flipped = s.post(f"{url}/_sim/k8s/preparation", json={"node": "k8s-node2", "passed": True})
    assert flipped.status_code == 200 and flipped.json()["changed"][0]["source"] == "control"
    assert s.post(f"{url}/_sim/reset").status_code == 200
    nodes = {p["node"]: p for p in s.get(f"{url}/_sim/k8s/preparation").json()["nodes"]}
    assert (nodes["k8s-node2"]["prepared"], nodes["k8s-node2"]["source"]) == (False, "scenario")
    # a report's verdict and TEP are forgotten by DELETE, which leaves the rest of the lab as it is
    report = {"nodes": {"node1": []}, "fabric": [], "addresses": {"node1": {"ip": "10.1.0.101", "tep": "10.4.0.150"}}}
    assert s.post(f"{url}/_sim/k8s/preparation", json=report).json()["changed"][0]["infra_ip"] == "10.4.0.150"
    forgotten = s.delete(f"{url}/_sim/k8s/preparation")
    assert forgotten.status_code == 200
    assert {p["node"]: (p["infra_ip"], p["source"]) for p in forgotten.json()["nodes"]} == {
        "k8s-node1": ("10.4.0.101", "scenario"), "k8s-node2": ("10.4.0.102", "scenario")}


def test_the_verdicts_are_kept_in_the_state_file_and_in_snapshots(tmp_path, served):
    """A verdict given while the lab runs is lab state: a restarted lab with the same --state file has it,
    and a snapshot restore brings back the verdicts it was taken with."""
    state = tmp_path / "lab.state"
    lab, url, s = served()
    lab.keep_state(state)
    report = {"nodes": {"node2": [{"name": "infra MTU path", "status": "fail", "detail": "1572-byte ping fails"}]},
              "fabric": [], "addresses": {"node2": {"ip": "10.1.0.102", "tep": "10.0.0.150"}}}
    assert s.post(f"{url}/_sim/k8s/preparation", json=report).status_code == 200
    assert s.post(f"{url}/_sim/snapshots", json={"name": "node2-failed"}).status_code == 201
    assert s.post(f"{url}/_sim/k8s/preparation", json={"node": "k8s-node1", "passed": False,
                                                       "reason": "no multicast route"}).status_code == 200
    lab.state.close()
    lab.stop()

    again, url, s = served()
    again.keep_state(state)
    nodes = {p["node"]: p for p in s.get(f"{url}/_sim/k8s/preparation").json()["nodes"]}
    assert nodes["k8s-node1"] == {"node": "k8s-node1", "address": "10.1.0.101", "prepared": False,
                                  "reason": "no multicast route", "infra_ip": "10.0.0.101", "source": "control"}
    assert nodes["k8s-node2"] == {"node": "k8s-node2", "address": "10.1.0.102", "prepared": False,
                                  "reason": "infra MTU path: 1572-byte ping fails", "infra_ip": "10.0.0.150",
                                  "source": "report"}
    assert s.post(f"{url}/_sim/snapshots/node2-failed/restore").status_code == 200
    nodes = {p["node"]: p for p in s.get(f"{url}/_sim/k8s/preparation").json()["nodes"]}
    assert (nodes["k8s-node1"]["prepared"], nodes["k8s-node2"]["prepared"]) == (True, False)
    again.state.close()
