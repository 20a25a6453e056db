"""The lab's durable state at the model level: the tree as rows, the SQLite state file, refusals.

Through `acisim serve` (restart, reset, kill -9) see test_state_serve.py; snapshots: test_snapshots.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest

from simulator.apic.mit.proposed import proposed_mo
from simulator.apic.service import Apic
from simulator.persist import LabDocument, StateError, StateFile
from simulator.persist.document import apic_rows, replace_tree

CLOCK = {"kind": "offset", "offset": 0.0, "frozen_at": None}


def post(apic: Apic, dn: str, body: dict) -> None:
    apic.writer.post(dn, proposed_mo(body))


def configured() -> Apic:
    apic = Apic()
    epg = {"fvAEPg": {"attributes": {"name": "e"}, "children": [
        {"fvRsBd": {"attributes": {"tnFvBDName": "b"}}},
        {"fvRsDomAtt": {"attributes": {"tDn": "uni/phys-later"}}},
    ]}}
    post(apic, "uni", {"fvTenant": {"attributes": {"name": "p", "descr": "persisted"}, "children": [
        {"fvBD": {"attributes": {"name": "b", "arpFlood": "yes"}}},
        {"fvAp": {"attributes": {"name": "ap"}, "children": [epg]}},
    ]}})
    post(apic, "uni/infra/vlanns-[pool]-static/from-[vlan-10]-to-[vlan-20]", {"fvnsEncapBlk": {"attributes": {}}})
    apic.add_user("operator", "s3cret!", role="read-all")
    return apic


def saved(apic: Apic, path) -> StateFile:
    """A state file holding `apic`'s tree (written the way the lab writes a new file)."""
    file = StateFile.open(path)
    with apic.store.lock:
        file.write_lab(LabDocument(apic_rows(apic.store), CLOCK))
    return file


def reloaded(path) -> Apic:
    file = StateFile.open(path)
    try:
        doc = file.read()
    finally:
        file.close()
    target = Apic()
    replace_tree(target.store, doc.apic)
    return target


def test_the_file_gives_back_the_same_tree(tmp_path):
    source = configured()
    saved(source, tmp_path / "state.db").close()
    target = reloaded(tmp_path / "state.db")
    assert len(target.store) == len(source.store)
    assert apic_rows(target.store) == apic_rows(source.store)  # same objects, same sparse attributes, same order
    assert target.store.get("uni/tn-p/BD-b").get("arpFlood") == "yes"
    assert target.store.get("uni/infra/vlanns-[pool]-static/from-[vlan-10]-to-[vlan-20]").get("to") == "vlan-20"


def test_indexes_are_rebuilt_and_the_old_tree_is_gone(tmp_path):
    source = configured()
    saved(source, tmp_path / "state.db").close()
    target = Apic()
    post(target, "uni", {"fvTenant": {"attributes": {"name": "only-in-target"}}})
    file = StateFile.open(tmp_path / "state.db")
    replace_tree(target.store, file.read().apic)
    file.close()
    assert "uni/tn-only-in-target" not in target.store
    assert {mo.dn for mo in target.store.of_class("fvTenant")} == {mo.dn for mo in source.store.of_class("fvTenant")}
    assert {mo.dn for mo in target.store.of_class("polDom")} == {mo.dn for mo in source.store.of_class("polDom")}
    assert [c.rn for c in target.store.children("uni/tn-p")] == [c.rn for c in source.store.children("uni/tn-p")]


def test_restored_relations_keep_resolving(tmp_path):
    saved(configured(), tmp_path / "state.db").close()
    target = reloaded(tmp_path / "state.db")
    rel = "uni/tn-p/ap-ap/epg-e/rsdomAtt-[uni/phys-later]"
    assert target.store.get(rel).get("state") == "missing-target"
    assert target.store.get("uni/tn-p/ap-ap/epg-e/rsbd").get("state") == "formed"
    heard: list = []
    target.store.subscribe(heard.append)
    post(target, "uni", {"physDomP": {"attributes": {"name": "later"}}})
    assert target.store.get(rel).get("state") == "formed"
    assert rel in {e.dn for batch in heard for e in batch}


def test_restored_users_can_log_in(tmp_path):
    saved(configured(), tmp_path / "state.db").close()
    target = reloaded(tmp_path / "state.db")
    assert target.aaa.login("operator", "s3cret!").user == "operator"


