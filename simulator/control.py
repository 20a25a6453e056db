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
    return _json({"now": _lab().clock.now()})


@bp.route("/clock/advance", methods=["POST"])
def advance():
    data = request.get_json(force=True, silent=True) or {}
    seconds = data.get("seconds")
    if not isinstance(seconds, (int, float)) or seconds < 0:
        return _json({"error": "give {\"seconds\": N} with N >= 0"}, 400)
    return _json({"now": _lab().clock.advance(seconds)})
