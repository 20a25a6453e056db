"""`acisim serve` as a user runs it, for the tests that need the real command: a subprocess whose
printed lines are read as they come (URLs and logins), stopped with Ctrl-C (SIGINT) or killed, and
always reaped. Used as a context manager it waits until the lab is ready and kills it on the way out."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

STARTUP_DEADLINE = 60.0
STOP_DEADLINE = 30.0
MODULE_COMMAND = (sys.executable, "-m", "simulator.cli")


class Served:
    """One `acisim serve ARGS` process; `command` is how acisim is started (this Python's module by
    default, a venv's `bin/acisim` for the wheel test)."""

    def __init__(self, *args: str, command: Sequence[str | Path] = MODULE_COMMAND, cwd: Path | None = None,
                 env: dict[str, str] | None = None):
        self.proc = subprocess.Popen([*map(str, command), "serve", *args], cwd=cwd, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.user = self.password = ""
        self.rhv_url = self.rhv_user = self.rhv_password = ""

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def __enter__(self) -> Served:
        try:
            self.wait_ready()
        except BaseException:
            self.kill()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.kill()

    def next_line(self, deadline: float) -> str | None:
        """The next printed line (None once the process closed its output); fails at the deadline."""
        try:
            line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no output in time; so far: {self.lines}") from None
        if line is not None:
            self.lines.append(line)
        return line

    def wait_ready(self) -> None:
        """Read up to the 'Ctrl-C stops' line; the URLs and logins come before it."""
        deadline = time.monotonic() + STARTUP_DEADLINE
        section = ""
        while True:
            line = self.next_line(deadline)
            if line is None:
                raise AssertionError(f"serve exited early: {self.lines} {self.proc.stderr.read()}")
            word, _, rest = line.partition(" ")
            if word == "APIC":
                self.url, section = rest.strip(), "apic"
            elif word == "RHV":
                self.rhv_url, section = rest.strip(), "rhv"
            elif word == "login" and section == "apic":
                self.user, _, self.password = rest.strip().partition(" / ")
            elif word == "login" and section == "rhv":
                self.rhv_user, _, self.rhv_password = rest.strip().partition(" / ")
            elif word == "Ctrl-C":
                break
        assert self.url and self.user and self.password, self.lines

    def stop(self) -> int:
        """SIGINT (Ctrl-C), the rest of the output, the exit status."""
        self.proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_DEADLINE
        while self.next_line(deadline) is not None:
            pass
        return self.proc.wait(timeout=STOP_DEADLINE)

    def kill(self) -> None:
        """SIGKILL if still running, then reap it and close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=STOP_DEADLINE)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def refused(*args: str) -> tuple[int, str, str]:
    """Run `acisim serve ARGS` that must refuse to start: its exit status, stdout and stderr."""
    proc = subprocess.Popen([*MODULE_COMMAND, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=STARTUP_DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=STOP_DEADLINE)
    return proc.returncode, out, err


def one_error_line(proc: subprocess.CompletedProcess, status: int, *words: str) -> str:
    """A command that refused: exit `status`, nothing on stdout, one line on stderr (no traceback) holding
    every one of `words`; returns that line."""
    assert proc.returncode == status, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == "" and proc.stderr.endswith("\n") and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr
    return proc.stderr
