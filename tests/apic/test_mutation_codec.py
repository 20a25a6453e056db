"""APIC's wire formats as a REST client meets them, over HTTPS to a served lab: JSON and XML bodies parsed by
content (empty, broken, nested to the limit, entities and namespaces in XML, lone surrogates deep in a body),
login bodies (aaaUser, aaaAppToken, anything else), and the answers' envelopes (the XML declaration, string
counts, UTF-8 text as it is, error texts that echo what no answer could carry).

Found by mutation testing (tools/mutation/RESULTS.md, simulator/apic/codec.py): each test here failed against a
mutant that every other fast test let through."""

from __future__ import annotations

import json

import pytest
from lxml import etree

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TIMEOUT = 30
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
DEPTH_LIMIT = 64  # the nesting the APIC answers "nested deeper than" for (the same in JSON and XML)


def post_raw(rest, path: str, data: bytes | str):
    return rest.http.post(f"{rest.url}{path}", data=data, timeout=TIMEOUT)


def error_of(r, status: int = 400) -> tuple[str, str]:
    assert r.status_code == status, r.text[:500]
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["totalCount"] == "1"
    (item,) = doc["imdata"]
    return item["error"]["attributes"]["code"], item["error"]["attributes"]["text"]


def xml_error_of(r, status: int = 400) -> tuple[str, str]:
    assert r.status_code == status, r.text[:500]
    assert r.text.startswith(XML_DECLARATION + "<imdata")
    root = etree.fromstring(r.content)
    assert (root.tag, root.get("totalCount")) == ("imdata", "1")
    (err,) = root
    assert err.tag == "error"
    return err.get("code"), err.get("text")


def tenant_attrs(rest, name: str) -> dict[str, str]:
    (mo,) = rest.imdata(f"/api/mo/uni/tn-{name}.json")
    return mo["fvTenant"]["attributes"]


# --- JSON bodies --------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_an_empty_json_body_is_refused_as_empty(rest, body):
    assert error_of(post_raw(rest, "/api/mo/uni.json", body)) == ("400", "JSON parsing failed - empty request body")


def test_broken_json_is_refused_with_the_parsers_reason_and_line(rest):
    code, text = error_of(post_raw(rest, "/api/mo/uni.json", '{"fvTenant":\n {"attributes": }}'))
    assert (code, text) == ("400", "JSON parsing failed - Expecting value at line: 2")


def test_json_constants_keep_their_text_as_numbers_do(rest):
    r = post_raw(rest, "/api/mo/uni.json", '{"fvTenant":{"attributes":{"name":"mutconst","descr":NaN}}}')
    assert r.status_code == 200, r.text
    assert tenant_attrs(rest, "mutconst")["descr"] == "NaN"
    r = post_raw(rest, "/api/mo/uni.json", '{"fvTenant":{"attributes":{"name":"mutconst","descr":2.50}}}')
    assert r.status_code == 200, r.text
    assert tenant_attrs(rest, "mutconst")["descr"] == "2.50"


def test_a_lone_surrogate_anywhere_in_a_body_is_refused(rest):
    deep = ('{"fvTenant":{"attributes":{"name":"mutsur"},"children":[{"fvCtx":{"attributes":'
            '{"name":"v","descr":"x\\udc00"}}}]}}')
    code, text = error_of(post_raw(rest, "/api/mo/uni.json", deep))
    assert (code, text) == ("400", "JSON parsing failed - invalid unicode escape (a lone surrogate) at line: 1")
    assert rest.imdata("/api/mo/uni/tn-mutsur.json") == []


def test_text_beyond_ascii_is_answered_as_utf8_not_as_escapes(rest):
    body = json.dumps({"fvTenant": {"attributes": {"name": "mututf", "descr": "café ✓"}}}, ensure_ascii=False)
    r = post_raw(rest, "/api/mo/uni.json", body.encode("utf-8"))
    code, text = error_of(r)
    assert (code, text) == ("801", "property descr of uni/tn-mututf failed validation for value 'café ✓'")
    assert "'café ✓'".encode() in r.content  # as it is, not as \\u escapes
    r = rest.http.get(f"{rest.url}/api/class/fvTenant.xml", params={"query-target": "café"}, timeout=TIMEOUT)
    assert xml_error_of(r) == ("400", "Invalid value for query-target: café")


def test_counts_are_strings_in_both_formats(rest):
    rest.post_ok("uni", {"fvTenant": {"attributes": {"name": "mutcount"}}})
    r = rest.get("/api/mo/uni/tn-mutcount.json")
    assert r.json()["totalCount"] == "1"
    assert json.loads(r.text) == r.json() and r.text.startswith('{"totalCount":"1","imdata":[')
    r = rest.get("/api/mo/uni/tn-mutcount.xml")
    assert r.text.startswith(XML_DECLARATION + '<imdata totalCount="1">')
    r = rest.get("/api/mo/uni/tn-mutnothing.xml")
    assert r.text == XML_DECLARATION + '<imdata totalCount="0"/>'


def test_a_page_counts_every_match_and_a_json_subscription_carries_its_id(rest):
    for name in ("mutpage1", "mutpage2", "mutpage3"):
        rest.post_ok("uni", {"fvTenant": {"attributes": {"name": name}}})
    r = rest.get("/api/class/fvTenant.json", **{"page-size": "1", "page": "0",
                                                "query-target-filter": 'wcard(fvTenant.name,"mutpage")'})
    doc = r.json()
    assert (doc["totalCount"], len(doc["imdata"])) == ("3", 1)  # the count before paging
    r = rest.get("/api/class/fvTenant.json", subscription="yes",
                 **{"query-target-filter": 'wcard(fvTenant.name,"mutpage")'})
    assert r.status_code == 200, r.text
    assert r.text.startswith('{"totalCount":"3","subscriptionId":"')
    assert r.json()["subscriptionId"].isdigit()


