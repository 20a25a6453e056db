"""The Red Hat VMM manager against a scripted inventory source: what asks for a sync, where the engine is
read (never under the store's lock), what a snapshot leaves in the comp tree, and the resync period."""

from __future__ import annotations

from simulator.apic.managers.vmm_ports import (
    ControllerEndpoint,
    ControllerError,
    Host,
    HostNic,
    Inventory,
    ProductInfo,
    Vm,
    VmNic,
)
from simulator.apic.managers.vmm_redhat import RedhatVmm, RedhatVmmSettings
from simulator.apic.mit.proposed import proposed_mo
from simulator.apic.service import Apic
from simulator.clock import ManualClock
from simulator.reactions import Reactions

DOMAIN = "uni/vmmp-Redhat/dom-rhv"
CTRLR = f"{DOMAIN}/ctrlr-engine"
INV = "comp/prov-Redhat/ctrlr-[rhv]-engine"
PRODUCT = ProductInfo("Red Hat Virtualization Manager", "Red Hat", "4.5.3.5-1.el8ev", "4.5")


def _host(oid: str, *nics: str) -> Host:
    return Host(oid, f"name-{oid}", "192.0.2.1", "up",
                tuple(HostNic(n, n, f"00:1a:4a:00:00:0{i}", "", {}) for i, n in enumerate(nics)))


def _vm(oid: str, host: str, *macs: str) -> Vm:
    return Vm(oid, f"name-{oid}", "up" if host else "down", host,
              tuple(VmNic(m, f"nic{i}", m, "net", None, ()) for i, m in enumerate(macs)))


class Script:
    """An inventory source that answers what the test says and records whether the store was locked."""

    def __init__(self, apic: Apic):
        self.apic = apic
        self.answer: Inventory | ControllerError = Inventory(PRODUCT, "Default", ("Default",), (), (), 0)
        self.seen: list[ControllerEndpoint] = []
        self.locked: list[bool] = []
        self.during = lambda: None
        self.newest = 0
        self.polled: list[int] = []

    def fetch(self, endpoint: ControllerEndpoint) -> Inventory:
        self.seen.append(endpoint)
        self.locked.append(self.apic.store.lock._is_owned())
        self.during()
        if isinstance(self.answer, ControllerError):
            raise self.answer
        return self.answer

    def newest_event(self, endpoint: ControllerEndpoint, after: int) -> int:
        self.polled.append(after)
        return max(self.newest, after)


def _lab(password: str = "pw", credential: bool = True):
    clock = ManualClock(1_800_000_000.0)
    apic = Apic(clock=clock)
    reactions = Reactions()
    source = Script(apic)
    RedhatVmm(apic, source, reactions.queue, RedhatVmmSettings(resync_seconds=30, event_poll_seconds=10))
    children = [{"vmmUsrAccP": {"attributes": {"name": "cred", "usr": "admin@internal", "pwd": password}}}]
    attrs = {"name": "engine", "hostOrIp": "rhvm.example", "rootContName": "Default"}
    ctrlr: dict = {"vmmCtrlrP": {"attributes": attrs}}
    if credential:
        ctrlr["vmmCtrlrP"]["children"] = [{"vmmRsAcc": {"attributes": {"tDn": f"{DOMAIN}/usracc-cred"}}}]
    domain = {"vmmDomP": {"attributes": {"name": "rhv"}, "children": [*children, ctrlr]}}
    apic.writer.post(DOMAIN, proposed_mo(domain))
    return apic, clock, reactions, source


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
    assert _dns(apic) == {"hv-h1", "hv-h1/hpnic-eno1", "hv-h1/hpnic-eno2", "hv-h2", "hv-h2/hpnic-eno1",
                          "vm-v1", "vm-v1/rshv", "vm-v1/vnic-56:6F:1A:2B:00:01",
                          "vm-v2", "vm-v2/rshv", "vm-v2/vnic-56:6F:1A:2B:00:02"}
    assert apic.store.get(f"{INV}/vm-v2/rshv").get("tDn") == f"{INV}/hv-h2"

    source.answer = Inventory(PRODUCT, "Default", ("Default",), (_host("h1", "eno1"),),
                              (_vm("v1", "", "56:6f:1a:2b:00:01"), _vm("v3", "h1")), 12)
    apic.writer.post(CTRLR, proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "again"}}}))
    reactions.tick()
    assert _dns(apic) == {"hv-h1", "hv-h1/hpnic-eno1", "vm-v1", "vm-v1/vnic-56:6F:1A:2B:00:01", "vm-v3",
                          "vm-v3/rshv"}
    assert apic.store.get(f"{INV}/vm-v1").get("state") == "poweredOff"


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
