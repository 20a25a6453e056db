"""APIC's REST API over Flask: each route parses HTTP, calls one facade method, renders its Reply.

Every answer, errors included, is an APIC envelope in the format the URL suffix asks for; no
framework page ever reaches a client.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.utils import get_content_type

from . import codec, errors
from .aaa import Caller, parse_cookies
from .codec import SECURITY_HEADERS
from .errors import ApicError
from .mit.dn import MAX_DN_LENGTH, decode_dn
from .mit.writes import check_lengths
from .service import Apic, Reply
from .visore import bp as visore_bp
from .websocket import bp as socket_bp

bp = Blueprint("apic", __name__)



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


def raw_target(environ: dict) -> tuple[str, str]:
    """The path and query exactly as the client sent them (signatures cover the raw form)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        path, _, query = raw.partition("?")
        return path, query
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    return environ.get("SCRIPT_NAME", "") + path, environ.get("QUERY_STRING", "")


def _raw_target() -> tuple[str, str]:
    return raw_target(request.environ)


def query_params(raw_query: str) -> list[tuple[str, str]]:
    """The query options as sent (a repeated option stays repeated). cisco.aci's aci_rest asks for
    `page=None` when given a page size and no page (it formats Python's None): that is the first
    page, as a real APIC answers it (ansible-aci aci_rest test: page_size 1 alone gives one object,
    the first of page_size 2)."""
    return [(key, value) for key, value in parse_qsl(raw_query, keep_blank_values=True)
            if (key, value) != ("page", "None")]


def _params() -> list[tuple[str, str]]:
    return query_params(_raw_target()[1])


def content_type(fmt: str) -> str:
    return get_content_type("application/xml" if fmt == "xml" else "application/json", "utf-8")


def _respond(body: str, fmt: str, status: int = 200, headers: dict | None = None) -> Response:
    resp = Response(body, status=status, content_type=content_type(fmt))
    for key, value in SECURITY_HEADERS.items():
        resp.headers[key] = value
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _error(err: ApicError, fmt: str) -> Response:
    return _respond(codec.render_error(err, fmt), fmt, err.http_status)


def _format_of_request() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


def _cookies() -> dict[str, str]:
    return parse_cookies(request.headers.get("Cookie", ""))


def caller_of(model: Apic, method: str, path: str, query: str, cookie_header: str, body: bytes) -> Caller:
    """The caller of a request: its cookies, and the path?query forms a signature may cover."""
    target = path + ("?" + query if query else "")
    targets = [target] if unquote(target) == target else [target, unquote(target)]
    return model.authenticate(parse_cookies(cookie_header), method, targets, body)


def authenticate() -> Caller:
    path, query = _raw_target()
    return caller_of(apic(), request.method, path, query, request.headers.get("Cookie", ""),
                     request.get_data(cache=True))


def _reply(reply: Reply, fmt: str) -> Response:
    headers = {}
    if reply.token is not None:
        headers["Set-Cookie"] = f"APIC-cookie={reply.token}; path=/; HttpOnly; HttpOnly"
        if request.is_secure:
            # as recorded; over plain HTTP a Secure cookie would never come back from cookie-jar clients
            headers["Set-Cookie"] += "; Secure"
    return _respond(codec.render(reply.imdata, fmt, reply.total, reply.extra), fmt, headers=headers)


# --- authentication endpoints -------------------------------------------------------------------
@bp.route("/api/aaaLogin.<fmt>", methods=["POST"])
def login(fmt: str):
    _check_format(fmt)
    attrs = codec.parse_login_body(request.get_data(), fmt)
    if not attrs.get("name"):
        raise errors.login_failed()  # no user is named by an empty name (it names no aaaUser DN either)
    return _reply(apic().login(attrs["name"], attrs.get("pwd", "")), fmt)


@bp.route("/api/aaaRefresh.<fmt>", methods=["GET", "POST"])
def refresh(fmt: str):
    _check_format(fmt)
    return _reply(apic().refresh(_cookies().get("apic-cookie")), fmt)


@bp.route("/api/aaaLogout.<fmt>", methods=["POST"])
def logout(fmt: str):
    _check_format(fmt)
    return _reply(apic().logout(_cookies().get("apic-cookie")), fmt)


