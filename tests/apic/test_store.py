"""The management information tree (simulator.apic.mit.store): indexes, events, transactions."""

from __future__ import annotations

import pytest

from simulator.apic.mit.catalog import default_catalog
from simulator.apic.mit.store import Store
from simulator.persist.document import apic_rows


def tree_rows(store) -> list:
    """The tree as [dn, class, attrs] rows, parents first: what a test compares before and after."""
    with store.lock:
        return apic_rows(store)

CAT = default_catalog()

TREE = [
    ("polUni", "uni", {}),
    ("fvTenant", "uni/tn-a", {"name": "a"}),
    ("fvBD", "uni/tn-a/BD-b1", {"name": "b1"}),
    ("fvBD", "uni/tn-a/BD-b2", {"name": "b2", "arpFlood": "yes"}),
    ("fvCtx", "uni/tn-a/ctx-v", {"name": "v"}),
    ("fvAp", "uni/tn-a/ap-p", {"name": "p"}),
    ("fvAEPg", "uni/tn-a/ap-p/epg-e", {"name": "e"}),
    ("fvRsBd", "uni/tn-a/ap-p/epg-e/rsbd", {"tnFvBDName": "b1"}),
    ("fvTenant", "uni/tn-z", {"name": "z"}),
    ("vmmProvP", "uni/vmmp-VMware", {"vendor": "VMware"}),
    ("vmmDomP", "uni/vmmp-VMware/dom-d", {"name": "d"}),
]


def build() -> Store:
    store = Store(CAT)
    with store.transaction() as txn:
        for cls, dn, attrs in TREE:
            txn.create(CAT.get(cls), dn, dict(attrs))
    return store


def class_index(store: Store) -> dict[str, set[str]]:
    """The class index without empty buckets (an emptied bucket means the same as none)."""
    return {cls: set(mos) for cls, mos in store.by_class.items() if mos}


def dns(mos) -> set[str]:
    return {mo.dn for mo in mos}


def record(store: Store) -> list:
    seen: list = []
    store.subscribe(lambda events: seen.append(list(events)))
    return seen


# --------------------------------------------------------------------------------------------------
# indexes


def test_by_dn_index():
    store = build()
    assert len(store) == len(TREE)
    for cls, dn, _ in TREE:
        assert dn in store
        assert store.get(dn).cls == cls
        assert store.get(dn).dn == dn
    assert store.get("uni/tn-nope") is None
    assert "" in store and store.get("").cls == "topRoot"


def test_by_class_index_includes_superclasses():
    store = build()
    assert dns(store.of_class("fvTenant")) == {"uni/tn-a", "uni/tn-z"}
    assert "polDom" in CAT.get("fvTenant").superclasses
    # fvTenant and vmmDomP are both polDom
    assert dns(store.of_class("polDom")) == {"uni/tn-a", "uni/tn-z", "uni/vmmp-VMware/dom-d"}
    assert dns(store.of_class("infraDomP")) == {"uni/vmmp-VMware/dom-d"}
    assert dns(store.of_class("fvBD")) == {"uni/tn-a/BD-b1", "uni/tn-a/BD-b2"}
    # relnTo is a superclass of every relation
    assert "uni/tn-a/ap-p/epg-e/rsbd" in dns(store.of_class("relnTo"))
    assert list(store.of_class("fvnsVlanInstP")) == []
    assert list(store.of_class("noSuchClass")) == []


def test_class_index_matches_catalog_lineage():
    store = build()
    for mo in store.subtree(store.root):
        if not mo.dn:
            continue
        for cls in CAT.lineage(mo.cls):
            assert store.by_class[cls][mo.dn] is mo


def test_by_parent_index():
    store = build()
    assert dns(store.children("uni/tn-a")) == {
        "uni/tn-a/BD-b1",
        "uni/tn-a/BD-b2",
        "uni/tn-a/ctx-v",
        "uni/tn-a/ap-p",
    }
    assert dns(store.children("uni")) == {"uni/tn-a", "uni/tn-z", "uni/vmmp-VMware"}
    assert store.children("uni/tn-z") == []
    assert store.children("uni/nope") == []
    assert store.get("uni/tn-a").children["BD-b1"] is store.get("uni/tn-a/BD-b1")


def test_subtree_is_parents_first():
    store = build()
    order = [mo.dn for mo in store.subtree(store.get("uni/tn-a"))]
    assert order[0] == "uni/tn-a"
    assert set(order) == {dn for _, dn, _ in TREE if dn.startswith("uni/tn-a")}
    for i, dn in enumerate(order):
        parent = dn.rsplit("/", 1)[0]
        if dn != "uni/tn-a":
            assert order.index(parent) < i


