"""Logins, tokens and the password history as a REST client sees them, over HTTPS to a served lab: the
aaaLogin reply as recorded (../shared/research/apic-rest.md §1.1), who may log in (accountStatus), the idle
limit at its edge, logout and refresh, the cookie forms, the password history's rules through plain POSTs (the
history count of the password profile, a user posted by DN or inside its parent, a deleted user).

Found by mutation testing (tools/mutation/RESULTS.md, simulator/apic/aaa.py): each test here failed against a
mutant that every other fast test let through."""

from __future__ import annotations

import json

import pytest
import requests
from rest_session import ApicRest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TIMEOUT = 30
TIMED_OUT = (403, "403", "Token was invalid (Error: Token timeout)")
NO_COOKIE = (403, "403", "Need a valid webtoken cookie (named APIC-Cookie) or a signed request with signature "
                         "in the cookie APIC-Request-Signature for all REST API requests")
BAD_LOGIN = (401, "401", "Username or password is incorrect - FAILED local authentication")
P1, P2, P3, P4 = "Mut@tion-pass1", "Mut@tion-pass2", "Mut@tion-pass3", "Mut@tion-pass4"


def login(url: str, name: str, pwd: str, fmt: str = "json") -> requests.Response:
    return requests.post(f"{url}/api/aaaLogin.{fmt}", verify=False, timeout=TIMEOUT,
                         data=json.dumps({"aaaUser": {"attributes": {"name": name, "pwd": pwd}}}))


def reply(r: requests.Response) -> dict[str, str]:
    assert r.status_code == 200, r.text
    return r.json()["imdata"][0]["aaaLogin"]["attributes"]


def send(method: str, url: str, cookie: str | None, body: dict | None = None) -> requests.Response:
    headers = {"Cookie": cookie} if cookie is not None else {}
    return requests.request(method, url, headers=headers, verify=False, timeout=TIMEOUT,
                            data=json.dumps(body) if body is not None else None)


def error_of(r: requests.Response) -> tuple[int, str, str]:
    err = r.json()["imdata"][0]["error"]["attributes"]
    return r.status_code, err["code"], err["text"]


def history_refused(name: str, count: int = 5) -> tuple[int, str, str]:
    return 400, "1", f"Password history check: user {name} should not use previous {count} passwords"


def user(name: str, **attrs: str) -> dict:
    return {"aaaUser": {"attributes": {"name": name, **attrs}}}


def logs_in(url: str, name: str, pwd: str) -> bool:
    return login(url, name, pwd).status_code == 200


# --- the login reply ------------------------------------------------------------------------------------
def test_the_login_reply_carries_the_recorded_attributes_and_the_users_names(rest):
    rest.post_ok("uni/userext/user-mutnames", user("mutnames", pwd=P1, firstName="Ada", lastName="Lovelace"))
    attrs = reply(login(rest.url, "mutnames", P1))
    assert attrs["userName"] == "mutnames"
    assert (attrs["firstName"], attrs["lastName"]) == ("Ada", "Lovelace")
    assert attrs["refreshTimeoutSeconds"] == "600"
    assert attrs["maximumLifetimeSeconds"] == "86400"
    assert attrs["guiIdleTimeoutSeconds"] == "1200"
    assert attrs["restTimeoutSeconds"] == "90"
    assert attrs["siteFingerprint"] == "NdxD72K/uXaUK0wn"
    assert attrs["remoteUser"] == "false"
    assert attrs["unixUserId"] == "15374"
    assert attrs["changePassword"] == "no"
    assert attrs["node"] == "topology/pod-1/node-1"
    assert attrs["creationTime"] == attrs["firstLoginTime"] and attrs["creationTime"].isdigit()
    assert attrs["version"] and attrs["buildTime"]


def test_the_refresh_reply_is_the_same_session_with_the_same_token(rest):
    first = reply(login(rest.url, "admin", "secret"))
    r = send("GET", f"{rest.url}/api/aaaRefresh.json", f"APIC-cookie={first['token']}")
    again = reply(r)
    assert again["token"] == first["token"]
    assert again["sessionId"] == first["sessionId"]
    assert again["creationTime"] == first["creationTime"]
    assert again["userName"] == "admin"


# --- who may log in ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "allowed"), [("active", True), ("inactive", False)])
def test_an_inactive_account_cannot_log_in(rest, status, allowed):
    name = f"mutacct{status}"
    rest.post_ok(f"uni/userext/user-{name}", user(name, pwd=P1, accountStatus=status))
    r = login(rest.url, name, P1)
    if allowed:
        assert reply(r)["userName"] == name
    else:
        assert error_of(r) == BAD_LOGIN


