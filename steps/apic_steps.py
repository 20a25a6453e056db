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
from pytest_bdd import given, parsers, then, when

from steps.support.apic import ApicSession, describe, mo_entry
from steps.support.sim import SimControl
from steps.support.tables import names, table_rows


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
    """One scenario's exchange with the APIC: its session and login, the last answer, the tenants to remove."""

    session: ApicSession
    login: dict = field(default_factory=dict)
    answer: requests.Response | None = None
    tenants_to_remove: set[str] = field(default_factory=set)

    @property
    def target(self):
        return self.session.target

    def keep(self, answer: requests.Response) -> requests.Response:
        self.answer = answer
        return answer

    def json(self) -> dict:
        assert self.answer is not None, "no request was made"
        try:
            return self.answer.json()
        except ValueError as err:
            raise AssertionError(f"answer is not JSON: {describe(self.answer)}") from err

    def imdata(self) -> list[dict]:
        assert self.answer.status_code == 200, describe(self.answer)
        return self.json()["imdata"]

    def listed(self, attribute: str) -> list[str]:
        return [mo_entry(entry)[1]["attributes"][attribute] for entry in self.imdata()]


@pytest.fixture
def apic(apic_target):
    """The scenario's conversation; afterwards every tenant it may have created is deleted."""
    conversation = ApicConversation(ApicSession(apic_target))
    yield conversation
    if conversation.tenants_to_remove:
        # a fresh login: the scenario may have let its own session expire
        cleaner = ApicSession(apic_target)
        cleaner.logged_in()
        for name in sorted(conversation.tenants_to_remove):
            cleaner.delete(f"/api/mo/uni/tn-{name}.json")


# ---------------------------------------------------------------------------------------------- given


@given("I am logged in to the APIC as the admin user")
def logged_in(apic):
    apic.login = apic.session.logged_in()
    assert apic.login["token"], "the login answer carries no token"


@given(parsers.parse('the APIC has no tenant "{name}"'))
def no_tenant(apic, name):
    apic.tenants_to_remove.add(name)
    if apic.session.tenant_exists(name):  # left over from an interrupted run
        apic.session.delete(f"/api/mo/uni/tn-{name}.json")
    assert not apic.session.tenant_exists(name)


@given("my session stays idle for longer than its refresh timeout")
def session_idles_out(apic):
    SimControl(apic.target).advance_clock(int(apic.login["refreshTimeoutSeconds"]) + 1)


# ----------------------------------------------------------------------------------------------- when


@when(parsers.parse('I post this configuration to "{dn}":'))
def post_configuration(apic, dn, docstring):
    apic.tenants_to_remove |= _tenant_names(docstring)
    apic.keep(apic.session.post(f"/api/mo/{dn}.json", docstring))


@when(parsers.parse('I query the object "{dn}"'))
def query_object(apic, dn):
    apic.keep(apic.session.get(f"/api/mo/{dn}.json"))


@when(parsers.parse('I query the object "{dn}" with its full subtree'))
def query_object_subtree(apic, dn):
    apic.keep(apic.session.get(f"/api/mo/{dn}.json", **{"rsp-subtree": "full"}))


@when(parsers.parse('I query the object "{dn}" as XML'))
def query_object_xml(apic, dn):
    apic.keep(apic.session.get(f"/api/mo/{dn}.xml"))


@when(parsers.parse('I query the class "{cls}"'))
def query_class(apic, cls):
    apic.keep(apic.session.get(f"/api/class/{cls}.json"))


@when(parsers.parse("I query the class \"{cls}\" with the filter '{flt}'"))
def query_class_filtered(apic, cls, flt):
    apic.keep(apic.session.get(f"/api/class/{cls}.json", **{"query-target-filter": flt}))


@when(parsers.parse('I query the children of "{dn}" of class "{cls}"'))
def query_children(apic, dn, cls):
    apic.keep(apic.session.get(f"/api/mo/{dn}.json", **{"query-target": "children", "target-subtree-class": cls}))


@when(parsers.parse('I query the children of "{dn}" of class "{cls}" with the filter \'{flt}\''))
def query_children_filtered(apic, dn, cls, flt):
    apic.keep(apic.session.get(
        f"/api/mo/{dn}.json", **{"query-target": "children", "target-subtree-class": cls, "query-target-filter": flt}))


@when(parsers.parse('I query the class "{cls}" without a session cookie'))
def query_class_without_cookie(apic, cls):
    apic.keep(ApicSession(apic.target).get(f"/api/class/{cls}.json"))


@when(parsers.parse('I delete "{dn}"'))
def delete_object(apic, dn):
    apic.keep(apic.session.delete(f"/api/mo/{dn}.json"))


