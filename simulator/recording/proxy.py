"""A recording reverse proxy: a plain WSGI app (no framework) that forwards every request to one upstream (an APIC,
an RHV Manager, the lab's or real gear) and appends each exchange to a TrafficLog.

Forwarded as the client sent them: the method, the raw path and query (percent-encoding kept, so a signed request's
signature still matches), the body and every header but the hop-by-hop ones, Host (the upstream's own) and
Accept-Encoding (asked as identity, so the body recorded is the body answered). The upstream's answer comes back
whole: status, headers (each Set-Cookie on its own; a Location naming the upstream is rewritten to the proxy) and
body. The proxy keeps no cookies of its own, so every client's session stays its own.

Not proxied: websocket upgrades (the APIC's /socket<token> event channel). They are answered 501 in the APIC's
error envelope for /socket* paths (a client sees why), plainly otherwise, and recorded. An upstream that cannot be
reached is answered 502 (the APIC envelope for /api paths, an oVirt <fault> for /ovirt-engine paths) and
recorded. The codes of these envelopes ("501", "502") are the proxy's own, not an APIC's (inferred: a real
APIC's nginx answers its own HTML page there).
"""

from __future__ import annotations

import json
import threading
import time
from http.client import responses
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from xml.sax.saxutils import escape

import requests
import urllib3

from .traffic import Exchange, TrafficLog

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length", "accept-encoding"}
ANSWER_DROPPED = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
TIMEOUT = 300.0


class RecordingProxy:
    def __init__(self, upstream: str, log: TrafficLog, verify: bool | str = True, timeout: float = TIMEOUT):
        self.upstream = upstream.rstrip("/")
        self.log, self.verify, self.timeout = log, verify, timeout
        self._local = threading.local()
        if verify is False:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False  # no proxy from the environment, no CA bundle but the one asked for
            session.verify = self.verify
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # clients keep their cookies
        return session

    def __call__(self, environ: dict, start_response):
        method = environ["REQUEST_METHOD"]
        target = environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
        path, _, query = target.partition("?")
        headers = _request_headers(environ)
        body = _body(environ)
        if _websocket(environ):
            status, answer_headers, answer = _not_proxied(path)
        else:
            status, answer_headers, answer = self._forward(method, path, query, headers, body, environ)
        content_type = next((v for k, v in answer_headers if k.lower() == "content-type"), "")
        self.log.append(Exchange.redacted(time.time(), method, path, query, headers, body, status, content_type,
                                          answer))
        start_response(f"{status} {responses.get(status, 'Unknown')}",
                       [*answer_headers, ("Content-Length", str(len(answer)))])
        return [answer]

    def _forward(self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes,
                 environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
        url = self.upstream + path + (f"?{query}" if query else "")
        sent = {k: v for k, v in _joined(headers).items() if k.lower() not in HOP_BY_HOP}
        sent["Accept-Encoding"] = "identity"
        try:
            reply = self._session().request(method, url, headers=sent, data=body or None, allow_redirects=False,
                                            timeout=self.timeout)
        except requests.RequestException as exc:
            return _unreachable(path, f"the upstream {self.upstream} cannot be reached: {type(exc).__name__}")
        here = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        answer = []
        for name, value in reply.raw.headers.items():
            if name.lower() in ANSWER_DROPPED:
                continue
            if name.lower() == "location" and value.startswith(self.upstream):
                value = here + value[len(self.upstream):]
            answer.append((name, value))
        return reply.status_code, answer, reply.content


def _websocket(environ: dict) -> bool:
    """A websocket handshake: the server leaves out the Upgrade header of a request it does not upgrade, so the
    handshake's own headers (a key, or Connection: Upgrade) say it."""
    return bool(environ.get("acisim.websocket") or environ.get("HTTP_SEC_WEBSOCKET_KEY")
                or "upgrade" in environ.get("HTTP_CONNECTION", "").lower())


def _request_headers(environ: dict) -> list[tuple[str, str]]:
    out = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out.append((key[5:].replace("_", "-").title(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            out.append((key.replace("_", "-").title(), value))
    return out


def _joined(headers: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers:
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _body(environ: dict) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def apic_error(code: str, text: str) -> bytes:
    return json.dumps({"totalCount": "1", "imdata": [{"error": {"attributes": {"code": code, "text": text}}}]}).encode()


def _not_proxied(path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    text = ("websocket upgrades are not proxied by acisim record proxy: connect the event channel (/socket) "
            "to the upstream itself")
    if path.startswith("/socket"):
        return 501, [("Content-Type", "application/json")], apic_error("501", text)
    return 501, [("Content-Type", "text/plain; charset=utf-8")], text.encode()


def _unreachable(path: str, text: str) -> tuple[int, list[tuple[str, Any]], bytes]:
    if path.startswith("/ovirt-engine"):
        xml = f"<fault><reason>Bad Gateway</reason><detail>{escape(text)}</detail></fault>"
        return 502, [("Content-Type", "application/xml")], xml.encode()
    if path.startswith("/api"):
        return 502, [("Content-Type", "application/json")], apic_error("502", text)
    return 502, [("Content-Type", "text/plain; charset=utf-8")], text.encode()
