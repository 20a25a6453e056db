"""The real ovirt.ovirt modules (ansible 12.3.0 -> ovirt.ovirt 3.2.1) against the simulated RHV Manager.

`tests/ansible/ovirt_playbook.yml` logs in with ovirt_auth, then, with `auth: "{{ ovirt_auth }}"`:
adds a logical network with VLAN 120 to data center Default and attaches it to cluster Default
(ovirt_network), adds a vNIC profile on it (ovirt_vnic_profile), plugs a NIC with that profile
into vm1 (ovirt_nic), migrates the running vm1 from host1 to host2 (ovirt_vm, `state: running` +
`host:`), and reads everything back with the *_info modules, checking what they return with
ansible.builtin.assert tasks. It runs twice as a subprocess (json stdout callback) against one HTTPS
lab; then the resulting state is read through ovirtsdk4.

The modules wait for jobs and VM states by polling in real time, and the lab's clock is real time
plus an offset, so the migration is made short (0.5 s) instead of advancing the clock.

Expected `changed` per task: on the first run the four writes (02-05); on the second run none.
That second run is a no-op because the simulator does what the modules compare against: a vNIC
profile created with an empty <network_filter/> has no filter (and PUT /vnicprofiles/{id} works
when one does differ), and PUT /vms/{id} stores the <placement_policy> hosts that GET then shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest

from simulator.lab import Lab, LabOptions
from simulator.pytest_plugin import client_tool

pytestmark = pytest.mark.slow

ANSIBLE_DIR = Path(__file__).resolve().parents[1] / "ansible"
PLAYBOOK = ANSIBLE_DIR / "ovirt_playbook.yml"
INVENTORY = ANSIBLE_DIR / "inventory.ini"
USER, PASSWORD = "admin@internal", "redhat123"
NETWORK, VLAN, PROFILE, VM, NIC = "acisim-app", 120, "acisim-app-profile", "vm1", "nic2"

TASKS = ["01", "02", "03", "04", "05", "10", "10a", "11", "11a", "12", "12a", "13", "13a", "14", "14a",
         "15", "15a", "16", "16a", "99"]
WRITES = {"02", "03", "04", "05"}
INFO = {"10", "11", "12", "13", "14", "15", "16"}


class PlaybookRun:
    """One ansible-playbook run: rc, raw output and the per-task results from the json callback."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results: dict[str, dict] = {}
        try:
            data = json.loads(self.stdout[self.stdout.index("{"):])
        except ValueError:
            return
        for play in data.get("plays", []):
            for task in play.get("tasks", []):
                name = task["task"]["name"]
                self.results[name.split(" ", 1)[0]] = task["hosts"].get("localhost", {}) | {"_name": name}

    def summary(self) -> str:
        lines = [f"ansible-playbook rc={self.rc}"]
        for res in self.results.values():
            line = f"  {res['_name']}: changed={res.get('changed')} failed={res.get('failed', False)}"
            if res.get("failed") or res.get("unreachable"):
                line += f"\n      msg: {str(res.get('msg'))[:2000]}"
                if res.get("exception"):
                    line += f"\n      exception: ...{res['exception'][-1500:]}"
                if res.get("assertion"):
                    line += f"\n      assertion: {res['assertion']}"
            lines.append(line)
        if not self.results:
            lines += ["--- stdout (not parseable as the json callback's output) ---", self.stdout[-20000:]]
        lines += ["--- stderr ---", self.stderr[-10000:]]
        return "\n".join(lines)

    def changed(self) -> set[str]:
        return {key for key, res in self.results.items() if res.get("changed")}

    def assert_ok(self) -> None:
        failed = [k for k, r in self.results.items() if r.get("failed") or r.get("unreachable")]
        assert self.rc == 0 and not failed, self.summary()
        assert list(self.results) == TASKS, self.summary()


def run_playbook(tmp_path: Path, run_name: str, api_url: str) -> PlaybookRun:
    home = tmp_path / "ansible-home"
    for d in (home, home / "local-tmp", home / "remote-tmp"):
        d.mkdir(parents=True, exist_ok=True)
    # hermetic: no inherited ANSIBLE_* (so the collections bundled with ansible are used), no user config
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(
        HOME=str(home),
        ANSIBLE_LOCAL_TEMP=str(home / "local-tmp"),
        ANSIBLE_REMOTE_TEMP=str(home / "remote-tmp"),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
    )
    extra = {"rhv_url": api_url, "rhv_password": PASSWORD, "ansible_python_interpreter": sys.executable}
    cmd = [client_tool("ansible-playbook", "ansible==12.3.0"), "-i", str(INVENTORY), str(PLAYBOOK),
           "-e", json.dumps(extra)]
    proc = subprocess.run(cmd, cwd=home, env=env, capture_output=True, text=True, timeout=600)
    (tmp_path / f"{run_name}.stdout.json").write_text(proc.stdout)
    (tmp_path / f"{run_name}.stderr.txt").write_text(proc.stderr)
    return PlaybookRun(proc)


