"""The APIC objects the controller wants for a Kubernetes view, grouped by desired-state key.

The view is plain data (a dict of lists, as `kube.read_view` returns it), so the same code serves a
real cluster and a recorded one. Names, keys, tags and DNs follow research cni-nodeprep.md §A2.
"""

from __future__ import annotations

import hashlib

from .config import ControllerConfig
from .loadbalancer import graph_name, port_name, protocol, service_objects
from .mo import Mo, aci_name_for_key

ANNOTATION = "orchestrator:aci-containers-controller"
TAG_KEY = "aci-containers-controller-tag"
SERVICE_TYPES = {"ClusterIP": "clusterIp", "NodePort": "nodePort", "LoadBalancer": "loadBalancer",
                 "ExternalName": "externalName"}


def tag_value(prefix: str, key: str) -> str:
    """The tagAnnotation value that marks an object of one desired-state key as the controller's."""
    return f"{prefix}-{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def tagged(mo: Mo, prefix: str, key: str) -> Mo:
    """Every object and child carries the controller's annotation and a tagAnnotation child."""
    for each in list(mo.walk()):
        each.attrs["annotation"] = ANNOTATION
        each.children.append(Mo("tagAnnotation", f"{each.dn}/annotationKey-[{TAG_KEY}]",
                                {"key": TAG_KEY, "value": tag_value(prefix, key)}))
    return mo


def desired_state(config: ControllerConfig, view: dict, odevs: dict[str, list[dict]]) -> dict[str, list[Mo]]:
    """Key -> the objects of that key. `odevs` maps a node name to its opflexODev attributes."""
    p = config.prefix
    state: dict[str, list[Mo]] = {}

    def put(key: str, *mos: Mo) -> None:
        state[key] = [tagged(mo, p, key) for mo in mos]

    injcont = config.injcont
    for node in view.get("nodes", []):
        host = Mo("vmmInjectedHost", f"{injcont}/host-[{node['name']}]",  # id "0": writeApicNode on APIC >= 5.0
                  {"name": node["name"], "mgmtIp": node.get("internalIP", ""), "os": node.get("os", ""),
                   "kernelVer": node.get("kernel", ""), "id": "0"})
        put(aci_name_for_key(p, "node-vmm", node["name"]), host)
        put(aci_name_for_key(p, "node", node["name"]), _host_protection(config, node))
    for ns in view.get("namespaces", []):
        put(aci_name_for_key(p, "ns", ns["name"]), Mo("vmmInjectedNs", _ns_dn(config, ns["name"]), {"name": ns["name"]}))
    for depl in view.get("deployments", []):
        put(aci_name_for_key(p, "depl", f"{depl['namespace']}/{depl['name']}"),
            Mo("vmmInjectedDepl", f"{_ns_dn(config, depl['namespace'])}/depl-[{depl['name']}]",
               {"name": depl["name"], "guid": depl.get("uid", ""), "replicas": str(depl.get("replicas", 1))}))
    for rs in view.get("replicasets", []):
        put(aci_name_for_key(p, "rs", f"{rs['namespace']}/{rs['name']}"),
            Mo("vmmInjectedReplSet", f"{_ns_dn(config, rs['namespace'])}/rs-[{rs['name']}]",
               {"name": rs["name"], "guid": rs.get("uid", ""), "deploymentName": rs.get("deployment", "")}))
    for pod in view.get("pods", []):
        put(aci_name_for_key(p, "pod", f"{pod['namespace']}/{pod['name']}"),
            Mo("vmmInjectedContGrp", f"{_ns_dn(config, pod['namespace'])}/grp-[{pod['name']}]",
               {"name": pod["name"], "guid": pod.get("uid", ""), "hostName": pod.get("node", ""),
                "computeNodeName": pod.get("node", ""), "replicaSetName": pod.get("replicaset", "")}))
    for svc in view.get("services", []):
        put(aci_name_for_key(p, "service-vmm", f"{svc['namespace']}/{svc['name']}"), _service(config, svc))
        if svc.get("type") == "LoadBalancer":
            put(aci_name_for_key(p, "svc", f"{svc['namespace']}/{svc['name']}"), *service_objects(config, svc, view, odevs))
    put(f"{p}_np_static", *_static_policies(config))
    put(f"{p}_service_static", *_service_bd(config))
    put(f"{p}_svc_global", *_service_graph(config, view, odevs))
    return state


def _ns_dn(config: ControllerConfig, ns: str) -> str:
    return f"{config.injcont}/ns-[{ns}]"


