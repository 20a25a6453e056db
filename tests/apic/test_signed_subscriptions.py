"""The aci-containers controller's way in: signed requests, a web token, the socket, subscriptions.

The controller never logs in with a password: it signs GET /api/webtokenSession.json, opens
wss://<apic>/socket<token>, then subscribes with signed GETs that carry APIC-WebSocket-Session
(../shared/research/apic-rest.md §1.5 and §6.5).
"""

from __future__ import annotations

import json
import ssl

import pytest
import requests
import websocket
from cryptography.hazmat.primitives import serialization

from simulator.apic import signing
from simulator.tls import self_signed

USER = "kubectl"
CERT_DN = f"uni/userext/user-{USER}/usercert-{USER}.crt"


@pytest.fixture
def signer(lab):
    """A user with a certificate, created the way acc-provision does (aaaUser, aaaUserCert, admin in the all domain)."""
    key, cert = self_signed(USER)
    admin = _session()
    url = lab.servers[0].url
    r = admin.post(f"{url}/api/aaaLogin.json",
                   data=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}))
    assert r.status_code == 200
    r = admin.post(f"{url}/api/mo/uni/userext/user-{USER}.json", data=json.dumps({"aaaUser": {
        "attributes": {"name": USER, "accountStatus": "active", "pwd": "NotUsed1!"},
        "children": [{"aaaUserCert": {"attributes": {
            "name": f"{USER}.crt", "data": cert.public_bytes(serialization.Encoding.PEM).decode()}}},
            {"aaaUserDomain": {"attributes": {"name": "all"}, "children": [
                {"aaaUserRole": {"attributes": {"name": "admin", "privType": "writePriv"}}}]}}]}}))
    assert r.status_code == 200, r.text
    return Signer(url, key)


class Signer:
    def __init__(self, url: str, key):
        self.url = url
        self.key = key
        self.http = _session()

    def cookies(self, method: str, target: str, body: str = "", token: str | None = None) -> str:
        cookies = signing.sign_request(self.key, CERT_DN, method, target, body)
        if token:
            cookies["APIC-WebSocket-Session"] = token
        return signing.cookie_header(cookies)

    def get(self, target: str, token: str | None = None) -> requests.Response:
        return self.http.get(self.url + target, headers={"Cookie": self.cookies("GET", target, token=token)})

    def post(self, target: str, body: dict) -> requests.Response:
        text = json.dumps(body)
        return self.http.post(self.url + target, data=text,
                              headers={"Cookie": self.cookies("POST", target, text), "Content-Type": "application/json"})


def _session() -> requests.Session:
    s = requests.Session()
    s.verify = False
    s.trust_env = False
    return s


def test_signed_web_token_opens_the_socket_and_subscriptions_deliver(signer):
    r = signer.get("/api/webtokenSession.json")
    assert r.status_code == 200, r.text
    token = r.json()["imdata"][0]["webtokenSession"]["attributes"]["token"]
    ws = websocket.create_connection(
        signer.url.replace("https://", "wss://") + "/socket" + token,
        sslopt={"cert_reqs": ssl.CERT_NONE},
        cookie=signer.cookies("GET", "/socket" + token, token=token),
        timeout=10,
    )
    try:
        target = ('/api/class/fvAEPg.json?subscription=yes&refresh-timeout=600&query-target=subtree'
                  '&query-target-filter=eq(fvAEPg.name,"kube-nodes")')
        r = signer.get(target, token=token)
        assert r.status_code == 200, r.text
        sub = r.json()["subscriptionId"]
        r = signer.post("/api/mo/uni.json", {"fvTenant": {"attributes": {"name": "kube"}, "children": [
            {"fvAp": {"attributes": {"name": "aci-containers-kube"}, "children": [
                {"fvAEPg": {"attributes": {"name": "kube-nodes"}}},
                {"fvAEPg": {"attributes": {"name": "kube-system"}}}]}}]}})
        assert r.status_code == 200, r.text
        message = json.loads(ws.recv())
        assert message["subscriptionId"] == [sub]
        attrs = message["imdata"][0]["fvAEPg"]["attributes"]
        assert (attrs["dn"], attrs["status"]) == ("uni/tn-kube/ap-aci-containers-kube/epg-kube-nodes", "created")
        r = signer.get(f"/api/subscriptionRefresh.json?id={sub}", token=token)
        assert r.status_code == 200, r.text
    finally:
        ws.close()


def test_signed_subscription_without_a_web_token_is_refused(signer):
    r = signer.get("/api/class/fvTenant.json?subscription=yes")
    assert r.status_code == 400
    assert "web token session" in r.json()["imdata"][0]["error"]["attributes"]["text"]
