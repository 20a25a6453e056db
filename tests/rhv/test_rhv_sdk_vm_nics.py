"""The real ovirtsdk4 (and ovirt.ovirt's ovirt_nic) changing a VM's NICs as a real engine lets them change:
hot unplug and plug on a running VM (the activate/deactivate actions and `update(Nic(plugged=...))`),
another vNIC profile on a running VM (a hot re-wire: the new network must be on the VM's host), a plugged NIC
added to a running VM (a hot plug: refused whole unless its network is on the VM's host), what a running VM
refuses in the engine's words, the events each change logs, and removal only once unplugged."""

from __future__ import annotations

import json

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from playbooks import run_playbook
from rhv_support import PASSWORD, app_network, by_name, on_host


def vm_service(connection, name="vm1"):
    vms = connection.system_service().vms_service()
    return vms.vm_service(by_name(vms, name).id)


def nic_named(vm, name="nic1"):
    found = [n for n in vm.nics_service().list() if n.name == name]
    assert len(found) == 1, [n.name for n in vm.nics_service().list()]
    return vm.nics_service().nic_service(found[0].id)


def profile_of(connection, network):
    return connection.system_service().networks_service().network_service(network.id).vnic_profiles_service().list()[0]


def events_since(connection, last: int) -> list[tuple[int, str]]:
    events = connection.system_service().events_service().list(from_=last)
    return [(e.code, e.description) for e in sorted(events, key=lambda e: int(e.id)) if int(e.id) > last]


def last_event_id(connection) -> int:
    return max(int(e.id) for e in connection.system_service().events_service().list())


def refusal(call) -> tuple[int, str]:
    with pytest.raises(sdk.Error) as caught:
        call()
    return caught.value.code, caught.value.fault.detail


USER = "(User: admin@internal-authz)"
NOT_ON_HOST = ("[The Network does not exist on the host the VM is running on.\n Either add the Network to the Host, "
               "migrate the VM to a Host that has this Network, or add the vNic as unplugged.]")


def test_unplug_and_replug_a_nic_of_a_running_vm(connection):
    vm = vm_service(connection)
    nic = nic_named(vm)
    start = last_event_id(connection)
    nic.deactivate()
    assert nic.get().plugged is False
    assert [d.name for d in vm.reported_devices_service().list()] == []  # gone from the guest
    nic.update(types.Nic(plugged=True))
    assert nic.get().plugged is True
    assert [d.name for d in vm.reported_devices_service().list()] == ["eth0"]
    assert events_since(connection, start) == [
        (1014, f"Network Interface nic1 (VirtIO) was unplugged from VM vm1. {USER}"),
        (934, f"Interface nic1 (VirtIO) was updated for VM vm1.   {USER}"),
        (1012, f"Network Interface nic1 (VirtIO) was plugged to VM vm1. {USER}"),
        (934, f"Interface nic1 (VirtIO) was updated for VM vm1.   {USER}"),
    ]


def test_activate_and_deactivate_are_the_nics_actions(engine, connection):
    vm = vm_service(connection)
    nic = nic_named(vm)
    body = engine.session().get(f"{engine.url}/ovirt-engine/api/vms/{vm.get().id}/nics/{nic.get().id}",
                                headers={"Accept": "application/json"}).json()
    assert sorted(a["rel"] for a in body["actions"]["link"]) == ["activate", "deactivate"]
    nic.deactivate()
    nic.deactivate()  # already unplugged: nothing to do, still a success
    nic.activate()
    assert nic.get().plugged is True


def test_profile_change_on_a_running_vm_rewires_the_nic(connection):
    network = app_network(connection)
    on_host(connection, network)
    vm = vm_service(connection)
    nic = nic_named(vm)
    start = last_event_id(connection)
    updated = nic.update(types.Nic(vnic_profile=types.VnicProfile(id=profile_of(connection, network).id)))
    assert updated.vnic_profile.id == profile_of(connection, network).id and updated.plugged is True
    assert nic.get().vnic_profile.id == profile_of(connection, network).id
    assert events_since(connection, start) == [(934, f"Interface nic1 (VirtIO) was updated for VM vm1.   {USER}")]
    nic.update(types.Nic(linked=False))
    assert nic.get().linked is False
    assert events_since(connection, start)[-1] == (
        934, f"Interface nic1 (VirtIO) was updated for VM vm1. Link State is DOWN. {USER}")


def test_a_network_missing_on_the_vms_host_is_refused(connection):
    network = app_network(connection)  # on the cluster, not on host1
    vm = vm_service(connection)
    nic = nic_named(vm)
    profile = types.VnicProfile(id=profile_of(connection, network).id)
    assert refusal(lambda: nic.update(types.Nic(vnic_profile=profile))) == (409, NOT_ON_HOST)
    assert nic.get().vnic_profile.id != profile.id

    nic.deactivate()  # unplugged, the NIC may take the profile; plugging it back is the hot plug that fails
    nic.update(types.Nic(vnic_profile=profile))
    start = last_event_id(connection)
    assert refusal(nic.activate) == (409, NOT_ON_HOST)
    assert nic.get().plugged is False
    assert events_since(connection, start) == [
        (935, f"Failed to update Interface nic1 (VirtIO) for VM vm1. {USER}")]



