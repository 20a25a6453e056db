"""The RHV Manager's change feed: every change (a request's, the clock's, a login, a reset) arrives as
typed changes, in order, numbered for the engine's whole life, delivered outside the model's lock
(a listener can read the model) and before the request that made them is answered."""

from __future__ import annotations

import threading

import pytest
from rhv_support import START, by_name

from simulator import defaults
from simulator.clock import ManualClock
from simulator.rhv.model.errors import RhvFault
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


def test_a_migration_is_typed_changes_in_order(rhv):
    seen = listen(rhv)
    vm1, host2 = rhv.find("vms", "vm1"), rhv.find("hosts", "host2")
    with rhv.session():
        rhv.lifecycle.migrate(vm1, rhv.caller(), host2)
    started = [(c.kind, c.entity) for c in seen]
    assert started == [("state-changed", "vm"), ("created", "job"), ("created", "event")]
    assert seen[0].id == vm1.id and seen[0].fields == {"status": "migrating"}
    assert seen[2].fields["code"] == 62
    rhv.clock.advance(rhv.config.migration_seconds)
    assert rhv.tick() == 1
    done = seen[3:]
    assert [(c.kind, c.entity) for c in done] == [("state-changed", "vm"), ("created", "event"),
                                                    ("state-changed", "job")]
    assert done[0].fields == {"status": "up", "host_id": host2.id} and done[1].fields["code"] == 63
    assert done[2].fields["status"] == "finished"
    seqs = [c.seq for c in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and seqs == list(range(seqs[0], seqs[0] + len(seqs)))


def test_adds_updates_and_removals(rhv):
    seen = listen(rhv)
    dc = rhv.find("data_centers", "Default")
    with rhv.session():
        network = rhv.networking.add_network(rhv.caller(), "web", dc.id, vlan=110)
    assert [(c.kind, c.entity) for c in seen] == [("created", "network"), ("created", "vnic_profile"),
                                                    ("created", "job"), ("created", "event")]
    assert seen[0].fields["vlan"] == 110 and seen[0].fields["name"] == "web"
    del seen[:]
    with rhv.session():
        rhv.networking.update_network(network, description="front end")
        rhv.networking.update_network(network, mtu=9000)
    assert [(c.kind, c.entity, c.fields) for c in seen[:1]] == [
        ("updated", "network", {"description": "front end", "mtu": 9000})]
    del seen[:]
    with rhv.session():
        rhv.networking.remove_network(rhv.caller(), network)
    assert [(c.kind, c.entity) for c in seen[:2]] == [("deleted", "vnic_profile"), ("deleted", "network")]


def test_nothing_applied_nothing_published(rhv):
    seen = listen(rhv)
    with pytest.raises(RhvFault), rhv.session():
        rhv.lifecycle.start(rhv.find("vms", "vm1"), rhv.caller())  # running already: refused
    assert seen == []


def test_listeners_run_outside_the_lock_and_can_read_the_model(rhv):
    reads = []

    def listener(changes):
        probe = threading.Thread(target=lambda: reads.append(rhv.counts()["vms"]))
        probe.start()
        probe.join(timeout=5)
        reads.append(("alive", probe.is_alive()))

    rhv.changes.subscribe(listener)
    rhv.set_host_status("host2", "non_operational")
    assert reads == [2, ("alive", False)]


def test_no_event_job_or_change_number_is_reused_across_a_reset(rhv):
    seen = listen(rhv)
    with rhv.session():
        job = rhv.lifecycle.stop(rhv.find("vms", "vm1"), rhv.caller())
    last_event = rhv.audit.events[-1].id
    rhv.reset()
    assert rhv.audit.events == [] and rhv.jobs.jobs == {}
    deleted = {(c.entity, c.id) for c in seen if c.kind == "deleted"}
    assert ("vm", rhv.find("vms", "vm1").id) in deleted and ("event", str(last_event)) in deleted
    with rhv.session():
        again = rhv.lifecycle.stop(rhv.find("vms", "vm1"), rhv.caller())
    assert rhv.audit.events[0].id > last_event and again.id != job.id
    seqs = [c.seq for c in seen]
    assert len(set(seqs)) == len(seqs) and seqs == sorted(seqs)


def test_the_same_object_keeps_its_listeners_and_inventory_across_reset(rhv):
    seen = listen(rhv)
    inventory = rhv.inventory
    rhv.reset()
    assert rhv.inventory is inventory and rhv.find("vms", "vm1") is not None
    created = {c.entity for c in seen if c.kind == "created"}
    assert {"data_center", "cluster", "host", "host_nic", "network_attachment", "network", "vnic_profile", "vm",
            "vm_nic"} <= created


def test_a_requests_changes_reach_listeners_before_its_answer(engine, connection):
    seen = listen(engine.rhv)
    vms = connection.system_service().vms_service()
    vms.vm_service(by_name(vms, "vm1").id).stop()
    assert ("state-changed", "vm", "down") in {(c.kind, c.entity, c.fields.get("status")) for c in seen}
    engine.rhv.changes.unsubscribe(seen.extend)


def test_sso_login_and_logout_are_changes_with_their_events(engine):
    seen = listen(engine.rhv)
    conn = engine.connect()
    conn.system_service().get()
    conn.close()
    codes = [c.fields["code"] for c in seen if c.entity == "event"]
    assert codes == [30, 31]
    assert [c.kind for c in seen if c.entity == "session"] == ["created", "deleted"]
    engine.rhv.changes.unsubscribe(seen.extend)


def test_the_clock_alone_completes_a_boot_through_tick(rhv):
    seen = listen(rhv)
    with rhv.session():
        rhv.lifecycle.start(rhv.find("vms", "vm2"), rhv.caller())
    rhv.clock.advance(rhv.config.boot_seconds)
    assert rhv.tick() == 1 and rhv.tick() == 0
    assert seen[-3].fields == {"status": "up"} and rhv.find("vms", "vm2").status == "up"


def test_a_token_that_expires_on_its_own_ends_its_session_on_the_feed_when_due(rhv):
    """SSO's lifetime runs on the clock: the session ends when its expiry comes due (the tick alone, no
    request with the token), as a `deleted` session change the way a logout's is, but with no logout event
    (SessionDataContainer's cleanup removes an expired session without an audit log entry)."""
    seen = listen(rhv)
    token = rhv.login("password", "admin@internal", "redhat123", "ovirt-app-api")["access_token"]
    [session] = [c for c in seen if c.entity == "session"]
    lifetime = rhv.config.token_lifetime
    rhv.clock.advance(lifetime / 2)
    assert rhv.authenticate(f"Bearer {token}") == "admin@internal"  # used: its lifetime starts again
    rhv.clock.advance(lifetime / 2)
    rhv.tick()
    assert [c for c in seen if c.entity == "session"] == [session]
    assert rhv.authenticate(f"Bearer {token}") == "admin@internal"
    rhv.clock.advance(lifetime)
    del seen[:]
    rhv.tick()
    assert [(c.kind, c.entity, c.id, c.fields) for c in seen] == [
        ("deleted", "session", session.id, {"user": "admin@internal", "expired": True})]
    assert rhv.sso.sessions == {} and rhv.authenticate(f"Bearer {token}") is None
    assert [e.code for e in rhv.audit.events] == [30]
    rhv.clock.advance(lifetime)
    del seen[:]
    rhv.tick()
    assert seen == []


def test_an_expiry_due_while_nobody_looks_is_delivered_in_the_clocks_order(rhv):
    """Advancing past a boot and a token's expiry at once applies both at their own times, oldest first."""
    seen = listen(rhv)
    rhv.login("password", "admin@internal", "redhat123", "ovirt-app-api")
    rhv.clock.advance(rhv.config.token_lifetime - 2 * rhv.config.boot_seconds)  # the boot ends first
    with rhv.session():
        rhv.lifecycle.start(rhv.find("vms", "vm2"), rhv.caller())
    del seen[:]
    rhv.clock.advance(rhv.config.token_lifetime)
    rhv.tick()
    order = [(c.entity, c.kind) for c in seen if c.entity in ("vm", "session")]
    assert order == [("vm", "state-changed"), ("session", "deleted")]
