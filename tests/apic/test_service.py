"""The APIC facade (simulator.apic.service.Apic) without HTTP: one call per operation, the REST layer's
answers as `Reply` values, APIC's errors as ApicError."""

from __future__ import annotations

import queue

import pytest
from cryptography.hazmat.primitives import serialization

from simulator.apic import signing
from simulator.apic.aaa import Caller
from simulator.apic.errors import ApicError
from simulator.apic.service import Apic, Reply
from simulator.clock import ManualClock
from simulator.tls import self_signed

T0 = 1_767_225_600.0
TENANT = {"fvTenant": {"attributes": {"name": "web"}, "children": [
    {"fvBD": {"attributes": {"name": "bd1", "arpFlood": True}}},
    {"fvAp": {"attributes": {"name": "shop"}, "children": [{"fvAEPg": {"attributes": {"name": "front"}}}]}}]}}


@pytest.fixture
def apic() -> Apic:
    return Apic(clock=ManualClock(T0))


def admin(apic: Apic) -> tuple[str, Caller]:
    token = apic.login("admin", "cisco123").token
    return token, apic.authenticate({"APIC-cookie": token}, "GET", ["/api/class/fvTenant.json"], b"")


def attrs(reply: Reply, index: int = 0) -> dict[str, str]:
    ((_, body),) = reply.imdata[index].items()
    return body["attributes"]


def test_login_answers_the_aaa_login_object_with_its_token(apic):
    reply = apic.login("admin", "cisco123")
    assert reply.token
    login = attrs(reply)
    assert (login["token"], login["userName"], login["refreshTimeoutSeconds"]) == (reply.token, "admin", "600")
    assert login["version"] == apic.config.version
    assert list(reply.imdata[0]) == ["aaaLogin"]


def test_a_wrong_password_is_401(apic):
    with pytest.raises(ApicError) as exc:
        apic.login("admin", "nope")
    assert exc.value.http_status == 401


def test_no_cookie_and_an_idle_token_are_refused_as_apic_refuses_them(apic):
    with pytest.raises(ApicError, match="Need a valid webtoken cookie"):
        apic.authenticate({}, "GET", ["/api/class/fvTenant.json"], b"")
    token, _ = admin(apic)
    apic.clock.advance(601)
    with pytest.raises(ApicError, match="Token timeout"):
        apic.authenticate({"apic-cookie": token}, "GET", ["/api/class/fvTenant.json"], b"")


def test_refresh_keeps_a_session_alive_and_logout_ends_it(apic):
    token, _ = admin(apic)
    apic.clock.advance(500)
    assert apic.refresh(token).token == token
    apic.clock.advance(500)
    assert apic.authenticate({"apic-cookie": token}, "GET", ["/"], b"").user == "admin"
    assert apic.logout(token) == Reply([])
    with pytest.raises(ApicError) as exc:
        apic.authenticate({"apic-cookie": token}, "GET", ["/"], b"")
    assert exc.value.http_status == 403


def test_post_get_delete_without_http(apic):
    _, caller = admin(apic)
    assert apic.post("uni", TENANT, caller) == Reply([])
    reply = apic.get("mo", "uni/tn-web", "", [("query-target", "subtree"), ("target-subtree-class", "fvAEPg")], caller)
    assert [attrs(reply, i)["dn"] for i in range(len(reply.imdata))] == ["uni/tn-web/ap-shop/epg-front"]
    assert attrs(apic.get("mo", "uni/tn-web/BD-bd1", "", [], caller))["arpFlood"] == "yes"
    assert apic.delete("uni/tn-web", caller) == Reply([])
    assert apic.get("mo", "uni/tn-web", "", [], caller) == Reply([], 0, None)


def test_rsp_subtree_modified_reports_what_changed_and_a_repeat_reports_nothing(apic):
    _, caller = admin(apic)
    first = apic.post("uni", TENANT, caller, [("rsp-subtree", "modified")])
    assert (attrs(first)["dn"], attrs(first)["status"]) == ("uni/tn-web", "created")
    assert apic.post("uni", TENANT, caller, [("rsp-subtree", "modified")]) == Reply([])
    gone = apic.delete("uni/tn-web/BD-bd1", caller, [("rsp-subtree", "modified")])
    assert attrs(gone)["status"] == "deleted"


def test_class_query_counts_before_paging(apic):
    _, caller = admin(apic)
    for name in ("a", "b", "c"):
        apic.post("uni", {"fvTenant": {"attributes": {"name": name}}}, caller)
    reply = apic.get("class", "", "fvTenant", [("page-size", "2"), ("page", "0"), ("order-by", "fvTenant.name")],
                     caller)
    assert len(reply.imdata) == 2 and reply.total == len(list(apic.store.of_class("fvTenant")))


def test_a_bad_write_is_refused_and_changes_nothing(apic):
    _, caller = admin(apic)
    with pytest.raises(ApicError) as exc:
        apic.post("uni", {"fvTenant": {"attributes": {"name": "x", "bogus": "1"}}}, caller)
    assert exc.value.text == "unknown attribute 'bogus' in element 'fvTenant'"
    assert "uni/tn-x" not in apic.store


