"""Step definitions for the RHV features: the real ovirtsdk4 against `rhv_target`, nothing else.

The steps talk to the RHV Manager (the simulator or, with --rhv-url, a real engine) exactly as an
engineer's script would. Only steps of @sim scenarios touch the simulator's /_sim control API, to
move the lab's clock instead of waiting for VMs, hosts and jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import ovirtsdk4
import pytest
from ovirtsdk4 import types
from pytest_bdd import given, parsers, then, when

from steps.support.rhv import RhvClient, named, status_of
from steps.support.sim import SimControl, eventually
from steps.support.tables import table_rows

# long enough for any transition of the lab (a boot, a migration, a host entering maintenance)
SETTLE_SECONDS = 60
MIGRATION_EVENTS = {62, 63, 64, 65, 67, 120}  # started, done, failed, system-initiated, to-server failed
Q = r'"(?P<{}>[^"]+)"'  # one quoted step argument


def step_re(text: str, *names: str):
    """A regex step parser: `{}` in `text` stands for the next quoted argument in `names`."""
    return parsers.re(text.format(*(Q.format(name) for name in names)))


@dataclass
class RhvConversation:
    """One scenario's exchange with the RHV Manager: its client, the last refusal, and what to put
    back afterwards (networks and NICs to remove, VMs to move home, hosts to activate, the clock)."""

    client: RhvClient
    error: ovirtsdk4.Error | None = None
    error_checked: bool = False
    events_from: int = 0
    jobs_before: set[str] = field(default_factory=set)
    networks_to_remove: set[tuple[str, str]] = field(default_factory=set)  # (data center, network)
    nics_to_remove: set[tuple[str, str]] = field(default_factory=set)  # (VM, NIC)
    vm_homes: dict[str, str] = field(default_factory=dict)  # VM -> the host it ran on
    hosts_to_activate: set[str] = field(default_factory=set)
    clock_frozen: bool = False

    @property
    def system(self):
        return self.client.system

    @property
    def sim(self) -> SimControl:
        return SimControl(self.client.target)

    def attempt(self, action: Callable[[], object]):
        """Run one request whose refusal a later step may check; other steps call `accepted()`."""
        self.error, self.error_checked = None, False
        try:
            return action()
        except ovirtsdk4.Error as err:
            self.error = err
            return None

    def accepted(self) -> None:
        assert self.error is None or self.error_checked, f"the engine refused it: {self.error}"

    def let_time_pass(self, seconds: float) -> None:
        """The lab's clock moves on (simulator only): VMs, hosts and jobs settle without waiting."""
        self.sim.advance_clock(seconds)

    def stop_the_clock(self) -> None:
        """The lab clock moves only when a step says so (thawed again when the scenario ends)."""
        self.sim.freeze_clock(True)
        self.clock_frozen = True

    # --- putting things back ------------------------------------------------------------------------------
    def clean_up(self) -> None:
        """Put back what the scenario changed, waiting for each change by its result (the lab clock moves
        on in the simulator; real gear is asked again until a deadline)."""
        rhv = self.client
        if self.clock_frozen:
            self.sim.freeze_clock(False)
            self.clock_frozen = False
        for name in sorted(self.hosts_to_activate):
            if status_of(rhv.host(name)) != "up":
                self.system.hosts_service().host_service(rhv.host(name).id).activate()
            eventually(rhv.target, lambda name=name: _expect(status_of(rhv.host(name)) == "up",
                                                             f"host {name} did not come back up"), SETTLE_SECONDS)
        for vm_name, home in sorted(self.vm_homes.items()):
            eventually(rhv.target, lambda vm_name=vm_name: _expect(status_of(rhv.vm(vm_name)) != "migrating",
                                                                   f"{vm_name} is still migrating"), SETTLE_SECONDS)
            vm = rhv.vm(vm_name)
            if vm.host is not None and rhv.host_name(vm.host.id) != home:
                self.system.vms_service().vm_service(vm.id).migrate(host=types.Host(id=rhv.host(home).id))
            eventually(rhv.target, lambda vm_name=vm_name, home=home: _expect(
                (vm := rhv.vm(vm_name)).host is not None and rhv.host_name(vm.host.id) == home,
                f"{vm_name} is not back on {home}"), SETTLE_SECONDS)
        for vm_name, nic_name in sorted(self.nics_to_remove):
            nics = rhv.vm_nics(vm_name)
            for nic in nics.list():
                if nic.name == nic_name:
                    if nic.plugged:  # the engine removes no NIC plugged into a running VM
                        nics.nic_service(nic.id).deactivate()
                    nics.nic_service(nic.id).remove()
        for data_center, name in sorted(self.networks_to_remove):
            for network in rhv.networks_named(data_center, name):
                self.system.networks_service().network_service(network.id).remove()


