"""EPGs associated with a Red Hat VMM domain, against a scripted engine: the VLAN each gets from the pool,
the logical network the sync carries to the engine and takes away again, the port groups and endpoints
the inventory shows, and the faults when something cannot be done."""

from __future__ import annotations

import pytest
from vmm_script import DOMAIN, INV, PRODUCT, host, scripted_lab, vm

from simulator.apic.managers.vmm_ports import Changes, ControllerError, DataCenterNotFound, Inventory
from simulator.apic.managers.vmm_redhat import RedhatVmm
from simulator.apic.mit.proposed import proposed_mo

POOL = "uni/infra/vlanns-[rhv]-dynamic"
AP = "uni/tn-shop/ap-app"
WEB, DB = f"{AP}/epg-web", f"{AP}/epg-db"
MAC = "56:6F:1A:2B:00:01"


def _pool(apic, *blocks: tuple[int, int, str]) -> None:
    children = [{"fvnsEncapBlk": {"attributes": {"from": f"vlan-{a}", "to": f"vlan-{b}", "allocMode": mode}}}
                for a, b, mode in blocks]
    apic.writer.post(POOL, proposed_mo({"fvnsVlanInstP": {"attributes": {"name": "rhv", "allocMode": "dynamic"},
                                                          "children": children}}))
    apic.writer.post(f"{DOMAIN}/rsvlanNs", proposed_mo({"infraRsVlanNs": {"attributes": {"tDn": POOL}}}))


def _associate(apic, epg: str, **attrs: str) -> None:
    rel = {"fvRsDomAtt": {"attributes": {"tDn": DOMAIN, **attrs}}}
    apic.writer.post(epg, proposed_mo({"fvAEPg": {"attributes": {}, "children": [rel]}}))


