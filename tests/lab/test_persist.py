"""Saving and restoring the tree (simulator.apic.persist)."""

from __future__ import annotations

import json
import time

import pytest

from simulator.apic import persist
from simulator.apic.codec import parse_json_body
from simulator.apic.service import Apic

DEADLINE = 10.0  # seconds: an upper bound for the background writer, never a wait


def post(apic: Apic, dn: str, body: dict):
    return apic.writer.post(dn, parse_json_body(json.dumps(body)))


def wait_for(condition, deadline: float = DEADLINE) -> bool:
    """Poll a condition until it holds or the deadline passes; returns the last result."""
    end = time.monotonic() + deadline
    while True:
        if condition():
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.01)


def configured() -> Apic:
    apic = Apic()
    post(
        apic,
        "uni",
        {
            "fvTenant": {
                "attributes": {"name": "p", "descr": "persisted"},
                "children": [
                    {"fvBD": {"attributes": {"name": "b", "arpFlood": "yes"}}},
                    {
                        "fvAp": {
                            "attributes": {"name": "ap"},
                            "children": [
                                {
                                    "fvAEPg": {
                                        "attributes": {"name": "e"},
                                        "children": [
                                            {"fvRsBd": {"attributes": {"tnFvBDName": "b"}}},
                                            {"fvRsDomAtt": {"attributes": {"tDn": "uni/phys-later"}}},
                                        ],
                                    }
                                }
                            ],
                        }
                    },
                ],
            }
        },
    )
    post(
        apic,
        "uni/infra/vlanns-[pool]-static/from-[vlan-10]-to-[vlan-20]",
        {"fvnsEncapBlk": {"attributes": {}}},
    )
    apic.add_user("operator", "s3cret!", role="read-all")
    return apic


def test_save_then_load_gives_identical_snapshot(tmp_path):
    source = configured()
    path = tmp_path / "state.json"
    persist.save(source.store, path)

    target = Apic()
    count = persist.load(target.store, path)
    assert count == len(source.store)
    assert len(target.store) == len(source.store)
    assert persist.snapshot(target.store) == persist.snapshot(source.store)
    assert target.store.get("uni/tn-p/BD-b").get("arpFlood") == "yes"
    assert (
        target.store.get("uni/infra/vlanns-[pool]-static/from-[vlan-10]-to-[vlan-20]").get("to") == "vlan-20"
    )


def test_indexes_rebuilt_after_load(tmp_path):
    source = configured()
    path = tmp_path / "state.json"
    persist.save(source.store, path)
    target = Apic()
    post(target, "uni", {"fvTenant": {"attributes": {"name": "only-in-target"}}})
    persist.load(target.store, path)
    assert "uni/tn-only-in-target" not in target.store
    assert {mo.dn for mo in target.store.of_class("fvTenant")} == {
        mo.dn for mo in source.store.of_class("fvTenant")
    }
    assert {mo.dn for mo in target.store.of_class("polDom")} == {
        mo.dn for mo in source.store.of_class("polDom")
    }
    assert [c.rn for c in target.store.children("uni/tn-p")] == [
        c.rn for c in source.store.children("uni/tn-p")
    ]


def test_restored_relations_keep_resolving(tmp_path):
    source = configured()
    path = tmp_path / "state.json"
    persist.save(source.store, path)
    target = Apic()
    persist.load(target.store, path)
    rel = "uni/tn-p/ap-ap/epg-e/rsdomAtt-[uni/phys-later]"
    assert target.store.get(rel).get("state") == "missing-target"
    assert target.store.get("uni/tn-p/ap-ap/epg-e/rsbd").get("state") == "formed"
    heard: list = []
    target.store.listeners.append(heard.append)
    post(target, "uni", {"physDomP": {"attributes": {"name": "later"}}})
    assert target.store.get(rel).get("state") == "formed"
    assert rel in {e.dn for batch in heard for e in batch}


def test_restored_users_can_log_in(tmp_path):
    source = configured()
    path = tmp_path / "state.json"
    persist.save(source.store, path)
    target = Apic()
    persist.load(target.store, path)
    assert target.store.get("uni/userext/user-operator") is not None
    session = target.aaa.login("operator", "s3cret!")
    assert session.user == "operator"


