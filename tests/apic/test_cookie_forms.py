"""The forms of the APIC-cookie header clients really send, over HTTPS to a served lab: the bare token as
cookie jars send it, the token in double quotes (RFC 6265's quoted cookie-value, as some HTTP libraries and
hand-written curl commands send it), either name case (APIC-cookie, APIC-Cookie), among other cookies, and
the raw Set-Cookie echo with its attributes that Ansible sends back. Every form authenticates reads, writes
and refreshes alike; a quoted token that is not a live one is refused as any other is."""

from __future__ import annotations

import json

import pytest
import requests

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TIMEOUT = 30


def login(url: str) -> str:
    r = requests.post(f"{url}/api/aaaLogin.json", verify=False, timeout=TIMEOUT,
                      data=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}))
    assert r.status_code == 200, r.text
    return r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]


def send(method: str, url: str, cookie: str, body: dict | None = None) -> requests.Response:
    """One request whose only credential is this exact Cookie header (no cookie jar)."""
    return requests.request(method, url, headers={"Cookie": cookie}, verify=False, timeout=TIMEOUT,
                            data=json.dumps(body) if body is not None else None)


def error_of(r: requests.Response) -> tuple[int, str, str]:
    err = r.json()["imdata"][0]["error"]["attributes"]
    return r.status_code, err["code"], err["text"]


@pytest.fixture(scope="module")
def served(rest):
    """The module's served lab URL and a live token of its admin."""
    return rest.url, login(rest.url)


FORMS = {
    "bare": "APIC-cookie={t}",
    "quoted": 'APIC-cookie="{t}"',
    "quoted, capital C": 'APIC-Cookie="{t}"',
    "quoted, among other cookies": 'lang=en; APIC-cookie="{t}"; theme=dark',
    "quoted Set-Cookie echo": 'APIC-cookie="{t}"; path=/; HttpOnly; HttpOnly; Secure',
    "bare Set-Cookie echo": "APIC-cookie={t}; path=/; HttpOnly; HttpOnly; Secure",
}


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_every_form_of_the_cookie_reads_writes_and_refreshes(served, form):
    url, token = served
    cookie = form.format(t=token)
    name = "cookie" + str(list(FORMS.values()).index(form))

    r = send("POST", f"{url}/api/mo/uni.json", cookie, {"fvTenant": {"attributes": {"name": name}}})
    assert r.status_code == 200, r.text
    r = send("GET", f"{url}/api/mo/uni/tn-{name}.json", cookie)
    assert r.status_code == 200, r.text
    assert [mo["fvTenant"]["attributes"]["name"] for mo in r.json()["imdata"]] == [name]

    r = send("GET", f"{url}/api/aaaRefresh.json", cookie)
    assert r.status_code == 200, r.text
    assert r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"] == token


@pytest.mark.parametrize("form", ['APIC-cookie="{t}"', "APIC-cookie={t}"], ids=["quoted", "bare"])
def test_a_token_that_is_not_live_is_refused_quoted_or_not(served, form):
    url, token = served
    cookie = form.format(t="x" + token[1:])
    assert error_of(send("GET", f"{url}/api/class/fvTenant.json", cookie)) == (
        403, "403", "Token was invalid (Error: Token timeout)")
    assert error_of(send("GET", f"{url}/api/aaaRefresh.json", cookie)) == (
        403, "403", "Token was invalid (Error: Token timeout)")


def test_a_quoted_cookie_logs_out_and_the_token_is_then_refused(served):
    url, _ = served
    token = login(url)
    r = send("POST", f"{url}/api/aaaLogout.json", f'APIC-cookie="{token}"',
             {"aaaUser": {"attributes": {"name": "admin"}}})
    assert r.status_code == 200, r.text
    assert error_of(send("GET", f"{url}/api/class/fvTenant.json", f"APIC-cookie={token}")) == (
        403, "403", "Token was invalid (Error: Token timeout)")
