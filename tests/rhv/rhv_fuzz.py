"""A grammar of the RHV Manager's REST API for property-based fuzzing, and the oracle its answers must pass.

Shared by tests/rhv/test_rhv_fuzz.py (a fixed-seed sample over real HTTP) and bench/fuzz_rhv.py (20,000+
requests through Flask's test client). The grammar is built from the API itself: `crawl` walks the
links, entities and actions a logged-in admin sees from `/ovirt-engine/api`, so every collection,
entity, sub-collection and action of the inventory is a target. Requests then vary everything a
client controls: the method (including unknown ones), the path (bad ids, `//`, `v3`/`v4` prefixes,
`/static/...`, garbage segments), query options (`max`, `search`, `from`, `follow`, ...), headers
(Accept, Content-Type, Version, Filter, Authorization: a bearer token, HTTP Basic, none, garbage)
and bodies in XML and JSON: valid ones, then mutated, wrong types, empty elements, keys that are no
XML names, non-object JSON, deep nesting, huge texts, control characters and bytes that are not UTF-8.

The oracle (`violation`): no status >= 500; an error is the engine's `<fault>` (or an `<action>` with
a fault inside), its JSON form when the client asked JSON, the engine's empty 404, the empty 401 with
`WWW-Authenticate` the SDK relies on, or SSO's JSON error; a success parses in the format it claims.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from lxml import etree

from simulator import defaults

API = "/ovirt-engine/api"
ADMIN = ("admin@internal", "redhat123")
# users with roles, so the fuzz also runs the permission checks and filtered reads (an inventory's `users:`)
USERS = [{"name": "netadmin", "password": "net123", "roles": ["NetworkAdmin"]},
         {"name": "vmuser", "password": "vm123", "roles": [{"role": "UserRole", "vm": "vm1"}]},
         {"name": "auditor", "password": "ro123", "roles": ["ReadOnlyAdmin"]}]
TOKEN = "<token>"  # replaced by a live bearer token when the request is sent


@dataclass
class Req:
    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def describe(self) -> str:
        body = self.body[:160] + (b"..." if len(self.body) > 160 else b"")
        return f"{self.method} {self.path}{'?' + self.query if self.query else ''} {self.headers} {body!r}"


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str]


Send = Callable[[Req], Answer]


# --- what the API has ---------------------------------------------------------------------------------
@dataclass
class Surface:
    collections: list[str]  # paths under API (no leading slash): "vms", "vms/<id>/nics"
    entities: list[str]
    actions: list[str]


def crawl(get: Callable[[str], bytes], depth: int = 4) -> Surface:
    """Every collection, entity and action reachable from the API root by links (`get(path)` -> XML)."""
    seen: set[str] = set()
    collections, entities, actions = [], [], []
    frontier = [""]
    for _ in range(depth):
        following = []
        for path in frontier:
            try:
                root = etree.fromstring(get(path))
            except etree.XMLSyntaxError:
                continue
            for element in root.iter():
                href = element.get("href") if isinstance(element.tag, str) else None
                if not href or not href.startswith(API + "/") or "?" in href:
                    continue
                rel = href[len(API) + 1:]
                if rel in seen:
                    continue
                seen.add(rel)
                parent = element.getparent()
                if element.tag == "link" and parent is not None and parent.tag == "actions":
                    actions.append(rel)
                elif element.tag == "link":
                    collections.append(rel)
                    following.append(rel)
                else:
                    entities.append(rel)
                    following.append(rel)
        frontier = following
    return Surface(sorted(collections), sorted(entities), sorted(actions))


def inventory_with_users(path: Path) -> Path:
    """The default lab's inventory plus `USERS`, written to `path`."""
    data = yaml.safe_load(defaults.RHV_INVENTORY.read_text())
    path.write_text(yaml.safe_dump({**data, "users": USERS}))
    return path


