"""LoadBalancer services: the address the controller gives them (written to the Service's status), the APIC
objects of the service graph it writes for them, and the deployed graph instance the APIC renders."""

from __future__ import annotations

import json

import pytest

from simulator.cni.config import from_manifest, parse
from simulator.cni.controller import Controller
from simulator.cni.desired import desired_state
from simulator.cni.ipam import allocate
from simulator.cni.kube import SERVICE_EP_ANNOTATION, KubeClient, KubeView

CONFIG = parse(json.dumps({
    "apic-hosts": ["10.1.1.101"], "apic-username": "mykube", "aci-prefix": "mykube", "aci-vmm-domain": "mykube",
    "aci-vmm-controller": "mykube", "aci-vrf": "mykube-vrf", "aci-vrf-tenant": "common", "aci-policy-tenant": "mykube",
    "aci-podbd-dn": "uni/tn-mykube/BD-aci-containers-mykube-pod-bd",
    "aci-nodebd-dn": "uni/tn-mykube/BD-aci-containers-mykube-node-bd", "aci-l3out": "mykube_l3out", "aci-ext-networks": ["mykube_extepg"],
                           "aci-service-phys-dom": "mykube-pdom", "aci-service-encap": "vlan-4003",
                           "service-ip-pool": [{"start": "10.3.0.2", "end": "10.3.0.254"}],
                           "static-service-ip-pool": [{"start": "10.4.0.2", "end": "10.4.0.254"}],
                           "node-service-ip-pool": [{"start": "10.5.0.2", "end": "10.5.0.254"}]}))
ODEVS = {"k8s-node1": [{"hostName": "k8s-node1", "fabricPathDn": "topology/pod-1/paths-101/pathep-[eth1/1]",
                        "mac": "52:54:00:AA:BB:01", "state": "connected"}]}
T = "uni/tn-common"
NAME = "mykube_svc_shop_web"


def lb(name: str = "web", **extra) -> dict:
    return {"namespace": "shop", "name": name, "type": "LoadBalancer", "clusterIP": "10.96.0.20",
            "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}, {"port": 53, "protocol": "UDP", "targetPort": 53}],
            "endpoints": ["web-1"], **extra}


def view(*services: dict) -> dict:
    return {"nodes": [{"name": "k8s-node1", "internalIP": "10.1.0.101"}, {"name": "k8s-node2", "internalIP": "10.1.0.102"}],
            "namespaces": [{"name": "shop"}], "pods": [{"namespace": "shop", "name": "web-1", "node": "k8s-node1"}],
            "services": list(services)}


def test_addresses_come_from_the_dynamic_pool_in_name_order_and_a_held_one_is_kept():
    allocated, writes = allocate(CONFIG, view(lb("b"), lb("a"), lb("c", ingress=["10.3.0.2"])), ODEVS, "2026-01-01T00:00:00Z")
    assert {s["name"]: s["ingress"] for s in allocated["services"]} == {"a": ["10.3.0.3"], "b": ["10.3.0.4"],
                                                                        "c": ["10.3.0.2"]}
    status = dict(writes.patches)["/api/v1/namespaces/shop/services/a/status"]["status"]
    assert status["loadBalancer"] == {"ingress": [{"ip": "10.3.0.3"}]}
    assert status["conditions"] == [{"type": "LbIpamAllocation", "status": "True", "reason": "Success", "message": "",
                                     "lastTransitionTime": "2026-01-01T00:00:00Z"}]


def test_a_requested_address_is_granted_from_the_static_pool_only():
    allocated, writes = allocate(CONFIG, view(lb("in", loadBalancerIP="10.4.0.9"), lb("out", loadBalancerIP="10.9.9.9")),
                                 ODEVS)
    assert {s["name"]: s["ingress"] for s in allocated["services"]} == {"in": ["10.4.0.9"], "out": []}
    refused = dict(writes.patches)["/api/v1/namespaces/shop/services/out/status"]["status"]
    assert refused["loadBalancer"] == {"ingress": []}
    assert refused["conditions"][0]["reason"] == "RequestedIpsNotAllocatable"


