"""A session's traffic, recorded and replayed: the real `acisim record proxy` in front of a lab's APIC (or its RHV
Manager) records what a client does through it, secrets redacted; `acisim record fixture` turns the APIC writes into
a fixture a fresh lab serves with the same objects; `acisim record replay` re-sends them to a running lab."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import ovirtsdk4 as sdk
import pytest
import requests
import yaml

from simulator.lab import Lab, LabOptions
from simulator.pytest_plugin import ansible_playbook
from simulator.recording import replay, traffic

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")  # the lab's certificate
TENANT = {"fvTenant": {"attributes": {"name": "rec", "descr": "through the proxy"}, "children": [
    {"fvCtx": {"attributes": {"name": "v1"}}}]}}
BD = {"fvBD": {"attributes": {"name": "b1"}, "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "v1"}}}]}}
BD_GONE = '<fvBD name="gone"/>'  # an XML write, read back with the APIC's codec
EPG = {"fvAp": {"attributes": {"name": "a1"}, "children": [
    {"fvAEPg": {"attributes": {"name": "e1"}, "children": [{"fvRsBd": {"attributes": {"tnFvBDName": "b1"}}}]}}]}}
EXPECTED = {"uni/tn-rec": "fvTenant", "uni/tn-rec/ctx-v1": "fvCtx", "uni/tn-rec/BD-b1": "fvBD",
            "uni/tn-rec/ap-a1": "fvAp", "uni/tn-rec/ap-a1/epg-e1": "fvAEPg"}


def acisim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)


class Proxy:
    """`acisim record proxy` as a user runs it: started, its listening line read (no sleeps), stopped by SIGINT."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "simulator", "record", "proxy", *args], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("recording proxy listening on "):
            self.proc.kill()
            raise AssertionError(f"no listening line: {line!r} {self.proc.stderr.read()}")
        self.url = line.split()[4]

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out + err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    s.verify = False
    return s


