"""The real ovirtsdk4 on what the registry added: host statistics, host update (and its cluster change in
maintenance), host networks (setup_networks, network attachments, the VLAN device a VLAN network
shows; setupnetworks logs only its job, commitnetconfig event 1104), LLDP from plain neighbour data,
/disks and /storagedomains, VM reboot, and the engine's checks on a VM update (a name in use, the
configuration-updated event)."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from rhv_support import app_network, by_name, wait_for_job

STATISTICS = ["memory.total", "memory.used", "memory.free", "memory.shared", "swap.total", "swap.free", "swap.used",
              "ksm.cpu.current", "cpu.current.user", "cpu.current.system", "cpu.current.idle", "cpu.load.avg.5m",
              "boot.time"]
NEIGHBOUR = {"chassis_id": "00:3a:9c:01:00:65", "port_id": "eth1/1",
             "port_description": "topology/pod-1/paths-101/pathep-[eth1/1]", "system_name": "leaf-101",
             "system_description": "topology/pod-1/node-101"}


def host_service(connection, name="host1"):
    hosts = connection.system_service().hosts_service()
    return hosts.host_service(by_name(hosts, name).id)


def vm_service(connection, name="vm1"):
    vms = connection.system_service().vms_service()
    return vms.vm_service(by_name(vms, name).id)




# --- statistics --------------------------------------------------------------------------------------
def test_host_statistics_are_the_engines_thirteen(engine, connection):
    stats = host_service(connection).statistics_service().list()
    assert [s.name for s in stats] == STATISTICS
    by = {s.name: s for s in stats}
    memory = engine.rhv.find("hosts", "host1").memory
    assert by["memory.total"].values[0].datum == memory
    assert by["memory.used"].values[0].datum + by["memory.free"].values[0].datum == memory
    assert by["memory.total"].kind == types.StatisticKind.GAUGE and by["memory.total"].unit == types.StatisticUnit.BYTES
    assert by["memory.total"].type == types.ValueType.INTEGER
    assert by["cpu.current.idle"].unit == types.StatisticUnit.PERCENT and by["cpu.current.idle"].type == types.ValueType.DECIMAL
    assert by["boot.time"].unit == types.StatisticUnit.NONE and by["boot.time"].description == "Boot time of the machine"
    one = host_service(connection).statistics_service().statistic_service(by["swap.total"].id).get()
    assert one.name == "swap.total" and one.host.id == engine.rhv.find("hosts", "host1").id


def test_statistic_ids_are_the_engines(engine):
    """StatisticResourceUtils.asId is Java's UUID.nameUUIDFromBytes of the name: the same on every engine."""
    import hashlib
    import uuid

    host1 = engine.rhv.find("hosts", "host1")
    r = engine.session().get(f"{engine.url}/ovirt-engine/api/hosts/{host1.id}/statistics",
                             headers={"Accept": "application/json"})
    raw = bytearray(hashlib.md5(b"memory.total").digest())
    raw[6], raw[8] = (raw[6] & 0x0F) | 0x30, (raw[8] & 0x3F) | 0x80
    assert r.json()["statistic"][0]["id"] == str(uuid.UUID(bytes=bytes(raw)))


# --- host update ---------------------------------------------------------------------------------------
def test_host_update_and_its_event(engine, connection):
    service = host_service(connection, "host2")
    updated = service.update(types.Host(comment="rack 7"))
    assert updated.comment == "rack 7" and service.get().comment == "rack 7"
    event = connection.system_service().events_service().list(max=1)[0]
    assert (event.code, event.description) == (43, "Host host2 configuration was updated by admin@internal-authz.")


def test_host_changes_cluster_only_in_maintenance(engine, connection):
    engine.load("two-clusters.yaml")
    conn = engine.connect()
    try:
        service = host_service(conn, "host2")
        with pytest.raises(sdk.Error) as caught:
            service.update(types.Host(cluster=types.Cluster(name="Secondary")))
        assert (caught.value.code, caught.value.fault.detail) == (
            409, "[Cannot update Host. Host parameters cannot be modified while Host is operational.\n"
                 "Please switch Host to Maintenance mode first.]")
        assert conn.follow_link(service.get().cluster).name == "Default"
        service.deactivate()
        assert wait_for_job(engine, conn, "Moving Host(s) host2 to Maintenance").status == types.JobStatus.FINISHED
        moved = service.update(types.Host(cluster=types.Cluster(name="Secondary")))
        assert conn.follow_link(moved.cluster).name == "Secondary"
        secondary = by_name(conn.system_service().clusters_service(), "Secondary")
        hosts = conn.system_service().hosts_service().list(search="cluster=Secondary")
        assert sorted(h.name for h in hosts) == ["host2", "host3", "host4"] and moved.cluster.id == secondary.id
    finally:
        conn.close()