@pytest.fixture
def lab():
    apic, clock, reactions, source = scripted_lab()
    apic.writer.post("uni/tn-shop", proposed_mo({"fvTenant": {"attributes": {}, "children": [
        {"fvCtx": {"attributes": {"name": "vrf"}}},
        {"fvBD": {"attributes": {"name": "bd"}, "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "vrf"}}}]}},
        {"fvAp": {"attributes": {"name": "app"}, "children": [
            {"fvAEPg": {"attributes": {"name": n}, "children": [{"fvRsBd": {"attributes": {"tnFvBDName": "bd"}}}]}}
            for n in ("web", "db")]}}]}}))
    _pool(apic, (100, 101, "inherit"), (200, 200, "static"))
    reactions.tick()
    return apic, clock, reactions, source


def _eppd(apic, epg: str):
    return apic.store.get(f"{DOMAIN}/eppd-[{epg}]")


def test_each_epg_gets_the_lowest_free_vlan_and_its_logical_network_name(lab):
    apic, _, reactions, source = lab
    _associate(apic, WEB)
    _associate(apic, DB, delimiter="~")
    web, db = _eppd(apic, WEB), _eppd(apic, DB)
    assert (web.get("encap"), web.get("allocMode"), web.get("name")) == ("vlan-100", "dynamic", "shop|app|web")
    assert (db.get("encap"), db.get("name")) == ("vlan-101", "shop~app~db")

    reactions.tick()
    assert source.networks == {"shop|app|web": ("net-1", 100), "shop~app~db": ("net-2", 101)}
    assert len(source.locked) == 4 and not any(source.locked)  # the engine is provisioned and read outside the lock
    pd = apic.store.get(f"{INV}/eppd-[{WEB}]")
    assert (pd.get("encap"), pd.get("name")) == ("vlan-100", "shop|app|web")
    pol = apic.store.get(f"{INV}/sw-Default/extpol-net-1")
    assert (pol.get("name"), pol.get("startEncap")) == ("shop|app|web", "vlan-100")
    assert apic.store.get(f"{pol.dn}/rseppd").get("tDn") == pd.dn


def test_a_static_encap_must_be_in_a_static_block_and_a_full_pool_is_a_fault_until_it_grows(lab):
    apic, _, reactions, _source = lab
    _associate(apic, WEB, encap="vlan-200")
    assert (_eppd(apic, WEB).get("encap"), _eppd(apic, WEB).get("allocMode")) == ("vlan-200", "static")
    _associate(apic, DB, encap="vlan-150")
    fault = apic.store.get(f"{DB}/fault-F0467")
    assert _eppd(apic, DB) is None and "invalid-vlan: vlan-150" in fault.get("descr")

    _associate(apic, DB, encap="unknown")
    _associate(apic, f"{AP}/epg-extra")
    assert [_eppd(apic, e).get("encap") for e in (DB, f"{AP}/epg-extra")] == ["vlan-100", "vlan-101"]
    assert apic.store.get(f"{DB}/fault-F0467") is None
    _associate(apic, f"{AP}/epg-more")
    fault = apic.store.get(f"{AP}/epg-more/fault-F0467")
    assert "encap-pool-exhausted" in fault.get("descr") and fault.get("severity") == "minor"

    apic.writer.post(f"{POOL}/from-[vlan-300]-to-[vlan-300]", proposed_mo({"fvnsEncapBlk": {"attributes": {}}}))
    assert _eppd(apic, f"{AP}/epg-more").get("encap") == "vlan-300"
    assert apic.store.get(f"{AP}/epg-more/fault-F0467") is None


def test_an_epg_without_a_vlan_gets_one_when_its_domain_is_pointed_at_another_pool(lab):
    apic, _, _, _ = lab
    more = f"{AP}/epg-more"
    for epg in (WEB, DB, more):
        _associate(apic, epg)
    assert apic.store.get(f"{more}/fault-F0467") is not None  # 100 and 101 are taken: the pool is exhausted
    other = "uni/infra/vlanns-[rhv2]-dynamic"
    apic.writer.post(other, proposed_mo({"fvnsVlanInstP": {"attributes": {"name": "rhv2", "allocMode": "dynamic"},
                                                           "children": [{"fvnsEncapBlk": {"attributes": {
                                                               "from": "vlan-1200", "to": "vlan-1209"}}}]}}))
    assert _eppd(apic, more) is None  # a block of a pool no domain uses retries nothing
    apic.writer.post(f"{DOMAIN}/rsvlanNs", proposed_mo({"infraRsVlanNs": {"attributes": {"tDn": other}}}))
    assert _eppd(apic, more).get("encap") == "vlan-1200"
    assert apic.store.get(f"{more}/fault-F0467") is None
    assert [_eppd(apic, e).get("encap") for e in (WEB, DB)] == ["vlan-100", "vlan-101"]  # they keep theirs


def test_endpoints_follow_the_vm_and_go_with_it(lab):
    apic, _, reactions, source = lab
    _associate(apic, WEB)
    reactions.tick()
    hosts = (host("h1", "eno1"), host("h2", "eno1", "eno2"))
    source.answer = Inventory(PRODUCT, "Default", ("Default",), hosts,
                              (vm("v1", "h1", MAC, network="shop|app|web", ips=("10.0.0.11", "fe80::1")),), 5)
    apic.writer.post(f"{DOMAIN}/ctrlr-engine", proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "sync"}}}))
    reactions.tick()
    cep = apic.store.get(f"{WEB}/cep-{MAC}")
    assert (cep.get("contName"), cep.get("hostingServer"), cep.get("reportingControllerName"), cep.get("encap"),
            cep.get("lcC"), cep.get("vmmSrc")) == ("name-v1", "name-h1", "engine", "vlan-100", "vmm", "rhev")
    assert (cep.get("bdDn"), cep.get("vrfDn")) == ("uni/tn-shop/BD-bd", "uni/tn-shop/ctx-vrf")
    children = {mo.rn for mo in apic.store.children(cep.dn)}
    assert children == {"ip-[10.0.0.11]", "ip-[fe80::1]", "rscEpToPathEp-[topology/pod-1/paths-101/pathep-[eth1/1]]",
                        f"rshyper-[{INV}/hv-h1]", f"rstoVm-[{INV}/vm-v1]", "rsvm",
                        f"rstoNic-[{INV}/vm-v1/vnic-{MAC}]"}
    conn = apic.store.get(f"{INV}/vm-v1/vnic-{MAC}/eppconn-[{WEB}]")
    assert (conn.get("encap"), conn.get("hostDn")) == ("vlan-100", f"{INV}/hv-h1")

    source.answer = Inventory(PRODUCT, "Default", ("Default",), hosts,
                              (vm("v1", "h2", MAC, network="shop|app|web", ips=("10.0.0.11",)),), 6)
    apic.writer.post(f"{DOMAIN}/ctrlr-engine", proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "moved"}}}))
    reactions.tick()
    paths = sorted(mo.get("tDn") for mo in apic.store.children(cep.dn) if mo.cls == "fvRsCEpToPathEp")
    assert paths == ["topology/pod-1/paths-101/pathep-[eth1/2]", "topology/pod-1/paths-102/pathep-[eth1/2]"]
    assert apic.store.get(cep.dn).get("hostingServer") == "name-h2"
    assert [mo.get("tDn") for mo in apic.store.children(cep.dn) if mo.cls == "fvRsHyper"] == [f"{INV}/hv-h2"]
    assert apic.store.get(f"{cep.dn}/ip-[fe80::1]") is None

    source.answer = Inventory(PRODUCT, "Default", ("Default",), hosts, (vm("v1", "", MAC, network="shop|app|web"),), 7)
    apic.writer.post(f"{DOMAIN}/ctrlr-engine", proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "off"}}}))
    reactions.tick()
    assert apic.store.get(cep.dn) is None


