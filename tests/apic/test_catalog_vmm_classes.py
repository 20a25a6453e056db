"""The classes of the Red Hat VMM object model (issue 10; ../shared/research/vmm-endpoints-contracts.md A2, B1, B2,
B5, C) as the catalog places them, checked over REST as an engineer and the controller meet them.

The controller writes them (system writes, as the VMM manager, the endpoint tracker and the leaf deployment do);
a client that POSTs one gets the APIC's "Cannot create object of non-configurable class" error, and a client
that sets an operational attribute of the still configurable fvCEp gets the read-only error. Every object is
read back with a class query and inside its parent's full subtree, so its RN, naming values and attributes
round-trip; the deepest DNs of the model parse.
"""

from __future__ import annotations

import pytest
from rest_session import ApicRest

from simulator.lab import Lab, LabOptions

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

PASSWORD = "secret"
TENANT = "uni/tn-t"
EPG = "uni/tn-t/ap-a/epg-e"
EPG2 = "uni/tn-t/ap-a/epg-e2"  # deployed by hand below, so the leaf deployment hook has nothing to say about it
DOMAIN = "uni/vmmp-Redhat/dom-rhv"
INV = "comp/prov-Redhat/ctrlr-[rhv]-engine"
HV = f"{INV}/hv-host-1"
ADJ = f"{HV}/adj-[leaf-101]-[eth1/1]"
NIC = f"{HV}/hpnic-eno1"
SWITCH = f"{INV}/sw-Default"
PORTGROUP = f"{SWITCH}/extpol-net-1"
VM = f"{INV}/vm-vm-1"
VNIC = f"{VM}/vnic-00:1A:4A:16:01:51"
PATH = "topology/pod-1/paths-101/pathep-[eth1/1]"
CEP = f"{EPG}/cep-00:1A:4A:16:01:51"
IP = f"{CEP}/ip-[10.0.0.5]"
LOCALE = f"uni/epp/fv-[{EPG2}]/node-101"
DYATT = f"{LOCALE}/dyatt-[{PATH}]"
CONN = f"{DYATT}/conndef/conn-[vlan-100]-[0.0.0.0]"
TRANSITION = f"epts-[{CEP}]-77"
BARE_PORTGROUP = f"{SWITCH}/extpol-net-3"  # a port group without its hvsRsEpPD yet

