"""Step definitions for the APIC features: plain REST over requests, nothing else.

The steps talk to `apic_target` (the simulator or, with --apic-url, a real APIC) exactly as an
engineer's script would. Only steps for @sim scenarios touch the simulator's /_sim control API.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pytest
import requests
import urllib3
from pytest_bdd import given, parsers, then, when

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

TIMEOUT = 30


def _http(target) -> requests.Session:
    """A bare HTTP client; trust_env=False, or REQUESTS_CA_BUNDLE would override verify=False."""
    http = requests.Session()
    http.verify = target.verify
    http.trust_env = False
    return http


def _login(http: requests.Session, target, password: str | None = None) -> requests.Response:
    body = {
        "aaaUser": {
            "attributes": {"name": target.user, "pwd": target.password if password is None else password}
        }
    }
    return http.post(f"{target.url}/api/aaaLogin.json", data=json.dumps(body), timeout=TIMEOUT)


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _mo(entry: dict) -> tuple[str, dict]:
    """The class name and body of one `{class: {attributes, children}}` entry of an answer."""
    ((cls, body),) = entry.items()
    return cls, body


def _tenant_names(payload: str) -> set[str]:
    """Tenants a posted payload names, so a scenario can remove whatever it may have created."""
    try:
        tree = json.loads(payload)
    except ValueError:
        return set()
    found: set[str] = set()
    stack = [tree] if isinstance(tree, dict) else []
    while stack:
        for cls, body in stack.pop().items():
            if not isinstance(body, dict):
                continue
            name = (body.get("attributes") or {}).get("name")
            if cls == "fvTenant" and name:
                found.add(name)
            elif cls == "polUni":
                stack.extend(child for child in body.get("children") or [] if isinstance(child, dict))
    return found


@dataclass
class ApicConversation:
    """One scenario's exchange with the APIC: its login, the last answer, the tenants to remove."""

    target: object
    http: requests.Session
    login: dict = field(default_factory=dict)
    answer: requests.Response | None = None
    tenants_to_remove: set[str] = field(default_factory=set)

    def url(self, path: str) -> str:
        return f"{self.target.url}{path}"

    def get(self, path: str, **params: str) -> requests.Response:
        self.answer = self.http.get(self.url(path), params=params or None, timeout=TIMEOUT)
        return self.answer

    def json(self) -> dict:
        assert self.answer is not None, "no request was made"
        try:
            return self.answer.json()
        except ValueError as err:
            raise AssertionError(
                f"answer is not JSON: HTTP {self.answer.status_code} {self.answer.text[:500]!r}"
            ) from err

    def imdata(self) -> list[dict]:
        assert self.answer.status_code == 200, f"HTTP {self.answer.status_code}: {self.answer.text[:500]}"
        return self.json()["imdata"]

    def tenant_exists(self, name: str) -> bool:
        answer = self.http.get(self.url(f"/api/mo/uni/tn-{name}.json"), timeout=TIMEOUT)
        assert answer.status_code == 200, f"HTTP {answer.status_code}: {answer.text[:500]}"
        return answer.json()["totalCount"] != "0"


@pytest.fixture
def apic(apic_target):
    """The scenario's conversation; afterwards every tenant it may have created is deleted."""
    conversation = ApicConversation(apic_target, _http(apic_target))
    yield conversation
    if conversation.tenants_to_remove:
        # a fresh login: the scenario may have let its own session expire
        http = _http(apic_target)
        assert _login(http, apic_target).status_code == 200
        for name in sorted(conversation.tenants_to_remove):
            http.delete(f"{apic_target.url}/api/mo/uni/tn-{name}.json", timeout=TIMEOUT)


# ---------------------------------------------------------------------------------------------- given


@given("I am logged in to the APIC as the admin user")
def logged_in(apic):
    answer = _login(apic.http, apic.target)
    assert answer.status_code == 200, f"login failed: HTTP {answer.status_code} {answer.text[:500]}"
    apic.login = answer.json()["imdata"][0]["aaaLogin"]["attributes"]
    assert apic.login["token"], "the login answer carries no token"


@given(parsers.parse('the APIC has no tenant "{name}"'))
def no_tenant(apic, name):
    apic.tenants_to_remove.add(name)
    if apic.tenant_exists(name):  # left over from an interrupted run
        apic.http.delete(apic.url(f"/api/mo/uni/tn-{name}.json"), timeout=TIMEOUT)
    assert not apic.tenant_exists(name)


