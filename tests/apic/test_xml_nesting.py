"""XML answers keep the tree's nesting, over the REST API: with `rsp-subtree=children` or `full` each child
element sits inside its parent's element, as in the JSON answer's `children` lists, so the XML parsed back
into the JSON shape is the JSON answer (same classes, attributes, children and their order)."""

from __future__ import annotations

import pytest
from lxml import etree

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TENANT = "uni/tn-xmlnest"


def mo(cls: str, children: list[dict] | None = None, **attrs: str) -> dict:
    body: dict = {"attributes": attrs}
    if children:
        body["children"] = children
    return {cls: body}


def as_json_shape(el) -> dict:
    """An XML MO element as the JSON answer writes the same MO."""
    body: dict = {"attributes": dict(el.attrib)}
    children = [as_json_shape(child) for child in el if isinstance(child.tag, str)]
    if children:
        body["children"] = children
    return {el.tag: body}


def depth(node: dict) -> int:
    ((_, body),) = node.items()
    return 1 + max((depth(child) for child in body.get("children", ())), default=0)


@pytest.fixture(scope="module")
def tenant(rest):
    rest.post_ok("uni", mo("fvTenant", [
        mo("fvCtx", name="v"),
        mo("fvBD", [mo("fvRsCtx", tnFvCtxName="v"), mo("fvSubnet", ip="10.9.0.1/24")], name="b"),
        mo("fvAp", [mo("fvAEPg", [mo("fvRsBd", tnFvBDName="b")], name="web")], name="app"),
    ], name="xmlnest", descr="nested"))
    return rest


def both(rest, path: str, **params: str) -> tuple[dict, dict]:
    """The JSON answer and the XML answer of the same query, the XML in the JSON shape."""
    as_json = rest.get(f"{path}.json", **params)
    as_xml = rest.get(f"{path}.xml", **params)
    assert as_json.status_code == as_xml.status_code == 200, (as_json.text, as_xml.text)
    root = etree.fromstring(as_xml.content)
    assert root.tag == "imdata"
    xml = {"totalCount": root.get("totalCount"), "imdata": [as_json_shape(el) for el in root]}
    return as_json.json(), xml


@pytest.mark.parametrize("subtree", ["children", "full"])
def test_an_mo_query_with_its_subtree_nests_alike_in_xml_and_json(tenant, subtree):
    as_json, as_xml = both(tenant, f"/api/mo/{TENANT}", **{"rsp-subtree": subtree})
    assert as_xml == as_json
    [root] = as_xml["imdata"]
    if subtree == "children":
        assert depth(root) == 2
    else:
        assert depth(root) >= 4  # tenant › ap › epg › rsBd


def test_a_class_query_with_the_full_subtree_nests_alike(tenant):
    as_json, as_xml = both(tenant, "/api/class/fvBD", **{
        "query-target-filter": 'eq(fvBD.name,"b")', "rsp-subtree": "full"})
    assert as_xml == as_json
    [bd] = as_xml["imdata"]
    kids = {next(iter(child)) for child in bd["fvBD"]["children"]}
    assert {"fvRsCtx", "fvSubnet"} <= kids


def test_xml_children_are_inside_their_parent_element_only(tenant):
    r = tenant.get(f"/api/mo/{TENANT}.xml", **{"rsp-subtree": "full"})
    root = etree.fromstring(r.content)
    assert [el.tag for el in root] == ["fvTenant"]  # one top-level MO, its subtree inside it
    [epg] = root.iterfind("fvTenant/fvAp/fvAEPg")
    assert epg.get("rn") == "epg-web" and epg.find("fvRsBd").get("tnFvBDName") == "b"
