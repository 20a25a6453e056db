"""The lab's fault rules: added, listed, removed; asked by the middleware about every request.

One book per lab (`Lab.faults`). Request rules are kept in the order they were added and leave when
their count runs out; state rules are applied when added (through the systems' facades, states.py) and
undone when removed; one-shot rules act when added and are not kept. Ids are `f1`, `f2`, ... in the order
rules were added (a rule may bring its own `id`, unique among the kept ones). A lab reset removes every
rule (the systems come back in their boot state anyway).
"""

from __future__ import annotations

import threading
from typing import Any

from . import states
from .matching import Outcome, Request, decide
from .rules import ONE_SHOT_KINDS, FaultRule, FaultRuleError, parse_rule
from .sockets import DroppableSockets

Lab = Any  # simulator.lab.Lab, which imports this package (not imported back, so the package stays Flask-free)

MAX_RULES = 1000


class Faults:
    def __init__(self, lab: Lab):
        self.lab = lab
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._numbered = 0
        self._sockets: list[DroppableSockets] = []
        self.has_request_rules = False  # read without the lock by the middleware: no rule, no cost

    # --- rules ------------------------------------------------------------------------------------------
    def add(self, given: dict | FaultRule, where: str = "fault rule") -> FaultRule:
        """Take one rule (a mapping is parsed first); FaultRuleError for a bad one or one naming nothing the
        lab has, and then nothing changed."""
        rule = given if isinstance(given, FaultRule) else parse_rule(given, where)
        with self._lock:
            if len(self._rules) >= MAX_RULES:
                raise FaultRuleError(f"{where}: the lab holds at most {MAX_RULES} fault rules; remove some first")
            if rule.id and any(r.id == rule.id for r in self._rules):
                raise FaultRuleError(f"{where}: id {rule.id!r} is taken by another rule")
            self._numbered += 1
            rule.id = rule.id or f"f{self._numbered}"
        if not rule.is_request_kind:
            try:
                rule.effect = states.apply(self.lab, rule)  # outside the lock: it settles the lab, which may call it
            except FaultRuleError as exc:
                raise FaultRuleError(f"{where}: {exc}") from None
            if rule.kind in ONE_SHOT_KINDS:
                return rule
        with self._lock:
            self._rules.append(rule)
            self._changed()
        return rule

    def load(self, rules: list[FaultRule], where: str = "faults") -> None:
        for i, rule in enumerate(rules):
            self.add(rule, f"{where}[{i}]")

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: str) -> FaultRule:
        """Remove one rule (a state rule is undone first); KeyError when no rule has that id."""
        with self._lock:
            found = next((r for r in self._rules if r.id == rule_id), None)
            if found is None:
                raise KeyError(rule_id)
            self._rules.remove(found)
            self._changed()
        if not found.is_request_kind:
            states.undo(self.lab, found)
        return found

    def clear(self, undo: bool = True) -> list[FaultRule]:
        """Remove every rule, the newest first (state rules undone unless the lab is being reset)."""
        with self._lock:
            removed, self._rules = self._rules, []
            self._changed()
        for rule in reversed(removed):
            if undo and not rule.is_request_kind:
                states.undo(self.lab, rule)
            elif rule.kind == "rhv-unreachable":
                gate = states.UnreachableGate.install(self.lab)
                gate.rules[:] = [r for r in gate.rules if r is not rule]
        return removed

    def _changed(self) -> None:
        self.has_request_rules = any(r.is_request_kind for r in self._rules)

    # --- what the middleware asks -------------------------------------------------------------------------
    def decide(self, request: Request) -> Outcome:
        with self._lock:
            outcome, spent = decide(self._rules, request)
            for rule in spent:
                self._rules.remove(rule)
            if spent:
                self._changed()
        return outcome

    # --- the APIC's event sockets ---------------------------------------------------------------------------
    def droppable(self, socket_app) -> DroppableSockets:
        """Wrap the APIC's websocket app so websocket-drop rules can close its open sockets."""
        wrapped = DroppableSockets(socket_app)
        self._sockets.append(wrapped)
        return wrapped

    def drop_sockets(self) -> int:
        return sum(s.drop_all() for s in self._sockets)
