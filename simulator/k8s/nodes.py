"""A Node as its kubelet registers it with the API server: the well-known labels, Ready, its addresses,
capacity and node info (the kubelet's version is the server's, as in a freshly built cluster)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .model.objects import timestamp


def registered_node(name: str, addresses: Mapping[str, str] | Iterable[dict], labels: Mapping[str, str] | None,
                    annotations: Mapping[str, str] | None, now: float, version: str) -> dict:
    """The Node body; `addresses` as {type: address} or as the API's list of {type, address}."""
    listed = [{"type": t, "address": a} for t, a in addresses.items()] if isinstance(addresses, Mapping) \
        else [dict(a) for a in addresses]
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                              "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                                              "beta.kubernetes.io/arch": "amd64", **(labels or {})},
                     "annotations": {"node.alpha.kubernetes.io/ttl": "0", **(annotations or {})}},
        "spec": {},
        "status": {
            "addresses": listed or [{"type": "Hostname", "address": name}],
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status", "lastHeartbeatTime": timestamp(now),
                            "lastTransitionTime": timestamp(now)}],
            "capacity": {"cpu": "4", "memory": "16393056Ki", "pods": "110"},
            "allocatable": {"cpu": "4", "memory": "16290656Ki", "pods": "110"},
            "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux", "osImage": "Ubuntu 22.04.4 LTS",
                         "kernelVersion": "5.15.0-105-generic", "containerRuntimeVersion": "containerd://1.7.12",
                         "kubeletVersion": version, "kubeProxyVersion": version,
                         "machineID": "", "systemUUID": "", "bootID": ""},
        },
    }
