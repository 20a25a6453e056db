"""The endpoints and endpoint slice controllers: a Service with a selector gets Endpoints of the same
name and one EndpointSlice listing its pods that have an IP (the ready ones as addresses), rewritten as
the pods change; the Endpoints of a deleted Service go with it (the slice goes by garbage collection).
"""

from __future__ import annotations

import ipaddress

from .workers import Worker, owned, owner_ref, ready, suffix

TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"


class EndpointsControllers(Worker):
    def settle(self) -> None:
        for service in self._items("services"):
            self._endpoints(service)
        self._orphan_endpoints()

    def _endpoints(self, service: dict) -> None:
        """A selector's Service gets Endpoints (same name) and one EndpointSlice of its pods with an IP,
        the ready ones as addresses; a Service without a selector is left to whoever writes them."""
        meta, spec = service["metadata"], service.get("spec") or {}
        ns, selector = meta["namespace"], spec.get("selector")
        if not selector:
            return
        pods = sorted((p for p in self._items("pods", ns) if (p.get("status") or {}).get("podIP")
                       and selector.items() <= (p["metadata"].get("labels") or {}).items()),
                      key=lambda p: ipaddress.ip_address(p["status"]["podIP"]))
        ports = [{k: v for k, v in (("name", port.get("name")), ("port", _target_port(port, pods)),
                                    ("protocol", port.get("protocol", "TCP"))) if v}
                 for port in spec.get("ports") or [] if _target_port(port, pods)]
        address = [{"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"], "targetRef": {
            "kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}} for p in pods]
        subset = {k: v for k, v in (("addresses", [a for a, p in zip(address, pods, strict=True) if ready(p)]),
                                    ("notReadyAddresses", [a for a, p in zip(address, pods, strict=True) if not ready(p)]),
                                    ("ports", ports)) if v}
        labels = dict(meta.get("labels") or {})
        body = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": meta["name"], "namespace": ns,
                                                                      "labels": labels}}
        if pods:
            body["subsets"] = [subset]
        old = self.kube.store.get("endpoints", ns, meta["name"])
        if old is None or old.get("subsets") != body.get("subsets") or old["metadata"].get("labels") != labels:
            body["metadata"]["annotations"] = {TRIGGER: self._now()}
            if old is None:
                self.kube.create("endpoints", ns, body, field_manager="kube-controller-manager")
            else:
                self.kube.replace("endpoints", ns, meta["name"], body, field_manager="kube-controller-manager")
        slice_body = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {
            "name": f"{meta['name']}-{suffix(ns + '/' + meta['name'])}", "namespace": ns,
            "labels": {**labels, "kubernetes.io/service-name": meta["name"],
                       "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
            "ownerReferences": [owner_ref("Service", service)]}, "addressType": "IPv4",
            "endpoints": [{"addresses": [a["ip"]], "conditions": {"ready": ready(p), "serving": ready(p),
                                                                  "terminating": False},
                           "nodeName": a["nodeName"], "targetRef": a["targetRef"]} for a, p in zip(address, pods, strict=True)],
            "ports": [{"name": p.get("name", ""), "port": p["port"], "protocol": p["protocol"]} for p in ports]}
        slices = owned(self._items("endpointslices.discovery.k8s.io", ns), service)
        if not slices:
            self.kube.create("endpointslices.discovery.k8s.io", ns, slice_body, field_manager="kube-controller-manager")
        elif any(slices[0].get(k) != slice_body[k] for k in ("endpoints", "ports")):
            self.kube.replace("endpointslices.discovery.k8s.io", ns, slices[0]["metadata"]["name"],
                              {**slice_body, "metadata": slices[0]["metadata"]},
                              field_manager="kube-controller-manager")

    def _orphan_endpoints(self) -> None:
        """The Endpoints of a deleted Service go with it (the endpoints controller's own only)."""
        services = {(s["metadata"]["namespace"], s["metadata"]["name"]) for s in self._items("services")}
        for endpoints in self._items("endpoints"):
            meta = endpoints["metadata"]
            if TRIGGER in (meta.get("annotations") or {}) and (meta["namespace"], meta["name"]) not in services:
                self.kube.delete("endpoints", meta["namespace"], meta["name"])



def _target_port(port: dict, pods: list[dict]) -> int:
    """A service port's target: a number, or a container port's name looked up in the pods."""
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    return next((c["containerPort"] for p in pods for container in p["spec"].get("containers") or []
                 for c in container.get("ports") or [] if c.get("name") == target), 0)