@bp.route("/api/webtokenSession.<fmt>", methods=["GET"])
def webtoken_session(fmt: str):
    _check_format(fmt)
    return _reply(apic().webtoken(authenticate()), fmt)


# --- the tree ------------------------------------------------------------------------------------
@bp.route("/api/subscriptionRefresh.<fmt>", methods=["GET"])
def subscription_refresh(fmt: str):
    _check_format(fmt)
    return _reply(apic().refresh_subscription(request.args.get("id", ""), authenticate()), fmt)


@bp.route("/api/<path:rest>", methods=["GET"])
def read(rest: str):
    path, fmt = _split_format(rest)
    caller = authenticate()
    kind, dn, cls = _target(path)
    return _reply(apic().get(kind, dn, cls, _params(), caller), fmt)


@bp.route("/api/<path:rest>", methods=["POST"])
def write(rest: str):
    path, fmt = _split_format(rest)
    caller = authenticate()
    kind, dn, _ = _target(path)
    if kind != "mo":
        raise errors.ApicError(400, 400, "Invalid request: POST is only accepted on /api/mo and /api/node/mo")
    data = request.get_data(cache=True)
    limit = apic().config.max_body
    if len(data) > limit:
        raise errors.body_too_large(limit)
    body = codec.parse_body(data, fmt)
    check_lengths(apic().catalog, dn, body)  # before the facade takes the store's lock for the write
    return _reply(apic().post(dn, body, caller, _params()), fmt)


@bp.route("/api/<path:rest>", methods=["DELETE"])
def remove(rest: str):
    path, fmt = _split_format(rest)
    caller = authenticate()
    kind, dn, _ = _target(path)
    if kind != "mo" or not dn:
        raise errors.ApicError(400, 400, "Invalid request: DELETE needs /api/mo/<dn>")
    return _reply(apic().delete(dn, caller, _params()), fmt)


@bp.route("/mqapi2/troubleshoot.eptracker.<fmt>", methods=["GET"])
def ep_tracker(fmt: str):
    """The endpoint tracker lives under /mqapi2, not /api, and is authenticated as /api is."""
    _check_format(fmt)
    caller = authenticate()
    return _reply(apic().ep_transitions(_params(), caller), fmt)


def _target(path: str) -> tuple[str, str, str]:
    """(`mo`, dn, '') or (`class`, scope dn, class) from the path after /api/."""
    path = path.removeprefix("node/")
    head, _, tail = path.partition("/")
    if len(tail) > MAX_DN_LENGTH:
        raise errors.dn_too_long(decode_dn(tail), MAX_DN_LENGTH)
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


class _ApicFlask(Flask):
    def make_default_options_response(self) -> Response:
        """OPTIONS (a browser's CORS preflight) is answered as the APIC's nginx does: 200 with the CORS
        headers, here with an empty envelope rather than Flask's empty text/html page."""
        resp = _respond(codec.render([], _format_of_request()), _format_of_request())
        resp.headers["Allow"] = SECURITY_HEADERS["Access-Control-Allow-Methods"]
        return resp


def create_app(model: Apic) -> Flask:
    # no static route: Flask's default /static/<file> would serve files of the working directory unauthenticated
    app = _ApicFlask("acisim.apic", static_folder=None)
    app.config["APIC"] = model
    app.config["MAX_CONTENT_LENGTH"] = model.config.max_body * 4
    app.url_map.strict_slashes = False
    # `//` in a path is routed as the client sent it and answered in the envelope, never with a redirect page
    app.url_map.merge_slashes = False
    app.register_blueprint(bp)
    app.register_blueprint(socket_bp)
    app.register_blueprint(visore_bp)  # /visore.html: the object browser, a page over this REST API
    from .fast_reads import FastReads  # it answers reads with this module's functions

    app.wsgi_app = app.extensions["acisim.fast_reads"] = FastReads(app.wsgi_app, model)
    return app


def before_every_request(app: Flask, hook) -> None:
    """`hook()` before every request of the APIC app: the reads FastReads answers and Flask's routes alike.
    The hook gets no request context."""
    app.before_request(hook)
    app.extensions["acisim.fast_reads"].before.append(hook)
