"""Encap pools over the APIC's REST API: blocks under VLAN, VXLAN and VSAN pools, what a block may span (its pool's
encap kind and range, from <= to, no overlap with a sibling), and a refused block changing nothing. Then the real
cisco.aci aci_encap_pool / aci_encap_pool_range modules through ansible-playbook for each pool type
(tests/ansible/registration_pools.yml)."""

from __future__ import annotations

import pytest
from playbooks import ANSIBLE_DIR, run_playbook
from rest_session import ApicRest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

PLAYBOOK = ANSIBLE_DIR / "registration_pools.yml"
VLAN_POOL = "uni/infra/vlanns-[pool1]-static"
VXLAN_POOL = "uni/infra/vxlanns-vx1"
VSAN_POOL = "uni/infra/vsanns-[vs1]-static"


@pytest.fixture
def apic(lab) -> ApicRest:
    rest = ApicRest(lab.apic_server.url)
    rest.post_ok(VLAN_POOL, {"fvnsVlanInstP": {"attributes": {"name": "pool1", "allocMode": "static"}}})
    rest.post_ok(VXLAN_POOL, {"fvnsVxlanInstP": {"attributes": {"name": "vx1"}}})
    return rest


def block(apic: ApicRest, pool: str, first: str, last: str, cls: str = "fvnsEncapBlk", rn: str = "from"):
    return apic.post(f"{pool}/{rn}-[{first}]-to-[{last}]", {cls: {"attributes": {"from": first, "to": last}}})


def error_of(response) -> tuple[int, str, str]:
    error = response.json()["imdata"][0]["error"]["attributes"]
    return response.status_code, error["code"], error["text"]


def blocks(apic: ApicRest, pool: str) -> list[str]:
    return [next(iter(mo.values()))["attributes"]["dn"]
            for mo in apic.imdata(f"/api/mo/{pool}.json", **{"query-target": "children"})]


def test_a_vxlan_pool_holds_encap_blocks(apic):
    r = block(apic, VXLAN_POOL, "vxlan-5000", "vxlan-6000")
    assert r.status_code == 200, r.text
    [mo] = apic.imdata(f"/api/mo/{VXLAN_POOL}/from-[vxlan-5000]-to-[vxlan-6000].json")
    attrs = mo["fvnsEncapBlk"]["attributes"]
    assert (attrs["from"], attrs["to"], attrs["allocMode"]) == ("vxlan-5000", "vxlan-6000", "inherit")
    # posted with its pool, as aci_rest or a fixture sends it
    body = {"fvnsVxlanInstP": {"attributes": {"name": "vx2"}, "children": [
        {"fvnsEncapBlk": {"attributes": {"from": "vxlan-16777000", "to": "vxlan-16777215"}}}]}}
    apic.post_ok("uni/infra/vxlanns-vx2", body)
    assert blocks(apic, "uni/infra/vxlanns-vx2") == ["uni/infra/vxlanns-vx2/from-[vxlan-16777000]-to-[vxlan-16777215]"]


@pytest.mark.parametrize(("pool", "first", "last", "bad_prop", "bad"), [
    (VLAN_POOL, "vlan-0", "vlan-10", "from", "vlan-0"),
    (VLAN_POOL, "vlan-4000", "vlan-4095", "to", "vlan-4095"),
    (VLAN_POOL, "vxlan-5000", "vxlan-5001", "from", "vxlan-5000"),
    (VXLAN_POOL, "vxlan-4999", "vxlan-5001", "from", "vxlan-4999"),
    (VXLAN_POOL, "vxlan-5000", "vxlan-16777216", "to", "vxlan-16777216"),
    (VXLAN_POOL, "vlan-10", "vlan-20", "from", "vlan-10"),
])
def test_an_encap_the_pool_cannot_hold_is_refused(apic, pool, first, last, bad_prop, bad):
    r = block(apic, pool, first, last)
    dn = f"{pool}/from-[{first}]-to-[{last}]"
    assert error_of(r) == (400, "120", f"unknown property value {bad}, name {bad_prop}, class fvnsEncapBlk "
                                       f"[(Dn0)] Dn0={dn}, ")
    assert blocks(apic, pool) == []


