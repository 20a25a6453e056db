"""`acisim serve` as a user runs it: a subprocess, plain HTTP, Ctrl-C to stop (its state file: test_state_serve.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from served import STARTUP_DEADLINE, Served, refused


def serve_args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "--apic-port",
        "0",
        "--rhv-port",
        "0",
        "--k8s-port",
        "0",
        "--http",
        "--state",
        str(tmp_path / "state.json"),
        "--tls-dir",
        str(tmp_path),
        *extra,
    ]


def test_missing_fixture_is_a_one_line_error(tmp_path):
    missing = tmp_path / "nope.yaml"
    returncode, out, err = refused(*serve_args(tmp_path, "--fixture", str(missing)))
    assert returncode == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0] == f"acisim serve: error: argument --fixture: {missing}: no such file"
    assert "Traceback" not in err
    assert out == ""
    assert not (tmp_path / "state.json").exists()


def test_version_flag():
    out = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=STARTUP_DEADLINE,
    )
    assert out.returncode == 0
    assert out.stdout.startswith("acisim ")


def test_serve_starts_the_rhv_manager_beside_the_apic(tmp_path):
    import ovirtsdk4

    served = Served(*serve_args(tmp_path))
    try:
        served.wait_ready()
        assert served.url.startswith("http://"), served.lines
        assert served.rhv_url.endswith("/ovirt-engine/api"), served.lines
        assert served.rhv_user == "admin@internal"
        conn = ovirtsdk4.Connection(url=served.rhv_url, username=served.rhv_user, password=served.rhv_password,
                                    insecure=True, timeout=30)
        try:
            assert conn.test(raise_exception=True)
            hosts = conn.system_service().hosts_service().list()
            assert sorted(h.name for h in hosts) == ["host1", "host2"]  # simulator/defaults/rhv_inventory.yaml
        finally:
            conn.close()
        assert served.stop() == 0
    finally:
        served.kill()
