"""What the server refuses before an app sees the request is answered in that API's own error shape."""

from __future__ import annotations

import json
import ssl

import pytest
import requests
import websocket
from lxml import etree
from serving_client import exchange

LONG_PATH = "a" * 9000  # over the 8 KiB request line of the lab's servers
LONG_COOKIE = b"Cookie: x=" + b"c" * 9000 + b"\r\n"  # one header line over 8 KiB
MANY_HEADERS = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"f" * 4000) for i in range(10))  # 40 KiB of headers


def _get(path: str, extra: bytes = b"") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: lab\r\n".encode() + extra + b"\r\n"


def _apic_error(body: bytes) -> dict:
    doc = json.loads(body)
    assert doc["totalCount"] == "1"
    return doc["imdata"][0]["error"]["attributes"]


def _apic_xml_error(body: bytes) -> dict:
    root = etree.fromstring(body)
    assert root.tag == "imdata" and root.get("totalCount") == "1"
    return dict(root[0].attrib)


def _fault(body: bytes) -> dict:
    root = etree.fromstring(body)
    assert root.tag == "fault"
    return {child.tag: child.text for child in root}


def _status(body: bytes) -> dict:
    doc = json.loads(body)
    assert (doc["kind"], doc["apiVersion"], doc["status"]) == ("Status", "v1", "Failure")
    return doc


@pytest.mark.parametrize(("request_bytes", "status"), [
    (_get(f"/api/mo/uni/{LONG_PATH}.json"), 414),
    (_get("/api/mo/uni.json", LONG_COOKIE), 431),
    (_get("/api/mo/uni.json", MANY_HEADERS), 431),
    (b"GET /api/mo/uni/tn-caf\xc3\xa9.json HTTP/1.1\r\nHost: lab\r\n\r\n", 400),
    (b"GET /api/mo/uni.json HTTP/1.1\r\nHost: lab\r\nBad Header\r\n\r\n", 400),
    (b"BLAH\r\n\r\n", 400),
], ids=["request-line", "header-line", "all-headers", "non-ascii-path", "malformed-header", "malformed-line"])
def test_the_apic_refuses_in_its_json_envelope(lab, request_bytes, status):
    got, headers, body = exchange(lab.apic_server, request_bytes)
    assert got == status
    assert headers["content-type"] == "application/json"
    assert _apic_error(body)["code"] == str(status)


@pytest.mark.parametrize(("request_bytes", "status"), [
    (_get(f"/api/mo/uni/{LONG_PATH}.xml"), 414),
    (_get("/api/mo/uni.xml", LONG_COOKIE), 431),
], ids=["request-line", "header-line"])
def test_the_apic_refuses_in_xml_when_asked_for_xml(lab, request_bytes, status):
    got, headers, body = exchange(lab.apic_server, request_bytes)
    assert got == status
    assert headers["content-type"] == "application/xml"
    assert _apic_xml_error(body)["code"] == str(status)


@pytest.mark.parametrize(("request_bytes", "status", "reason"), [
    (_get(f"/ovirt-engine/api/{LONG_PATH}"), 414, "Request-URI Too Long"),
    (_get("/ovirt-engine/api", LONG_COOKIE), 431, "Request Header Fields Too Large"),
    (b"GET /ovirt-engine/api/caf\xc3\xa9 HTTP/1.1\r\nHost: lab\r\n\r\n", 400, "Bad Request"),
], ids=["request-line", "header-line", "non-ascii-path"])
def test_the_rhv_manager_refuses_with_a_fault(lab, request_bytes, status, reason):
    got, headers, body = exchange(lab.rhv_server, request_bytes)
    assert got == status
    assert headers["content-type"] == "application/xml"
    fault = _fault(body)
    assert fault["reason"] == reason and fault["detail"]


@pytest.mark.parametrize(("request_bytes", "status"), [
    (_get(f"/api/v1/namespaces/{LONG_PATH}"), 414),
    (_get("/api/v1/namespaces", LONG_COOKIE), 431),
    (b"GET /api/v1/namespaces/caf\xc3\xa9 HTTP/1.1\r\nHost: lab\r\n\r\n", 400),
], ids=["request-line", "header-line", "non-ascii-path"])
def test_the_kubernetes_api_refuses_with_a_status(lab, request_bytes, status):
    got, headers, body = exchange(lab.k8s_server, request_bytes)
    assert got == status
    assert headers["content-type"] == "application/json"
    doc = _status(body)
    assert doc["code"] == status and doc["reason"] and doc["message"]


def _login_token(lab) -> str:
    http = requests.Session()
    http.trust_env = False
    reply = http.post(f"{lab.apic_server.url}/api/aaaLogin.json", verify=False,
                      json={"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}})
    return reply.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]


UPGRADE = b"Upgrade: websocket\r\nConnection: Upgrade, close\r\n"


def test_an_upgrade_without_a_key_is_not_a_websocket_but_the_apics_400(lab):
    got, headers, body = exchange(lab.apic_server, _get(f"/socket{_login_token(lab)}", UPGRADE))
    assert got == 400
    assert headers["content-type"] == "application/json"
    assert "Sec-WebSocket-Key" in _apic_error(body)["text"]


def test_an_upgrade_without_a_key_and_a_bad_token_gets_the_apics_403(lab):
    got, _, body = exchange(lab.apic_server, _get("/socketnot-a-token", UPGRADE))
    assert got == 403
    assert _apic_error(body)["code"] == "403"


def test_a_websocket_with_a_bad_token_is_refused_with_the_apics_403_envelope(lab):
    url = lab.apic_server.url.replace("https://", "wss://")
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url + "/socketnot-a-token", sslopt={"cert_reqs": ssl.CERT_NONE})
    assert refused.value.status_code == 403
    assert _apic_error(refused.value.resp_body)["text"].startswith("Token was invalid")


def test_a_websocket_with_a_good_token_opens_and_ends_when_the_server_stops(tmp_path):
    from simulator.lab import Lab, LabOptions

    lab = Lab(LabOptions(admin_password="secret"))
    lab.start(tls_dir=tmp_path / "tls")
    try:
        ws = websocket.create_connection(lab.apic_server.url.replace("https://", "wss://") + "/socket"
                                         + _login_token(lab), sslopt={"cert_reqs": ssl.CERT_NONE}, timeout=10)
    finally:
        lab.stop()
    assert not lab.apic_server.thread.is_alive()
    opcode, data = ws.recv_data(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(data[:2], "big") == 1012  # "service restart", as uvicorn closes on shutdown


def test_a_body_over_the_servers_limit_is_refused_in_the_apis_shape(tmp_path):
    """Above the apps' own limits (the APIC's 4 MiB), the server's: a chunked upload has no Content-Length
    for the app to refuse it by."""
    from serving_client import Gate, bare_app

    from simulator.apic.http_limits import error_page
    from simulator.serving import ServerLimits, serve_in_thread

    server = serve_in_thread(bare_app(Gate()), tls=False, limits=ServerLimits(body_bytes=1024), error_page=error_page)
    try:
        chunk = b"a" * 2048
        got, headers, body = exchange(server, b"POST /api/mo/uni.json HTTP/1.1\r\nHost: lab\r\n"
                                              b"Transfer-Encoding: chunked\r\n\r\n"
                                              + b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk))
    finally:
        server.stop()
    assert got == 413
    assert headers["content-type"] == "application/json"
    assert _apic_error(body)["code"] == "413"
