"""The simulated lab's /_sim control API: the powers a real APIC or engine does not have (reset,
the lab's clock, RHV faults). Only steps of @sim scenarios use it; against real gear every call
skips the scenario (the target's `require_sim`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

TIMEOUT = 30
T = TypeVar("T")
LAB_STEP_SECONDS = 10  # lab time per look in the simulator: the APIC polls an engine's events every 10 s
LAB_STEPS = 13  # two minutes of lab time: past a full resync (60 s) with room to spare
REAL_GEAR_SECONDS = 300  # a real APIC polls its RHV Manager in minutes
REAL_GEAR_PAUSE = 5


class SimControl:
    """/_sim of the lab behind `target` (`apic_target` or `rhv_target`)."""

    def __init__(self, target) -> None:
        self.target = target

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        with self.target.sim_session() as http:  # the lab's admin credentials; skips against real gear
            answer = http.request(method, f"{self.target.sim_url}/_sim{path}", json=body, timeout=TIMEOUT)
        assert answer.status_code == 200, f"/_sim{path}: HTTP {answer.status_code} {answer.text[:300]}"
        return answer.json()

    def info(self) -> dict:
        return self.call("GET", "/info")

    def reset(self) -> None:
        self.call("POST", "/reset")

    def clock(self) -> dict:
        """{"now": seconds, "frozen": bool}"""
        return self.call("GET", "/clock")

    def advance_clock(self, seconds: float) -> float:
        """Move the lab's time on; every system settles what came due before this returns."""
        return self.call("POST", "/clock/advance", {"seconds": seconds})["now"]

    def freeze_clock(self, frozen: bool = True) -> None:
        """A frozen clock moves only by `advance_clock`."""
        self.call("POST", "/clock/freeze", {"frozen": frozen})

    def fail_next_migration(self, vm: str | None = None, error: str | None = None) -> None:
        self.call("POST", "/rhv/migration-failure", {"vm": vm, **({"error": error} if error else {})})

    def set_host_status(self, host: str, status: str) -> None:
        self.call("POST", "/rhv/host-status", {"host": host, "status": status})

    def expire_rhv_tokens(self) -> None:
        self.call("POST", "/rhv/expire-tokens")


def eventually(target, check: Callable[[], T], lab_step: float = LAB_STEP_SECONDS, steps: int = LAB_STEPS,
               settle: Callable[[], object] = lambda: None) -> T:
    """`check()`'s result once it stops failing its assertions. The simulator's clock moves on by
    `lab_step` between tries (and `settle()` runs before each: what works on its own time, such as the
    lab's CNI controller, catches up); real gear is asked again every few seconds until a deadline. The
    last failure is the step's failure."""
    if target.simulated:
        sim = SimControl(target)
        for _ in range(steps):
            settle()
            try:
                return check()
            except AssertionError:
                sim.advance_clock(lab_step)
        settle()
        return check()
    deadline = time.monotonic() + REAL_GEAR_SECONDS
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(REAL_GEAR_PAUSE)  # real gear only: its clock cannot be moved
