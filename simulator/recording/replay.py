"""The APIC writes of a recorded session (traffic.py), replayed: as an `acisim serve --fixture` file, or re-sent to
a running APIC.

A write is what changed the APIC's tree and was acknowledged: `POST /api/mo/<dn>.json|xml` or
`DELETE /api/mo/<dn>.json|xml` (or `/api/node/mo/...`, the same on an APIC) answered 200, in the order recorded. Logins, reads, class URLs, refused writes and
the RHV Manager's traffic are not writes here. XML bodies are read with the APIC's own codec, so both formats give
the same `{CLASS: {attributes, children}}` bodies.

The fixture format is a list of `{dn, body}` posted in order (ApicService.load_tree), which has no DELETE; a
delete becomes what an APIC takes for the same change, a post of the DN's class with `status: deleted` (the class
named by the DN's RNs, from the simulator's catalog). Folded: a delete also drops the earlier entries at or under
its DN, which it would undo anyway, so a fixture holds what the session left, not each step it took.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import requests

from ..apic import codec
from ..apic.errors import ApicError
from ..apic.mit.catalog import Catalog, default_catalog
from ..apic.mit.dn import is_ancestor
from ..apic.mit.proposed import ProposedMO
from . import RecordError

MO_URL = re.compile(r"^/api/(?:node/)?mo/(?P<dn>.+)\.(?P<fmt>json|xml)$")
TIMEOUT = 120.0


@dataclass
class Write:
    method: str  # POST or DELETE
    dn: str
    body: dict[str, Any] | None  # {CLASS: {attributes, children}}; None for a DELETE
    line: int  # of the recording

    def describe(self) -> str:
        return f"{self.method} {self.dn}" + (f" ({next(iter(self.body))})" if self.body else "")


def writes(exchanges: list[dict[str, Any]]) -> list[Write]:
    """The acknowledged APIC writes of a recording, in order; RecordError for a body the APIC codec refuses."""
    out = []
    for ex in exchanges:
        match = MO_URL.match(ex["path"])
        if not match or ex["method"] not in ("POST", "DELETE") or ex["status"] != 200:
            continue
        dn = unquote(match["dn"])
        if ex["method"] == "DELETE":
            out.append(Write("DELETE", dn, None, ex["line"]))
            continue
        try:
            mo = codec.parse_body(ex.get("request_body", "").encode("utf-8"), match["fmt"])
        except ApicError as exc:
            raise RecordError(f"line {ex['line']}: POST {dn}: a body the APIC codec cannot read: {exc}") from None
        out.append(Write("POST", dn, node(mo), ex["line"]))
    return out


def node(mo: ProposedMO) -> dict[str, Any]:
    body: dict[str, Any] = {"attributes": dict(mo.attrs)}
    if mo.children:
        body["children"] = [node(child) for child in mo.children]
    return {mo.cls: body}


def fixture_entries(recorded: list[Write], catalog: Catalog | None = None) -> tuple[list[dict], list[Write]]:
    """The fixture's entries, folded as the module's docstring says, and the deletes of DNs no class of the
    catalog names (left out)."""
    catalog = catalog or default_catalog()
    entries: list[dict] = []
    unknown: list[Write] = []
    for write in recorded:
        if write.body is not None:
            entries.append({"dn": write.dn, "body": write.body})
            continue
        meta = catalog.class_of_dn(write.dn)
        if meta is None:
            unknown.append(write)
            continue
        entries = [e for e in entries if not (e["dn"] == write.dn or is_ancestor(write.dn, e["dn"]))]
        entries.append({"dn": write.dn, "body": {meta.name: {"attributes": {"status": "deleted"}}}})
    return entries, unknown


@dataclass
class Outcome:
    write: Write
    status: int
    text: str  # the APIC's error text when refused

    @property
    def ok(self) -> bool:
        return self.status == 200


def replay(recorded: list[Write], url: str, user: str, password: str, timeout: float = TIMEOUT) -> list[Outcome]:
    """Re-send the writes to the APIC at `url` after logging in as `user`; each one's outcome, in order."""
    base = url.rstrip("/")
    out = []
    with requests.Session() as http:
        http.trust_env = False  # a lab or an APIC on the bench: no proxy, its own self-signed certificate
        http.verify = False
        warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        login = {"aaaUser": {"attributes": {"name": user, "pwd": password}}}
        reply = _call(http, "POST", f"{base}/api/aaaLogin.json", json=login, timeout=timeout)
        if reply.status_code != 200:
            raise RecordError(f"aaaLogin at {base}: {_error_text(reply)}")
        for write in recorded:
            target = f"{base}/api/mo/{quote(write.dn, safe='/')}.json"  # brackets encoded, as clients send them
            if write.body is None:
                reply = _call(http, "DELETE", target, timeout=timeout)
            else:
                reply = _call(http, "POST", target, data=json.dumps(write.body), timeout=timeout)
            out.append(Outcome(write, reply.status_code, "" if reply.status_code == 200 else _error_text(reply)))
    return out


def _call(http: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
    try:
        return http.request(method, url, **kwargs)
    except requests.RequestException as exc:
        raise RecordError(f"cannot reach the APIC at {url.split('/api/')[0]}: {type(exc).__name__}",
                          unreachable=True) from None


def _error_text(reply: requests.Response) -> str:
    try:
        return reply.json()["imdata"][0]["error"]["attributes"]["text"]
    except (ValueError, KeyError, IndexError, TypeError):
        return f"HTTP {reply.status_code}"
