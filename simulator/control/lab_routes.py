"""The lab as a whole: what it holds, reset, and its clock (read, advance, freeze)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request

from ..clock import ClockError
from . import bp
from .replies import body, error, lab, number, reply

MAX_ADVANCE_SECONDS = 10 * 365 * 86400  # one move of the clock: ten years
# every system writes the lab's time as a calendar date (APIC modTs, RHV and Kubernetes timestamps, cookies):
# the clock stays where those are still dates
LATEST = datetime(3000, 1, 1, tzinfo=UTC).timestamp()


@bp.route("/info", methods=["GET"])
def info():
    return reply(lab().info())


@bp.route("/events", methods=["GET"])
def events():
    """The lab's event log (simulator/lab_log.py): `?since=ID` gives the entries after that id."""
    raw = request.args.get("since", "0")
    if not raw.isdigit() or len(raw) > 18:
        return error(f"since must be the whole number of an entry's id, not {raw[:40]!r}")
    log = lab().log
    return reply({"events": log.since(int(raw)), "last": log.last})


@bp.route("/reset", methods=["POST"])
def reset():
    body()
    lab().reset()
    return reply({"reset": True})


@bp.route("/clock", methods=["GET"])
def clock():
    lab_clock = lab().clock
    return reply({"now": lab_clock.now(), "frozen": lab_clock.frozen})


@bp.route("/clock/freeze", methods=["POST"])
def freeze():
    """{"frozen": true} stops the lab clock (it then moves only by /_sim/clock/advance); false runs it on."""
    frozen = body("frozen").get("frozen")
    if not isinstance(frozen, bool):
        return error('give {"frozen": true} or {"frozen": false}')
    try:
        now = lab().freeze_clock(frozen)
    except ClockError as exc:
        return error(str(exc))
    return reply({"now": now, "frozen": lab().clock.frozen})


@bp.route("/clock/advance", methods=["POST"])
def advance():
    """{"seconds": N}, 0 <= N <= ten years: move the lab's time forward; every system settles what came due
    before the answer."""
    seconds = number(body("seconds"), "seconds", 0, MAX_ADVANCE_SECONDS, unit=" seconds (ten years)")
    if lab().clock.now() + seconds >= LATEST:
        return error(f"the lab's clock stays before the year 3000: {seconds!r} seconds would take it past")
    try:
        return reply({"now": lab().advance_clock(seconds)})
    except ClockError as exc:
        return error(f'give {{"seconds": N}} with N >= 0 ({exc})')