# --- bodies -------------------------------------------------------------------------------------------
CONTROL = "".join(chr(c) for c in (0, 1, 8, 11, 12, 27, 31)) + "\ufffe\ud800"
TEXTS = st.one_of(
    st.sampled_from(["", "x", "web", "Default", "ovirtmgmt", "vm1", "host1", "true", "-1", "4095", "abc", "1e9",
                     "a b", "<x/>", "&amp;", "\u00e9\u4e2d", "' OR 1=1", "name=*"]),
    st.text(max_size=20),
    st.text(alphabet=st.sampled_from(CONTROL + "ab"), min_size=1, max_size=8),
    st.sampled_from([40, 41, 64, 65, 255, 256, 257, 4000, 4001, 70_000, 1_100_000]).map(lambda n: "n" * n),
    *[st.sampled_from(["web", "vm9", "net-a", "Default", "host1", "eno2"])] * 3,
)
FIELDS = ["name", "description", "comment", "vlan", "mtu", "usages", "required", "display", "data_center", "cluster",
          "host", "network", "vnic_profile", "interface", "mac", "plugged", "linked", "id", "stp", "async", "force",
          "cpu", "memory", "template", "modified_network_attachments", "host_nic", "status", "pass_through",
          "network_filter", "profile_required", "port_mirroring", "filter", "bogus"]
BAD_KEYS = ["1a", "a b", "", "x:y", "<", "-", ".", "xml", "\u0000", "\u00e9", "a/b", "@id", "a\nb"]


def _json_values(depth: int):
    leaves = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                       st.floats(allow_nan=True), TEXTS)
    if depth <= 0:
        return leaves
    inner = _json_values(depth - 1)
    keys = st.one_of(st.sampled_from(FIELDS), st.sampled_from(BAD_KEYS), st.text(max_size=6))
    return st.one_of(leaves, st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4))


def _deep_json(n: int) -> bytes:
    return ("{\"a\":" * n + "1" + "}" * n).encode() if n % 2 else ("[" * n + "]" * n).encode()


def _deep_xml(n: int) -> bytes:
    return ("<a>" * n + "x" + "</a>" * n).encode()


def _xml_of(tag: str, value, depth: int = 0) -> str:
    if isinstance(value, dict):
        inner = "".join(_xml_of(k if _xml_name(k) else "bogus", v, depth + 1) for k, v in value.items())
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, list):
        return "".join(_xml_of(tag, v, depth + 1) for v in value) or f"<{tag}/>"
    if value is None:
        return f"<{tag}/>"
    text = str(value)
    return f"<{tag}>{_escape(text)}</{tag}>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_name(key: str) -> bool:
    try:
        etree.Element(key)
    except ValueError:
        return False
    return True


def _root_tag(path: str) -> str:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return {"networks": "network", "vms": "vm", "nics": "nic", "hosts": "host", "clusters": "cluster",
            "datacenters": "data_center", "vnicprofiles": "vnic_profile", "networklabels": "network_label",
            "events": "event", "networkattachments": "network_attachment"}.get(last, "action")


VALID_XML = [
    "<network><name>{name}</name><data_center><name>Default</name></data_center><vlan id=\"{vlan}\"/></network>",
    "<network><name>ovirtmgmt</name></network>", "<network/>", "<network id=\"{guid}\"/>",
    "<network><name>{name}</name><required>false</required></network>",
    "<vm><name>{name}</name><cluster><name>Default</name></cluster><template><name>Blank</name></template></vm>",
    "<nic><name>{name}</name><vnic_profile id=\"{guid}\"/></nic>", "<nic><name>{name}</name></nic>",
    "<action/>", "<action><async>false</async></action>", "<action><host><name>host2</name></host></action>",
    "<action><modified_network_attachments><network_attachment><network><name>ovirtmgmt</name></network>"
    "<host_nic><name>eno2</name></host_nic></network_attachment></modified_network_attachments></action>",
    "<action><force>maybe</force></action>", "<vnic_profile><name>{name}</name><network id=\"{guid}\"/></vnic_profile>",
    "<network_label id=\"{name}\"/>", "<data_center><name>{name}</name></data_center>",
    "<cluster><name>{name}</name><description>{name}</description></cluster>",
    "<vm><memory>abc</memory><cpu><topology><sockets>-1</sockets></topology></cpu></vm>",
    "<network><name>{name}</name><mtu>x</mtu><vlan id=\"abc\"/></network>",
    "<network><name>{name}</name><description>{name}</description><comment>{name}</comment></network>",
    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"ee\">]><network><name>&e;</name></network>",
    "<network><name>a</name>", "<<>>", "not xml at all", "<network xmlns=\"urn:x\"><name>n</name></network>",
]


