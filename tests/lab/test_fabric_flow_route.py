"""POST /_sim/fabric/flow: the verdict of one flow, for the lab's admin alone, with bad input answered as a 400
naming what is wrong (the control API's {"error": ...}) and the policy of zoning_lab.py deciding."""

from __future__ import annotations

import pytest
import requests
from zoning_lab import CONTRACT, DB, WEB, post_policy

from simulator.lab import Lab, LabOptions

ADMIN = ("admin", "s3cret")
VIEWER = ("viewer", "v1ewer")


def plain() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


@pytest.fixture(scope="module")
def served():
    """A lab (plain HTTP) with the policy posted and a read-only user besides the admin."""
    lab = Lab(LabOptions(admin_user=ADMIN[0], admin_password=ADMIN[1]))
    url = lab.start(tls=False).url
    post_policy(url, *ADMIN)
    s = plain()
    assert s.post(f"{url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": ADMIN[0], "pwd": ADMIN[1]}}}).ok
    viewer = {"aaaUser": {"attributes": {"name": VIEWER[0], "pwd": VIEWER[1]}, "children": [
        {"aaaUserDomain": {"attributes": {"name": "all"}, "children": [
            {"aaaUserRole": {"attributes": {"name": "read-all", "privType": "readPriv"}}}]}}]}}
    assert s.post(f"{url}/api/mo/uni/userext.json", json=viewer).status_code == 200
    yield url
    lab.stop()


def flow(url: str, body, auth=ADMIN, **kwargs) -> requests.Response:
    return plain().post(f"{url}/_sim/fabric/flow", json=body, auth=auth, timeout=30, **kwargs)


def refused(r: requests.Response, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert set(r.json()) == {"error"} and words in r.json()["error"] and "\n" not in r.json()["error"], r.json()


def test_the_contract_permits_web_to_db_on_its_port_and_names_itself(served):
    r = flow(served, {"from": WEB, "to": DB, "proto": "tcp", "port": 5432})
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["verdict"] == "permit", found
    assert found["rule"]["contract"] == CONTRACT, found["rule"]
    assert found["rule"]["action"].startswith("permit"), found["rule"]
    assert found["leaf"] in ("topology/pod-1/node-101", "topology/pod-1/node-102"), found
    assert found["reply"]["verdict"] == "permit", found["reply"]


def test_another_port_meets_the_default_rule(served):
    r = flow(served, {"from": WEB, "to": DB, "proto": "tcp", "port": 5433, "sport": 40000})
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["verdict"] == "deny" and found["rule"]["default"], found
    assert not found["rule"].get("contract"), found["rule"]


def test_the_provider_does_not_open_a_connection_to_its_consumer(served):
    found = flow(served, {"from": DB, "to": WEB, "proto": "tcp", "port": 8080}).json()
    assert found["verdict"] == "deny", found


def test_tcp_flags_name_the_packet_asked_about(served):
    found = flow(served, {"from": WEB, "to": DB, "port": 5432, "flags": "est"}).json()
    assert found["verdict"] == "permit" and found["flow"]["tcpFlags"] == ["ack"], found


def test_proto_and_port_have_defaults_and_null_ports_are_any(served):
    found = flow(served, {"from": WEB, "to": DB, "port": 5432, "sport": None}).json()
    assert found["verdict"] == "permit", found


@pytest.mark.parametrize("auth, status, words", [
    (None, 401, "needs the lab's admin credentials"),
    (("admin", "wrong"), 401, "wrong user or password"),
    (VIEWER, 403, "is not an admin of the lab"),
])
def test_only_the_lab_admin_may_ask(served, auth, status, words):
    refused(flow(served, {"from": WEB, "to": DB, "port": 5432}, auth=auth), status, words)


def test_another_origin_is_refused(served):
    refused(flow(served, {"from": WEB, "to": DB, "port": 5432}, headers={"Origin": "https://evil.example"}), 403,
            "requests from origin")


def test_a_form_body_is_refused(served):
    r = plain().post(f"{served}/_sim/fabric/flow", data={"from": WEB, "to": DB}, auth=ADMIN, timeout=30)
    refused(r, 415, "application/json")


def test_get_is_not_a_method_of_the_route(served):
    r = plain().get(f"{served}/_sim/fabric/flow", auth=ADMIN, timeout=30)
    refused(r, 405, "it takes POST")


@pytest.mark.parametrize("body, words", [
    ({"to": DB, "port": 5432}, 'give {"from": A, "to": B'),
    ({"from": WEB, "to": DB, "port": 70000}, "port must be a whole number from 0 to 65535, not 70000"),
    ({"from": WEB, "to": DB, "port": "80"}, "port must be a whole number from 0 to 65535"),
    ({"from": WEB, "to": DB, "port": 80.5}, "port must be a whole number"),
    ({"from": WEB, "to": DB, "sport": -1}, "sport must be a whole number from 0 to 65535, not -1"),
    ({"from": WEB, "to": DB, "port": 80, "vrf": "x"}, 'unknown keys for POST /_sim/fabric/flow: "vrf"'),
    ({"from": "", "to": DB}, "from must be one line of text"),
    ({"from": WEB, "to": ["a"]}, "to must be one line of text"),
    ({"from": WEB, "to": DB, "proto": 6}, "proto must be one line of text"),
    ([WEB, DB], "the body must be a JSON object"),
])
def test_bad_input_is_a_400_naming_it(served, body, words):
    refused(flow(served, body), 400, words)


@pytest.mark.parametrize("body", [
    {"from": "no-such-vm", "to": DB, "port": 5432},
    {"from": WEB, "to": "uni/tn-flows/ap-app/epg-nothing", "port": 5432},
    {"from": WEB, "to": DB, "proto": "no-such-protocol", "port": 5432},
    {"from": WEB, "to": DB, "proto": "icmp", "port": 5432},
    {"from": WEB, "to": DB, "port": 5432, "flags": "urgent"},
])
def test_what_the_zoning_cannot_place_is_a_400_in_one_line(served, body):
    r = flow(served, body)
    assert r.status_code == 400, r.text
    assert set(r.json()) == {"error"} and r.json()["error"] and "\n" not in r.json()["error"], r.json()
