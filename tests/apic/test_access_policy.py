"""Which leaf ports carry an AEP: access policies posted over REST in the shapes the cisco.aci modules send
(aci_aep, aci_aep_to_domain, aci_interface_policy_leaf_policy_group, aci_interface_policy_leaf_profile,
aci_access_port_to_interface_policy_leaf_profile, aci_switch_policy_leaf_profile, aci_switch_leaf_selector,
aci_interface_selector_to_switch_policy_leaf_profile), then resolved from the APIC's tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_session import ApicRest

from simulator.apic.managers.access_policy import aep_ports, domain_aeps, domain_ports, path_leaves
from simulator.lab import Lab, LabOptions

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TWO_POD = Path(__file__).resolve().parents[2] / "fixtures" / "fabric" / "two-pod.yaml"
DOMAIN = "uni/vmmp-Redhat/dom-rhv"


def aep(apic: ApicRest, name: str, domain: str | None = None) -> str:
    dn = f"uni/infra/attentp-{name}"
    children = [{"infraRsDomP": {"attributes": {"tDn": domain}}}] if domain else []
    apic.post_ok(dn, {"infraAttEntityP": {"attributes": {"name": name}, "children": children}})
    return dn


def policy_group(apic: ApicRest, name: str, aep_dn: str, lag: str | None = None) -> str:
    """An access port policy group, or a bundle (lag `link` a port-channel, `node` a vPC)."""
    cls, rn = ("infraAccBndlGrp", "accbundle") if lag else ("infraAccPortGrp", "accportgrp")
    dn = f"uni/infra/funcprof/{rn}-{name}"
    attrs = {"name": name, **({"lagT": lag} if lag else {})}
    apic.post_ok(dn, {cls: {"attributes": attrs, "children": [{"infraRsAttEntP": {"attributes": {"tDn": aep_dn}}}]}})
    return dn


def port_selector(apic: ApicRest, profile: str, name: str, group_dn: str, ports: tuple[int, int], card: int = 1) -> str:
    apic.post_ok(f"uni/infra/accportprof-{profile}", {"infraAccPortP": {"attributes": {"name": profile}}})
    dn = f"uni/infra/accportprof-{profile}/hports-{name}-typ-range"
    block = {"name": "block2", "fromCard": str(card), "toCard": str(card),
             "fromPort": str(ports[0]), "toPort": str(ports[1])}
    apic.post_ok(dn, {"infraHPortS": {"attributes": {"name": name}, "children": [
        {"infraPortBlk": {"attributes": block}},
        {"infraRsAccBaseGrp": {"attributes": {"tDn": group_dn}}}]}})
    return dn


def leaf_profile(apic: ApicRest, name: str, leaves: tuple[int, int], *interface_profiles: str) -> str:
    dn = f"uni/infra/nprof-{name}"
    apic.post_ok(dn, {"infraNodeP": {"attributes": {"name": name}}})
    apic.post_ok(f"{dn}/leaves-{name}_sel-typ-range", {"infraLeafS": {"attributes": {"name": f"{name}_sel"}, "children": [
        {"infraNodeBlk": {"attributes": {"name": "blk", "from_": str(leaves[0]), "to_": str(leaves[1])}}}]}})
    for profile in interface_profiles:
        tdn = f"uni/infra/accportprof-{profile}"
        apic.post_ok(f"{dn}/rsaccPortP-[{tdn}]", {"infraRsAccPortP": {"attributes": {"tDn": tdn}}})
    return dn


@pytest.fixture
def apic(lab):
    return ApicRest(lab.apic_server.url)


def ports_of(lab: Lab, aep_dn: str) -> set[str]:
    with lab.apic.store.lock:
        return aep_ports(lab.apic.store, aep_dn)


def test_an_access_port_group_gives_each_port_of_the_block_on_each_leaf_of_the_profile(lab, apic):
    servers = aep(apic, "servers")
    group = policy_group(apic, "server_ports", servers)
    port_selector(apic, "leafs101-102", "servers", group, (13, 14))
    leaf_profile(apic, "leafs101-102", (101, 102), "leafs101-102")
    assert ports_of(lab, servers) == {
        "topology/pod-1/paths-101/pathep-[eth1/13]", "topology/pod-1/paths-101/pathep-[eth1/14]",
        "topology/pod-1/paths-102/pathep-[eth1/13]", "topology/pod-1/paths-102/pathep-[eth1/14]",
    }


def test_a_port_channel_is_one_path_per_leaf_named_after_its_policy_group(lab, apic):
    storage = aep(apic, "storage")
    group = policy_group(apic, "storage_pc", storage, lag="link")
    port_selector(apic, "leaf103", "storage", group, (20, 21))
    leaf_profile(apic, "leaf103", (103, 103), "leaf103")
    assert ports_of(lab, storage) == {"topology/pod-1/paths-103/pathep-[storage_pc]"}


def test_a_vpc_bundle_on_the_profiles_of_two_leaves_is_their_protpaths(lab, apic):
    hosts = aep(apic, "hosts")
    group = policy_group(apic, "host1_vpc", hosts, lag="node")
    port_selector(apic, "leaf102", "host1", group, (5, 5))
    port_selector(apic, "leaf101", "host1", group, (5, 5))
    leaf_profile(apic, "leaf102", (102, 102), "leaf102")
    leaf_profile(apic, "leaf101", (101, 101), "leaf101")
    assert ports_of(lab, hosts) == {"topology/pod-1/protpaths-101-102/pathep-[host1_vpc]"}


def test_a_vpc_bundle_on_one_leaf_only_is_no_path(lab, apic):
    hosts = aep(apic, "hosts")
    group = policy_group(apic, "half_vpc", hosts, lag="node")
    port_selector(apic, "leaf104", "half", group, (7, 7))
    leaf_profile(apic, "leaf104", (104, 104), "leaf104")
    assert ports_of(lab, hosts) == set()


def test_a_profile_of_the_second_pod_names_its_paths_in_pod_2(tmp_path):
    lab = Lab(LabOptions(admin_password="secret", topology=TWO_POD))
    lab.start(tls_dir=tmp_path / "tls")
    try:
        apic = ApicRest(lab.apic_server.url)
        servers = aep(apic, "servers")
        port_selector(apic, "pod2", "servers", policy_group(apic, "pod2_ports", servers), (3, 3))
        leaf_profile(apic, "pod2", (1101, 1102), "pod2")
        assert ports_of(lab, servers) == {"topology/pod-2/paths-1101/pathep-[eth1/3]",
                                          "topology/pod-2/paths-1102/pathep-[eth1/3]"}
    finally:
        lab.stop()


def test_leaves_a_profile_names_that_the_fabric_does_not_have_carry_nothing(lab, apic):
    servers = aep(apic, "servers")
    port_selector(apic, "ghost", "servers", policy_group(apic, "ghost_ports", servers), (1, 1))
    leaf_profile(apic, "ghost", (150, 151), "ghost")
    assert ports_of(lab, servers) == set()


def test_the_domain_s_ports_are_those_of_every_aep_carrying_it_and_follow_the_policies(lab, apic):
    apic.post_ok(DOMAIN, {"vmmDomP": {"attributes": {"name": "rhv"}}})
    first = aep(apic, "rhv_hosts", DOMAIN)
    second = aep(apic, "rhv_more", DOMAIN)
    aep(apic, "other")
    group = policy_group(apic, "rhv_ports", first)
    port_selector(apic, "leaf101", "rhv", group, (1, 2))
    leaf_profile(apic, "leaf101", (101, 101), "leaf101")
    port_selector(apic, "leaf103", "rhv", policy_group(apic, "rhv_more_ports", second), (9, 9))
    leaf_profile(apic, "leaf103", (103, 103), "leaf103")
    with lab.apic.store.lock:
        assert sorted(domain_aeps(lab.apic.store, DOMAIN)) == [first, second]
        assert domain_ports(lab.apic.store, DOMAIN) == {
            "topology/pod-1/paths-101/pathep-[eth1/1]", "topology/pod-1/paths-101/pathep-[eth1/2]",
            "topology/pod-1/paths-103/pathep-[eth1/9]",
        }
    apic.delete_ok(f"{group}/rsattEntP")
    apic.delete_ok(f"{second}/rsdomP-[{DOMAIN}]")
    with lab.apic.store.lock:
        assert domain_ports(lab.apic.store, DOMAIN) == set()


@pytest.mark.parametrize(("path", "leaves"), [
    ("topology/pod-1/paths-101/pathep-[eth1/1]", (101,)),
    ("topology/pod-2/paths-1101/pathep-[storage_pc]", (1101,)),
    ("topology/pod-2/protpaths-1103-1104/pathep-[storage1_vpc]", (1103, 1104)),
    ("eno1", ()),
    ("", ()),
])
def test_the_leaves_of_a_path(path, leaves):
    assert path_leaves(path) == leaves