def _xml_bodies(guids: list[str]):
    template = st.sampled_from(VALID_XML)
    return st.builds(lambda t, name, vlan, guid: t.format(name=_escape(name), vlan=vlan, guid=guid).encode("utf-8", "surrogatepass"),
                     template, TEXTS, st.sampled_from(["10", "4094", "4095", "-1", "x", ""]),
                     st.sampled_from(guids + ["00000000-0000-0000-0000-000000000000", "not-a-guid"]))


def _bodies(guids: list[str]):
    def generated_xml(tag_value):
        tag, value = tag_value
        return _xml_of(tag, value).encode("utf-8", "surrogatepass")

    json_value = _json_values(3)
    return st.one_of(
        st.just(b""),
        _xml_bodies(guids),
        st.tuples(st.sampled_from(["network", "vm", "action", "nic", "cluster"]), json_value).map(generated_xml),
        json_value.map(lambda v: json.dumps(v, allow_nan=True).encode()),
        st.dictionaries(st.sampled_from(BAD_KEYS + FIELDS), json_value, min_size=1, max_size=3)
        .map(lambda v: json.dumps(v).encode()),
        st.sampled_from([b"[1]", b"1", b"\"x\"", b"null", b"true", b"[[1]]", b"{\"name\": [[1]]}",
                         b"{\"name\": {\"a\": 1}}", b"{\"vlan\": {\"id\": [1]}}", b"{\"1a\": 1}", b"{\"a b\": 1}",
                         b"{\"\": 1}", b"{\"name\": \"\\u0001\"}", b"{\"name\": \"a\\u0000b\"}",
                         b"{\"name\": \"\\ud800\"}", b"{\"name\": 1e999}", b"{\"name\": NaN}"]),
        st.sampled_from([500, 1000, 3000, 100_000]).map(_deep_json),
        st.sampled_from([250, 300, 1000, 5000, 100_000]).map(_deep_xml),
        st.binary(max_size=40),
        st.sampled_from([b"\xff\xfe\x00n", b"<network><name>\xff\xfe</name></network>", b"\xc3\x28",
                         b"{\"name\": \"\xff\"}", b"<network><name>&#1;</name></network>",
                         b"<network><name>a\x01b</name></network>"]),
    )


# --- requests -----------------------------------------------------------------------------------------
def _auth():
    good = "Basic " + base64.b64encode(":".join(ADMIN).encode()).decode()
    roles = ["Basic " + base64.b64encode(f"{u['name']}@internal:{u['password']}".encode()).decode() for u in USERS]
    return st.sampled_from([
        *[f"Bearer {TOKEN}"] * 12, good, good, good, *roles, None, "Bearer", "Bearer nope",
        "Basic !!!", "Basic " + base64.b64encode(b"admin@internal").decode(), "Basic " + base64.b64encode(b"\xff:\xfe").decode(),
        "Negotiate abc", "bearer " + TOKEN, "Basic " + base64.b64encode(b"nobody@internal:x").decode()])


ACCEPTS = [None, "application/xml", "application/json", "*/*", "text/html", "application/json, application/xml",
           "application/xml;q=0.1, application/json", "garbage/\u00e9", ";;;", "application/yaml"]
