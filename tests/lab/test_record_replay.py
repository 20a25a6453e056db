"""Record and replay, as vcsim serves what govc object.save recorded: `acisim record apic` reads a served lab's APIC
over REST into a fixture that `acisim serve --fixture` loads back with the same configuration; `acisim record rhv`
reads its RHV Manager into an inventory file a new lab serves with the same entities and ids (seen through
ovirtsdk4). Refusals are one line: exit 2 for a refused login, 3 for a system out of reach."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ovirtsdk4 as sdk
import requests
import yaml
from served import Served

from simulator.cli import main
from simulator.lab import Lab, LabOptions

ROOT = Path(__file__).resolve().parents[2]
LOGIN = {"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}}
TENANT = {"fvTenant": {"attributes": {"name": "recorded", "descr": "made before the recording"}, "children": [
    {"fvCtx": {"attributes": {"name": "v1"}}},
    {"fvBD": {"attributes": {"name": "b1", "arpFlood": "yes"}, "children": [
        {"fvRsCtx": {"attributes": {"tnFvCtxName": "v1"}}},
        {"fvSubnet": {"attributes": {"ip": "10.77.0.1/24"}}}]}},
    {"fvAp": {"attributes": {"name": "a1"}, "children": [
        {"fvAEPg": {"attributes": {"name": "e1"}, "children": [{"fvRsBd": {"attributes": {"tnFvBDName": "b1"}}}]}}]}}]}}


def record(*args: str) -> subprocess.CompletedProcess:
    """The real command line, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "simulator", "record", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def apic_session(url: str, password: str = "cisco123") -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    s.verify = False
    r = s.post(f"{url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": "admin", "pwd": password}}})
    assert r.status_code == 200, r.text
    return s


def configuration(s: requests.Session, url: str) -> dict[str, tuple[str, dict]]:
    """Every object of uni with its configurable properties, by DN."""
    r = s.get(f"{url}/api/mo/uni.json", params={"rsp-subtree": "full", "rsp-prop-include": "config-only"})
    assert r.status_code == 200, r.text
    out: dict[str, tuple[str, dict]] = {}

    def walk(node: dict, parent: str) -> None:
        ((cls, body),) = node.items()
        attrs = dict(body["attributes"])
        dn = attrs.pop("dn", None) or f"{parent}/{attrs.pop('rn')}"
        out[dn] = (cls, attrs)
        for child in body.get("children", []):
            walk(child, dn)

    walk(r.json()["imdata"][0], "")
    return out


def test_an_apic_recording_is_served_again_with_the_same_configuration(tmp_path):
    lab = Lab(LabOptions(fixtures=[ROOT / "fixtures/apic/demo-tenant.yaml"]))
    try:
        url = lab.start(tls_dir=tmp_path / "tls").url
        s = apic_session(url)
        assert s.post(f"{url}/api/mo/uni/tn-recorded.json", json=TENANT).status_code == 200
        before = configuration(s, url)
        out = tmp_path / "apic.yaml"
        run = record("apic", "--url", url, "--user", "admin", "--password", "cisco123", "--out", str(out))
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith("recorded ") and f"from {url} to {out}" in run.stdout
    finally:
        lab.stop()
    entries = yaml.safe_load(out.read_text())
    assert {"uni/tn-demo", "uni/tn-recorded"} <= {e["dn"] for e in entries}
    with Served("--fixture", str(out), "--apic-port", "0", "--rhv-port", "0", "--k8s-port", "0", "--no-k8s",
                "--tls-dir", str(tmp_path / "tls2")) as served:
        replayed = configuration(apic_session(served.url), served.url)
    assert replayed == before
    assert replayed["uni/tn-recorded/BD-b1"][1]["arpFlood"] == "yes"


def _inventory(url: str) -> dict:
    connection = sdk.Connection(url=f"{url}/ovirt-engine/api", username="admin@internal", password="redhat123",
                                insecure=True)
    try:
        system = connection.system_service()
        vms = system.vms_service()
        hosts = {h.id: h.name for h in system.hosts_service().list()}
        return {
            "data_centers": sorted((d.id, d.name) for d in system.data_centers_service().list()),
            "clusters": sorted((c.id, c.name) for c in system.clusters_service().list()),
            "networks": sorted((n.id, n.name, n.vlan.id if n.vlan else None) for n in system.networks_service().list()),
            "profiles": sorted(p.name for p in system.vnic_profiles_service().list()),
            "hosts": sorted((h.id, h.name, h.status.value, h.address) for h in system.hosts_service().list()),
            "vms": sorted((v.id, v.name, v.status.value, hosts.get(v.host.id) if v.host else None,
                           tuple(sorted((n.name, n.mac.address) for n in vms.vm_service(v.id).nics_service().list())))
                          for v in vms.list()),
        }
    finally:
        connection.close()


def test_an_rhv_recording_is_served_again_with_the_same_entities_and_ids(tmp_path):
    lab = Lab(LabOptions(rhv_inventory=ROOT / "fixtures/rhv/two-clusters.yaml"))
    try:
        rhv = lab.start_rhv(tls=False)
        connection = sdk.Connection(url=f"{rhv.url}/ovirt-engine/api", username="admin@internal",
                                    password="redhat123", insecure=True)
        try:  # a change made over the API before the recording: a VLAN network of the data center
            dc = connection.system_service().data_centers_service().list(search="name=Default")[0]
            connection.system_service().networks_service().add(
                sdk.types.Network(name="db", data_center=sdk.types.DataCenter(id=dc.id), vlan=sdk.types.Vlan(id=130)))
        finally:
            connection.close()
        lab.rhv.set_host_status("host4", "non_responsive")
        before = _inventory(rhv.url)
        out = tmp_path / "rhv.yaml"
        run = record("rhv", "--url", rhv.url, "--out", str(out))
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith("recorded 1 data centers, 2 clusters, 4 hosts, 4 VMs from")
    finally:
        lab.stop()
    replay = Lab(LabOptions(rhv_inventory=out))
    try:
        after = _inventory(replay.start_rhv(tls=False).url)
    finally:
        replay.stop()
    assert after == before
    assert ("db" in after["profiles"]) and any(h[1:3] == ("host4", "non_responsive") for h in after["hosts"])
    assert any(n[1:] == ("db", 130) for n in after["networks"])


def test_a_refused_login_is_exit_2_and_a_system_out_of_reach_exit_3(tmp_path, capsys):
    lab = Lab()
    try:
        url = lab.start(tls=False).url
        assert main(["record", "apic", "--url", url, "--password", "wrong", "--out", str(tmp_path / "a.yaml")]) == 2
        err = capsys.readouterr().err.strip()
        assert err == "acisim record apic: error: aaaLogin: Username or password is incorrect - FAILED local " \
                      "authentication"
        rhv = lab.start_rhv(tls=False).url
        assert main(["record", "rhv", "--url", rhv, "--password", "wrong", "--out", str(tmp_path / "r.yaml")]) == 2
        assert capsys.readouterr().err.startswith(f"acisim record rhv: error: SSO login at {rhv} refused: ")
    finally:
        lab.stop()
    assert main(["record", "rhv", "--url", url, "--out", str(tmp_path / "r.yaml")]) == 3
    assert capsys.readouterr().err.strip() == f"acisim record rhv: error: cannot reach the RHV Manager at {url}: " \
                                              "ConnectionError"
    assert not (tmp_path / "a.yaml").exists() and not (tmp_path / "r.yaml").exists()
