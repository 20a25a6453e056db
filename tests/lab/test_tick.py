"""The lab's tick: moving the clock settles every system, in one order, with no request to any of them;
reactions across systems run outside both systems' locks."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
import requests

from simulator.clock import ManualClock
from simulator.lab import Lab
from simulator.pytest_plugin import sim_session

START = 1_800_000_000.0


@pytest.fixture
def served(tmp_path):
    lab = Lab(clock=ManualClock(START))
    apic = lab.start(tls=False)
    rhv = lab.start_rhv(tls=False)
    control = sim_session(lab)
    yield lab, apic.url, rhv.url, control
    lab.stop()


def _connect(rhv_url: str) -> sdk.Connection:
    return sdk.Connection(url=f"{rhv_url}/ovirt-engine/api", username="admin@internal", password="redhat123",
                          insecure=True)


def test_advancing_the_clock_completes_a_migration_without_any_rhv_request(served):
    lab, apic_url, rhv_url, control = served
    connection = _connect(rhv_url)
    vms = connection.system_service().vms_service()
    vm = vms.list(search="name=vm1")[0]
    source = connection.follow_link(vm.host).name
    vms.vm_service(vm.id).migrate()
    assert vms.vm_service(vm.id).get().status == types.VmStatus.MIGRATING
    connection.close()
    seen: list = []
    lab.rhv.changes.subscribe(seen.extend)

    r = control.post(f"{apic_url}/_sim/clock/advance", json={"seconds": 60})
    assert r.status_code == 200, r.text

    # read the model as it stands, without going through any RHV entry point that would settle it
    vm1 = next(v for v in lab.rhv.inventory.vms.values() if v.name == "vm1")
    assert vm1.status == "up"
    assert lab.rhv.inventory.hosts[vm1.host_id].name != source
    done = [c for c in seen if c.entity == "vm" and c.id == vm1.id and c.fields.get("status") == "up"]
    assert done, f"no change said vm1 is up again: {seen}"


def test_reactions_run_in_the_tick_outside_every_system_lock(served):
    """A listener of the RHV feed queues a reaction; the tick runs it with neither the RHV model's lock
    nor the APIC store's lock held."""
    lab, apic_url, rhv_url, control = served
    ran: list[tuple[bool, bool]] = []

    def react() -> None:
        ran.append((lab.rhv.lock._is_owned(), lab.apic.store.lock._is_owned()))

    def listener(changes) -> None:
        if any(c.entity == "vm" for c in changes):
            lab.reactions.queue("note a VM change", react)

    lab.rhv.changes.subscribe(listener)
    connection = _connect(rhv_url)
    vms = connection.system_service().vms_service()
    vm2 = vms.list(search="name=vm2")[0]
    vms.vm_service(vm2.id).start()
    assert len(lab.reactions) >= 1 and not ran  # queued by the listener, not run inside the RHV request
    control.post(f"{apic_url}/_sim/clock/advance", json={"seconds": 30})
    assert ran and set(ran) == {(False, False)}
    assert len(lab.reactions) == 0
    connection.close()


def test_every_request_ticks_the_lab(served):
    lab, apic_url, rhv_url, control = served
    ran: list[str] = []
    lab.reactions.queue("one", lambda: ran.append("one"))
    session = requests.Session()
    session.trust_env = False
    session.post(f"{apic_url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}})
    assert ran == ["one"]
