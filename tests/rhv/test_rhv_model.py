"""The RHV model without HTTP: state machines on the clock, the scheduler's rules, the search
language, the codecs' typing, and the engine's naming rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator import defaults
from simulator.clock import ManualClock
from simulator.rhv.model.entities import vdsm_name
from simulator.rhv.model.errors import RhvFault
from simulator.rhv.model.lifecycle import duration_words
from simulator.rhv.model.timeline import Timeline
from simulator.rhv.resources.search import SearchError, parse
from simulator.rhv.service import Rhv
from simulator.rhv.wire import json_codec as codec_json
from simulator.rhv.wire import xml_codec as codec_xml
from simulator.rhv.wire.tree import Obj, Time, collection

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rhv"
START = 1_800_000_000.0


@pytest.fixture
def rhv() -> Rhv:
    engine = Rhv(clock=ManualClock(START))
    engine.load_inventory(defaults.RHV_INVENTORY)
    return engine


def vm(rhv, name):
    return rhv.find("vms", name)


def host(rhv, name):
    return rhv.find("hosts", name)


def codes(rhv):
    return [e.code for e in rhv.audit.events]


def test_timeline_applies_due_transitions_in_order_at_their_own_time():
    clock = ManualClock(100)
    seen = []
    timeline = Timeline(clock, {"step": lambda pending: seen.append((pending.entity_id, pending.due))})
    timeline.after(5, "step", "b")
    timeline.after(2, "step", "a")
    timeline.after(9, "step", "c").cancel()
    clock.advance(60)
    assert timeline.settle() == 2 and seen == [("a", 102), ("b", 105)]
    assert timeline.pending() == []


def test_state_read_late_still_reports_when_things_happened(rhv):
    with rhv.session():
        rhv.lifecycle.start(vm(rhv, "vm2"), rhv.caller())
    rhv.clock.advance(3600)
    with rhv.session():
        assert vm(rhv, "vm2").status == "up"
    booted = rhv.audit.events[-1]
    assert (booted.code, booted.time) == (32, START + rhv.config.boot_seconds)


def test_stopping_a_booting_vm_cancels_its_boot(rhv):
    with rhv.session():
        rhv.lifecycle.start(vm(rhv, "vm2"), rhv.caller())
        rhv.lifecycle.stop(vm(rhv, "vm2"), rhv.caller())
    rhv.clock.advance(60)
    rhv.tick()
    assert vm(rhv, "vm2").status == "down" and codes(rhv) == [153, 33]


def test_stopping_a_migrating_vm_aborts_the_migration(rhv):
    with rhv.session():
        job = rhv.lifecycle.migrate(vm(rhv, "vm1"), rhv.caller(), host(rhv, "host2"))
        rhv.lifecycle.stop(vm(rhv, "vm1"), rhv.caller())
    rhv.clock.advance(60)
    rhv.tick()
    assert job.status == "aborted" and vm(rhv, "vm1").host_id is None and 63 not in codes(rhv)


def test_cancel_migration(rhv):
    with rhv.session():
        rhv.lifecycle.migrate(vm(rhv, "vm1"), rhv.caller())
        rhv.lifecycle.cancel_migration(vm(rhv, "vm1"), rhv.caller())
        with pytest.raises(RhvFault, match="Cannot cancel migration for non migrating VM."):
            rhv.lifecycle.cancel_migration(vm(rhv, "vm1"), rhv.caller())
    rhv.clock.advance(60)
    rhv.tick()
    assert vm(rhv, "vm1").host_id == host(rhv, "host1").id and codes(rhv) == [62, 161]


def test_destination_leaving_service_fails_the_migration(rhv):
    with rhv.session():
        job = rhv.lifecycle.migrate(vm(rhv, "vm1"), rhv.caller(), host(rhv, "host2"))
    rhv.set_host_status("host2", "non_responsive")
    rhv.clock.advance(2)
    rhv.tick()
    assert job.status == "failed" and vm(rhv, "vm1").status == "up" and vm(rhv, "vm1").host_id == host(rhv, "host1").id
    assert rhv.audit.events[-1].description.startswith("Migration failed due to an Error: Destination host is not")


def test_a_vm_booting_on_a_host_going_to_maintenance_is_moved_once_up(rhv):
    with rhv.session():
        rhv.lifecycle.stop(vm(rhv, "vm1"), rhv.caller())
        rhv.lifecycle.start(vm(rhv, "vm2"), rhv.caller())  # lands on host1: both are empty, host1 sorts first
        assert vm(rhv, "vm2").host_id == host(rhv, "host1").id
        rhv.hosts.deactivate(host(rhv, "host1"), rhv.caller())
    rhv.clock.advance(rhv.config.boot_seconds + rhv.config.migration_seconds + rhv.config.maintenance_seconds)
    rhv.tick()
    assert host(rhv, "host1").status == "maintenance" and vm(rhv, "vm2").host_id == host(rhv, "host2").id
    assert codes(rhv)[-4:] == [32, 67, 63, 620]


def test_an_empty_host_reaches_maintenance_after_a_moment(rhv):
    with rhv.session():
        rhv.hosts.deactivate(host(rhv, "host2"), rhv.caller(), reason="firmware")
    assert host(rhv, "host2").status == "preparing_for_maintenance"
    rhv.clock.advance(rhv.config.maintenance_seconds)
    rhv.tick()
    assert host(rhv, "host2").status == "maintenance"
    assert rhv.audit.events[-1].description == (
        "Host host2 was switched to Maintenance mode by admin@internal-authz (Reason: firmware).")


def test_a_non_operational_host_is_evacuated(rhv):
    rhv.set_host_status("host1", "non_operational")
    assert vm(rhv, "vm1").status == "migrating"
    assert rhv.audit.events[-1].description.endswith("Reason: Host is non operational).")
    rhv.clock.advance(2)
    rhv.tick()
    assert vm(rhv, "vm1").host_id == host(rhv, "host2").id


def test_scheduler_balances_and_breaks_ties_by_name(rhv):
    with rhv.session():
        rhv.lifecycle.start(vm(rhv, "vm2"), rhv.caller())
    assert vm(rhv, "vm2").host_id == host(rhv, "host2").id  # host1 already runs vm1


def test_duration_words():
    assert [duration_words(s) for s in (0, 1, 2, 60, 65, 3600, 3725)] == [
        "0 seconds", "1 second", "2 seconds", "1 minute", "1 minute 5 seconds", "1 hour", "1 hour 2 minutes 5 seconds"]


def test_vdsm_name_rule():
    assert vdsm_name("ovirtmgmt", "b72e06f5-5646-48f2-ae24-0cc59e5dbdbb") == "ovirtmgmt"
    assert vdsm_name("tn1|ap1|epg2", "b72e06f5-5646-48f2-ae24-0cc59e5dbdbb") == "onb72e06f556464"
    assert vdsm_name("a-name-of-16-chr", "f28166e8-6711-4e05-88ed-88262258086c") == "onf28166e867114"


def test_search_language():
    query = parse('Vms: name="my vm" and status!=down or host=h1* sortby name desc page 2')
    assert [[(t.field, t.op, t.value) for t in g] for g in query.groups] == [
        [("name", "=", "my vm"), ("status", "!=", "down")], [("host", "=", "h1*")]]
    assert (query.sort_by, query.descending, query.page) == ("name", True, 2)
    items = [{"name": "a", "n": 3}, {"name": "B", "n": 10}]
    fields = {"name": lambda i: i["name"], "n": lambda i: i["n"]}
    assert parse("n>5").select(items, fields) == [items[1]]
    assert parse("name=b").select(items, fields) == [items[1]]
    assert parse("name=b").select(items, fields, case_sensitive=True) == []
    with pytest.raises(SearchError):
        parse("name=").select(items, fields)
    with pytest.raises(SearchError):
        parse("colour=red").select(items, fields)


def test_json_writes_the_engines_types():
    obj = Obj("vm", {"href": "/ovirt-engine/api/vms/1", "id": "1"})
    obj.add("stateless", False).add("memory", 1024).add("start_time", Time(1.5)).add("vlan", Obj("vlan", {"id": 7}))
    obj.add("link", [Obj("link", {"href": "/x", "rel": "nics"})])
    assert json.loads(codec_json.render(obj)) == {
        "href": "/ovirt-engine/api/vms/1", "id": "1", "stateless": "false", "memory": 1024, "start_time": 1500,
        "vlan": {"id": 7}, "link": [{"href": "/x", "rel": "nics"}]}
    assert json.loads(codec_json.render(collection("vms", "vm", []))) == {}
    assert json.loads(codec_json.render(collection("vms", "vm", [Obj("vm", {"id": "1"})]))) == {"vm": [{"id": "1"}]}


def test_xml_writes_dates_and_attributes():
    obj = Obj("event", {"id": "5"}).add("time", Time(START)).add("vlan", Obj("vlan", {"id": 100}))
    assert codec_xml.render(obj).decode() == (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<event id="5">\n    <time>2027-01-15T08:00:00.000+00:00</time>\n    <vlan id="100"/>\n</event>\n')


def test_json_bodies_read_like_xml_ones():
    body = codec_json.parse(b'{"name": "n", "vlan": {"id": 10}, "usages": {"usage": ["vm"]}, "stp": false}', "network")
    assert (body.text("name"), body.attr_int("vlan", "id"), body.texts("usages/usage"), body.bool("stp")) == (
        "n", 10, ["vm"], False)


@pytest.mark.parametrize("xml, read", [
    (b"<network><mtu>abc</mtu></network>", lambda b: b.int("mtu")),
    (b"<network><stp>yes</stp></network>", lambda b: b.bool("stp")),
    (b"<network><vlan id='x'/></network>", lambda b: b.attr_int("vlan", "id")),
    (b"<network><name>", None),
])
def test_bad_input_is_a_400_not_a_traceback(xml, read):
    with pytest.raises(RhvFault) as caught:
        body = codec_xml.parse(xml)
        read(body)
    assert caught.value.status == 400


def test_xml_entities_are_not_expanded():
    body = codec_xml.parse(b'<!DOCTYPE n [<!ENTITY e SYSTEM "file:///etc/passwd">]><network><name>&e;</name></network>')
    assert "root:" not in (body.text("name") or "")


def test_correlation_ids_are_cleaned_like_the_engine(rhv):
    assert rhv.correlation_id("aci-add net/1!") == "aci-addnet1"
    assert rhv.correlation_id("x" * 50) == "x" * 36
    generated = rhv.correlation_id(None)
    assert len(generated) == 8 and generated != rhv.correlation_id(None)


def test_mac_pool_skips_addresses_in_use(rhv):
    with rhv.session():
        first = rhv.networking.allocate_mac()
        vm2 = vm(rhv, "vm2")
        rhv.networking.add_vm_nic(rhv.caller(), vm2, "nic1", mac="56:6F:1A:2B:00:02")
        rhv.networking.add_vm_nic(rhv.caller(), vm2, "nic2")
    assert first == "56:6f:1a:2b:00:00"
    assert [n.mac for n in vm2.nics] == ["56:6f:1a:2b:00:02", "56:6f:1a:2b:00:00"]
    assert rhv.networking.allocate_mac() == "56:6f:1a:2b:00:03"


def test_runtime_ids_follow_the_seed():
    def network_id():
        engine = Rhv(clock=ManualClock(START))
        with engine.session():
            dc = engine.find("data_centers", "Default")
            return engine.networking.add_network(engine.caller(), "n1", dc.id).id

    assert network_id() == network_id()
