"""Which requests a rule's scope takes, and what the matching rules do to one request.

A request is seen as the lab's middleware sees it (`Request`): its system, method and path, and, asked
only when a rule names one, the APIC class it is about and the RHV action it asks. Rules are tried in the
order they were added: every matching latency rule adds its delay; the first error or drop rule whose
draw fires decides the answer, and no later rule is asked. Each rule draws from its own seeded RNG and
only for the requests it matches, so its outcomes depend on its seed and on the requests it saw, not on
the other rules or on other systems' traffic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from .rules import FaultRule


@dataclass
class Request:
    system: str
    method: str
    path: str
    apic_class: Callable[[], str] = lambda: ""  # asked only when a rule names a class

    @property
    def action(self) -> str:
        """An RHV action is a POST to `.../<entity>/<action>` (vms/ID/migrate, hosts/ID/deactivate)."""
        if self.method != "POST" or not self.path.startswith("/ovirt-engine/api/"):
            return ""
        parts = self.path.rstrip("/").split("/")
        return parts[-1] if len(parts) >= 6 else ""  # '', ovirt-engine, api, vms, ID, action


@dataclass
class Outcome:
    delay_ms: float = 0.0
    error: FaultRule | None = None
    drop: FaultRule | None = None


def matches(rule: FaultRule, request: Request) -> bool:
    if not rule.is_request_kind or rule.system != request.system:
        return False
    if rule.method is not None and rule.method != request.method:
        return False
    if rule.path is not None and not fnmatchcase(request.path, rule.path):
        return False
    if rule.action is not None and rule.action != request.action:
        return False
    return rule.cls is None or rule.cls == request.apic_class()


def decide(rules: list[FaultRule], request: Request) -> tuple[Outcome, list[FaultRule]]:
    """What the rules do to `request`, and the rules whose count ran out on it (the caller removes them).
    Call it under the rules' lock: the draws and counts change."""
    outcome, spent = Outcome(), []
    for rule in rules:
        if not matches(rule, request):
            continue
        if rule.kind == "latency":
            delay = rule.ms + (rule.rng.uniform(-rule.jitter, rule.jitter) if rule.jitter else 0.0)
            delay = max(0.0, delay)
            outcome.delay_ms += delay
            rule.delayed_ms += delay
            rule.last_delay_ms = round(delay, 3)
        elif rule.rng.random() < rule.rate:
            if rule.kind == "error":
                outcome.error = rule
            else:
                outcome.drop = rule
        else:
            continue
        rule.acted += 1
        if rule.count is not None:
            rule.count -= 1
            if rule.count <= 0:
                spent.append(rule)
        if outcome.error is not None or outcome.drop is not None:
            break
    return outcome, spent
