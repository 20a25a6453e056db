"""The real ovirt.ovirt modules (ansible 12.3.0 -> ovirt.ovirt 3.2.1) against the simulated RHV Manager.

`tests/ansible/ovirt_playbook.yml` logs in with ovirt_auth, then, with `auth: "{{ ovirt_auth }}"`:
adds a logical network with VLAN 120 to data center Default and attaches it to cluster Default
(ovirt_network), adds a vNIC profile on it (ovirt_vnic_profile), puts the network on eno1 of host1 and
host2 and saves it (ovirt_host_network: the engine's scheduler wants a VM's networks on the destination
host's NICs, not only on its cluster), plugs a NIC with that profile
into vm1 (ovirt_nic), migrates the running vm1 from host1 to host2 (ovirt_vm, `state: running` +
`host:`), and reads everything back with the *_info modules, checking what they return with
ansible.builtin.assert tasks. It runs twice as a subprocess (json stdout callback) against one HTTPS
lab; then the resulting state is read through ovirtsdk4.

The modules wait for jobs and VM states by polling in real time, and the lab's clock is real time
plus an offset, so the migration is made short (0.5 s) instead of advancing the clock.

Expected `changed` per task: on the first run the five writes (02-05 with 03a); on the second run none.
That second run is a no-op because the simulator does what the modules compare against: a vNIC
profile created with an empty <network_filter/> has no filter (and PUT /vnicprofiles/{id} works
when one does differ), and PUT /vms/{id} stores the <placement_policy> hosts that GET then shows.
"""

from __future__ import annotations

from pathlib import Path

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from playbooks import ANSIBLE_DIR, PlaybookRun, run_playbook

from simulator.lab import Lab, LabOptions

pytestmark = pytest.mark.slow

PLAYBOOK = ANSIBLE_DIR / "ovirt_playbook.yml"
USER, PASSWORD = "admin@internal", "redhat123"
NETWORK, VLAN, PROFILE, VM, NIC = "acisim-app", 120, "acisim-app-profile", "vm1", "nic2"

TASKS = ["01", "02", "03", "03a", "04", "05", "10", "10a", "11", "11a", "12", "12a", "13", "13a", "14", "14a",
         "15", "15a", "16", "16a", "99"]
WRITES = {"02", "03", "03a", "04", "05"}
INFO = {"10", "11", "12", "13", "14", "15", "16"}


def run_ovirt_playbook(tmp_path: Path, run_name: str, api_url: str) -> PlaybookRun:
    return run_playbook(tmp_path, run_name, PLAYBOOK, {"rhv_url": api_url, "rhv_password": PASSWORD}, timeout=600)


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
        first = run_ovirt_playbook(tmp_path, "run1", api_url)
        second = run_ovirt_playbook(tmp_path, "run2", api_url)
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
    first.assert_ok(TASKS)
    assert first.changed() == WRITES, first.summary()
    r = first.results
    assert r["02"]["network"]["name"] == NETWORK and r["02"]["network"]["vlan"]["id"] == VLAN, first.summary()
    assert r["03"]["vnicprofile"]["name"] == PROFILE, first.summary()
    assert r["04"]["nic"]["name"] == NIC, first.summary()
    assert r["05"]["vm"]["status"] == "up", first.summary()


def test_second_run_changes_nothing(two_runs):
    _, first, second = two_runs
    first.assert_ok(TASKS)
    second.assert_ok(TASKS)
    assert second.changed() == set(), second.summary()


def test_info_modules_never_change(two_runs):
    _, first, second = two_runs
    for run in (first, second):
        ran = INFO & set(run.results)
        assert all(run.results[key].get("changed") is False for key in ran), run.summary()
    assert INFO <= set(first.results), first.summary()


def test_resulting_state_through_the_sdk(two_runs, connection):
    two_runs[1].assert_ok(TASKS)
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

    # on eno1 of both hosts, where the migration needs it
    for host in system.hosts_service().list(search="cluster=Default"):
        host_service = system.hosts_service().host_service(host.id)
        nics = {n.id: n.name for n in host_service.nics_service().list()}
        assert [nics[a.host_nic.id] for a in host_service.network_attachments_service().list()
                if a.network.id == network.id] == ["eno1"], host.name

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
