"""The controller emulator against the lab's Kubernetes API after the real kubectl applied the manifest
the real acc-provision wrote: `acisim cni controller --once` as an operator runs it, and the run loop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from simulator.cni.config import from_manifest
from simulator.cni.controller import Controller
from simulator.cni.kube import KubeClient, KubeView
from simulator.cni.runner import Runner


@pytest.fixture(scope="module")
def applied(vrf_associated):
    """The manifest applied with kubectl: the cluster holds the controller's Deployment and its pod."""
    vrf_associated.kubectl("apply", "-f", str(vrf_associated.workdir / "aci-containers.yaml"))
    vrf_associated.config, vrf_associated.key = from_manifest(vrf_associated.manifest)
    return vrf_associated


def acisim(lab, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", "cni", "controller", f"--kubeconfig={lab.kubeconfig}",
                           *args], capture_output=True, text=True, timeout=300, check=False)


def once(lab) -> subprocess.CompletedProcess:
    run = acisim(lab, f"--manifest={lab.workdir / 'aci-containers.yaml'}", "--once")
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def names(lab, *args: str) -> list[str]:
    return [o["metadata"]["name"] for o in json.loads(lab.kubectl("get", *args, "-o", "json").stdout)["items"]]


def test_once_fills_the_domain_with_the_clusters_nodes_namespaces_and_pods(applied):
    run = once(applied)
    inj = applied.config.injcont
    assert f"posted  {inj}/host-[k8s-node1]" in run.stdout.splitlines()
    for node in names(applied, "nodes"):
        host = applied.read(f"{inj}/host-[{node}]")
        assert host is not None and host["annotation"] == "orchestrator:aci-containers-controller", node
    assert {"k8s-node1", "k8s-node2"} <= set(names(applied, "nodes"))
    namespaces = names(applied, "namespaces")
    assert {"aci-containers-system", "default", "kube-system"} <= set(namespaces)
    for ns in namespaces:
        assert applied.read(f"{inj}/ns-[{ns}]") is not None, ns
    pods = json.loads(applied.kubectl("get", "pods", "-n", "aci-containers-system", "-o", "json").stdout)["items"]
    controller_pods = [p for p in pods if p["metadata"]["name"].startswith("aci-containers-controller-")]
    assert controller_pods
    for pod in controller_pods:
        grp = applied.read(f"{inj}/ns-[aci-containers-system]/grp-[{pod['metadata']['name']}]")
        assert grp is not None and grp["computeNodeName"] == pod["spec"]["nodeName"]
    assert applied.read(f"{inj}/ns-[aci-containers-system]/depl-[aci-containers-controller]") is not None


def test_a_namespace_created_with_kubectl_appears_on_the_next_once_and_a_third_writes_nothing(applied):
    applied.kubectl("create", "namespace", "shop")
    run = once(applied)
    inj = applied.config.injcont
    assert f"posted  {inj}/ns-[shop]" in run.stdout.splitlines()
    assert applied.read(f"{inj}/ns-[shop]")["name"] == "shop"
    mark = applied.mark()
    assert once(applied).stdout.splitlines()[-1] == "synced: 0 posted, 0 deleted"
    assert [m for m, _ in applied.since(mark) if m != "GET"] == []


def test_the_run_loop_follows_namespaces_through_its_watch_and_restores_what_is_deleted(applied):
    inj = applied.config.injcont
    ns = f"{inj}/ns-[watched]"
    runner = Runner(Controller(applied.config, applied.key), KubeView(KubeClient.from_kubeconfig(applied.kubeconfig)),
                    debounce=0)
    errors: list[Exception] = []
    runner.on_error = errors.append
    runner.start()
    try:
        applied.kubectl("create", "namespace", "watched")
        assert runner.wait_until(lambda: any(ns in r.posted for r in runner.results))
        assert applied.read(ns)["name"] == "watched"
        applied.kubectl("delete", "namespace", "watched")
        assert runner.wait_until(lambda: any(ns in r.deleted for r in runner.results))
        assert applied.read(ns) is None

        host = f"{inj}/host-[k8s-node2]"
        applied.admin_delete(host)
        assert runner.wait_until(lambda: host in runner.restored)
        assert applied.read(host)["name"] == "k8s-node2"
    finally:
        runner.stop()
    assert errors == []
    assert [t.name for t in threading.enumerate() if t.name.startswith("cni-")] == []


def test_a_wrong_key_exits_1_with_the_apics_403_and_writes_nothing(applied):
    config_file = applied.workdir / "controller-config.json"
    config_file.write_text(json.dumps(applied.config.raw))
    other = applied.workdir / "other.key"
    other.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    mark = applied.mark()
    run = acisim(applied, f"--config={config_file}", f"--key={other}", "--once")
    assert run.returncode == 1
    assert len(run.stderr.splitlines()) == 1 and "403" in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.startswith("acisim cni: error: APIC GET /api/webtokenSession.json: 403")
    assert [m for m, _ in applied.since(mark)] == ["GET"]


def test_an_unreadable_kubeconfig_is_one_line_naming_the_option_and_exit_2(applied, tmp_path):
    run = subprocess.run([sys.executable, "-m", "simulator", "cni", "controller", f"--kubeconfig={tmp_path / 'none'}",
                          f"--manifest={applied.workdir / 'aci-containers.yaml'}", "--once"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 2
    assert run.stderr == (f"acisim cni: error: argument --kubeconfig: cannot read kubeconfig {tmp_path / 'none'}: "
                          "No such file or directory\n")


def test_without_once_it_runs_until_ctrl_c(applied):
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "cni", "controller", f"--kubeconfig={applied.kubeconfig}",
                             f"--manifest={applied.workdir / 'aci-containers.yaml'}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or lines[-1] != "Ctrl-C stops":
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(line.rstrip("\n"))
        assert lines[-2].startswith("synced: ")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (proc.returncode, out, err) == (0, "stopped\n", "")


def test_after_a_restore_of_the_api_server_the_watches_list_again_and_the_view_follows(applied):
    """A restored etcd marks old resourceVersions compacted: a resumed watch is Gone (410), the view lists again."""
    inj = applied.config.injcont
    runner = Runner(Controller(applied.config, applied.key), KubeView(KubeClient.from_kubeconfig(applied.kubeconfig)),
                    debounce=0)
    runner.start()
    try:
        state = applied.lab.k8s.export_state()
        kind, default = next([k, o] for k, o in state["objects"]
                             if k.endswith("namespaces") and o["metadata"]["name"] == "default")
        restored = json.loads(json.dumps(default))
        restored["metadata"].update(name="from-backup", uid="0b5e1f5c-0000-4000-8000-000000000001")
        restored["metadata"]["labels"] = {"kubernetes.io/metadata.name": "from-backup"}
        state["objects"].append([kind, restored])
        applied.lab.k8s.import_state(state)
        assert runner.wait_until(lambda: any(f"{inj}/ns-[from-backup]" in r.posted for r in runner.results))
    finally:
        runner.stop()
    assert applied.read(f"{inj}/ns-[from-backup]")["name"] == "from-backup"
