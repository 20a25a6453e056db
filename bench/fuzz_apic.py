"""A seeded property-based fuzz of the APIC's REST API: every answer must be below 500 and in the APIC's envelope.

    python bench/fuzz_apic.py [--quick] [--requests N] [--seed S] [--http] [--json PATH]

Requests come from a grammar of the API (hypothesis strategies, fixed seed, no example database): methods,
`/api/mo/<dn>`, `/api/node/mo/<dn>`, `/api/class/<cls>`, logins, refreshes, logouts, web token sessions,
subscription refreshes and the endpoint tracker, in `.json`, `.xml` or neither; query options with valid and
broken values (paging, filters with pathological `wcard` patterns, subtree options, ordering, time ranges);
bodies valid, mutated, truncated, of the wrong JSON type, deeply nested, huge, holding control characters or
bytes that are no UTF-8; cookies of the admin, of nobody, garbage ones. The oracle: the status is below 500
and the body parses as the APIC's envelope in the format the URL asks for, `{"totalCount","imdata"}` (an
error being `imdata[0].error.attributes.{code,text}` with `totalCount` "1") or `<imdata totalCount>` with
`<error code text/>`.

By default the requests go through Flask's test client (fast, one lab, logged in as admin once); `--http` sends
them to a lab served over plain HTTP instead. The report counts requests by status class and lists the
violations with an example of each; the exit status is 1 when there is any. tests/apic/test_fuzz.py runs a
small sample of the same grammar in the suite.
"""

from __future__ import annotations

import http.client
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote as _quote
from urllib.parse import unquote

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.lab import Lab, LabOptions  # noqa: E402

PASSWORD = "secret"
DEFAULT_REQUESTS = 20_000
QUICK_REQUESTS = 2_000


# --- the grammar ------------------------------------------------------------------------------------
@dataclass
class FuzzRequest:
    method: str
    path: str  # as sent: percent-encoding included
    query: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    auth: str = "admin"  # admin | none | garbage

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query if self.query else "")

    def __repr__(self) -> str:
        body = self.body if len(self.body) <= 300 else self.body[:300] + b"...(%d bytes)" % len(self.body)
        target = self.target if len(self.target) <= 300 else self.target[:300] + f"...({len(self.target)} chars)"
        return f"{self.method} {target} auth={self.auth} headers={self.headers} body={body!r}"


LONG = st.sampled_from([65, 70, 129, 3000, 100_000])
CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x1b", "\x1f", "\x7f", "\ufffe", "\u2028", "\ud800", "\n", "\t"])
NAMES = st.one_of(
    st.sampled_from(["fz", "fz1", "common", "a" * 30, "web_1", "x.y-z", ""]),
    st.text(alphabet="abcXYZ019_.-:", min_size=1, max_size=12),
    st.builds(lambda n: "n" * n, LONG),
    st.builds(lambda a, c, b: a + c + b, st.sampled_from(["a", "fz"]), CONTROL, st.sampled_from(["", "b"])),
    st.text(max_size=8),
)
GOOD_DNS = [
    "uni", "uni/tn-common", "uni/tn-fz", "uni/tn-fz/ap-a/epg-e", "uni/tn-fz/BD-b/subnet-[10.0.0.1/24]",
    "topology/pod-1/node-101", "topology/pod-1/node-101/sys", "uni/userext/user-admin", "uni/infra",
    "uni/tn-fz/ap-a/epg-e/rsdomAtt-[uni/phys-p]", "uni/vmmp-VMware/dom-d", "", "comp", "uni/fabric",
]
CLASSES = ["fvTenant", "fvBD", "fvAEPg", "fvAp", "fvCtx", "topSystem", "fvCEp", "aaaUser", "polUni", "faultInst",
           "fabricNode", "vzBrCP", "fvSubnet", "infraInfra", "fvRsDomAtt"]


def _mutate_dn(dn: str, how: str, extra: str) -> str:
    if how == "slashes":
        return dn.replace("/", "//", 1) if "/" in dn else "/" + dn
    if how == "bracket":
        return dn + "/rsdomAtt-[" + extra
    if how == "close":
        return dn + "]" + extra
    if how == "percent":
        return dn + "/tn-%" + extra[:2]
    if how == "tenant":
        return "uni/tn-" + extra
    if how == "epg":
        return f"uni/tn-fz/ap-{extra}/epg-{extra}"
    if how == "prefix":
        return extra + "/" + dn
    return dn