def test_a_plugged_nic_is_not_added_to_a_running_vm_whose_host_lacks_its_network(connection):
    """AddVmInterfaceCommand hot-plugs a plugged NIC; the refused hot plug undoes the whole add."""
    network = app_network(connection)  # on the cluster, not on host1
    vm = vm_service(connection)
    profile = types.VnicProfile(id=profile_of(connection, network).id)
    start = last_event_id(connection)
    assert refusal(lambda: vm.nics_service().add(types.Nic(name="web0", vnic_profile=profile))) == (
        409, NOT_ON_HOST)
    assert [n.name for n in vm.nics_service().list()] == ["nic1"]
    assert events_since(connection, start) == [(933, f"Failed to add Interface web0 (VirtIO) to VM vm1. {USER}")]

    added = vm.nics_service().add(types.Nic(name="web0", vnic_profile=profile, plugged=False))  # the advice
    assert (added.name, added.plugged, added.vnic_profile.id) == ("web0", False, profile.id)
    assert [d.name for d in vm.reported_devices_service().list()] == ["eth0"]
    assert events_since(connection, start)[1:] == [(932, f"Interface web0 (VirtIO) was added to VM vm1. {USER}")]


def test_a_plugged_nic_is_hot_plugged_once_the_network_is_on_the_vms_host(connection):
    network = app_network(connection)
    on_host(connection, network)
    vm = vm_service(connection)
    start = last_event_id(connection)
    added = vm.nics_service().add(types.Nic(name="web0", vnic_profile=types.VnicProfile(
        id=profile_of(connection, network).id)))
    assert (added.plugged, added.vnic_profile.id) == (True, profile_of(connection, network).id)
    assert [n.name for n in vm.nics_service().list()] == ["nic1", "web0"]
    assert [d.name for d in vm.reported_devices_service().list()] == ["eth0", "eth1"]
    assert events_since(connection, start) == [(932, f"Interface web0 (VirtIO) was added to VM vm1. {USER}")]


def test_a_stopped_vm_takes_a_plugged_nic_on_any_network_of_its_cluster(connection):
    network = app_network(connection)  # on no host: a stopped VM plugs nothing into a host
    vm = vm_service(connection, "vm2")
    start = last_event_id(connection)
    added = vm.nics_service().add(types.Nic(name="web0", vnic_profile=types.VnicProfile(
        id=profile_of(connection, network).id)))
    assert (added.plugged, vm.nics_service().nic_service(added.id).get().plugged) == (True, True)
    assert events_since(connection, start) == [(932, f"Interface web0 (VirtIO) was added to VM vm2. {USER}")]


def test_no_nic_is_added_to_a_migrating_vm(connection):
    vm = vm_service(connection)
    vm.migrate(host=types.Host(name="host2"))
    assert vm.get().status == types.VmStatus.MIGRATING
    assert refusal(lambda: vm.nics_service().add(types.Nic(name="web0", plugged=False))) == (
        409, "[Cannot add a Network Interface when VM is not Down, Up or Image-Locked.]")
    assert [n.name for n in vm.nics_service().list()] == ["nic1"]

def test_what_a_running_vm_refuses(connection):
    system = connection.system_service()
    network = system.networks_service().add(types.Network(
        name="elsewhere", data_center=types.DataCenter(name="Default"), vlan=types.Vlan(id=130)))
    nic = nic_named(vm_service(connection))
    other_cluster = types.VnicProfile(id=profile_of(connection, network).id)
    assert refusal(lambda: nic.update(types.Nic(vnic_profile=other_cluster))) == (
        409, "[The specified Logical Network doesn't exist in the current Cluster.]")
    hot = ("[Cannot edit Interface. Updating some of the properties is not supported while the interface is plugged "
           "into a running virtual machine. Please un-plug the interface, update the properties, and then plug it "
           "back.]")
    assert refusal(lambda: nic.update(types.Nic(mac=types.Mac(address="56:6f:1a:2b:00:99")))) == (409, hot)
    assert refusal(lambda: nic.update(types.Nic(interface=types.NicInterface.E1000))) == (409, hot)
    assert refusal(lambda: nic.update(types.Nic(vnic_profile=types.VnicProfile(
        id="7f0c5a3e-0000-4000-8000-000000000001")))) == (
        409, "[Cannot edit Interface. The specified VM network interface profile doesn't exist.]")
    nic.deactivate()
    nic.update(types.Nic(mac=types.Mac(address="56:6f:1a:2b:00:99"), interface=types.NicInterface.E1000))
    got = nic.get()
    assert (got.mac.address, got.interface, got.plugged) == ("56:6f:1a:2b:00:99", types.NicInterface.E1000, False)


