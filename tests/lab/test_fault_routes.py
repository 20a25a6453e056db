"""Fault rules through /_sim/faults on a served lab, each seen by a real client in the system's own error shape:
requests for the APIC (JSON and XML envelopes, token timeout, a dropped connection, the event socket),
ovirtsdk4 for the RHV Manager (its <fault>, a failed migrate action, a host down, the APIC's controller
offline), kubectl and requests for the Kubernetes API (a metav1 Status). Removing a rule restores normal answers."""

from __future__ import annotations

import json
import subprocess
import time

import ovirtsdk4 as sdk
import pytest
import requests
import websocket
from vmm_lab import DOMAIN, START, advance, controller, domain

from simulator.clock import ManualClock
from simulator.lab import Lab, LabOptions

LOGIN = {"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = Lab(LabOptions(admin_password="secret"), clock=ManualClock(START))
    lab.start(tls=False)
    lab.start_rhv(tls=False)
    lab.start_k8s(tls_dir=tmp_path_factory.mktemp("tls"))
    lab.kubeconfig = lab.write_kubeconfig(tmp_path_factory.mktemp("kube") / "kubeconfig")
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture
def admin(lab):
    """The lab admin's /_sim session (HTTP Basic) and an APIC REST session logged in; every rule is removed after."""
    s = requests.Session()
    s.trust_env = False
    s.auth = ("admin", "secret")
    assert s.post(f"{lab.apic_server.url}/api/aaaLogin.json", json=LOGIN).status_code == 200
    yield s
    r = s.delete(f"{lab.apic_server.url}/_sim/faults")
    assert r.status_code == 200, r.text


def add(s, lab, rule: dict, status: int = 201) -> dict:
    r = s.post(f"{lab.apic_server.url}/_sim/faults", json=rule)
    assert r.status_code == status, r.text
    return r.json()


def listed(s, lab) -> list[dict]:
    r = s.get(f"{lab.apic_server.url}/_sim/faults")
    assert r.status_code == 200, r.text
    return r.json()["faults"]


def ovirt(lab) -> sdk.Connection:
    return sdk.Connection(url=f"{lab.rhv_server.url}/ovirt-engine/api", username="admin@internal",
                          password="redhat123", insecure=True)


# --- the control API itself ------------------------------------------------------------------------------------
def test_only_the_lab_admin_may_list_add_or_remove_rules(lab, admin):
    url = f"{lab.apic_server.url}/_sim/faults"
    stranger = requests.Session()
    stranger.trust_env = False
    for method in ("GET", "POST", "DELETE"):
        r = stranger.request(method, url, json={"kind": "drop"} if method == "POST" else None)
        assert r.status_code == 401 and "admin credentials" in r.json()["error"]
    viewer = {"aaaUser": {"attributes": {"name": "trainee", "pwd": "trainee1"}, "children": [
        {"aaaUserDomain": {"attributes": {"name": "all"}, "children": [
            {"aaaUserRole": {"attributes": {"name": "read-all", "privType": "readPriv"}}}]}}]}}
    assert admin.post(f"{lab.apic_server.url}/api/mo/uni/userext/user-trainee.json", json=viewer).status_code == 200
    r = requests.post(url, json={"kind": "drop"}, auth=("trainee", "trainee1"))
    assert r.status_code == 403 and "not an admin" in r.json()["error"]
    assert listed(admin, lab) == []


def test_a_bad_rule_is_a_400_naming_the_key_and_nothing_is_added(lab, admin):
    r = admin.post(f"{lab.apic_server.url}/_sim/faults", json={"kind": "error", "rate": 1.5})
    assert r.status_code == 400 and r.json() == {"error": "fault rule: rate must be a number from 0 to 1, not 1.5"}
    r = admin.post(f"{lab.apic_server.url}/_sim/faults", json={"kind": "host-down", "host": "nosuch"})
    assert r.status_code == 400 and "no host named 'nosuch'" in r.json()["error"]
    r = admin.post(f"{lab.apic_server.url}/_sim/faults", json={"kind": "leaf-down", "node": 1})
    assert r.status_code == 400 and "is an APIC, not a switch" in r.json()["error"]
    assert admin.post(f"{lab.apic_server.url}/_sim/faults", json={}).status_code == 400
    assert listed(admin, lab) == []


def test_rules_are_listed_by_id_and_removed_one_by_one_or_all(lab, admin):
    first = add(admin, lab, {"kind": "latency", "ms": 1, "path": "/api/mo/*"})
    second = add(admin, lab, {"kind": "error", "system": "k8s", "status": 503, "id": "k8s-down"})
    assert (first["id"], second["id"]) == ("f" + first["id"][1:], "k8s-down")
    assert [r["id"] for r in listed(admin, lab)] == [first["id"], "k8s-down"]
    r = admin.delete(f"{lab.apic_server.url}/_sim/faults/{first['id']}")
    assert r.status_code == 200 and r.json()["removed"]["id"] == first["id"]
    r = admin.delete(f"{lab.apic_server.url}/_sim/faults/{first['id']}")
    assert r.status_code == 404 and "no fault rule" in r.json()["error"]
    assert add(admin, lab, {"kind": "drop", "id": "k8s-down"}, 400)["error"].endswith("is taken by another rule")
    r = admin.delete(f"{lab.apic_server.url}/_sim/faults")
    assert [x["id"] for x in r.json()["removed"]] == ["k8s-down"] and listed(admin, lab) == []


def test_a_rule_on_every_apic_request_leaves_the_control_api_alone(lab, admin):
    add(admin, lab, {"kind": "drop"})
    with pytest.raises(requests.ConnectionError):
        admin.get(f"{lab.apic_server.url}/api/mo/uni.json")
    assert [r["kind"] for r in listed(admin, lab)] == ["drop"]
    assert admin.delete(f"{lab.apic_server.url}/_sim/faults").status_code == 200
    assert admin.get(f"{lab.apic_server.url}/api/mo/uni.json").status_code == 200


# --- APIC ----------------------------------------------------------------------------------------------------
def test_an_apic_error_is_the_envelope_in_the_requests_format_and_expires_after_its_count(lab, admin):
    url = lab.apic_server.url
    add(admin, lab, {"kind": "error", "method": "GET", "class": "fvTenant", "status": 503, "count": 2,
                     "text": "the DME is busy"})
    r = admin.get(f"{url}/api/class/fvTenant.json")
    assert r.status_code == 503
    assert r.json() == {"totalCount": "1", "imdata": [{"error": {"attributes": {"code": "503",
                                                                                "text": "the DME is busy"}}}]}
    # the headers every APIC answer carries, as the REST layer's own refusals have them
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN" and r.headers["Client-Cert-Enabled"] == "false"
    assert admin.get(f"{url}/api/mo/uni.json").status_code == 200  # another class
    r = admin.get(f"{url}/api/mo/uni/tn-common.xml")  # the class of the DN an /api/mo path names
    assert r.status_code == 503 and r.headers["Content-Type"].startswith("application/xml")
    assert '<error code="503" text="the DME is busy"/>' in r.text
    assert listed(admin, lab) == []  # its count ran out
    assert admin.get(f"{url}/api/class/fvTenant.json").status_code == 200


def test_a_seeded_error_rate_gives_the_same_answers_to_the_same_requests(lab, admin):
    def statuses():
        add(admin, lab, {"kind": "error", "rate": 0.5, "seed": 42, "path": "/api/class/*"})
        seen = [admin.get(f"{lab.apic_server.url}/api/class/fvTenant.json").status_code for _ in range(16)]
        admin.delete(f"{lab.apic_server.url}/_sim/faults")
        return seen

    first = statuses()
    assert first == statuses()
    assert set(first) == {200, 500}


def test_a_dropped_apic_connection_gets_no_answer_and_removal_restores_it(lab, admin):
    rule = add(admin, lab, {"kind": "drop", "path": "/api/mo/uni/tn-*"})
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get(f"{lab.apic_server.url}/api/mo/uni/tn-common.json", cookies=admin.cookies)
    assert "without response" in str(caught.value) or "aborted" in str(caught.value).lower()
    assert admin.get(f"{lab.apic_server.url}/api/mo/uni.json").status_code == 200  # out of scope: answered
    assert listed(admin, lab)[0]["acted"] == 1
    admin.delete(f"{lab.apic_server.url}/_sim/faults/{rule['id']}")
    assert admin.get(f"{lab.apic_server.url}/api/mo/uni/tn-common.json").status_code == 200


def test_latency_holds_the_answer_for_the_recorded_delay(lab, admin):
    add(admin, lab, {"kind": "latency", "ms": 30, "jitter": 10, "seed": 5, "path": "/api/mo/uni.json"})
    started = time.monotonic()
    assert admin.get(f"{lab.apic_server.url}/api/mo/uni.json").status_code == 200
    waited = time.monotonic() - started
    (rule,) = listed(admin, lab)
    assert rule["acted"] == 1 and 20 <= rule["last_delay_ms"] <= 40
    assert waited >= rule["last_delay_ms"] / 1000


def test_token_expiry_ends_every_apic_session_now(lab, admin):
    done = add(admin, lab, {"kind": "token-expiry"})
    assert done["effect"]["sessions_ended"] >= 1
    r = requests.get(f"{lab.apic_server.url}/api/mo/uni.json", cookies=admin.cookies)
    assert r.status_code == 403
    assert r.json()["imdata"][0]["error"]["attributes"]["text"] == "Token was invalid (Error: Token timeout)"
    assert listed(admin, lab) == []  # acted once, not kept


def test_websocket_drop_closes_the_open_event_sockets(lab, admin):
    r = admin.post(f"{lab.apic_server.url}/api/aaaLogin.json", json=LOGIN)
    token = r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]
    ws = websocket.create_connection(lab.apic_server.url.replace("http://", "ws://") + "/socket" + token, timeout=10)
    try:
        assert add(admin, lab, {"kind": "websocket-drop"})["effect"] == {"sockets_closed": 1}
        frame = ws.recv_data_frame(True)[1]
        assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
        assert int.from_bytes(frame.data[:2], "big") == 1001
    finally:
        ws.close()
    assert admin.get(f"{lab.apic_server.url}/api/mo/uni.json").status_code == 200  # the session lives on


