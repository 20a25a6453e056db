"""A session's traffic as a file: one JSON object a line, one line an exchange, in the order they were answered.

    {"time": 1796000000.123, "method": "POST", "path": "/api/mo/uni/tn-t.json", "query": "",
     "request_headers": {"Cookie": "APIC-cookie=<redacted>", ...}, "request_body": "{...}",
     "status": 200, "content_type": "application/json", "response_body": "{...}"}

What `acisim record proxy` (proxy.py) writes and what `acisim record fixture|replay` (replay.py) read. Secrets are
redacted before a line is written: the values of the Cookie, Authorization and Proxy-Authorization headers (the
cookie names stay, so a reader sees which session was used), the password of an APIC login (`pwd` of aaaLogin,
aaaRefresh is cookie-only), the password of an RHV SSO token request (the form's `password`) and the session
tokens the answers to those carry (aaaLogin's `token`, the SSO's `access_token`). The properties of
configuration writes are recorded as they were sent, a password of a vmmUsrAccP or an aaaUser included, because
replaying them needs them: treat a recording like the configuration it holds.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode

from . import RecordError

REDACTED = "<redacted>"
SECRET_HEADERS = ("authorization", "proxy-authorization")
APIC_LOGINS = re.compile(r"^/api/(aaaLogin|aaaRefresh|webtokenSession)\.(json|xml)$")
RHV_SSO_TOKEN = "/ovirt-engine/sso/oauth/token"


@dataclass
class Exchange:
    time: float
    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    content_type: str
    response_body: str

    @classmethod
    def redacted(cls, time: float, method: str, path: str, query: str, headers: list[tuple[str, str]],
                 body: bytes, status: int, content_type: str, response: bytes) -> Exchange:
        """The exchange as it may be written down: the secrets named in the module's docstring replaced."""
        return cls(time, method, path, query, redact_headers(headers), redact_request(path, _text(body)), status,
                   content_type, redact_response(path, _text(response)))

    def line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def redact_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers:
        low = name.lower()
        if low in SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} {REDACTED}".strip()
        elif low == "cookie":
            value = "; ".join(f"{part.split('=', 1)[0].strip()}={REDACTED}" for part in value.split(";")
                              if part.strip())
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def redact_request(path: str, body: str) -> str:
    if APIC_LOGINS.match(path):
        return _redact_apic_login(body)
    if path == RHV_SSO_TOKEN and body:
        pairs = parse_qsl(body, keep_blank_values=True)
        return urlencode([(k, REDACTED if k == "password" else v) for k, v in pairs])
    return body


def redact_response(path: str, body: str) -> str:
    if APIC_LOGINS.match(path):
        body = re.sub(r'("token"\s*:\s*")[^"]*(")', rf"\g<1>{REDACTED}\g<2>", body)
        return re.sub(r'(\btoken=")[^"]*(")', rf"\g<1>{REDACTED}\g<2>", body)
    if path == RHV_SSO_TOKEN:
        return re.sub(r'("access_token"\s*:\s*")[^"]*(")', rf"\g<1>{REDACTED}\g<2>", body)
    return body


def _redact_apic_login(body: str) -> str:
    """aaaLogin's `pwd` in JSON (`"pwd": "..."`) or XML (`pwd="..."`), whatever the body's shape otherwise."""
    body = re.sub(r'("pwd"\s*:\s*")(?:[^"\\]|\\.)*(")', rf"\g<1>{REDACTED}\g<2>", body)
    return re.sub(r"""(\bpwd\s*=\s*)(["'])(?:(?!\2).)*\2""", rf'\g<1>"{REDACTED}"', body)


class TrafficLog:
    """The JSONL file a proxy appends to, one exchange at a time from any thread; each line is flushed when
    written, so what was answered is on disk even if the proxy is killed."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._file: IO[str] = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close())
        self.count = 0

    def append(self, exchange: Exchange) -> None:
        with self._lock:
            self._file.write(exchange.line() + "\n")
            self._file.flush()
            self.count += 1

    def close(self) -> None:
        with self._lock:
            self._file.close()


def read(path: Path) -> list[dict[str, Any]]:
    """The exchanges of a recording, in order; RecordError naming the line that is not one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RecordError(f"{path}: {exc.strerror or exc}") from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            exchange = json.loads(line)
        except ValueError as exc:
            raise RecordError(f"{path}:{number}: not a JSON object: {exc}") from None
        if not isinstance(exchange, dict) or not {"method", "path", "status"} <= exchange.keys():
            raise RecordError(f"{path}:{number}: not an exchange (method, path and status are needed)")
        exchange["line"] = number
        out.append(exchange)
    return out
