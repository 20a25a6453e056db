"""The APIC objects the controller wants for a Kubernetes view, grouped by desired-state key.

The view is plain data (a dict of lists, as `kube.read_view` returns it), so the same code serves a
real cluster and a recorded one. Names, keys, tags and DNs follow research cni-nodeprep.md §A2.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .config import ControllerConfig

ANNOTATION = "orchestrator:aci-containers-controller"
TAG_KEY = "aci-containers-controller-tag"


@dataclass
class Mo:
    """One object to write: class, DN, attributes, children (themselves Mo)."""

    cls: str
    dn: str
    attrs: dict[str, str]
    children: list[Mo] = field(default_factory=list)

    def body(self) -> dict:
        """The JSON the controller POSTs: the whole object with its children."""
        out: dict = {"attributes": {"dn": self.dn, **self.attrs}}
        if self.children:
            out["children"] = [c.body() for c in self.children]
        return {self.cls: out}

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def aci_name_for_key(prefix: str, ktype: str, key: str) -> str:
    """util.AciNameForKey: `<prefix>_<ktype>_<key>`, a hash once 64 characters or longer."""
    name = f"{prefix}_{ktype}_{key.replace('/', '_')}"
    if len(name) < 64:
        return name
    digest = hashlib.sha256()
    if len(prefix) + len(ktype) + 1 > 31:
        if len(prefix) > 31:
            digest.update(prefix.encode() + b"_")
        else:
            name = prefix
        digest.update(ktype.encode() + b"_")
    else:
        name = f"{prefix}_{ktype}"
    digest.update(key.encode())
    hashed = digest.hexdigest()[:32]
    return hashed if len(prefix) > 31 else f"{name}_{hashed}"


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
        host = Mo("vmmInjectedHost", f"{injcont}/host-[{node['name']}]",
                  {"name": node["name"], "os": node.get("os", ""),
                   "kernelVer": node.get("kernel", "")})
        put(aci_name_for_key(p, "node-vmm", node["name"]), host)
        put(aci_name_for_key(p, "node", node["name"]), _host_protection(config, node))
    for ns in view.get("namespaces", []):
        put(aci_name_for_key(p, "ns", ns["name"]), Mo("vmmInjectedNs", _ns_dn(config, ns["name"]), {"name": ns["name"]}))
    for depl in view.get("deployments", []):
        put(aci_name_for_key(p, "depl", f"{depl['namespace']}_{depl['name']}"),
            Mo("vmmInjectedDepl", f"{_ns_dn(config, depl['namespace'])}/depl-[{depl['name']}]",
               {"name": depl["name"], "guid": depl.get("uid", ""), "replicas": str(depl.get("replicas", 1))}))
    for rs in view.get("replicasets", []):
        put(aci_name_for_key(p, "rs", f"{rs['namespace']}_{rs['name']}"),
            Mo("vmmInjectedReplSet", f"{_ns_dn(config, rs['namespace'])}/rs-[{rs['name']}]",
               {"name": rs["name"], "guid": rs.get("uid", ""), "deploymentName": rs.get("deployment", "")}))
    for pod in view.get("pods", []):
        put(aci_name_for_key(p, "pod", f"{pod['namespace']}_{pod['name']}"),
            Mo("vmmInjectedContGrp", f"{_ns_dn(config, pod['namespace'])}/grp-[{pod['name']}]",
               {"name": pod["name"], "guid": pod.get("uid", ""), "hostName": pod.get("node", ""),
                "computeNodeName": pod.get("node", ""), "replicaSetName": pod.get("replicaset", "")}))
    for svc in view.get("services", []):
        put(aci_name_for_key(p, "svc", f"{svc['namespace']}_{svc['name']}"), _service(config, svc))
    put(f"{p}_np_static", *_static_policies(config))
    put(f"{p}_service_static", *_service_bd(config))
    put(f"{p}_svc_global", *_service_graph(config, view, odevs))
    return state


def _ns_dn(config: ControllerConfig, ns: str) -> str:
    return f"{config.injcont}/ns-[{ns}]"


def _rule(dn: str, name: str, direction: str, **extra: str) -> Mo:
    return Mo("hostprotRule", f"{dn}/rule-{name}", {"name": name, "direction": direction, "ethertype": "ipv4", **extra})


def _host_protection(config: ControllerConfig, node: dict) -> Mo:
    name = aci_name_for_key(config.prefix, "node", node["name"])
    dn = f"uni/tn-{config.policy_tenant}/pol-{name}"
    subj = f"{dn}/subj-local-node"
    rules = [_rule(subj, "allow-all-egress", "egress"), _rule(subj, "allow-all-ingress", "ingress")]
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
    tenant = f"uni/tn-{config.vrf_tenant}"
    name = f"{config.prefix}_svc_global"
    dn = f"{tenant}/lDevVip-{name}"
    lif = f"{dn}/lIf-interface"
    children = []
    if config.service_phys_dom:
        children.append(Mo("vnsRsALDevToPhysDomP", f"{dn}/rsALDevToPhysDomP",
                           {"tDn": f"uni/phys-{config.service_phys_dom}"}))
    lif_children = []
    for node in sorted(view.get("nodes", []), key=lambda n: n["name"]):
        paths = [o["fabricPathDn"] for o in odevs.get(node["name"], []) if o.get("fabricPathDn")]
        if not paths:
            continue
        cdev = f"{dn}/cDev-{node['name']}"
        cif = f"{cdev}/cIf-[interface]"
        children.append(Mo("vnsCDev", cdev, {"name": node["name"]}, [
            Mo("vnsCIf", cif, {"name": "interface"}, [Mo("vnsRsCIfPathAtt", f"{cif}/rsCIfPathAtt", {"tDn": paths[0]})])]))
        lif_children.append(Mo("vnsRsCIfAttN", f"{lif}/rscIfAttN-[{cif}]", {"tDn": cif}))
    children.append(Mo("vnsLIf", lif, {"name": "interface", "encap": config.service_encap}, lif_children))
    device = Mo("vnsLDevVip", dn, {"name": name, "managed": "no", "svcType": "OTHERS", "devtype": "PHYSICAL",
                                    "funcType": "GoTo", "isCopy": "no"}, children)
    graph = Mo("vnsAbsGraph", f"{tenant}/AbsGraph-{name}", {"name": name})
    return [device, graph]


def _service(config: ControllerConfig, svc: dict) -> Mo:
    dn = f"{_ns_dn(config, svc['namespace'])}/svc-[{svc['name']}]"
    children = [Mo("vmmInjectedSvcEp", f"{dn}/ep-{pod}", {"contGrpName": pod}) for pod in sorted(svc.get("endpoints", []))]
    for port in svc.get("ports", []):
        proto = port.get("protocol", "TCP").lower()
        target = str(port.get("targetPort", port["port"]))
        children.append(Mo("vmmInjectedSvcPort", f"{dn}/p-{port['port']}-prot-{proto}-t-{target}",
                           {"port": str(port["port"]), "protocol": proto, "targetPort": target}))
    kind = {"ClusterIP": "clusterIp", "NodePort": "nodePort", "LoadBalancer": "loadBalancer"}.get(
        svc.get("type", "ClusterIP"), "clusterIp")
    return Mo("vmmInjectedSvc", dn, {"name": svc["name"], "guid": svc.get("uid", ""),
                                     "clusterIp": svc.get("clusterIP", ""), "type": kind,
                                     "lbIp": svc.get("loadBalancerIP", "")}, children)