def test_a_service_whose_status_already_says_it_all_gets_no_write():
    first, writes = allocate(CONFIG, view(lb()), ODEVS, "t0")
    shown = dict(lb(), ingress=first["services"][0]["ingress"],
                 conditions=[dict(writes.patches)["/api/v1/namespaces/shop/services/web/status"]["status"]["conditions"][0]])
    node = {**first["nodes"][0], "serviceEndpoint": first["nodes"][0]["serviceEndpoint"]}
    node.pop("annotatedEndpoint")
    again, more = allocate(CONFIG, {**view(shown), "nodes": [node, view()["nodes"][1]]}, ODEVS, "t1")
    assert more.patches == []
    assert again["services"][0]["ingress"] == first["services"][0]["ingress"]


def test_a_node_with_a_device_gets_a_service_endpoint_with_the_devices_mac():
    allocated, writes = allocate(CONFIG, view(), ODEVS)
    node1 = next(n for n in allocated["nodes"] if n["name"] == "k8s-node1")
    assert node1["serviceEndpoint"] == {"mac": "52:54:00:aa:bb:01", "ipv4": "10.5.0.2"}
    assert dict(writes.patches)["/api/v1/nodes/k8s-node1"] == {"metadata": {"annotations": {
        SERVICE_EP_ANNOTATION: '{"mac":"52:54:00:aa:bb:01","ipv4":"10.5.0.2"}'}}}
    assert "/api/v1/nodes/k8s-node2" not in dict(writes.patches)


def objects(config, v: dict) -> dict[str, tuple[str, dict]]:
    allocated, _ = allocate(config, v, ODEVS)
    state = desired_state(config, allocated, ODEVS)
    return {mo.dn: (mo.cls, mo.attrs) for top in state.get(NAME, []) for mo in top.walk() if mo.cls != "tagAnnotation"}


def test_a_load_balancer_service_gets_contract_filter_external_epg_redirect_policy_and_device_context():
    found = objects(CONFIG, view(lb()))
    out = f"{T}/out-mykube_l3out"
    assert found[f"{T}/brc-{NAME}"][0] == "vzBrCP"
    assert found[f"{T}/brc-{NAME}/subj-loadbalancedservice/rsSubjGraphAtt"][1]["tnVnsAbsGraphName"] == "mykube_svc_global"
    assert found[f"{T}/brc-{NAME}/subj-loadbalancedservice/rssubjFiltAtt-{NAME}"][1]["tnVzFilterName"] == NAME
    entries = {dn: a for dn, (c, a) in found.items() if c == "vzEntry"}
    assert {(a["prot"], a["dFromPort"], a["dToPort"], a["etherT"]) for a in entries.values()} == {
        ("tcp", "http", "http", "ip"), ("udp", "dns", "dns", "ip")}
    assert found[f"{out}/instP-{NAME}/extsubnet-[10.3.0.2/32]"] == ("l3extSubnet", {"ip": "10.3.0.2/32",
                                                                                     "annotation": found[f"{T}/brc-{NAME}"][1]["annotation"]})
    assert found[f"{out}/instP-{NAME}/rsprov-{NAME}"][1]["tnVzBrCPName"] == NAME
    assert found[f"{out}/instP-mykube_extepg/rscons-{NAME}"][1]["tnVzBrCPName"] == NAME
    dests = {dn: a for dn, (c, a) in found.items() if c == "vnsRedirectDest"}
    assert [(a["ip"], a["mac"], a["descr"]) for a in dests.values()] == [("10.5.0.2", "52:54:00:aa:bb:01", "k8s-node1")]
    assert list(dests) == [f"{T}/svcCont/svcRedirectPol-{NAME}/RedirectDest_ip-[10.5.0.2]"]
    ctx = f"{T}/ldevCtx-c-{NAME}-g-mykube_svc_global-n-loadbalancer"
    assert found[f"{ctx}/rsLDevCtxToLDev"][1]["tDn"] == f"{T}/lDevVip-mykube_svc_global"
    for side in ("consumer", "provider"):
        assert found[f"{ctx}/lIfCtx-c-{side}/rsLIfCtxToSvcRedirectPol"][1]["tDn"] == f"{T}/svcCont/svcRedirectPol-{NAME}"
        assert found[f"{ctx}/lIfCtx-c-{side}/rsLIfCtxToBD"][1]["tDn"] == f"{T}/BD-mykube_bd_kubernetes-service"