DNS = st.one_of(
    st.sampled_from(GOOD_DNS),
    st.builds(_mutate_dn, st.sampled_from(GOOD_DNS),
              st.sampled_from(["slashes", "bracket", "close", "percent", "tenant", "epg", "prefix"]), NAMES),
)


def quote(text: str, safe: str = "/") -> str:
    """Percent-encoded as UTF-8; a lone surrogate becomes the bytes no UTF-8 decoder takes (%ED%A0%80)."""
    return _quote(text, safe=safe, errors="surrogatepass")


def _encode_path(text: str, mode: str) -> str:
    """A DN as a client puts it in a URL: raw, percent-encoded, or with a broken or non-UTF-8 escape."""
    if mode == "quoted":
        return quote(text, safe="/")
    if mode == "all":
        return quote(text, safe="")
    if mode == "bad-escape":
        return quote(text, safe="/") + "%zz%"
    if mode == "latin1":
        return quote(text, safe="/") + "%ff%c3%28"
    return quote(text, safe="/[]%:,|()\"'-._~")  # raw as clients send it, only what HTTP cannot carry escaped


FORMATS = st.sampled_from([".json", ".json", ".json", ".xml", ".xml", "", ".yaml", ".JSON", ".json/", ".xml.json"])
PATH_MODES = st.sampled_from(["raw", "raw", "quoted", "all", "bad-escape", "latin1"])


@st.composite
def paths(draw) -> str:
    kind = draw(st.sampled_from(["mo", "mo", "node/mo", "class", "class", "node/class", "scoped-class", "aaaLogin",
                                 "aaaRefresh", "aaaLogout", "webtokenSession", "subscriptionRefresh", "eptracker",
                                 "other"]))
    fmt = draw(FORMATS)
    mode = draw(PATH_MODES)
    if kind in ("mo", "node/mo"):
        return f"/api/{kind}/" + _encode_path(draw(DNS), mode) + fmt
    if kind in ("class", "node/class"):
        cls = draw(st.one_of(st.sampled_from(CLASSES), NAMES))
        return f"/api/{kind}/" + _encode_path(cls, mode) + fmt
    if kind == "scoped-class":
        return "/api/class/" + _encode_path(draw(DNS) + "/" + draw(st.sampled_from(CLASSES)), mode) + fmt
    if kind == "eptracker":
        return "/mqapi2/troubleshoot.eptracker" + fmt
    if kind == "other":
        return draw(st.sampled_from(["/", "//api/mo/uni.json", "/api//mo/uni.json", "/static/README.md",
                                     "/static/../pyproject.toml", "/api", "/api/", "/api/mo", "/api/mo.json",
                                     "/api/node/mo/.json", "/api/class.json", "/api/foo/bar.json", "/visore.html",
                                     "/api/aaaLogin", "/api/mo/uni.json%00", "/%2e%2e/api/mo/uni.json"]))
    return f"/api/{kind}" + fmt


FILTERS = st.one_of(
    st.sampled_from([
        'eq(fvTenant.name,"fz")', 'and(eq(fvTenant.name,"a"),ne(fvTenant.descr,""))', 'wcard(fvTenant.name,"^(a|a)*b$")',
        'wcard(fvTenant.dn,"(a*)*c")', 'wcard(fvTenant.name,"(a)\\1")', 'wcard(fvTenant.name,"' + "(a|a)*" * 40 + 'b")',
        'wcard(fvTenant.name,"a{1000}{1000}")', 'wcard(fvTenant.name,"[")', 'wcard(fvTenant.name,"(?=a)")',
        'wcard(fvTenant.name,"' + "x" * 600 + '")', 'bw(fvTenant.name,"a","b")', 'anybit(fvSubnet.scope,"public")',
        "eq(", "eq(fvTenant.name)", 'eq(fvTenant,"x")', "and()", "not(" * 150 + "true" + ")" * 150, "true",
        'eq(fvTenant.name,"x"', 'xx(fvTenant.name,"x")', 'eq(fvTenant.name,"\x01")', "", ")", '"',
        'gt(fvTenant.name,"1e99999")', 'eq(nosuchClass.name,"x")', 'eq(fvTenant.nosuch,"x")',
    ]),
    st.builds(lambda p: f'wcard(fvTenant.name,"{p}")', st.text(alphabet="a()|*+?{},^$[]\\.1", max_size=24)),
    st.text(max_size=30),
)
INTS = st.sampled_from(["0", "1", "2", "-1", "15", "10000", "99999999999999999999", "1e3", "1.5", "x", "", "None",
                        " 1", "0x10", "١", "NaN"])