def test_a_block_runs_upwards_and_overlaps_no_sibling(apic):
    dn = f"{VLAN_POOL}/from-[vlan-40]-to-[vlan-20]"
    assert error_of(block(apic, VLAN_POOL, "vlan-40", "vlan-20")) == (
        400, "120", f"Invalid encap block {dn}: from vlan-40 is above to vlan-20")
    assert block(apic, VLAN_POOL, "vlan-20", "vlan-40").status_code == 200
    first = f"{VLAN_POOL}/from-[vlan-20]-to-[vlan-40]"
    for low, high in (("vlan-40", "vlan-50"), ("vlan-10", "vlan-20"), ("vlan-25", "vlan-30"), ("vlan-1", "vlan-99")):
        assert error_of(block(apic, VLAN_POOL, low, high)) == (
            400, "120", f"Invalid encap block {VLAN_POOL}/from-[{low}]-to-[{high}]: it overlaps the encap block "
                        f"{first} of {VLAN_POOL}")
    # two overlapping blocks in one write: refused whole
    body = {"fvnsVlanInstP": {"attributes": {"name": "pool1", "allocMode": "static"}, "children": [
        {"fvnsEncapBlk": {"attributes": {"from": "vlan-100", "to": "vlan-200"}}},
        {"fvnsEncapBlk": {"attributes": {"from": "vlan-150", "to": "vlan-250"}}}]}}
    assert apic.post(VLAN_POOL, body).status_code == 400
    assert blocks(apic, VLAN_POOL) == [first]
    # a neighbour touching the block, and the same block again (a no-op), are fine
    assert block(apic, VLAN_POOL, "vlan-41", "vlan-41").status_code == 200
    assert block(apic, VLAN_POOL, "vlan-20", "vlan-40").status_code == 200
    assert sorted(blocks(apic, VLAN_POOL)) == sorted([first, f"{VLAN_POOL}/from-[vlan-41]-to-[vlan-41]"])
    # the same encaps in another pool are no overlap
    assert block(apic, VXLAN_POOL, "vxlan-5000", "vxlan-5000").status_code == 200


def test_a_vsan_pool_holds_vsan_blocks(apic):
    apic.post_ok(VSAN_POOL, {"fvnsVsanInstP": {"attributes": {"name": "vs1", "allocMode": "static"}}})
    assert block(apic, VSAN_POOL, "vsan-20", "vsan-40", "fvnsVsanEncapBlk", "vsanfrom").status_code == 200
    assert blocks(apic, VSAN_POOL) == [f"{VSAN_POOL}/vsanfrom-[vsan-20]-to-[vsan-40]"]
    r = block(apic, VSAN_POOL, "vsan-4000", "vsan-4094", "fvnsVsanEncapBlk", "vsanfrom")
    assert error_of(r)[:2] == (400, "120")
    r = block(apic, VSAN_POOL, "vsan-30", "vsan-50", "fvnsVsanEncapBlk", "vsanfrom")
    assert "overlaps the encap block" in error_of(r)[2]


CASES = {
    "vlan": ("uni/infra/vlanns-[anstest]-static", "fvnsVlanInstP", "fvnsEncapBlk", "from", 20, 40),
    "vxlan": ("uni/infra/vxlanns-anstest", "fvnsVxlanInstP", "fvnsEncapBlk", "from", 5000, 5010),
    "vsan": ("uni/infra/vsanns-[anstest]-static", "fvnsVsanInstP", "fvnsVsanEncapBlk", "vsanfrom", 20, 40),
}


@pytest.mark.slow
@pytest.mark.parametrize("pool_type", ["vlan", "vxlan", "vsan"])
def test_ansible_encap_pool_range(lab, tmp_path, pool_type):
    """Each pool type as ansible-aci's aci_encap_pool_range integration test runs it against a real APIC."""
    pool_dn, pool_cls, block_cls, rn, start, end = CASES[pool_type]
    extra = {"aci_port": lab.apic_server.port, "pool_type": pool_type, "range_start": start, "range_end": end}
    run = run_playbook(tmp_path, f"pools_{pool_type}", PLAYBOOK, extra)
    failed = {key for key, res in run.results.items() if res.get("failed")}
    assert run.rc == 0 and failed == {"07"}, run.summary()
    assert run.changed() == {"01", "03", "04", "08", "09", "11"}, run.summary()
    r = run.results
    block_dn = f"{pool_dn}/{rn}-[{pool_type}-{start}]-to-[{pool_type}-{end}]"
    assert r["01"]["current"][0][pool_cls]["attributes"]["dn"] == pool_dn
    proposed = r["03"]["proposed"][block_cls]["attributes"]
    assert (proposed["dn"], proposed["from"], proposed["to"], proposed["descr"]) == (
        block_dn, f"{pool_type}-{start}", f"{pool_type}-{end}", "Ansible Test")
    assert r["03"]["current"] == [] and r["04"]["previous"] == []
    created = r["04"]["current"][0][block_cls]["attributes"]
    assert (created["dn"], created["annotation"], created["descr"]) == (block_dn, "orchestrator:ansible",
                                                                        "Ansible Test")
    assert r["05"]["previous"] == r["05"]["current"] == r["04"]["current"]
    assert r["06"]["current"][0][block_cls]["attributes"]["dn"] == block_dn
    assert r["07"]["error"]["code"] == "120" and "overlaps the encap block" in r["07"]["error"]["text"]
    assert r["09"]["previous"] == r["04"]["current"] and r["09"]["current"] == []
    assert r["10"]["previous"] == [] and not r["10"]["changed"]
    assert r["12"]["previous"] == []
    assert ApicRest(lab.apic_server.url).imdata(f"/api/mo/{pool_dn}.json") == []
