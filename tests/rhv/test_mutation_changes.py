"""One operation's changes as the RHV Manager's change feed delivers them: one change per entity, fields set
twice merged, a status among them making it a state change (whichever came first), nothing for an entity created
and removed in the same operation, only the removal for one changed and then removed, and the removed entity's
fields on its deletion.

Found by mutation testing (tools/mutation/RESULTS.md, simulator/rhv/model/changes.py): the feed's tests changed
each entity once per operation."""

from __future__ import annotations

import pytest
from rhv_support import START

from simulator import defaults
from simulator.clock import ManualClock
from simulator.rhv.service import Rhv


@pytest.fixture
def rhv() -> Rhv:
    engine = Rhv(clock=ManualClock(START))
    engine.load_inventory(defaults.RHV_INVENTORY)
    return engine


def listen(rhv: Rhv) -> list:
    seen: list = []
    rhv.changes.subscribe(seen.extend)
    return seen


def of(seen: list, entity: str) -> list[tuple[str, dict]]:
    return [(c.kind, c.fields) for c in seen if c.entity == entity]


def test_an_entity_changed_twice_in_one_operation_is_one_merged_change(rhv):
    seen = listen(rhv)
    vm = rhv.find("vms", "vm2")
    with rhv.session():
        rhv.engine.set(vm, description="first", comment="kept")
        rhv.engine.set(vm, description="second")
    assert of(seen, "vm") == [("updated", {"description": "second", "comment": "kept"})]
    assert [c.id for c in seen if c.entity == "vm"] == [vm.id]


@pytest.mark.parametrize("status_first", [True, False])
def test_a_status_among_the_fields_makes_it_a_state_change_whichever_came_first(rhv, status_first):
    seen = listen(rhv)
    vm = rhv.find("vms", "vm2")
    new_status = "up" if vm.status != "up" else "down"
    with rhv.session():
        if status_first:
            rhv.engine.set(vm, status=new_status)
            rhv.engine.set(vm, description="with a status")
        else:
            rhv.engine.set(vm, description="with a status")
            rhv.engine.set(vm, status=new_status)
    assert of(seen, "vm") == [("state-changed", {"status": new_status, "description": "with a status"})]


def test_setting_what_an_entity_already_has_is_no_change(rhv):
    seen = listen(rhv)
    vm = rhv.find("vms", "vm2")
    with rhv.session():
        rhv.engine.set(vm, description=vm.description, name=vm.name)
    assert seen == []


def test_an_entity_created_and_removed_in_one_operation_never_shows(rhv):
    seen = listen(rhv)
    dc = rhv.find("data_centers", "Default")
    with rhv.session():
        kept = rhv.networking.add_network(rhv.caller(), "kept", dc.id, vlan=120)
        gone = rhv.networking.add_network(rhv.caller(), "gone", dc.id, vlan=121)
        rhv.networking.update_network(gone, description="changed before it went")
        rhv.networking.remove_network(rhv.caller(), gone)
    networks = [(c.kind, c.id) for c in seen if c.entity == "network"]
    assert networks == [("created", kept.id)]
    assert all(c.id != gone.id for c in seen)
    seqs = [c.seq for c in seen]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no gap where the dropped ones were


def test_an_entity_created_then_changed_in_one_operation_is_one_creation_with_the_last_values(rhv):
    seen = listen(rhv)
    dc = rhv.find("data_centers", "Default")
    with rhv.session():
        network = rhv.networking.add_network(rhv.caller(), "late", dc.id, vlan=122)
        rhv.networking.update_network(network, description="set later", mtu=9000)
    ((kind, fields),) = of(seen, "network")
    assert kind == "created"
    assert (fields["name"], fields["vlan"], fields["description"], fields["mtu"]) == ("late", 122, "set later", 9000)


def test_an_entity_changed_then_removed_in_one_operation_shows_only_its_removal(rhv):
    dc = rhv.find("data_centers", "Default")
    with rhv.session():
        network = rhv.networking.add_network(rhv.caller(), "short", dc.id, vlan=123)
    seen = listen(rhv)
    with rhv.session():
        rhv.networking.update_network(network, description="last words")
        rhv.networking.remove_network(rhv.caller(), network)
    assert [(c.kind, c.id) for c in seen if c.entity == "network"] == [("deleted", network.id)]
    [profile_removal] = [c for c in seen if c.entity == "vnic_profile"]
    assert profile_removal.kind == "deleted"


def test_a_removal_carries_the_fields_the_model_gives_it_and_each_change_is_its_own(rhv):
    dc = rhv.find("data_centers", "Default")
    with rhv.session():
        first = rhv.networking.add_network(rhv.caller(), "one", dc.id, vlan=124)
        second = rhv.networking.add_network(rhv.caller(), "two", dc.id, vlan=125)
    seen = listen(rhv)
    with rhv.session():
        rhv.networking.remove_network(rhv.caller(), first)
        rhv.networking.remove_network(rhv.caller(), second)
    removals = [c for c in seen if c.entity == "network"]
    assert [(c.kind, c.id, c.fields) for c in removals] == [("deleted", first.id, {"name": "one"}),
                                                             ("deleted", second.id, {"name": "two"})]
    assert len({id(c.fields) for c in seen}) == len(seen)  # no two changes share their fields
