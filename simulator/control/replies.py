"""How the control API reads and answers: JSON objects in, JSON documents out, one-line errors in {"error": ...}.

Every input is checked before anything acts on it: a body is a JSON object (never NaN, Infinity or a number
too large for a float), only the keys a route knows, numbers finite and within their route's bounds, texts
one line of bounded length. A bad one is a ControlError, answered as a 4xx naming what is wrong.
"""

from __future__ import annotations

import json
import math

from flask import Response, current_app, request

MAX_BODY = 1024 * 1024  # a node-prep report of a large lab is a few kB
MAX_TEXT = 1024


class ControlError(Exception):
    """Bad input for the control API: one line, and the HTTP status it is answered with."""

    def __init__(self, message: str, status: int = 400, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def reply(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def error(message: str, status: int = 400, headers: dict[str, str] | None = None) -> Response:
    answer = reply({"error": message}, status)
    answer.headers.update(headers or {})
    return answer


def lab():
    return current_app.config["LAB"]


def body(*known: str, any_keys: bool = False) -> dict:
    """The request's JSON object (no body reads as {}); its keys must be among `known` unless `any_keys`
    (a route whose model checks the keys itself). The content type was checked before the route ran."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, RecursionError) as exc:
        raise ControlError(f"the body is not JSON: {_line(exc)}") from None
    if not isinstance(data, dict):
        raise ControlError(f"the body must be a JSON object, not {type(data).__name__ if data is not None else 'null'}"
                           f" ({_shown(data)})")
    if not any_keys:
        unknown = sorted(set(data) - set(known))
        if unknown:
            accepted = f"it takes {', '.join(known)}" if known else "it takes no keys"
            raise ControlError(f"unknown keys for {request.method} {request.path}: {', '.join(map(_shown, unknown))} "
                               f"({accepted})")
    return data


def number(data: dict, key: str, low: float, high: float, default: float | None = None,
           whole: bool = False, unit: str = "") -> float:
    """`data[key]` (or `default` when absent; no default: required), a finite number from `low` to `high`."""
    value = data.get(key, default)
    kind = "a whole number" if whole else "a number"
    if (isinstance(value, bool) or not isinstance(value, int if whole else int | float)
            or not math.isfinite(value) or not low <= value <= high):
        raise ControlError(f"{key} must be {kind} from {_plain(low)} to {_plain(high)}{unit}, not {_shown(value)}")
    return value


def text(data: dict, key: str, default: str | None = None, optional: bool = False) -> str | None:
    """`data[key]` (or `default`), one non-empty line of at most MAX_TEXT characters; None allowed when
    `optional` and the key is absent or null."""
    value = data.get(key, default)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT or "\n" in value or "\r" in value:
        raise ControlError(f"{key} must be one line of text (1 to {MAX_TEXT} characters), not {_shown(value)}")
    return value


def _plain(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"{literal[:40]} is out of a number's range")
    return value


def _shown(value: object) -> str:
    shown = json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
