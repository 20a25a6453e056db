"""The generated fabric at (1% of) the verified-scalability size, served by a lab started from a scale
scenario; and the class queries the store's value indexes answer, against the same filter evaluated over
every MO of the class, before and after writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rest_session import ApicRest

from simulator.apic.scale import VERIFIED, Endpoint
from simulator.lab import Lab, LabOptions

SPEC = VERIFIED.at(0.01)
EXPECTED = {  # the verified-scalability figures at 1%
    "leaves": 2, "tenants": 30, "vrfs": 30, "epgs": 150, "contracts": 10, "filter_entries": 100, "endpoints": 1000,
}
SCALED = "uni/tn-scale"


def _scenario(tmp: Path, seed: int = 7, fraction: float = 0.01) -> Path:
    (tmp / "fabric.yaml").write_text("fabric: {pods: 1, controllers: 1, spines: 2, leaves: 2}\n", encoding="utf-8")
    path = tmp / "scale.yaml"
    path.write_text(f"topology: fabric.yaml\nscale: {{fraction: {fraction}, seed: {seed}}}\n", encoding="utf-8")
    return path


def _lab(tmp: Path, seed: int = 7) -> Lab:
    options = LabOptions(admin_password="secret")
    options.apply_scenario(_scenario(tmp, seed))
    return Lab(options)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A lab started from a 1% scale scenario (seed 7), served over HTTPS, with an admin session."""
    lab = _lab(tmp_path_factory.mktemp("scale"))
    srv = lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    yield lab, ApicRest(srv.url)
    lab.stop()


def _count(rest: ApicRest, cls: str) -> int:
    """MOs of `cls` in the generated tenants, by a counting class query."""
    (node,) = rest.imdata(f"/api/class/{cls}.json", **{"query-target-filter": f'wcard({cls}.dn,"^{SCALED}")',
                                                       "rsp-subtree-include": "count"})
    return int(node["moCount"]["attributes"]["count"])


def _dns(rest: ApicRest, cls: str, flt: str, **params: str) -> list[str]:
    rows = rest.imdata(f"/api/class/{cls}.json", **{"query-target-filter": flt, **params})
    return [next(iter(row.values()))["attributes"]["dn"] for row in rows]


def _unindexed(flt: str) -> str:
    """The same filter in a form no index answers: every MO of the class is evaluated."""
    return f"or({flt},false)"


def _rows(rest: ApicRest, cls: str) -> list[dict]:
    """Every MO of a class as the API answers it, without the write timestamps."""
    rows = rest.imdata(f"/api/class/{cls}.json")
    return sorted(({k: v for k, v in next(iter(r.values()))["attributes"].items() if k != "modTs"} for r in rows),
                  key=lambda a: a["dn"])


# --------------------------------------------------------------------------------------------------
# the generated fabric


def test_one_percent_is_the_verified_figures_scaled():
    assert {name: getattr(SPEC, name) for name in EXPECTED} == EXPECTED


def test_the_lab_serves_every_class_in_the_scaled_counts(served):
    lab, rest = served
    counts = {cls: _count(rest, cls) for cls in ("fvTenant", "fvCtx", "fvBD", "fvAEPg", "vzBrCP", "vzFilter",
                                                "vzEntry", "fvCEp", "fvIp", "fvRsCEpToPathEp")}
    assert counts == {"fvTenant": 30, "fvCtx": 30, "fvBD": 150, "fvAEPg": 150, "vzBrCP": 10, "vzFilter": 10,
                      "vzEntry": 100, "fvCEp": 1000, "fvIp": 1000, "fvRsCEpToPathEp": 1000}
    leaves = [row["fabricNode"]["attributes"]["id"] for row in
              rest.imdata("/api/class/fabricNode.json", **{"query-target-filter": 'eq(fabricNode.role,"leaf")'})]
    assert len(leaves) == EXPECTED["leaves"]


def test_endpoints_are_learned_on_leaf_ports_with_formed_relations(served):
    _, rest = served
    paths = rest.imdata("/api/class/fvRsCEpToPathEp.json")
    ports = {row["fabricPathEp"]["attributes"]["dn"] for row in rest.imdata("/api/class/fabricPathEp.json")}
    assert len(paths) == 1000
    for row in paths:
        attrs = row["fvRsCEpToPathEp"]["attributes"]
        assert attrs["state"] == "formed" and attrs["tCl"] == "fabricPathEp" and attrs["tDn"] in ports
    ceps = [row["fvCEp"]["attributes"] for row in rest.imdata("/api/class/fvCEp.json")]
    assert len({cep["mac"] for cep in ceps}) == 1000  # no two endpoints share a MAC
    assert len({cep["ip"] for cep in ceps}) == 1000
    # every EPG's BD resolves to the BD of its own tenant
    bds = rest.imdata("/api/class/fvRsBd.json", **{"query-target-filter": f'wcard(fvRsBd.dn,"^{SCALED}")'})
    assert {row["fvRsBd"]["attributes"]["state"] for row in bds} == {"formed"}


