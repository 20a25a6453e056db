"""The children of an `rsp-subtree=modified` answer come in the order a real APIC lists them.

Recorded real answer (ansible-aci tests/integration/targets/aci_rest/tasks/json_inline.yml,
nm_add_tenant_annotation_children): a new tenant posted with children [fvCtx vrf1, fvAp app1 [fvAEPg web]]
answers `fvTenant.children.0.fvAp` (its `children.0.fvAEPg`) and `fvTenant.children.2.fvCtx`: the answer
follows the child order of every other answer (mit/child_order.py), not the order of the POST.
"""

from __future__ import annotations

import pytest
from rest_session import ApicRest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def modified(rest: ApicRest, dn: str, body: dict) -> list[dict]:
    r = rest.http.post(f"{rest.url}/api/mo/{dn}.json?rsp-subtree=modified", json=body, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["imdata"]


def classes(children: list[dict]) -> list[str]:
    return [next(iter(child)) for child in children]


def test_new_tenant_answers_its_children_in_the_apic_order(rest):
    body = {"fvTenant": {"attributes": {"name": "order_tn", "annotation": "test:inoption"}, "children": [
        {"fvCtx": {"attributes": {"name": "vrf1", "annotation": "test:inoption"}}},
        {"fvAp": {"attributes": {"name": "app1", "annotation": "test:inoption"}, "children": [
            {"fvAEPg": {"attributes": {"name": "web", "annotation": "test:inchild"}}}]}}]}}
    answer = modified(rest, "uni", body)
    tenant = answer[0]["fvTenant"]
    assert tenant["attributes"]["rn"] == ""
    assert tenant["attributes"]["status"] == "created"
    children = tenant["children"]
    read = rest.imdata("/api/mo/uni/tn-order_tn.json", **{"rsp-subtree": "children"})
    assert classes(children) == classes(read[0]["fvTenant"]["children"])
    [app] = [child["fvAp"] for child in children if "fvAp" in child]
    assert app["attributes"]["name"] == "app1"
    assert app["children"][0]["fvAEPg"]["attributes"]["annotation"] == "test:inchild"


def test_modified_answer_lists_children_as_a_read_of_the_tenant_does(rest):
    """The same rule as every other answer: the modified tree and a full read agree on the order."""
    body = {"fvTenant": {"attributes": {"name": "order_tn2"}, "children": [
        {"fvBD": {"attributes": {"name": "bd1"}}},
        {"fvCtx": {"attributes": {"name": "vrf1"}}},
        {"fvAp": {"attributes": {"name": "app1"}}},
        {"fvBD": {"attributes": {"name": "bd2"}}}]}}
    answered = classes(modified(rest, "uni", body)[0]["fvTenant"]["children"])
    read = rest.imdata("/api/mo/uni/tn-order_tn2.json", **{"rsp-subtree": "children"})
    assert answered == classes(read[0]["fvTenant"]["children"])
    names = [child["fvBD"]["attributes"]["rn"] for child in modified(rest, "uni", {"fvTenant": {
        "attributes": {"name": "order_tn2"}, "children": [
            {"fvBD": {"attributes": {"name": "bd3", "descr": "a"}}},
            {"fvBD": {"attributes": {"name": "bd4", "descr": "b"}}}]}})[0]["fvTenant"]["children"]]
    assert names == ["BD-bd4", "BD-bd3"]  # one class: the newest first
