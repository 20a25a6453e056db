"""Query subscriptions and the event websocket, driven with a real websocket client over TLS."""

from __future__ import annotations

import json
import ssl
import time

import pytest
import requests
import websocket

RECV_TIMEOUT = 10


class Client:
    """A logged-in REST session with its event socket open, as acitoolkit and the CNI controller do."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        self.http.verify = False
        self.http.trust_env = False
        r = self.http.post(f"{url}/api/aaaLogin.json",
                           data=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}))
        assert r.status_code == 200, r.text
        self.token = r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]
        self.ws = websocket.create_connection(
            url.replace("https://", "wss://") + "/socket" + self.token,
            sslopt={"cert_reqs": ssl.CERT_NONE},
            timeout=RECV_TIMEOUT,
        )

    def get(self, path: str) -> dict:
        r = self.http.get(self.url + path)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, path: str, body: dict) -> None:
        r = self.http.post(self.url + path, data=json.dumps(body))
        assert r.status_code == 200, r.text

    def event(self) -> tuple[list[str], str, dict]:
        message = json.loads(self.ws.recv())
        assert "totalCount" not in message
        ((cls, body),) = message["imdata"][0].items()
        return message["subscriptionId"], cls, body["attributes"]

    def event_for(self, dn: str) -> tuple[list[str], str, dict]:
        """The next event about `dn` (events about other MOs of the same write come first or after)."""
        while True:
            ids, cls, attrs = self.event()
            if attrs["dn"] == dn:
                return ids, cls, attrs

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def client(lab):
    c = Client(lab.servers[0].url)
    yield c
    c.close()


EPG_DN = "uni/tn-sub/ap-app/epg-web"


def tenant_with_epg() -> dict:
    return {"fvTenant": {"attributes": {"name": "sub"}, "children": [
        {"fvAp": {"attributes": {"name": "app"}, "children": [{"fvAEPg": {"attributes": {"name": "web"}}}]}}]}}


def test_subscribe_reply_carries_a_string_id(client):
    reply = client.get("/api/class/fvTenant.json?subscription=yes")
    assert list(reply) == ["totalCount", "subscriptionId", "imdata"]
    assert isinstance(reply["subscriptionId"], str) and len(reply["subscriptionId"]) == 17
    assert reply["totalCount"] == "3"


def test_class_subscription_sees_created_modified_deleted(client):
    sub = client.get("/api/class/fvAEPg.json?subscription=yes")["subscriptionId"]
    client.post("/api/mo/uni.json", tenant_with_epg())
    ids, cls, attrs = client.event_for(EPG_DN)
    assert (ids, cls, attrs["status"], attrs["name"], attrs["rn"]) == ([sub], "fvAEPg", "created", "web", "")
    assert attrs["pcEnfPref"] == "unenforced"  # created events carry every property

    client.post(f"/api/mo/{EPG_DN}.json", {"fvAEPg": {"attributes": {"descr": "front end"}}})
    ids, cls, attrs = client.event_for(EPG_DN)
    assert attrs["status"] == "modified"
    assert attrs["descr"] == "front end"
    assert set(attrs) == {"childAction", "descr", "dn", "modTs", "rn", "status"}  # only what changed

    r = client.http.delete(f"{client.url}/api/mo/uni/tn-sub.json")
    assert r.status_code == 200
    ids, cls, attrs = client.event_for(EPG_DN)
    assert attrs["status"] == "deleted"
    assert set(attrs) == {"childAction", "dn", "modTs", "rn", "status"}


def test_subtree_subscription_with_class_filter_and_shared_ids(client):
    tenants = client.get("/api/class/fvTenant.json?subscription=yes")["subscriptionId"]
    subtree = client.get(
        "/api/mo/uni/tn-sub.json?query-target=subtree&target-subtree-class=fvTenant,fvAEPg&subscription=yes"
    )["subscriptionId"]
    client.post("/api/mo/uni.json", tenant_with_epg())
    ids, cls, _ = client.event_for("uni/tn-sub")
    assert cls == "fvTenant" and sorted(ids) == sorted([tenants, subtree])
    ids, cls, _ = client.event_for(EPG_DN)
    assert ids == [subtree]


def test_filtered_subscription_only_reports_matches(client):
    sub = client.get('/api/class/fvTenant.json?query-target-filter=eq(fvTenant.name,"wanted")&subscription=yes')
    client.post("/api/mo/uni.json", {"fvTenant": {"attributes": {"name": "other"}}})
    client.post("/api/mo/uni.json", {"fvTenant": {"attributes": {"name": "wanted"}}})
    ids, cls, attrs = client.event()
    # the first event the socket carries is the matching tenant: "other" produced nothing
    assert (ids, attrs["dn"]) == ([sub["subscriptionId"]], "uni/tn-wanted")


def test_refresh_keeps_a_subscription_and_expiry_ends_it(lab, client):
    short = client.get("/api/class/fvTenant.json?subscription=yes&refresh-timeout=30")["subscriptionId"]
    assert client.get(f"/api/subscriptionRefresh.json?id={short}") == {"totalCount": "0", "imdata": []}
    lab.clock.advance(20)
    client.get(f"/api/subscriptionRefresh.json?id={short}")
    lab.clock.advance(20)  # 40 s after subscribing, 20 s after the refresh: still alive
    client.post("/api/mo/uni.json", {"fvTenant": {"attributes": {"name": "alive"}}})
    assert client.event()[0] == [short]

    lab.clock.advance(31)  # past its refresh-timeout: expired
    fresh = client.get("/api/class/fvCtx.json?subscription=yes")["subscriptionId"]
    client.post("/api/mo/uni.json", {"fvTenant": {"attributes": {"name": "late"}, "children": [
        {"fvCtx": {"attributes": {"name": "v"}}}]}})
    ids, cls, _ = client.event()
    assert (ids, cls) == ([fresh], "fvCtx")  # the tenant event was not delivered
    r = client.http.get(f"{client.url}/api/subscriptionRefresh.json?id={short}")
    assert r.status_code == 400
    assert "unknown or expired subscription" in r.json()["imdata"][0]["error"]["attributes"]["text"]


def test_closed_socket_drops_its_subscriptions(lab, client):
    sub = client.get("/api/class/fvTenant.json?subscription=yes")["subscriptionId"]
    client.close()
    deadline = time.monotonic() + 15
    while sub in lab.apic.subscriptions.subscriptions and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for the server to notice the close, not for time to pass
    r = client.http.get(f"{client.url}/api/subscriptionRefresh.json?id={sub}")
    assert r.status_code == 400


def test_socket_refuses_a_bad_token(lab):
    url = lab.servers[0].url.replace("https://", "wss://")
    with pytest.raises(websocket.WebSocketBadStatusException) as exc:
        websocket.create_connection(url + "/socketnot-a-token", sslopt={"cert_reqs": ssl.CERT_NONE})
    assert exc.value.status_code == 403


def test_bad_refresh_timeout_is_rejected(client):
    r = client.http.get(f"{client.url}/api/class/fvTenant.json?subscription=yes&refresh-timeout=abc")
    assert r.status_code == 400
    assert "refresh-timeout" in r.json()["imdata"][0]["error"]["attributes"]["text"]


def test_unsubscribe_with_subscription_no(client):
    sub = client.get("/api/class/fvTenant.json?subscription=yes")["subscriptionId"]
    client.get("/api/class/fvTenant.json?subscription=no")
    r = client.http.get(f"{client.url}/api/subscriptionRefresh.json?id={sub}")
    assert r.status_code == 400