def test_the_injected_service_carries_its_address_dns_name_and_node_ports():
    allocated, _ = allocate(CONFIG, view(lb(ports=[{"port": 80, "protocol": "TCP", "targetPort": 8080, "nodePort": 31080}])),
                            ODEVS)
    state = desired_state(CONFIG, allocated, ODEVS)
    svc = next(top for top in state["mykube_service-vmm_shop_web"])
    assert {k: svc.attrs[k] for k in ("type", "clusterIp", "lbIp", "dnsName")} == {
        "type": "loadBalancer", "clusterIp": "10.96.0.20", "lbIp": "10.3.0.2", "dnsName": "web.shop.svc.cluster.local"}
    port = next(c for c in svc.children if c.cls == "vmmInjectedSvcPort")
    assert (port.dn.rsplit("/", 1)[1], port.attrs["nodePort"]) == ("p-http-prot-tcp-t-8080", "31080")
    no_address = desired_state(CONFIG, view(lb(loadBalancerIP="10.9.9.9")), ODEVS)["mykube_service-vmm_shop_web"][0]
    assert (no_address.attrs["lbIp"], no_address.attrs["dnsName"]) == ("", "")


@pytest.mark.parametrize("change", [{"type": "ClusterIP"}, {"endpoints": []}])
def test_no_load_balancer_objects_when_the_service_is_no_load_balancer_or_no_node_with_a_device_serves_it(change):
    assert objects(CONFIG, view(lb(**change))) == {}


def test_the_graph_template_has_the_redirect_node_between_two_terminals():
    allocated, _ = allocate(CONFIG, view(), ODEVS)
    graph = next(top for top in desired_state(CONFIG, allocated, ODEVS)["mykube_svc_global"] if top.cls == "vnsAbsGraph")
    found = {mo.dn.removeprefix(graph.dn + "/"): (mo.cls, mo.attrs) for mo in graph.walk() if mo.cls != "tagAnnotation"}
    assert found["AbsNode-loadbalancer"][1] | {"annotation": ""} == {"name": "loadbalancer", "managed": "no",
                                                                     "routingMode": "Redirect", "annotation": ""}
    assert found["AbsNode-loadbalancer/rsNodeToLDev"][1]["tDn"] == f"{T}/lDevVip-mykube_svc_global"
    assert {k for k, (c, _) in found.items() if c in ("vnsAbsTermNodeCon", "vnsAbsTermNodeProv", "vnsAbsConnection")} == {
        "AbsTermNodeCon-T1", "AbsTermNodeProv-T2", "AbsConnection-C1", "AbsConnection-C2"}
    assert {a["tDn"] for k, (c, a) in found.items() if k.startswith("AbsConnection-C1/")} == {
        f"{graph.dn}/AbsNode-loadbalancer/AbsFConn-consumer", f"{graph.dn}/AbsTermNodeCon-T1/AbsTConn"}


# --- through the lab: the real kubectl, the lab's API server and APIC ------------------------------------------
# The service's endpoint is on a node of its own (lb-node-1, applied with kubectl, not one of the scenario's,
# whose opflexODevs the fabric keeps by itself) that has an opflexODev as its leaf would report it.

WEB = """\
apiVersion: v1
kind: Node
metadata: {name: lb-node-1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: LoadBalancer
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: default}
subsets:
- addresses: [{ip: 10.2.0.50, nodeName: lb-node-1, targetRef: {kind: Pod, name: web-1, namespace: default}}]
  ports: [{port: 8080}]
"""


