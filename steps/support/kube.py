"""The cluster side of the CNI steps: waiting for a controller that works on its own time, the
manifest's documents, and reading Pods as kubectl prints them."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

from steps.support.sim import LAB_STEP_SECONDS, LAB_STEPS, REAL_GEAR_PAUSE, REAL_GEAR_SECONDS, SimControl

T = TypeVar("T")


def converged(target, settle: Callable[[], None], check: Callable[[], T]) -> T:
    """`check()`'s result once it stops failing its assertions.

    In the lab: settle the CNI controller, check; if not yet, move the lab's clock on by one step (a
    controller restarting after a failure waits on that clock, as a kubelet's back-off does) and
    settle again. On real gear: ask again every few seconds until a deadline."""
    if target.simulated:
        sim = SimControl(target)
        for _ in range(LAB_STEPS):
            settle()
            try:
                return check()
            except AssertionError:
                sim.advance_clock(LAB_STEP_SECONDS)
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


def manifest_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def secret_with_key(doc: dict, secret: str, key_pem: bytes) -> dict:
    """The document, or, if it is the Secret `secret`, that Secret holding `key_pem` as user.key."""
    if doc.get("kind") != "Secret" or doc["metadata"]["name"] != secret:
        return doc
    data = dict(doc.get("data") or {})
    assert "user.key" in data, f"the Secret {secret} holds no user.key: {sorted(data)}"
    data["user.key"] = base64.b64encode(key_pem).decode()
    return {**doc, "data": data}


def pod_ready(pod: dict) -> bool:
    """Whether the Pod's Ready condition is True, as READY n/n and `kubectl wait --for=condition=Ready` read it."""
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in pod["status"].get("conditions", []))
