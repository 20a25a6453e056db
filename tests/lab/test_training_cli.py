"""`acisim lab` as a user runs it (the real `python -m simulator lab ...`): list without a server; status, check,
hint, solution and reset against a training lab served in-process over HTTPS (a client of its /_sim/training
control API with the lab admin's credentials); `lab start` serving a lab; a trainee's non-admin account refused;
invalid options and bad scenario files as one line and exit 2, no traceback."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from served import one_error_line

from simulator.training import catalog, open_lab

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TIMEOUT = 120
TRAINEE = ("trainee", "Trainee-pw1")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = open_lab(catalog.find_lab("missing-contract"), tls_dir=tmp_path_factory.mktemp("tls"))
    trainee = {"aaaUser": {"attributes": {"name": TRAINEE[0], "pwd": TRAINEE[1]}, "children": [
        {"aaaUserDomain": {"attributes": {"name": "all"}, "children": [
            {"aaaUserRole": {"attributes": {"name": "tenant-admin", "privType": "writePriv"}}}]}}]}}
    assert lab.training.clients.apic("POST", "/api/mo/uni/userext.json", trainee).ok
    yield lab
    lab.stop()


@pytest.fixture
def url(lab):
    lab.training.reset()
    lab.training.clients.apic("POST", "/api/mo/uni/userext.json", {"aaaUser": {
        "attributes": {"name": TRAINEE[0], "pwd": TRAINEE[1]}, "children": [{"aaaUserDomain": {
            "attributes": {"name": "all"}, "children": [{"aaaUserRole": {"attributes": {
                "name": "tenant-admin", "privType": "writePriv"}}}]}}]}})
    return lab.apic_server.url


def acisim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", "lab", *args], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)


def test_list_json_is_one_object_per_lab_with_name_title_and_goals():
    proc = acisim("list", "--json")
    assert proc.returncode == 0, proc.stderr
    labs = json.loads(proc.stdout)
    assert [lab["name"] for lab in labs] == [spec.name for spec in catalog.all_labs()]
    assert len(labs) >= 8
    contract = next(lab for lab in labs if lab["name"] == "missing-contract")
    assert set(contract) == {"name", "title", "goals"}
    assert contract["goals"][0] == {"id": "frontend-to-web", "title": "The frontend reaches the web tier on tcp/8080"}


def test_list_in_words_names_each_lab_with_its_title():
    proc = acisim("list")
    assert proc.returncode == 0, proc.stderr
    assert any(line.startswith("missing-aep ") and "AEP kube-cluster" in line for line in proc.stdout.splitlines())


def test_status_prints_the_story_and_the_goals(url):
    proc = acisim("status", "--apic-url", url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Lab missing-contract: The frontend cannot reach the web tier on tcp/8080\n")
    assert "three-tier application" in proc.stdout and "  only-8080 " in proc.stdout


def test_check_says_what_is_wrong_and_exits_1_then_0_once_solved(lab, url):
    proc = acisim("check", "--apic-url", url)
    assert proc.returncode == 1, proc.stderr
    assert "  FAIL  frontend-to-web" in proc.stdout
    assert ("The fabric's verdict on EPG shop/three-tier/frontend -> EPG shop/three-tier/web tcp/8080 is deny by "
            "the VRF's default rule, not permit.") in proc.stdout
    assert proc.stdout.rstrip().endswith("0 of 2 goals passed.")
    lab.training.apply_solution()
    proc = acisim("check", "--apic-url", url, "--json")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["passed"] and [g["passed"] for g in found["goals"]] == [True, True]


def test_hint_of_a_goal_and_of_the_first_goal_not_passed(url):
    proc = acisim("hint", "only-8080", "--apic-url", url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("only-8080: ") and "destination port 8080" in proc.stdout
    proc = acisim("hint", "--apic-url", url, "--json")
    assert [h["id"] for h in json.loads(proc.stdout)["hints"]] == ["frontend-to-web"]


def test_hint_of_a_goal_the_lab_has_not_is_the_labs_refusal(url):
    one_error_line(acisim("hint", "no-such-goal", "--apic-url", url), 2, "(HTTP 404)", "has no goal 'no-such-goal'",
                   "frontend-to-web, only-8080")


def test_solution_prints_the_text_and_the_rest_steps(url):
    proc = acisim("solution", "--apic-url", url)
    assert proc.returncode == 0, proc.stderr
    assert "a filter web-8080 with the entry tcp8080" in proc.stdout
    assert "  apic  POST /api/mo/uni/tn-shop/ap-three-tier/epg-web.json" in proc.stdout
    steps = json.loads(acisim("solution", "--apic-url", url, "--json").stdout)["steps"]
    assert steps[1] == {"system": "apic", "method": "POST", "path": "/api/mo/uni/tn-shop/ap-three-tier/epg-web.json",
                        "body": {"fvRsProv": {"attributes": {"tnVzBrCPName": "frontend-to-web"}}}}


def test_reset_brings_the_starting_state_back(lab, url):
    lab.training.apply_solution()
    assert lab.training.check()["passed"]
    proc = acisim("reset", "--apic-url", url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("The lab is back at its starting state.\n")
    assert lab.training.check()["passed_goals"] == 0


def test_a_trainee_cannot_reset_check_or_read_the_solution(lab, url):
    lab.training.apply_solution()
    for command in ("reset", "check", "solution", "hint"):
        proc = acisim(command, "--apic-url", url, "--user", TRAINEE[0], "--password", TRAINEE[1])
        one_error_line(proc, 2, "(HTTP 403)", "user 'trainee' is not an admin of the lab")
    assert lab.training.check()["passed"], "a refused reset changed the lab"


def test_a_lab_out_of_reach_is_one_line_and_exit_3():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        proc = acisim("status", "--apic-url", f"https://127.0.0.1:{port}")
    one_error_line(proc, 3, f"the lab at https://127.0.0.1:{port} cannot be reached")


@pytest.mark.parametrize("args, words", [
    (["check", "--apic-url", "ftp://127.0.0.1"], "argument --apic-url: "),
    (["start", "no-such-lab", "--apic-port", "0"], "argument NAME: no lab 'no-such-lab' (the labs: "),
    (["start", "missing-aep", "--apic-port", "70000"], "argument --apic-port: invalid port value"),
    (["list", "--labs", "/nonexistent/labs"], "argument --labs: /nonexistent/labs: no such folder"),
])
def test_an_invalid_option_value_is_one_line_naming_it_and_exit_2(args, words):
    one_error_line(acisim(*args), 2, words)


def test_without_a_labs_folder_list_and_start_say_where_to_give_one(tmp_path):
    """An installed acisim (a wheel) has no scenarios/labs: ACISIM_LABS naming no folder stands for that."""
    import os

    env = {**os.environ, "ACISIM_LABS": str(tmp_path / "none")}
    for args in (["list"], ["start", "missing-aep", "--apic-port", "0"]):
        proc = subprocess.run([sys.executable, "-m", "simulator", "lab", *args], capture_output=True, text=True,
                              timeout=TIMEOUT, check=False, env=env)
        one_error_line(proc, 2, str(tmp_path / "none"), "no such folder", "ACISIM_LABS")


def test_a_bad_scenario_file_is_one_line_naming_file_key_and_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: A lab\nstory: s\ngoals:\n  - {id: g1, title: t, hint: h, check: {kind: apic_object}}\n"
                   "solution: {text: x}\n", encoding="utf-8")
    one_error_line(acisim("start", str(bad), "--apic-port", "0"), 2, f"{bad}: goals[0].check.dn: missing")
    one_error_line(acisim("list", "--labs", str(tmp_path)), 2, f"{bad}: goals[0].check.dn: missing")
    bad.write_text("title: A lab\nstory: s\nfixtures: [nowhere.yaml]\ngoals:\n  - {id: g1, title: t, hint: h, "
                   "check: {kind: apic_object, dn: uni}}\nsolution: {text: x}\n", encoding="utf-8")
    one_error_line(acisim("start", str(bad), "--apic-port", "0"), 2, "argument NAME: ", str(bad), "no such file")


@contextmanager
def serving(*command: str):
    """`python -m simulator COMMAND` serving a lab: (the process, the lines it printed up to "Ctrl-C stops").
    The body stops it with SIGINT; whatever is still running afterwards is killed."""
    proc = subprocess.Popen([sys.executable, "-m", "simulator", *command, "--apic-port", "0", "--rhv-port", "0",
                             "--k8s-port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Ctrl-C stops"):
                break
        yield proc, lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def stopped(proc) -> str:
    """SIGINT, then what the process printed after the lines already read; it must exit 0."""
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    return out


def test_start_serves_the_lab_and_prints_where_to_connect_the_story_and_the_goals(tmp_path):
    with serving("lab", "start", "missing-aep", "--tls-dir", str(tmp_path)) as (proc, lines):
        text = "\n".join(lines)
        assert lines[0] == "Lab      missing-aep: acc-provision stops because the AEP kube-cluster does not exist", text
        apic = next(line.split()[1] for line in lines if line.startswith("APIC "))
        assert "login    admin / cisco123" in text and "itself was never created" in text
        assert "  ports-carry-aep      The nodes' port policy group kube-nodes is attached to the AEP" in text
        status = acisim("check", "--apic-url", apic, "--json")
        assert status.returncode == 1 and json.loads(status.stdout)["name"] == "missing-aep", status.stderr
        assert stopped(proc).rstrip().endswith("stopped")


def test_serve_with_a_lab_file_as_its_scenario_serves_the_training_lab_as_lab_start_does(tmp_path):
    lab_file = Path(__file__).resolve().parents[2] / "scenarios" / "labs" / "missing-aep.yaml"
    with serving("serve", "--scenario", str(lab_file), "--tls-dir", str(tmp_path)) as (proc, lines):
        assert lines[0].startswith("Lab      missing-aep: "), lines
        apic = next(line.split()[1] for line in lines if line.startswith("APIC "))
        status = acisim("status", "--apic-url", apic, "--json")
        assert status.returncode == 0 and json.loads(status.stdout)["name"] == "missing-aep", status.stderr
        stopped(proc)
