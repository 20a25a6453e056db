"""The VLAN of an EPG associated with a Red Hat VMM domain, deployed on the leaf ports facing the hosts.

An engineer configures the domain, the EPG's fvRsDomAtt and the access policies over REST; the objects
the Red Hat VMM manager writes (vmmEpPD with the EPG's VLAN, the inventory's compHv/hvsAdj, the
endpoints' fvCEp/fvRsCEpToPathEp) are written as the controller writes them (system writes). What the
leaves get is read back over REST as class queries on fvDyPathAtt, fvIfConn, fvLocale and fvEpP, and
watched over a websocket subscription.
"""

from __future__ import annotations

import json
import ssl

import pytest
import websocket
from rest_session import ApicRest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

DOMAIN = "uni/vmmp-Redhat/dom-rhv"
EPG = "uni/tn-t1/ap-app/epg-web"
DB = "uni/tn-t1/ap-app/epg-db"
INV = "comp/prov-Redhat/ctrlr-[rhv]-engine"
VLAN = "vlan-1200"
P101 = "topology/pod-1/paths-101/pathep-[eth1/1]"
P102 = "topology/pod-1/paths-102/pathep-[eth1/1]"
VPC = "topology/pod-1/protpaths-101-102/pathep-[host2_vpc]"
P103 = "topology/pod-1/paths-103/pathep-[eth1/7]"


class Apic(ApicRest):
    """The lab's APIC over REST, with what the Red Hat VMM manager would write put in as system writes."""

    def __init__(self, lab):
        super().__init__(lab.apic_server.url)
        self.lab = lab

    def deployed(self, epg: str = EPG) -> dict[str, set[str]]:
        """What the leaves carry for an EPG: dyatt DN (under uni/epp/fv-[epg]) -> the VLANs of its fvIfConn."""
        prefix = f"uni/epp/fv-[{epg}]/"
        dyatts = {a["dn"][len(prefix):]: a for a in self.objects("fvDyPathAtt") if a["dn"].startswith(prefix)}
        for rel, attrs in dyatts.items():
            assert rel == f"{rel.split('/', 1)[0]}/dyatt-[{attrs['targetDn']}]", attrs
        found = {rel: set() for rel in dyatts}
        for conn in self.objects("fvIfConn"):
            dyatt, _, rn = conn["dn"].removeprefix(prefix).partition("/conndef/")
            if conn["dn"].startswith(prefix):
                assert rn == f"conn-[{conn['encap']}]-[0.0.0.0]" and dyatt in found, conn
                found[dyatt].add(conn["encap"])
        return found

    # --- what the Red Hat VMM manager writes ----------------------------------------------------------
    def epg_pd(self, epg: str, vlan: str) -> None:
        self.lab.apic.system_post(f"{DOMAIN}/eppd-[{epg}]", {"vmmEpPD": {"attributes": {
            "epgPKey": epg, "encap": vlan, "allocMode": "static", "encapMode": "vlan", "idConsumerDn": epg}}})

    def host(self, oid: str, *paths: str) -> None:
        adjs = [{"hvsAdj": {"attributes": {"nbrKey": f"neighbour-{i}", "ifId": f"eth1/{i + 1}", "portDesc": path}}}
                for i, path in enumerate(paths)]
        self.lab.apic.system_post(f"{INV}/hv-{oid}", {"compHv": {"attributes": {"oid": oid, "name": oid},
                                                                 "children": adjs}})

    def endpoint(self, epg: str, mac: str, path: str, vlan: str = VLAN) -> None:
        self.lab.apic.system_post(f"{epg}/cep-{mac}", {"fvCEp": {"attributes": {"mac": mac, "encap": vlan, "lcC": "vmm"},
                                                                 "children": [{"fvRsCEpToPathEp": {"attributes": {"tDn": path}}}]}})

    def system_delete(self, dn: str) -> None:
        with self.lab.apic.store.transaction() as txn:
            txn.delete(dn)

    # --- what the engineer configures -------------------------------------------------------------------
    def associate(self, epg: str, immediacy: str, vlan: str = VLAN) -> None:
        self.post_ok(f"{epg}/rsdomAtt-[{DOMAIN}]", {"fvRsDomAtt": {"attributes": {
            "tDn": DOMAIN, "resImedcy": immediacy, "encap": vlan}}})
        self.epg_pd(epg, vlan)


