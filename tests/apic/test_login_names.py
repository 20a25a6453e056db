"""Login names and the per-login values of the aaaLogin reply, over HTTPS (../shared/research/apic-rest.md §1.1):
a name may be domain-qualified, `apic:<domain>\\\\<user>` or `apic#<domain>\\\\<user>`, and logs in as the
user; each login is a new session with its own token and its own sessionId (16 random bytes in base64, as
recorded: "o7hObsqNTfCmDGcZI5c4ng=="). Found by mutation testing (tools/mutation/RESULTS.md): no test logged
in with a qualified name or looked at sessionId."""

from __future__ import annotations

import base64
import json

import pytest
import requests

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TIMEOUT = 30


def login(url: str, name: str, pwd: str = "secret") -> requests.Response:
    return requests.post(f"{url}/api/aaaLogin.json", verify=False, timeout=TIMEOUT,
                         data=json.dumps({"aaaUser": {"attributes": {"name": name, "pwd": pwd}}}))


def attributes(r: requests.Response) -> dict[str, str]:
    assert r.status_code == 200, r.text
    return r.json()["imdata"][0]["aaaLogin"]["attributes"]


@pytest.mark.parametrize("name", ["apic:fallback\\\\admin", "apic#fallback\\\\admin", "apic:fallback\\admin",
                                  "apic#local\\admin"])
def test_a_domain_qualified_name_logs_in_as_the_user(rest, name):
    login_reply = attributes(login(rest.url, name))
    assert login_reply["userName"] == "admin"
    r = requests.get(f"{rest.url}/api/class/fvTenant.json", verify=False, timeout=TIMEOUT,
                     headers={"Cookie": f"APIC-cookie={login_reply['token']}"})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(("name", "pwd"), [
    ("apic:fallback\\\\admin", "wrong"), ("apic#fallback\\\\nobody", "secret"), ("apic:admin", "secret"),
    ("tacacs:fallback\\\\admin", "secret"),
])
def test_a_qualified_name_with_a_wrong_password_or_user_is_refused(rest, name, pwd):
    r = login(rest.url, name, pwd)
    assert r.status_code == 401
    assert r.json()["imdata"][0]["error"]["attributes"] == {
        "code": "401", "text": "Username or password is incorrect - FAILED local authentication"}


def test_each_login_has_its_own_token_and_session_id(rest):
    first, second = attributes(login(rest.url, "admin")), attributes(login(rest.url, "admin"))
    assert first["token"] != second["token"]
    assert first["sessionId"] != second["sessionId"]
    for reply in (first, second):
        assert len(base64.b64decode(reply["sessionId"], validate=True)) == 16
        assert reply["creationTime"] == reply["firstLoginTime"] and reply["creationTime"].isdigit()
