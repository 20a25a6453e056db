"""Fault rules over the control API (simulator/faults: the kinds, their keys and what each does).

- `GET /_sim/faults` lists the rules the lab holds: {"faults": [RULE, ...]}, each with its id, its keys (with
  defaults) and what it did so far (`acted`, a latency rule's `delayed_ms` and `last_delay_ms`, a state rule's
  `effect`).
- `POST /_sim/faults` with one rule, e.g. `{"kind": "error", "system": "rhv", "action": "migrate",
  "status": 500, "count": 1}`, adds it: 201 with the rule as listed. A state rule is applied before the answer
  (the systems already show it); a one-shot rule (token-expiry, websocket-drop) acts at once, is answered with
  its `effect` and is not kept.
- `DELETE /_sim/faults/<id>` removes one rule (a state rule is undone first): 200 {"removed": RULE}; 404 for an
  id the lab does not hold. `DELETE /_sim/faults` removes every rule: {"removed": [RULE, ...]}.
A bad rule is a 400 naming the key and the problem; the blueprint's guard (admin credentials, own origin,
JSON bodies) applies as to every /_sim route.
"""

from __future__ import annotations

from ..faults import FaultRuleError
from . import bp
from .replies import ControlError, body, error, lab, reply


@bp.route("/faults", methods=["GET"])
def list_faults():
    return reply({"faults": [rule.as_json() for rule in lab().faults.rules()]})


@bp.route("/faults", methods=["POST"])
def add_fault():
    data = body(any_keys=True)  # parse_rule checks the keys of the rule's kind
    if not data:
        raise ControlError('give one fault rule, e.g. {"kind": "latency", "system": "apic", "ms": 200}')
    try:
        rule = lab().faults.add(data)
    except FaultRuleError as exc:
        return error(str(exc))
    return reply(rule.as_json(), 201)


@bp.route("/faults/<rule_id>", methods=["DELETE"])
def remove_fault(rule_id: str):
    body()
    try:
        rule = lab().faults.remove(rule_id)
    except KeyError:
        return error(f"no fault rule {rule_id[:80]!r} (GET /_sim/faults lists them)", 404)
    return reply({"removed": rule.as_json()})


@bp.route("/faults", methods=["DELETE"])
def clear_faults():
    body()
    return reply({"removed": [rule.as_json() for rule in lab().faults.clear()]})
