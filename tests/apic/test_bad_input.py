"""Bad input over the served REST API: every answer is a 4xx in the APIC's envelope, never a 500 or a framework page.

One case per cause the fuzz (bench/fuzz_apic.py) measured: bodies of the wrong JSON type, nesting deeper than
any real payload, control characters and lone surrogates, over-long names and DNs, `//` in a path, Flask's
static route, methods the APIC does not serve, absurd query options, broken percent-escapes, bytes that are no
UTF-8 in bodies and cookies, and wcard patterns a backtracking engine would stall on.
"""

from __future__ import annotations

import json
import threading

import pytest
from lxml import etree
from rest_session import TIMEOUT

ENVELOPE_HEADERS = {"Access-Control-Allow-Methods": "POST,GET,OPTIONS,DELETE"}


def error_of(r, status: int = 400) -> tuple[str, str]:
    """The (code, text) of a JSON error answer, checking its envelope."""
    assert r.status_code == status, r.text[:500]
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["totalCount"] == "1"
    (item,) = doc["imdata"]
    attrs = item["error"]["attributes"]
    assert set(attrs) == {"code", "text"}
    return attrs["code"], attrs["text"]


def xml_error_of(r, status: int = 400) -> tuple[str, str]:
    assert r.status_code == status, r.text[:500]
    assert r.headers["Content-Type"].startswith("application/xml")
    root = etree.fromstring(r.content)
    assert (root.tag, root.get("totalCount")) == ("imdata", "1")
    (err,) = root
    assert err.tag == "error"
    return err.get("code"), err.get("text")


def post_raw(rest, path: str, data: bytes | str, **kw):
    return rest.http.post(f"{rest.url}{path}", data=data, timeout=TIMEOUT, **kw)


# --- bodies of the wrong shape ----------------------------------------------------------------------
@pytest.mark.parametrize("body", ["[1]", "1", '"abc"', "null", "true", "[]", "{}", '{"aaaUser":[1]}',
                                  '{"aaaUser":{"attributes":[1]}}', '{"aaaUser":{"attributes":{"name":[1]}}}'])
def test_a_login_body_that_is_no_mo_is_refused_as_malformed(rest, body):
    code, text = error_of(post_raw(rest, "/api/aaaLogin.json", body))
    assert code == "400"
    assert text in ("incomplete node at line 1", "JSON parsing failed - incomplete attribute value at line: 1")


@pytest.mark.parametrize("body", ['{"aaaUser":{"attributes":{}}}', '{"aaaUser":{"attributes":{"pwd":"x"}}}',
                                  '{"aaaUser":{"attributes":{"name":"","pwd":"x"}}}', '{"aaaUser":{"attributes":{"name":null}}}'])
def test_a_login_without_a_user_name_is_a_failed_login(rest, body):
    code, text = error_of(post_raw(rest, "/api/aaaLogin.json", body), 401)
    assert code == "401" and text == "Username or password is incorrect - FAILED local authentication"


@pytest.mark.parametrize("body", [
    {"fvTenant": {"attributes": [1]}},
    {"fvTenant": {"attributes": {"name": "bad1"}, "children": [[1]]}},
    {"fvTenant": {"attributes": {"name": "bad1"}, "children": [1]}},
    {"fvTenant": {"attributes": {"name": "bad1"}, "children": {"fvAp": {}}}},
    {"fvTenant": 1}, [{"fvTenant": {"attributes": {"name": "bad1"}}}], 7, "fvTenant", None,
])
def test_a_write_body_of_the_wrong_json_type_is_refused_and_writes_nothing(rest, body):
    code, text = error_of(post_raw(rest, "/api/mo/uni.json", json.dumps(body)))
    assert code == "400" and text == "incomplete node at line 1"
    assert rest.imdata("/api/mo/uni/tn-bad1.json") == []


def _nested_aps(depth: int) -> dict:
    node: dict = {"fvAp": {"attributes": {"name": "a"}}}
    for _ in range(depth):
        node = {"fvAp": {"attributes": {"name": "a"}, "children": [node]}}
    return {"fvTenant": {"attributes": {"name": "deep"}, "children": [node]}}


