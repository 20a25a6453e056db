"""Updating a VM with the real ovirtsdk4, in the engine's words: a name another VM has is refused and a VM keeps
its own, memory is changed, each update logs USER_UPDATE_VM (35); the placement policy refuses a host of another
cluster, lists a host given twice once, and keeps the VM's affinity when the one given is unknown.

Found by planting the bugs mutmut makes in simulator/rhv/model/vms.py and placement.py (tools/mutation/RESULTS.md):
the SDK tests of updates let each one through."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from rhv_support import by_name

USER = "admin@internal-authz"


def vm_service(connection, name):
    vms = connection.system_service().vms_service()
    return vms.vm_service(by_name(vms, name).id)


def refusal(call) -> tuple[int, str]:
    with pytest.raises(sdk.Error) as caught:
        call()
    return caught.value.code, caught.value.fault.detail


def last_event_id(connection) -> int:
    return max(int(e.id) for e in connection.system_service().events_service().list())


def events_since(connection, last: int) -> list[tuple[int, str]]:
    events = connection.system_service().events_service().list(from_=last)
    return [(e.code, e.description) for e in sorted(events, key=lambda e: int(e.id)) if int(e.id) > last]


def test_a_name_another_vm_has_is_refused_and_its_own_is_kept(connection):
    vm2 = vm_service(connection, "vm2")
    assert refusal(lambda: vm2.update(types.Vm(name="vm1"))) == (
        409, "[Cannot update VM. The VM name is already in use, please choose a unique name and try again.]")
    assert vm2.get().name == "vm2"
    vm2.update(types.Vm(name="vm2", description="same name"))
    assert (vm2.get().name, vm2.get().description) == ("vm2", "same name")


def test_memory_is_updated_and_each_update_is_logged(connection):
    vm2 = vm_service(connection, "vm2")
    start = last_event_id(connection)
    vm2.update(types.Vm(memory=2 * 1024**3))
    assert vm2.get().memory == 2 * 1024**3
    vm2.update(types.Vm(name="vm2-renamed"))
    assert events_since(connection, start) == [
        (35, f"VM vm2 configuration was updated by {USER}."),
        (35, f"VM vm2-renamed configuration was updated by {USER}."),
    ]


def test_a_host_given_twice_is_listed_once(connection):
    vm = vm_service(connection, "vm1")
    host1 = by_name(connection.system_service().hosts_service(), "host1")
    updated = vm.update(types.Vm(placement_policy=types.VmPlacementPolicy(
        hosts=[types.Host(name="host1"), types.Host(id=host1.id)])))
    assert [h.id for h in updated.placement_policy.hosts] == [host1.id]


def test_an_unknown_affinity_keeps_the_vms(engine, connection):
    vm = vm_service(connection, "vm1")
    vm.update(types.Vm(placement_policy=types.VmPlacementPolicy(affinity=types.VmAffinity.USER_MIGRATABLE)))
    s = engine.session()
    r = s.put(f"{engine.url}/ovirt-engine/api/vms/{vm.get().id}", timeout=30,
              headers={"Content-Type": "application/xml", "Version": "4"},
              data="<vm><placement_policy><affinity>nowhere</affinity></placement_policy></vm>")
    assert r.status_code == 200, r.text
    assert vm.get().placement_policy.affinity == types.VmAffinity.USER_MIGRATABLE


def test_a_host_of_another_cluster_is_refused(engine, connection):
    engine.load("two-clusters.yaml")
    vm = vm_service(connection, "db1")
    assert refusal(lambda: vm.update(types.Vm(placement_policy=types.VmPlacementPolicy(
        hosts=[types.Host(name="host3")])))) == (
        409, "[Cannot update VM. VM is pinned to a specific host. The host's cluster must be the same as the "
             "selected VM cluster.]")
    assert vm.get().placement_policy.hosts is None


def test_a_comment_is_updated_and_the_update_event_links_the_vm_its_cluster_and_data_center(connection):
    system = connection.system_service()
    vm2 = vm_service(connection, "vm2")
    start = last_event_id(connection)
    vm2.update(types.Vm(comment="a note"))
    assert vm2.get().comment == "a note"
    [event] = [e for e in system.events_service().list(from_=start) if int(e.id) > start]
    cluster = by_name(system.clusters_service(), "Default")
    data_center = by_name(system.data_centers_service(), "Default")
    assert (event.code, event.vm.id, event.cluster.id, event.data_center.id) == (
        35, vm2.get().id, cluster.id, data_center.id)
