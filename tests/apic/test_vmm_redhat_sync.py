"""The Red Hat VMM manager against a scripted inventory source: what asks for a sync, where the engine is
read (never under the store's lock), what a snapshot leaves in the comp tree, and the resync period."""

from __future__ import annotations

from vmm_script import CTRLR, DOMAIN, INV, PRODUCT, scripted_lab
from vmm_script import host as _host
from vmm_script import vm as _vm

from simulator.apic.managers.vmm_ports import ControllerError, Inventory
from simulator.apic.managers.vmm_redhat import RedhatVmm
from simulator.apic.mit.proposed import proposed_mo
from simulator.apic.service import Apic

_lab = scripted_lab


def _dns(apic: Apic) -> set[str]:
    return {mo.dn[len(INV) + 1:] for mo in apic.store.subtree(apic.store.get(INV)) if mo.dn != INV}


def test_a_write_only_queues_the_sync_which_reads_the_engine_outside_the_lock():
    apic, _, reactions, source = _lab()
    assert source.seen == [] and len(reactions) == 1
    assert apic.store.get(INV).get("operSt") == "offline"

    reactions.tick()
    assert source.locked == [False]
    (endpoint,) = source.seen
    assert (endpoint.host, endpoint.port, endpoint.data_center, endpoint.user, endpoint.password) == (
        "rhvm.example", 0, "Default", "admin@internal", "pw")
    inv = apic.store.get(INV)
    assert (inv.get("operSt"), inv.get("vendor"), inv.get("rev")) == ("online", "Red Hat", "4.5.3.5-1.el8ev")

    apic.writer.post(f"{DOMAIN}/usracc-cred", proposed_mo({"vmmUsrAccP": {"attributes": {"pwd": "new"}}}))
    apic.writer.post(f"{DOMAIN}/usracc-cred", proposed_mo({"vmmUsrAccP": {"attributes": {"pwd": "newer"}}}))
    assert len(reactions) == 1  # asked twice before it ran: one sync
    reactions.tick()
    assert source.seen[-1].password == "newer"

    apic.writer.delete(f"{DOMAIN}/usracc-cred")
    reactions.tick()
    assert apic.store.get(INV).get("operSt") == "offline"
    credential = {"vmmUsrAccP": {"attributes": {"usr": "u", "pwd": "p"}}}
    apic.writer.post(f"{DOMAIN}/usracc-cred", proposed_mo(credential))
    reactions.tick()
    assert apic.store.get(INV).get("operSt") == "online" and source.seen[-1].user == "u"


def test_a_snapshot_replaces_the_last_one():
    apic, _, reactions, source = _lab()
    hosts = (_host("h1", "eno1", "eno2"), _host("h2", "eno1"))
    source.answer = Inventory(PRODUCT, "Default", ("Default",), hosts,
                              (_vm("v1", "h1", "56:6f:1a:2b:00:01"), _vm("v2", "h2", "56:6f:1a:2b:00:02")), 9)
    reactions.tick()
    adj1, adj2 = "adj-[leaf-101]-[eth1/1]", "adj-[leaf-102]-[eth1/1]"
    assert _dns(apic) == {"hv-h1", "hv-h1/hpnic-eno1", "hv-h1/hpnic-eno2", "hv-h2", "hv-h2/hpnic-eno1",
                          f"hv-h1/{adj1}", f"hv-h1/{adj2}", "hv-h2/adj-[leaf-101]-[eth1/2]",
                          f"hv-h1/hpnic-eno1/rsnicAdj-[{INV}/hv-h1/{adj1}]",
                          f"hv-h1/hpnic-eno2/rsnicAdj-[{INV}/hv-h1/{adj2}]",
                          f"hv-h2/hpnic-eno1/rsnicAdj-[{INV}/hv-h2/adj-[leaf-101]-[eth1/2]]",
                          "vm-v1", "vm-v1/rshv", "vm-v1/vnic-56:6F:1A:2B:00:01",
                          "vm-v2", "vm-v2/rshv", "vm-v2/vnic-56:6F:1A:2B:00:02", "sw-Default"}
    assert apic.store.get(f"{INV}/hv-h1/{adj2}").get("portDesc") == "topology/pod-1/paths-102/pathep-[eth1/1]"
    assert apic.store.get(f"{INV}/vm-v2/rshv").get("tDn") == f"{INV}/hv-h2"

    source.answer = Inventory(PRODUCT, "Default", ("Default",), (_host("h1", "eno1", heard=False),),
                              (_vm("v1", "", "56:6f:1a:2b:00:01"), _vm("v3", "h1")), 12)
    apic.writer.post(CTRLR, proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "again"}}}))
    reactions.tick()
    assert _dns(apic) == {"hv-h1", "hv-h1/hpnic-eno1", "hv-h1/fault-F606391", "vm-v1",
                          "vm-v1/vnic-56:6F:1A:2B:00:01", "vm-v3", "vm-v3/rshv", "sw-Default"}
    fault = apic.store.get(f"{INV}/hv-h1/fault-F606391")
    assert (fault.get("severity"), fault.get("descr")) == ("major", (
        "[FSM:FAILED]: Get LLDP/CDP adjacency information for the physical adapters on the host: "
        "name-h1(TASK:ifc:vmmmgr:CompHvGetHpNicAdj)"))
    assert apic.store.get(f"{INV}/vm-v1").get("state") == "poweredOff"

    source.answer = Inventory(PRODUCT, "Default", ("Default",), (_host("h1", "eno1"),), (), 13)
    apic.writer.post(CTRLR, proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "recabled"}}}))
    reactions.tick()
    assert apic.store.get(f"{INV}/hv-h1/fault-F606391") is None  # the NIC hears its leaf again: cleared
    assert apic.store.get(f"{INV}/hv-h1/adj-[leaf-101]-[eth1/1]") is not None


