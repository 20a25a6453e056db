"""Bad input to the served RHV Manager gets the engine's own answers (a <fault>, its JSON form, the empty
404), never a 5xx or a framework page: each cause measured on issue 13, over HTTPS with requests."""

from __future__ import annotations

import json

import pytest
from lxml import etree

API = "/ovirt-engine/api"
XML = {"Content-Type": "application/xml"}
JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def listed(resp) -> int:
    """How many items a collection answer lists (top-level children only)."""
    return len(etree.fromstring(resp.content))


def fault_of(resp) -> tuple[str, str]:
    assert resp.headers["Content-Type"].startswith("application/xml"), resp.text
    root = etree.fromstring(resp.content)
    if root.tag == "action":
        assert root.findtext("status") == "failed"
        root = root.find("fault")
    assert root.tag == "fault", resp.text
    return root.findtext("reason"), root.findtext("detail")


@pytest.fixture
def http(engine):
    with engine.session() as s:
        s.base = engine.url
        yield s


def url(http, path: str) -> str:
    return http.base + path


def test_json_keys_that_are_no_xml_names_are_skipped_like_unknown_members(http, engine):
    body = {"1a": 1, "a b": {"": 2}, "name": "json-net", "data_center": {"name": "Default"}}
    resp = http.post(url(http, f"{API}/networks"), data=json.dumps(body), headers=JSON)
    assert resp.status_code == 201, resp.text
    assert resp.json()["name"] == "json-net"
    assert engine.rhv.find("networks", "json-net") is not None


@pytest.mark.parametrize("body", [b"[1]", b"1", b"null", b'"x"'])
def test_a_json_body_that_is_no_object_is_a_400_fault(http, body):
    resp = http.post(url(http, f"{API}/networks"), data=body, headers=JSON)
    assert resp.status_code == 400
    assert resp.json() == {"reason": "Invalid JSON", "detail": "The JSON document must be an object"}


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 70 + b"1" + b"}" * 70])
def test_deeply_nested_json_is_a_400_fault(http, body):
    resp = http.post(url(http, f"{API}/networks"), data=body, headers=JSON)
    assert resp.status_code == 400
    assert "nests deeper than" in resp.json()["detail"]


def test_deeply_nested_xml_is_a_400_fault(http):
    resp = http.post(url(http, f"{API}/networks"), data=b"<a>" * 5000 + b"</a>" * 5000, headers=XML)
    assert resp.status_code == 400
    assert fault_of(resp)[0] == "Invalid XML"


def test_a_control_character_in_a_json_value_is_refused_and_never_reaches_an_xml_answer(http, engine):
    body = {"name": "bad\u0001net", "data_center": {"name": "Default"}}
    resp = http.post(url(http, f"{API}/networks"), data=json.dumps(body), headers=JSON)
    assert resp.status_code == 400
    assert "U+0001" in resp.json()["detail"]
    assert engine.rhv.find("networks", "bad\u0001net") is None


def test_a_control_character_echoed_in_a_fault_is_written_as_a_replacement_character(http):
    resp = http.get(url(http, f"{API}/vms"), params={"search": "name=\x01 sortby"})
    assert resp.status_code == 400
    reason, detail = fault_of(resp)
    assert reason == "Invalid search query" and detail


@pytest.mark.parametrize("body", [b"<network><name>\xff\xfe</name></network>", b"\xc3\x28"])
def test_bytes_that_are_not_utf8_are_a_400_fault(http, body):
    resp = http.post(url(http, f"{API}/networks"), data=body, headers=XML)
    assert resp.status_code == 400
    assert fault_of(resp)[0] == "Invalid XML"


def test_an_empty_network_posted_on_a_cluster_is_incomplete_parameters(http, engine):
    cluster = engine.rhv.find("clusters", "Default")
    resp = http.post(url(http, f"{API}/clusters/{cluster.id}/networks"), data=b"<network/>", headers=XML)
    assert resp.status_code == 400
    assert fault_of(resp) == ("Incomplete parameters", "Network [id|name] required for add")


@pytest.mark.parametrize("value", ["--1", "abc", "99999999999", "\u00b2", "1.5"])
def test_a_from_that_is_no_integer_is_ignored_as_the_engine_ignores_it(http, value):
    every = http.get(url(http, f"{API}/events"))
    resp = http.get(url(http, f"{API}/events"), params={"from": value})
    assert resp.status_code == 200
    assert listed(resp) == listed(every)