# --- host networks ---------------------------------------------------------------------------------------
def test_setup_networks_attaches_a_vlan_network_and_shows_its_vlan_device(engine, connection):
    network = app_network(connection, name="app-vlan", vlan=130)
    service = host_service(connection)
    eno2 = next(n for n in service.nics_service().list() if n.name == "eno2")
    service.setup_networks(modified_network_attachments=[types.NetworkAttachment(
        network=types.Network(id=network.id), host_nic=types.HostNic(name="eno2"))])
    attachments = service.network_attachments_service().list()
    mine = [a for a in attachments if a.network.id == network.id]
    assert len(mine) == 1 and mine[0].host_nic.id == eno2.id
    nics = {n.name: n for n in service.nics_service().list()}
    assert "eno2.130" in nics and nics["eno2.130"].vlan.id == 130 and nics["eno2.130"].base_interface == "eno2"
    assert nics["eno2.130"].network.id == network.id and nics["eno2"].network is None
    on_nic = service.nics_service().nic_service(eno2.id).network_attachments_service().list()
    assert [a.network.id for a in on_nic] == [network.id]
    job = connection.system_service().jobs_service().list()[-1]
    assert job.description == "Configuring networks on host host1" and job.status == types.JobStatus.FINISHED
    service.setup_networks(removed_network_attachments=[types.NetworkAttachment(id=mine[0].id)])
    assert [a.network.id for a in service.network_attachments_service().list()] == [
        a.network.id for a in attachments if a.network.id != network.id]
    assert "eno2.130" not in {n.name for n in service.nics_service().list()}


def test_setup_networks_logs_only_its_job_and_commit_net_config_logs_event_1104(connection):
    """HostSetupNetworksCommand has no audit log type of its own (AuditLogableBase's UNASSIGNED): the engine
    shows its job, no event. Saving the configuration for the next boot (commitnetconfig, what ovirt.ovirt's
    ovirt_host_network calls on engines before 4.3) is CommitNetworkChangesCommand's event 1104."""
    network = app_network(connection, vlan=132, name="app-132")
    system = connection.system_service()
    events = system.events_service()
    last = int(events.list(max=1)[0].id)
    service = host_service(connection)
    service.setup_networks(modified_network_attachments=[types.NetworkAttachment(
        network=types.Network(id=network.id), host_nic=types.HostNic(name="eno2"))], commit_on_success=True)
    assert events.list(from_=last) == []
    assert system.jobs_service().list()[-1].description == "Configuring networks on host host1"
    service.commit_net_config()
    [saved] = events.list(from_=last)
    assert (saved.code, saved.severity, saved.description) == (
        1104, types.LogSeverity.NORMAL, "Network changes were saved on host host1")
    assert saved.host.id == service.get().id
    job = system.jobs_service().list()[-1]
    assert (job.description, job.status) == ("Applying saved network configuration to Host host1",
                                             types.JobStatus.FINISHED)


def test_network_attachments_add_get_remove(engine, connection):
    network = app_network(connection, vlan=131, name="app-131")
    attachments = host_service(connection, "host2").network_attachments_service()
    added = attachments.add(types.NetworkAttachment(network=types.Network(name="app-131"),
                                                    host_nic=types.HostNic(name="eno2")))
    assert added.network.id == network.id
    assert attachments.attachment_service(added.id).get().host_nic.id == added.host_nic.id
    attachments.attachment_service(added.id).remove()
    with pytest.raises(sdk.NotFoundError):
        attachments.attachment_service(added.id).get()


def test_setup_networks_refuses_a_network_the_cluster_lacks(connection):
    network = connection.system_service().networks_service().add(types.Network(
        name="not-in-cluster", data_center=types.DataCenter(name="Default"), vlan=types.Vlan(id=140)))
    with pytest.raises(sdk.Error) as caught:
        host_service(connection).setup_networks(modified_network_attachments=[types.NetworkAttachment(
            network=types.Network(id=network.id), host_nic=types.HostNic(name="eno2"))])
    assert (caught.value.code, caught.value.fault.detail) == (
        409, "[Failed setup Networks. The following networks (not-in-cluster) are not defined in the cluster.]")