def test_a_wrong_an_empty_or_a_missing_password_and_an_unknown_name_are_refused(rest):
    assert error_of(login(rest.url, "admin", "wrong")) == BAD_LOGIN
    assert error_of(login(rest.url, "admin", "")) == BAD_LOGIN
    r = requests.post(f"{rest.url}/api/aaaLogin.json", verify=False, timeout=TIMEOUT,
                      data=json.dumps({"aaaUser": {"attributes": {"name": "admin"}}}))
    assert error_of(r) == BAD_LOGIN
    assert error_of(login(rest.url, "nosuchuser", "secret")) == BAD_LOGIN
    assert error_of(login(rest.url, "bad/name]", "secret")) == BAD_LOGIN


# --- tokens ----------------------------------------------------------------------------------------------
def test_no_cookie_and_an_unknown_token_are_refused_with_their_own_texts(rest):
    assert error_of(send("GET", f"{rest.url}/api/class/fvTenant.json", None)) == NO_COOKIE
    assert error_of(send("GET", f"{rest.url}/api/class/fvTenant.json", "APIC-cookie=")) == NO_COOKIE
    assert error_of(send("GET", f"{rest.url}/api/class/fvTenant.json", "APIC-cookie=notatoken")) == TIMED_OUT
    assert error_of(send("GET", f"{rest.url}/api/aaaRefresh.json", None)) == NO_COOKIE


def test_a_logout_ends_only_its_own_token(rest):
    mine = reply(login(rest.url, "admin", "secret"))["token"]
    other = reply(login(rest.url, "admin", "secret"))["token"]
    r = send("POST", f"{rest.url}/api/aaaLogout.json", f"APIC-cookie={mine}", user("admin"))
    assert r.status_code == 200, r.text
    assert error_of(send("GET", f"{rest.url}/api/class/fvTenant.json", f"APIC-cookie={mine}")) == TIMED_OUT
    assert error_of(send("POST", f"{rest.url}/api/aaaLogout.json", f"APIC-cookie={mine}", user("admin"))) \
        == TIMED_OUT
    assert send("GET", f"{rest.url}/api/class/fvTenant.json", f"APIC-cookie={other}").status_code == 200


def test_the_first_of_two_cookies_of_the_same_name_is_the_one_used(rest):
    token = reply(login(rest.url, "admin", "secret"))["token"]
    r = send("GET", f"{rest.url}/api/class/fvTenant.json", f"APIC-cookie={token}; APIC-cookie=stale")
    assert r.status_code == 200, r.text
    r = send("GET", f"{rest.url}/api/class/fvTenant.json", f"APIC-cookie=stale; APIC-cookie={token}")
    assert error_of(r) == TIMED_OUT


@pytest.fixture
def frozen(lab):
    lab.freeze_clock(True)
    return lab


def test_a_token_idle_for_exactly_its_refresh_timeout_is_over(frozen):
    url = frozen.servers[0].url
    token = reply(login(url, "admin", "secret"))["token"]
    idle = frozen.apic.aaa.config.refresh_timeout
    frozen.clock.advance(idle - 1)
    assert send("GET", f"{url}/api/class/fvTenant.json", f"APIC-cookie={token}").status_code == 200
    frozen.clock.advance(idle - 1)  # idle again, just inside the limit: the GET above reset it
    assert send("GET", f"{url}/api/class/fvTenant.json", f"APIC-cookie={token}").status_code == 200
    frozen.clock.advance(idle)
    assert error_of(send("GET", f"{url}/api/class/fvTenant.json", f"APIC-cookie={token}")) == TIMED_OUT


def test_a_new_login_drops_the_sessions_past_their_limits(frozen):
    """An expired token is refused, also after a later login has swept the expired sessions away."""
    url = frozen.servers[0].url
    old = reply(login(url, "admin", "secret"))["token"]
    frozen.clock.advance(frozen.apic.aaa.config.refresh_timeout)
    fresh = reply(login(url, "admin", "secret"))["token"]
    assert old not in frozen.apic.aaa.sessions
    assert error_of(send("GET", f"{url}/api/class/fvTenant.json", f"APIC-cookie={old}")) == TIMED_OUT
    assert send("GET", f"{url}/api/class/fvTenant.json", f"APIC-cookie={fresh}").status_code == 200


# --- the password history through plain POSTs ------------------------------------------------------------
def test_a_user_posted_with_its_dn_inside_the_tree_root_is_checked(rest):
    rest.post_ok("uni/userext/user-muthist1", user("muthist1", pwd=P1))
    body = {"polUni": {"attributes": {}, "children": [{"aaaUserEp": {"attributes": {}, "children": [
        {"aaaUser": {"attributes": {"dn": "uni/userext/user-muthist1", "name": "muthist1", "pwd": P1}}}]}}]}}
    assert error_of(rest.post("uni", body)) == history_refused("muthist1")
    r = rest.http.post(f"{rest.url}/api/mo.json", timeout=TIMEOUT, data=json.dumps(
        {"aaaUser": {"attributes": {"dn": "uni/userext/user-muthist1", "pwd": P1}}}))
    assert error_of(r) == history_refused("muthist1")
    assert logs_in(rest.url, "muthist1", P1)