OPTION_VALUES = {
    "query-target": st.sampled_from(["self", "children", "subtree", "SUBTREE", "", "x"]),
    "target-subtree-class": st.one_of(st.sampled_from(["fvBD", "fvAEPg,fvBD", ",", "nope", "fvBD,,x"]), NAMES),
    "query-target-filter": FILTERS,
    "rsp-subtree": st.sampled_from(["no", "children", "full", "modified", "x", ""]),
    "rsp-subtree-class": st.sampled_from(["fvBD", "fvAEPg,tagInst", "nope", ""]),
    "rsp-subtree-filter": FILTERS,
    "rsp-subtree-include": st.sampled_from(["count", "faults", "health", "required", "no-scoped", "count,faults",
                                            "relations", "audit-logs", "garbage", "", ",", "faults,garbage"]),
    "rsp-prop-include": st.sampled_from(["all", "naming-only", "config-only", "x"]),
    "order-by": st.sampled_from(["fvTenant.name|desc", "fvTenant.name|asc", "fvTenant.name", "fvTenant.zz|up",
                                 "zz", "|", "", "fvTenant.name|asc,fvTenant.dn|desc", "fvTenant.|", ".name"]),
    "page": INTS,
    "page-size": INTS,
    "time-range": st.sampled_from(["24h", "1week", "1month", "3month", "range", "x", ""]),
    "subscription": st.sampled_from(["yes", "no", "x", ""]),
    "refresh-timeout": INTS,
    "id": st.sampled_from(["", "1", "72057594037927937", "x", "-1"]),
    "ep": st.sampled_from(["", "uni/tn-fz/ap-a/epg-e/cep-00:00:00:00:00:01", "x", "uni"]),
    "challenge": st.sampled_from(["x", ""]),
}


@st.composite
def queries(draw) -> str:
    keys = draw(st.lists(st.one_of(st.sampled_from(sorted(OPTION_VALUES)), st.text(max_size=6)), max_size=4))
    parts = []
    for key in keys:
        value = draw(OPTION_VALUES.get(key, st.text(max_size=8)))
        encoding = draw(st.sampled_from(["raw", "raw", "quoted", "broken"]))
        if encoding == "quoted":
            parts.append(quote(key, safe="") + "=" + quote(value, safe=""))
        elif encoding == "broken":
            parts.append(quote(key, safe="") + "=" + quote(value, safe="") + "%f")
        else:
            parts.append(quote(key, safe="-") + "=" + quote(value, safe="()\",|.-_:*^$[]{}?+\\"))
    if draw(st.integers(0, 9)) == 0:
        parts.append(draw(st.sampled_from(["&", "=", "a", "%", "page-size", "&&=="])))
    return "&".join(parts)


def _tenant(name: str, **attrs: str) -> dict:
    return {"fvTenant": {"attributes": {"name": name, **attrs}}}


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=6,
)


def _deep_children(depth: int) -> dict:
    node: dict = {"fvAp": {"attributes": {"name": "a"}}}
    for _ in range(depth):
        node = {"fvAp": {"attributes": {"name": "a"}, "children": [node]}}
    return {"fvTenant": {"attributes": {"name": "fzdeep"}, "children": [node]}}


