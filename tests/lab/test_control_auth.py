"""Who may use /_sim and what it takes: the lab admin's credentials (HTTP Basic or an admin's APIC-cookie),
JSON bodies from the server's own origin only, finite and bounded numbers, known keys; every refusal a 4xx in
the control API's {"error": ...} shape, and the lab unharmed by any of them."""

from __future__ import annotations

import json

import pytest
import requests

from simulator.lab import Lab, LabOptions

ADMIN = ("admin", "s3cret")
VIEWER = ("viewer", "v1ewer")
CHALLENGE = 'Basic realm="acisim"'
POST_ROUTES = ["/reset", "/clock/freeze", "/clock/advance", "/rhv/migration-failure", "/rhv/host-status",
               "/rhv/expire-tokens", "/rhv/faults", "/snapshots", "/k8s/preparation", "/cni/settle"]


def plain() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


def login(url: str, user: str, password: str) -> requests.Session:
    s = plain()
    r = s.post(f"{url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": user, "pwd": password}}})
    assert r.status_code == 200, r.text
    return s


@pytest.fixture(scope="module")
def served():
    """A lab with its admin and a read-only user (read-all with readPriv, as an operator would be given)."""
    lab = Lab(LabOptions(admin_user=ADMIN[0], admin_password=ADMIN[1]))
    url = lab.start(tls=False).url
    viewer = {"aaaUser": {"attributes": {"name": VIEWER[0], "pwd": VIEWER[1]}, "children": [
        {"aaaUserDomain": {"attributes": {"name": "all"}, "children": [
            {"aaaUserRole": {"attributes": {"name": "read-all", "privType": "readPriv"}}}]}}]}}
    r = login(url, *ADMIN).post(f"{url}/api/mo/uni/userext.json", json=viewer)
    assert r.status_code == 200, r.text
    yield lab, url
    lab.stop()


def refused(r: requests.Response, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert set(r.json()) == {"error"} and words in r.json()["error"] and "\n" not in r.json()["error"]


def lab_still_works(url: str) -> None:
    """An admin logs in and writes, and the clock still moves."""
    s = login(url, *ADMIN)
    r = s.post(f"{url}/api/mo/uni.json", json={"fvTenant": {"attributes": {"name": "after-bad-input"}}})
    assert r.status_code == 200, r.text
    assert s.get(f"{url}/api/mo/uni/tn-after-bad-input.json").json()["totalCount"] == "1"
    assert plain().post(f"{url}/_sim/clock/advance", json={"seconds": 1}, auth=ADMIN).status_code == 200


# --- credentials -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("method, path", [("GET", "/info"), ("POST", "/reset"), ("GET", "/clock"),
                                          ("POST", "/clock/advance"), ("DELETE", "/rhv/faults"),
                                          ("GET", "/no-such-route")])
def test_without_credentials_every_route_is_401_with_a_basic_challenge(served, method, path):
    lab, url = served
    before = lab.clock.now()
    r = plain().request(method, f"{url}/_sim{path}", json={"seconds": 3600} if method == "POST" else None)
    refused(r, 401, "needs the lab's admin credentials")
    assert r.headers["WWW-Authenticate"] == CHALLENGE
    assert lab.clock.now() - before < 3600


@pytest.mark.parametrize("auth, cookie", [
    (("admin", "wrong"), None),
    (("nobody", "s3cret"), None),
    (("", ""), None),
    (None, "APIC-cookie=not-a-token"),
])
def test_wrong_credentials_are_401(served, auth, cookie):
    _, url = served
    r = plain().get(f"{url}/_sim/info", auth=auth, headers={"Cookie": cookie} if cookie else {})
    refused(r, 401, "admin credentials")
    assert r.headers["WWW-Authenticate"] == CHALLENGE


def test_a_bearer_token_is_not_a_credential_of_the_control_api(served):
    _, url = served
    r = plain().get(f"{url}/_sim/info", headers={"Authorization": "Bearer abc"})
    refused(r, 401, "Bearer authorization is not accepted")


def test_a_user_who_is_not_an_admin_is_403_by_basic_and_by_cookie(served):
    _, url = served
    refused(plain().get(f"{url}/_sim/info", auth=VIEWER), 403, "user 'viewer' is not an admin of the lab")
    viewer = login(url, *VIEWER)
    refused(viewer.post(f"{url}/_sim/reset"), 403, "not an admin")
    assert viewer.get(f"{url}/api/mo/uni/userext/user-viewer.json").json()["totalCount"] == "1"  # still logged in


