"""The APIC's reads answered straight from WSGI, before Flask builds a request context.

A small DN or class query (`GET /api/mo/uni/tn-common.json`) costs the APIC itself about 30 µs (the lab's
tick, the caller's session, the query, the envelope); Flask's per-request machinery around it (request
context, URL routing, before/after hooks, the Response object and its header list) cost five times as much
(bench/serving.py --profile). So GETs of `/api/[node/]mo/...` and `/api/[node/]class/...` are answered
here, by the same functions the Flask route `rest.read` calls, with the same status, headers and body;
everything else (writes, login, other paths, a GET with a body, a websocket upgrade) goes on to Flask. A read
repeated while the tree has not changed is answered from the answer kept for it (`FastReads._read`).

It wraps `app.wsgi_app` (Flask's place for a WSGI middleware), so the Flask app, its test client and the
servers all see it. `before` are the app's own per-request hooks that need no request context (the lab's
tick, added with `rest.before_every_request`); they run before every read, as Flask runs them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

from werkzeug.http import HTTP_STATUS_CODES

from . import codec
from .codec import SECURITY_HEADERS
from .errors import ApicError
from .rest import _split_format, _target, caller_of, content_type, query_params, raw_target
from .service import Apic

READ_PATH = re.compile(r"/api/(?:node/)?(?:mo|class)/.+\.(?:json|xml)\Z", re.DOTALL)
MAX_KEPT_ANSWERS = 256  # answers kept for repeated reads; all are dropped when one more would not fit
MAX_KEPT_BODY = 64 * 1024  # larger answers are read again each time
log = logging.getLogger("acisim.apic")


class FastReads:
    def __init__(self, wsgi_app: Callable, model: Apic, before: Iterable[Callable[[], object]] = ()):
        self.wsgi_app = wsgi_app
        self.model = model
        self.before = list(before)
        self._kept: dict[tuple[str, str, str, bool], tuple[int, str]] = {}

    def __call__(self, environ: dict, start_response: Callable):
        if not self._is_plain_read(environ):
            return self.wsgi_app(environ, start_response)
        path_info = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        fmt = "xml" if path_info.endswith(".xml") else "json"
        try:
            for hook in self.before:
                hook()
            status, body = 200, self._read(environ, path_info[len("/api/"):])
        except ApicError as err:
            status, body = err.http_status, codec.render_error(err, fmt)
        except Exception as exc:  # as rest.unexpected answers it: logged, and the envelope with a 500
            log.exception("unexpected error")
            status = 500
            body = codec.render_error(ApicError(500, 500, f"Internal error while processing GET {path_info}: {exc}"),
                                      fmt)
        data = body.encode("utf-8")
        headers = [("Content-Type", content_type(fmt)), ("Content-Length", str(len(data)))]
        headers.extend(SECURITY_HEADERS.items())
        start_response(_status_line(status), headers)
        return [data]

    def _read(self, environ: dict, rest: str) -> str:
        """What `rest.read` answers: the format, the caller, the target, the query and its envelope.

        The caller is authenticated on every read (the session's idle time restarts, a signature is checked).
        The answer is kept per (path, query, user) with the store's generation it was read at, and given again
        while no write has changed the tree since: a read is a function of the tree and the user's grants,
        which are in the tree. A subscribing read (`subscription=yes`) opens a subscription each time and is
        never kept."""
        path, fmt = _split_format(rest)
        raw_path, raw_query = raw_target(environ)
        caller = caller_of(self.model, "GET", raw_path, raw_query, environ.get("HTTP_COOKIE", ""), b"")
        generation = self.model.store.generation  # read before the tree is: the answer is as new as this or newer
        key = (raw_path, raw_query, caller.user, caller.system)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == generation:
            return kept[1]
        kind, dn, cls = _target(path)
        reply = self.model.get(kind, dn, cls, query_params(raw_query), caller)
        body = codec.render(reply.imdata, fmt, reply.total, reply.extra)
        if "subscription" not in raw_query.lower() and len(body) <= MAX_KEPT_BODY:
            if len(self._kept) >= MAX_KEPT_ANSWERS:
                self._kept.clear()
            self._kept[key] = (generation, body)
        return body

    @staticmethod
    def _is_plain_read(environ: dict) -> bool:
        """A GET of the tree with no body and no upgrade: what `_read` answers exactly as Flask would."""
        return (environ.get("REQUEST_METHOD") == "GET"
                and READ_PATH.match(environ.get("PATH_INFO", "")) is not None
                and not environ.get("CONTENT_LENGTH", "0").strip("0")
                and "HTTP_TRANSFER_ENCODING" not in environ
                and "HTTP_UPGRADE" not in environ
                and "acisim.websocket" not in environ)


def _status_line(status: int) -> str:
    """The status line as Werkzeug's Response writes it (`400 BAD REQUEST`)."""
    return f"{status} {HTTP_STATUS_CODES.get(status, 'UNKNOWN').upper()}"
