"""What happens around a write of certain kinds, as the real control plane does it at once or within
moments: a CRD's kinds are served (and its status says so) or stop being served with their objects; a
deleted namespace takes its objects with it; a Service gets a cluster IP; the scale subresource."""

from __future__ import annotations

import ipaddress

from ..kinds import Kind, KindRegistry, kinds_of_crd
from .objects import timestamp
from .store import ObjectStore

SERVICE_RANGE = ipaddress.ip_network("10.96.0.0/12")


def crd_status(crd: dict, now: float) -> dict:
    """A CRD's status once the API server took its names and serves it."""
    names = (crd.get("spec") or {}).get("names") or {}
    accepted = {k: v for k, v in names.items() if k in ("plural", "singular", "kind", "listKind", "shortNames",
                                                         "categories")}
    accepted.setdefault("listKind", names.get("kind", "") + "List")
    accepted.setdefault("singular", names.get("kind", "").lower())
    when = timestamp(now)
    return {
        "acceptedNames": accepted,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": when, "reason": "NoConflicts",
             "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": when, "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted"},
        ],
        "storedVersions": [v["name"] for v in (crd.get("spec") or {}).get("versions") or [] if v.get("storage")],
    }


def serve_crd(registry: KindRegistry, crd: dict) -> None:
    registry.set_crd(crd["metadata"]["name"], kinds_of_crd(crd))


def drop_crd(registry: KindRegistry, store: ObjectStore, crd: dict) -> None:
    """A deleted CRD's kinds go, and every object of them."""
    for kind in kinds_of_crd(crd):
        for obj in store.items(kind.key):
            meta = obj["metadata"]
            store.remove(kind.key, meta.get("namespace", ""), meta["name"])
    registry.set_crd(crd["metadata"]["name"], ())


def empty_namespace(store: ObjectStore, namespace: str) -> None:
    for key, obj in store.in_namespace(namespace):
        store.remove(key, namespace, obj["metadata"]["name"])


def next_cluster_ip(store: ObjectStore) -> str:
    taken = {(o.get("spec") or {}).get("clusterIP") for o in store.items("services")}
    for offset in range(1, SERVICE_RANGE.num_addresses - 1):
        address = str(SERVICE_RANGE.network_address + offset)
        if address not in taken:
            return address
    return "None"


def assign_cluster_ip(store: ObjectStore, service: dict) -> None:
    spec = service.setdefault("spec", {})
    if spec.get("type") != "ExternalName" and not spec.get("clusterIP"):
        spec["clusterIP"] = next_cluster_ip(store)
    if spec.get("clusterIP"):
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("internalTrafficPolicy", "Cluster")


def scale_of(kind: Kind, obj: dict) -> dict:
    """The autoscaling/v1 Scale a workload's /scale subresource shows."""
    meta = obj["metadata"]
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta},
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                   "selector": ",".join(f"{k}={v}" for k, v in sorted(selector.items()))},
    }