@pytest.mark.parametrize("value", ["-1", "abc", "", "99999999999999999999"])
def test_a_max_that_is_no_limit_lists_everything(http, value):
    resp = http.get(url(http, f"{API}/vms"), params={"max": value})
    assert resp.status_code == 200
    assert listed(resp) == 2


def test_max_limits_the_listing(http):
    assert listed(http.get(url(http, f"{API}/vms"), params={"max": "1"})) == 1


def test_an_event_id_of_unicode_digits_is_the_empty_404(http):
    resp = http.get(url(http, f"{API}/events/\u00b2"))
    assert resp.status_code == 404 and resp.content == b""


@pytest.mark.parametrize("search", ['name="unterminated', "name=", "page x", "sortby", "=", "bogus=1"])
def test_a_broken_search_is_a_400_fault(http, search):
    resp = http.get(url(http, f"{API}/vms"), params={"search": search})
    assert resp.status_code == 400
    assert fault_of(resp)[0] == "Invalid search query"


def test_a_star_is_the_only_wildcard_and_a_bracket_is_a_plain_character(http):
    assert listed(http.get(url(http, f"{API}/vms"), params={"search": "name=vm*"})) == 2
    assert listed(http.get(url(http, f"{API}/vms"), params={"search": "name=vm[12]"})) == 0


@pytest.mark.parametrize("follow", ["garbage", "..", ",,,", "a.b.c.d", "nics."])
def test_follow_garbage_is_ignored(http, follow):
    resp = http.get(url(http, f"{API}/vms"), params={"follow": follow})
    assert resp.status_code == 200
    assert listed(resp) == 2


@pytest.mark.parametrize("path", [f"{API}//vms", f"{API}/vms//", "/ovirt-engine//api"])
def test_double_slashes_are_no_html_redirect(http, path):
    resp = http.get(url(http, path), allow_redirects=False)
    assert resp.status_code in (200, 404)
    assert "html" not in resp.headers.get("Content-Type", "")
    if resp.status_code == 404:
        assert resp.content == b""


@pytest.mark.parametrize("path", ["/static/rhv/rest.py", "/static/../pyproject.toml", "/static/x"])
def test_there_is_no_static_file_route(http, path):
    resp = http.get(url(http, path))
    assert resp.status_code == 404 and resp.content == b""


@pytest.mark.parametrize("method", ["PATCH", "OPTIONS", "FOO", "TRACE"])
def test_a_method_the_api_has_not_is_a_405_fault(http, method):
    resp = http.request(method, url(http, f"{API}/vms"))
    assert resp.status_code == 405
    assert fault_of(resp) == ("Method Not Allowed", f"The method {method} is not allowed on this resource.")


def test_a_method_sso_has_not_is_its_json_error(http):
    resp = http.put(url(http, "/ovirt-engine/sso/oauth/token"))
    assert resp.status_code == 405
    assert resp.json()["error_code"] == "invalid_request"


def test_a_body_over_the_engines_limit_is_a_413_fault(http):
    resp = http.post(url(http, f"{API}/networks"), data=b"<network><name>" + b"n" * (11 * 1024 * 1024) + b"</name></network>",
                     headers=XML)
    assert resp.status_code == 413
    assert fault_of(resp)[0] == "Request Entity Too Large"


@pytest.mark.parametrize("body", [b"", b"garbage", b"<action><x/>", b'{"async": [[1]]}'])
def test_an_action_with_a_missing_or_garbage_body_answers_as_the_engine(http, engine, body):
    vm = engine.rhv.find("vms", "vm2")
    headers = JSON if body.startswith(b"{") else XML
    resp = http.post(url(http, f"{API}/vms/{vm.id}/start"), data=body, headers=headers)
    assert resp.status_code < 500
    if resp.status_code >= 400:
        if headers is JSON:
            assert "reason" in resp.json() or "fault" in resp.json()
        else:
            assert fault_of(resp)


@pytest.mark.parametrize("accept", ["text/html", "garbage/\u00e9", ";;;", "application/yaml"])
def test_an_accept_header_the_engine_does_not_speak_gets_xml(http, accept):
    resp = http.get(url(http, f"{API}/vms"), headers={"Accept": accept.encode("utf-8").decode("latin-1")})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/xml")


@pytest.mark.parametrize("segment", ["not-a-guid", "%ff", "00000000-0000-0000-0000-000000000000", "a" * 300])
def test_a_bad_id_in_the_path_is_the_empty_404(http, segment):
    resp = http.get(url(http, f"{API}/vms/{segment}"))
    assert resp.status_code == 404 and resp.content == b""