CONTENT_TYPES = [None, "application/xml", "application/json", "text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=x", "application/json; charset=latin-1", "garbage", "text/xml"]
QUERY_VALUES = {
    "max": ["-1", "abc", "0", "1", "10", "", "99999999999999999999999", "1.5", "-0"],
    "search": ["name=vm1", "name=vm*", "status=up", "name=", "(", "\"", "sortby", "sortby name desc", "page x",
               "page 0", "page 2", "name=a or", "a<b", "Vms: name=vm1", "name!=x and status=up", "=", "<=>",
               "name=\u00e9", "cluster=Default", "severity>normal", "datacenter.name=Default", "name=[a-",
               "name=" + "*" * 60, "bogus_field=1", "name=\"unterminated", "type=abc", "id=1"],
    "from": ["--1", "-1", "0", "5", "abc", "99999999999999999999", "1e3", " 1", "\u0661"],
    "follow": ["", "nics", "nics.vnic_profile", "garbage", "..", "a.b.c.d", "host,cluster", ",,,", "nics.", "*"],
    "case_sensitive": ["true", "false", "maybe"],
    "all_content": ["true", "false", "x"],
    "correlation_id": ["abc", "", "\u00e9" * 40, "x" * 100],
    "filter": ["true", "false", "x"],
    "async": ["true", "x"],
    "detach_only": ["true"],
}


def _query():
    pairs = [(k, v) for k in sorted(QUERY_VALUES) for v in QUERY_VALUES[k]]
    return st.lists(st.sampled_from(pairs), max_size=3).map(lambda pairs: "&".join(f"{k}={quote(v, safe='')}" for k, v in pairs))


GARBAGE_SEGMENTS = ["x", "..", "%00", "00000000-0000-0000-0000-000000000000", "not-a-guid", "-1", "99999999999",
                    "%ff", "%c3%28", "\u00e9", "a" * 300, "123", "nics", "actions", "start", "link", "search", ";"]


def _paths(surface: Surface):
    writable = ("networks", "nics", "vnicprofiles", "networklabels", "networkattachments", "events", "vms", "hosts")
    hot = [c for c in surface.collections if "/" not in c or c.rsplit("/", 1)[-1] in writable]
    api_paths = st.one_of(
        st.sampled_from(surface.collections), st.sampled_from(surface.entities), st.sampled_from(surface.actions),
        st.just(""), st.sampled_from(hot), st.sampled_from(hot), st.sampled_from(surface.actions),
    )

    def mutate(args):
        path, how, garbage = args
        full = f"{API}/{path}" if path else API
        if how == "plain":
            return full
        if how == "slashes":
            return full.replace("/", "//", 1) if random.Random(len(path)).random() < 0.5 else full.replace(
                "/api/", "/api//") + "//"
        if how == "trailing":
            return full + "/"
        if how == "v4":
            return full.replace(API, API + "/v4", 1)
        if how == "v3":
            return full.replace(API, API + "/v3", 1)
        if how == "append":
            return f"{full}/{garbage}"
        if how == "replace":
            parts = full.split("/")
            parts[-1] = garbage
            return "/".join(parts)
        return full

    how = st.sampled_from(["plain"] * 6 + ["slashes", "trailing", "v4", "v3", "append", "append", "replace"])
    others = st.sampled_from([
        "/static/x", "/static/../pyproject.toml", "/static/rhv/rest.py", "/", "/ovirt-engine", "/ovirt-engine/",
        "/ovirt-engine/apis", "/ovirt-engine/web-ui", "/favicon.ico", "//ovirt-engine/api", "/ovirt-engine//api",
        "/ovirt-engine/services/pki-resource", "/ovirt-engine/services/pki-resource?resource=ca-certificate",
        "/ovirt-engine/services/sso-logout", "/ovirt-engine/services/x", "/ovirt-engine/sso/oauth/token",
        "/ovirt-engine/sso/oauth/token-info", "/ovirt-engine/sso/", "/_sim/x", "/api/aaaLogin.json"])
    return st.one_of(st.tuples(api_paths, how, st.sampled_from(GARBAGE_SEGMENTS)).map(mutate), others)


SSO_FORMS = st.lists(st.tuples(
    st.sampled_from(["grant_type", "username", "password", "scope", "token", "x"]),
    st.sampled_from(["password", "client_credentials", "", "admin@internal", "redhat123", "ovirt-app-api",
                     "\u00e9", "x" * 5000, "nobody", "a&b=c", "%ff"])), max_size=5).map(
    lambda pairs: "&".join(f"{k}={quote(v, safe='%')}" for k, v in pairs).encode())