def test_attrs_are_sparse_and_get_falls_back_to_defaults():
    store = build()
    b1 = store.get("uni/tn-a/BD-b1")
    b2 = store.get("uni/tn-a/BD-b2")
    assert "arpFlood" not in b1.attrs
    assert b1.get("arpFlood") == "no"
    assert b2.get("arpFlood") == "yes"
    assert b1.get("dn") == "uni/tn-a/BD-b1"
    assert b1.get("rn") == "BD-b1"
    assert b1.get("noSuchProp") == ""
    assert b1.values()["unkMacUcastAct"] == "proxy"
    assert list(b1.values()) == sorted(b1.values())


def test_create_drops_values_equal_to_defaults():
    store = Store(CAT)
    with store.transaction() as txn:
        txn.create(CAT.get("polUni"), "uni", {})
        mo = txn.create(CAT.get("fvTenant"), "uni/tn-x", {"name": "x", "descr": ""})
    assert mo.attrs == {"name": "x"}


def test_create_without_parent_fails():
    store = Store(CAT)
    with pytest.raises(KeyError):
        with store.transaction() as txn:
            txn.create(CAT.get("fvTenant"), "uni/tn-x", {"name": "x"})
    assert len(store) == 0


# --------------------------------------------------------------------------------------------------
# delete


def test_delete_removes_subtree_from_every_index():
    store = build()
    gone = {dn for _, dn, _ in TREE if dn.startswith("uni/tn-a")}
    with store.transaction() as txn:
        removed = txn.delete("uni/tn-a")
    assert {mo.dn for mo in removed} == gone
    for dn in gone:
        assert dn not in store
    for bucket in store.by_class.values():
        assert not gone & set(bucket)
    assert dns(store.of_class("fvTenant")) == {"uni/tn-z"}
    assert dns(store.of_class("polDom")) == {"uni/tn-z", "uni/vmmp-VMware/dom-d"}
    assert "tn-a" not in store.get("uni").children
    assert dns(store.children("uni")) == {"uni/tn-z", "uni/vmmp-VMware"}
    assert len(store) == len(TREE) - len(gone)


def test_delete_of_absent_dn_is_a_no_op():
    store = build()
    before = tree_rows(store)
    events = record(store)
    with store.transaction() as txn:
        assert txn.delete("uni/tn-nope") == []
    assert tree_rows(store) == before
    assert events == []


# --------------------------------------------------------------------------------------------------
# events


def test_created_events_carry_all_values():
    store = Store(CAT)
    seen = record(store)
    with store.transaction() as txn:
        txn.create(CAT.get("polUni"), "uni", {})
        txn.create(CAT.get("fvTenant"), "uni/tn-t", {"name": "t"})
        txn.create(CAT.get("fvBD"), "uni/tn-t/BD-x", {"name": "x", "arpFlood": "yes"})
    assert len(seen) == 1
    events = seen[0]
    assert [(e.kind, e.dn, e.cls) for e in events] == [
        ("created", "uni", "polUni"),
        ("created", "uni/tn-t", "fvTenant"),
        ("created", "uni/tn-t/BD-x", "fvBD"),
    ]
    bd = events[2]
    assert bd.changed["name"] == "x"
    assert bd.changed["arpFlood"] == "yes"
    assert bd.changed["unkMacUcastAct"] == "proxy"  # defaults included
    assert bd.mo is store.get("uni/tn-t/BD-x")


def test_modified_event_carries_changed_attributes_only():
    store = build()
    seen = record(store)
    bd = store.get("uni/tn-a/BD-b1")
    with store.transaction() as txn:
        changed = txn.modify(bd, {"arpFlood": "yes", "unkMacUcastAct": "proxy", "name": "b1"})
    assert changed == {"arpFlood": "yes"}
    assert len(seen) == 1
    (event,) = seen[0]
    assert (event.kind, event.dn, event.cls, event.changed) == (
        "modified",
        "uni/tn-a/BD-b1",
        "fvBD",
        {"arpFlood": "yes"},
    )
    assert bd.attrs["arpFlood"] == "yes"


def test_modify_back_to_default_keeps_attrs_sparse():
    store = build()
    bd = store.get("uni/tn-a/BD-b2")
    with store.transaction() as txn:
        assert txn.modify(bd, {"arpFlood": "no"}) == {"arpFlood": "no"}
    assert "arpFlood" not in bd.attrs
    assert bd.get("arpFlood") == "no"


def test_modify_without_change_emits_nothing():
    store = build()
    seen = record(store)
    with store.transaction() as txn:
        assert txn.modify(store.get("uni/tn-a/BD-b2"), {"arpFlood": "yes", "name": "b2"}) == {}
    assert seen == []


def test_modify_of_mo_created_in_same_transaction_folds_into_created_event():
    store = build()
    seen = record(store)
    with store.transaction() as txn:
        mo = txn.create(CAT.get("fvBD"), "uni/tn-z/BD-n", {"name": "n"})
        txn.modify(mo, {"arpFlood": "yes"})
    (events,) = seen
    assert [(e.kind, e.dn) for e in events] == [("created", "uni/tn-z/BD-n")]
    assert events[0].changed["arpFlood"] == "yes"