def test_a_leaf_down_shows_inactive_with_its_fault_until_removed(lab, admin):
    url = lab.apic_server.url
    rule = add(admin, lab, {"kind": "leaf-down", "node": 102})
    attrs = admin.get(f"{url}/api/mo/topology/pod-1/node-102.json").json()["imdata"][0]["fabricNode"]["attributes"]
    assert attrs["fabricSt"] == "inactive"
    system = admin.get(f"{url}/api/mo/topology/pod-1/node-102/sys.json").json()["imdata"][0]["topSystem"]
    assert system["attributes"]["state"] == "out-of-service"
    (fault,) = admin.get(f"{url}/api/class/faultInst.json", params={
        "query-target-filter": 'eq(faultInst.code,"F0110")'}).json()["imdata"]
    assert fault["faultInst"]["attributes"]["dn"] == "topology/pod-1/node-102/fault-F0110"
    assert fault["faultInst"]["attributes"]["severity"] == "critical"
    admin.delete(f"{url}/_sim/faults/{rule['id']}")
    attrs = admin.get(f"{url}/api/mo/topology/pod-1/node-102.json").json()["imdata"][0]["fabricNode"]["attributes"]
    assert attrs["fabricSt"] == "active"
    assert admin.get(f"{url}/api/mo/topology/pod-1/node-102/fault-F0110.json").json()["totalCount"] == "0"