# --- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """A fresh HTTPS lab (simulator/defaults/rhv_inventory.yaml) with a short migration; the playbook run twice."""
    tmp_path = tmp_path_factory.mktemp("rhv-ansible")
    lab = Lab(LabOptions(rhv_admin_password=PASSWORD))
    lab.rhv.config.migration_seconds = 0.5
    srv = lab.start_rhv(tls_dir=tmp_path / "tls")
    try:
        assert srv.scheme == "https"
        api_url = srv.url + "/ovirt-engine/api"
        first = run_playbook(tmp_path, "run1", api_url)
        second = run_playbook(tmp_path, "run2", api_url)
        yield api_url, first, second
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def connection(two_runs):
    conn = sdk.Connection(url=two_runs[0], username=USER, password=PASSWORD, insecure=True)
    yield conn
    conn.close()


def _by_name(service, name: str):
    found = [e for e in service.list() if e.name == name]
    assert len(found) == 1, f"{name}: {[e.name for e in service.list()]}"
    return found[0]


# --- tests ----------------------------------------------------------------------------------------
def test_first_run_makes_the_changes(two_runs):
    _, first, _ = two_runs
    first.assert_ok()
    assert first.changed() == WRITES, first.summary()
    r = first.results
    assert r["02"]["network"]["name"] == NETWORK and r["02"]["network"]["vlan"]["id"] == VLAN, first.summary()
    assert r["03"]["vnicprofile"]["name"] == PROFILE, first.summary()
    assert r["04"]["nic"]["name"] == NIC, first.summary()
    assert r["05"]["vm"]["status"] == "up", first.summary()


def test_second_run_changes_nothing(two_runs):
    _, first, second = two_runs
    first.assert_ok()
    second.assert_ok()
    assert second.changed() == set(), second.summary()


def test_info_modules_never_change(two_runs):
    _, first, second = two_runs
    for run in (first, second):
        ran = INFO & set(run.results)
        assert all(run.results[key].get("changed") is False for key in ran), run.summary()
    assert INFO <= set(first.results), first.summary()


def test_resulting_state_through_the_sdk(two_runs, connection):
    two_runs[1].assert_ok()
    system = connection.system_service()
    dc = _by_name(system.data_centers_service(), "Default")
    cluster = _by_name(system.clusters_service(), "Default")

    # the network: VLAN 120 in data center Default, a VM network, attached to cluster Default, not required
    network = _by_name(system.networks_service(), NETWORK)
    assert network.vlan.id == VLAN
    assert network.data_center.id == dc.id
    assert network.usages == [types.NetworkUsage.VM]
    [attached] = [n for n in system.clusters_service().cluster_service(cluster.id).networks_service().list()
                  if n.id == network.id]
    assert attached.required is False

    # its profiles: the one the engine made with the network, and the playbook's
    network_service = system.networks_service().network_service(network.id)
    profiles = {p.name: p for p in network_service.vnic_profiles_service().list()}
    assert set(profiles) == {NETWORK, PROFILE}
    profile = profiles[PROFILE]
    assert profile.description == "Profile for the application network"
    assert profile.network.id == network.id

    # vm1: its new NIC uses the profile, and it runs on host2
    vms = system.vms_service()
    vm = _by_name(vms, VM)
    nics = {n.name: n for n in vms.vm_service(vm.id).nics_service().list()}
    assert set(nics) == {"nic1", NIC}
    assert nics[NIC].vnic_profile.id == profile.id
    assert nics[NIC].interface == types.NicInterface.VIRTIO
    assert nics[NIC].mac.address != nics["nic1"].mac.address
    assert vm.status == types.VmStatus.UP
    assert connection.follow_link(vm.host).name == "host2"

    # exactly one migration, host1 -> host2, through the engine's path (events 62 and 63, a finished job)
    events = system.events_service().list(search=f"vm.name={VM}")
    started = [e for e in events if e.code == 62]
    done = [e for e in events if e.code == 63]
    assert len(started) == 1 and len(done) == 1, [(e.code, e.description) for e in events]
    assert "Source: host1, Destination: host2" in done[0].description
    [job] = [j for j in system.jobs_service().list() if j.description == "Migrating VM vm1 to Host host2"]
    assert job.status == types.JobStatus.FINISHED


def test_requested_filter_and_placement(connection):
    """What the playbook asked for beyond the defaults: no network filter on the profile, host2 as
    the VM's placement host (what makes the second run a no-op)."""
    system = connection.system_service()
    profile = _by_name(system.vnic_profiles_service(), PROFILE)
    vm = _by_name(system.vms_service(), VM)
    placement_hosts = [connection.follow_link(h).name for h in (vm.placement_policy.hosts or [])]
    assert (profile.network_filter, vm.placement_policy.affinity, placement_hosts) == (
        None, types.VmAffinity.MIGRATABLE, ["host2"])