def test_deleted_events_children_before_parent():
    store = build()
    seen = record(store)
    with store.transaction() as txn:
        txn.delete("uni/tn-a/ap-p")
    (events,) = seen
    assert [(e.kind, e.dn, e.cls) for e in events] == [
        ("deleted", "uni/tn-a/ap-p/epg-e/rsbd", "fvRsBd"),
        ("deleted", "uni/tn-a/ap-p/epg-e", "fvAEPg"),
        ("deleted", "uni/tn-a/ap-p", "fvAp"),
    ]
    assert all(e.changed == {} for e in events)


def test_hooks_run_inside_the_transaction_until_settled():
    store = build()
    calls: list[list[str]] = []

    def hook(txn, batch):
        calls.append([e.dn for e in batch])
        for e in batch:
            if e.kind == "created" and e.cls == "fvBD":
                txn.modify(store.get("uni/tn-z"), {"descr": "has-bd"})

    store.hooks.append(hook)
    seen = record(store)
    with store.transaction() as txn:
        txn.create(CAT.get("fvBD"), "uni/tn-z/BD-n", {"name": "n"})
    assert calls == [["uni/tn-z/BD-n"], ["uni/tn-z"]]
    assert [(e.kind, e.dn) for e in seen[0]] == [("created", "uni/tn-z/BD-n"), ("modified", "uni/tn-z")]


# --------------------------------------------------------------------------------------------------
# rollback


class Boom(Exception):
    pass


def _content(store: Store):
    """Every MO with its class and attributes, and the class index, regardless of sibling order."""
    mos = sorted((dn, cls, sorted(attrs.items())) for dn, cls, attrs in tree_rows(store))
    return mos, class_index(store), len(store)


def test_failing_transaction_rolls_back_everything():
    store = build()
    before = _content(store)
    seen = record(store)
    with pytest.raises(Boom):
        with store.transaction() as txn:
            txn.create(CAT.get("fvTenant"), "uni/tn-new", {"name": "new"})
            txn.create(CAT.get("fvBD"), "uni/tn-new/BD-x", {"name": "x"})
            txn.modify(store.get("uni/tn-a/BD-b1"), {"arpFlood": "yes", "descr": "changed"})
            txn.modify(store.get("uni/tn-a/BD-b2"), {"arpFlood": "no"})
            txn.delete("uni/tn-z")
            txn.delete("uni/vmmp-VMware")
            raise Boom()
    assert _content(store) == before
    assert seen == []  # listeners never hear of a rolled-back write
    assert "uni/tn-new" not in store and "uni/tn-new/BD-x" not in store
    assert "tn-new" not in store.get("uni").children
    assert store.get("uni/tn-a/BD-b1").attrs.get("arpFlood") is None
    assert store.get("uni/vmmp-VMware/dom-d") is store.by_class["polDom"]["uni/vmmp-VMware/dom-d"]


def test_rollback_of_delete_restores_sibling_order():
    store = build()
    before = tree_rows(store)
    with pytest.raises(Boom):
        with store.transaction() as txn:
            # a middle child: after rollback it must be back in its place, not appended at the end
            txn.delete("uni/tn-a/BD-b1")
            raise Boom()
    assert _content(store)[1] == class_index(build())
    assert tree_rows(store) == before
    assert list(store.get("uni/tn-a").children) == ["BD-b1", "BD-b2", "ctx-v", "ap-p"]


def test_rollback_of_create_then_delete_in_same_transaction():
    store = build()
    before = _content(store)
    with pytest.raises(Boom):
        with store.transaction() as txn:
            txn.create(CAT.get("fvBD"), "uni/tn-z/BD-n", {"name": "n"})
            txn.delete("uni/tn-z")
            raise Boom()
    assert _content(store) == before
    assert store.children("uni/tn-z") == []


def test_exception_in_hook_rolls_back_the_write():
    store = build()
    before = _content(store)

    def hook(txn, batch):
        raise Boom()

    store.hooks.append(hook)
    seen = record(store)
    with pytest.raises(Boom):
        with store.transaction() as txn:
            txn.create(CAT.get("fvBD"), "uni/tn-z/BD-n", {"name": "n"})
    assert _content(store) == before
    assert seen == []


def test_store_usable_after_rollback():
    store = build()
    with pytest.raises(Boom):
        with store.transaction() as txn:
            txn.delete("uni/tn-a")
            raise Boom()
    with store.transaction() as txn:
        txn.create(CAT.get("fvBD"), "uni/tn-a/BD-b3", {"name": "b3"})
        txn.delete("uni/tn-a/BD-b1")
    assert dns(store.of_class("fvBD")) == {"uni/tn-a/BD-b2", "uni/tn-a/BD-b3"}
    assert store.lock.acquire(blocking=False)
    store.lock.release()