# --- XML bodies ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", ["", "  \n "])
def test_an_empty_xml_body_is_refused_as_empty(rest, body):
    assert xml_error_of(post_raw(rest, "/api/mo/uni.xml", body)) == ("400", "XML parsing failed - empty request body")


def test_broken_xml_is_refused_with_the_parsers_reason(rest):
    code, text = xml_error_of(post_raw(rest, "/api/mo/uni.xml", '<fvTenant name="x">'))
    assert code == "400" and text.startswith("XML parsing failed - ") and "line 1" in text


def test_an_xml_body_with_a_namespace_and_comments_writes_its_mos(rest):
    body = ('<a:fvTenant xmlns:a="http://www.cisco.com/apic" name="mutns"><!-- a comment -->'
            '<a:fvCtx name="v1"/><?pi ignored?></a:fvTenant>')
    r = post_raw(rest, "/api/mo/uni.xml", body)
    assert r.status_code == 200, r.text
    assert tenant_attrs(rest, "mutns")["name"] == "mutns"
    (ctx,) = rest.imdata("/api/mo/uni/tn-mutns/ctx-v1.json")
    assert ctx["fvCtx"]["attributes"]["dn"] == "uni/tn-mutns/ctx-v1"


def test_an_external_entity_in_an_xml_body_is_not_read(rest, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    body = (f'<?xml version="1.0"?><!DOCTYPE fvTenant [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<fvTenant name="mutxxe"><fvCtx name="v">&x;</fvCtx></fvTenant>')
    post_raw(rest, "/api/mo/uni.xml", body)
    r = rest.get("/api/mo/uni/tn-mutxxe.json", **{"rsp-subtree": "full"})
    assert "TOPSECRET" not in r.text


def test_an_entity_in_an_xml_body_makes_no_mo(rest):
    """Entities are not expanded into elements (the parser resolves none: no entity tricks, no billion laughs);
    the elements written out in the body are written."""
    body = ('<!DOCTYPE fvTenant [<!ENTITY e "<fvCtx name=\'hidden\'/>">]>'
            '<fvTenant name="mutent">&e;<fvCtx name="shown"/></fvTenant>')
    r = post_raw(rest, "/api/mo/uni.xml", body)
    assert r.status_code == 200, r.text
    r = rest.get("/api/mo/uni/tn-mutent.json", **{"query-target": "children", "target-subtree-class": "fvCtx"})
    assert [mo["fvCtx"]["attributes"]["name"] for mo in r.json()["imdata"]] == ["shown"]


def _nested_json(levels: int) -> str:
    body: dict = {"fvTenant": {"attributes": {"name": "mutdeep"}}}
    for _ in range(levels - 1):
        body = {"fvTenant": {"attributes": {"name": "mutdeep"}, "children": [body]}}
    return json.dumps(body)


def _nested_xml(levels: int) -> str:
    return '<fvTenant name="mutdeep">' * levels + "</fvTenant>" * levels


@pytest.mark.parametrize("levels", [DEPTH_LIMIT, DEPTH_LIMIT + 1])
def test_nesting_at_and_past_the_limit_is_judged_alike_in_json_and_xml(rest, levels):
    too_deep = f"invalid data at line '1'. Objects are nested deeper than {DEPTH_LIMIT} levels"
    json_answer = error_of(post_raw(rest, "/api/mo/uni.json", _nested_json(levels)))
    xml_answer = xml_error_of(post_raw(rest, "/api/mo/uni.xml", _nested_xml(levels)))
    assert json_answer == xml_answer
    assert (json_answer[1] == too_deep) is (levels > DEPTH_LIMIT)


# --- login bodies ---------------------------------------------------------------------------------------
def test_a_login_body_in_xml_logs_in_and_answers_in_xml(rest):
    r = post_raw(rest, "/api/aaaLogin.xml", '<aaaUser name="admin" pwd="secret"/>')
    assert r.status_code == 200, r.text
    (login,) = etree.fromstring(r.content)
    assert login.tag == "aaaLogin" and login.get("userName") == "admin" and login.get("token")


def test_an_app_token_body_is_read_as_a_login_body(rest):
    r = post_raw(rest, "/api/aaaLogin.json", '{"aaaAppToken":{"attributes":{"name":"admin","pwd":"secret"}}}')
    assert r.status_code == 200, r.text
    assert r.json()["imdata"][0]["aaaLogin"]["attributes"]["userName"] == "admin"


def test_a_login_body_of_another_class_is_refused(rest):
    r = post_raw(rest, "/api/aaaLogin.json", '{"fvTenant":{"attributes":{"name":"admin","pwd":"secret"}}}')
    assert error_of(r) == ("400", "unknown managed object class fvTenant in login request")


# --- characters in XML answers -------------------------------------------------------------------------
def test_an_xml_error_escapes_only_what_xml_cannot_carry(rest):
    r = rest.http.get(f"{rest.url}/api/class/fvTenant.xml", params={"query-target": "XY\x08Z\x0b\tü\ufffe"},
                      timeout=TIMEOUT)
    code, text = xml_error_of(r)
    assert code == "400"
    assert text == "Invalid value for query-target: XY\\u0008Z\\u000b\tü\\ufffe"


def test_a_subscription_id_rides_on_the_xml_envelope(rest):
    r = rest.get("/api/class/fvTenant.xml", subscription="yes")
    assert r.status_code == 200, r.text
    root = etree.fromstring(r.content)
    assert root.tag == "imdata" and root.get("subscriptionId", "").isdigit()
    assert root.get("totalCount") == str(len(root))