def test_the_admins_cookie_and_basic_both_open_it(served):
    lab, url = served
    admin = login(url, *ADMIN)
    assert admin.get(f"{url}/_sim/info").status_code == 200
    assert admin.post(f"{url}/_sim/clock/advance", json={"seconds": 1}).status_code == 200
    token = admin.cookies["APIC-cookie"]
    quoted = plain().get(f"{url}/_sim/clock", headers={"Cookie": f'APIC-Cookie="{token}"'})
    assert quoted.status_code == 200, quoted.text
    sessions = len(lab.apic.aaa.sessions)
    assert plain().get(f"{url}/_sim/info", auth=ADMIN).json()["apic"]["objects"] > 0
    assert len(lab.apic.aaa.sessions) == sessions  # a Basic check leaves no session behind


def test_basic_credentials_outlive_a_reset_that_ends_every_session():
    lab = Lab(LabOptions(admin_user=ADMIN[0], admin_password=ADMIN[1]))
    url = lab.start(tls=False).url
    try:
        _reset_and_ask_again(url)
    finally:
        lab.stop()


def _reset_and_ask_again(url: str) -> None:
    admin = login(url, *ADMIN)
    assert admin.post(f"{url}/_sim/reset", auth=ADMIN).status_code == 200
    refused(admin.get(f"{url}/_sim/info"), 401, "Token was invalid")
    assert plain().get(f"{url}/_sim/info", auth=ADMIN).status_code == 200


# --- what a browser page of another site could send ------------------------------------------------------
@pytest.mark.parametrize("content_type, data", [
    ("text/plain", '{"seconds": 60}'),
    ("application/x-www-form-urlencoded", "seconds=60"),
    ("multipart/form-data; boundary=x", "--x--"),
    (None, '{"seconds": 60}'),
])
def test_a_body_that_is_not_application_json_is_415(served, content_type, data):
    lab, url = served
    before = lab.clock.now()
    headers = {"Content-Type": content_type} if content_type else {}
    r = plain().post(f"{url}/_sim/clock/advance", data=data.encode(), headers=headers, auth=ADMIN)
    assert r.request.headers.get("Content-Type") == content_type  # raw bytes alone go without one
    refused(r, 415, "takes application/json bodies")
    assert lab.clock.now() - before < 60


def test_another_origin_is_403_even_with_the_admins_credentials(served):
    _, url = served
    refused(plain().post(f"{url}/_sim/reset", auth=ADMIN, headers={"Origin": "https://evil.example"}), 403,
            "origin 'https://evil.example' are refused")
    refused(plain().post(f"{url}/_sim/reset", auth=ADMIN, headers={"Origin": "null"}), 403, "refused")
    refused(plain().get(f"{url}/_sim/info", auth=ADMIN, headers={"Sec-Fetch-Site": "cross-site"}), 403,
            "cross-site browser request is refused")
    assert plain().get(f"{url}/_sim/info", auth=ADMIN, headers={"Origin": url}).status_code == 200


# --- input -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seconds", ["NaN", "Infinity", "-Infinity", "1e12", "-1", "1e999", '"60"', "true",
                                     "null", "[60]", "315360001"])
def test_a_clock_move_that_is_not_a_finite_bounded_number_is_400_and_the_lab_still_works(served, seconds):
    lab, url = served
    before = lab.clock.now()
    r = plain().post(f"{url}/_sim/clock/advance", data=f'{{"seconds": {seconds}}}',
                     headers={"Content-Type": "application/json"}, auth=ADMIN)
    assert r.status_code == 400, r.text
    assert "seconds" in r.json()["error"] or "not JSON" in r.json()["error"]
    assert lab.clock.now() - before < 60
    lab_still_works(url)


def test_ten_years_is_the_largest_clock_move(served):
    _, url = served
    r = plain().post(f"{url}/_sim/clock/advance", json={"seconds": 315360001}, auth=ADMIN)
    refused(r, 400, "seconds must be a number from 0 to 315360000 seconds (ten years), not 315360001")