def test_a_stopped_vms_nic_changes_freely(connection):
    network = app_network(connection)  # not on any host: a stopped VM's NIC needs no host
    vm = vm_service(connection, "vm2")
    added = vm.nics_service().add(types.Nic(name="nic1"))
    nic = vm.nics_service().nic_service(added.id)
    nic.update(types.Nic(name="eth-app", vnic_profile=types.VnicProfile(id=profile_of(connection, network).id),
                         mac=types.Mac(address="56:6F:1A:2B:00:77"), interface=types.NicInterface.E1000))
    got = nic.get()
    assert (got.name, got.mac.address, got.interface) == ("eth-app", "56:6f:1a:2b:00:77", types.NicInterface.E1000)
    nic.update(types.Nic(vnic_profile=types.VnicProfile()))  # an empty profile: the NIC is on no network
    assert nic.get().vnic_profile is None


def test_a_plugged_nic_of_a_running_vm_is_removed_only_after_unplugging(connection):
    vm = vm_service(connection)
    nic = nic_named(vm)
    assert refusal(nic.remove) == (
        409, "[Cannot remove Interface. The VM Network Interface is plugged to a running VM.]")
    nic.deactivate()
    start = last_event_id(connection)
    nic.remove()
    assert vm.nics_service().list() == []
    assert events_since(connection, start) == [
        (930, f"Interface nic1 (VirtIO) was removed from VM vm1. {USER}")]


def test_the_network_can_go_once_its_last_nic_moved_to_another_profile(connection):
    """What the APIC's VMM integration waits for: a NIC leaves an EPG's network, then the network goes."""
    system = connection.system_service()
    leaving, staying = app_network(connection, "epg-a", 121), app_network(connection, "epg-b", 122)
    on_host(connection, leaving, nic="eno2")
    on_host(connection, staying, nic="eno2")
    vm = vm_service(connection)
    added = vm.nics_service().add(types.Nic(name="web0", vnic_profile=types.VnicProfile(
        id=profile_of(connection, leaving).id)))
    network_service = system.networks_service().network_service(leaving.id)
    assert "used by virtual machine: vm1" in refusal(network_service.remove)[1]
    vm.nics_service().nic_service(added.id).update(types.Nic(vnic_profile=types.VnicProfile(
        id=profile_of(connection, staying).id)))
    network_service.remove()
    assert sorted(n.name for n in system.networks_service().list()) == ["epg-b", "ovirtmgmt"]


# --- ovirt.ovirt's ovirt_nic ----------------------------------------------------------------------------
PLAYBOOK = [{
    "name": "ovirt_nic against acisim", "hosts": "localhost", "connection": "local", "gather_facts": False,
    "tasks": [
        {"name": "01 log in", "ovirt.ovirt.ovirt_auth": {
            "url": "{{ rhv_url }}", "username": "admin@internal", "password": "{{ rhv_password }}",
            "insecure": True}},
        {"name": "02 the NIC on the other profile", "ovirt.ovirt.ovirt_nic": {
            "auth": "{{ ovirt_auth }}", "vm": "vm1", "name": "web0", "network": "epg-b", "profile": "epg-b"}},
        {"name": "03 the NIC unplugged", "ovirt.ovirt.ovirt_nic": {
            "auth": "{{ ovirt_auth }}", "vm": "vm1", "name": "web0", "network": "epg-b", "profile": "epg-b",
            "state": "unplugged"}},
    ],
}]


@pytest.mark.slow
def test_ovirt_nic_moves_a_nic_to_another_profile_once(engine, connection, tmp_path):
    first, second = app_network(connection, "epg-a", 121), app_network(connection, "epg-b", 122)
    on_host(connection, first)
    on_host(connection, second)
    vm = vm_service(connection)
    added = vm.nics_service().add(types.Nic(name="web0", vnic_profile=types.VnicProfile(
        id=profile_of(connection, first).id)))
    playbook = tmp_path / "ovirt_nic.yml"
    playbook.write_text(json.dumps(PLAYBOOK))  # YAML is a superset of JSON
    extra = {"rhv_url": f"{engine.url}/ovirt-engine/api", "rhv_password": PASSWORD}
    runs = [run_playbook(tmp_path, f"run{i}", playbook, extra, timeout=300) for i in (1, 2)]
    for run in runs:
        run.assert_ok(["01", "02", "03"])
    assert runs[0].changed() == {"02", "03"}, runs[0].summary()
    assert runs[1].changed() == set(), runs[1].summary()
    got = vm.nics_service().nic_service(added.id).get()
    assert (got.vnic_profile.id, got.plugged) == (profile_of(connection, second).id, False)
