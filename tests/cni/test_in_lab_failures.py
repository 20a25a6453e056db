"""A controller Pod whose emulator cannot start shows why where an operator looks: the Pod in
CrashLoopBackOff with its last run's error, Warning Events in words (kubectl get events, kubectl describe
pod), restarts on kubelet's backoff as the lab's clock moves; nothing is written to the APIC; once the
cause is fixed (the key restored, the BD back in its VRF) the next restart succeeds."""

from __future__ import annotations

import base64
import json

import pytest
import requests
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from simulator.cni.config import from_manifest
from simulator.cni.in_lab import LabCni

SYSTEM = "aci-containers-system"
CONTAINER = "aci-containers-controller"


@pytest.fixture(scope="module")
def lab(vrf_associated):
    """The manifest applied with another key in the Secret, on a frozen lab clock (restarts come only
    when a test moves it)."""
    vrf_associated.config, _ = from_manifest(vrf_associated.manifest)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    documents = yaml.safe_load_all((vrf_associated.workdir / "aci-containers.yaml").read_text())
    wrong = [d for d in documents if d]
    for doc in wrong:
        if doc["kind"] == "Secret" and doc["metadata"]["name"] == "aci-user-cert":
            doc["data"]["user.key"] = base64.b64encode(other).decode()
    (vrf_associated.workdir / "wrong-key.yaml").write_text(yaml.safe_dump_all(wrong))
    assert sim(vrf_associated, "freeze", frozen=True)["frozen"] is True
    cni = LabCni.attach(vrf_associated.lab)
    vrf_associated.cni = cni
    vrf_associated.start = vrf_associated.mark()
    yield vrf_associated
    cni.stop()
    sim(vrf_associated, "freeze", frozen=False)