@st.composite
def json_documents(draw):
    kind = draw(st.sampled_from(["tenant", "tenant", "epg", "login", "wrong-type", "attributes", "children",
                                 "values", "deep", "huge", "status", "unknown", "random", "many"]))
    name = draw(NAMES)
    if kind == "tenant":
        return _tenant(name, descr=draw(st.one_of(st.text(max_size=10), NAMES)))
    if kind == "epg":
        return {"fvTenant": {"attributes": {"name": "fz"}, "children": [{"fvAp": {"attributes": {"name": name},
                "children": [{"fvAEPg": {"attributes": {"name": "e", "prefGrMemb": draw(NAMES)}}}]}}]}}
    if kind == "login":
        return {"aaaUser": {"attributes": {"name": draw(st.sampled_from(["admin", name])),
                                           "pwd": draw(st.sampled_from([PASSWORD, "", name]))}}}
    if kind == "wrong-type":
        return draw(st.sampled_from([[1], 1, "s", None, True, [], {}, [[1]], {"fvTenant": [1]}, {"fvTenant": 1},
                                     {"fvTenant": None}, {"aaaUser": [1]}]))
    if kind == "attributes":
        return {draw(st.sampled_from(["fvTenant", "aaaUser"])): {"attributes": draw(JSON_VALUES)}}
    if kind == "children":
        return {"fvTenant": {"attributes": {"name": "fz"}, "children": draw(JSON_VALUES)}}
    if kind == "values":
        return {"fvTenant": {"attributes": {"name": "fz", draw(st.sampled_from(["descr", "nameAlias", "name"])):
                                            draw(JSON_VALUES)}}}
    if kind == "deep":
        return _deep_children(draw(st.sampled_from([10, 63, 64, 70, 300])))
    if kind == "huge":
        return _tenant("fz", descr="d" * draw(LONG))
    if kind == "status":
        return _tenant("fz" + name[:10], status=draw(st.sampled_from(["created", "modified", "deleted", "x",
                                                                       "created,modified", "", "deleted,created"])))
    if kind == "unknown":
        return {draw(NAMES): {"attributes": {draw(NAMES): draw(NAMES)}}}
    if kind == "many":
        return {"fvTenant": {"attributes": {"name": "fzmany"},
                             "children": [{"fvAp": {"attributes": {"name": f"a{i}"}}} for i in range(200)]}}
    return draw(JSON_VALUES)


def _xml_of(doc) -> str:
    if not isinstance(doc, dict) or len(doc) != 1:
        return "<" + str(doc) + "/>"
    ((cls, body),) = doc.items()
    attrs = body.get("attributes", {}) if isinstance(body, dict) else {}
    attrs = attrs if isinstance(attrs, dict) else {}
    text = "".join(f' {k}="{v}"' for k, v in attrs.items())
    kids = body.get("children", []) if isinstance(body, dict) else []
    inner = "".join(_xml_of(k) for k in kids) if isinstance(kids, list) else str(kids)
    return f"<{cls}{text}>{inner}</{cls}>"


@st.composite
def bodies(draw, fmt: str) -> bytes:
    doc = draw(json_documents())
    text = _xml_of(doc) if fmt == "xml" else json.dumps(doc, ensure_ascii=draw(st.booleans()))
    how = draw(st.sampled_from(["as-is", "as-is", "as-is", "truncate", "bytes", "control", "empty", "raw-deep",
                                "xml-entity", "big-int", "surrogate"]))
    data = text.encode("utf-8", errors="surrogatepass")
    if how == "truncate":
        return data[: draw(st.integers(0, max(0, len(data) - 1)))]
    if how == "bytes":
        cut = draw(st.integers(0, len(data)))
        return data[:cut] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\x80\x80", b"\xed\xa0\x80"])) + data[cut:]
    if how == "control":
        return data.replace(b"fz", b"f\x01z", 1) if b"fz" in data else data + b"\x00"
    if how == "empty":
        return draw(st.sampled_from([b"", b" ", b"\n", b"{}", b"null"]))
    if how == "raw-deep":
        depth = draw(st.sampled_from([100, 1000, 5000, 100_000]))
        return (b"[" * depth + b"]" * depth) if fmt != "xml" else (b"<a>" * depth + b"</a>" * depth)
    if how == "xml-entity":
        return b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>' \
               b'<fvTenant name="&b;"/>'
    if how == "big-int":
        return b'{"fvTenant":{"attributes":{"name":"fz","descr":' + b"9" * 5000 + b"}}}"
    if how == "surrogate":
        return b'{"fvTenant":{"attributes":{"name":"fz","descr":"a\\ud800b"}}}'
    return data


CONTENT_TYPES = st.sampled_from([None, None, "application/json", "application/x-www-form-urlencoded", "text/xml",
                                 "application/xml", "multipart/form-data; boundary=x", "text/plain; charset=latin-1",
                                 "application/json; charset=utf-16", "garbage"])


@st.composite
def requests_(draw) -> FuzzRequest:
    path = draw(paths())
    method = draw(st.sampled_from(["GET", "GET", "GET", "POST", "POST", "POST", "DELETE", "HEAD", "PUT", "PATCH",
                                   "OPTIONS"]))
    fmt = "xml" if unquote(path).endswith(".xml") else "json"
    body = draw(bodies(fmt)) if method in ("POST", "PUT", "PATCH") or draw(st.integers(0, 19)) == 0 else b""
    headers: dict[str, str] = {}
    content_type = draw(CONTENT_TYPES)
    if content_type:
        headers["Content-Type"] = content_type
    auth = draw(st.sampled_from(["admin", "admin", "admin", "admin", "none", "garbage", "quoted", "bytes",
                                 "signature", "many"]))
    if method == "DELETE" and not unquote(path).startswith(("/api/mo/uni/tn-fz", "/api/node/mo/uni/tn-fz")):
        # deleting the policy universe or the admin user would only make every later request a 403
        auth = draw(st.sampled_from(["none", "garbage"]))
    return FuzzRequest(method, path, draw(queries()), body, headers, auth)


