"""Reads answered before Flask (simulator/apic/fast_reads.py): the same bytes as the Flask route, the lab's
tick before each, and kept answers that never outlive a write or cross users.

The first group compares, request by request, the answer of the APIC app as served with the answer of the
same app's Flask routes alone (FastReads bypassed): status, headers and body must be equal. The others go
through the served lab over HTTP, as a client sees it.
"""

from __future__ import annotations

import json

import pytest
from rest_session import ApicRest
from werkzeug.test import EnvironBuilder

from simulator.apic import rest as apic_rest
from simulator.apic.fast_reads import FastReads
from simulator.lab import Lab, LabOptions

PASSWORD = "Reader-pass-1"


def call(wsgi_app, method: str, path: str, cookie: str = "", query: str = "", body: bytes | None = None):
    environ = EnvironBuilder(method=method, path=path, query_string=query, data=body,
                             headers={"Cookie": cookie} if cookie else {}).get_environ()
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"], got["headers"] = status, list(headers)

    data = b"".join(wsgi_app(environ, start_response))
    return got["status"], got["headers"], data


@pytest.fixture(scope="module")
def apps():
    lab = Lab(LabOptions(admin_password="secret"))
    app = lab.apic_app()
    fast = app.extensions["acisim.fast_reads"]
    assert isinstance(fast, FastReads) and app.wsgi_app.app is fast  # behind the lab's fault layer (simulator/faults)
    status, _, data = call(app, "POST", "/api/aaaLogin.json",
                           body=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}).encode())
    assert status.startswith("200")
    cookie = "APIC-cookie=" + json.loads(data)["imdata"][0]["aaaLogin"]["attributes"]["token"]
    yield app, fast.wsgi_app, cookie
    lab.stop()


@pytest.mark.parametrize(("path", "query"), [
    ("/api/mo/uni/tn-common.json", ""),
    ("/api/mo/uni/tn-common.xml", ""),
    ("/api/node/mo/uni/tn-common.json", "rsp-subtree=children"),
    ("/api/class/fvTenant.json", 'query-target-filter=eq(fvTenant.name,"mgmt")'),
    ("/api/class/fvBD.xml", "rsp-subtree=full&order-by=fvBD.name|desc&page-size=1"),
    ("/api/node/class/topology/pod-1/fabricNode.json", ""),
    ("/api/mo/uni/tn-absent.json", ""),
    ("/api/class/noSuchClass.json", ""),  # 400 in the envelope
    ("/api/class/fvTenant.json", "query-target-filter=eq(fvTenant.name"),  # a bad filter: 400
    ("/api/mo/uni/tn-%5Bcommon%5D.json", ""),
])
def test_a_fast_read_answers_what_the_flask_route_answers(apps, path, query):
    app, flask_only, cookie = apps
    fast = call(app, "GET", path, cookie, query)
    slow = call(flask_only, "GET", path, cookie, query)
    assert fast == slow
    assert fast[0].split()[0] in {"200", "400"}


@pytest.mark.parametrize("cookie", ["", "APIC-cookie=not-a-token"])
def test_a_read_without_a_valid_session_is_refused_as_the_flask_route_refuses_it(apps, cookie):
    app, flask_only, _ = apps
    fast = call(app, "GET", "/api/class/fvTenant.json", cookie)
    assert fast == call(flask_only, "GET", "/api/class/fvTenant.json", cookie)
    assert fast[0] == "403 FORBIDDEN"
    assert json.loads(fast[2])["imdata"][0]["error"]["attributes"]["code"] == "403"


def test_the_hooks_of_every_request_run_before_every_fast_read():
    lab = Lab(LabOptions(admin_password="secret"))
    try:
        app = lab.apic_app()  # the lab's tick is such a hook
        ticks = []
        apic_rest.before_every_request(app, lambda: ticks.append(1))
        cookie = "APIC-cookie=" + lab.apic.login("admin", "secret").token
        call(app, "GET", "/api/mo/uni.json", cookie)
        call(app, "GET", "/api/mo/uni.json", cookie)  # kept: the hooks still run
        call(app, "GET", "/api/class/fvTenant.json", cookie)
        assert ticks == [1, 1, 1]
        assert app.extensions["acisim.fast_reads"].before[0] == lab._tick_before_request
    finally:
        lab.stop()