def test_removal_is_retried_while_the_engine_refuses_and_the_epg_says_why(lab):
    apic, clock, reactions, source = lab
    _associate(apic, WEB)
    reactions.tick()
    source.in_use.add("shop|app|web")
    apic.writer.delete(f"{WEB}/rsdomAtt-[{DOMAIN}]")
    assert _eppd(apic, WEB) is None
    reactions.tick()
    fault = apic.store.get(f"{WEB}/fault-F606351")
    assert "Cannot remove Logical Network" in fault.get("descr") and "shop|app|web" in source.networks
    assert apic.store.get(f"{INV}/eppd-[{WEB}]") is not None  # still carried until it can go

    source.in_use.clear()
    apic.writer.post(f"{DOMAIN}/ctrlr-engine", proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "retry"}}}))
    reactions.tick()
    assert "shop|app|web" not in source.networks
    assert apic.store.get(f"{WEB}/fault-F606351") is None and apic.store.get(f"{INV}/eppd-[{WEB}]") is None
    assert source.calls.count(("remove", "shop|app|web")) == 2


def test_an_unknown_data_center_and_a_partial_inventory_raise_their_faults(lab):
    apic, _, reactions, source = lab
    source.answer = Inventory(PRODUCT, "Default", ("Default",), (host("h1", "eno1"),), (vm("v1", "h1", MAC),), 3)
    apic.writer.post(f"{DOMAIN}/ctrlr-engine", proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "a"}}}))
    reactions.tick()
    source.answer = Inventory(PRODUCT, "Default", ("Default",), (), (vm("v1", "h1", MAC),), 4, partial=("hosts",))
    apic.writer.post(f"{DOMAIN}/ctrlr-engine", proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "b"}}}))
    reactions.tick()
    inv = apic.store.get(INV)
    fault = apic.store.get(f"{INV}/fault-F0132")
    assert inv.get("operSt") == "online" and apic.store.get(f"{INV}/hv-h1") is not None  # kept
    assert "Partial inventory: the hosts of the data center could not be read" in fault.get("descr")
    assert fault.get("changeSet") == "remoteOperIssues (Old: , New: partial-inv)"

    source.answer = DataCenterNotFound("Failed to find datacenter Default")
    apic.writer.post(f"{DOMAIN}/ctrlr-engine", proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "c"}}}))
    reactions.tick()
    codes = {mo.get("code") for mo in apic.store.children(INV) if mo.cls == "faultInst"}
    assert codes == {"F606262", "F16438"} and apic.store.get(INV).get("operSt") == "offline"
    assert apic.store.get(f"{INV}/fault-F606262").get("descr") == (
        f"[FSM:FAILED]: VMM Add-Controller FSM: {INV} Failed to find datacenter Default in RHV-M "
        "rhvm.example(FSM:ifc:vmmmgr:CompCtrlrAdd)")

    source.answer = ControllerError("Failed to connect to https://rhvm.example:443: Connection refused")
    apic.writer.post(f"{DOMAIN}/ctrlr-engine", proposed_mo({"vmmCtrlrP": {"attributes": {"descr": "d"}}}))
    reactions.tick()
    assert {mo.get("code") for mo in apic.store.children(INV) if mo.cls == "faultInst"} == {"F0130"}


