"""The admission plugins a default API server runs on a Pod's creation, whoever creates it (a
controller or `kubectl run`): ServiceAccount names the namespace's `default` account when none is
given, Priority resolves the PriorityClass into spec.priority and spec.preemptionPolicy (the global
default class, or 0, when none is named), and DefaultTolerationSeconds lets the pod stay 300 seconds
on a node that is not ready or unreachable unless it already tolerates that.

Simplified: the service account's existence is not checked, and a PriorityClass that does not exist
gives priority 0 where the real plugin refuses the pod.
"""

from __future__ import annotations

from .store import ObjectStore

# The built-in priority classes the API server creates (scheduling/v1); others are read from PriorityClasses.
BUILTIN_PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
PRIORITY_CLASSES = "priorityclasses.scheduling.k8s.io"
NODE_CONDITION_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
DEFAULT_TOLERATION_SECONDS = 300


def admit_pod(store: ObjectStore, pod: dict) -> None:
    """What the mutating admission plugins add to a Pod being created (in their order)."""
    spec = pod.setdefault("spec", {})
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = spec["serviceAccount"] = "default"
    _priority(store, spec)
    tolerations = spec.setdefault("tolerations", [])
    for key in NODE_CONDITION_TAINTS:
        if not any(t.get("key", "") in ("", key) and t.get("effect", "") in ("", "NoExecute") for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": DEFAULT_TOLERATION_SECONDS})


def _priority(store: ObjectStore, spec: dict) -> None:
    name = spec.get("priorityClassName")
    found = store.get(PRIORITY_CLASSES, "", name) if name else next(
        (c for c in store.items(PRIORITY_CLASSES) if c.get("globalDefault")), None)
    if found is not None:
        spec.setdefault("priority", found.get("value", 0))
        spec.setdefault("preemptionPolicy", found.get("preemptionPolicy", "PreemptLowerPriority"))
        return
    spec.setdefault("priority", BUILTIN_PRIORITIES.get(name or "", 0))
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
