"""How the APIC store hands its changes on (DESIGN principle 11): each transaction's events reach every
listener once, in commit order, after the store's lock is let go, and before the writer's call returns."""

from __future__ import annotations

import threading
from collections import defaultdict

from simulator.apic.aaa import Caller
from simulator.apic.service import Apic

WRITERS = 4
WRITES = 60
TENANTS = ("t0", "t1", "t2")
ADMIN = Caller(user="admin")


def descr_changes(events) -> list[tuple[str, str]]:
    return [(e.dn, e.changed["descr"]) for e in events if e.cls == "fvTenant" and "descr" in e.changed]


def test_concurrent_writers_listeners_see_every_commit_once_in_commit_order():
    apic = Apic()
    committed: list[tuple[str, str]] = []  # recorded inside each transaction, under the lock: the commit order
    apic.store.hooks.append(lambda txn, events: committed.extend(descr_changes(events)))
    heard: list[tuple[str, str]] = []
    counters_heard: dict[str, list[int]] = defaultdict(list)  # each writer's counter, as the listener heard it

    def listener(events) -> None:
        for dn, descr in descr_changes(events):
            heard.append((dn, descr))
            who, count = descr.split("-")
            counters_heard[who].append(int(count))

    apic.store.subscribe(listener)
    start = threading.Barrier(WRITERS)
    late: list[tuple[str, str]] = []

    def writer(n: int) -> None:
        start.wait()
        for i in range(WRITES):
            dn = f"uni/tn-{TENANTS[(n + i) % len(TENANTS)]}"  # writers interleave on the same tenants
            value = f"w{n}-{i}"
            apic.post(dn, {"fvTenant": {"attributes": {"descr": value}}}, ADMIN)
            if (dn, value) not in heard:
                late.append((dn, value))  # the call returned before its events reached the listener

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(committed) == WRITERS * WRITES
    assert heard == committed  # every commit once, in the order the store committed them
    assert late == []
    assert counters_heard == {f"w{n}": list(range(WRITES)) for n in range(WRITERS)}


def test_listeners_run_once_the_lock_is_let_go():
    apic = Apic()
    free: list[bool] = []

    def try_lock_from_another_thread() -> None:
        got = apic.store.lock.acquire(blocking=False)
        free.append(got)
        if got:
            apic.store.lock.release()

    def listener(_events) -> None:
        probe = threading.Thread(target=try_lock_from_another_thread)
        probe.start()
        probe.join()

    apic.store.subscribe(listener)
    apic.post("uni", {"fvTenant": {"attributes": {"name": "a"}}}, ADMIN)
    assert free == [True]


def test_writes_under_one_lock_hold_are_delivered_when_it_ends_each_as_committed():
    apic = Apic()
    batches: list[list[tuple[str, str, str]]] = []
    apic.store.subscribe(lambda events: batches.append(
        [(e.dn, e.state.get("descr"), e.mo.get("descr")) for e in events if e.cls == "fvTenant"]))
    with apic.store.lock:
        apic.post("uni", {"fvTenant": {"attributes": {"name": "a", "descr": "one"}}}, ADMIN)
        apic.post("uni", {"fvTenant": {"attributes": {"name": "a", "descr": "two"}}}, ADMIN)
        assert batches == []
    # the first batch shows the tenant as its own transaction left it, though the MO has moved on
    assert batches == [[("uni/tn-a", "one", "two")], [("uni/tn-a", "two", "two")]]


def test_a_subscription_filter_judges_the_mo_as_committed():
    apic = Apic()
    token = apic.login("admin", "cisco123").token
    caller = apic.authenticate({"apic-cookie": token}, "GET", ["/"], b"")
    messages = apic.open_socket(token)
    apic.get("class", "", "fvTenant", [("subscription", "yes"), ("query-target-filter", 'eq(fvTenant.descr,"one")')],
             caller)
    with apic.store.lock:
        apic.post("uni", {"fvTenant": {"attributes": {"name": "a", "descr": "one"}}}, caller)
        apic.post("uni", {"fvTenant": {"attributes": {"name": "a", "descr": "two"}}}, caller)
    pushed = messages.get_nowait()
    assert '"status":"created"' in pushed and '"descr":"one"' in pushed
    assert messages.empty()


def test_a_listeners_own_write_reaches_every_listener_after_the_batch_that_caused_it():
    apic = Apic()
    order: list[tuple[str, str]] = []

    def reacting(events) -> None:
        for dn, _ in descr_changes(events):
            order.append(("reacting", dn))
            if dn == "uni/tn-a":
                apic.post("uni", {"fvTenant": {"attributes": {"name": "b", "descr": "reaction"}}}, ADMIN)

    apic.store.subscribe(reacting)
    apic.store.subscribe(lambda events: order.extend(("watching", dn) for dn, _ in descr_changes(events)))
    apic.post("uni", {"fvTenant": {"attributes": {"name": "a", "descr": "first"}}}, ADMIN)
    assert order == [("reacting", "uni/tn-a"), ("watching", "uni/tn-a"),
                     ("reacting", "uni/tn-b"), ("watching", "uni/tn-b")]
