"""The simulated lab's /_sim control API: the powers a real APIC or engine does not have (reset,
the lab's clock, RHV faults). Only steps of @sim scenarios use it; against real gear every call
skips the scenario (the target's `require_sim`)."""

from __future__ import annotations

import requests

TIMEOUT = 30


class SimControl:
    """/_sim of the lab behind `target` (`apic_target` or `rhv_target`)."""

    def __init__(self, target) -> None:
        self.target = target

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        self.target.require_sim()
        http = requests.Session()
        http.verify, http.trust_env = False, False  # trust_env: REQUESTS_CA_BUNDLE would override verify
        with http:
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