def _host_protection(config: ControllerConfig, node: dict) -> Mo:
    """apicNodeNetPol: the node's own addresses (InternalIP and ExternalIP) allowed both ways; no rules
    while the node has none."""
    name = aci_name_for_key(config.prefix, "node", node["name"])
    dn = f"uni/tn-{config.policy_tenant}/pol-{name}"
    subj = f"{dn}/subj-local-node"
    addresses = node.get("addresses") or [a for a in (node.get("internalIP"),) if a]
    rules = []
    if addresses:
        for direction in ("ingress", "egress"):
            rule = f"{subj}/rule-allow-all-{direction}"
            rules.append(Mo("hostprotRule", rule, {"name": f"allow-all-{direction}", "direction": direction,
                                                   "ethertype": "ipv4", "connTrack": "normal"},
                            [Mo("hostprotRemoteIp", f"{rule}/ip-[{ip}]", {"addr": ip}) for ip in addresses]))
    return Mo("hostprotPol", dn, {"name": name}, [Mo("hostprotSubj", subj, {"name": "local-node"}, rules)])


def _static_policies(config: ControllerConfig) -> list[Mo]:
    base = f"uni/tn-{config.policy_tenant}/pol-{config.prefix}_np_static"
    out = []
    for suffix, rules in (("ingress", [("ingress", "ingress")]), ("egress", [("egress", "egress")]),
                          ("discovery", [("arp-ingress", "ingress"), ("arp-egress", "egress"),
                                         ("icmp-ingress", "ingress"), ("icmp-egress", "egress")])):
        dn = f"{base}-{suffix}"
        subj = f"{dn}/subj-{suffix}"
        children = []
        for name, direction in rules:
            extra = {"ethertype": "arp"} if name.startswith("arp") else {"protocol": "icmp"} if name.startswith("icmp") else {}
            children.append(Mo("hostprotRule", f"{subj}/rule-{name}", {"name": name, "direction": direction,
                                                                      "ethertype": "ipv4", **extra}))
        out.append(Mo("hostprotPol", dn, {"name": f"{config.prefix}_np_static-{suffix}"},
                      [Mo("hostprotSubj", subj, {"name": suffix}, children)]))
    return out


def _service_bd(config: ControllerConfig) -> list[Mo]:
    tenant = f"uni/tn-{config.vrf_tenant}"
    name = f"{config.prefix}_bd_kubernetes-service"
    dn = f"{tenant}/BD-{name}"
    children = [Mo("fvRsCtx", f"{dn}/rsctx", {"tnFvCtxName": config.vrf})]
    if config.l3out:
        children.append(Mo("fvRsBDToOut", f"{dn}/rsBDToOut-{config.l3out}", {"tnL3extOutName": config.l3out}))
    for subnet in config.node_service_subnets:
        children.append(Mo("fvSubnet", f"{dn}/subnet-[{subnet}]", {"ip": subnet}))
    bd = Mo("fvBD", dn, {"name": name, "arpFlood": "yes", "ipLearning": "no", "unicastRoute": "yes"}, children)
    monitor = f"{config.prefix}_monPol_kubernetes-service"
    return [bd, Mo("fvIPSLAMonitoringPol", f"{tenant}/ipslaMonitoringPol-{monitor}", {"name": monitor, "slaType": "icmp"})]


def _service_graph(config: ControllerConfig, view: dict, odevs: dict[str, list[dict]]) -> list[Mo]:
    """updateDeviceCluster: the device with a concrete device per node that has a fabric path, and the graph."""
    tenant = f"uni/tn-{config.vrf_tenant}"
    name = graph_name(config)
    dn = f"{tenant}/lDevVip-{name}"
    lif = f"{dn}/lIf-interface"
    children = []
    if config.service_phys_dom:
        children.append(Mo("vnsRsALDevToPhysDomP", f"{dn}/rsALDevToPhysDomP",
                           {"tDn": f"uni/phys-{config.service_phys_dom}"}))
    lif_children = []
    for node in sorted(view.get("nodes", []), key=lambda n: n["name"]):
        path = fabric_path(odevs.get(node["name"], []))
        if not path:
            continue
        cdev = f"{dn}/cDev-{node['name']}"
        cif = f"{cdev}/cIf-[interface]"
        children.append(Mo("vnsCDev", cdev, {"name": node["name"]}, [
            Mo("vnsCIf", cif, {"name": "interface"}, [Mo("vnsRsCIfPathAtt", f"{cif}/rsCIfPathAtt", {"tDn": path})])]))
        lif_children.append(Mo("vnsRsCIfAttN", f"{lif}/rscIfAttN-[{cif}]", {"tDn": cif}))
    children.append(Mo("vnsLIf", lif, {"name": "interface", "encap": config.service_encap}, lif_children))
    device = Mo("vnsLDevVip", dn, {"name": name, "managed": "no", "svcType": "OTHERS", "devtype": "PHYSICAL",
                                    "funcType": "GoTo", "isCopy": "no"}, children)
    return [device, _graph_template(f"{tenant}/AbsGraph-{name}", name, dn)]


