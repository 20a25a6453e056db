"""The /_sim control API: powers a real APIC or engine does not have (reset, clock, RHV powers), for
tests and labs.

It lives beside the emulated API on paths no real client uses, and BDD steps that need it carry the
@sim tag so the same features run against real gear. One module per area; each registers its routes
on the one blueprint below, which the lab mounts on the APIC's server.

It is the lab admin's alone (access.py): every request needs the lab's admin credentials, HTTP Basic with an
APIC admin's user and password (`curl -u admin:cisco123`) or an admin's APIC-cookie from aaaLogin; without
them it answers 401 with a Basic challenge, and 403 for a user who is not an admin. Requests from another
origin are refused (403) and bodies are taken only as application/json (415), so no browser page of another
site can drive it. Every body is a JSON object of the keys its route names, with finite numbers within the
route's bounds (the clock moves at most ten years at a time); anything else is a 400 naming what is wrong.
Every answer, refusals included, is JSON: the route's document, or {"error": "one line"}.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from ..lab_log import MAX_DETAIL
from .access import guard
from .replies import ControlError, error

bp = Blueprint("sim_control", __name__, url_prefix="/_sim")
bp.before_request(guard)
LOGGED_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@bp.after_request
def logged(response):
    """Every change asked of the lab, refused or done, goes into the lab's event log (reads do not)."""
    if request.method in LOGGED_METHODS:
        lab = current_app.config.get("LAB")
        if lab is not None:
            detail = request.get_data(cache=True)[:MAX_DETAIL * 4].decode("utf-8", "replace")
            lab.log.add(f"{request.method} {request.path}", response.status_code, g.get("sim_user", ""),
                        " ".join(detail.split()))
    return response
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@bp.errorhandler(ControlError)
def refused(exc: ControlError):
    return error(str(exc), exc.status, exc.headers)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return error(f"{exc.name}: {request.method} {request.path}", exc.code or 400)


@bp.errorhandler(Exception)
def unexpected(exc: Exception):
    current_app.logger.exception("unexpected error in the control API")
    return error(f"internal error while processing {request.method} {request.path}: {exc}", 500)


@bp.route("/", defaults={"rest": ""}, methods=METHODS)
@bp.route("/<path:rest>", methods=METHODS)
def unknown_route(rest: str):
    """A path or method no control route has (after the credentials were checked, so nothing is told to a
    stranger): 405 naming the methods the path takes, else 404."""
    adapter = _routes().bind("")
    try:
        adapter.match(request.path, method=request.method)
    except MethodNotAllowed as exc:
        allowed = sorted(set(exc.valid_methods or ()) - {"HEAD", "OPTIONS"})
        return error(f"{request.method} is not a method of {request.path} (it takes {', '.join(allowed)})", 405,
                     {"Allow": ", ".join(allowed)})
    except NotFound:
        pass
    return error(f"no control route {request.method} {request.path} (the /_sim routes are listed in README.md)",
                 404)


def _routes() -> Map:
    """The control routes themselves, without the catch-all, to tell a wrong method from a wrong path."""
    if "SIM_CONTROL_ROUTES" not in current_app.config:
        current_app.config["SIM_CONTROL_ROUTES"] = Map([
            Rule(rule.rule, methods=rule.methods) for rule in current_app.url_map.iter_rules()
            if rule.endpoint.startswith(f"{bp.name}.") and rule.endpoint != f"{bp.name}.unknown_route"])
    return current_app.config["SIM_CONTROL_ROUTES"]


# the route modules register on bp (fault_routes: simulator/faults; training_routes: the training labs)
from . import (  # noqa: E402,F401
    cni_routes,
    fabric_routes,
    fault_routes,
    k8s_routes,
    lab_routes,
    rhv_routes,
    snapshots,
    training_routes,
)
