"""What a NIC update refuses and logs, with the real ovirtsdk4, in the engine's words: a MAC that is no MAC
(400) or one another NIC has, a NIC of a migrating VM, a hot re-wire of a profile with port mirroring, a
PCI-passthrough NIC and its profile kind, unlinking a passthrough NIC, and the link state in the update event.

Found by mutation testing (tools/mutation/RESULTS.md, simulator/rhv/model/vm_nics.py)."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from rhv_support import app_network, by_name, on_host

USER = "(User: admin@internal-authz)"


def vm_service(connection, name="vm1"):
    vms = connection.system_service().vms_service()
    return vms.vm_service(by_name(vms, name).id)


def nic_named(vm, name="nic1"):
    [found] = [n for n in vm.nics_service().list() if n.name == name]
    return vm.nics_service().nic_service(found.id)


def added_nic(vm, name="nic1"):
    """A new NIC of a VM (vm2, stopped, has none in the default lab)."""
    return vm.nics_service().nic_service(vm.nics_service().add(types.Nic(name=name)).id)


def refusal(call) -> tuple[int, str]:
    with pytest.raises(sdk.Error) as caught:
        call()
    return caught.value.code, caught.value.fault.detail


def last_event_id(connection) -> int:
    return max(int(e.id) for e in connection.system_service().events_service().list())


def events_since(connection, last: int) -> list[tuple[int, str]]:
    events = connection.system_service().events_service().list(from_=last)
    return [(e.code, e.description) for e in sorted(events, key=lambda e: int(e.id)) if int(e.id) > last]


def profile(connection, network, **kind) -> types.VnicProfile:
    profiles = connection.system_service().vnic_profiles_service()
    return profiles.add(types.VnicProfile(name=f"{network.name}-{'-'.join(kind) or 'plain'}",
                                          network=types.Network(id=network.id), **kind))


@pytest.mark.parametrize("mac", ["56:6f:1a:2b:00", "56-6f-1a-2b-00-01", "zz:6f:1a:2b:00:01"])
def test_a_mac_that_is_no_mac_is_refused_with_400(connection, mac):
    nic = added_nic(vm_service(connection, "vm2"))
    before = nic.get().mac.address
    code, detail = refusal(lambda: nic.update(types.Nic(mac=types.Mac(address=mac))))
    assert code == 400
    assert detail == ('[MAC address must be in format "HH:HH:HH:HH:HH:HH" where H is a hexadecimal character '
                      '(either a digit or A-F, case is insignificant).]')
    assert nic.get().mac.address == before


def test_a_mac_another_nic_has_is_refused_and_the_nics_own_mac_is_not(connection):
    vm2 = vm_service(connection, "vm2")
    taken = nic_named(vm_service(connection, "vm1")).get().mac.address
    nic = added_nic(vm2)
    assert refusal(lambda: nic.update(types.Nic(mac=types.Mac(address=taken.upper())))) == (
        409, "[MAC Address is already in use.]")
    own = nic.get().mac.address
    nic.update(types.Nic(mac=types.Mac(address=own.upper()), name="same-mac"))
    assert (nic.get().mac.address, nic.get().name) == (own, "same-mac")


def test_a_nic_of_a_migrating_vm_is_not_edited(connection):
    vm = vm_service(connection, "vm1")
    vm.migrate(host=types.Host(name="host2"))
    nic = nic_named(vm)
    assert refusal(lambda: nic.update(types.Nic(linked=False))) == (
        409, "[Cannot edit a Network Interface when VM is not Down, Up or Image-Locked.]")
    assert nic.get().linked is True


def test_a_running_vms_nic_on_a_port_mirroring_profile_is_not_rewired(connection):
    network = app_network(connection)
    on_host(connection, network)
    mirrored = profile(connection, network, port_mirroring=True)
    vm = vm_service(connection, "vm1")
    nic = nic_named(vm)
    hot_mirroring = ("[Cannot edit Interface. Update is not possible when 'Port Mirroring' is set on the interface "
                     "of a running virtual machine.]")
    assert refusal(lambda: nic.update(types.Nic(vnic_profile=types.VnicProfile(id=mirrored.id)))) == (
        409, hot_mirroring)
    plain = profile(connection, network)
    nic.deactivate()
    nic.update(types.Nic(vnic_profile=types.VnicProfile(id=mirrored.id)))
    nic.activate()
    assert refusal(lambda: nic.update(types.Nic(linked=False))) == (409, hot_mirroring)
    assert refusal(lambda: nic.update(types.Nic(vnic_profile=types.VnicProfile(id=plain.id)))) == (
        409, hot_mirroring)  # away from a mirrored profile, too
    assert (nic.get().vnic_profile.id, nic.get().linked, nic.get().plugged) == (mirrored.id, True, True)


def test_a_passthrough_nic_needs_a_passthrough_profile_and_stays_linked(connection):
    network = app_network(connection)
    passthrough = profile(connection, network, pass_through=types.VnicPassThrough(mode=types.VnicPassThroughMode.ENABLED))
    plain = profile(connection, network)
    vm = vm_service(connection, "vm2")
    nic = added_nic(vm)
    mismatch = ("[Cannot edit Interface. The network interface type doesn't match the profile. Virtual machine "
                "interface of type 'PCI Passthrough' should have 'Passthrough' profile and vice versa.]")
    assert refusal(lambda: nic.update(types.Nic(vnic_profile=types.VnicProfile(id=passthrough.id)))) == (
        409, mismatch)
    assert refusal(lambda: nic.update(types.Nic(interface=types.NicInterface.PCI_PASSTHROUGH,
                                                vnic_profile=types.VnicProfile(id=plain.id)))) == (409, mismatch)
    nic.update(types.Nic(interface=types.NicInterface.PCI_PASSTHROUGH,
                         vnic_profile=types.VnicProfile(id=passthrough.id)))
    assert nic.get().interface == types.NicInterface.PCI_PASSTHROUGH
    assert refusal(lambda: nic.update(types.Nic(linked=False))) == (
        409, "[Cannot edit Interface. Unlinking of 'passthrough' vm network interface is not supported.]")
    assert nic.get().linked is True


def test_the_update_event_names_the_link_state_only_when_it_changed(connection):
    vm = vm_service(connection, "vm2")
    nic = added_nic(vm)
    start = last_event_id(connection)
    nic.update(types.Nic(linked=False))
    nic.update(types.Nic(linked=True))
    nic.update(types.Nic(name="renamed"))
    assert events_since(connection, start) == [
        (934, f"Interface nic1 (VirtIO) was updated for VM vm2. Link State is DOWN. {USER}"),
        (934, f"Interface nic1 (VirtIO) was updated for VM vm2. Link State is UP. {USER}"),
        (934, f"Interface renamed (VirtIO) was updated for VM vm2.   {USER}"),
    ]


def test_a_nic_update_event_links_the_vm_its_cluster_and_data_center(connection):
    system = connection.system_service()
    vm = vm_service(connection, "vm2")
    nic = added_nic(vm)
    start = last_event_id(connection)
    nic.update(types.Nic(linked=False))
    [event] = [e for e in system.events_service().list(from_=start) if int(e.id) > start]
    cluster = by_name(system.clusters_service(), "Default")
    data_center = by_name(system.data_centers_service(), "Default")
    assert (event.code, event.vm.id, event.cluster.id, event.data_center.id) == (
        934, vm.get().id, cluster.id, data_center.id)


def test_a_nic_name_over_50_characters_is_refused_on_update(connection):
    nic = added_nic(vm_service(connection, "vm2"))
    code, detail = refusal(lambda: nic.update(types.Nic(name="n" * 51)))
    assert (code, detail) == (400, "[size must be between 1 and 50, Attribute: nic.name]")
    assert nic.get().name == "nic1"


def test_a_plug_onto_a_new_profile_is_checked_against_the_new_profiles_network(connection):
    """Unplugged, moved to a profile whose network is not on the VM's host and plugged in one update: refused
    (the old profile's network is on the host, the new one's is not), nothing changed."""
    network = app_network(connection)  # on no host
    elsewhere = profile(connection, network)
    vm = vm_service(connection, "vm1")
    nic = nic_named(vm)
    nic.deactivate()
    before = nic.get()
    code, detail = refusal(lambda: nic.update(types.Nic(plugged=True, vnic_profile=types.VnicProfile(id=elsewhere.id))))
    assert code == 409 and "The Network does not exist on the host the VM is running on." in detail
    after = nic.get()
    assert (after.plugged, after.vnic_profile.id) == (False, before.vnic_profile.id)


def test_a_plug_and_a_rename_in_one_update_log_the_new_name_an_unplug_the_old_one(connection):
    vm = vm_service(connection, "vm1")
    nic = nic_named(vm)
    start = last_event_id(connection)
    nic.update(types.Nic(plugged=False, name="old-gone"))
    nic.update(types.Nic(plugged=True, name="new-name"))
    plug_events = [(code, text) for code, text in events_since(connection, start) if code in (1012, 1014)]
    assert plug_events == [
        (1014, f"Network Interface nic1 (VirtIO) was unplugged from VM vm1. {USER}"),
        (1012, f"Network Interface new-name (VirtIO) was plugged to VM vm1. {USER}"),
    ]