def _expect(holds: bool, failure: str) -> None:
    assert holds, failure


@pytest.fixture
def rhv(rhv_target):
    """The scenario's conversation; afterwards everything it changed is put back."""
    conversation = RhvConversation(RhvClient(rhv_target))
    try:
        yield conversation
        conversation.clean_up()
    finally:
        conversation.client.close()


# ---------------------------------------------------------------------------------------------- given


@given("I am connected to the RHV Manager as the admin user")
def connected(rhv):
    rhv.client.connection.test(raise_exception=True)
    api = rhv.system.get()
    assert api.product_info is not None and api.product_info.name, "the API root names no product"
    rhv.events_from = rhv.client.last_event_id()


@given(step_re("the data center {} has no logical network {}", "dc", "network"))
def no_network(rhv, dc, network):
    rhv.networks_to_remove.add((dc, network))
    for leftover in rhv.client.networks_named(dc, network):  # from an interrupted run
        rhv.system.networks_service().network_service(leftover.id).remove()
    assert not rhv.client.networks_named(dc, network)


@given(
    step_re(
        r"the logical network {} with VLAN (?P<vlan>\d+) is attached to the cluster {}", "network", "cluster"
    ),
    converters={"vlan": int},
)
def network_attached(rhv, network, vlan, cluster):
    dc = rhv.client.data_center_of(rhv.client.cluster(cluster))
    rhv.networks_to_remove.add((dc.name, network))
    added = rhv.client.add_vm_network(dc.id, network, vlan)
    rhv.system.clusters_service().cluster_service(rhv.client.cluster(cluster).id).networks_service().add(
        types.Network(id=added.id, required=False)
    )


@given(step_re("the VM {} has a NIC {} on the vNIC profile {}", "vm", "nic", "profile"))
def vm_has_nic(rhv, vm, nic, profile):
    found = named(rhv.system.vnic_profiles_service().list(), profile, "vNIC profile")
    rhv.nics_to_remove.add((vm, nic))
    nics = rhv.client.vm_nics(vm)
    added = nics.add(
        types.Nic(name=nic, interface=types.NicInterface.VIRTIO, vnic_profile=types.VnicProfile(id=found.id))
    )
    assert added.vnic_profile is not None and added.vnic_profile.id == found.id, (
        "the NIC is not on the profile"
    )


@given(step_re("the VM {} is up on the host {}", "vm", "host"))
@then(step_re("the VM {} is (?:still )?up on the host {}", "vm", "host"))
def vm_up_on(rhv, vm, host):
    found = rhv.client.vm(vm)
    assert status_of(found) == "up", f"{vm} is {status_of(found)}"
    assert found.host is not None and rhv.client.host_name(found.host.id) == host


@given(step_re("the VM {} is down", "vm"))
@then(step_re("the VM {} is still down", "vm"))
def vm_down(rhv, vm):
    found = rhv.client.vm(vm)
    assert status_of(found) == "down", f"{vm} is {status_of(found)}"
    assert found.host is None, f"{vm} is down but names a host"