ALL_ADMIN = {"aaaUserDomain": {"attributes": {"name": "all"}, "children": [
    {"aaaUserRole": {"attributes": {"name": "admin", "privType": "writePriv"}}}]}}


def test_a_signed_caller_gets_a_web_token_and_subscribes_with_it(apic):
    _, caller = admin(apic)
    key, cert = self_signed("kube")
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    # a user reads and subscribes only within its security domains: acc-provision gives its user admin in all
    apic.post("uni/userext", {"aaaUser": {"attributes": {"name": "kube", "pwd": "NotUsed1!"}, "children": [
        {"aaaUserCert": {"attributes": {"name": "kube.crt", "data": pem}}}, ALL_ADMIN]}}, caller)
    target = "/api/webtokenSession.json"
    cookies = signing.sign_request(key, "uni/userext/user-kube/usercert-kube.crt", "GET", target)
    signed = apic.authenticate(cookies, "GET", [target], b"")
    assert (signed.user, signed.signed) == ("kube", True)
    token = attrs(apic.webtoken(signed))["token"]
    messages = apic.open_socket(token)

    cookies = signing.sign_request(key, "uni/userext/user-kube/usercert-kube.crt", "GET", "/x")
    cookies["APIC-WebSocket-Session"] = token
    subscriber = apic.authenticate(cookies, "GET", ["/x"], b"")
    reply = apic.get("class", "", "fvTenant", [("subscription", "yes")], subscriber)
    sub_id = reply.extra["subscriptionId"]
    apic.post("uni", {"fvTenant": {"attributes": {"name": "pushed"}}}, caller)
    assert f'"subscriptionId":["{sub_id}"]' in messages.get_nowait()
    assert apic.refresh_subscription(sub_id, subscriber) == Reply([])


def test_a_tampered_signature_is_refused(apic):
    _, caller = admin(apic)
    key, cert = self_signed("kube")
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    apic.post("uni/userext", {"aaaUser": {"attributes": {"name": "kube"}, "children": [
        {"aaaUserCert": {"attributes": {"name": "kube.crt", "data": pem}}}]}}, caller)
    cookies = signing.sign_request(key, "uni/userext/user-kube/usercert-kube.crt", "POST", "/api/mo/uni.json", b"{}")
    with pytest.raises(ApicError) as exc:
        apic.authenticate(cookies, "POST", ["/api/mo/uni.json"], b'{"x":1}')
    assert exc.value.http_status == 403


def test_subscribing_needs_a_web_token_session(apic):
    with pytest.raises(ApicError, match="web token session"):
        apic.get("class", "", "fvTenant", [("subscription", "yes")], Caller(user="kube", signed=True))


def test_logout_ends_the_sessions_subscriptions(apic):
    token, caller = admin(apic)
    messages = apic.open_socket(token)
    sub_id = apic.get("class", "", "fvTenant", [("subscription", "yes")], caller).extra["subscriptionId"]
    apic.logout(token)
    apic.post("uni", {"fvTenant": {"attributes": {"name": "late"}}}, Caller(user="admin"))
    with pytest.raises(queue.Empty):
        messages.get_nowait()
    with pytest.raises(ApicError, match="unknown or expired subscription"):
        apic.refresh_subscription(sub_id, caller)
    assert not apic.socket_alive(token)


def test_a_bad_socket_token_is_refused(apic):
    with pytest.raises(ApicError) as exc:
        apic.open_socket("not-a-token")
    assert exc.value.http_status == 403


def test_the_tick_ends_what_the_clock_made_due(apic):
    token, caller = admin(apic)
    apic.open_socket(token)
    short = apic.get("class", "", "fvCtx", [("subscription", "yes"), ("refresh-timeout", "30")], caller)
    apic.get("class", "", "fvTenant", [("subscription", "yes")], caller)
    assert apic.tick() == 0
    apic.clock.advance(31)
    assert apic.tick() == 1  # the 30 s subscription lapsed; the session and its 60 s subscription live on
    with pytest.raises(ApicError, match="unknown or expired subscription"):
        apic.refresh_subscription(short.extra["subscriptionId"], caller)
    apic.clock.advance(600)
    assert apic.tick() == 1  # the idle session ended, its last subscription with it
    assert not apic.socket_alive(token) and apic.subscriptions.subscriptions == {}


@pytest.mark.parametrize("name", ["", "a/b]", "x" * 100])
def test_a_login_name_no_user_can_have_is_a_failed_login(apic, name):
    with pytest.raises(ApicError) as exc:
        apic.login(name, "cisco123")
    assert (exc.value.http_status, exc.value.text) == (
        401, "Username or password is incorrect - FAILED local authentication")


def test_an_over_long_name_is_refused_before_the_store_lock_is_taken(apic, monkeypatch):
    _, caller = admin(apic)
    taken = []
    monkeypatch.setattr(apic.aaa.passwords, "post", lambda *args: taken.append(args))
    name = "t" * 100_000
    with pytest.raises(ApicError) as exc:
        apic.post("uni", {"fvTenant": {"attributes": {"name": name}}}, caller)
    assert exc.value.http_status == 400 and not taken