def test_the_same_seed_gives_the_same_fabric_and_another_seed_another(served, tmp_path):
    _, rest = served
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    again, other = _lab(tmp_path / "a"), _lab(tmp_path / "b", seed=8)
    try:
        urls = []
        for lab, name in ((again, "tls-a"), (other, "tls-b")):
            urls.append(ApicRest(lab.start(tls_dir=tmp_path / name).url))
        same, different = urls
        for cls in ("fvCEp", "fvRsCEpToPathEp", "vzEntry", "fvBD"):
            assert _rows(same, cls) == _rows(rest, cls)
        assert _rows(different, "fvCEp") != _rows(rest, "fvCEp")
        assert _rows(different, "vzEntry") != _rows(rest, "vzEntry")
    finally:
        again.stop()
        other.stop()


def test_directly_created_endpoints_are_what_the_writer_makes_of_their_body(served):
    """The loader creates endpoints in store transactions; the same endpoint as a system write body gives
    the same MOs and values."""
    lab, rest = served
    cep = rest.imdata("/api/class/fvCEp.json", **{"page": "3", "page-size": "1"})[0]["fvCEp"]["attributes"]
    epg, port = cep["dn"].rsplit("/cep-", 1)[0], cep["fabricPathDn"]

    def subtree() -> list[dict]:
        rows = rest.imdata(f"/api/mo/{cep['dn']}.json", **{"query-target": "subtree"})
        return sorted(({k: v for k, v in next(iter(r.values()))["attributes"].items() if k != "modTs"}
                       for r in rows), key=lambda a: a["dn"])

    loaded = subtree()
    assert [row["dn"] for row in loaded] == [
        cep["dn"], f"{cep['dn']}/ip-[{cep['ip']}]", f"{cep['dn']}/rscEpToPathEp-[{port}]"]
    rest.delete_ok(cep["dn"])
    assert subtree() == []
    body = Endpoint(epg, cep["mac"], cep["ip"], cep["encap"], port).body()
    lab.apic.writer.post(epg, body, system=True)
    assert subtree() == loaded


# --------------------------------------------------------------------------------------------------
# indexed class queries: the same answers as the filter over every MO of the class


def _same_as_scan(rest: ApicRest, cls: str, flt: str) -> list[str]:
    indexed = _dns(rest, cls, flt)
    assert indexed == _dns(rest, cls, _unindexed(flt))
    return indexed


def test_indexed_eq_queries_answer_as_a_scan(served):
    lab, rest = served
    ceps = [row["fvCEp"]["attributes"] for row in rest.imdata("/api/class/fvCEp.json")]
    some = ceps[17]
    assert _same_as_scan(rest, "fvCEp", f'eq(fvCEp.mac,"{some["mac"]}")') == [some["dn"]]
    assert _same_as_scan(rest, "fvCEp", f'eq(fvCEp.ip,"{some["ip"]}")') == [some["dn"]]
    in_vlan = _same_as_scan(rest, "fvCEp", f'eq(fvCEp.encap,"{some["encap"]}")')
    assert some["dn"] in in_vlan and len(in_vlan) > 1
    assert _same_as_scan(rest, "fvCEp", f'and(eq(fvCEp.encap,"{some["encap"]}"),eq(fvCEp.mac,"{some["mac"]}"))') \
        == [some["dn"]]
    assert _same_as_scan(rest, "fvCEp", 'eq(fvCEp.mac,"00:00:00:00:00:00")') == []
    assert _same_as_scan(rest, "fvCEp", f'eq(fvCEp.dn,"{some["dn"]}")') == [some["dn"]]
    assert _same_as_scan(rest, "fvTenant", 'eq(fvTenant.name,"scale0007")') == ["uni/tn-scale0007"]
    # the relations of one leaf port; a subclass's property in a query of its superclass, and back
    port = rest.imdata("/api/class/fvRsCEpToPathEp.json")[0]["fvRsCEpToPathEp"]["attributes"]["tDn"]
    on_port = _same_as_scan(rest, "fvRsCEpToPathEp", f'eq(fvRsCEpToPathEp.tDn,"{port}")')
    assert on_port and all(dn.endswith(f"/rscEpToPathEp-[{port}]") for dn in on_port)
    bds = _same_as_scan(rest, "fvABD", 'eq(fvBD.name,"bd3")')
    assert len(bds) == 30 and all(dn.endswith("/BD-bd3") for dn in bds)
    assert _same_as_scan(rest, "fvBD", 'eq(fvABD.name,"bd3")') == bds
    indexed = {(cls, prop) for cls, prop, _ in lab.apic.store.value_indexes()}
    assert {("fvCEp", "mac"), ("fvCEp", "ip"), ("fvCEp", "encap"), ("fvRsCEpToPathEp", "tDn")} <= indexed
    # a class query under a DN
    tenant = some["dn"].split("/ap-")[0]
    scoped = rest.imdata(f"/api/mo/{tenant}.json", **{"query-target": "subtree", "target-subtree-class": "fvCEp",
                                                     "query-target-filter": f'eq(fvCEp.encap,"{some["encap"]}")'})
    assert some["dn"] in [row["fvCEp"]["attributes"]["dn"] for row in scoped]