# --- RHV ------------------------------------------------------------------------------------------------------
def test_an_rhv_error_is_the_engines_fault_as_ovirtsdk4_reports_it(lab, admin):
    add(admin, lab, {"kind": "error", "system": "rhv", "method": "GET", "path": "/ovirt-engine/api/clusters*",
                     "status": 503, "text": "Backend is busy"})
    connection = ovirt(lab)
    try:
        with pytest.raises(sdk.Error) as caught:
            connection.system_service().clusters_service().list()
        assert 'Fault reason is "Operation Failed". Fault detail is "Backend is busy"' in str(caught.value)
        assert caught.value.code == 503
        assert connection.system_service().hosts_service().list()  # another collection answers
        admin.delete(f"{lab.apic_server.url}/_sim/faults")
        assert connection.system_service().clusters_service().list()
    finally:
        connection.close()


def test_an_rhv_drop_is_an_empty_reply_to_ovirtsdk4_and_json_clients_get_the_fault_in_json(lab, admin):
    add(admin, lab, {"kind": "drop", "system": "rhv", "path": "/ovirt-engine/api/hosts*", "count": 1})
    connection = ovirt(lab)
    try:
        with pytest.raises(sdk.Error, match="Empty reply from server"):
            connection.system_service().hosts_service().list()
        assert connection.system_service().hosts_service().list()  # its count ran out
    finally:
        connection.close()
    add(admin, lab, {"kind": "error", "system": "rhv", "path": "/ovirt-engine/api/networks", "status": 500})
    s = requests.Session()
    s.trust_env = False
    token = s.post(f"{lab.rhv_server.url}/ovirt-engine/sso/oauth/token", data={
        "grant_type": "password", "scope": "ovirt-app-api", "username": "admin@internal",
        "password": "redhat123"}).json()["access_token"]
    r = s.get(f"{lab.rhv_server.url}/ovirt-engine/api/networks",
              headers={"Authorization": f"Bearer {token}", "Accept": "application/json", "Version": "4"})
    assert r.status_code == 500 and r.headers["Content-Type"] == "application/json"
    assert r.json() == {"reason": "Operation Failed", "detail": "Internal Server Error"}
    add(admin, lab, {"kind": "error", "system": "rhv", "path": "/ovirt-engine/sso/*", "status": 503, "count": 1})
    refused, again = ovirt(lab), ovirt(lab)
    try:
        with pytest.raises(sdk.Error, match="Service Unavailable"):
            refused.system_service().get()  # the SDK logs in first: its SSO request gets the OAuth error
        assert again.system_service().get().product_info is not None
    finally:
        refused.close()
        again.close()


