"""`acisim serve` refusing what it cannot use, as a user meets it: every invalid option value or unusable file is
one line on stderr naming the option (and the file), exit status 2, no traceback, nothing served, and the command
gone (nothing is left running)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from served import STARTUP_DEADLINE, STOP_DEADLINE

BAD_YAML = "foo: [\n"
TENANT = "- {dn: uni/tn-a, body: {fvTenant: {attributes: {name: a}}}}\n"


def serve(*args: str) -> subprocess.CompletedProcess:
    """`python -m simulator serve ARGS` on free ports; it must end by itself (it is killed and reaped if not)."""
    command = [sys.executable, "-m", "simulator", "serve", "--apic-port", "0", "--rhv-port", "0", "--k8s-port", "0",
               *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=STARTUP_DEADLINE)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=STOP_DEADLINE)
        raise AssertionError(f"serve did not exit: it is serving {out!r} {err!r}") from None
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


# each case: (args given the test's folder, the option named, words of the line after "argument OPTION: ")
Case = Callable[[Path], list[str]]
CASES: list[tuple[str, Case, str, str]] = [
    ("port out of range", lambda d: ["--apic-port", "99999"], "--apic-port", "invalid port value: '99999'"),
    ("negative port", lambda d: ["--rhv-port", "-1"], "--rhv-port", "invalid port value: '-1'"),
    ("port not a number", lambda d: ["--k8s-port", "https"], "--k8s-port", "invalid port value: 'https'"),
    ("APIC and RHV on one port", lambda d: ["--apic-port", "18443", "--rhv-port", "18443"], "--rhv-port",
     "port 18443 is also --apic-port's: each server needs its own port"),
    ("RHV and Kubernetes on one port", lambda d: ["--rhv-port", "18444", "--k8s-port", "18444"], "--k8s-port",
     "port 18444 is also --rhv-port's"),
    ("APIC and Kubernetes on one port", lambda d: ["--no-rhv", "--apic-port", "18445", "--k8s-port", "18445"],
     "--k8s-port", "port 18445 is also --apic-port's"),
    ("fixture not YAML", lambda d: ["--fixture", str(write(d / "f.yaml", BAD_YAML))], "--fixture",
     "f.yaml: not valid YAML (line 2: "),
    ("fixture a mapping", lambda d: ["--fixture", str(write(d / "f.yaml", "a: 1\n"))], "--fixture",
     "f.yaml: a fixture is a YAML list of {dn, body} (or {objects: [...]}), not a dict"),
    ("fixture empty", lambda d: ["--fixture", str(write(d / "f.yaml", ""))], "--fixture",
     "f.yaml: a fixture is a YAML list of {dn, body} (or {objects: [...]}), not an empty file"),
    ("fixture entry without a body", lambda d: ["--fixture", str(write(d / "f.yaml", TENANT + "- {dn: uni}\n"))],
     "--fixture", "f.yaml: entry 2 is not a mapping with a body"),
    ("fixture unknown class", lambda d: ["--fixture", str(write(d / "f.yaml", TENANT.replace("fvTenant", "fvNope")))],
     "--fixture", "f.yaml: unknown managed object class fvNope"),
    ("fixture bad DN", lambda d: ["--fixture", str(write(d / "f.yaml", TENANT.replace("uni/tn-a", "uni/xx-a")))],
     "--fixture", "f.yaml: Invalid DN uni/xx-a"),
    ("second fixture bad", lambda d: ["--fixture", str(write(d / "good.yaml", TENANT)),
                                      "--fixture", str(write(d / "f.yaml", BAD_YAML))], "--fixture", "f.yaml: not valid"),
    ("fixture missing", lambda d: ["--fixture", str(d / "f.yaml")], "--fixture", "f.yaml: no such file"),
    ("fixture a directory", lambda d: ["--fixture", str(d)], "--fixture", ": is a directory, not a file"),
    ("fixture not text", lambda d: ["--fixture", str(write(d / "f.yaml", b"\xff\xfe\x00"))], "--fixture",
     "f.yaml: is not UTF-8 text"),
    ("topology not YAML", lambda d: ["--topology", str(write(d / "t.yaml", BAD_YAML))], "--topology",
     "t.yaml: not valid YAML"),
    ("topology a list", lambda d: ["--topology", str(write(d / "t.yaml", "- 1\n"))], "--topology",
     "t.yaml: a fabric file is a YAML mapping, not a list"),
    ("topology unknown setting", lambda d: ["--topology", str(write(d / "t.yaml", "fabric: {leafs: 2}\n"))],
     "--topology", "t.yaml: unknown fabric settings: leafs"),
    ("RHV inventory not YAML", lambda d: ["--rhv-inventory", str(write(d / "r.yaml", BAD_YAML))], "--rhv-inventory",
     "r.yaml: not valid YAML"),
    ("RHV inventory a list", lambda d: ["--rhv-inventory", str(write(d / "r.yaml", "- 1\n"))], "--rhv-inventory",
     "r.yaml: an RHV inventory is a YAML mapping, not a list"),
    ("RHV inventory wrong shape", lambda d: ["--rhv-inventory", str(write(d / "r.yaml", "hosts: 3\n"))],
     "--rhv-inventory", "r.yaml: "),
    ("scenario not YAML", lambda d: ["--scenario", str(write(d / "s.yaml", BAD_YAML))], "--scenario",
     "s.yaml: not valid YAML"),
    ("scenario unknown key", lambda d: ["--scenario", str(write(d / "s.yaml", "fixturez: []\n"))], "--scenario",
     "s.yaml: unknown scenario keys: fixturez"),
    ("scenario names a missing file", lambda d: ["--scenario", str(write(d / "s.yaml", "topology: none.yaml\n"))],
     "--scenario", "s.yaml: no such file: "),
    ("scenario's fixture not YAML", lambda d: [
        "--scenario", str(write(d / "s.yaml", f"fixtures: [{write(d / 'f.yaml', BAD_YAML).name}]\n"))],
     "--scenario", "s.yaml: "),
    ("scenario fixtures not a list", lambda d: ["--scenario", str(write(d / "s.yaml", "fixtures: 5\n"))],
     "--scenario", "s.yaml: "),
    ("state a directory", lambda d: ["--state", str(d)], "--state", ": is a directory, not a state file"),
    ("state not SQLite", lambda d: ["--state", str(write(d / "lab.state", "hello\n"))], "--state",
     "lab.state: not an acisim state file"),
    ("state in a missing folder", lambda d: ["--state", str(d / "none" / "lab.state")], "--state",
     "lab.state: its folder "),
    ("TLS folder a file", lambda d: ["--tls-dir", str(write(d / "tls", "x"))], "--tls-dir", "tls: is not a directory"),
    ("TLS folder under a file", lambda d: ["--tls-dir", str(write(d / "tls", "x") / "sub")], "--tls-dir",
     "sub: cannot be written (Not a directory)"),
    ("host not on this machine", lambda d: ["--host", "192.0.2.1"], "--host",
     "cannot listen on 192.0.2.1: Cannot assign requested address"),
    ("host not a name", lambda d: ["--host", "no-such-host.invalid"], "--host", "cannot resolve 'no-such-host.invalid'"),
    ("admin user empty", lambda d: ["--admin-user", ""], "--admin-user", "'' is not a name an APIC user can have"),
    ("admin password empty", lambda d: ["--admin-password", ""], "--admin-password", "a password cannot be empty"),
    ("kubeconfig a directory", lambda d: ["--kubeconfig", str(d)], "--kubeconfig", ": is a directory, not a file"),
]


@pytest.mark.parametrize("args, option, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_an_unusable_option_is_one_line_naming_it_and_status_2(tmp_path, args, option, words):
    given = args(tmp_path)
    done = serve("--tls-dir", str(tmp_path / "certs"), *given)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr and done.stdout == "", done
    [line] = done.stderr.splitlines()
    assert line.startswith(f"acisim serve: error: argument {option}: "), line
    assert words in line, line
    files = [a for a in given if "/" in a and a.startswith(str(tmp_path))]
    assert all(Path(f).name in line for f in files[-1:]), line  # the file is named


def test_a_port_another_program_holds_is_refused_before_anything_is_served(tmp_path):
    held = socket.create_server(("127.0.0.1", 0))
    port = held.getsockname()[1]
    state = tmp_path / "lab.state"
    try:
        done = serve("--tls-dir", str(tmp_path), "--state", str(state), "--rhv-port", str(port))
        assert done.returncode == 2, done
        assert done.stderr.splitlines() == [
            f"acisim serve: error: argument --rhv-port: port {port} on 127.0.0.1 cannot be served: Address already in use"]
        assert done.stdout == ""
        assert not state.exists()  # nothing was started, so nothing was saved
    finally:
        held.close()


def test_the_same_port_is_fine_for_a_server_that_does_not_start(tmp_path):
    """--no-rhv and --no-k8s leave their ports out of the check (the refusal here is the fixture's, later)."""
    done = serve("--tls-dir", str(tmp_path), "--no-rhv", "--no-k8s", "--rhv-port", "18446", "--k8s-port", "18446",
                 "--fixture", str(write(tmp_path / "f.yaml", BAD_YAML)))
    assert done.returncode == 2 and done.stderr.startswith("acisim serve: error: argument --fixture: "), done


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                          timeout=STARTUP_DEADLINE, check=False)