# --- LLDP from plain data ---------------------------------------------------------------------------------
def test_lldp_elements_come_from_the_neighbours_set(engine, connection):
    engine.rhv.set_lldp_neighbours({("host1", "eno1"): NEIGHBOUR})
    nics = host_service(connection).nics_service()
    by = {n.name: n for n in nics.list()}
    elements = nics.nic_service(by["eno1"].id).link_layer_discovery_protocol_elements_service().list()
    assert [(e.name, e.type) for e in elements] == [("Chassis ID", 1), ("Port ID", 2), ("Time to Live", 3),
                                                      ("Port Description", 4), ("System Name", 5),
                                                      ("System Description", 6)]
    tlvs = {e.name: {p.name: p.value for p in e.properties} for e in elements}
    assert tlvs["Time to Live"] == {"time to live": "120"}
    assert tlvs["Port Description"]["port description"] == "topology/pod-1/paths-101/pathep-[eth1/1]"
    assert tlvs["System Description"]["system description"] == "topology/pod-1/node-101"
    assert tlvs["Chassis ID"]["chassis ID"] == "00:3a:9c:01:00:65"
    assert nics.nic_service(by["eno2"].id).link_layer_discovery_protocol_elements_service().list() == []


def test_lldp_neighbours_outlive_a_reset_and_a_new_inventory(engine, connection):
    engine.rhv.set_lldp_neighbours({("host1", "eno1"): NEIGHBOUR, ("nosuch", "eth9"): NEIGHBOUR})
    engine.rhv.reset()
    engine.load("two-clusters.yaml")
    conn = engine.connect()
    try:
        nics = host_service(conn).nics_service()
        eno1 = next(n for n in nics.list() if n.name == "eno1")
        names = [e.name for e in nics.nic_service(eno1.id).link_layer_discovery_protocol_elements_service().list()]
        assert "System Name" in names
    finally:
        conn.close()
    with pytest.raises(ValueError, match="host1 eno1: missing port_id, port_description"):
        engine.rhv.set_lldp_neighbours({("host1", "eno1"): {"chassis_id": "x"}})


# --- empty storage collections -------------------------------------------------------------------------------
def test_disks_and_storage_domains_are_real_empty_collections(connection):
    system = connection.system_service()
    assert system.disks_service().list() == []
    assert system.storage_domains_service().list() == []
    assert system.disks_service().list(search="name=foo") == []


# --- VMs ------------------------------------------------------------------------------------------------------
def test_vm_reboot(engine, connection):
    service = vm_service(connection)
    service.reboot()
    assert service.get().status == types.VmStatus.REBOOT_IN_PROGRESS
    event = connection.system_service().events_service().list(max=1)[0]
    assert (event.code, event.description) == (157, "VM vm1 is rebooting. Rebooted by: admin@internal-authz")
    assert wait_for_job(engine, connection, "Rebooting VM vm1").status == types.JobStatus.FINISHED
    assert service.get().status == types.VmStatus.UP
    with pytest.raises(sdk.Error) as caught:
        vm_service(connection, "vm2").reboot()
    assert (caught.value.code, caught.value.fault.detail) == (409, "[Cannot reboot VM. VM is not running.]")


def test_vm_name_in_use_is_refused_as_the_engine_refuses_it(connection):
    service = vm_service(connection, "vm2")
    with pytest.raises(sdk.Error) as caught:
        service.update(types.Vm(name="vm1"))
    assert (caught.value.code, caught.value.fault.detail) == (
        409, "[Cannot update VM. The VM name is already in use, please choose a unique name and try again.]")
    assert service.get().name == "vm2"


def test_vm_update_logs_the_configuration_updated_event(connection):
    service = vm_service(connection, "vm2")
    assert service.update(types.Vm(name="vm2-renamed", description="batch")).name == "vm2-renamed"
    event = connection.system_service().events_service().list(max=1)[0]
    assert (event.code, event.description) == (35, "VM vm2-renamed configuration was updated by admin@internal-authz.")
    assert connection.follow_link(event.vm).name == "vm2-renamed"
