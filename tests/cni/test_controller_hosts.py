"""The controller's node objects as writeApicNode and apicNodeNetPol build them (desired state, no APIC)."""

from __future__ import annotations

import hashlib
import json

from simulator.cni.config import parse
from simulator.cni.desired import ANNOTATION, TAG_KEY, desired_state, tag_value

CONFIG = parse(json.dumps({
    "apic-hosts": ["10.1.1.101"], "apic-username": "mykube", "aci-prefix": "mykube", "aci-vmm-domain": "mykube",
    "aci-vmm-controller": "mykube", "aci-vrf": "mykube-vrf", "aci-vrf-tenant": "common", "aci-policy-tenant": "mykube",
    "aci-podbd-dn": "uni/tn-mykube/BD-aci-containers-mykube-pod-bd",
    "aci-nodebd-dn": "uni/tn-mykube/BD-aci-containers-mykube-node-bd"}))
NODE = {"name": "k8s-node1", "internalIP": "10.1.0.101", "addresses": ["10.1.0.101", "192.0.2.7"],
        "os": "Ubuntu 22.04.4 LTS", "kernel": "5.15.0-105-generic"}
INJ = "comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont"


def objects(state: dict, key: str) -> dict[str, tuple[str, dict]]:
    return {mo.dn: (mo.cls, mo.attrs) for top in state[key] for mo in top.walk()}


def test_a_node_is_a_host_with_its_internal_ip_and_id_0():
    state = desired_state(CONFIG, {"nodes": [NODE]}, {})
    found = objects(state, "mykube_node-vmm_k8s-node1")
    cls, host = found[f"{INJ}/host-[k8s-node1]"]
    assert cls == "vmmInjectedHost"
    assert host == {"name": "k8s-node1", "mgmtIp": "10.1.0.101", "os": "Ubuntu 22.04.4 LTS",
                    "kernelVer": "5.15.0-105-generic", "id": "0", "annotation": ANNOTATION}
    tag = found[f"{INJ}/host-[k8s-node1]/annotationKey-[{TAG_KEY}]"][1]
    assert tag["value"] == tag_value("mykube", "mykube_node-vmm_k8s-node1")


def test_the_node_policy_allows_the_nodes_own_addresses_both_ways():
    found = objects(desired_state(CONFIG, {"nodes": [NODE]}, {}), "mykube_node_k8s-node1")
    pol = "uni/tn-mykube/pol-mykube_node_k8s-node1"
    assert found[pol][0] == "hostprotPol"
    for direction in ("ingress", "egress"):
        rule = f"{pol}/subj-local-node/rule-allow-all-{direction}"
        cls, attrs = found[rule]
        assert cls == "hostprotRule"
        assert (attrs["direction"], attrs["ethertype"], attrs["connTrack"]) == (direction, "ipv4", "normal")
        remote = {dn: attrs for dn, (c, attrs) in found.items() if c == "hostprotRemoteIp" and dn.startswith(rule + "/")}
        assert remote == {f"{rule}/ip-[10.1.0.101]": {"addr": "10.1.0.101", "annotation": ANNOTATION},
                          f"{rule}/ip-[192.0.2.7]": {"addr": "192.0.2.7", "annotation": ANNOTATION}}


def test_a_node_without_addresses_has_a_subject_without_rules():
    found = objects(desired_state(CONFIG, {"nodes": [{"name": "bare"}]}, {}), "mykube_node_bare")
    assert [c for c, _ in found.values() if c.startswith("hostprot")] == ["hostprotPol", "hostprotSubj"]


def test_keys_of_namespaced_objects_hash_namespace_slash_name_as_util_acinameforkey_does():
    long_ns = "n" * 50
    state = desired_state(CONFIG, {"services": [{"namespace": long_ns, "name": "web", "type": "ClusterIP"}]}, {})
    assert f"mykube_service-vmm_{hashlib.sha256(f'{long_ns}/web'.encode()).hexdigest()[:32]}" in state
    short = desired_state(CONFIG, {"services": [{"namespace": "shop", "name": "web", "type": "ClusterIP"}]}, {})
    assert "mykube_service-vmm_shop_web" in short
