"""The RHV Manager's saved state: export -> import into a new engine -> export is the same document,
pending work (a migration in flight, a host on its way to maintenance) completes after the import,
counters go on where they were, and a damaged document is a one-line error that changes nothing."""

from __future__ import annotations

import copy
import json

import pytest
from rhv_support import FIXTURES, START

from simulator import defaults
from simulator.clock import ManualClock
from simulator.rhv.service import Rhv

NEIGHBOUR = {"chassis_id": "00:3a:9c:01:00:65", "port_id": "eth1/1",
             "port_description": "topology/pod-1/paths-101/pathep-[eth1/1]", "system_name": "leaf-101",
             "system_description": "topology/pod-1/node-101"}


def busy_engine() -> Rhv:
    """An engine with something of everything: a migration in flight, a host draining, events, jobs, LLDP."""
    rhv = Rhv(clock=ManualClock(START))
    rhv.load_inventory(FIXTURES / "two-clusters.yaml")
    rhv.set_lldp_neighbours({("host1", "eno1"): NEIGHBOUR})
    rhv.login("password", "admin@internal", "redhat123", "ovirt-app-api", "127.0.0.1")
    with rhv.session():
        rhv.lifecycle.migrate(rhv.find("vms", "web1"), rhv.caller(), rhv.find("hosts", "host2"))
        rhv.hosts.deactivate(rhv.find("hosts", "host4"), rhv.caller(), reason="firmware")
        rhv.lifecycle.start(rhv.find("vms", "db1"), rhv.caller())
    rhv.inject_migration_failure("web2")
    rhv.correlation_id(None)
    return rhv


def test_round_trip_is_the_same_document():
    saved = busy_engine().export_state()
    assert json.loads(json.dumps(saved)) == saved
    restored = Rhv(clock=ManualClock(START))
    restored.import_state(copy.deepcopy(saved))
    assert restored.export_state() == saved


def test_work_in_flight_completes_after_the_import():
    saved = busy_engine().export_state()
    restored = Rhv(clock=ManualClock(START))
    restored.import_state(saved)
    assert restored.find("vms", "web1").status == "migrating"
    restored.clock.advance(60)
    restored.tick()
    web1, host2 = restored.find("vms", "web1"), restored.find("hosts", "host2")
    assert web1.status == "up" and web1.host_id == host2.id
    assert restored.find("hosts", "host4").status == "maintenance"
    assert restored.find("vms", "db1").status == "up"
    codes = [e.code for e in restored.audit.events]
    assert 63 in codes and 600 in codes and 32 in codes
    assert all(j.status == "finished" for j in restored.jobs.jobs.values())


def test_counters_go_on_where_they_were():
    original = busy_engine()
    saved = original.export_state()
    restored = Rhv(clock=ManualClock(START))
    restored.import_state(saved)
    seen = []
    restored.changes.subscribe(seen.extend)
    with restored.session():
        job = restored.lifecycle.stop(restored.find("vms", "batch1"), restored.caller())
    assert restored.audit.events[-1].id == saved["audit"]["next_id"]
    assert seen[0].seq == saved["counters"]["change_seq"] + 1
    with original.session():
        expected = original.lifecycle.stop(original.find("vms", "batch1"), original.caller())
    assert job.id == expected.id  # the id stream goes on from the same place
    assert restored.correlation_id(None) == original.correlation_id(None)
    eno1 = restored.find("hosts", "host1").nics[0]
    assert eno1.lldp == NEIGHBOUR
    restored.reset()
    assert restored.find("hosts", "host1").nics[0].lldp == NEIGHBOUR and restored.counts()["hosts"] == 4


def test_going_back_to_an_earlier_state_reuses_no_id():
    """A lab snapshot restored later: the inventory goes back, the numbers clients have seen do not."""
    rhv = busy_engine()
    earlier = rhv.export_state()
    rhv.clock.advance(60)
    rhv.tick()
    seen_events = {e.id for e in rhv.audit.events}
    seen_jobs = set(rhv.jobs.jobs)
    seen_correlation = rhv.correlation_id(None)
    last_seq = rhv.export_state()["counters"]["change_seq"]
    rhv.import_state(earlier)
    assert rhv.find("vms", "web1").status == "migrating"  # the state did go back
    changes = []
    rhv.changes.subscribe(changes.extend)
    with rhv.session():
        job = rhv.lifecycle.stop(rhv.find("vms", "batch1"), rhv.caller())
    assert rhv.audit.events[-1].id > max(seen_events)
    assert job.id not in seen_jobs
    assert rhv.correlation_id(None) != seen_correlation
    assert changes and changes[0].seq > last_seq


def test_sessions_survive_a_restore():
    rhv = Rhv(clock=ManualClock(START))
    token = rhv.login("password", "admin@internal", "redhat123", "ovirt-app-api")["access_token"]
    restored = Rhv(clock=ManualClock(START))
    restored.import_state(rhv.export_state())
    assert restored.authenticate(f"Bearer {token}") == "admin@internal"


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(format="something else"), "RHV state: not an RHV state document"),
    (lambda d: d["inventory"]["vms"][0].pop("cluster_id"), "RHV state: malformed document"),
    (lambda d: d["timeline"]["pending"].append({"kind": "teleport", "entity_id": "x", "due": 1, "seq": 99,
                                                 "data": {}}), "pending transition of unknown kind 'teleport'"),
    (lambda d: d.pop("counters"), "RHV state: malformed document"),
    (lambda d: d["audit"].update(events="nope"), "RHV state: malformed document"),
])
def test_a_damaged_document_is_one_line_and_changes_nothing(damage, message):
    saved = busy_engine().export_state()
    damage(saved)
    target = Rhv(clock=ManualClock(START))
    target.load_inventory(defaults.RHV_INVENTORY)
    before = target.export_state()
    with pytest.raises(ValueError) as caught:
        target.import_state(saved)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert target.export_state() == before