@pytest.fixture
def apic(lab):
    """The lab's APIC (its leaf deployment keeps fvDyPathAtt/fvIfConn), a Red Hat domain with a static VLAN
    block, a tenant with two EPGs and the domain's inventory controller (no host yet)."""
    apic = Apic(lab)
    pool = "uni/infra/vlanns-[rhv_pool]-dynamic"
    apic.post_ok(pool, {"fvnsVlanInstP": {"attributes": {"name": "rhv_pool", "allocMode": "dynamic"}, "children": [
        {"fvnsEncapBlk": {"attributes": {"from": "vlan-1200", "to": "vlan-1299", "allocMode": "static"}}}]}})
    apic.post_ok(DOMAIN, {"vmmDomP": {"attributes": {"name": "rhv"}, "children": [
        {"infraRsVlanNs": {"attributes": {"tDn": pool}}}]}})
    apic.post_ok("uni/tn-t1", {"fvTenant": {"attributes": {"name": "t1"}, "children": [
        {"fvAp": {"attributes": {"name": "app"}, "children": [
            {"fvAEPg": {"attributes": {"name": "web"}}}, {"fvAEPg": {"attributes": {"name": "db"}}}]}}]}})
    lab.apic.system_post(INV, {"compCtrlr": {"attributes": {"domName": "rhv", "name": "engine"}}})
    return apic


def node_rel(node: int, path: str) -> str:
    return f"node-{node}/dyatt-[{path}]"


def test_immediate_deploys_on_every_path_facing_a_host_a_vpc_under_both_leaves(apic):
    apic.host("host1", P101, P102)
    apic.host("host2", VPC)
    apic.associate(EPG, "immediate")
    assert apic.deployed() == {node_rel(101, P101): {VLAN}, node_rel(102, P102): {VLAN},
                               node_rel(101, VPC): {VLAN}, node_rel(102, VPC): {VLAN}}
    dyatt = next(a for a in apic.objects("fvDyPathAtt") if a["dn"].endswith(f"/dyatt-[{VPC}]"))
    assert dyatt["encap"] == VLAN
    assert {a["dn"] for a in apic.objects("fvLocale")} == {f"uni/epp/fv-[{EPG}]/node-101",
                                                           f"uni/epp/fv-[{EPG}]/node-102"}
    [fv] = apic.objects("fvEpP")
    assert (fv["dn"], fv["epgPKey"], fv["epgDn"]) == (f"uni/epp/fv-[{EPG}]", EPG, EPG)


def test_hosts_added_and_removed_are_followed(apic):
    apic.host("host1", P101)
    apic.associate(EPG, "immediate")
    apic.host("host3", P103, "eno1 of a switch that is no ACI leaf")
    assert apic.deployed() == {node_rel(101, P101): {VLAN}, node_rel(103, P103): {VLAN}}
    apic.system_delete(f"{INV}/hv-host1")
    assert apic.deployed() == {node_rel(103, P103): {VLAN}}
    assert {a["dn"] for a in apic.objects("fvLocale")} == {f"uni/epp/fv-[{EPG}]/node-103"}
    apic.system_delete(f"{INV}/hv-host3")
    assert apic.deployed() == {}
    assert apic.objects("fvLocale") == [] and apic.objects("fvEpP") == []


def test_lazy_deploys_only_where_an_endpoint_of_the_epg_is_and_follows_it(apic):
    apic.host("host1", P101)
    apic.host("host2", VPC)
    apic.associate(EPG, "lazy")
    assert apic.deployed() == {} and apic.objects("fvEpP") == []
    apic.endpoint(EPG, "00:1A:4A:16:01:51", P101)
    apic.endpoint(DB, "00:1A:4A:16:01:52", P102)  # an EPG without a Red Hat association deploys nothing
    assert apic.deployed() == {node_rel(101, P101): {VLAN}}
    assert apic.deployed(DB) == {}
    # a live migration: the old path goes and the new one comes in one write
    apic.lab.apic.system_post(f"{EPG}/cep-00:1A:4A:16:01:51", {"fvCEp": {"attributes": {}, "children": [
        {"fvRsCEpToPathEp": {"attributes": {"tDn": P101, "status": "deleted"}}},
        {"fvRsCEpToPathEp": {"attributes": {"tDn": VPC}}}]}})
    assert apic.deployed() == {node_rel(101, VPC): {VLAN}, node_rel(102, VPC): {VLAN}}
    apic.system_delete(f"{EPG}/cep-00:1A:4A:16:01:51")  # the VM powered off
    assert apic.deployed() == {} and apic.objects("fvEpP") == []