def test_indexed_queries_follow_writes_deletes_and_refused_writes(served):
    _, rest = served
    ceps = [row["fvCEp"]["attributes"] for row in rest.imdata("/api/class/fvCEp.json")]
    first, moved = ceps[40], ceps[41]
    # a modified indexed property: found under its new value, no longer under its old one, in class order
    rest.post_ok(moved["dn"], {"fvCEp": {"attributes": {"encap": first["encap"]}}})
    assert moved["dn"] in _same_as_scan(rest, "fvCEp", f'eq(fvCEp.encap,"{first["encap"]}")')
    assert moved["dn"] not in _same_as_scan(rest, "fvCEp", f'eq(fvCEp.encap,"{moved["encap"]}")')
    rest.post_ok(moved["dn"], {"fvCEp": {"attributes": {"ip": "10.250.0.9"}}})
    assert _same_as_scan(rest, "fvCEp", 'eq(fvCEp.ip,"10.250.0.9")') == [moved["dn"]]
    assert _same_as_scan(rest, "fvCEp", f'eq(fvCEp.ip,"{moved["ip"]}")') == []
    # a deleted endpoint is gone from every index; a new one is found
    rest.delete_ok(first["dn"])
    assert _same_as_scan(rest, "fvCEp", f'eq(fvCEp.mac,"{first["mac"]}")') == []
    epg = first["dn"].rsplit("/cep-", 1)[0]
    rest.post_ok(epg, {"fvAEPg": {"attributes": {}, "children": [
        {"fvCEp": {"attributes": {"mac": "00:AA:BB:CC:DD:EE", "ip": "10.250.0.10", "encap": first["encap"]}}}]}})
    assert _same_as_scan(rest, "fvCEp", 'eq(fvCEp.mac,"00:AA:BB:CC:DD:EE")') == [f"{epg}/cep-00:AA:BB:CC:DD:EE"]
    assert f"{epg}/cep-00:AA:BB:CC:DD:EE" in _same_as_scan(rest, "fvCEp", f'eq(fvCEp.encap,"{first["encap"]}")')
    # a write refused half-way (its second child is invalid) changes no index
    before = _same_as_scan(rest, "fvCEp", 'eq(fvCEp.ip,"10.250.0.11")')
    refused = rest.post(epg, {"fvAEPg": {"attributes": {}, "children": [
        {"fvCEp": {"attributes": {"mac": moved["mac"], "ip": "10.250.0.11"}}},
        {"fvCEp": {"attributes": {"mac": "00:AA:BB:CC:DD:EF", "encap": "not-a-vlan", "bogusProp": "x"}}}]}})
    assert refused.status_code == 400
    assert _same_as_scan(rest, "fvCEp", 'eq(fvCEp.ip,"10.250.0.11")') == before == []
    assert _same_as_scan(rest, "fvCEp", 'eq(fvCEp.ip,"10.250.0.9")') == [moved["dn"]]


def test_a_served_get_of_one_generated_object(served):
    _, rest = served
    r = rest.get("/api/mo/uni/tn-scale0001/ap-app/epg-epg1.json", **{"rsp-subtree": "children"})
    assert r.status_code == 200
    (epg,) = json.loads(r.text)["imdata"]
    children = {next(iter(c)) for c in epg["fvAEPg"]["children"]}
    assert {"fvRsBd", "fvRsProv", "fvCEp"} <= children


# --------------------------------------------------------------------------------------------------
# the scenario key


