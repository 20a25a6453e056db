"""The lab as a whole: what it holds, reset, and its clock (read, advance, freeze)."""

from __future__ import annotations

from ..clock import ClockError
from . import bp
from .replies import body, error, lab, reply


@bp.route("/info", methods=["GET"])
def info():
    return reply(lab().info())


@bp.route("/reset", methods=["POST"])
def reset():
    lab().reset()
    return reply({"reset": True})


@bp.route("/clock", methods=["GET"])
def clock():
    lab_clock = lab().clock
    return reply({"now": lab_clock.now(), "frozen": lab_clock.frozen})


@bp.route("/clock/freeze", methods=["POST"])
def freeze():
    """{"frozen": true} stops the lab clock (it then moves only by /_sim/clock/advance); false runs it on."""
    frozen = body().get("frozen")
    if not isinstance(frozen, bool):
        return error('give {"frozen": true} or {"frozen": false}')
    try:
        now = lab().freeze_clock(frozen)
    except ClockError as exc:
        return error(str(exc))
    return reply({"now": now, "frozen": lab().clock.frozen})


@bp.route("/clock/advance", methods=["POST"])
def advance():
    """Move the lab's time forward; every system settles what came due before the answer."""
    try:
        return reply({"now": lab().advance_clock(body().get("seconds"))})
    except ClockError as exc:
        return error(f'give {{"seconds": N}} with N >= 0 ({exc})')