def _known(surface: Surface):
    """The causes measured on issue 13, so the fuzz fails on any of them again (with varied headers)."""
    cluster_networks = [c for c in surface.collections if c.startswith("clusters/") and c.endswith("/networks")]
    cases = [("GET", "events", "from=--1", b""), ("GET", "events", "from=%C2%B2", b""), ("GET", "events/%C2%B2", "", b""),
             ("GET", "vms", "max=abc", b""), ("GET", "vms", "max=-1", b""), ("GET", "vms", "search=name%3D%22", b""),
             ("GET", "vms", "follow=%2C..%2C", b""), ("POST", "networks", "", b'{"1a": 1, "name": "n1"}'),
             ("POST", "networks", "", b'{"a b": {"": 1}}'), ("POST", "networks", "", b'{"name": "\\u0001"}'),
             ("POST", "networks", "", b"[1]"), ("POST", "networks", "", _deep_json(5001)),
             ("POST", "networks", "", _deep_xml(5000)), ("POST", "networks", "", b"<network><name>\xff</name></network>"),
             ("POST", "networks", "", ('<network><name>' + "n" * 300 + '</name><data_center><name>Default</name>'
                                        '</data_center></network>').encode()),
             *[("POST", c, "", b"<network/>") for c in cluster_networks]]
    for action in surface.actions[:8]:
        cases += [("POST", action, "", b""), ("POST", action, "", b"garbage"), ("POST", action, "", b"<action><x/>")]
    return st.sampled_from(cases).map(lambda c: Req(c[0], f"{API}/{c[1]}", c[2], {
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json" if c[3][:1] in (b"{", b"[")
        else "application/xml"}, c[3]))


def requests_strategy(surface: Surface, guids: list[str]):
    methods = st.sampled_from(["GET"] * 6 + ["POST"] * 5 + ["PUT"] * 2 + ["DELETE"] * 2 +
                              ["PATCH", "OPTIONS", "HEAD", "FOO", "TRACE"])
    headers = st.fixed_dictionaries({}, optional={
        "Accept": st.sampled_from(ACCEPTS).filter(bool), "Content-Type": st.sampled_from(CONTENT_TYPES).filter(bool),
        "Version": st.sampled_from(["4", "3", "x", "", "4.5"]), "Filter": st.sampled_from(["true", "false", "x"]),
        "Correlation-Id": st.sampled_from(["abc", "\u00e9", "x" * 200]), "Prefer": st.sampled_from(["persistent-auth"]),
    })

    def build(method, path, query, hdrs, auth, body, sso_body):
        hdrs = {k: v for k, v in hdrs.items() if v is not None}
        if "Content-Type" not in hdrs and body[:1] in (b"{", b"[", b"<", b"\"", b"n", b"t", b"1"):
            hdrs["Content-Type"] = "application/json" if body[:1] != b"<" else "application/xml"
        if auth is not None:
            hdrs["Authorization"] = auth
        if "?" in path:
            path, query = path.split("?", 1)[0], path.split("?", 1)[1] + ("&" + query if query else "")
        if "/sso/" in path or "/services/" in path:
            body = sso_body if method == "POST" and body[:1] not in (b"{", b"<") else body
        return Req(method, path, query, hdrs, body if method not in ("GET", "HEAD") else b"")

    generated = st.builds(build, methods, _paths(surface), _query(), headers, _auth(), _bodies(guids), SSO_FORMS)
    return st.one_of(generated, generated, generated, generated, generated, generated, generated, _known(surface))


# --- the oracle ---------------------------------------------------------------------------------------
def _xml_fault(root) -> bool:
    if root.tag == "fault":
        return root.find("reason") is not None and root.find("detail") is not None
    if root.tag == "action":
        fault = root.find("fault")
        return fault is not None and fault.find("reason") is not None and root.findtext("status") == "failed"
    return False


def _json_fault(doc) -> bool:
    if not isinstance(doc, dict):
        return False
    if "reason" in doc and "detail" in doc:
        return True
    fault = doc.get("fault")
    return isinstance(fault, dict) and "reason" in fault and doc.get("status") == "failed"


def violation(req: Req, ans: Answer) -> str | None:
    """Why this answer is not one the engine gives (None when it is)."""
    if ans.status >= 500:
        return f"status {ans.status}"
    ctype = ans.content_type.split(";")[0].strip().lower()
    path = urlsplit(req.path).path
    if "html" in ctype:
        return f"HTML answer ({ans.status})"
    if req.method == "HEAD" or (ans.status == 200 and req.method == "OPTIONS" and not ans.body):
        return None
    if path.startswith("/ovirt-engine/sso/") or path.startswith("/ovirt-engine/services/sso-logout"):
        if ans.status == 404 and not ans.body:
            return None
        try:
            doc = json.loads(ans.body)
        except ValueError:
            return f"SSO answer is not JSON ({ans.status}, {ctype})"
        if ans.status >= 400 and not (isinstance(doc, dict) and ("error" in doc or _json_fault(doc))):
            return f"SSO error without error/error_code ({ans.status})"
        return None
    if path == "/ovirt-engine/services/pki-resource" and ans.status == 200:
        return None if ans.body.startswith(b"-----BEGIN CERTIFICATE") else "pki-resource 200 without a certificate"
    if not ans.body:
        if ans.status == 404 or (ans.status == 401 and "www-authenticate" in {k.lower() for k in ans.headers}):
            return None
        if ans.status < 300 and req.method in ("OPTIONS",):
            return None
        return f"empty body with status {ans.status}"
    if ctype == "application/json":
        try:
            doc = json.loads(ans.body)
        except ValueError:
            return f"JSON answer does not parse ({ans.status})"
        if ans.status >= 400 and not _json_fault(doc):
            return f"JSON error is not a fault ({ans.status})"
        return None
    if ctype in ("application/xml", "text/xml"):
        try:
            root = etree.fromstring(ans.body, etree.XMLParser(resolve_entities=False, huge_tree=True))
        except etree.XMLSyntaxError as exc:
            return f"XML answer does not parse ({ans.status}): {exc}"
        if ans.status >= 400 and not _xml_fault(root):
            return f"XML error is not a fault ({ans.status}, <{root.tag}>)"
        return None
    return f"content type {ctype!r} ({ans.status})"


# --- running ------------------------------------------------------------------------------------------
@dataclass
class Tally:
    by_class: dict[str, int] = field(default_factory=dict)
    violations: dict[str, list[str]] = field(default_factory=dict)
    total: int = 0

    def record(self, req: Req, ans: Answer) -> None:
        self.total += 1
        key = f"{ans.status // 100}xx"
        self.by_class[key] = self.by_class.get(key, 0) + 1
        why = violation(req, ans)
        if why is not None:
            examples = self.violations.setdefault(why, [])
            examples.append(f"{req.describe()} -> {ans.status} {ans.body[:200]!r}")

    def count_violations(self) -> int:
        return sum(len(v) for v in self.violations.values())


BATCH = 20  # requests drawn per hypothesis example: the engine's per-example bookkeeping is then shared


def run(send: Send, surface: Surface, guids: list[str], examples: int, seed_value: int, tally: Tally,
        before: Callable[[int], None] | None = None) -> Tally:
    """`examples` generated requests, seeded (drawn in batches of `BATCH` per hypothesis example, so a few fewer
    when hypothesis drops an example that overran its buffer); each answer is recorded in `tally`, nothing is
    asserted here."""
    strategy = requests_strategy(surface, guids)
    wanted = tally.total + examples

    @seed(seed_value)
    @settings(max_examples=-(-examples // BATCH), database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(st.data())
    def batch(data) -> None:
        for _ in range(BATCH):
            req = data.draw(strategy)  # drawn even when enough were sent: generation must not depend on state
            if tally.total >= wanted:
                continue
            if before is not None:
                before(tally.total)
            tally.record(req, send(req))

    batch()
    return tally