@pytest.mark.parametrize("path", POST_ROUTES)
@pytest.mark.parametrize("body", [[1], "text", 7, None])
def test_a_body_that_is_not_an_object_is_400_on_every_route(served, path, body):
    _, url = served
    r = plain().post(f"{url}/_sim{path}", data=json.dumps(body), headers={"Content-Type": "application/json"},
                     auth=ADMIN)
    refused(r, 400, "must be a JSON object")


@pytest.mark.parametrize("path, body, key", [
    ("/clock/advance", {"seconds": 1, "minutes": 2}, '"minutes" (it takes seconds)'),
    ("/clock/freeze", {"frozen": True, "why": "x"}, '"why" (it takes frozen)'),
    ("/reset", {"hard": True}, '"hard" (it takes no keys)'),
    ("/rhv/faults", {"collection": "vms", "colection": "hosts"}, '"colection"'),
    ("/snapshots", {"name": "a", "label": "b"}, '"label"'),
    ("/cni/settle", {"timeout": 1, "wait": 2}, '"wait"'),
])
def test_an_unknown_key_is_named(served, path, body, key):
    _, url = served
    refused(plain().post(f"{url}/_sim{path}", json=body, auth=ADMIN), 400, f"unknown keys for POST /_sim{path}: {key}")


@pytest.mark.parametrize("path, body, words", [
    ("/rhv/faults", {"collection": "vms", "count": 10**12}, "count must be a whole number from 1 to 1000000"),
    ("/rhv/faults", {"collection": "vms", "count": 1e12}, "count must be a whole number"),
    ("/rhv/faults", {"collection": "vms", "count": 2.5}, "count must be a whole number"),
    ("/rhv/faults", {"collection": "vms", "count": 0}, "count must be a whole number"),
    ("/rhv/faults", {"collection": "vms", "detail": "a\nb"}, "detail must be one line"),
    ("/cni/settle", {"timeout": 1e300}, "timeout must be a number from 0 to 120"),
    ("/rhv/host-status", {"host": ["host1"], "status": "up"}, "host must be one line of text"),
    ("/rhv/migration-failure", {"vm": 7}, "vm must be one line of text"),
    ("/rhv/migration-failure", {"error": "x" * 2000}, "error must be one line of text (1 to 1024 characters)"),
])
def test_other_numbers_and_texts_are_bounded(served, path, body, words):
    _, url = served
    refused(plain().post(f"{url}/_sim{path}", json=body, auth=ADMIN), 400, words)


@pytest.mark.parametrize("data, words", [
    ("{", "the body is not JSON"),
    ('{"seconds": 1', "the body is not JSON"),
    ("[" * 100000, "the body is not JSON"),
    ('{"seconds": ' + "9" * 5000 + "}", "the body is not JSON"),
    (b"\xff\xfe", "the body is not JSON"),
])
def test_a_body_that_is_not_json_is_400(served, data, words):
    _, url = served
    r = plain().post(f"{url}/_sim/clock/advance", data=data, headers={"Content-Type": "application/json"},
                     auth=ADMIN)
    refused(r, 400, words)
    lab_still_works(url)


def test_a_body_over_the_limit_is_413(served):
    _, url = served
    r = plain().post(f"{url}/_sim/k8s/preparation", data=b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}',
                     headers={"Content-Type": "application/json"}, auth=ADMIN)
    refused(r, 413, "over the control API's limit")


def test_an_unknown_route_is_404_and_a_wrong_method_405_in_the_control_shape(served):
    _, url = served
    refused(plain().get(f"{url}/_sim/nothing/here", auth=ADMIN), 404, "no control route GET /_sim/nothing/here")
    r = plain().get(f"{url}/_sim/reset", auth=ADMIN)
    refused(r, 405, "GET is not a method of /_sim/reset (it takes POST)")
    assert r.headers["Allow"] == "POST"


def test_routes_without_a_body_take_an_empty_post(served):
    _, url = served
    assert plain().post(f"{url}/_sim/rhv/expire-tokens", auth=ADMIN).status_code == 200
    assert plain().post(f"{url}/_sim/rhv/expire-tokens", json={}, auth=ADMIN).status_code == 200
    assert plain().delete(f"{url}/_sim/rhv/faults", auth=ADMIN).json() == {"armed": {}}
    assert plain().delete(f"{url}/_sim/k8s/preparation", auth=ADMIN).status_code == 200