def test_a_user_posted_by_rn_inside_its_parent_is_checked(rest):
    rest.post_ok("uni/userext/user-muthist2", user("muthist2", pwd=P1))
    body = {"aaaUserEp": {"attributes": {}, "children": [
        {"aaaUser": {"attributes": {"rn": "user-muthist2", "name": "muthist2", "pwd": P1}}}]}}
    assert error_of(rest.post("uni/userext", body)) == history_refused("muthist2")


def test_a_user_deleted_in_a_post_has_no_history_checked_and_starts_anew(rest):
    dn = "uni/userext/user-muthist3"
    rest.post_ok(dn, user("muthist3", pwd=P1))
    rest.post_ok(dn, user("muthist3", pwd=P2))
    body = {"aaaUserEp": {"attributes": {}, "children": [user("muthist3", pwd=P1, status="deleted")]}}
    rest.post_ok("uni/userext", body)
    assert rest.imdata(f"/api/mo/{dn}.json") == []
    rest.post_ok(dn, user("muthist3", pwd=P2))
    rest.post_ok(dn, user("muthist3", pwd=P1))
    assert logs_in(rest.url, "muthist3", P1)


def test_a_user_whose_other_attributes_change_keeps_its_history(rest):
    dn = "uni/userext/user-muthist4"
    rest.post_ok(dn, user("muthist4", pwd=P1))
    rest.post_ok(dn, user("muthist4", descr="no password in this post"))
    rest.post_ok(dn, user("muthist4", pwd=P2))
    assert error_of(rest.post(dn, user("muthist4", pwd=P1))) == history_refused("muthist4")
    assert error_of(rest.post(dn, user("muthist4", pwd=P2))) == history_refused("muthist4")


def test_a_post_with_unknown_classes_beside_a_user_is_refused_by_the_write_not_the_history(rest):
    rest.post_ok("uni/userext/user-muthist5", user("muthist5", pwd=P1))
    body = {"aaaUserEp": {"attributes": {}, "children": [{"noSuchClass": {"attributes": {}}},
                                                         user("muthist5", pwd=P2)]}}
    status, _, text = error_of(rest.post("uni/userext", body))
    assert status == 400 and "noSuchClass" in text
    assert logs_in(rest.url, "muthist5", P1)


def test_a_user_created_again_has_a_history_from_its_new_password_on(rest):
    dn = "uni/userext/user-muthist6"
    rest.post_ok(dn, user("muthist6", pwd=P1))
    rest.delete_ok(dn)
    rest.post_ok(dn, user("muthist6", pwd=P1))  # created again: the old history went with the user
    assert error_of(rest.post(dn, user("muthist6", pwd=P1))) == history_refused("muthist6")


def test_the_history_count_of_the_profile_bounds_what_is_remembered(lab):
    """historyCount 1: only the password in use is refused, the one before is taken again; 0: nothing is
    remembered, the password in use may be posted again; back to the default 5 on a profile without it."""
    rest = ApicRest(lab.servers[0].url)
    profile = "uni/userext/pwdprofile"
    dn = "uni/userext/user-muthist7"
    rest.post_ok(profile, {"aaaPwdProfile": {"attributes": {"historyCount": "1"}}})
    rest.post_ok(dn, user("muthist7", pwd=P1))
    rest.post_ok(dn, user("muthist7", pwd=P2))
    assert error_of(rest.post(dn, user("muthist7", pwd=P2))) == history_refused("muthist7", 1)
    rest.post_ok(dn, user("muthist7", pwd=P1))
    rest.post_ok(profile, {"aaaPwdProfile": {"attributes": {"historyCount": "0"}}})
    rest.post_ok(dn, user("muthist7", pwd=P1))
    rest.post_ok(dn, user("muthist7", pwd=P1))
    assert logs_in(rest.url, "muthist7", P1)


def test_the_history_remembers_five_passwords_when_the_profile_is_gone(lab):
    rest = ApicRest(lab.servers[0].url)
    rest.delete_ok("uni/userext/pwdprofile")
    dn = "uni/userext/user-muthist8"
    for pwd in (P1, P2, P3, P4):
        rest.post_ok(dn, user("muthist8", pwd=pwd))
    assert error_of(rest.post(dn, user("muthist8", pwd=P1))) == history_refused("muthist8", 5)