@pytest.fixture
def served():
    lab = Lab(LabOptions(admin_password="secret"))
    srv = lab.start(tls=False)
    yield lab, ApicRest(srv.url)
    lab.stop()


def test_a_write_is_seen_by_the_next_read_of_the_same_url(served):
    _, admin = served
    admin.post_ok("uni", {"fvTenant": {"attributes": {"name": "t1", "descr": "first"}}})
    assert admin.imdata("/api/mo/uni/tn-t1.json")[0]["fvTenant"]["attributes"]["descr"] == "first"
    assert admin.imdata("/api/mo/uni/tn-t1.json")[0]["fvTenant"]["attributes"]["descr"] == "first"
    admin.post_ok("uni/tn-t1", {"fvTenant": {"attributes": {"descr": "second"}}})
    assert admin.imdata("/api/mo/uni/tn-t1.json")[0]["fvTenant"]["attributes"]["descr"] == "second"
    admin.delete_ok("uni/tn-t1")
    assert admin.imdata("/api/mo/uni/tn-t1.json") == []


def test_a_change_made_by_the_lab_itself_is_seen_too(served):
    """A write through the facade (another system of the lab, a reset) changes the tree as a client's does."""
    lab, admin = served
    admin.post_ok("uni", {"fvTenant": {"attributes": {"name": "t2"}}})
    assert admin.imdata("/api/class/fvTenant.json", **{"query-target-filter": 'eq(fvTenant.name,"t2")'})
    lab.apic.reset()
    admin = ApicRest(admin.url, "secret")  # the reset ended every session
    assert admin.imdata("/api/class/fvTenant.json", **{"query-target-filter": 'eq(fvTenant.name,"t2")'}) == []


def test_a_kept_answer_is_never_given_to_another_user(served):
    _, admin = served
    admin.post_ok("uni/userext", {"aaaDomain": {"attributes": {"name": "D"}}})
    admin.post_ok("uni/userext", {"aaaUser": {"attributes": {"name": "tadmin", "pwd": PASSWORD}, "children": [
        {"aaaUserDomain": {"attributes": {"name": "D"}, "children": [
            {"aaaUserRole": {"attributes": {"name": "tenant-admin", "privType": "writePriv"}}}]}}]}})
    admin.post_ok("uni", {"fvTenant": {"attributes": {"name": "theirs"}}})
    tadmin = ApicRest(admin.url, PASSWORD, "tadmin")
    names = {"query-target-filter": 'eq(fvTenant.name,"theirs")'}
    assert len(admin.imdata("/api/class/fvTenant.json", **names)) == 1  # kept for admin
    assert tadmin.imdata("/api/class/fvTenant.json", **names) == []  # not in tadmin's domains
    assert len(admin.imdata("/api/class/fvTenant.json", **names)) == 1


def test_a_subscribing_read_opens_a_new_subscription_each_time(served):
    _, admin = served
    ids = {admin.get("/api/class/fvTenant.json", subscription="yes").json()["subscriptionId"] for _ in range(3)}
    assert len(ids) == 3


def test_a_read_restarts_the_session_idle_time_even_when_its_answer_is_kept(served):
    lab, admin = served
    idle = lab.apic.aaa.config.refresh_timeout
    lab.freeze_clock(True)
    for _ in range(3):  # 1.8 idle periods in all, but never one without a read
        lab.advance_clock(idle * 0.6)
        assert admin.get("/api/mo/uni/tn-common.json").status_code == 200
    lab.advance_clock(idle + 1)
    assert admin.get("/api/mo/uni/tn-common.json").status_code == 403