@given(step_re("the host {} is up", "host"))
def host_is_up(rhv, host):
    assert status_of(rhv.client.host(host)) == "up", f"host {host} is {status_of(rhv.client.host(host))}"


@given(step_re("the host {} is in maintenance", "host"))
def host_in_maintenance(rhv, host):
    rhv.client.target.require_sim()
    rhv.hosts_to_activate.add(host)
    found = rhv.client.host(host)
    rhv.system.hosts_service().host_service(found.id).deactivate()
    rhv.let_time_pass(SETTLE_SECONDS)
    assert status_of(rhv.client.host(host)) == "maintenance", f"host {host} is {status_of(rhv.client.host(host))}"


# ----------------------------------------------------------------------------------------------- when


COLLECTIONS = {"data centers": "data_centers_service", "clusters": "clusters_service", "hosts": "hosts_service",
               "virtual machines": "vms_service"}


@when(parsers.re(f"I list the (?P<collection>{'|'.join(COLLECTIONS)})"), target_fixture="listed")
def list_collection(rhv, collection):
    return getattr(rhv.system, COLLECTIONS[collection])().list()


@when(
    step_re(
        r"I create the logical network {} with VLAN (?P<vlan>\d+) in the data center {}", "network", "dc"
    ),
    converters={"vlan": int},
)
def create_network(rhv, network, vlan, dc):
    rhv.networks_to_remove.add((dc, network))
    dc_id = rhv.client.data_center(dc).id
    rhv.attempt(lambda: rhv.client.add_vm_network(dc_id, network, vlan))


@when(step_re("I attach the network {} to the cluster {}", "network", "cluster"))
def attach_network(rhv, network, cluster):
    found = rhv.client.cluster(cluster)
    network_id = rhv.client.network(rhv.client.data_center_of(found).name, network).id
    service = rhv.system.clusters_service().cluster_service(found.id).networks_service()
    rhv.attempt(lambda: service.add(types.Network(id=network_id, required=False)))


@when(step_re("I remove the network {}", "network"))
def remove_network(rhv, network):
    found = rhv.client.network_named(network)
    rhv.attempt(lambda: rhv.system.networks_service().network_service(found.id).remove())


@when(step_re("I remove the NIC {} from the VM {}", "nic", "vm"))
def remove_nic(rhv, nic, vm):
    nics = rhv.client.vm_nics(vm)
    found = named(nics.list(), nic, "NIC")
    rhv.attempt(lambda: nics.nic_service(found.id).remove())
    rhv.accepted()


def _migrate(rhv, vm: str, host: types.Host | None) -> None:
    found = rhv.client.vm(vm)
    if found.host is not None:
        rhv.vm_homes.setdefault(vm, rhv.client.host_name(found.host.id))
    rhv.events_from = rhv.client.last_event_id()
    rhv.jobs_before = rhv.client.job_ids()
    rhv.attempt(lambda: rhv.system.vms_service().vm_service(found.id).migrate(host=host))


@when(step_re("I migrate the VM {} to the host {}", "vm", "host"))
def migrate_to(rhv, vm, host):
    _migrate(rhv, vm, types.Host(id=rhv.client.host(host).id))


@when(step_re("I migrate the VM {} and let the engine choose the host", "vm"))
def migrate_anywhere(rhv, vm):
    _migrate(rhv, vm, None)


@given("the lab clock moves only when told to")
def clock_stands_still(rhv):
    rhv.stop_the_clock()


@when(parsers.parse("the lab clock moves on by {seconds:d} seconds"))
def clock_moves_on(rhv, seconds):
    rhv.let_time_pass(seconds)


# ----------------------------------------------------------------------------------------------- then