def sim(lab, what: str, **body) -> dict:
    admin = (lab.lab.options.admin_user, lab.lab.options.admin_password)  # /_sim is the lab admin's
    r = requests.post(f"{lab.url}/_sim/clock/{what}", json=body, auth=admin,
                      verify=str(lab.workdir / "tls" / "acisim.crt"), timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def admin_post(lab, dn: str, body: dict) -> None:
    """A POST as the APIC's admin (the session `lab.read` signed in)."""
    lab.read("uni")
    r = lab._admin.post(f"{lab.url}/api/mo/{dn}.json", json=body)
    assert r.status_code == 200, r.text


def writes(lab) -> list[tuple[str, str]]:
    """The objects written to the APIC since the module's start (not the test's own admin login, nor the /_sim
    calls that move the clock)."""
    return [(m, p) for m, p in lab.since(lab.start) if m != "GET" and p.startswith(("/api/mo/", "/api/node/mo/"))]


def controller(lab) -> tuple[dict, dict]:
    """The controller Pod and its container's status, as kubectl reads them."""
    pods = json.loads(lab.kubectl("get", "pods", "-n", SYSTEM, "-o", "json").stdout)["items"]
    [pod] = [p for p in pods if p["metadata"]["name"].startswith(f"{CONTAINER}-")]
    [status] = [c for c in pod["status"]["containerStatuses"] if c["name"] == CONTAINER]
    return pod, status


def events(lab, pod: dict) -> list[tuple[str, str, str]]:
    """(type, reason, message) of the Pod's events, as `kubectl get events` lists them."""
    listed = json.loads(lab.kubectl("get", "events", "-n", SYSTEM, "-o", "json",
                                    f"--field-selector=involvedObject.name={pod['metadata']['name']}").stdout)
    return [(e["type"], e["reason"], e["message"]) for e in listed["items"]]


def test_a_wrong_key_is_a_crash_loop_with_the_403_in_words_and_nothing_written(lab):
    lab.kubectl("apply", "-f", str(lab.workdir / "wrong-key.yaml"))
    assert lab.cni.settle()
    pod, status = controller(lab)
    assert status["ready"] is False and status["restartCount"] == 0
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["state"]["waiting"]["message"].startswith(f"back-off 10s restarting failed container={CONTAINER}")
    terminated = status["lastState"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (1, "Error")
    assert terminated["message"].startswith("APIC GET /api/webtokenSession.json: 403"), terminated
    seen = events(lab, pod)
    assert ("Warning", "Failed", terminated["message"]) in seen
    assert ("Warning", "BackOff", f"Back-off restarting failed container {CONTAINER} in pod "
            f"{pod['metadata']['name']}_{SYSTEM}({pod['metadata']['uid']})") in seen
    rows = [line.split() for line in lab.kubectl("get", "pods", "-n", SYSTEM).stdout.splitlines()]
    assert [row[1:3] for row in rows if row[0] == pod["metadata"]["name"]] == [["0/1", "CrashLoopBackOff"]]
    described = lab.kubectl("describe", "pod", "-n", SYSTEM, pod["metadata"]["name"]).stdout
    assert "CrashLoopBackOff" in described and "403" in described, described
    assert writes(lab) == []
    assert lab.read(f"{lab.config.injcont}/host-[k8s-node1]") is None
    [report] = lab.cni.status()
    assert report["state"] == "crashloop" and "403" in report["lastError"]


def test_the_restart_comes_after_the_backoff_on_the_lab_clock_and_doubles_it(lab):
    sim(lab, "advance", seconds=9)
    assert lab.cni.settle()
    assert controller(lab)[1]["restartCount"] == 0
    sim(lab, "advance", seconds=1)
    assert lab.cni.settle()
    pod, status = controller(lab)
    assert status["restartCount"] == 1
    assert status["state"]["waiting"]["message"].startswith("back-off 20s restarting failed container=")
    assert [r for _, r, _ in events(lab, pod)].count("BackOff") == 2
    assert writes(lab) == []


def test_with_the_key_restored_the_next_restart_succeeds(lab):
    lab.kubectl("apply", "-f", str(lab.workdir / "aci-containers.yaml"))
    sim(lab, "advance", seconds=20)
    assert lab.cni.settle()
    _, status = controller(lab)
    assert status["ready"] is True and "running" in status["state"] and status["restartCount"] == 2
    assert status["lastState"]["terminated"]["reason"] == "Error"
    assert lab.read(f"{lab.config.injcont}/host-[k8s-node1]") is not None
    assert [r["state"] for r in lab.cni.status()] == ["running"]


def test_a_bd_out_of_its_vrf_stops_the_next_controller_pod_with_the_vrf_check_in_words(lab):
    bd = lab.config.pod_bd_dn
    admin_post(lab, f"{bd}/rsctx", {"fvRsCtx": {"attributes": {"tnFvCtxName": "other"}}})
    pod, _ = controller(lab)
    lab.kubectl("delete", "pod", "-n", SYSTEM, pod["metadata"]["name"])
    assert lab.cni.settle()
    pod, status = controller(lab)
    message = status["lastState"]["terminated"]["message"]
    assert message == (f"APIC GET {lab.config.vrf_dn}: 0 VRF {lab.config.vrf_dn} is not associated with {bd}: "
                       "was acc-provision run, and are the BDs in this VRF?"), message
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert ("Warning", "Failed", message) in events(lab, pod)

    admin_post(lab, f"{bd}/rsctx", {"fvRsCtx": {"attributes": {"tnFvCtxName": lab.config.vrf}}})
    sim(lab, "advance", seconds=10)
    assert lab.cni.settle()
    _, status = controller(lab)
    assert status["ready"] is True and status["restartCount"] == 1


def test_an_error_after_a_good_start_is_an_event_and_the_controller_goes_on(lab):
    cert = lab.config.cert_dn
    data = lab.read(cert)["data"]
    lab.admin_delete(cert)
    lab.kubectl("create", "namespace", "late")
    assert lab.cni.settle()
    pod, status = controller(lab)
    assert status["ready"] is True
    failed = [m for kind, reason, m in events(lab, pod) if (kind, reason) == ("Warning", "SyncFailed")]
    assert failed and failed[-1].startswith("APIC GET ") and " 403 " in failed[-1], failed
    assert lab.read(f"{lab.config.injcont}/ns-[late]") is None
    [report] = lab.cni.status()
    assert report["state"] == "running" and report["lastError"] == failed[-1]

    admin_post(lab, cert, {"aaaUserCert": {"attributes": {"data": data}}})
    lab.kubectl("create", "namespace", "later")
    assert lab.cni.settle()
    assert lab.read(f"{lab.config.injcont}/ns-[late]") is not None
    assert lab.read(f"{lab.config.injcont}/ns-[later]") is not None