def test_pre_provision_deploys_on_every_port_of_the_domain_s_aeps_and_the_hosts(apic):
    apic.host("host1", P101)
    aep = "uni/infra/attentp-rhv_aep"
    apic.post_ok(aep, {"infraAttEntityP": {"attributes": {"name": "rhv_aep"}, "children": [
        {"infraRsDomP": {"attributes": {"tDn": DOMAIN}}}]}})
    group = "uni/infra/funcprof/accportgrp-rhv_ports"
    apic.post_ok(group, {"infraAccPortGrp": {"attributes": {"name": "rhv_ports"}, "children": [
        {"infraRsAttEntP": {"attributes": {"tDn": aep}}}]}})
    selector = "uni/infra/accportprof-leaf104/hports-rhv-typ-range"
    apic.post_ok(selector, {"infraHPortS": {"attributes": {"name": "rhv"}, "children": [
        {"infraPortBlk": {"attributes": {"name": "block2", "fromCard": "1", "toCard": "1", "fromPort": "5", "toPort": "5"}}},
        {"infraRsAccBaseGrp": {"attributes": {"tDn": group}}}]}})
    apic.post_ok("uni/infra/nprof-leaf104", {"infraNodeP": {"attributes": {"name": "leaf104"}, "children": [
        {"infraLeafS": {"attributes": {"name": "leaf104"}, "children": [
            {"infraNodeBlk": {"attributes": {"name": "blk", "from_": "104", "to_": "104"}}}]}},
        {"infraRsAccPortP": {"attributes": {"tDn": "uni/infra/accportprof-leaf104"}}}]}})
    apic.associate(EPG, "pre-provision")
    p104 = "topology/pod-1/paths-104/pathep-[eth1/5]"
    assert apic.deployed() == {node_rel(101, P101): {VLAN}, node_rel(104, p104): {VLAN}}
    # the port block grows: the new port is deployed too
    apic.post_ok(f"{selector}/portblk-block2", {"infraPortBlk": {"attributes": {"toPort": "6"}}})
    p104b = "topology/pod-1/paths-104/pathep-[eth1/6]"
    assert apic.deployed() == {node_rel(101, P101): {VLAN}, node_rel(104, p104): {VLAN}, node_rel(104, p104b): {VLAN}}
    # the AEP no longer carries the domain: only the hosts' paths stay
    apic.delete_ok(f"{aep}/rsdomP-[{DOMAIN}]")
    assert apic.deployed() == {node_rel(101, P101): {VLAN}}


def test_changing_the_resolution_immediacy_redeploys(apic):
    apic.host("host1", P101)
    apic.host("host2", P102)
    apic.associate(EPG, "immediate")
    apic.endpoint(EPG, "00:1A:4A:16:01:51", P102)
    assert apic.deployed() == {node_rel(101, P101): {VLAN}, node_rel(102, P102): {VLAN}}
    apic.post_ok(f"{EPG}/rsdomAtt-[{DOMAIN}]", {"fvRsDomAtt": {"attributes": {"resImedcy": "lazy"}}})
    assert apic.deployed() == {node_rel(102, P102): {VLAN}}
    apic.post_ok(f"{EPG}/rsdomAtt-[{DOMAIN}]", {"fvRsDomAtt": {"attributes": {"resImedcy": "immediate"}}})
    assert apic.deployed() == {node_rel(101, P101): {VLAN}, node_rel(102, P102): {VLAN}}


def test_two_epgs_each_get_their_own_vlan_and_removing_an_association_removes_only_its_deployment(apic):
    apic.host("host1", P101)
    apic.associate(EPG, "immediate")
    apic.associate(DB, "immediate", "vlan-1201")
    assert apic.deployed() == {node_rel(101, P101): {VLAN}}
    assert apic.deployed(DB) == {node_rel(101, P101): {"vlan-1201"}}
    apic.delete_ok(f"{EPG}/rsdomAtt-[{DOMAIN}]")
    assert apic.deployed() == {}
    assert apic.deployed(DB) == {node_rel(101, P101): {"vlan-1201"}}
    assert [a["dn"] for a in apic.objects("fvEpP")] == [f"uni/epp/fv-[{DB}]"]
    apic.delete_ok("uni/tn-t1")
    assert apic.objects("fvDyPathAtt") == apic.objects("fvIfConn") == apic.objects("fvLocale") == []
    assert apic.objects("fvEpP") == []


def test_a_subscriber_sees_only_the_objects_that_change(apic):
    apic.host("host1", P101)
    apic.associate(EPG, "immediate")
    ws = websocket.create_connection(apic.url.replace("https://", "wss://") + "/socket" + apic.token,
                                     sslopt={"cert_reqs": ssl.CERT_NONE}, timeout=30)
    try:
        for cls in ("fvDyPathAtt", "fvIfConn"):
            r = apic.http.get(f"{apic.url}/api/class/{cls}.json?subscription=yes", timeout=30)
            assert r.status_code == 200, r.text
        # changes that leave the deployment as it is: the host heard again (same path), another host on it
        apic.host("host1", P101)
        apic.host("host3", P101)
        # then one that adds a path: its two objects are the first (and only) events
        apic.host("host2", P102)
        seen = []
        while len(seen) < 2:
            for mo in json.loads(ws.recv())["imdata"]:
                [(cls, body)] = mo.items()
                seen.append((cls, body["attributes"]["status"], body["attributes"]["dn"]))
        dyatt = f"uni/epp/fv-[{EPG}]/node-102/dyatt-[{P102}]"
        assert sorted(seen) == [("fvDyPathAtt", "created", dyatt),
                                ("fvIfConn", "created", f"{dyatt}/conndef/conn-[{VLAN}]-[0.0.0.0]")]
    finally:
        ws.close()