# (class, dn, attributes the controller writes), parents first: the model's objects, one of each.
WRITTEN = [
    ("vmmEpPD", f"{DOMAIN}/eppd-[{EPG}]", {"epgPKey": EPG, "encap": "vlan-100", "primaryEncap": "unknown",
                                           "allocMode": "dynamic", "encapMode": "vlan", "idConsumerDn": EPG,
                                           "name": "t|a|e"}),
    ("compEpPD", f"{INV}/eppd-[{EPG}]", {"epgPKey": EPG, "encap": "vlan-100", "name": "t|a|e"}),
    ("compHv", HV, {"name": "host1.example", "oid": "host-1"}),
    ("hvsAdj", ADJ, {"nbrKey": "leaf-101", "ifId": "eth1/1", "nbrDesc": "topology/pod-1/node-101",
                     "portDesc": PATH, "nbrChassisId": "00:22:bd:f8:19:ff"}),
    ("compHpNic", NIC, {"oid": "eno1", "name": "eno1", "mac": "52:54:00:12:34:56"}),
    ("compRsNicAdj", f"{NIC}/rsnicAdj-[{ADJ}]", {"tDn": ADJ}),
    ("hvsLNode", SWITCH, {"oid": "Default", "name": "Default"}),
    ("hvsExtPol", PORTGROUP, {"oid": "net-1", "name": "t|a|e", "startEncap": "vlan-100"}),
    ("hvsExtPol", BARE_PORTGROUP, {"oid": "net-3", "name": "t|a|e2", "startEncap": "vlan-101"}),
    ("hvsRsEpPD", f"{PORTGROUP}/rseppd", {"tDn": f"{INV}/eppd-[{EPG}]"}),
    ("compVm", VM, {"name": "vm1", "oid": "vm-1"}),
    ("compVNic", VNIC, {"mac": "00:1A:4A:16:01:51", "name": "nic1"}),
    ("compEpPConn", f"{VNIC}/eppconn-[{EPG}]", {"epgPKey": EPG, "encap": "vlan-100", "hostDn": HV, "portDn": PATH}),
    ("compRsDlPol", f"{VNIC}/rsdlPol", {"tDn": PORTGROUP}),
    ("fvCEp", CEP, {"mac": "00:1A:4A:16:01:51", "encap": "vlan-100", "lcC": "vmm", "vmmSrc": "rhev",
                    "contName": "vm1", "hostingServer": "host1.example", "reportingControllerName": "engine",
                    "name": "00:1A:4A:16:01:51", "id": "0", "baseEpgDn": EPG, "bdDn": "uni/tn-t/BD-b",
                    "vrfDn": "uni/tn-t/ctx-v", "esgUsegDn": "", "fabricPathDn": PATH,
                    "createTs": "2026-01-01T00:00:00.000+00:00", "flags": ""}),
    ("fvIp", IP, {"addr": "10.0.0.5", "encap": "vlan-100", "fabricPathDn": PATH, "baseEpgDn": EPG,
                  "bdDn": "uni/tn-t/BD-b", "vrfDn": "uni/tn-t/ctx-v", "esgUsegDn": "",
                  "createTs": "2026-01-01T00:00:00.000+00:00", "flags": ""}),
    ("fvReportingNode", f"{IP}/node-101", {"id": "101", "createTs": "2026-01-01T00:00:00.000+00:00", "lcC": "vmm"}),
    ("fvRsToNic", f"{CEP}/rstoNic-[{VNIC}]", {"tDn": VNIC, "isBootstrapUpd": "attach"}),
    ("fvRsHyper", f"{CEP}/rshyper-[{HV}]", {"tDn": HV, "isBootstrapUpd": "attach"}),
    ("fvRsToVm", f"{CEP}/rstoVm-[{VM}]", {"tDn": VM, "isBootstrapUpd": "attach"}),
    ("fvRsVm", f"{CEP}/rsvm", {"tDn": VM}),
    ("fvRsCEpToPathEp", f"{CEP}/rscEpToPathEp-[{PATH}]", {"tDn": PATH, "lcC": "vmm"}),
    ("troubleshootEpTransition", TRANSITION, {
        "subj": CEP, "id": "77", "action": "attached", "date": "2026-01-01T00:00:00.000+00:00", "ip": "10.0.0.5",
        "mac": "00:1A:4A:16:01:51", "encap": "vlan-100", "path": PATH, "tenant": "t", "ap": "a", "epg": "e",
        "esg": "", "ctx": "v"}),
    ("fvLocale", LOCALE, {"id": "101"}),
    ("fvDyPathAtt", DYATT, {"targetDn": PATH, "encap": "vlan-100"}),
    ("fvConnDef", f"{DYATT}/conndef", {}),
    ("fvIfConn", CONN, {"encap": "vlan-100", "addr": "0.0.0.0"}),
    ("faultInst", f"{HV}/fault-F606391", {"code": "F606391", "severity": "major"}),
]

# Classes the controller alone writes, with a DN under an existing parent a client might try.
NOT_CONFIGURABLE = [
    ("compHv", f"{INV}/hv-host-2", {}),
    ("compVm", f"{INV}/vm-vm-2", {}),
    ("compVNic", f"{VM}/vnic-00:1A:4A:16:01:52", {}),
    ("hvsExtPol", f"{SWITCH}/extpol-net-2", {"oid": "net-2"}),
    ("hvsLNode", f"{INV}/sw-Other", {"oid": "Other"}),
    ("hvsAdj", f"{HV}/adj-[leaf-102]-[eth1/2]", {}),
    ("hvsRsEpPD", f"{BARE_PORTGROUP}/rseppd", {"tDn": f"{INV}/eppd-[{EPG}]"}),
    ("compEpPD", f"{INV}/eppd-[{EPG2}]", {}),
    ("compEpPConn", f"{VNIC}/eppconn-[{EPG2}]", {}),
    ("compRsNicAdj", f"{NIC}/rsnicAdj-[{HV}/adj-[leaf-102]-[eth1/2]]", {}),
    ("vmmEpPD", f"{DOMAIN}/eppd-[{EPG2}]", {}),
    ("fvReportingNode", f"{IP}/node-102", {}),
    ("fvRsToNic", f"{CEP}/rstoNic-[{VM}/vnic-00:1A:4A:16:01:52]", {}),
    ("fvRsCEpToPathEp", f"{CEP}/rscEpToPathEp-[topology/pod-1/paths-102/pathep-[eth1/2]]", {}),
    ("fvLocale", f"uni/epp/fv-[{EPG2}]/node-102", {}),
    ("fvDyPathAtt", f"{LOCALE}/dyatt-[topology/pod-1/paths-101/pathep-[eth1/2]]", {}),
    ("fvIfConn", f"{DYATT}/conndef/conn-[vlan-200]-[0.0.0.0]", {}),
    ("troubleshootEpTransition", f"epts-[{CEP}]-78", {}),
]


