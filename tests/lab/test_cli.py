"""`acisim serve` as a user runs it: a subprocess, plain HTTP, Ctrl-C to stop (its state file: test_state_serve.py)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

STARTUP_DEADLINE = 60.0
STOP_DEADLINE = 30.0


class Served:
    """One `python -m simulator.cli serve` process and the lines it printed."""

    def __init__(self, *args: str):
        env = dict(os.environ)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "simulator.cli", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = ""
        self.user = ""
        self.password = ""
        self.rhv_url = ""
        self.rhv_user = ""
        self.rhv_password = ""

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def next_line(self, deadline: float) -> str | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no output in time; got so far: {self.lines}")
        try:
            line = self._queue.get(timeout=remaining)
        except queue.Empty:
            raise AssertionError(f"no output in time; got so far: {self.lines}") from None
        if line is not None:
            self.lines.append(line)
        return line

    def wait_ready(self) -> None:
        """Read stdout until the 'Ctrl-C stops' line; the APIC URL and login come before it."""
        deadline = time.monotonic() + STARTUP_DEADLINE
        section = ""
        while True:
            line = self.next_line(deadline)
            if line is None:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"serve exited early: {self.lines} {err}")
            if line.startswith("APIC "):
                self.url = line.split(None, 1)[1].strip()
                section = "apic"
            elif line.startswith("RHV "):
                self.rhv_url = line.split(None, 1)[1].strip()
                section = "rhv"
            elif line.startswith("login ") and section == "apic":
                self.user, _, self.password = line.split(None, 1)[1].strip().partition(" / ")
            elif line.startswith("login ") and section == "rhv":
                self.rhv_user, _, self.rhv_password = line.split(None, 1)[1].strip().partition(" / ")
            elif line.startswith("Ctrl-C"):
                break
        assert self.url.startswith("http://"), self.lines
        assert self.user and self.password, self.lines

    def stop(self) -> int:
        """SIGINT, then collect the rest of the output."""
        self.proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_DEADLINE
        while self.next_line(deadline) is not None:
            pass
        return self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_DEADLINE)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def serve_args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "--apic-port",
        "0",
        "--rhv-port",
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
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", "serve", *serve_args(tmp_path, "--fixture", str(missing))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=STARTUP_DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=STOP_DEADLINE)
    assert proc.returncode != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(missing) in lines[0]
    assert lines[0].startswith("acisim: error:")
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
