"""The /_sim control API: powers a real APIC does not have (reset, clock), for tests and labs.

It lives beside the emulated API on paths no real client uses, and BDD steps that need it carry
the @sim tag so the same features can run against real gear.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request

bp = Blueprint("sim_control", __name__, url_prefix="/_sim")


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def _lab():
    return current_app.config["LAB"]


@bp.route("/info", methods=["GET"])
def info():
    lab = _lab()
    return _json(
        {
            "apic": {"version": lab.apic.config.version, "objects": len(lab.apic.store)},
            "rhv": lab.rhv.counts(),
            "clock": lab.clock.now(),
        }
    )


@bp.route("/reset", methods=["POST"])
def reset():
    _lab().reset()
    return _json({"reset": True})


@bp.route("/clock", methods=["GET"])
def clock():
    lab_clock = _lab().clock
    return _json({"now": lab_clock.now(), "frozen": getattr(lab_clock, "frozen", False)})


@bp.route("/clock/freeze", methods=["POST"])
def freeze():
    """{"frozen": true} stops the lab clock (it then moves only by /_sim/clock/advance); false runs it on."""
    data = request.get_json(force=True, silent=True) or {}
    if not isinstance(data.get("frozen"), bool):
        return _json({"error": 'give {"frozen": true} or {"frozen": false}'}, 400)
    clock = _lab().clock
    if not hasattr(clock, "freeze"):
        return _json({"error": "this lab's clock cannot be frozen"}, 400)
    now = clock.freeze() if data["frozen"] else clock.thaw()
    return _json({"now": now, "frozen": clock.frozen})


@bp.route("/clock/advance", methods=["POST"])
def advance():
    data = request.get_json(force=True, silent=True) or {}
    seconds = data.get("seconds")
    if not isinstance(seconds, (int, float)) or seconds < 0:
        return _json({"error": "give {\"seconds\": N} with N >= 0"}, 400)
    return _json({"now": _lab().clock.advance(seconds)})


# --- RHV Manager powers ---------------------------------------------------------------------------
@bp.route("/rhv/migration-failure", methods=["POST"])
def rhv_migration_failure():
    """The next migration (of the named VM, or any) fails: event 65/120 and the VM stays put."""
    data = request.get_json(force=True, silent=True) or {}
    try:
        _lab().rhv.inject_migration_failure(data.get("vm"), data.get("error", "Fatal error during migration"))
    except (KeyError, LookupError, ValueError) as exc:
        return _json({"error": str(exc)}, 400)
    return _json({"armed": True, "vm": data.get("vm")})


@bp.route("/rhv/host-status", methods=["POST"])
def rhv_host_status():
    """Force a host's status (e.g. non_operational), as a lost host would report."""
    data = request.get_json(force=True, silent=True) or {}
    if not data.get("host") or not data.get("status"):
        return _json({"error": 'give {"host": NAME, "status": STATUS}'}, 400)
    try:
        _lab().rhv.set_host_status(data["host"], data["status"])
    except (KeyError, LookupError, ValueError) as exc:
        return _json({"error": str(exc)}, 400)
    return _json({"host": data["host"], "status": data["status"]})


@bp.route("/rhv/expire-tokens", methods=["POST"])
def rhv_expire_tokens():
    _lab().rhv.expire_tokens()
    return _json({"expired": True})