def test_a_failure_raises_f0130_and_keeps_its_first_time():
    apic, clock, reactions, source = _lab(credential=False)
    reactions.tick()
    fault = apic.store.get(f"{INV}/fault-F0130")
    assert apic.store.get(INV).get("operSt") == "offline"
    assert "with error: [no credentials: the controller has no vmmRsAcc to a vmmUsrAccP]" in fault.get(
        "descr")
    first = fault.get("created")

    clock.advance(30)
    source.answer = ControllerError("Failed to connect to https://rhvm.example:443: Connection refused")
    apic.writer.post(CTRLR, proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "x"}, "children": [
        {"vmmRsAcc": {"attributes": {"tDn": f"{DOMAIN}/usracc-cred"}}}]}}))
    reactions.tick()
    fault = apic.store.get(f"{INV}/fault-F0130")
    assert "[Failed to connect to https://rhvm.example:443: Connection refused]" in fault.get("descr")
    assert fault.get("created") == fault.get("lastTransition") == first


def test_a_controller_deleted_while_its_engine_is_read_stays_deleted():
    apic, _, reactions, source = _lab()
    source.answer = Inventory(PRODUCT, "Default", ("Default",), (_host("h1"),), (), 1)
    source.during = lambda: apic.writer.delete(CTRLR)
    reactions.tick()
    assert INV not in apic.store
    assert not [mo for mo in apic.store.of_class("compHv")]


def test_every_controller_is_resynced_when_its_period_runs_out():
    apic, clock, reactions, source = _lab()
    reactions.tick()
    vmm = next(h for h in apic.store.hooks if isinstance(h, RedhatVmm))
    for step in (0, 29):  # polls find no event in between
        clock.advance(step)
        vmm.tick()
        reactions.tick()
        assert len(source.seen) == 1
    clock.advance(1)
    vmm.tick()
    reactions.tick()
    assert len(source.seen) == 2


def test_a_new_event_brings_the_sync_forward():
    apic, clock, reactions, source = _lab()
    source.answer = Inventory(PRODUCT, "Default", ("Default",), (), (), 7)
    reactions.tick()
    vmm = next(h for h in apic.store.hooks if isinstance(h, RedhatVmm))
    clock.advance(10)
    vmm.tick()
    reactions.tick()
    assert (source.polled, len(source.seen)) == ([7], 1)  # nothing new: no sync

    source.newest = 8
    clock.advance(10)
    vmm.tick()
    reactions.tick()
    assert (source.polled, len(source.seen)) == ([7, 7], 2)  # the poll queued a sync, run in the same tick

    source.answer = ControllerError("Failed to connect to https://rhvm.example:443: Connection refused")
    apic.writer.post(CTRLR, proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "x"}}}))
    reactions.tick()
    clock.advance(10)
    assert vmm.tick() == 0  # an offline controller is not polled, only resynced on its period


def test_triggering_the_inventory_syncs_at_once_and_reads_untriggered_after():
    apic, clock, reactions, source = _lab()
    reactions.tick()
    vmm = next(h for h in apic.store.hooks if isinstance(h, RedhatVmm))
    vmm.settings.resync_seconds = 1000
    clock.advance(5)
    apic.writer.post(CTRLR, proposed_mo({"vmmCtrlrP": {"attributes": {"inventoryTrigSt": "triggered"}}}))
    assert len(reactions) == 1
    reactions.tick()
    assert len(source.seen) == 2
    assert apic.store.get(CTRLR).get("inventoryTrigSt") == "untriggered"
    assert len(reactions) == 0  # reading untriggered again asks for no further sync