def test_restore_rejects_unknown_format_and_keeps_tree():
    apic = configured()
    before = persist.snapshot(apic.store)
    with pytest.raises(ValueError):
        persist.restore(apic.store, {"format": 99, "mos": []})
    assert persist.snapshot(apic.store) == before


def test_restore_with_unknown_class_keeps_tree():
    apic = configured()
    before = persist.snapshot(apic.store)
    data = persist.snapshot(apic.store)
    data["mos"].append(["uni/tn-p/zz-1", "noSuchClass", {}])
    with pytest.raises(Exception):  # noqa: B017 - any error, as long as nothing changes
        persist.restore(apic.store, data)
    assert persist.snapshot(apic.store) == before


def test_state_file_is_json(tmp_path):
    apic = configured()
    path = tmp_path / "sub" / "state.json"
    persist.save(apic.store, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == persist.FORMAT_VERSION
    entries = {dn: (cls, attrs) for dn, cls, attrs in data["mos"]}
    cls, attrs = entries["uni/tn-p"]
    assert cls == "fvTenant"
    assert attrs["name"] == "p" and attrs["descr"] == "persisted"
    bd = entries["uni/tn-p/BD-b"][1]
    assert bd["arpFlood"] == "yes"
    assert "unkMacUcastAct" not in bd  # sparse: default values are not stored
    # parents come before their children
    order = [dn for dn, _, _ in data["mos"]]
    assert order.index("uni") < order.index("uni/tn-p") < order.index("uni/tn-p/BD-b")


def test_save_is_atomic_and_leaves_no_temp_file(tmp_path):
    apic = configured()
    path = tmp_path / "state.json"
    persist.save(apic.store, path)
    persist.save(apic.store, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_failed_save_keeps_previous_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    apic = configured()
    path = tmp_path / "state.json"
    persist.save(apic.store, path)
    good = path.read_bytes()

    def broken(store):
        return {"format": persist.FORMAT_VERSION, "mos": [["uni/tn-x", "fvTenant", {"name": object()}]]}

    monkeypatch.setattr(persist, "snapshot", broken)
    with pytest.raises(TypeError):
        persist.save(apic.store, path)
    assert path.read_bytes() == good  # the old state survives a failed write
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


# --------------------------------------------------------------------------------------------------
# AutoSaver


def _saved_tenants(path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return set()
    return {dn for dn, cls, _ in data["mos"] if cls == "fvTenant"}


def test_autosaver_writes_after_a_change_and_on_stop(tmp_path):
    apic = Apic()
    path = tmp_path / "state.json"
    saver = persist.AutoSaver(apic.store, path, delay=0)
    try:
        post(apic, "uni", {"fvTenant": {"attributes": {"name": "auto1"}}})
        assert wait_for(lambda: "uni/tn-auto1" in _saved_tenants(path))
        post(apic, "uni", {"fvTenant": {"attributes": {"name": "auto2"}}})
        assert wait_for(lambda: "uni/tn-auto2" in _saved_tenants(path))
        post(apic, "uni", {"fvTenant": {"attributes": {"name": "auto3"}}})
    finally:
        saver.stop()
    # stop() writes the final state itself: no polling needed here
    assert {"uni/tn-auto1", "uni/tn-auto2", "uni/tn-auto3"} <= _saved_tenants(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    restored = Apic()
    persist.load(restored.store, path)
    assert persist.snapshot(restored.store) == persist.snapshot(apic.store)


def test_autosaver_stop_without_changes_writes_current_state(tmp_path):
    apic = configured()
    path = tmp_path / "state.json"
    saver = persist.AutoSaver(apic.store, path, delay=0)
    saver.stop()
    assert "uni/tn-p" in _saved_tenants(path)
    assert not saver._thread.is_alive()


def test_autosaver_stops_listening_after_stop(tmp_path):
    apic = Apic()
    path = tmp_path / "state.json"
    saver = persist.AutoSaver(apic.store, path, delay=0)
    saver.stop()
    assert saver._changed not in apic.store.listeners
