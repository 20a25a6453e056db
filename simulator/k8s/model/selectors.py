"""Label and field selectors as the API server parses them (`app=x,tier!=db,env in (a,b),!legacy`;
`metadata.name=x,spec.nodeName!=n1`)."""

from __future__ import annotations

import re
from collections.abc import Callable

Matcher = Callable[[dict], bool]

_SET = re.compile(r"^\s*([A-Za-z0-9./_-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_CMP = re.compile(r"^\s*([A-Za-z0-9./_-]+)\s*(==|!=|=)\s*([A-Za-z0-9._-]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)\s*([A-Za-z0-9./_-]+)\s*$")


class SelectorError(ValueError):
    pass


def _terms(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return [t for t in terms if t.strip()]


def label_selector(text: str) -> Matcher:
    tests: list[Matcher] = []
    for term in _terms(text or ""):
        if m := _SET.match(term):
            key, op, values = m[1], m[2], {v.strip() for v in m[3].split(",") if v.strip()}
            if op == "in":
                tests.append(lambda labels, k=key, vs=values: labels.get(k) in vs)
            else:
                tests.append(lambda labels, k=key, vs=values: labels.get(k) not in vs)
        elif m := _CMP.match(term):
            key, op, value = m[1], m[2], m[3]
            if op == "!=":
                tests.append(lambda labels, k=key, v=value: labels.get(k) != v)
            else:
                tests.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif m := _EXISTS.match(term):
            negated, key = m[1] == "!", m[2]
            tests.append(lambda labels, k=key, n=negated: (k in labels) != n)
        else:
            raise SelectorError(f"unable to parse requirement: {term.strip()}")
    return lambda obj: all(test((obj.get("metadata") or {}).get("labels") or {}) for test in tests)


def _field(obj: dict, path: str) -> str:
    value = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def field_selector(text: str) -> Matcher:
    tests: list[Matcher] = []
    for term in _terms(text or ""):
        m = _CMP.match(term)
        if not m:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{term.strip()}'")
        path, op, value = m[1], m[2], m[3]
        if op == "!=":
            tests.append(lambda obj, p=path, v=value: _field(obj, p) != v)
        else:
            tests.append(lambda obj, p=path, v=value: _field(obj, p) == v)
    return lambda obj: all(test(obj) for test in tests)
