"""Running Linux networking commands, in the host or inside a network namespace."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Sequence

from .config import NodePrepError


class CommandError(NodePrepError):
    def __init__(self, argv: Sequence[str], stderr: str):
        self.argv = list(argv)
        self.stderr = stderr.strip()
        first = self.stderr.splitlines()[0] if self.stderr else "failed"
        super().__init__(f"`{' '.join(self.argv)}`: {first}")


def run(argv: Sequence[str], check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise NodePrepError(f"`{argv[0]}` is not installed") from None
    except subprocess.TimeoutExpired:
        raise NodePrepError(f"`{' '.join(argv)}` did not finish in {timeout:g} s") from None
    if check and done.returncode != 0:
        raise CommandError(argv, done.stderr or done.stdout)
    return done


def in_netns(netns: str | None, argv: Sequence[str]) -> list[str]:
    return ["ip", "netns", "exec", netns, *argv] if netns else list(argv)


def ip(netns: str | None, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run(["ip", *(["-n", netns] if netns else []), *args], check=check)


def ip_json(netns: str | None, *args: str) -> list[dict]:
    done = ip(netns, "-j", *args, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        return []
    return json.loads(done.stdout)


def process_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def stop_process(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    except PermissionError:
        raise NodePrepError(f"not allowed to stop process {pid}") from None


def netns_list() -> set[str]:
    done = run(["ip", "netns", "list"], check=False)
    return {line.split()[0] for line in done.stdout.splitlines() if line.strip()}


def netns_pids(netns: str) -> list[int]:
    done = run(["ip", "netns", "pids", netns], check=False)
    return [int(p) for p in done.stdout.split() if p.isdigit() and process_alive(int(p))]
