"""The Kubernetes API over Flask, as kubectl and client-go speak it: discovery, the OpenAPI documents,
health, and the resource paths (/api/v1/..., /apis/<group>/<version>/..., namespaced and cluster
forms, /status and /scale), with `?watch=true` streamed as newline-delimited JSON events.

Each route parses HTTP and calls one facade method; every answer that is not an object is a metav1
Status, errors included, so no framework page ever reaches a client. A client whose Accept header asks
for `as=Table;g=meta.k8s.io` (kubectl get does) gets reads and watch events as a meta.k8s.io Table
printed by tables.py; any other client gets the plain objects and lists.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

import yaml
from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from . import errors, protobuf, tables, validation
from .errors import KubeError
from .kinds import Kind
from .protobuf import ProtobufError
from .service import Kube

bp = Blueprint("k8s", __name__)

PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
OPEN = ("/version", "/healthz", "/livez", "/readyz")
WATCH_LIMIT = 1800.0  # seconds a watch with no timeout of its own lasts (the API server's minRequestTimeout)
TABLE_VERSIONS = ("v1", "v1beta1")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms)")


def kube() -> Kube:
    return current_app.config["KUBE"]


def _json(obj: object, code: int = 200, headers: dict | None = None) -> Response:
    resp = Response(json.dumps(obj, separators=(",", ":")), status=code, mimetype="application/json")
    resp.headers["Cache-Control"] = "no-cache, private"
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


@bp.before_app_request
def authenticate():
    if request.path in OPEN:
        return None
    if not kube().authenticate(request.headers.get("Authorization")):
        raise errors.unauthorized()
    return None


# --- discovery, OpenAPI, health ------------------------------------------------------------------
@bp.route("/version")
def version():
    return _json(kube().version())


@bp.route("/healthz")
@bp.route("/livez")
@bp.route("/readyz")
def health():
    return Response("ok", mimetype="text/plain")


@bp.route("/api")
@bp.route("/apis")
@bp.route("/api/<version>")
@bp.route("/apis/<group>")
@bp.route("/apis/<group>/<version>")
def discovery(group: str = "", version: str = ""):
    doc = kube().discovery().get(request.path.rstrip("/"))
    if doc is None:
        raise errors.resource_not_found()
    return _json(doc)


@bp.route("/openapi/v2")
def openapi_v2():
    return Response(validation.openapi_v2(), mimetype="application/json")


@bp.route("/openapi/v3")
def openapi_v3_index():
    return _json(validation.openapi_v3_index())


@bp.route("/openapi/v3/<path:group_version>")
def openapi_v3(group_version: str):
    doc = validation.openapi_v3(group_version)
    if doc is None:
        raise errors.resource_not_found()
    return _json(doc)


# --- resources -----------------------------------------------------------------------------------
def _target(group: str, version: str, rest: str) -> tuple[Kind, str, str, str]:
    """(kind, namespace, name, subresource) from the path after the group version."""
    parts = [p for p in rest.split("/") if p]
    namespace = ""
    if len(parts) >= 3 and parts[0] == "namespaces" and parts[2] not in ("status", "finalize"):
        namespace, parts = parts[1], parts[2:]
    if not parts or len(parts) > 3:
        raise errors.resource_not_found()
    kind = kube().resolve(group, version, parts[0])
    if kind is None or (namespace and not kind.namespaced):
        raise errors.resource_not_found()
    name = parts[1] if len(parts) > 1 else ""
    sub = parts[2] if len(parts) > 2 else ""
    if sub and sub not in kind.subresources:
        raise errors.resource_not_found()
    return kind, namespace, name, sub


def _body(as_yaml: bool = False) -> object:
    data = request.get_data()
    if request.mimetype == protobuf.MEDIA_TYPE:
        try:
            return protobuf.decode(data)
        except ProtobufError:
            raise errors.unsupported_media_type(("application/json", "application/yaml")) from None
    try:
        if as_yaml or (request.mimetype or "").endswith("yaml"):
            return yaml.safe_load(data.decode("utf-8"))
        return json.loads(data)
    except (ValueError, yaml.YAMLError) as exc:
        raise errors.bad_request(f"couldn't get version/kind; json parse error: {exc}") from None


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true")


def _options() -> dict:
    return {"dry_run": request.args.get("dryRun") == "All",
            "field_validation": request.args.get("fieldValidation", "Warn")}


def _seconds(text: str) -> float | None:
    if not text:
        return None
    if text.isdigit():
        return float(text)
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    found = _DURATION.findall(text)
    return sum(float(n) * units[u] for n, u in found) if found else None


@bp.route("/api/v1/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def core(rest: str):
    return _resource("", "v1", rest)


@bp.route("/apis/<group>/<version>/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def grouped(group: str, version: str, rest: str):
    return _resource(group, version, rest)


def _table_version() -> str | None:
    """The meta.k8s.io Table version the Accept header asks for before anything else it accepts, or None
    (plain objects): kubectl sends Table v1, Table v1beta1, then application/json."""
    for media_range in request.headers.get("Accept", "").split(","):
        kind, *params = (part.strip() for part in media_range.split(";"))
        options = dict(p.partition("=")[::2] for p in params)
        if options.get("as") == "Table" and options.get("g") == "meta.k8s.io" and options.get("v") in TABLE_VERSIONS:
            return f"meta.k8s.io/{options['v']}"
        if kind in ("application/json", "application/*", "*/*", protobuf.MEDIA_TYPE) and "as" not in options:
            return None
    return None


def _tabler(kind: Kind, table_version: str) -> Callable[[list[dict], str], dict]:
    """Objects and a resourceVersion -> the Table, fixed at request time (a watch streams outside it)."""
    model, include = kube(), request.args.get("includeObject", "Metadata")
    crd = model.store.get("customresourcedefinitions.apiextensions.k8s.io", "", kind.key) if kind.custom else None
    printer = tables.printer_for(kind, crd)
    return lambda objs, rv: tables.table(printer, kind, objs, model.clock.now(), rv, include, table_version)


def _resource(group: str, version: str, rest: str) -> Response:
    kind, namespace, name, sub = _target(group, version, rest)
    method = request.method
    table_version = _table_version() if method == "GET" and sub != "scale" else None
    if method == "GET" and not name:
        if _flag("watch"):
            return _watch(kind, namespace, table_version)
        items, rv = kube().list(kind.key, namespace or None, request.args.get("labelSelector", ""),
                                request.args.get("fieldSelector", ""))
        if table_version:
            return _json(_tabler(kind, table_version)(items, rv))
        return _json({"kind": kind.kind + "List", "apiVersion": kind.api_version,
                      "metadata": {"resourceVersion": rv}, "items": items})
    if method == "GET":
        obj = kube().get(kind.key, namespace, name, sub)
        if table_version:
            return _json(_tabler(kind, table_version)([obj], obj["metadata"].get("resourceVersion", "")))
        return _json(obj)
    if method == "POST" and not name:
        created = kube().create(kind.key, namespace, _body(), field_manager=request.args.get("fieldManager", ""),
                                **_options())
        return _json(created, 201)
    if method == "PUT" and name:
        return _json(kube().replace(kind.key, namespace, name, _body(), sub,
                                    field_manager=request.args.get("fieldManager", ""), **_options()))
    if method == "PATCH" and name:
        patch_type = PATCH_TYPES.get(request.mimetype or "")
        if patch_type is None:
            raise errors.unsupported_media_type(tuple(PATCH_TYPES))
        return _json(kube().patch(kind.key, namespace, name, patch_type, _body(patch_type == "apply"), sub,
                                  field_manager=request.args.get("fieldManager", ""), force=_flag("force"),
                                  **_options()))
    if method == "DELETE" and name and not sub:
        options = _body() if request.get_data() else {}
        preconditions = options.get("preconditions") if isinstance(options, dict) else None
        dry_run = request.args.get("dryRun") == "All" or (isinstance(options, dict) and options.get("dryRun") == ["All"])
        return _json(kube().delete(kind.key, namespace, name, dry_run, preconditions))
    raise errors.method_not_allowed()


def _watch(kind: Kind, namespace: str, table_version: str | None) -> Response:
    """The event stream; asked for a Table, each object event carries a one-row Table (with its column
    definitions, so every event prints on its own), as the API server's watch transforms them."""
    sub = kube().watch(kind.key, namespace or None, request.args.get("resourceVersion", ""),
                       request.args.get("labelSelector", ""), request.args.get("fieldSelector", ""))
    limit = _seconds(request.args.get("timeoutSeconds", "")) or _seconds(request.args.get("timeout", "")) or WATCH_LIMIT
    deadline = time.monotonic() + limit
    as_table = _tabler(kind, table_version) if table_version else None

    def stream():
        try:
            yield ""  # the headers go out at once, as the API server answers a watch before its first event
            while (remaining := deadline - time.monotonic()) > 0:
                event = sub.next(timeout=remaining)
                if event is None:
                    if sub.closed:
                        return
                    continue
                wire = event.wire()
                if as_table and wire["type"] in ("ADDED", "MODIFIED", "DELETED"):
                    obj = wire["object"]
                    wire = {"type": wire["type"], "object": as_table([obj], obj["metadata"].get("resourceVersion", ""))}
                yield json.dumps(wire, separators=(",", ":")) + "\n"
        finally:
            sub.close()

    resp = Response(stream(), mimetype="application/json")
    resp.headers["Cache-Control"] = "no-cache, private"
    return resp


# --- every error a Status -----------------------------------------------------------------------
@bp.app_errorhandler(KubeError)
def kube_error(err: KubeError):
    return _json(err.status(), err.code)


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code == 404:
        err = errors.resource_not_found()
    elif exc.code == 405:
        err = errors.method_not_allowed()
    else:
        err = KubeError(exc.code or 400, "BadRequest", exc.description or exc.name)
    return _json(err.status(), err.code)


@bp.app_errorhandler(Exception)
def unexpected(exc: Exception):
    current_app.logger.exception("unexpected error")
    err = KubeError(500, "InternalError", f"Internal error occurred: {exc}", {"causes": [{"message": str(exc)}]})
    return _json(err.status(), 500)


def create_app(model: Kube) -> Flask:
    app = Flask("acisim.k8s", static_folder=None)  # no /static/<file> route serving the working directory
    app.config["KUBE"] = model
    app.url_map.strict_slashes = False
    app.register_blueprint(bp)
    return app