def test_an_rhv_action_scope_fails_only_that_action(lab, admin):
    add(admin, lab, {"kind": "error", "system": "rhv", "action": "migrate", "status": 409, "count": 1,
                     "text": "Cannot migrate VM. Migration is not possible right now."})
    connection = ovirt(lab)
    try:
        vms = connection.system_service().vms_service()
        (vm,) = vms.list(search="name=vm1")
        with pytest.raises(sdk.Error) as caught:
            vms.vm_service(vm.id).migrate()
        assert caught.value.code == 409 and "Migration is not possible right now" in str(caught.value)
        assert vms.vm_service(vm.id).get().status == sdk.types.VmStatus.UP  # reads are not touched
    finally:
        connection.close()


def test_a_host_down_is_non_responsive_with_its_event_and_comes_back_up(lab, admin):
    rule = add(admin, lab, {"kind": "host-down", "host": "host2"})
    assert rule["effect"] == {"host": "host2", "status": "non_responsive", "was": "up"}
    connection = ovirt(lab)
    try:
        hosts = connection.system_service().hosts_service()
        (host,) = hosts.list(search="name=host2")
        assert host.status == sdk.types.HostStatus.NON_RESPONSIVE
        events = connection.system_service().events_service().list(max=5)
        assert any(e.code == 12 and e.description == "Host host2 is non responsive." for e in events)
        admin.delete(f"{lab.apic_server.url}/_sim/faults/{rule['id']}")
        assert hosts.host_service(host.id).get().status == sdk.types.HostStatus.UP
        assert connection.system_service().events_service().list(max=1)[0].code == 13
    finally:
        connection.close()


def test_the_apics_redhat_controller_goes_offline_with_f0130_while_rhv_is_unreachable(lab, admin):
    url = lab.apic_server.url
    domain(admin, url, lab.rhv_server)
    try:
        advance(admin, url, 1)
        assert controller(admin, url)["attributes"]["operSt"] == "online"
        rule = add(admin, lab, {"kind": "rhv-unreachable", "controller": "engine"})
        assert rule["effect"] == {"controllers": [f"{DOMAIN}/ctrlr-engine"]}
        ctrlr = controller(admin, url, **{"rsp-subtree-include": "faults"})
        assert ctrlr["attributes"]["operSt"] == "offline"
        (fault,) = [c["faultInst"]["attributes"] for c in ctrlr["children"]]
        assert fault["code"] == "F0130" and "Connection refused" in fault["descr"]
        admin.delete(f"{url}/_sim/faults/{rule['id']}")
        assert controller(admin, url)["attributes"]["operSt"] == "online"
        assert "children" not in controller(admin, url, **{"rsp-subtree-include": "faults"})
    finally:
        assert admin.delete(f"{url}/api/mo/{DOMAIN}.json").status_code == 200


# --- Kubernetes -------------------------------------------------------------------------------------------
def test_a_kubernetes_error_is_a_status_kubectl_reports(lab, admin):
    add(admin, lab, {"kind": "error", "system": "k8s", "path": "/api/v1/namespaces*", "status": 503})
    env = {"KUBECONFIG": str(lab.kubeconfig), "PATH": "/usr/bin:/bin", "HOME": str(lab.kubeconfig.parent)}
    run = subprocess.run(["kubectl", "get", "namespaces", "-o", "json"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode != 0
    assert "the server is currently unable to handle the request" in run.stderr
    r = requests.get(f"{lab.k8s_server.url}/api/v1/namespaces", verify=False,
                     headers={"Authorization": f"Bearer {lab.k8s.token}"})
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"
    assert r.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": "the server is currently unable to handle the request",
                        "reason": "ServiceUnavailable", "code": 503}
    admin.delete(f"{lab.apic_server.url}/_sim/faults")
    run = subprocess.run(["kubectl", "get", "namespaces", "-o", "json"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert "default" in {item["metadata"]["name"] for item in json.loads(run.stdout)["items"]}


def test_a_reset_removes_every_rule(lab, admin):
    add(admin, lab, {"kind": "error", "system": "k8s"})
    add(admin, lab, {"kind": "leaf-down", "node": 101})
    assert admin.post(f"{lab.apic_server.url}/_sim/reset").status_code == 200
    assert listed(admin, lab) == []
    assert admin.post(f"{lab.apic_server.url}/api/aaaLogin.json", json=LOGIN).status_code == 200  # reset ended it
    node = admin.get(f"{lab.apic_server.url}/api/mo/topology/pod-1/node-101.json").json()["imdata"][0]
    assert node["fabricNode"]["attributes"]["fabricSt"] == "active"
    assert admin.get(f"{lab.k8s_server.url}/version", verify=False).status_code == 200
