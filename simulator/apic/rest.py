"""APIC's REST API over Flask: a thin translation from HTTP to the model and back.

Every answer, errors included, is an APIC envelope in the format the URL suffix asks for; no
framework page ever reaches a client.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from . import codec, errors
from .aaa import Caller, has_signature, parse_cookies
from .errors import ApicError
from .mit.dn import decode_dn
from .modified import modified_tree
from .query import Query
from .service import BUILD_TIME, Apic
from .websocket import bp as socket_bp

bp = Blueprint("apic", __name__)

AUTH_FREE = ("aaaLogin", "aaaRefresh", "aaaLogout", "webtokenSession", "requestAppToken")
SECURITY_HEADERS = {
    "Access-Control-Allow-Headers": "Origin, X-Requested-With, Content-Type, Accept, devcookie, APIC-challenge",
    "Access-Control-Allow-Methods": "POST,GET,OPTIONS,DELETE",
    "X-Frame-Options": "SAMEORIGIN",
    "Strict-Transport-Security": "max-age=31536000; includeSubdomains",
    "Cache-Control": 'no-cache="Set-Cookie, Set-Cookie2"',
    "Client-Cert-Enabled": "false",
}


def apic() -> Apic:
    return current_app.config["APIC"]


# --- request helpers ----------------------------------------------------------------------------
def _split_format(path: str) -> tuple[str, str]:
    """`mo/uni/tn-a.json` -> (`mo/uni/tn-a`, `json`); the suffix alone picks the format."""
    for fmt in ("json", "xml"):
        if path.endswith("." + fmt):
            return path[: -len(fmt) - 1], fmt
    raise errors.ApicError(400, 400, f"Invalid request: unsupported format in {path} (use .json or .xml)")


def _check_format(fmt: str) -> None:
    if fmt not in ("json", "xml"):
        raise errors.ApicError(400, 400, f"Invalid request: unsupported format .{fmt} (use .json or .xml)")


def _raw_target() -> tuple[str, str]:
    """The path and query exactly as the client sent them (signatures cover the raw form)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        path, _, query = raw.partition("?")
        return path, query
    return request.path, request.query_string.decode("latin-1")