def test_an_event_re_reads_only_what_it_names(lab):
    apic, clock, reactions, source = lab
    vmm = next(h for h in apic.store.hooks if isinstance(h, RedhatVmm))
    vmm.settings.resync_seconds = 1000  # only polls in this test
    _associate(apic, WEB)
    hosts = (host("h1", "eno1"), host("h2", "eno1"))
    other = vm("v2", "h2", "56:6F:1A:2B:00:02", network="shop|app|web")
    source.answer = Inventory(PRODUCT, "Default", ("Default",), hosts,
                              (vm("v1", "h1", MAC, network="shop|app|web"), other), 5)
    reactions.tick()
    full_reads = len(source.seen)

    source.answer = Inventory(PRODUCT, "Default", ("Default",), hosts,
                              (vm("v1", "h2", MAC, network="shop|app|web"), other), 6)
    source.named = Changes(6, vms=("v1",))
    clock.advance(10)
    vmm.tick()
    reactions.tick()
    assert (len(source.seen), source.some[-1]) == (full_reads, (("v1",), ()))
    paths = [mo.get("tDn") for mo in apic.store.children(f"{WEB}/cep-{MAC}") if mo.cls == "fvRsCEpToPathEp"]
    assert paths == ["topology/pod-1/paths-101/pathep-[eth1/2]"]
    assert apic.store.get(f"{INV}/vm-v1/rshv").get("tDn") == f"{INV}/hv-h2"
    assert apic.store.get(f"{WEB}/cep-56:6F:1A:2B:00:02") is not None  # not named: left alone

    # a host named by an event: read again with the VMs on it, whose paths follow the host's
    source.answer = Inventory(PRODUCT, "Default", ("Default",), (hosts[0], host("h2", "eno1", heard=False)),
                              (vm("v1", "h2", MAC, network="shop|app|web"), other), 7)
    source.named = Changes(7, hosts=("h2",))
    clock.advance(10)
    vmm.tick()
    reactions.tick()
    assert source.some[-1] == (("v1", "v2"), ("h2",))
    assert apic.store.get(f"{INV}/hv-h2/fault-F606391") is not None
    assert [mo for mo in apic.store.children(f"{WEB}/cep-{MAC}") if mo.cls == "fvRsCEpToPathEp"] == []

    # a VM the engine no longer has goes with its endpoint; the poll's position moves on
    source.answer = Inventory(PRODUCT, "Default", ("Default",), hosts, (other,), 8)
    source.named = Changes(8, vms=("v1",))
    clock.advance(10)
    vmm.tick()
    reactions.tick()
    assert apic.store.get(f"{INV}/vm-v1") is None and apic.store.get(f"{WEB}/cep-{MAC}") is None
    assert len(source.some) == 3
    clock.advance(10)
    vmm.tick()
    reactions.tick()
    assert (source.polled[-1], len(source.seen)) == (8, full_reads)  # the re-read's position is the next poll's
    assert not any(source.locked)