@when(parsers.parse('I log in as the admin user with the password "{password}"'))
def login_with_password(apic, password):
    apic.keep(ApicSession(apic.target).login(password))


# ----------------------------------------------------------------------------------------------- then


@then("the APIC accepts the change")
def change_accepted(apic):
    assert apic.answer.status_code == 200, describe(apic.answer)
    assert apic.json() == {"totalCount": "0", "imdata": []}


@then(parsers.re(r"the answer holds (?P<count>\d+) objects?"), converters={"count": int})
def answer_holds(apic, count):
    imdata = apic.imdata()
    assert apic.json()["totalCount"] == str(count), apic.json()["totalCount"]
    assert len(imdata) == count, [mo_entry(entry)[1]["attributes"].get("dn") for entry in imdata]


@then("the answer is empty")
def answer_empty(apic):
    assert apic.answer.status_code == 200, describe(apic.answer)
    assert apic.json() == {"totalCount": "0", "imdata": []}


@then(parsers.parse('the subtree of "{dn}" contains:'))
def subtree_contains(apic, dn, datatable):
    (root,) = apic.imdata()
    found: dict[str, str] = {}
    stack = [("", root)]
    while stack:
        path, entry = stack.pop()
        cls, body = mo_entry(entry)
        attributes = body["attributes"]
        if not path:
            assert attributes["dn"] == dn, attributes["dn"]
        found[path] = cls
        for child in body.get("children", []):
            # nested children carry their rn, only the top object carries a dn
            rn = mo_entry(child)[1]["attributes"]["rn"]
            stack.append((f"{path}/{rn}" if path else rn, child))
    for row in table_rows(datatable):
        assert found.get(row["path"]) == row["class"], f"{row['path'] or dn!r}: expected {row['class']}, found {found.get(row['path'])}"


@then(parsers.parse("the answer names exactly the tenants {tenants}"))
def answer_names_exactly(apic, tenants):
    listed = sorted(apic.listed("name"))
    assert listed == sorted(names(tenants))
    assert apic.json()["totalCount"] == str(len(listed))


@then(parsers.parse("the answer includes the tenants {tenants}"))
def answer_includes(apic, tenants):
    listed = set(apic.listed("name"))
    assert set(names(tenants)) <= listed, sorted(listed)


@then(parsers.parse("the answer leaves out the tenants {tenants}"))
def answer_leaves_out(apic, tenants):
    listed = set(apic.listed("name"))
    assert not set(names(tenants)) & listed, sorted(listed)


@then("these relations are resolved:")
def relations_resolved(apic, datatable):
    for row in table_rows(datatable):
        dn = row["relation"]
        found = apic.session.mo(dn)
        assert found is not None, f"{dn} not found"
        attributes = found[1]["attributes"]
        expected = {"state": row["state"], "tCl": row["target class"], "tDn": row["target"]}
        assert {key: attributes.get(key) for key in expected} == expected, dn


@then(parsers.parse('every object in the answer is a "{cls}" whose {attribute} is "{value}"'))
def every_object_has(apic, cls, attribute, value):
    for entry in apic.imdata():
        found_cls, body = mo_entry(entry)
        assert found_cls == cls, found_cls
        assert body["attributes"][attribute] == value, body["attributes"]["dn"]


@then(parsers.parse('every object in the answer is a "{cls}" directly under "{dn}"'))
def every_object_is_child(apic, cls, dn):
    for entry in apic.imdata():
        found_cls, body = mo_entry(entry)
        child_dn = body["attributes"]["dn"]
        assert found_cls == cls, found_cls
        assert child_dn.startswith(dn + "/") and "/" not in child_dn[len(dn) + 1 :], child_dn


@then(parsers.parse("the node ids in the answer are {ids}"))
def node_ids(apic, ids):
    assert sorted(int(node) for node in apic.listed("id")) == sorted(int(node) for node in names(ids))


@then(parsers.parse('the XML answer holds a "{cls}" element named "{name}" with dn "{dn}"'))
def xml_answer(apic, cls, name, dn):
    assert apic.answer.status_code == 200, describe(apic.answer)
    root = ET.fromstring(apic.answer.content)
    assert root.tag == "imdata" and root.get("totalCount") == "1", apic.answer.text[:500]
    (element,) = list(root)
    assert (element.tag, element.get("name"), element.get("dn")) == (cls, name, dn)


@then(parsers.parse('the APIC refuses it with HTTP {status:d} and error code "{code}"'))
def refused(apic, status, code):
    assert apic.answer.status_code == status, describe(apic.answer)
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
    assert not apic.session.tenant_exists(name), f"tenant {name} exists: the refused write changed the tree"
