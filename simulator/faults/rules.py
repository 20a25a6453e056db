"""Fault rules: what a lab's admin (or a scenario file) asks to go wrong, as plain data, checked whole.

A rule is one JSON/YAML object, e.g.

    {"kind": "error", "system": "apic", "method": "GET", "path": "/api/class/fvTenant*",
     "rate": 0.5, "status": 503, "count": 10, "seed": 7}

Kinds, and the keys each takes besides `kind`:

- request kinds, applied to the requests of one system (`system`: apic, rhv or k8s) that match the scope
  (`method`; `path`, a glob on the path, `*` matching `/` too; `class`, an APIC class, the one of a class
  query or of the DN an /api/mo request names; `action`, an RHV action such as migrate or start, the last
  segment of a POST): `latency` (`ms`, `jitter` ms, uniform within +-jitter), `error` (`rate` 0..1, default 1;
  `status` 400..599, default 500; `text`, the error's words), `drop` (`rate`: the connection is closed
  without an answer). `count` is how many requests the rule acts on before it expires (absent or null:
  never); a request an error's rate spares does not count. `seed` seeds the rule's own random draws, so
  the same seed and the same sequence of matching requests give the same outcomes.
- state kinds, applied through the systems' facades when the rule is added and undone when it is removed:
  `host-down` and `host-non-operational` (`host`: an RHV host's name), `leaf-down` (`node`: a fabric
  switch's node id, optional `pod`), `rhv-unreachable` (optional `controller`: the name of one Red Hat VMM
  controller, else every one).
- one-shot kinds, applied once when added and not kept: `token-expiry` (every APIC session ends now) and
  `websocket-drop` (every open APIC event socket closes).

A mistake is one FaultRuleError naming the key and the problem (`where` prefixes it: a file, an index).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

SYSTEMS = ("apic", "rhv", "k8s")
REQUEST_KINDS = ("latency", "error", "drop")
STATE_KINDS = ("host-down", "host-non-operational", "leaf-down", "rhv-unreachable")
ONE_SHOT_KINDS = ("token-expiry", "websocket-drop")
KINDS = REQUEST_KINDS + STATE_KINDS + ONE_SHOT_KINDS
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
SCOPE_KEYS = ("system", "method", "path", "class", "action")
COMMON_KEYS = ("kind", "count", "seed", "id")
KIND_KEYS = {
    "latency": SCOPE_KEYS + ("ms", "jitter"),
    "error": SCOPE_KEYS + ("rate", "status", "text"),
    "drop": SCOPE_KEYS + ("rate",),
    "host-down": ("host",),
    "host-non-operational": ("host",),
    "leaf-down": ("node", "pod"),
    "rhv-unreachable": ("controller",),
    "token-expiry": (),
    "websocket-drop": (),
}
MAX_MS = 60_000  # a minute: past that a client's own timeout decides, and a test run should not wait longer
MAX_COUNT = 1_000_000
MAX_SEED = 2**63 - 1
MAX_TEXT = 1024


class FaultRuleError(ValueError):
    """A rule that cannot be taken: one line naming the key and what is wrong."""


@dataclass
class FaultRule:
    kind: str
    system: str = "apic"
    method: str | None = None
    path: str | None = None
    cls: str | None = None
    action: str | None = None
    count: int | None = None  # acts left; None: never expires
    seed: int = 0
    ms: float = 0.0
    jitter: float = 0.0
    rate: float = 1.0
    status: int = 500
    text: str | None = None
    host: str | None = None
    node: int | None = None
    pod: int | None = None
    controller: str | None = None
    id: str = ""
    acted: int = 0  # requests acted on (delayed, answered with an error, dropped)
    delayed_ms: float = 0.0  # the sum of the delays given, and the last one (what a test asserts on)
    last_delay_ms: float | None = None
    effect: dict = field(default_factory=dict)  # what applying a state or one-shot kind did
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def is_request_kind(self) -> bool:
        return self.kind in REQUEST_KINDS

    def as_json(self) -> dict:
        """The rule as GET /_sim/faults lists it: the keys it was given (with defaults), and what it did."""
        out: dict = {"id": self.id, "kind": self.kind}
        if self.is_request_kind:
            out["system"] = self.system
            for key, value in (("method", self.method), ("path", self.path), ("class", self.cls),
                               ("action", self.action)):
                if value is not None:
                    out[key] = value
            if self.kind == "latency":
                out.update(ms=self.ms, jitter=self.jitter)
            else:
                out["rate"] = self.rate
            if self.kind == "error":
                out["status"] = self.status
                if self.text is not None:
                    out["text"] = self.text
            out.update(count=self.count, seed=self.seed, acted=self.acted)
            if self.kind == "latency":
                out.update(delayed_ms=round(self.delayed_ms, 3), last_delay_ms=self.last_delay_ms)
        else:
            for key in KIND_KEYS[self.kind]:
                if getattr(self, key) is not None:
                    out[key] = getattr(self, key)
            out["effect"] = self.effect
        return out


def parse_rule(data: object, where: str = "fault rule") -> FaultRule:
    """A FaultRule from one mapping, every key checked; FaultRuleError otherwise."""
    if not isinstance(data, dict):
        raise FaultRuleError(f"{where}: a fault rule is a mapping with a kind, not {_shown(data)}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise FaultRuleError(f"{where}: kind must be one of {', '.join(KINDS)}, not {_shown(kind)}")
    known = COMMON_KEYS + KIND_KEYS[kind]
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise FaultRuleError(f"{where}: unknown keys for a {kind} rule: {', '.join(unknown)} "
                             f"(it takes {', '.join(k for k in known if k != 'id')})")
    rule = FaultRule(kind=kind, seed=_whole(data, "seed", where, 0, MAX_SEED, 0))
    if "id" in data:
        rule.id = _word(data, "id", where)
    if kind in REQUEST_KINDS:
        _request_scope(rule, data, where)
        count = data.get("count")
        rule.count = None if count is None else _whole(data, "count", where, 1, MAX_COUNT)
        if kind == "latency":
            rule.ms = _number(data, "ms", where, 0, MAX_MS, None)
            rule.jitter = _number(data, "jitter", where, 0, MAX_MS, 0)
        else:
            rule.rate = _number(data, "rate", where, 0, 1, 1)
        if kind == "error":
            rule.status = _whole(data, "status", where, 400, 599, 500)
            rule.text = _text(data, "text", where) if "text" in data else None
    elif "count" in data:
        raise FaultRuleError(f"{where}: count: a {kind} rule is not counted (it lasts until it is removed)"
                             if kind in STATE_KINDS else f"{where}: count: a {kind} rule acts once, when it is added")
    if kind in ("host-down", "host-non-operational"):
        rule.system, rule.host = "rhv", _text(data, "host", where)
    elif kind == "leaf-down":
        rule.node = _whole(data, "node", where, 1, 16000)
        rule.pod = _whole(data, "pod", where, 1, 255) if data.get("pod") is not None else None
    elif kind == "rhv-unreachable":
        rule.controller = _text(data, "controller", where) if data.get("controller") is not None else None
    rule.rng = random.Random(rule.seed)
    return rule


def parse_rules(data: object, where: str = "faults") -> list[FaultRule]:
    """A list of rules (a scenario's `faults:`); each error names its index."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise FaultRuleError(f"{where}: a list of fault rules, not {_shown(data)}")
    return [parse_rule(item, f"{where}[{i}]") for i, item in enumerate(data)]


def _request_scope(rule: FaultRule, data: dict, where: str) -> None:
    system = data.get("system", "apic")
    if system not in SYSTEMS:
        raise FaultRuleError(f"{where}: system must be one of {', '.join(SYSTEMS)}, not {_shown(system)}")
    rule.system = system
    if data.get("method") is not None:
        method = data["method"]
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise FaultRuleError(f"{where}: method must be one of {', '.join(METHODS)}, not {_shown(method)}")
        rule.method = method.upper()
    if data.get("path") is not None:
        rule.path = _text(data, "path", where)
        if not rule.path.startswith(("/", "*")):
            raise FaultRuleError(f"{where}: path is a glob on the request's path and starts with / or *, "
                                 f"not {_shown(rule.path)}")
    if data.get("class") is not None:
        if system != "apic":
            raise FaultRuleError(f"{where}: class scopes APIC requests only (system is {system})")
        rule.cls = _word(data, "class", where)
    if data.get("action") is not None:
        if system != "rhv":
            raise FaultRuleError(f"{where}: action scopes RHV requests only (system is {system})")
        rule.action = _word(data, "action", where)


def _number(data: dict, key: str, where: str, low: float, high: float, default: float | None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        need = "" if key in data or default is not None else " (required)"
        raise FaultRuleError(f"{where}: {key} must be a number from {low:g} to {high:g}{need}, not {_shown(value)}")
    return float(value)


def _whole(data: dict, key: str, where: str, low: int, high: int, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        need = "" if key in data or default is not None else " (required)"
        raise FaultRuleError(f"{where}: {key} must be a whole number from {low} to {high}{need}, not {_shown(value)}")
    return value


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT or "\n" in value or "\r" in value:
        raise FaultRuleError(f"{where}: {key} must be one line of text (1 to {MAX_TEXT} characters), "
                             f"not {_shown(value)}")
    return value


def _word(data: dict, key: str, where: str) -> str:
    value = _text(data, key, where)
    if not all(c.isalnum() or c in "-_." for c in value) or len(value) > 64:
        raise FaultRuleError(f"{where}: {key} must be a name (letters, digits, - _ .), not {_shown(value)}")
    return value


def _shown(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