@then(
    step_re("the engine refuses it with HTTP (?P<code>\\d+) and the reason {}", "reason"),
    converters={"code": int},
)
def refused(rhv, code, reason):
    assert rhv.error is not None, "the engine accepted it"
    rhv.error_checked = True
    assert rhv.error.code == code, str(rhv.error)
    assert rhv.error.fault is not None, f"the answer carries no fault: {rhv.error}"
    assert rhv.error.fault.reason == reason, str(rhv.error)


def _fault_detail(rhv) -> str:
    assert rhv.error is not None and rhv.error.fault is not None, f"no fault to read: {rhv.error}"
    return rhv.error.fault.detail


@then("the fault detail is:")
def fault_detail_block(rhv, docstring):
    assert _fault_detail(rhv) == docstring


@then(step_re("the fault detail is {}", "detail"))
def fault_detail(rhv, detail):
    assert _fault_detail(rhv) == detail


@then("the engine accepts it")
def accepted(rhv):
    rhv.accepted()


@then(step_re("the data center {} is listed with status {}", "dc", "status"))
def data_center_listed(listed, dc, status):
    assert status_of(named(listed, dc, "data center")) == status


@then(step_re("the data center {} holds the cluster {}", "dc", "cluster"))
def data_center_holds_cluster(rhv, dc, cluster):
    service = rhv.system.data_centers_service().data_center_service(rhv.client.data_center(dc).id)
    found = named(service.clusters_service().list(), cluster, "cluster")
    assert found.data_center.id == rhv.client.data_center(dc).id


@then(step_re("the cluster {} is listed in the data center {}", "cluster", "dc"))
def cluster_listed(rhv, listed, cluster, dc):
    found = named(listed, cluster, "cluster")
    assert found.data_center is not None and rhv.client.connection.follow_link(found.data_center).name == dc


@then(step_re("the cluster {} has {} as its management network", "cluster", "network"))
def management_network(rhv, cluster, network):
    found = rhv.client.cluster(cluster)
    assert found.management_network is not None, f"cluster {cluster} names no management network"
    assert rhv.client.connection.follow_link(found.management_network).name == network


@then(step_re("the (?P<kind>host|VM) {} is listed in the cluster {} with status {}", "name", "cluster", "status"))
def listed_in_cluster(rhv, listed, kind, name, cluster, status):
    found = named(listed, name, kind)
    assert found.cluster is not None and found.cluster.id == rhv.client.cluster(cluster).id
    assert status_of(found) == status


@then(step_re("the host {} has the address {}", "host", "address"))
def host_address(listed, host, address):
    assert named(listed, host, "host").address == address


@then(step_re("a search for hosts with {} finds the host {}", "search", "host"))
def host_search(rhv, search, host):
    found = rhv.system.hosts_service().list(search=search)
    assert host in {h.name for h in found}, sorted(h.name for h in found)


@then(step_re("the VM {} runs on host {}", "vm", "host"))
def vm_runs_on(rhv, listed, vm, host):
    found = named(listed, vm, "VM")
    assert found.host is not None, f"{vm} runs on no host"
    assert rhv.client.connection.follow_link(found.host).name == host


@then(step_re("the VM {} runs on no host", "vm"))
def vm_runs_nowhere(listed, vm):
    found = named(listed, vm, "VM")
    assert found.host is None, f"{vm} has a host while {status_of(found)}"


@then(
    step_re(r"the data center {} has the logical network {} with VLAN (?P<vlan>\d+)", "dc", "network"),
    converters={"vlan": int},
)
def network_with_vlan(rhv, dc, network, vlan):
    rhv.accepted()
    found = rhv.client.network(dc, network)
    assert found.vlan is not None and found.vlan.id == vlan, f"VLAN {found.vlan and found.vlan.id}"
    assert found.data_center.id == rhv.client.data_center(dc).id


@then(step_re("the data center {} has the logical network {}", "dc", "network"))
def network_exists(rhv, dc, network):
    rhv.accepted()
    rhv.client.network(dc, network)