def login(s: requests.Session, url: str) -> requests.Response:
    return s.post(f"{url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}})


def classes_under(s: requests.Session, url: str, dn: str) -> dict[str, str]:
    r = s.get(f"{url}/api/mo/{dn}.json", params={"rsp-subtree": "full"})
    assert r.status_code == 200, r.text
    out: dict[str, str] = {}

    def walk(node: dict, parent: str) -> None:
        ((cls, body),) = node.items()
        here = body["attributes"].get("dn") or f"{parent}/{body['attributes']['rn']}"
        out[here] = cls
        for child in body.get("children", []):
            walk(child, here)

    for top in r.json()["imdata"]:
        walk(top, "")
    return out


@pytest.fixture
def lab(tmp_path):
    lab = Lab(LabOptions())
    lab.start(tls_dir=tmp_path / "tls")
    yield lab
    lab.stop()


@pytest.fixture
def recorded(lab, tmp_path):
    """A session through the proxy: login, a tenant, a BD, an EPG, an XML BD, a read, a delete, a refused write."""
    out = tmp_path / "session.jsonl"
    proxy = Proxy("--upstream", lab.apic_server.url, "--listen", "127.0.0.1:0", "--out", str(out), "--insecure",
                  "--tls-dir", str(tmp_path / "proxy-tls"))
    try:
        s = session()
        answers = [login(s, proxy.url).status_code]
        for dn, body in (("uni/tn-rec", TENANT), ("uni/tn-rec/BD-b1", BD), ("uni/tn-rec", EPG)):
            answers.append(s.post(f"{proxy.url}/api/mo/{dn}.json", json=body).status_code)
        answers.append(s.post(f"{proxy.url}/api/mo/uni/tn-rec/BD-gone.xml", data=BD_GONE).status_code)
        answers.append(s.get(f"{proxy.url}/api/mo/uni/tn-rec.json").status_code)
        answers.append(s.delete(f"{proxy.url}/api/mo/uni/tn-rec/BD-gone.json").status_code)
        answers.append(s.post(f"{proxy.url}/api/mo/uni/tn-rec.json", json={"noSuchClass": {"attributes": {}}}
                              ).status_code)
        status, printed = proxy.stop()
    finally:
        proxy.kill()
    assert answers == [200, 200, 200, 200, 200, 200, 200, 400]
    assert status == 0 and "recorded 8 exchanges to" in printed
    return out


def test_the_proxy_records_every_exchange_in_order_with_the_password_redacted(lab, recorded):
    lines = [json.loads(line) for line in recorded.read_text().splitlines()]
    assert [(x["method"], x["path"], x["status"]) for x in lines] == [
        ("POST", "/api/aaaLogin.json", 200), ("POST", "/api/mo/uni/tn-rec.json", 200),
        ("POST", "/api/mo/uni/tn-rec/BD-b1.json", 200), ("POST", "/api/mo/uni/tn-rec.json", 200),
        ("POST", "/api/mo/uni/tn-rec/BD-gone.xml", 200), ("GET", "/api/mo/uni/tn-rec.json", 200),
        ("DELETE", "/api/mo/uni/tn-rec/BD-gone.json", 200), ("POST", "/api/mo/uni/tn-rec.json", 400)]
    text = recorded.read_text()
    assert "cisco123" not in text and '"pwd": "<redacted>"' in lines[0]["request_body"]
    assert json.loads(lines[0]["response_body"])["imdata"][0]["aaaLogin"]["attributes"]["token"] == "<redacted>"
    assert lines[1]["request_headers"]["Cookie"] == "APIC-cookie=<redacted>"
    assert json.loads(lines[1]["request_body"]) == TENANT
    assert lines[5]["content_type"].startswith("application/json")
    assert json.loads(lines[5]["response_body"])["imdata"][0]["fvTenant"]["attributes"]["dn"] == "uni/tn-rec"
    assert "noSuchClass" in lines[7]["response_body"]
    assert "uni/tn-rec/BD-gone" not in lab.apic.store and "uni/tn-rec/ap-a1/epg-e1" in lab.apic.store


def test_a_recording_becomes_a_fixture_a_fresh_lab_serves_with_the_same_objects(recorded, tmp_path):
    fixture = tmp_path / "session.yaml"
    run = acisim("record", "fixture", "--from", str(recorded), "--out", str(fixture))
    assert run.returncode == 0, run.stderr
    assert "from 5 APIC writes" in run.stdout
    entries = yaml.safe_load(fixture.read_text())
    # the XML BD's post was folded away by its delete, which stays as a post with status deleted
    assert [e["dn"] for e in entries] == ["uni/tn-rec", "uni/tn-rec/BD-b1", "uni/tn-rec", "uni/tn-rec/BD-gone"]
    assert entries[-1]["body"] == {"fvBD": {"attributes": {"status": "deleted"}}}
    fresh = Lab(LabOptions(fixtures=[fixture]))
    try:
        url = fresh.start(tls_dir=tmp_path / "tls2").url
        s = session()
        assert login(s, url).status_code == 200
        got = classes_under(s, url, "uni/tn-rec")
    finally:
        fresh.stop()
    assert {dn: cls for dn, cls in got.items() if dn in EXPECTED} == EXPECTED
    assert "uni/tn-rec/BD-gone" not in got


def test_a_recording_replayed_into_a_fresh_lab_makes_the_same_objects(recorded, tmp_path):
    fresh = Lab(LabOptions())
    try:
        url = fresh.start(tls_dir=tmp_path / "tls2").url
        run = acisim("record", "replay", "--from", str(recorded), "--apic-url", url, "--user", "admin",
                     "--password", "cisco123")
        s = session()
        assert login(s, url).status_code == 200
        got = classes_under(s, url, "uni/tn-rec")
        refused = acisim("record", "replay", "--from", str(recorded), "--apic-url", url, "--user", "admin",
                         "--password", "wrong")
    finally:
        fresh.stop()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "line 5: POST uni/tn-rec/BD-gone (fvBD): ok" in run.stdout
    assert "replayed 5 writes" in run.stdout and "5 ok, 0 refused" in run.stdout
    assert {dn: cls for dn, cls in got.items() if dn in EXPECTED} == EXPECTED
    assert "uni/tn-rec/BD-gone" not in got
    assert refused.returncode == 2 and "aaaLogin" in refused.stderr


def test_a_write_the_lab_refuses_on_replay_exits_1(recorded, tmp_path):
    """A recording edited so its BD's write carries a value no APIC takes: the tenant's write is ok, the BD's is
    refused with the APIC's text, and the exit status says so."""
    lines = recorded.read_text().splitlines()
    bad = json.loads(lines[2])
    bad["request_body"] = json.dumps({"fvBD": {"attributes": {"name": "b1", "arpFlood": "perhaps"}}})
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join([lines[0], lines[1], json.dumps(bad)]) + "\n")
    fresh = Lab(LabOptions())
    try:
        url = fresh.start(tls_dir=tmp_path / "tls2").url
        run = acisim("record", "replay", "--from", str(cut), "--apic-url", url, "--password", "cisco123")
    finally:
        fresh.stop()
    assert run.returncode == 1, run.stdout + run.stderr
    assert "line 2: POST uni/tn-rec (fvTenant): ok" in run.stdout
    assert "line 3: POST uni/tn-rec/BD-b1 (fvBD): refused (400: " in run.stdout
    assert "1 ok, 1 refused" in run.stdout