@pytest.fixture
def cluster(vrf_associated):
    """lb-node-1 with an opflexODev, the LoadBalancer service web served there, a controller with a Kubernetes
    client."""
    config, key = from_manifest(vrf_associated.manifest)
    vrf_associated.system_post("topology/pod-1/node-101/sys/br-[eth1/5]/odev-167837801", {"opflexODev": {"attributes": {
        "hostName": "lb-node-1", "domName": config.vmm_domain, "devType": "k8s", "state": "connected",
        "fabricPathDn": "topology/pod-1/paths-101/pathep-[eth1/5]", "ip": "10.0.0.105", "mac": "52:54:00:5e:00:01"}}})
    (vrf_associated.workdir / "web.yaml").write_text(WEB)
    vrf_associated.kubectl("apply", "-f", str(vrf_associated.workdir / "web.yaml"))
    client = KubeClient.from_kubeconfig(vrf_associated.kubeconfig)
    ctrl = Controller(config, key, kube=client)
    ctrl.start()
    yield vrf_associated, ctrl, KubeView(client)
    ctrl.stop()
    client.close()
    vrf_associated.kubectl("delete", "-f", str(vrf_associated.workdir / "web.yaml"), "--ignore-not-found")


def synced(ctrl: Controller, kube: KubeView):
    kube.load()
    return ctrl.sync(kube.view())


def test_a_load_balancer_service_gets_its_address_its_service_graph_objects_and_an_applied_graph_instance(cluster):
    lab, ctrl, kube = cluster
    synced(ctrl, kube)

    svc = json.loads(lab.kubectl("get", "service", "web", "-o", "json").stdout)
    ip = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert ip == "10.3.0.2"
    assert next(c for c in svc["status"]["conditions"] if c["type"] == "LbIpamAllocation")["status"] == "True"
    node = json.loads(lab.kubectl("get", "node", "lb-node-1", "-o", "json").stdout)
    endpoint = json.loads(node["metadata"]["annotations"][SERVICE_EP_ANNOTATION])
    assert endpoint == {"mac": "52:54:00:5e:00:01", "ipv4": "10.5.0.2"}

    t, name = "uni/tn-common", "mykube_svc_default_web"
    contract, graph = f"{t}/brc-{name}", f"{t}/AbsGraph-mykube_svc_global"
    instance = f"{t}/GraphInst_C-[{contract}]-G-[{graph}]-S-[uni/tn-common/ctx-mykube-vrf]"
    assert lab.read(f"{contract}/subj-loadbalancedservice/rsSubjGraphAtt")["tnVnsAbsGraphName"] == "mykube_svc_global"
    assert lab.read(f"{t}/flt-{name}/e-0")["dFromPort"] == "http"
    ext = f"{t}/out-mykube_l3out/instP-{name}"
    assert lab.read(f"{ext}/extsubnet-[{ip}/32]") is not None
    assert lab.read(f"{ext}/rsprov-{name}")["state"] == "formed"
    consumer = f"{t}/out-mykube_l3out/instP-mykube_extepg/rscons-{name}"
    assert lab.read(consumer)["state"] == "formed"
    dest = lab.read(f"{t}/svcCont/svcRedirectPol-{name}/RedirectDest_ip-[10.5.0.2]")
    assert (dest["mac"], dest["descr"]) == ("52:54:00:5e:00:01", "lb-node-1")
    assert lab.read(f"{ctrl.config.injcont}/ns-[default]/svc-[web]")["lbIp"] == ip
    rendered = lab.read(instance)
    assert (rendered["configSt"], rendered["ctrctName"], rendered["graphName"]) == ("applied", name, "mykube_svc_global")
    assert lab.read(f"{instance}/NodeInst-loadbalancer")["routingMode"] == "Redirect"

    again = synced(ctrl, kube)
    assert (again.posted, again.deleted) == ([], [])

    lab.kubectl("delete", "service", "web")
    gone = synced(ctrl, kube)
    assert {contract, ext, consumer, f"{t}/flt-{name}", f"{t}/svcCont/svcRedirectPol-{name}"} <= set(gone.deleted)
    for dn in (contract, ext, consumer, f"{t}/ldevCtx-c-{name}-g-mykube_svc_global-n-loadbalancer", instance):
        assert lab.read(dn) is None, dn
    assert lab.read(f"{t}/out-mykube_l3out/instP-mykube_extepg") is not None  # the configured network stays
