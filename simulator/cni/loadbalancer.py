"""The APIC objects of one LoadBalancer service, as services.go updateServiceDeviceInstance writes them.

All live in the VRF tenant under the key `<p>_svc_<ns>/<svc>` and are named by it (research
vmm-endpoints-contracts.md E): the redirect policy with a destination per node that hosts a ready endpoint of
the service and has an opflexODev (the node's service endpoint address and MAC), the service's external EPG in
the L3Out with the load balancer address and the contract it provides, the contract (subject
`loadbalancedservice` bound to the shared graph), its consumption by each configured external network, the
filter of the service's ports and the device context tying contract, graph and device. With no such node the
real controller writes none of them (an empty set: the tagged ones go).
"""

from __future__ import annotations

from .config import ControllerConfig
from .mo import Mo, aci_name_for_key

NODE = "loadbalancer"  # the graph's function node (apicServiceGraph)


def graph_name(config: ControllerConfig) -> str:
    return aci_name_for_key(config.prefix, "svc", "global")


def service_objects(config: ControllerConfig, svc: dict, view: dict, odevs: dict[str, list[dict]]) -> list[Mo]:
    """The objects of a LoadBalancer service (none when no node with a device hosts its endpoints)."""
    tenant = f"uni/tn-{config.vrf_tenant}"
    name = aci_name_for_key(config.prefix, "svc", f"{svc['namespace']}/{svc['name']}")
    graph = graph_name(config)
    endpoints = _endpoint_nodes(svc, view)
    nodes = [n for n in sorted(view.get("nodes", []), key=lambda n: n["name"])
             if n["name"] in endpoints and odevs.get(n["name"]) and (n.get("serviceEndpoint") or {}).get("ipv4")]
    if not nodes:
        return []
    rp_dn = f"{tenant}/svcCont/svcRedirectPol-{name}"
    dests = [Mo("vnsRedirectDest", f"{rp_dn}/RedirectDest_ip-[{ep['ipv4']}]",
                {"ip": ep["ipv4"], "mac": ep["mac"], "descr": node["name"]})
             for node in nodes for ep in (node["serviceEndpoint"],)]
    redirect = Mo("vnsSvcRedirectPol", rp_dn, {"name": name, "thresholdDownAction": "deny",
                                               "resilientHashEnabled": "yes"}, dests)
    out = f"{tenant}/out-{config.l3out}"
    ext = f"{out}/instP-{name}"
    subnets = [Mo("l3extSubnet", f"{ext}/extsubnet-[{ip}/32]", {"ip": f"{ip}/32"}) for ip in svc.get("ingress", [])]
    ext_epg = Mo("l3extInstP", ext, {"name": name},
                 [Mo("fvRsProv", f"{ext}/rsprov-{name}", {"tnVzBrCPName": name}), *subnets])
    contract_dn = f"{tenant}/brc-{name}"
    subj = f"{contract_dn}/subj-loadbalancedservice"
    contract = Mo("vzBrCP", contract_dn, {"name": name}, [Mo("vzSubj", subj, {"name": "loadbalancedservice"}, [
        Mo("vzRsSubjGraphAtt", f"{subj}/rsSubjGraphAtt", {"tnVnsAbsGraphName": graph}),
        Mo("vzRsSubjFiltAtt", f"{subj}/rssubjFiltAtt-{name}", {"tnVzFilterName": name})])])
    consumers = [Mo("fvRsCons", f"{out}/instP-{net}/rscons-{name}", {"tnVzBrCPName": name}) for net in config.ext_networks]
    flt = f"{tenant}/flt-{name}"
    entries = [Mo("vzEntry", f"{flt}/e-{i}", {"name": str(i), "etherT": "ip", "prot": proto, "dFromPort": port,
                                               "dToPort": port, "stateful": "no"})
               for i, p in enumerate(svc.get("ports", []))
               for proto, port in ((protocol(p.get("protocol", "TCP")), port_name(p["port"])),)]
    return [redirect, ext_epg, contract, *consumers, Mo("vzFilter", flt, {"name": name}, entries),
            _device_context(config, tenant, name, graph, rp_dn)]


def _device_context(config: ControllerConfig, tenant: str, name: str, graph: str, rp_dn: str) -> Mo:
    """apicDevCtx: contract, graph and node name the context; both connectors redirect to the policy."""
    dn = f"{tenant}/ldevCtx-c-{name}-g-{graph}-n-{NODE}"
    device = f"{tenant}/lDevVip-{graph}"
    bd = f"{tenant}/BD-{aci_name_for_key(config.prefix, 'bd', 'kubernetes-service')}"
    children = [Mo("vnsRsLDevCtxToLDev", f"{dn}/rsLDevCtxToLDev", {"tDn": device})]
    for conn in ("consumer", "provider"):
        lif = f"{dn}/lIfCtx-c-{conn}"
        children.append(Mo("vnsLIfCtx", lif, {"connNameOrLbl": conn}, [
            Mo("vnsRsLIfCtxToSvcRedirectPol", f"{lif}/rsLIfCtxToSvcRedirectPol", {"tDn": rp_dn}),
            Mo("vnsRsLIfCtxToBD", f"{lif}/rsLIfCtxToBD", {"tDn": bd}),
            Mo("vnsRsLIfCtxToLIf", f"{lif}/rsLIfCtxToLIf", {"tDn": f"{device}/lIf-interface"})]))
    return Mo("vnsLDevCtx", dn, {"ctrctNameOrLbl": name, "graphNameOrLbl": graph, "nodeNameOrLbl": NODE}, children)


def _endpoint_nodes(svc: dict, view: dict) -> set[str]:
    """The nodes of the service's ready endpoints (or, in a view without them, of its endpoint pods)."""
    pods = {(p["namespace"], p["name"]): p.get("node", "") for p in view.get("pods", [])}
    return set(svc.get("endpointNodes", [])) | {pods.get((svc["namespace"], pod), "") for pod in svc.get("endpoints", [])}


# The APIC answers a well-known port by its name, so the controller names its desired ports before it compares
# them with what it reads back (pkg/apicapi/apic_metadata.go portNormalizations, applied to vzEntry ports by
# filterEntryNormalizer and to vmmInjectedSvcPort's nodePort by injectedSvcPortNormalizer).
PORT_NAMES = {"0": "unspecified", "20": "ftpData", "25": "smtp", "53": "dns", "80": "http", "110": "pop3",
              "443": "https", "554": "rtsp"}


def port_name(port: int | str) -> str:
    """normalizePort: the port as the APIC answers it, its name when it has one, else its number."""
    return PORT_NAMES.get(str(port), str(port))


def protocol(name: str) -> str:
    """getProtocolStr: udp, sctp, else tcp."""
    return {"UDP": "udp", "SCTP": "sctp"}.get(name, "tcp")
