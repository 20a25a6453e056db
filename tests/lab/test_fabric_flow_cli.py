"""`acisim fabric flow` as a user runs it (the real `python -m simulator` command) against a lab served in-process
over HTTPS with the policy of zoning_lab.py: the verdict in words or as one JSON object, and an exit status a
script can test (0 permit, 1 deny, 2 an invalid option or a request the lab refuses, 3 a lab out of reach),
every failure one line on stderr and no traceback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from served import one_error_line
from zoning_lab import CONTRACT, DB, WEB, post_policy

from simulator.lab import Lab, LabOptions

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

USER, PASSWORD = "admin", "fl0ws"
TIMEOUT = 60


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    lab = Lab(LabOptions(admin_user=USER, admin_password=PASSWORD))
    served = lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    post_policy(served.url, USER, PASSWORD)
    yield served.url
    lab.stop()


def acisim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", "fabric", "flow", *args], capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)


def ask(url: str, *args: str) -> subprocess.CompletedProcess:
    return acisim("--apic-url", url, "--user", USER, "--password", PASSWORD, *args)


def test_a_permitted_flow_exits_0_and_names_its_rule_leaf_and_reply(url):
    proc = ask(url, "--from", WEB, "--to", DB, "--proto", "tcp", "--port", "5432")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"permit: {WEB} -> {DB} tcp/5432", proc.stdout
    assert lines[1].startswith("  rule   [") and f"[contract:{CONTRACT}]" in lines[1], proc.stdout
    assert f"contract {CONTRACT}, subject pgsql, filter uni/tn-flows/flt-pgsql, entry tcp-5432" in proc.stdout, \
        proc.stdout
    assert any(line.startswith("  leaf   topology/pod-1/node-10") for line in lines), proc.stdout
    assert any(line.startswith("  reply  permit by [") for line in lines), proc.stdout
    assert proc.stderr == ""


def test_a_denied_flow_exits_1_with_the_default_rule(url):
    proc = ask(url, "--from", WEB, "--to", DB, "--port", "22")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(f"deny: {WEB} -> {DB} tcp/22\n"), proc.stdout
    assert "the VRF's default rule" in proc.stdout, proc.stdout


def test_json_prints_one_object_with_verdict_and_rule(url):
    proc = ask(url, "--from", WEB, "--to", DB, "--port", "5432", "--sport", "40000", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1, proc.stdout
    found = json.loads(proc.stdout)
    assert found["verdict"] == "permit" and found["rule"]["contract"] == CONTRACT, found
    assert found["reply"]["verdict"] == "permit", found


def test_json_of_a_deny_exits_1(url):
    proc = ask(url, "--from", DB, "--to", WEB, "--port", "5432", "--json")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "deny"


def test_an_end_the_lab_cannot_place_is_its_message_and_exit_2(url):
    proc = ask(url, "--from", "no-such-vm", "--to", DB, "--port", "5432")
    one_error_line(proc, 2, "acisim fabric flow: error: the lab at ", "refused the flow (HTTP 400): ")


def test_a_wrong_password_is_the_labs_refusal_and_exit_2(url):
    proc = acisim("--apic-url", url, "--user", USER, "--password", "wrong", "--from", WEB, "--to", DB)
    one_error_line(proc, 2, "(HTTP 401)", "wrong user or password")


@pytest.mark.parametrize("args, option", [
    (["--port", "65536"], "--port"),
    (["--port", "http"], "--port"),
    (["--sport", "-1"], "--sport"),
    (["--apic-url", "ftp://127.0.0.1"], "--apic-url"),
    (["--apic-url", "https://127.0.0.1:8443/api"], "--apic-url"),
    (["--apic-url", "https://127.0.0.1:99999"], "--apic-url"),
])
def test_an_invalid_option_value_is_one_line_naming_it_and_exit_2(args, option):
    proc = acisim("--from", WEB, "--to", DB, *args)
    one_error_line(proc, 2, f"acisim fabric flow: error: argument {option}: ")


def test_a_missing_end_is_one_line_and_exit_2():
    one_error_line(acisim("--to", DB), 2, "the following arguments are required: --from")


def test_a_lab_out_of_reach_is_one_line_naming_the_url_and_exit_3():
    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        proc = acisim("--apic-url", f"https://127.0.0.1:{port}", "--from", WEB, "--to", DB)
    one_error_line(proc, 3, f"the lab at https://127.0.0.1:{port} cannot be reached: connection refused")


def test_help_names_the_exit_statuses():
    proc = acisim("--help")
    assert proc.returncode == 0
    assert "0 permit, 1 deny, 2 an invalid option" in " ".join(proc.stdout.split()), proc.stdout