def configure_tenant(client: ApicRest) -> None:
    epg = {"fvAEPg": {"attributes": {"name": "e"}}}
    epg2 = {"fvAEPg": {"attributes": {"name": "e2"}}}
    body = {"fvTenant": {"attributes": {"name": "t"}, "children": [
        {"fvAp": {"attributes": {"name": "a"}, "children": [epg, epg2]}}]}}
    r = client.post(TENANT, body)
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One lab whose controller has written one object of each class of the model (read-only tests share it)."""
    lab = Lab(LabOptions(admin_password=PASSWORD))
    lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    try:
        client = ApicRest(lab.apic_server.url, PASSWORD)
        configure_tenant(client)
        for cls, dn, attrs in WRITTEN:
            lab.apic.system_post(dn, {cls: {"attributes": attrs}})
        yield client
    finally:
        lab.stop()


@pytest.fixture
def client(lab) -> ApicRest:
    """A lab of its own (tests/apic/conftest.py), with the model's objects in place, for tests that write."""
    client = ApicRest(lab.apic_server.url, PASSWORD)
    configure_tenant(client)
    for cls, dn, attrs in WRITTEN:
        lab.apic.system_post(dn, {cls: {"attributes": attrs}})
    return client


def find(tree: dict, dn: str, parent_dn: str = "") -> dict | None:
    """The attributes of the object at `dn` inside an APIC JSON subtree (children name themselves by rn)."""
    (cls, body), = tree.items()
    attrs = body["attributes"]
    here = attrs.get("dn") or (f"{parent_dn}/{attrs['rn']}" if parent_dn else attrs["rn"])
    if here == dn:
        return {"class": cls, **attrs}
    for child in body.get("children", []):
        hit = find(child, dn, here)
        if hit is not None:
            return hit
    return None


def parent_of(dn: str) -> str:
    """The parent DN (the `/` inside brackets belongs to the RN)."""
    depth, cut = 0, -1
    for i, ch in enumerate(dn):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "/" and depth == 0:
            cut = i
    return dn[:cut] if cut > 0 else ""


@pytest.mark.parametrize(("cls", "dn", "attrs"), WRITTEN, ids=[f"{c}:{d.rsplit('/', 1)[-1]}" for c, d, _ in WRITTEN])
def test_a_controller_written_object_reads_back_by_class_and_in_its_parents_subtree(served, cls, dn, attrs):
    found = [mo[cls]["attributes"] for mo in served.imdata(f"/api/class/{cls}.json")]
    mine = [a for a in found if a["dn"] == dn]
    assert len(mine) == 1, f"{dn} not in the {cls} class query: {[a['dn'] for a in found]}"
    assert {k: mine[0][k] for k in attrs} == attrs

    parent = parent_of(dn)
    if parent:  # under the root there is no parent object to ask (troubleshootEpTransition)
        tree = served.imdata(f"/api/mo/{parent}.json", **{"rsp-subtree": "full"})
        assert len(tree) == 1
        hit = find(tree[0], dn)
        assert hit is not None and hit["class"] == cls, f"{dn} not in the subtree of {parent}"
        assert {k: hit[k] for k in attrs} == attrs
    else:
        (only,) = served.imdata(f"/api/mo/{dn}.json")
        assert only[cls]["attributes"]["dn"] == dn