@given("my session stays idle for longer than its refresh timeout")
def session_idles_out(apic):
    apic.target.require_sim()
    idle = int(apic.login["refreshTimeoutSeconds"]) + 1
    answer = apic.http.post(apic.url("/_sim/clock/advance"), json={"seconds": idle}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text


# ----------------------------------------------------------------------------------------------- when


@when(parsers.parse('I post this configuration to "{dn}":'))
def post_configuration(apic, dn, docstring):
    apic.tenants_to_remove |= _tenant_names(docstring)
    # sent as the text it is, with no Content-Type, as acc-provision and a pasted curl do
    apic.answer = apic.http.post(apic.url(f"/api/mo/{dn}.json"), data=docstring.encode(), timeout=TIMEOUT)


@when(parsers.parse('I query the object "{dn}"'))
def query_object(apic, dn):
    apic.get(f"/api/mo/{dn}.json")


@when(parsers.parse('I query the object "{dn}" with its full subtree'))
def query_object_subtree(apic, dn):
    apic.get(f"/api/mo/{dn}.json", **{"rsp-subtree": "full"})


@when(parsers.parse('I query the object "{dn}" as XML'))
def query_object_xml(apic, dn):
    apic.get(f"/api/mo/{dn}.xml")


@when(parsers.parse('I query the class "{cls}"'))
def query_class(apic, cls):
    apic.get(f"/api/class/{cls}.json")


@when(parsers.parse("I query the class \"{cls}\" with the filter '{flt}'"))
def query_class_filtered(apic, cls, flt):
    apic.get(f"/api/class/{cls}.json", **{"query-target-filter": flt})


@when(parsers.parse('I query the children of "{dn}" of class "{cls}"'))
def query_children(apic, dn, cls):
    apic.get(f"/api/mo/{dn}.json", **{"query-target": "children", "target-subtree-class": cls})


@when(parsers.parse('I query the children of "{dn}" of class "{cls}" with the filter \'{flt}\''))
def query_children_filtered(apic, dn, cls, flt):
    apic.get(
        f"/api/mo/{dn}.json",
        **{"query-target": "children", "target-subtree-class": cls, "query-target-filter": flt},
    )


@when(parsers.parse('I query the class "{cls}" without a session cookie'))
def query_class_without_cookie(apic, cls):
    apic.answer = _http(apic.target).get(apic.url(f"/api/class/{cls}.json"), timeout=TIMEOUT)


@when(parsers.parse('I delete "{dn}"'))
def delete_object(apic, dn):
    apic.answer = apic.http.delete(apic.url(f"/api/mo/{dn}.json"), timeout=TIMEOUT)


@when(parsers.parse('I log in as the admin user with the password "{password}"'))
def login_with_password(apic, password):
    apic.answer = _login(_http(apic.target), apic.target, password)


# ----------------------------------------------------------------------------------------------- then


@then("the APIC accepts the change")
def change_accepted(apic):
    assert apic.answer.status_code == 200, f"HTTP {apic.answer.status_code}: {apic.answer.text[:500]}"
    assert apic.json() == {"totalCount": "0", "imdata": []}


@then(parsers.re(r"the answer holds (?P<count>\d+) objects?"), converters={"count": int})
def answer_holds(apic, count):
    imdata = apic.imdata()
    assert apic.json()["totalCount"] == str(count), apic.json()["totalCount"]
    assert len(imdata) == count, [_mo(entry)[1]["attributes"].get("dn") for entry in imdata]


@then("the answer is empty")
def answer_empty(apic):
    assert apic.answer.status_code == 200, f"HTTP {apic.answer.status_code}: {apic.answer.text[:500]}"
    assert apic.json() == {"totalCount": "0", "imdata": []}


@then(parsers.parse('the subtree of "{dn}" contains:'))
def subtree_contains(apic, dn, datatable):
    (root,) = apic.imdata()
    found: dict[str, str] = {}
    stack = [("", root)]
    while stack:
        path, entry = stack.pop()
        cls, body = _mo(entry)
        attributes = body["attributes"]
        if not path:
            assert attributes["dn"] == dn, attributes["dn"]
        found[path] = cls
        for child in body.get("children", []):
            # nested children carry their rn, only the top object carries a dn
            rn = _mo(child)[1]["attributes"]["rn"]
            stack.append((f"{path}/{rn}" if path else rn, child))
    header, *rows = datatable
    column = {name.strip(): index for index, name in enumerate(header)}
    for row in rows:
        cls, path = row[column["class"]].strip(), row[column["path"]].strip()
        assert found.get(path) == cls, f"{path or dn!r}: expected {cls}, found {found.get(path)}"


@then(parsers.parse("the answer names exactly the tenants {names}"))
def answer_names_exactly(apic, names):
    listed = sorted(_mo(entry)[1]["attributes"]["name"] for entry in apic.imdata())
    assert listed == sorted(_names(names))
    assert apic.json()["totalCount"] == str(len(listed))


@then(parsers.parse("the answer includes the tenants {names}"))
def answer_includes(apic, names):
    listed = {_mo(entry)[1]["attributes"]["name"] for entry in apic.imdata()}
    assert set(_names(names)) <= listed, sorted(listed)


@then(parsers.parse("the answer leaves out the tenants {names}"))
def answer_leaves_out(apic, names):
    listed = {_mo(entry)[1]["attributes"]["name"] for entry in apic.imdata()}
    assert not set(_names(names)) & listed, sorted(listed)


@then("these relations are resolved:")
def relations_resolved(apic, datatable):
    header, *rows = datatable
    column = {name.strip(): index for index, name in enumerate(header)}
    for row in rows:
        dn = row[column["relation"]].strip()
        answer = apic.http.get(apic.url(f"/api/mo/{dn}.json"), timeout=TIMEOUT)
        assert answer.status_code == 200, f"{dn}: HTTP {answer.status_code} {answer.text[:500]}"
        imdata = answer.json()["imdata"]
        assert len(imdata) == 1, f"{dn} not found"
        attributes = _mo(imdata[0])[1]["attributes"]
        expected = {
            "state": row[column["state"]].strip(),
            "tCl": row[column["target class"]].strip(),
            "tDn": row[column["target"]].strip(),
        }
        assert {key: attributes.get(key) for key in expected} == expected, dn


@then(parsers.parse('every object in the answer is a "{cls}" whose {attribute} is "{value}"'))
def every_object_has(apic, cls, attribute, value):
    for entry in apic.imdata():
        found_cls, body = _mo(entry)
        assert found_cls == cls, found_cls
        assert body["attributes"][attribute] == value, body["attributes"]["dn"]


@then(parsers.parse('every object in the answer is a "{cls}" directly under "{dn}"'))
def every_object_is_child(apic, cls, dn):
    for entry in apic.imdata():
        found_cls, body = _mo(entry)
        child_dn = body["attributes"]["dn"]
        assert found_cls == cls, found_cls
        assert child_dn.startswith(dn + "/") and "/" not in child_dn[len(dn) + 1 :], child_dn


@then(parsers.parse("the node ids in the answer are {ids}"))
def node_ids(apic, ids):
    listed = sorted(int(_mo(entry)[1]["attributes"]["id"]) for entry in apic.imdata())
    assert listed == sorted(int(node) for node in _names(ids))


@then(parsers.parse('the XML answer holds a "{cls}" element named "{name}" with dn "{dn}"'))
def xml_answer(apic, cls, name, dn):
    assert apic.answer.status_code == 200, f"HTTP {apic.answer.status_code}: {apic.answer.text[:500]}"
    root = ET.fromstring(apic.answer.content)
    assert root.tag == "imdata" and root.get("totalCount") == "1", apic.answer.text[:500]
    (element,) = list(root)
    assert (element.tag, element.get("name"), element.get("dn")) == (cls, name, dn)


@then(parsers.parse('the APIC refuses it with HTTP {status:d} and error code "{code}"'))
def refused(apic, status, code):
    assert apic.answer.status_code == status, f"HTTP {apic.answer.status_code}: {apic.answer.text[:500]}"
    body = apic.json()
    assert body["totalCount"] == "1" and len(body["imdata"]) == 1, body
    error = body["imdata"][0]["error"]["attributes"]
    assert error["code"] == code, error


def _error_text(apic) -> str:
    return apic.json()["imdata"][0]["error"]["attributes"]["text"]


@then(parsers.parse('the error text is "{text}"'))
def error_text_is(apic, text):
    assert _error_text(apic) == text


@then(parsers.parse('the error text begins with "{text}"'))
def error_text_begins(apic, text):
    assert _error_text(apic).startswith(text), _error_text(apic)


@then(parsers.parse('there is still no tenant "{name}" on the APIC'))
def still_no_tenant(apic, name):
    assert not apic.tenant_exists(name), f"tenant {name} exists: the refused write changed the tree"