def _graph_template(dn: str, name: str, device: str) -> Mo:
    """apicServiceGraph: one unmanaged redirect node between the consumer (T1) and provider (T2) terminals."""
    node = f"{dn}/AbsNode-loadbalancer"
    conns = {side: f"{node}/AbsFConn-{side}" for side in ("consumer", "provider")}
    terms = []
    for cls, term in (("vnsAbsTermNodeCon", "T1"), ("vnsAbsTermNodeProv", "T2")):
        tdn = f"{dn}/{cls[3:]}-{term}"
        terms.append(Mo(cls, tdn, {"name": term}, [Mo("vnsAbsTermConn", f"{tdn}/AbsTConn", {}),
                                                  Mo("vnsInTerm", f"{tdn}/intmnl", {}),
                                                  Mo("vnsOutTerm", f"{tdn}/outtmnl", {})]))
    connections = []
    for conn, side, term in (("C1", "consumer", terms[0].dn), ("C2", "provider", terms[1].dn)):
        cdn = f"{dn}/AbsConnection-{conn}"
        connections.append(Mo("vnsAbsConnection", cdn, {"name": conn, "connDir": "provider"}, [
            Mo("vnsRsAbsConnectionConns", f"{cdn}/rsabsConnectionConns-[{target}]", {"tDn": target})
            for target in (conns[side], f"{term}/AbsTConn")]))
    function = Mo("vnsAbsNode", node, {"name": "loadbalancer", "managed": "no", "routingMode": "Redirect"}, [
        Mo("vnsAbsFuncConn", conns["consumer"], {"name": "consumer"}),
        Mo("vnsAbsFuncConn", conns["provider"], {"name": "provider"}),
        Mo("vnsRsNodeToLDev", f"{node}/rsNodeToLDev", {"tDn": device})])
    return Mo("vnsAbsGraph", dn, {"name": name}, [function, *terms, *connections])


def fabric_path(devices: list[dict]) -> str:
    """fabricPathForNode: the last connected opflexODev's path, else the last one's ("" without any)."""
    connected = [d for d in devices if d.get("state") == "connected" and d.get("fabricPathDn")]
    chosen = connected or [d for d in devices if d.get("fabricPathDn")]
    return chosen[-1]["fabricPathDn"] if chosen else ""


def _service(config: ControllerConfig, svc: dict) -> Mo:
    """writeApicSvc: the service with its endpoint pods and ports; the DNS name the controller sets on APIC >= 5.1
    (for a load balancer once it has an address)."""
    dn = f"{_ns_dn(config, svc['namespace'])}/svc-[{svc['name']}]"
    children = [Mo("vmmInjectedSvcEp", f"{dn}/ep-{pod}", {"contGrpName": pod}) for pod in sorted(svc.get("endpoints", []))]
    for port in svc.get("ports", []):
        # NewVmmInjectedSvcPort names port and targetPort as the APIC does (80 → http), in the DN too
        proto = protocol(port.get("protocol", "TCP"))
        number, target = port_name(port["port"]), port_name(port.get("targetPort", port["port"]))
        children.append(Mo("vmmInjectedSvcPort", f"{dn}/p-{number}-prot-{proto}-t-{target}",
                           {"port": number, "protocol": proto, "targetPort": target,
                            "nodePort": port_name(port.get("nodePort", 0))}))
    kind = SERVICE_TYPES.get(svc.get("type", "ClusterIP"), "clusterIp")
    ingress = next(iter(svc.get("ingress", [])), "")
    cluster_ip = svc.get("clusterIP", "")
    named = kind != "loadBalancer" or ingress
    return Mo("vmmInjectedSvc", dn, {"name": svc["name"], "guid": svc.get("uid", ""),
                                     "clusterIp": "" if cluster_ip == "None" else cluster_ip, "type": kind,
                                     "lbIp": ingress,
                                     "dnsName": f"{svc['name']}.{svc['namespace']}.svc.cluster.local" if named else ""},
              children)