def test_every_write_is_in_the_file_when_it_returns(tmp_path):
    """Written through: a second reader of the file sees each write as soon as the write returns."""
    apic = configured()
    file = saved(apic, tmp_path / "state.db")
    apic.store.subscribe(file.write_apic)
    reader = sqlite3.connect(tmp_path / "state.db")

    def row(dn):
        found = reader.execute("SELECT cls, attrs FROM apic_mo WHERE dn = ?", (dn,)).fetchone()
        return (found[0], json.loads(found[1])) if found else None

    try:
        post(apic, "uni", {"fvTenant": {"attributes": {"name": "w", "descr": "one"}}})
        assert row("uni/tn-w") == ("fvTenant", apic.store.get("uni/tn-w").attrs)
        assert row("uni/tn-w")[1]["descr"] == "one"
        post(apic, "uni/tn-w", {"fvTenant": {"attributes": {"descr": "two"}}})
        assert row("uni/tn-w")[1]["descr"] == "two"
        apic.writer.delete("uni/tn-w")
        assert row("uni/tn-w") is None
        assert reader.execute("SELECT count(*) FROM apic_mo WHERE dn LIKE 'uni/tn-w/%'").fetchone() == (0,)
    finally:
        reader.close()
        file.close()
    assert apic_rows(reloaded(tmp_path / "state.db").store) == apic_rows(apic.store)


def test_the_file_and_its_journal_are_private(tmp_path):
    path = tmp_path / "state.db"
    file = saved(configured(), path)
    try:
        for name in os.listdir(tmp_path):
            assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
        assert {"state.db", "state.db-wal"} <= set(os.listdir(tmp_path))
    finally:
        file.close()


def test_an_empty_file_becomes_a_new_state_file(tmp_path):
    path = tmp_path / "state.db"
    path.touch(mode=0o644)
    file = StateFile.open(path)
    try:
        assert file.fresh and file.read() is None
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        file.close()


# --- refusals: one line naming the file, the file left as it was ------------------------------------------
def refused(path) -> str:
    before = path.read_bytes()
    with pytest.raises(StateError) as caught:
        file = StateFile.open(path)
        try:
            file.read()
        finally:
            file.close()
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert path.read_bytes() == before
    return message


def test_a_text_file_is_not_a_state_file(tmp_path):
    path = tmp_path / "state.json"
    path.write_text('{"format": 1, "mos": []}')
    assert "not an acisim state file" in refused(path)


def test_another_applications_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert "another application" in refused(path)


def test_a_damaged_file_is_refused(tmp_path):
    path = tmp_path / "state.db"
    saved(configured(), path).close()
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the first is garbage
    path.write_bytes(bytes(data))
    assert "damaged state file" in refused(path)


def test_a_state_format_from_elsewhere_is_refused(tmp_path):
    path = tmp_path / "state.db"
    saved(configured(), path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert "state format 99" in refused(path)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("uni/tn-p/zz-1", "noSuchClass", "{}"), "unknown class 'noSuchClass'"),
        (("uni/tn-gone/BD-b", "fvBD", "{}"), "has no parent uni/tn-gone before it (an orphan)"),
        (("uni/tn-q", "fvTenant", '{"name": 1}'), "attributes are not a mapping of strings"),
    ],
)
def test_a_bad_object_in_the_file_is_refused_and_the_tree_kept(tmp_path, row, reason):
    path = tmp_path / "state.db"
    saved(configured(), path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO apic_mo (dn, seq, cls, attrs) VALUES (?, 1000000, ?, ?)", row)
    conn.commit()
    conn.close()
    file = StateFile.open(path)
    doc = file.read()
    file.close()
    target = configured()
    before = apic_rows(target.store)
    with pytest.raises(StateError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        replace_tree(target.store, doc.apic)
    assert apic_rows(target.store) == before


def test_a_lab_is_restored_all_or_nothing(tmp_path):
    """A state file whose RHV document the engine refuses: the error names the file, and neither the APIC's
    tree (restored before the engine's turn) nor anything else of the lab changes."""
    from simulator.lab import Lab

    path = tmp_path / "state.db"
    source = Lab()
    source.keep_state(path)
    source.apic.add_user("operator", "s3cret!", role="read-all")
    source.state.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE document SET body = '{\"format\": \"something else\"}' WHERE name = 'rhv'")
    conn.commit()
    conn.close()

    target = Lab()
    before = (apic_rows(target.apic.store), target.rhv.export_state(), target.clock.export_state())
    with pytest.raises(StateError) as caught:
        target.keep_state(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert (apic_rows(target.apic.store), target.rhv.export_state(), target.clock.export_state()) == before
    assert target.state.file is None