@pytest.mark.parametrize("data", [json.dumps(_nested_aps(70)), "[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 5000 + "1" + "}" * 5000])
def test_a_body_nested_deeper_than_any_real_payload_is_refused(rest, data):
    code, text = error_of(post_raw(rest, "/api/mo/uni.json", data))
    assert code == "400"
    assert text == "invalid data at line '1'. Objects are nested deeper than 64 levels"
    assert rest.imdata("/api/mo/uni/tn-deep.json") == []


def test_an_xml_body_nested_thousands_deep_is_refused_in_xml(rest):
    data = '<fvTenant name="deepx">' + "<fvAp name='a'>" * 3000 + "</fvAp>" * 3000 + "</fvTenant>"
    code, text = xml_error_of(post_raw(rest, "/api/mo/uni.xml", data))
    assert code == "400" and text.startswith("XML parsing failed - ")


def test_numbers_keep_the_text_the_client_wrote(rest):
    rest.post_ok("uni", {"fvTenant": {"attributes": {"name": "numbers"}}})
    r = post_raw(rest, "/api/mo/uni.json", '{"fvTenant":{"attributes":{"name":"numbers","descr":1e2}}}')
    assert r.status_code == 200, r.text
    (tenant,) = rest.imdata("/api/mo/uni/tn-numbers.json")
    assert tenant["fvTenant"]["attributes"]["descr"] == "1e2"
    code, text = error_of(post_raw(rest, "/api/mo/uni.json",
                                   '{"fvTenant":{"attributes":{"name":"numbers","descr":' + "9" * 5000 + "}}}"))
    assert code == "801" and text.startswith("property descr of uni/tn-numbers failed validation for value '999")


# --- characters no answer can carry ------------------------------------------------------------------
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1f", "\x7f"])
def test_a_control_character_in_a_value_is_refused_as_the_apic_validates_it(rest, char):
    code, text = error_of(rest.post("uni", {"fvTenant": {"attributes": {"name": "ctl", "descr": f"a{char}b"}}}))
    assert code == "801" and text.startswith("property descr of uni/tn-ctl failed validation")
    code, _ = error_of(rest.post("uni", {"fvTenant": {"attributes": {"name": f"c{char}tl"}}}))
    assert code == "801"


def test_a_control_character_is_refused_where_the_catalog_has_no_pattern_too(rest):
    rest.post_ok("uni", {"fvTenant": {"attributes": {"name": "ctl2"}}})
    body = {"tagAnnotation": {"attributes": {"key": "k", "value": "a\x01b"}}}
    code, text = error_of(rest.post("uni/tn-ctl2", body))
    assert code == "801" and text.startswith("property value of uni/tn-ctl2/annotationKey-[k] failed validation")
    rest.post_ok("uni/tn-ctl2", {"tagAnnotation": {"attributes": {"key": "k", "value": "tab\there"}}})
    r = rest.get("/api/mo/uni/tn-ctl2.xml", **{"rsp-subtree": "children"})
    assert r.status_code == 200 and etree.fromstring(r.content).tag == "imdata"


def test_an_error_echoing_a_control_character_is_still_parsable_xml(rest):
    code, text = xml_error_of(rest.get("/api/class/fvTenant.xml", **{"query-target": "a\x01b"}))
    assert code == "400" and text == "Invalid value for query-target: a\\u0001b"


def test_a_lone_surrogate_escape_in_a_body_is_refused_as_bad_json(rest):
    code, text = error_of(post_raw(rest, "/api/mo/uni.json",
                                   '{"fvTenant":{"attributes":{"name":"sur","descr":"a\\ud800b"}}}'))
    assert code == "400" and text.startswith("JSON parsing failed - invalid unicode escape")


def test_bytes_that_are_no_utf8_in_a_body_fail_validation(rest):
    code, _ = error_of(post_raw(rest, "/api/mo/uni.json", b'{"fvTenant":{"attributes":{"name":"\xff\xfe"}}}'))
    assert code == "801"


def test_a_cookie_of_bytes_that_are_no_utf8_is_no_session(rest):
    # a session of its own: the shared one's cookie jar would add the admin's token
    bare = rest.http.__class__()
    bare.verify, bare.trust_env = False, False
    r = bare.get(f"{rest.url}/api/mo/uni.json", headers={"Cookie": "APIC-cookie=\xff\xfe"}, timeout=TIMEOUT)
    code, text = error_of(r, 403)
    assert code == "403" and text == "Token was invalid (Error: Token timeout)"


# --- lengths ---------------------------------------------------------------------------------------
def test_a_naming_value_longer_than_its_maximum_is_refused_with_the_validation_error(rest):
    code, text = error_of(rest.post("uni", {"fvTenant": {"attributes": {"name": "n" * 100_000}}}))
    assert code == "801"
    assert text.startswith("property name of tn-nnn") and text.endswith("...'")
    assert len(text) < 1000  # the value is echoed cut short, not 100k characters twice


def test_a_dn_longer_than_any_real_one_is_refused(rest):
    code, text = error_of(rest.get("/api/mo/uni/tn-" + "n" * 3000 + ".json"))
    assert code == "400" and text.startswith("Invalid DN uni/tn-nnn") and text.endswith("longer than 2048 characters")
    code, _ = error_of(rest.post("uni/tn-" + "x" * 3000, {"fvTenant": {"attributes": {}}}))
    assert code == "400"
    code, _ = error_of(rest.http.delete(f"{rest.url}/api/mo/uni/tn-{'x' * 3000}.json", timeout=TIMEOUT))
    assert code == "400"


def test_length_and_pattern_limits_hold_on_create_and_on_modify(rest):
    code, _ = error_of(rest.post("uni", {"fvTenant": {"attributes": {"name": "lim", "descr": "d" * 129}}}))
    assert code == "801"
    rest.post_ok("uni", {"fvTenant": {"attributes": {"name": "lim", "descr": "d" * 128}}})
    for descr in ("d" * 129, "has [brackets]"):
        code, text = error_of(rest.post("uni/tn-lim", {"fvTenant": {"attributes": {"descr": descr}}}))
        assert code == "801" and text.startswith("property descr of uni/tn-lim failed validation")
    (tenant,) = rest.imdata("/api/mo/uni/tn-lim.json")
    assert tenant["fvTenant"]["attributes"]["descr"] == "d" * 128


# --- paths, methods, query options ------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api//mo/uni.json", "/static/README.md", "/static/x.js"])
def test_no_framework_page_for_double_slashes_or_static_files(rest, path):
    r = rest.http.get(f"{rest.url}{path}", allow_redirects=False, timeout=TIMEOUT)
    code, _ = error_of(r, 404)
    assert code == "404"


def test_methods_the_apic_does_not_serve_answer_in_its_envelope(rest):
    for method in ("PUT", "PATCH"):
        code, text = error_of(rest.http.request(method, f"{rest.url}/api/mo/uni.json", timeout=TIMEOUT), 405)
        assert code == "405" and text == f"Method Not Allowed: {method} /api/mo/uni.json"
    r = rest.http.options(f"{rest.url}/api/mo/uni.xml", timeout=TIMEOUT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/xml")
    assert etree.fromstring(r.content).get("totalCount") == "0"
    assert r.headers["Access-Control-Allow-Methods"] == ENVELOPE_HEADERS["Access-Control-Allow-Methods"]
    r = rest.http.head(f"{rest.url}/api/mo/uni.json", timeout=TIMEOUT)
    assert r.status_code == 200 and r.content == b""


@pytest.mark.parametrize(("option", "value"), [
    ("page-size", "-1"), ("page-size", "x"), ("page-size", "1.5"), ("page", "-3"), ("rsp-subtree-include", "zz"),
    ("order-by", "fvTenant.zz|up"), ("order-by", "|"), ("query-target-filter", "eq("),
    ("query-target-filter", 'and(eq(fvTenant.name,"x")'), ("query-target-filter", "not(" * 150 + "true" + ")" * 150),
    ("query-target", "%ff"), ("rsp-subtree", "x"),
])
def test_absurd_query_options_are_refused_in_the_envelope(rest, option, value):
    code, _ = error_of(rest.get("/api/class/fvTenant.json", **{option: value}))
    assert code in ("400", "107")


def test_a_huge_page_size_is_just_a_large_page(rest):
    r = rest.get("/api/class/fvTenant.json", **{"page-size": "99999999999999999999", "page": "0"})
    assert r.status_code == 200 and int(r.json()["totalCount"]) >= 3


@pytest.mark.parametrize("path", ["/api/mo/uni/tn-%zz.json", "/api/mo/uni/tn-%.json", "/api/mo/uni/tn-%ff%c3%28.json",
                                  "/api/mo/uni/tn-%ed%a0%80.json", "/api/mo/uni/tn-%00.xml"])
def test_broken_percent_escapes_in_a_dn_are_a_missing_object(rest, path):
    r = rest.http.get(f"{rest.url}{path}", timeout=TIMEOUT)
    assert r.status_code in (200, 400), r.text
    if path.endswith(".xml"):
        assert etree.fromstring(r.content).tag == "imdata"
    else:
        assert r.json()["totalCount"] in ("0", "1")


# --- wcard and the store's lock ----------------------------------------------------------------------
def test_a_backtracking_wcard_pattern_is_matched_in_one_pass(rest):
    rest.post_ok("uni", {"fvTenant": {"attributes": {"name": "a" * 40}}})
    rest.post_ok("uni", {"fvTenant": {"attributes": {"name": "a" * 40 + "b"}}})
    # a backtracking engine tries 2**40 ways through "a"*40 before it gives up; the automaton reads it once
    names = [mo["fvTenant"]["attributes"]["name"] for mo in rest.imdata(
        "/api/class/fvTenant.json", **{"query-target-filter": 'wcard(fvTenant.name,"^(a|a)*b$")'})]
    assert names == ["a" * 40 + "b"]


@pytest.mark.parametrize(("pattern", "why"), [
    (r"(a)\1", "a back-reference"), ("a(?=b)", "a look-around"), ("(?>a)", "an atomic group"),
    ("a*+", "a possessive repeat"), ("(a{100}){100}", "more than 2000 automaton states"),
])
def test_a_wcard_pattern_no_bounded_engine_matches_is_refused(rest, pattern, why):
    code, text = error_of(rest.get("/api/class/fvTenant.json",
                                   **{"query-target-filter": f'wcard(fvTenant.name,"{pattern}")'}))
    assert code == "107" and why in text


def test_a_wcard_pattern_longer_than_the_bound_is_refused(rest):
    code, text = error_of(rest.get("/api/class/fvTenant.json",
                                   **{"query-target-filter": 'wcard(fvTenant.name,"' + "a" * 513 + '")'}))
    assert code == "107" and text == "Invalid filter: wcard pattern longer than 512 characters"


def test_a_long_name_is_refused_before_any_store_work(lab, monkeypatch):
    from rest_session import ApicRest

    rest = ApicRest(lab.apic_server.url)
    calls: list[str] = []
    post, resolve = lab.apic.post, lab.apic.catalog.resolve_dn
    monkeypatch.setattr(lab.apic, "post", lambda *a, **kw: calls.append("post") or post(*a, **kw))
    monkeypatch.setattr(lab.apic.catalog, "resolve_dn", lambda dn: calls.append("resolve") or resolve(dn))
    code, _ = error_of(rest.post("uni", {"fvTenant": {"attributes": {"name": "n" * 100_000}}}))
    assert code == "801"
    code, _ = error_of(rest.post("uni", {"fvTenant": {"attributes": {"name": "ok"}, "children": [
        {"fvAp": {"attributes": {"name": "a" * 65}}}]}}))
    assert code == "801"
    assert calls == []  # neither the facade's write (which takes the store's lock) nor a DN resolution ran
    rest.post_ok("uni", {"fvTenant": {"attributes": {"name": "short"}}})
    assert "post" in calls and "resolve" in calls  # the spies do see a write that gets that far


def test_a_pathological_filter_does_not_starve_a_concurrent_get(lab):
    from rest_session import ApicRest

    rest = ApicRest(lab.apic_server.url)
    for i in range(20):
        rest.post_ok("uni", {"fvTenant": {"attributes": {"name": "a" * 50 + str(i)}}})
    answers: dict[str, object] = {}

    def pathological():
        answers["filter"] = rest.imdata("/api/class/fvTenant.json",
                                        **{"query-target-filter": 'wcard(fvTenant.name,"^(a|aa)*(a|a)*$")'})

    worker = threading.Thread(target=pathological)
    worker.start()
    other = ApicRest(lab.apic_server.url)
    answers["simple"] = other.imdata("/api/mo/uni/tn-common.json")
    worker.join(timeout=TIMEOUT)
    assert not worker.is_alive()
    assert len(answers["simple"]) == 1
    names = {mo["fvTenant"]["attributes"]["name"] for mo in answers["filter"]}
    assert not any(name.startswith("a" * 50) for name in names)  # each ends in a digit: none is all a's