@pytest.mark.parametrize("value, wording", [
    ("{fraction: 0}", "scale fraction must be a number above 0 and at most 1, not 0"),
    ("{fraction: 1.5}", "not 1.5"),
    ("{fraction: .nan}", "not nan"),
    ("{fraction: lots}", "not 'lots'"),
    ("{fraction: 0.1, seed: -1}", "scale seed must be a whole number of at least 0, not -1"),
    ("{fraction: 0.1, size: 3}", "unknown scale settings: size (known: fraction, seed)"),
    ("[0.1]", "scale is a mapping"),
])
def test_a_bad_scale_setting_is_one_line_naming_the_scenario(tmp_path, value, wording):
    path = tmp_path / "bad.yaml"
    path.write_text(f"scale: {value}\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        LabOptions().apply_scenario(path)
    assert str(err.value).startswith(f"{path}: ") and wording in str(err.value) and "\n" not in str(err.value)


# --------------------------------------------------------------------------------------------------
# the store's indexes through its own change path (a rollback half-way through a transaction)


class Boom(Exception):
    pass


def _bd_store():
    from simulator.apic.mit.catalog import default_catalog
    from simulator.apic.mit.store import Store

    cat = default_catalog()
    store = Store(cat)
    with store.transaction() as txn:
        txn.create(cat.get("polUni"), "uni", {})
        txn.create(cat.get("fvTenant"), "uni/tn-t", {"name": "t"})
        for i in range(600):
            txn.create(cat.get("fvBD"), f"uni/tn-t/BD-b{i}", {"name": f"b{i}", "arpFlood": "yes" if i % 3 else "no"})
    return store, cat


def _scan(store, cls, prop, value):
    return [mo.dn for mo in store.of_class(cls) if mo.get(prop) == value]


def test_value_and_superclass_indexes_stay_right_through_writes_and_rollbacks():
    store, cat = _bd_store()
    keys = [("fvBD", "arpFlood", "yes"), ("fvBD", "arpFlood", "no"), ("fvABD", "name", "b7"), ("fvBD", "name", "b7")]
    for key in keys:
        assert [mo.dn for mo in store.lookup(*key)] == _scan(store, *key)
    assert store.indexed("fvBD", "arpFlood") and store.indexed("fvABD", "name")

    def check():
        for key in keys:
            assert [mo.dn for mo in store.lookup(*key)] == _scan(store, *key)
        assert list(store.by_class["fvABD"]) == [dn for dn, mo in store.by_dn.items() if cat.is_a(mo.cls, "fvABD")]

    with store.transaction() as txn:  # out of class order into a bucket, and back to a default
        txn.modify(store.get("uni/tn-t/BD-b3"), {"arpFlood": "no"})
        txn.modify(store.get("uni/tn-t/BD-b1"), {"arpFlood": "no"})
        txn.delete("uni/tn-t/BD-b2")
        txn.create(cat.get("fvBD"), "uni/tn-t/BD-b7x", {"name": "b7x", "arpFlood": "yes"})
    check()
    before = {key: sorted(mo.dn for mo in store.lookup(*key)) for key in keys}
    with pytest.raises(Boom), store.transaction() as txn:
        txn.modify(store.get("uni/tn-t/BD-b4"), {"arpFlood": "no"})
        txn.delete("uni/tn-t/BD-b7")
        txn.create(cat.get("fvBD"), "uni/tn-t/BD-new", {"name": "new", "arpFlood": "no"})
        txn.modify(store.get("uni/tn-t/BD-new"), {"arpFlood": "yes"})
        raise Boom()
    check()
    # the same MOs (a deleted one put back comes last in the class, as in the class index)
    assert {key: sorted(mo.dn for mo in store.lookup(*key)) for key in keys} == before
    with store.transaction() as txn:  # the whole tenant goes
        txn.delete("uni/tn-t")
    check()
    assert store.lookup("fvBD", "arpFlood", "yes") == [] and list(store.by_class["fvABD"]) == []


def test_a_rolled_back_write_deleting_many_children_puts_them_back_in_order():
    store, cat = _bd_store()
    tenant = store.get("uni/tn-t")
    order = list(tenant.children)
    yes = [mo.dn for mo in store.lookup("fvBD", "arpFlood", "yes")]
    with pytest.raises(Boom), store.transaction() as txn:
        for i in range(0, 600, 7):
            txn.delete(f"uni/tn-t/BD-b{i}")
        txn.create(cat.get("fvBD"), "uni/tn-t/BD-zz", {"name": "zz"})
        txn.delete("uni/tn-t/BD-b1")
        txn.delete("uni/tn-t/BD-zz")
        txn.create(cat.get("fvBD"), "uni/tn-t/BD-zz", {"name": "zz", "arpFlood": "yes"})
        raise Boom()
    assert list(tenant.children) == order
    assert "uni/tn-t/BD-zz" not in store and len(store.children("uni/tn-t")) == 600
    assert sorted(mo.dn for mo in store.lookup("fvBD", "arpFlood", "yes")) == sorted(yes)
    assert sorted(store.by_class["fvABD"]) == sorted(f"uni/tn-t/BD-b{i}" for i in range(600))
    with store.transaction() as txn:  # the same deletes committed
        for i in range(0, 600, 7):
            txn.delete(f"uni/tn-t/BD-b{i}")
    assert list(tenant.children) == [rn for rn in order if int(rn[4:]) % 7]
