"""Every training lab of scenarios/labs/ (a new file is tested without a line here): built as `acisim lab start`
builds it (served on 127.0.0.1, its setup steps applied), each goal fails at the start with one sentence of
what is wrong, the solution's REST steps applied through the lab's public APIs make every goal pass, and a
reset brings the starting state back (every goal fails again). The acc-provision labs are also solved the
trainee's way, by the real acc-provision 6.1.1.7."""

from __future__ import annotations

import pytest

from simulator.training import catalog, open_lab
from simulator.training.steps import apply_steps

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

LAB_FILES = catalog.lab_files()
REPO = catalog.PROJECT_LABS.parents[1]


def test_the_project_ships_at_least_eight_labs():
    assert len(LAB_FILES) >= 8, LAB_FILES
    names = [spec.name for spec in catalog.all_labs()]
    assert len(set(names)) == len(names), names


@pytest.fixture
def lab_of(tmp_path):
    labs = []

    def make(path):
        lab = open_lab(path, tls_dir=tmp_path / "tls")
        labs.append(lab)
        return lab

    yield make
    for lab in labs:
        lab.stop()


def _sentence(text: str) -> bool:
    return bool(text) and text[0].isupper() and text.endswith(".") and "\n" not in text


@pytest.mark.parametrize("path", LAB_FILES, ids=[p.stem for p in LAB_FILES])
def test_a_lab_starts_broken_and_its_solution_passes_every_goal(lab_of, path):
    lab = lab_of(path)
    training = lab.training
    start = training.check()
    assert not start["passed"] and start["passed_goals"] == 0, start
    for goal in start["goals"]:
        assert goal["passed"] is False, goal
        assert _sentence(goal["wrong"]), goal

    assert training.apply_solution() >= 1
    solved = training.check()
    assert solved["passed"], [g for g in solved["goals"] if not g["passed"]]
    assert solved["passed_goals"] == len(training.spec.goals)
    assert all("wrong" not in goal for goal in solved["goals"])

    training.reset()
    again = training.check()
    assert again["passed_goals"] == 0, [g for g in again["goals"] if g["passed"]]


@pytest.mark.parametrize("path", LAB_FILES, ids=[p.stem for p in LAB_FILES])
def test_every_goal_has_a_hint_and_the_solution_a_text(path):
    spec = catalog.all_labs()[LAB_FILES.index(path)]
    assert spec.story and spec.solution_text and spec.solution_steps
    for goal in spec.goals:
        assert goal.hint.strip() and goal.title.strip()


def test_the_hint_of_no_goal_is_the_first_goal_still_wrong(lab_of):
    lab = lab_of(catalog.find_lab("missing-aep"))
    assert [h["id"] for h in lab.training.hint()["hints"]] == ["aep"]
    apply_steps(lab.training.spec.solution_steps[:1], lab.training.clients, lab.training.spec.path.parent)
    assert [h["id"] for h in lab.training.hint()["hints"]] == ["provisioned"]


def test_a_contract_wider_than_tcp_8080_is_named_by_the_check(lab_of):
    lab = lab_of(catalog.find_lab("missing-contract"))
    clients = lab.training.clients
    wide = {"fvTenant": {"attributes": {"name": "shop"}, "children": [
        {"vzBrCP": {"attributes": {"name": "any"}, "children": [{"vzSubj": {"attributes": {"name": "any"},
         "children": [{"vzRsSubjFiltAtt": {"attributes": {"tnVzFilterName": "default"}}}]}}]}}]}}
    assert clients.apic("POST", "/api/mo/uni/tn-shop.json", wide).ok
    for epg, rel in (("web", "fvRsProv"), ("frontend", "fvRsCons")):
        body = {rel: {"attributes": {"tnVzBrCPName": "any"}}}
        assert clients.apic("POST", f"/api/mo/uni/tn-shop/ap-three-tier/epg-{epg}.json", body).ok
    goals = {g["id"]: g for g in lab.training.check()["goals"]}
    assert goals["frontend-to-web"]["passed"]
    assert goals["only-8080"]["wrong"] == ("The frontend reaches the web tier on tcp/22 too: the contract's filter "
                                           "is wider than tcp/8080.")


