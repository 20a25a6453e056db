"""What the controller writes back to Kubernetes: load balancer addresses and the nodes' service endpoints.

The real controller keeps its pools in memory and fills them from what the cluster already says at start
(services.go allocateServiceIps, nodes.go createServiceEndpoint). Here the pools are recomputed from the view
on every sync in the same way, in name order, so the same cluster always gets the same addresses:

- a LoadBalancer service keeps an address its status already holds when it is still free in the dynamic
  pool (`service-ip-pool`); a `spec.loadBalancerIP` is granted only from the static pool
  (`static-service-ip-pool`), else the service gets no address and the condition says why
  (`RequestedIpsNotAllocatable`); without a request it gets the lowest free dynamic address. The result is
  the status' `loadBalancer.ingress` and the `LbIpamAllocation` condition.
- a node with an opflexODev gets a service endpoint (`opflex.cisco.com/service-endpoint` annotation,
  `{"mac", "ipv4"}`): the MAC of its last opflexODev, else the one the annotation holds, else a locally
  administered MAC derived from the node's name (the real one draws it at random: derived keeps the lab
  deterministic); the address from its annotation while free in `node-service-ip-pool`, else the lowest free.

`allocate` returns the view as it is once those writes are made, and the writes themselves.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from .config import ControllerConfig
from .kube import SERVICE_EP_ANNOTATION

CONDITION = "LbIpamAllocation"
NO_MAC = "00:00:00:00:00:00"


@dataclass
class Writes:
    """Merge patches for the Kubernetes API: (path, body)."""

    patches: list[tuple[str, dict]] = field(default_factory=list)


class Pool:
    """Free IPv4 addresses of ipam.IpRange pairs, taken lowest first."""

    def __init__(self, ranges: list[tuple[str, str]]):
        self.ranges = [(ipaddress.IPv4Address(a), ipaddress.IPv4Address(b)) for a, b in ranges]
        self.used: set[ipaddress.IPv4Address] = set()

    def __contains__(self, ip: str) -> bool:
        addr = _v4(ip)
        return addr is not None and any(a <= addr <= b for a, b in self.ranges)

    def take(self, ip: str) -> bool:
        """Take `ip` when it is in the pool and free."""
        if ip not in self or _v4(ip) in self.used:
            return False
        self.used.add(_v4(ip))
        return True

    def next(self) -> str:
        """The lowest free address ("" when the pool is exhausted)."""
        for addr in self._all():
            if addr not in self.used:
                self.used.add(addr)
                return str(addr)
        return ""

    def _all(self) -> Iterator[ipaddress.IPv4Address]:
        for a, b in self.ranges:
            for n in range(int(a), int(b) + 1):
                yield ipaddress.IPv4Address(n)


def _v4(ip: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(ip)
    except ValueError:
        return None


def allocate(config: ControllerConfig, view: dict, odevs: dict[str, list[dict]], now: str = "") -> tuple[dict, Writes]:
    """The view once the controller's Kubernetes writes are made, and those writes (`now`: the RFC 3339 time a
    changed condition carries)."""
    writes = Writes()
    nodes = [_node_endpoint(n, odevs) if odevs.get(n["name"]) else n for n in _sorted(view.get("nodes", []))]
    _endpoint_addresses(config, nodes, writes)
    services = _lb_addresses(config, view.get("services", []), writes, now)
    return {**view, "nodes": nodes, "services": services}, writes


def _sorted(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda o: (o.get("namespace", ""), o["name"]))


def _node_endpoint(node: dict, odevs: dict[str, list[dict]]) -> dict:
    existing = node.get("serviceEndpoint") or {}
    mac = (odevs[node["name"]][-1].get("mac") or "").lower()
    if not _mac(mac) or mac == NO_MAC:
        mac = existing.get("mac", "") if _mac(existing.get("mac", "")) else _derived_mac(node["name"])
    return {**node, "serviceEndpoint": {**existing, "mac": mac}, "annotatedEndpoint": existing}


def _endpoint_addresses(config: ControllerConfig, nodes: list[dict], writes: Writes) -> None:
    pool = Pool(config.node_service_ip_pool)
    with_ep = [n for n in nodes if "mac" in (n.get("serviceEndpoint") or {})]
    fresh = []
    for node in with_ep:
        ep = node["serviceEndpoint"]
        if not pool.take(ep.get("ipv4", "")):
            fresh.append(node)
    for node in fresh:
        node["serviceEndpoint"] = {**node["serviceEndpoint"], "ipv4": pool.next()}
    for node in with_ep:
        ep = {k: v for k, v in node["serviceEndpoint"].items() if v}
        node["serviceEndpoint"] = ep
        if ep != node.get("annotatedEndpoint"):
            writes.patches.append((f"/api/v1/nodes/{node['name']}",
                                   {"metadata": {"annotations": {SERVICE_EP_ANNOTATION: json.dumps(ep, separators=(",", ":"))}}}))


def _lb_addresses(config: ControllerConfig, services: list[dict], writes: Writes, now: str) -> list[dict]:
    dynamic, static = Pool(config.service_ip_pool), Pool(config.static_service_ip_pool)
    out = {}
    balanced = [s for s in _sorted(services) if s.get("type") == "LoadBalancer"]
    for svc in balanced:  # what the status already holds comes first, as the real pools are filled at start
        svc = out[(svc["namespace"], svc["name"])] = {**svc, "shownIngress": svc.get("ingress", [])}
        kept = [ip for ip in svc.get("ingress", []) if dynamic.take(ip) or (ip == svc.get("loadBalancerIP") and static.take(ip))]
        svc["ingress"] = kept
    for svc in (out[(s["namespace"], s["name"])] for s in balanced):
        requested = svc.get("loadBalancerIP", "")
        if requested:
            granted = (requested in svc["ingress"] and requested in static) or static.take(requested)
            svc["ingress"] = [requested] if granted else []
            reason = "Success" if granted else "RequestedIpsNotAllocatable"
        else:
            svc["ingress"] = [ip for ip in svc["ingress"] if ip in dynamic] or [ip for ip in (dynamic.next(),) if ip]
            reason = "Success"
        _status_write(svc, reason, writes, now)
    return [out.get((s["namespace"], s["name"]), s) for s in services]


def _status_write(svc: dict, reason: str, writes: Writes, now: str) -> None:
    """Patch the status when the ingress or the condition differ from what the Service shows."""
    condition = {"type": CONDITION, "status": "True" if reason == "Success" else "False", "reason": reason,
                 "message": "" if reason == "Success" else
                 "The requested ips for loadbalancer service are not available or not in extern static range"}
    shown = next((c for c in svc.get("conditions", []) if c.get("type") == CONDITION), {})
    same = all(shown.get(k, "") == v for k, v in condition.items())
    if same and svc["ingress"] == svc["shownIngress"]:
        return
    others = [c for c in svc.get("conditions", []) if c.get("type") != CONDITION]
    condition["lastTransitionTime"] = shown.get("lastTransitionTime", now) if same else now
    writes.patches.append((f"/api/v1/namespaces/{svc['namespace']}/services/{svc['name']}/status", {"status": {
        "loadBalancer": {"ingress": [{"ip": ip} for ip in svc["ingress"]]},
        "conditions": [*others, condition]}}))


def _mac(value: str) -> bool:
    parts = value.split(":")
    return len(parts) == 6 and all(len(p) == 2 and all(c in "0123456789abcdefABCDEF" for c in p) for p in parts)


def _derived_mac(name: str) -> str:
    raw = bytearray(hashlib.sha256(name.encode()).digest()[:6])
    raw[0] = (raw[0] & 254) | 2  # unicast, locally administered, as the real one sets it on its random MAC
    return ":".join(f"{b:02x}" for b in raw)