OTHER_CASES: list[tuple[str, Case, str]] = [
    ("debounce NaN", lambda d: ["cni", "controller", "--kubeconfig", "k", "--manifest", "m", "--debounce", "nan"],
     "acisim cni controller: error: argument --debounce: invalid seconds value: 'nan' (0 to 60)"),
    ("debounce negative", lambda d: ["cni", "controller", "--kubeconfig", "k", "--manifest", "m", "--debounce=-1"],
     "acisim cni controller: error: argument --debounce: invalid seconds value: '-1'"),
    ("debounce infinite", lambda d: ["cni", "controller", "--kubeconfig", "k", "--manifest", "m", "--debounce", "inf"],
     "acisim cni controller: error: argument --debounce: invalid seconds value: 'inf'"),
    ("manifest missing", lambda d: ["cni", "controller", "--kubeconfig", "k", "--manifest", str(d / "m.yaml")],
     "acisim cni: error: argument --manifest: cannot read "),
    ("manifest not YAML", lambda d: ["cni", "controller", "--kubeconfig", "k",
                                     "--manifest", str(write(d / "m.yaml", BAD_YAML))],
     "acisim cni: error: argument --manifest: "),
    ("manifest without the controller's config", lambda d: ["cni", "controller", "--kubeconfig", "k",
                                                            "--manifest", str(write(d / "m.yaml", "kind: Pod\n"))],
     "acisim cni: error: argument --manifest: "),
    ("key missing", lambda d: ["cni", "controller", "--kubeconfig", "k", "--config", str(write(d / "c.json", "{}")),
                               "--key", str(d / "user.key")], "acisim cni: error: argument --key: cannot read "),
    ("config not JSON", lambda d: ["cni", "controller", "--kubeconfig", "k", "--config", str(write(d / "c.json", "{")),
                                   "--key", str(write(d / "user.key", "k"))], "acisim cni: error: argument --config: "),
    ("node count not a number", lambda d: ["nodeprep", "lab", "up", "-c", "x.yaml", "--nodes", "many"],
     "acisim nodeprep lab up: error: argument --nodes: invalid int value: 'many'"),
    ("node-prep config missing", lambda d: ["nodeprep", "render", "-c", str(d / "acc.yaml"), "--node", "n1",
                                            "--uplink", "ens192", "--mac", "00:50:56:aa:bb:01", "--ip", "10.1.0.101"],
     "acisim nodeprep: error: cannot read "),
]


@pytest.mark.parametrize("args, start", [c[1:] for c in OTHER_CASES], ids=[c[0] for c in OTHER_CASES])
def test_the_other_commands_refuse_a_bad_option_in_one_line_with_status_2(tmp_path, args, start):
    given = args(tmp_path)
    done = run(*given)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr and done.stdout == "", done
    [line] = done.stderr.splitlines()
    assert line.startswith(start), line
    option = line.split("argument ")[-1].split(":")[0] if "argument " in line else "-c"
    named = [given[i + 1] for i, a in enumerate(given[:-1]) if a == option and given[i + 1].startswith(str(tmp_path))]
    assert all(f in line for f in named), line  # the file the option names is named too