def test_the_proxy_answers_websockets_501_and_an_unreachable_upstream_502(tmp_path):
    out = tmp_path / "down.jsonl"
    proxy = Proxy("--upstream", f"http://127.0.0.1:{closed_port()}", "--listen", "0", "--out", str(out))
    try:
        s = session()
        down = s.get(f"{proxy.url}/api/class/fvTenant.json")
        ws = s.get(f"{proxy.url}/socketTOKEN", headers={"Upgrade": "websocket", "Connection": "Upgrade",
                                                         "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                                         "Sec-WebSocket-Version": "13"})
        status, printed = proxy.stop()
    finally:
        proxy.kill()
    assert down.status_code == 502
    assert "cannot be reached" in down.json()["imdata"][0]["error"]["attributes"]["text"]
    assert ws.status_code == 501 and "not proxied" in ws.json()["imdata"][0]["error"]["attributes"]["text"]
    assert status == 0 and "recorded 2 exchanges" in printed
    assert [json.loads(line)["status"] for line in out.read_text().splitlines()] == [502, 501]


def closed_port() -> int:
    """A port nothing listens on: bound, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("args, named", [
    (["--upstream", "ftp://x", "--listen", "0", "--out", "o.jsonl"], "--upstream"),
    (["--upstream", "http://127.0.0.1:1", "--listen", "host:port", "--out", "o.jsonl"], "--listen"),
    (["--upstream", "http://127.0.0.1:1", "--listen", "0", "--out", "/no/such/dir/o.jsonl"], "--out"),
])
def test_a_bad_proxy_option_is_one_line_naming_it_and_exit_2(args, named):
    run = acisim("record", "proxy", *args)
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1 and f"argument {named}" in run.stderr


def test_a_recording_that_is_not_one_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"method": "GET"}\n')
    run = acisim("record", "fixture", "--from", str(bad), "--out", str(tmp_path / "f.yaml"))
    assert run.returncode == 2 and "bad.jsonl:1: not an exchange" in run.stderr
    assert not (tmp_path / "f.yaml").exists()


def test_ovirtsdk4_through_the_proxy_lists_the_hosts_recorded_with_the_sso_password_redacted(tmp_path):
    lab = Lab(LabOptions())
    out = tmp_path / "rhv.jsonl"
    try:
        lab.start(tls_dir=tmp_path / "tls")
        rhv = lab.start_rhv(tls_dir=tmp_path / "tls")
        proxy = Proxy("--upstream", rhv.url, "--listen", "127.0.0.1:0", "--out", str(out), "--insecure",
                      "--tls-dir", str(tmp_path / "proxy-tls"))
        try:
            connection = sdk.Connection(url=f"{proxy.url}/ovirt-engine/api", username="admin@internal",
                                        password="redhat123", insecure=True)
            try:
                hosts = sorted(h.name for h in connection.system_service().hosts_service().list())
            finally:
                connection.close()
            status, printed = proxy.stop()
        finally:
            proxy.kill()
        connection = sdk.Connection(url=f"{rhv.url}/ovirt-engine/api", username="admin@internal",
                                    password="redhat123", insecure=True)
        try:
            direct = sorted(h.name for h in connection.system_service().hosts_service().list())
        finally:
            connection.close()
    finally:
        lab.stop()
    assert hosts and hosts == direct
    assert status == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    sso = next(x for x in lines if x["path"] == "/ovirt-engine/sso/oauth/token")
    assert "redhat123" not in out.read_text() and "password=%3Credacted%3E" in sso["request_body"]
    assert json.loads(sso["response_body"])["access_token"] == "<redacted>"
    listed = next(x for x in lines if x["path"] == "/ovirt-engine/api/hosts" and x["method"] == "GET")
    assert listed["status"] == 200 and listed["request_headers"]["Authorization"] == "Bearer <redacted>"
    assert all(f"<name>{name}</name>" in listed["response_body"] for name in hosts)


PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    aci: &aci
      host: 127.0.0.1
      port: "{{ proxy_port }}"
      validate_certs: false
      use_proxy: false
      username: admin
      password: cisco123
  tasks:
    - cisco.aci.aci_tenant: {<<: *aci, tenant: ans}
    - cisco.aci.aci_vrf: {<<: *aci, tenant: ans, vrf: v1}
    - cisco.aci.aci_bd: {<<: *aci, tenant: ans, bd: b1, vrf: v1}
    - cisco.aci.aci_ap: {<<: *aci, tenant: ans, ap: a1}
    - cisco.aci.aci_epg: {<<: *aci, tenant: ans, ap: a1, epg: e1, bd: b1}
"""


def test_a_cisco_aci_playbook_through_the_proxy_becomes_a_fixture_with_its_objects(lab, tmp_path):
    out = tmp_path / "ansible.jsonl"
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(PLAYBOOK)
    proxy = Proxy("--upstream", lab.apic_server.url, "--listen", "127.0.0.1:0", "--out", str(out), "--insecure",
                  "--tls-dir", str(tmp_path / "proxy-tls"))
    try:
        run = ansible_playbook(tmp_path, playbook, {"proxy_port": int(proxy.url.rsplit(":", 1)[1])}, timeout=300)
        status, _ = proxy.stop()
    finally:
        proxy.kill()
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert status == 0
    fixture = tmp_path / "ansible.yaml"
    made = acisim("record", "fixture", "--from", str(out), "--out", str(fixture))
    assert made.returncode == 0, made.stderr
    assert "cisco123" not in out.read_text()
    fresh = Lab(LabOptions(fixtures=[fixture]))
    try:
        url = fresh.start(tls_dir=tmp_path / "tls2").url
        s = session()
        assert login(s, url).status_code == 200
        got = classes_under(s, url, "uni/tn-ans")
    finally:
        fresh.stop()
    assert {dn: got.get(dn) for dn in ("uni/tn-ans/ctx-v1", "uni/tn-ans/BD-b1", "uni/tn-ans/ap-a1/epg-e1")} == {
        "uni/tn-ans/ctx-v1": "fvCtx", "uni/tn-ans/BD-b1": "fvBD", "uni/tn-ans/ap-a1/epg-e1": "fvAEPg"}
    assert got["uni/tn-ans/BD-b1/rsctx"] == "fvRsCtx"


def test_a_bracketed_dn_recorded_percent_encoded_is_replayed_to_the_same_object(lab, tmp_path):
    path = "topology/pod-1/paths-101/pathep-[eth1/1]"
    dn = f"uni/tn-rec/ap-a1/epg-e1/rspathAtt-[{path}]"
    out = tmp_path / "path.jsonl"
    proxy = Proxy("--upstream", lab.apic_server.url, "--listen", "127.0.0.1:0", "--out", str(out), "--insecure",
                  "--tls-dir", str(tmp_path / "proxy-tls"))
    try:
        s = session()
        assert login(s, proxy.url).status_code == 200
        for dn_, body in (("uni/tn-rec", TENANT), ("uni/tn-rec", EPG)):
            assert s.post(f"{proxy.url}/api/mo/{dn_}.json", json=body).status_code == 200
        encoded = dn.replace("[", "%5B").replace("]", "%5D")
        r = s.post(f"{proxy.url}/api/mo/{encoded}.json",
                   json={"fvRsPathAtt": {"attributes": {"tDn": path, "encap": "vlan-120"}}})
        assert r.status_code == 200, r.text
        proxy.stop()
    finally:
        proxy.kill()
    assert json.loads(out.read_text().splitlines()[-1])["path"] == f"/api/mo/{encoded}.json"
    fresh = Lab(LabOptions())
    try:
        url = fresh.start(tls_dir=tmp_path / "tls2").url
        run = acisim("record", "replay", "--from", str(out), "--apic-url", url)
        made = dn in fresh.apic.store
    finally:
        fresh.stop()
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"POST {dn} (fvRsPathAtt): ok" in run.stdout and made


@pytest.mark.parametrize("path, body, secret", [
    ("/api/aaaLogin.json", '{"aaaUser": {"attributes": {"name": "admin", "pwd": "s3\\"cret"}}}', 's3\\"cret'),
    ("/api/aaaLogin.xml", "<aaaUser name='admin' pwd='s3cret'/>", "s3cret"),
    ("/ovirt-engine/sso/oauth/token", "grant_type=password&scope=ovirt-app-api&username=admin%40internal"
                                      "&password=s3cret", "s3cret"),
])
def test_login_passwords_are_redacted_in_json_xml_and_sso_forms(path, body, secret):
    redacted = traffic.redact_request(path, body)
    assert secret not in redacted and "redacted" in redacted
    assert ("admin" in redacted) and traffic.redact_request("/api/mo/uni.json", body) == body


def test_cookie_and_authorization_values_are_redacted_but_their_names_kept():
    headers = traffic.redact_headers([("Cookie", "APIC-cookie=abc; APIC-Request-Signature=xyz"),
                                      ("Authorization", "Bearer tok"), ("Accept", "application/json")])
    assert headers == {"Cookie": "APIC-cookie=<redacted>; APIC-Request-Signature=<redacted>",
                       "Authorization": "Bearer <redacted>", "Accept": "application/json"}


def test_a_location_naming_the_upstream_comes_back_naming_the_proxy(tmp_path):
    lab = Lab(LabOptions())
    try:
        lab.start(tls_dir=tmp_path / "tls")
        rhv = lab.start_rhv(tls_dir=tmp_path / "tls")
        proxy = Proxy("--upstream", rhv.url, "--listen", "127.0.0.1:0", "--out", str(tmp_path / "r.jsonl"),
                      "--insecure", "--tls-dir", str(tmp_path / "proxy-tls"))
        try:
            s = session()
            token = s.post(f"{proxy.url}/ovirt-engine/sso/oauth/token", headers={"Accept": "application/json"},
                           data={"grant_type": "password", "scope": "ovirt-app-api", "username": "admin@internal",
                                 "password": "redhat123"}).json()["access_token"]
            s.headers.update({"Authorization": f"Bearer {token}", "Version": "4", "Accept": "application/json"})
            dc = s.get(f"{proxy.url}/ovirt-engine/api/datacenters").json()["data_center"][0]["id"]
            added = s.post(f"{proxy.url}/ovirt-engine/api/networks", headers={"Content-Type": "application/xml"},
                           data=f'<network><name>db</name><data_center id="{dc}"/></network>')
            proxy.stop()
        finally:
            proxy.kill()
    finally:
        lab.stop()
    assert added.status_code == 201, added.text
    assert added.headers["Location"].startswith(f"{proxy.url}/ovirt-engine/api/networks/")


def test_only_acknowledged_mo_writes_are_replayed_node_mo_included():
    def ex(line, method, path, status=200, body=""):
        return {"line": line, "method": method, "path": path, "status": status, "request_body": body}

    tenant = json.dumps({"fvTenant": {"attributes": {"name": "t"}}})
    got = replay.writes([ex(1, "POST", "/api/aaaLogin.json", body="{}"), ex(2, "POST", "/api/node/mo/uni/tn-t.json",
                         body=tenant), ex(3, "POST", "/api/mo/uni/tn-u.json", 400, tenant),
                         ex(4, "GET", "/api/mo/uni/tn-t.json"), ex(5, "DELETE", "/api/mo/uni/tn-t.xml"),
                         ex(6, "POST", "/api/class/fvTenant.json", body=tenant)])
    assert [(w.line, w.method, w.dn) for w in got] == [(2, "POST", "uni/tn-t"), (5, "DELETE", "uni/tn-t")]
    entries, unknown = replay.fixture_entries(got)
    assert entries == [{"dn": "uni/tn-t", "body": {"fvTenant": {"attributes": {"status": "deleted"}}}}]
    assert unknown == []