def _params(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def _respond(body: str, fmt: str, status: int = 200, headers: dict | None = None) -> Response:
    mimetype = "application/xml" if fmt == "xml" else "application/json"
    resp = Response(body, status=status, mimetype=mimetype)
    for key, value in SECURITY_HEADERS.items():
        resp.headers[key] = value
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _error(err: ApicError, fmt: str) -> Response:
    return _respond(codec.render_error(err, fmt), fmt, err.http_status)


def _format_of_request() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


def authenticate() -> Caller:
    """A live token cookie, or a valid request signature; 403 with APIC's texts otherwise."""
    model = apic()
    cookies = parse_cookies(request.headers.get("Cookie", ""))
    if has_signature(cookies):
        path, query = _raw_target()
        targets = [path + ("?" + query if query else "")]
        decoded = unquote(targets[0])
        if decoded != targets[0]:
            targets.append(decoded)
        return model.aaa.verify_signature(cookies, request.method, targets, request.get_data(cache=True))
    session = model.aaa.session_for(cookies.get("apic-cookie"))
    model.aaa.touch(session)
    return Caller(user=session.user, session=session)


# --- authentication endpoints -------------------------------------------------------------------
def _login_reply(session, fmt: str) -> Response:
    model = apic()
    attrs = model.aaa.login_attributes(session, model.config.version, BUILD_TIME)
    imdata = [
        {
            "aaaLogin": {
                "attributes": attrs,
                "children": [
                    {"aaaUserDomain": {"attributes": {"name": "all", "rolesR": "admin", "rolesW": "admin"}}}
                ],
            }
        }
    ]
    cookie = f"APIC-cookie={session.token}; path=/; HttpOnly; HttpOnly"
    if request.is_secure:
        # as recorded; over plain HTTP a Secure cookie would never come back from cookie-jar clients
        cookie += "; Secure"
    return _respond(codec.render(imdata, fmt), fmt, headers={"Set-Cookie": cookie})


@bp.route("/api/aaaLogin.<fmt>", methods=["POST"])
def login(fmt: str):
    _check_format(fmt)
    attrs = codec.parse_login_body(request.get_data(), fmt)
    session = apic().aaa.login(attrs.get("name", ""), attrs.get("pwd", ""))
    return _login_reply(session, fmt)


@bp.route("/api/aaaRefresh.<fmt>", methods=["GET", "POST"])
def refresh(fmt: str):
    _check_format(fmt)
    cookies = parse_cookies(request.headers.get("Cookie", ""))
    session = apic().aaa.refresh(cookies.get("apic-cookie"))
    return _login_reply(session, fmt)


@bp.route("/api/aaaLogout.<fmt>", methods=["POST"])
def logout(fmt: str):
    _check_format(fmt)
    cookies = parse_cookies(request.headers.get("Cookie", ""))
    token = cookies.get("apic-cookie")
    apic().aaa.logout(token)
    apic().subscriptions.drop_session(token)
    return _respond(codec.render([], fmt), fmt)


@bp.route("/api/webtokenSession.<fmt>", methods=["GET"])
def webtoken_session(fmt: str):
    _check_format(fmt)
    caller = authenticate()
    session = caller.session or apic().aaa.webtoken_session(caller)
    imdata = [{"webtokenSession": {"attributes": {"token": session.token}}}]
    return _respond(codec.render(imdata, fmt), fmt)


# --- the tree ------------------------------------------------------------------------------------
@bp.route("/api/subscriptionRefresh.<fmt>", methods=["GET"])
def subscription_refresh(fmt: str):
    _check_format(fmt)
    authenticate()
    sub_id = request.args.get("id", "")
    apic().subscriptions.refresh(sub_id)
    return _respond(codec.render([], fmt), fmt)


@bp.route("/api/<path:rest>", methods=["GET"])
def read(rest: str):
    path, fmt = _split_format(rest)
    caller = authenticate()
    model = apic()
    params = _params(_raw_target()[1])
    query = Query.from_params(params, model.catalog)
    kind, dn, cls = _target(path)
    if kind == "mo":
        imdata, total = model.queries.mo_query(dn, query)
    else:
        imdata, total = model.queries.class_query(cls, query, scope=dn or None)
    extra = _subscription(caller, params, kind, dn, cls, query)
    return _respond(codec.render(imdata, fmt, total, extra), fmt)


def _subscription(caller: Caller, params, kind: str, dn: str, cls: str, query: Query) -> dict | None:
    """`subscription=yes` subscribes the caller's web token session to this query."""
    values = dict(params)
    wanted = values.get("subscription")
    if wanted not in ("yes", "no"):
        return None
    token = caller.session.token if caller.session else parse_cookies(request.headers.get("Cookie", "")).get(
        "apic-websocket-session"
    )
    if not token:
        raise errors.ApicError(
            400, 400, "Subscription requires a web token session: log in, or sign GET /api/webtokenSession.json"
        )
    key = (kind, dn, cls, tuple(p for p in params if p[0] not in ("subscription", "refresh-timeout")))
    subs = apic().subscriptions
    if wanted == "no":
        subs.unsubscribe(token, key)
        return None
    target = dn if kind == "mo" else cls
    scope = dn if kind == "class" else ""
    return {"subscriptionId": subs.subscribe(token, kind, target, scope, query, key, values.get("refresh-timeout"))}


@bp.route("/api/<path:rest>", methods=["POST"])
def write(rest: str):
    path, fmt = _split_format(rest)
    authenticate()
    kind, dn, _ = _target(path)
    if kind != "mo":
        raise errors.ApicError(400, 400, "Invalid request: POST is only accepted on /api/mo and /api/node/mo")
    model = apic()
    data = request.get_data(cache=True)
    if len(data) > model.config.max_body:
        raise errors.body_too_large(model.config.max_body)
    body = codec.parse_body(data, fmt)
    result = model.writer.post(dn, body)
    return _write_reply(result, fmt)


@bp.route("/api/<path:rest>", methods=["DELETE"])
def remove(rest: str):
    path, fmt = _split_format(rest)
    authenticate()
    kind, dn, _ = _target(path)
    if kind != "mo" or not dn:
        raise errors.ApicError(400, 400, "Invalid request: DELETE needs /api/mo/<dn>")
    result = apic().writer.delete(dn)
    return _write_reply(result, fmt)


def _write_reply(result, fmt: str) -> Response:
    params = dict(_params(_raw_target()[1]))
    if params.get("rsp-subtree") == "modified":
        imdata = modified_tree(result, apic().class_of)
        return _respond(codec.render(imdata, fmt), fmt)
    return _respond(codec.render([], fmt), fmt)


def _target(path: str) -> tuple[str, str, str]:
    """(`mo`, dn, '') or (`class`, scope dn, class) from the path after /api/."""
    if path.startswith("node/"):
        path = path[5:]
    head, _, tail = path.partition("/")
    if head == "mo":
        return "mo", decode_dn(tail).strip("/"), ""
    if head == "class" and tail:
        scope, _, cls = decode_dn(tail).rpartition("/")
        return "class", scope, cls
    raise errors.ApicError(400, 400, f"Invalid request: unknown API path /api/{path}")


# --- every error in APIC's envelope --------------------------------------------------------------
@bp.app_errorhandler(ApicError)
def apic_error(err: ApicError):
    return _error(err, _format_of_request())


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code == 413:
        err = errors.body_too_large(apic().config.max_body)
    else:
        err = ApicError(exc.code or 400, exc.code or 400, f"{exc.name}: {request.method} {request.path}")
    return _error(err, _format_of_request())


@bp.app_errorhandler(Exception)
def unexpected(exc: Exception):
    current_app.logger.exception("unexpected error")
    err = ApicError(500, 500, f"Internal error while processing {request.method} {request.path}: {exc}")
    return _error(err, _format_of_request())


def create_app(model: Apic) -> Flask:
    app = Flask("acisim.apic")
    app.config["APIC"] = model
    app.config["MAX_CONTENT_LENGTH"] = model.config.max_body * 4
    app.url_map.strict_slashes = False
    app.register_blueprint(bp)
    app.register_blueprint(socket_bp)
    return app
