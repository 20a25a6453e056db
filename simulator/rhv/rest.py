"""The RHV Manager's HTTP surface under /ovirt-engine/, over Flask: translation only.

HTTP in (form fields, headers, the body in XML or JSON, the path and its `v4` prefix, `Version`,
`Correlation-Id`), a call on the `Rhv` facade, and its answer out: SSO's JSON as the engine's
servlets send it, the API's `Obj` as XML unless JSON is asked for. Every failure is the engine's:
a <fault> (inside an <action> for a failed action) or an empty 404, never a framework page.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from .model.errors import RhvFault
from .model.sso import SsoError
from .resources.registry import ApiRequest
from .service import Rhv
from .wire import json_codec, xml_codec
from .wire.envelopes import failed_action, fault
from .wire.tree import Obj

bp = Blueprint("rhv", __name__)
log = logging.getLogger("acisim.rhv")

SUPPORTED_VERSIONS = ("4",)
API_METHODS = ["GET", "POST", "PUT", "DELETE"]
SSO_PATHS = ("/ovirt-engine/sso/", "/ovirt-engine/services/sso-logout")
# WildFly's default `max-post-size` (10 MiB), which the engine's Undertow listener keeps: a larger body is
# refused before any servlet sees it.
MAX_BODY = 10 * 1024 * 1024


def rhv() -> Rhv:
    return current_app.config["RHV"]


# --- responses ------------------------------------------------------------------------------------------
def _wants_json() -> bool:
    accept = request.headers.get("Accept", "")
    json_at, xml_at = accept.find("application/json"), accept.find("xml")
    return json_at >= 0 and (xml_at < 0 or json_at < xml_at)


def _respond(status: int, obj: Obj | None, headers: dict | None = None) -> Response:
    as_json = _wants_json()
    if obj is None:
        body = b""
    else:
        body = json_codec.render(obj) if as_json else xml_codec.render(obj)
    resp = Response(body, status=status, content_type="application/json" if as_json else "application/xml")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


def _fault_response(err: RhvFault, correlation_id: str = "") -> Response:
    headers = {"Correlation-Id": correlation_id} if correlation_id else {}
    if err.empty:
        return _respond(err.status, None, headers)
    obj = failed_action(err.reason, err.detail) if err.in_action else fault(err.reason, err.detail)
    return _respond(err.status, obj, headers)


# --- SSO --------------------------------------------------------------------------------------------------
def _form() -> dict[str, str]:
    values = dict(parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True))
    values.update(parse_qsl(request.get_data(as_text=True), keep_blank_values=True))
    return values


@bp.route("/ovirt-engine/sso/oauth/token", methods=["POST", "GET"], provide_automatic_options=False)
def sso_token():
    form = _form()
    try:
        reply = rhv().login(form.get("grant_type", ""), form.get("username", ""), form.get("password", ""),
                            form.get("scope", ""), request.remote_addr or "")
    except SsoError as err:
        return _json(err.reply(), 400)
    return _json(reply)


@bp.route("/ovirt-engine/services/sso-logout", methods=["POST", "GET"], provide_automatic_options=False)
def sso_logout():
    rhv().logout(_form().get("token", ""))
    return _json({})


@bp.route("/ovirt-engine/services/pki-resource", methods=["GET"], provide_automatic_options=False)
def pki_resource():
    ca_file = current_app.config.get("RHV_CA_FILE")
    if request.args.get("resource") != "ca-certificate" or not ca_file or not Path(ca_file).exists():
        return _respond(404, None)
    return Response(Path(ca_file).read_bytes(), content_type="application/x-x509-ca-cert")


# --- the API ----------------------------------------------------------------------------------------------
def _body() -> xml_codec.Body:
    data = request.get_data(cache=True)
    if "json" in (request.content_type or ""):
        return json_codec.parse(data, "request")
    return xml_codec.parse(data)


@bp.route("/ovirt-engine/api", methods=API_METHODS, strict_slashes=False, provide_automatic_options=False)
@bp.route("/ovirt-engine/api/<path:rest>", methods=API_METHODS, provide_automatic_options=False)
def api(rest: str = ""):
    model = rhv()
    segments = [s for s in rest.split("/") if s]
    base = "/ovirt-engine/api"
    version = request.headers.get("Version", "").strip()
    if segments and segments[0] in ("v3", "v4"):
        version, base = segments[0][1:], f"{base}/{segments[0]}"
        segments = segments[1:]
    query = {k: v for k, v in parse_qsl(request.query_string.decode("utf-8", "replace"), keep_blank_values=True) if v}
    correlation_id = model.correlation_id(request.headers.get("Correlation-Id") or query.get("correlation_id"))
    try:
        if version and version not in SUPPORTED_VERSIONS:
            raise RhvFault(400, "Bad Request", f'Version "{version}" isn\'t supported, the supported versions are '
                                               + ", ".join(f'"{v}"' for v in SUPPORTED_VERSIONS) + ".")
        user = model.authenticate(request.headers.get("Authorization"))
        if user is None:
            return _respond(401, None, {"WWW-Authenticate": 'Bearer realm="RESTAPI"'})
        body = _body() if request.method != "GET" else xml_codec.Body(None)
        reply = model.request(ApiRequest(request.method, segments, query, body, base,
                                         model.caller(user, correlation_id), request.headers.get("Filter")))
    except RhvFault as err:
        return _fault_response(err, correlation_id)
    headers = {"Correlation-Id": correlation_id}
    if reply.location:
        headers["Location"] = request.host_url.rstrip("/") + reply.location
    return _respond(reply.status, reply.obj, headers)


# --- everything else is the engine's, too ---------------------------------------------------------------
def _not_found(_exc=None):
    return _respond(404, None)


def _not_allowed(_exc=None):
    text = f"The method {request.method} is not allowed on this resource."
    if request.path.startswith(SSO_PATHS):
        return _json({"error_code": "invalid_request", "error": text}, 405)
    return _respond(405, fault("Method Not Allowed", text))


def _too_large(_exc=None):
    text = f"The request body is larger than the {MAX_BODY} bytes the engine accepts."
    if request.path.startswith(SSO_PATHS):
        return _json({"error_code": "invalid_request", "error": text}, 413)
    return _respond(413, fault("Request Entity Too Large", text))


def _http_error(exc: HTTPException):
    """Any other refusal of the HTTP layer (a malformed request): the engine's fault, never a framework page."""
    status = exc.code or 400
    if status == 404:
        return _respond(404, None)
    reason = exc.name if status < 500 else "Operation Failed"
    if request.path.startswith(SSO_PATHS):
        return _json({"error_code": "invalid_request", "error": reason}, status)
    return _respond(status, fault(reason, exc.description or reason))


def _internal(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if isinstance(exc, RhvFault):
        return _fault_response(exc)
    log.exception("unexpected error in the RHV API")
    return _respond(500, fault("Internal Server Error", f"{type(exc).__name__}: {exc}"))


def create_app(model: Rhv, ca_file: str | Path | None = None) -> Flask:
    app = Flask("acisim.rhv", static_folder=None)  # no /static/<file>: the engine serves no files from here
    app.config["RHV"] = model
    app.config["RHV_CA_FILE"] = str(ca_file) if ca_file else None
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False  # `//` is no redirect (Werkzeug's HTML 308): the API reads empty segments
    app.register_blueprint(bp)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _not_allowed)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal)
    return app