def test_the_deepest_dns_of_the_model_parse_and_name_their_objects(served):
    (conn,) = served.imdata(f"/api/mo/{CONN}.json")
    assert conn["fvIfConn"]["attributes"]["encap"] == "vlan-100"
    assert conn["fvIfConn"]["attributes"]["addr"] == "0.0.0.0"
    (dyatt,) = served.imdata(f"/api/mo/{DYATT}.json")
    assert dyatt["fvDyPathAtt"]["attributes"]["targetDn"] == PATH
    (row,) = served.imdata(f"/api/mo/{TRANSITION}.json")
    assert (row["troubleshootEpTransition"]["attributes"]["subj"], row["troubleshootEpTransition"]["attributes"]["id"]) \
        == (CEP, "77")
    (adj,) = served.imdata(f"/api/mo/{NIC}/rsnicAdj-[{ADJ}].json")
    assert adj["compRsNicAdj"]["attributes"]["tDn"] == ADJ
    r = served.post(f"{DYATT}/conndef/conn-vlan-100", {"fvIfConn": {"attributes": {"encap": "vlan-100"}}})
    assert r.status_code == 400, r.text
    assert "wrong rn prefix conn-vlan-100" in r.json()["imdata"][0]["error"]["attributes"]["text"]


def test_class_queries_filter_on_the_new_attributes(served):
    by_host = served.imdata("/api/class/fvCEp.json",
                            **{"query-target-filter": 'eq(fvCEp.hostingServer,"host1.example")'})
    assert [mo["fvCEp"]["attributes"]["dn"] for mo in by_host] == [CEP]
    by_leaf = served.imdata("/api/class/hvsAdj.json", **{"query-target-filter": 'eq(hvsAdj.nbrKey,"leaf-101")'})
    assert [mo["hvsAdj"]["attributes"]["portDesc"] for mo in by_leaf] == [PATH]


@pytest.mark.parametrize(("cls", "dn", "attrs"), NOT_CONFIGURABLE, ids=[c for c, _, _ in NOT_CONFIGURABLE])
def test_a_client_cannot_create_what_the_controller_writes(served, cls, dn, attrs):
    """A refused write changes nothing, so the cases share the module's lab."""
    r = served.post(dn, {cls: {"attributes": attrs}})
    assert r.status_code == 400, r.text
    error = r.json()["imdata"][0]["error"]["attributes"]
    assert error["text"] == f"Cannot create object of non-configurable class {cls}: {dn}"
    assert served.imdata(f"/api/mo/{dn}.json") == []


def test_a_static_endpoint_is_configurable_but_its_learned_attributes_are_not(client):
    static = f"{EPG2}/cep-00:1A:4A:16:01:99"
    r = client.post(static, {"fvCEp": {"attributes": {"mac": "00:1A:4A:16:01:99", "encap": "vlan-300"}}})
    assert r.status_code == 200, r.text
    r = client.post(static, {"fvCEp": {"attributes": {"hostingServer": "elsewhere"}}})
    assert r.status_code == 400, r.text
    assert r.json()["imdata"][0]["error"]["attributes"]["text"] == (
        f"Read-only props cannot be modified, class=fvCEp, prop=hostingServer, dn={static}")
    (cep,) = client.imdata(f"/api/mo/{static}.json")
    assert cep["fvCEp"]["attributes"]["hostingServer"] == ""


def test_faults_hang_off_the_inventory_and_the_epg(client, lab):
    lab.apic.system_post(f"{INV}/fault-F0130", {"faultInst": {"attributes": {"code": "F0130"}}})
    lab.apic.system_post(f"{EPG}/fault-F0467", {"faultInst": {"attributes": {"code": "F0467"}}})
    codes = {mo["faultInst"]["attributes"]["dn"]: mo["faultInst"]["attributes"]["code"]
             for mo in client.imdata("/api/class/faultInst.json")}
    assert {f"{INV}/fault-F0130": "F0130", f"{EPG}/fault-F0467": "F0467", f"{HV}/fault-F606391": "F606391"}.items() \
        <= codes.items()
