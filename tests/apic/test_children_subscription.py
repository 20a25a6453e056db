"""The scope of a subscription's events, through the websocket of a served lab: `query-target=children`
pushes changes of the target's direct children only, never of the target itself nor of deeper descendants;
`query-target=subtree` pushes the target and every descendant. Both for an MO query and for a class query.

Events reach a socket in commit order, so each test ends with a marker write the subscription does see: what
came before the marker is everything the earlier writes pushed."""

from __future__ import annotations

import json
import ssl

import pytest
import requests
import websocket

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

RECV_TIMEOUT = 10
TENANT = "uni/tn-kids"
AP = f"{TENANT}/ap-app"
EPG = f"{AP}/epg-web"
EPG_BD = f"{EPG}/rsbd"
CTX = f"{TENANT}/ctx-v"


class Listener:
    """A logged-in session with its event socket open, as acitoolkit and the CNI controller have."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        self.http.verify = False
        self.http.trust_env = False
        r = self.http.post(f"{url}/api/aaaLogin.json",
                           data=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}))
        assert r.status_code == 200, r.text
        token = r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]
        self.ws = websocket.create_connection(url.replace("https://", "wss://") + "/socket" + token,
                                              sslopt={"cert_reqs": ssl.CERT_NONE}, timeout=RECV_TIMEOUT)

    def subscribe(self, path: str) -> str:
        r = self.http.get(f"{self.url}{path}", params={"subscription": "yes"})
        assert r.status_code == 200, r.text
        return r.json()["subscriptionId"]

    def post(self, dn: str, body: dict) -> None:
        r = self.http.post(f"{self.url}/api/mo/{dn}.json", data=json.dumps(body))
        assert r.status_code == 200, r.text

    def delete(self, dn: str) -> None:
        assert self.http.delete(f"{self.url}/api/mo/{dn}.json").status_code == 200

    def pushed_until(self, marker: str) -> list[tuple[str, str]]:
        """(dn, status) of every event pushed up to and including the first one about `marker`."""
        seen = []
        while True:
            message = json.loads(self.ws.recv())
            ((_, body),) = message["imdata"][0].items()
            seen.append((body["attributes"]["dn"], body["attributes"]["status"]))
            if seen[-1][0] == marker:
                return seen

    def close(self) -> None:
        self.ws.close()


def mo(cls: str, children: list[dict] | None = None, **attrs: str) -> dict:
    body: dict = {"attributes": attrs}
    if children:
        body["children"] = children
    return {cls: body}


@pytest.fixture
def listener(lab):
    client = Listener(lab.servers[0].url)
    client.post("uni", mo("fvTenant", name="kids"))
    yield client
    client.close()


def grandchildren_then_marker(listener: Listener) -> None:
    """Writes that touch the tenant, a child (the AP) and its descendants (the EPG and its relation), then
    the marker: a new child of the tenant (the VRF)."""
    listener.post("uni", mo("fvTenant", [
        mo("fvAp", [mo("fvAEPg", [mo("fvRsBd", tnFvBDName="b")], name="web")], name="app"),
    ], name="kids", descr="touched"))
    listener.post(EPG, mo("fvAEPg", descr="grandchild modified"))
    listener.delete(EPG_BD)
    listener.post(AP, mo("fvAp", descr="child modified"))
    listener.post("uni", mo("fvTenant", [mo("fvCtx", name="v")], name="kids"))


@pytest.mark.parametrize("query", [
    f"/api/mo/{TENANT}.json?query-target=children",
    "/api/class/fvTenant.json?query-target=children",
], ids=["mo", "class"])
def test_a_children_subscription_pushes_children_only(listener, query):
    listener.subscribe(query)
    grandchildren_then_marker(listener)
    pushed = listener.pushed_until(CTX)
    assert [(dn, status) for dn, status in pushed if dn in (AP, CTX)] == [
        (AP, "created"), (AP, "modified"), (CTX, "created")]
    assert all(dn.count("/") == TENANT.count("/") + 1 for dn, _ in pushed), pushed


@pytest.mark.parametrize("query", [
    f"/api/mo/{TENANT}.json?query-target=subtree",
    "/api/class/fvTenant.json?query-target=subtree",
], ids=["mo", "class"])
def test_a_subtree_subscription_pushes_the_target_and_every_descendant(listener, query):
    listener.subscribe(query)
    grandchildren_then_marker(listener)
    pushed = listener.pushed_until(CTX)
    wanted = (TENANT, AP, EPG, EPG_BD, CTX)
    assert [(dn, status) for dn, status in pushed if dn in wanted] == [
        (TENANT, "modified"), (AP, "created"), (EPG, "created"), (EPG_BD, "created"),
        (EPG, "modified"), (EPG_BD, "deleted"), (AP, "modified"), (CTX, "created")]


def test_a_children_subscription_with_a_class_filter_keeps_to_children(listener):
    """`target-subtree-class` naming a grandchild's class gives nothing for that grandchild."""
    listener.subscribe(f"/api/mo/{TENANT}.json?query-target=children&target-subtree-class=fvAEPg,fvCtx")
    grandchildren_then_marker(listener)
    assert listener.pushed_until(CTX) == [(CTX, "created")]
