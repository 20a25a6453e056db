"""The real ovirtsdk4 editing an unplugged NIC of a running VM, which a real engine lets change whole: its name,
its interface type and its MAC address (kept in lower case, as the engine's MAC pool keeps them), each read back
as set, the other properties kept; a plugged NIC of a running VM refuses a new interface type (no hot update),
and a name another NIC of the VM has is refused. Found by mutation testing of rhv/model/vm_nics.py
(tools/mutation/RESULTS.md): the tests outside the SDK ones changed only plugged, linked and the profile."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from rhv_support import by_name


def nic_of(connection, vm_name="vm1", nic_name="nic1"):
    vms = connection.system_service().vms_service()
    vm = vms.vm_service(by_name(vms, vm_name).id)
    [nic] = [n for n in vm.nics_service().list() if n.name == nic_name]
    return vm, vm.nics_service().nic_service(nic.id)


def test_an_unplugged_nic_takes_a_new_name_interface_and_mac(connection):
    vm, service = nic_of(connection)
    service.deactivate()
    before = service.get()
    service.update(types.Nic(name="uplink0", interface=types.NicInterface.E1000,
                             mac=types.Mac(address="56:6F:AA:BB:CC:0D")))
    after = service.get()
    assert (after.name, after.interface, after.mac.address) == ("uplink0", types.NicInterface.E1000,
                                                                "56:6f:aa:bb:cc:0d")
    assert (after.plugged, after.linked, after.vnic_profile.id) == (False, before.linked, before.vnic_profile.id)

    service.update(types.Nic(linked=not before.linked))  # a change of one property keeps the others
    again = service.get()
    assert (again.name, again.interface, again.mac.address) == (after.name, after.interface, after.mac.address)


def test_a_plugged_nic_of_a_running_vm_keeps_its_interface_type(connection):
    _, service = nic_of(connection)
    before = service.get()
    assert before.plugged is True
    with pytest.raises(sdk.Error) as caught:
        service.update(types.Nic(interface=types.NicInterface.E1000))
    assert caught.value.code == 409
    assert service.get().interface == before.interface


def test_a_name_another_nic_of_the_vm_has_is_refused(connection):
    vm, service = nic_of(connection)
    added = vm.nics_service().add(types.Nic(name="second", plugged=False))
    with pytest.raises(sdk.Error) as caught:
        service.update(types.Nic(name="second"))
    assert caught.value.code in (400, 409)
    assert service.get().name == "nic1"
    assert vm.nics_service().nic_service(added.id).get().name == "second"