def test_the_migration_is_refused_until_host2_carries_the_network(lab_of):
    lab = lab_of(catalog.find_lab("migration-network"))
    training = lab.training
    migrate = training.spec.solution_steps[2]
    with pytest.raises(Exception, match="HTTP 409"):
        apply_steps([migrate], training.clients, training.spec.path.parent)
    goals = {g["id"]: g for g in training.check()["goals"]}
    assert goals["app1-on-host2"]["wrong"] == "The VM app1 is up on host1, not up on host2."


def test_a_lab_without_a_training_scenario_answers_404_on_the_training_routes():
    from simulator.lab import Lab
    from simulator.training.clients import LabClients

    lab = Lab()
    clients = LabClients(lab)
    for method, path in (("GET", "/_sim/training"), ("POST", "/_sim/training/check"),
                         ("POST", "/_sim/training/reset")):
        answer = clients.sim(method, path)
        assert answer.status == 404, answer.text
        assert answer.json() == {"error": "this lab runs no training scenario (start one with: acisim lab start NAME)"}


@pytest.mark.parametrize("name", ["k8s-provision", "missing-aep"])
def test_the_real_acc_provision_solves_the_provisioning_labs(lab_of, tmp_path, name):
    """What the solution text tells a trainee: the AEP first where it is missing, then acc-provision -a."""
    import subprocess

    import yaml

    from simulator.pytest_plugin import client_tool

    lab = lab_of(catalog.find_lab(name))
    training = lab.training
    rest = [step for step in training.spec.solution_steps if step.replay is None]
    apply_steps(rest, training.clients, training.spec.path.parent)
    config = yaml.safe_load((REPO / "fixtures" / "acc-provision" / "mykube-vxlan.yaml").read_text())
    config["aci_config"]["apic_hosts"] = [f"{lab.apic_server.host}:{lab.apic_server.port}"]
    (tmp_path / "mykube.yaml").write_text(yaml.safe_dump(config))
    run = subprocess.run([client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", "mykube.yaml", "-o",
                          "aci-containers.yaml", "-f", "kubernetes-1.36", "-a", "-u", "admin", "-p", "cisco123"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    solved = training.check()
    assert solved["passed"], [g for g in solved["goals"] if not g["passed"]]


def test_in_the_mtu_lab_only_k8s_node2_lacks_its_opflex_device(lab_of):
    from simulator.training.checks import run_check

    lab = lab_of(catalog.find_lab("node-mtu"))
    base = lab.training.spec.path.parent
    devices = "/api/node/class/opflexODev.json?query-target-filter=eq(opflexODev.hostName,\"{}\")"
    node1 = {"kind": "apic_count", "path": devices.format("k8s-node1"), "class": "opflexODev", "min": 1}
    assert run_check(lab.training.clients, node1, base) == (None, None)
    node2 = {**node1, "path": devices.format("k8s-node2")}
    wrong, _ = run_check(lab.training.clients, node2, base)
    assert wrong.startswith("The query ") and "finds 0 opflexODev, not at least 1." in wrong


def test_a_reset_gives_the_lab_its_scenarios_fault_rules_again(tmp_path, lab_of):
    """A lab whose starting state has a fault rule (a scenario's `faults:`) has it again after a reset."""
    import yaml

    data = yaml.safe_load(catalog.find_lab("missing-contract").read_text(encoding="utf-8"))
    data["fixtures"] = [str(catalog.PROJECT_LABS / "data" / "three-tier-tenant.yaml")]
    data["faults"] = [{"kind": "error", "system": "rhv", "path": "/ovirt-engine/api/hosts*", "status": 503}]
    path = tmp_path / "faulty.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    lab = lab_of(path)
    clients = lab.training.clients
    assert clients.rhv("GET", "hosts").status == 503
    assert clients.sim("DELETE", "/_sim/faults").ok
    assert clients.rhv("GET", "hosts").status == 200
    lab.training.reset()
    assert lab.training.clients.rhv("GET", "hosts").status == 503
    assert [rule["kind"] for rule in lab.training.clients.sim("GET", "/_sim/faults").json()["faults"]] == ["error"]