# --- the oracle -------------------------------------------------------------------------------------
def violation(req: FuzzRequest, status: int, content_type: str, body: bytes) -> str | None:
    """What is wrong with an answer (None: a status below 500 in the APIC's envelope, in the format asked)."""
    if status >= 500:
        return f"status {status}"
    if req.method == "HEAD":
        return None if not body else "HEAD answered with a body"
    xml = unquote(req.path, errors="replace").endswith(".xml")
    want = "application/xml" if xml else "application/json"
    if not content_type.startswith(want):
        return f"content type {content_type!r} (expected {want})"
    try:
        return _xml_envelope(body, status) if xml else _json_envelope(body, status)
    except (ValueError, etree.XMLSyntaxError) as exc:
        return f"unparsable {'XML' if xml else 'JSON'}: {type(exc).__name__}"


def _json_envelope(body: bytes, status: int) -> str | None:
    doc = json.loads(body.decode("utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("totalCount"), str) or not isinstance(doc.get("imdata"), list):
        return "JSON answer is no APIC envelope"
    int(doc["totalCount"])
    if status >= 400:
        items = doc["imdata"]
        ok = (doc["totalCount"] == "1" and len(items) == 1 and isinstance(items[0], dict)
              and set(items[0]) == {"error"} and set(items[0]["error"]) == {"attributes"}
              and set(items[0]["error"]["attributes"]) == {"code", "text"}
              and all(isinstance(v, str) for v in items[0]["error"]["attributes"].values()))
        return None if ok else "JSON error answer is no APIC error envelope"
    return None


def _xml_envelope(body: bytes, status: int) -> str | None:
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    if root.tag != "imdata" or root.get("totalCount") is None:
        return "XML answer is no <imdata totalCount>"
    int(root.get("totalCount"))
    if status >= 400:
        kids = list(root)
        ok = (root.get("totalCount") == "1" and len(kids) == 1 and kids[0].tag == "error"
              and set(kids[0].attrib) == {"code", "text"})
        return None if ok else "XML error answer is no <error code text/>"
    return None


# --- where requests go ------------------------------------------------------------------------------
def _cookie(auth: str, token: str) -> str | None:
    return {
        "admin": f"APIC-cookie={token}",
        "none": None,
        "garbage": "APIC-cookie=garbage",
        "quoted": f'APIC-cookie="{token}"; path=/; HttpOnly',
        "bytes": "APIC-cookie=\xff\xfe; APIC-Cookie=",
        "signature": "APIC-Certificate-Algorithm=v1.0; APIC-Certificate-DN=uni/userext/user-admin/usercert-x; "
                     "APIC-Certificate-Fingerprint=fingerprint; APIC-Request-Signature=%%%not-base64",
        "many": "; ".join(f"c{i}=v{i}" for i in range(200)) + f"; APIC-cookie={token}",
    }[auth]


LOGIN = json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": PASSWORD}}})


class TestClientTarget:
    """A lab's APIC app through Flask's test client (no sockets: the fast path for big runs)."""

    def __init__(self, lab: Lab):
        self.client = lab.apic_app().test_client()
        self.token = self._login()

    def _login(self) -> str:
        r = self.client.post("/api/aaaLogin.json", data=LOGIN)
        return json.loads(r.data)["imdata"][0]["aaaLogin"]["attributes"]["token"]

    def send(self, req: FuzzRequest) -> tuple[int, str, bytes]:
        headers = dict(req.headers)
        cookie = _cookie(req.auth, self.token)
        self.client._cookies.clear()
        if cookie:
            headers["Cookie"] = cookie
        # the request target exactly as sent (percent-escapes and all), as a server puts it in the environ
        r = self.client.open(req.target, method=req.method, data=req.body, headers=headers,
                             environ_overrides={"RAW_URI": req.target, "REQUEST_URI": req.target})
        answer = (r.status_code, r.headers.get("Content-Type", ""), r.get_data())
        if "aaaLogout" in req.path and req.auth in ("admin", "quoted", "many"):
            self.token = self._login()
        return answer


class HttpTarget:
    """A lab served over plain HTTP, spoken to with http.client (no client-side normalisation of the target)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.token = self._login()

    def _exchange(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for key, value in headers.items():
                conn.putheader(key, value.encode("latin-1", errors="replace"))
            if body or method in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            resp = conn.getresponse()
            data = b"" if method == "HEAD" else resp.read()
            return resp.status, resp.getheader("Content-Type", ""), data
        finally:
            conn.close()

    def _login(self) -> str:
        _status, _ctype, data = self._exchange("POST", "/api/aaaLogin.json", LOGIN.encode(), {})
        return json.loads(data)["imdata"][0]["aaaLogin"]["attributes"]["token"]

    def send(self, req: FuzzRequest) -> tuple[int, str, bytes]:
        headers = dict(req.headers)
        cookie = _cookie(req.auth, self.token)
        if cookie:
            headers["Cookie"] = cookie
        answer = self._exchange(req.method, req.target, req.body, headers)
        if "aaaLogout" in req.path and req.auth in ("admin", "quoted", "many"):
            self.token = self._login()
        return answer


# --- a run ------------------------------------------------------------------------------------------
@dataclass
class Tally:
    total: int = 0
    by_class: Counter = field(default_factory=Counter)
    violations: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, req: FuzzRequest, status: int, content_type: str, body: bytes) -> str | None:
        self.total += 1
        self.by_class[f"{status // 100}xx"] += 1
        problem = violation(req, status, content_type, body)
        if problem:
            self.violations[problem] += 1
            self.examples.setdefault(problem, f"{req!r} -> {status} {content_type} {body[:300]!r}")
        return problem

    def figures(self) -> dict:
        return {"requests": self.total, "by_status_class": dict(sorted(self.by_class.items())),
                "violations": sum(self.violations.values()), "violation_kinds": dict(self.violations),
                "examples": self.examples}


def fuzz(send: Callable[[FuzzRequest], tuple[int, str, bytes]], requests: int, seed_value: int,
         raise_on_violation: bool = False) -> Tally:
    """Send `requests` generated requests (seeded: the same ones every run) and tally the answers."""
    tally = Tally()
    phases = [Phase.generate, Phase.shrink] if raise_on_violation else [Phase.generate]

    @seed(seed_value)
    @settings(max_examples=requests, database=None, deadline=None, phases=phases, suppress_health_check=list(HealthCheck))
    @given(requests_())
    def one(req: FuzzRequest) -> None:
        try:
            answer = send(req)
        except Exception as exc:  # the app itself failed (the test client re-raises what no handler caught)
            answer = (599, "", f"{type(exc).__name__}: {exc}".encode(errors="replace"))
        problem = tally.add(req, *answer)
        if problem and raise_on_violation:
            raise AssertionError(f"{problem}: {req!r} -> {answer[0]} {answer[1]} {answer[2][:300]!r}")

    one()
    return tally


def main() -> int:
    import _common as c

    p = c.parser("Fuzz the APIC's REST API with generated bad requests; count answers >= 500 or outside its envelope.")
    p.add_argument("--requests", type=int, help=f"how many requests (default {DEFAULT_REQUESTS}, quick {QUICK_REQUESTS})")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--http", action="store_true", help="send them to a lab served over plain HTTP")
    args = p.parse_args()
    n = args.requests or (QUICK_REQUESTS if args.quick else DEFAULT_REQUESTS)
    lab = Lab(LabOptions(admin_password=PASSWORD))
    try:
        if args.http:
            server = lab.start(tls=False)
            target = HttpTarget("127.0.0.1", server.port)
        else:
            target = TestClientTarget(lab)
        tally = fuzz(target.send, n, args.seed)
    finally:
        lab.stop()
    figures = {**tally.figures(), "seed": args.seed, "transport": "http" if args.http else "test client"}
    print(c.table(("status class", "answers"), sorted(tally.by_class.items())))
    print(f"\n{tally.total} requests, {figures['violations']} violations")
    for problem, count in tally.violations.most_common():
        print(f"  {count:6d}  {problem}\n          e.g. {tally.examples[problem][:600]}")
    targets = [c.target("answers >= 500 or outside the APIC envelope", figures["violations"], 0, "answers", False)]
    c.report_targets(args, "fuzz_apic", figures, targets)
    return 1 if figures["violations"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