@then(step_re("the network {} has its own name as its VDSM name", "network"))
def vdsm_name_own(rhv, network):
    found = rhv.client.network_named(network)
    assert found.vdsm_name == network


@then(step_re('the network {} has "on" and 13 characters of its id as its VDSM name', "network"))
def vdsm_name_from_id(rhv, network):
    found = rhv.client.network_named(network)
    assert found.vdsm_name == "on" + found.id.replace("-", "")[:13], found.vdsm_name


@then(step_re("the network {} has a vNIC profile of the same name", "network"))
def default_profile(rhv, network):
    found = rhv.client.network_named(network)
    profiles = rhv.system.networks_service().network_service(found.id).vnic_profiles_service().list()
    profile = named(profiles, network, "vNIC profile")
    assert profile.network.id == found.id


@then(step_re("the cluster {} lists the network {} as not required", "cluster", "network"))
def cluster_lists_network(rhv, cluster, network):
    rhv.accepted()
    found = named(rhv.client.cluster_networks(cluster), network, "network attached to the cluster")
    assert found.required is False


@then(step_re("the data center {} has no logical network {} any more", "dc", "network"))
def network_gone(rhv, dc, network):
    rhv.accepted()
    assert not rhv.client.networks_named(dc, network)


@then(step_re("the cluster {} no longer lists the network {}", "cluster", "network"))
def cluster_network_gone(rhv, cluster, network):
    assert network not in {n.name for n in rhv.client.cluster_networks(cluster)}


@then(step_re("no vNIC profile {} is left", "profile"))
def profile_gone(rhv, profile):
    assert profile not in {p.name for p in rhv.system.vnic_profiles_service().list()}


@then(step_re("the engine reports the job {} as started", "job"))
def job_started(rhv, job):
    rhv.accepted()
    new = [j for j in rhv.system.jobs_service().list() if j.id not in rhv.jobs_before]
    assert job in {j.description for j in new}, [j.description for j in new]
    assert status_of(_named_job(new, job)) == "started"


def _named_job(jobs, description: str) -> types.Job:
    found = [j for j in jobs if j.description == description]
    assert len(found) == 1, f"{len(found)} jobs {description!r}"
    return found[0]


@then(step_re("the job {} has finished", "job"))
def job_finished(rhv, job):
    new = [j for j in rhv.system.jobs_service().list() if j.id not in rhv.jobs_before]
    found = _named_job(new, job)
    assert status_of(found) == "finished", status_of(found)
    assert found.end_time is not None and found.end_time >= found.start_time


@then(step_re("the VM {} is migrating, still on the host {}", "vm", "host"))
def vm_migrating(rhv, vm, host):
    found = rhv.client.vm(vm)
    assert status_of(found) == "migrating", status_of(found)
    assert found.host is not None and rhv.client.host_name(found.host.id) == host


def _vm_events(rhv, vm: str) -> list[types.Event]:
    vm_id = rhv.client.vm(vm).id
    events = rhv.client.events_since(rhv.events_from)
    return sorted((e for e in events if e.vm is not None and e.vm.id == vm_id), key=lambda e: int(e.id))


@then(step_re("the events about the VM {} since the migration began are, oldest first:", "vm"))
def vm_events(rhv, vm, datatable):
    rows = table_rows(datatable)
    told = [(e.code, e.host and rhv.client.host_name(e.host.id), e.description) for e in _vm_events(rhv, vm)]
    assert len(told) == len(rows), told
    for (code, host, description), row in zip(told, rows, strict=True):
        assert code == int(row["code"]), told
        assert host == row["host"], told
        assert description.startswith(row["description begins with"]), description


@then(step_re("no migration of the VM {} was logged", "vm"))
def no_migration_logged(rhv, vm):
    migrations = [(e.code, e.description) for e in _vm_events(rhv, vm) if e.code in MIGRATION_EVENTS]
    assert not migrations, migrations
