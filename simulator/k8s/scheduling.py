"""The scheduler and the nodes' kubelets, reduced to what they leave in the API: a pending pod bound
to the least loaded node its filters allow (or its PodScheduled condition saying why none does, in the
scheduler's FitError words), then started by that node's kubelet at once (images are there, containers
start and are ready, no probes run), with its status, container statuses and a pod IP (the lowest free
address of the pod network; a hostNetwork pod has its node's).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Iterator

from .service import Kube
from .workers import Worker, ready


def _expression(expr: dict, value: str | None) -> bool:
    op, values = expr.get("operator"), expr.get("values") or []
    if op == "In":
        return value in values
    if op == "NotIn":
        return value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and value.lstrip("-").isdigit() and values:
        return int(value) > int(values[0]) if op == "Gt" else int(value) < int(values[0])
    return False


def tolerates(tolerations: Iterable[dict], taint: dict) -> bool:
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if t.get("operator") == "Exists" and (not t.get("key") or t["key"] == taint.get("key")):
            return True
        if t.get("key") == taint.get("key") and (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def node_ip(node: dict) -> str:
    addresses = (node.get("status") or {}).get("addresses") or []
    return next((a["address"] for t in ("InternalIP", "ExternalIP") for a in addresses if a.get("type") == t), "")


def _image(image: str) -> str:
    """The image as the container runtime reports it (registry, library/ and :latest made explicit)."""
    first, _, rest = image.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        image = "docker.io/" + (image if rest else "library/" + image)
    last = image.rsplit("/", 1)[-1]
    return image if ":" in last or "@" in last else image + ":latest"


def why_not(pod: dict, node: dict) -> str:
    """Why the scheduler's filters refuse `node` for `pod` (the reason as it counts them), or ''."""
    spec, labels = pod.get("spec") or {}, node["metadata"].get("labels") or {}
    taints = list((node.get("spec") or {}).get("taints") or [])
    if not ready(node):
        taints.append({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"})
    if (node.get("spec") or {}).get("unschedulable"):
        taints.append({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"})
    for taint in taints:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(spec.get("tolerations") or [], taint):
            return f"node(s) had untolerated taint {{{taint['key']}: {taint.get('value', '')}}}"
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms")
    fields = {"metadata.name": node["metadata"]["name"]}
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()) or (required and not any(
            all(_expression(e, labels.get(e.get("key", ""))) for e in term.get("matchExpressions") or [])
            and all(_expression(e, fields.get(e.get("key", ""))) for e in term.get("matchFields") or [])
            for term in required)):
        return "node(s) didn't match Pod's node affinity/selector"
    return ""


class Scheduler(Worker):
    """kube-scheduler with the default profile's filters (taints, node selector, node affinity)."""

    def schedule(self) -> None:
        """Bind each pending pod to the least loaded node its filters allow (ties: the node's name)."""
        nodes, pods = self._items("nodes"), self._items("pods")
        load: dict[str, int] = {}
        for pod in pods:
            if (pod.get("spec") or {}).get("nodeName"):
                load[pod["spec"]["nodeName"]] = load.get(pod["spec"]["nodeName"], 0) + 1
        for pod in pods:
            spec, meta = pod.get("spec") or {}, pod["metadata"]
            if spec.get("nodeName") or spec.get("schedulerName", "default-scheduler") != "default-scheduler":
                continue
            reasons = {n["metadata"]["name"]: why_not(pod, n) for n in nodes}
            fits = sorted((load.get(name, 0), name) for name, reason in reasons.items() if not reason)
            if fits:
                node = fits[0][1]
                load[node] = load.get(node, 0) + 1
                bound = self.kube.patch("pods", meta["namespace"], meta["name"], "merge", {"spec": {"nodeName": node}},
                                        field_manager="kube-scheduler")
                self._status("pods", bound, {**(bound.get("status") or {}), "conditions": [self._condition(
                    bound, "PodScheduled", "True", "", "", self._now())]}, "kube-scheduler")
                self._event(bound, "Pod", "Scheduled", f"Successfully assigned {meta['namespace']}/{meta['name']} "
                            f"to {node}", "default-scheduler", action="Binding")
                continue
            message = self._unschedulable(reasons)
            old = next((c for c in (pod.get("status") or {}).get("conditions") or []
                        if c.get("type") == "PodScheduled"), {})
            if old.get("message") != message:
                cond = {**self._condition(pod, "PodScheduled", "False", "Unschedulable", message, self._now())}
                self._status("pods", pod, {**(pod.get("status") or {}), "conditions": [cond]}, "kube-scheduler")
                self._event(pod, "Pod", "FailedScheduling", message, "default-scheduler", warning=True,
                            action="Scheduling")

    @staticmethod
    def _unschedulable(reasons: dict[str, str]) -> str:
        """The scheduler's FitError text: how many nodes refused the pod for each reason."""
        if not reasons:
            return "no nodes available to schedule pods"
        counts: dict[str, int] = {}
        for reason in reasons.values():
            counts[reason] = counts.get(reason, 0) + 1
        total = len(reasons)
        listed = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))
        return (f"0/{total} nodes are available: {listed}. preemption: 0/{total} nodes are available: {total} "
                "Preemption is not helpful for scheduling.")


class Kubelets(Worker):
    """Every node's kubelet: it starts the pods bound to its node."""

    def __init__(self, kube: Kube, pod_network: str, events: Iterator[int] | None = None):
        super().__init__(kube, events)
        self.pod_network = ipaddress.ip_network(pod_network)

    def start_pods(self) -> None:
        """Each node's kubelet starts its new pods: images present or pulled, init containers run to
        completion, containers started and ready; the pod IP from the pod network (a hostNetwork pod
        has the node's)."""
        nodes = {n["metadata"]["name"]: n for n in self._items("nodes")}
        pods = self._items("pods")
        used = {(p.get("status") or {}).get("podIP") for p in pods if not (p.get("spec") or {}).get("hostNetwork")}
        for pod in pods:
            spec, status = pod.get("spec") or {}, pod.get("status") or {}
            node = nodes.get(spec.get("nodeName", ""))
            if node is None or status.get("startTime"):
                continue
            host, now = node_ip(node), self._now()
            ip = host if spec.get("hostNetwork") else self._next_ip(used)
            for field, containers in (("initContainers", spec.get("initContainers") or []),
                                      ("containers", spec.get("containers") or [])):
                for container in containers:
                    self._container_events(pod, node["metadata"]["name"], f"spec.{field}{{{container['name']}}}",
                                           container)
            scheduled = self._condition(pod, "PodScheduled", "True", "", "", now)
            conditions = [{"type": kind, "status": "True", "lastTransitionTime": now}
                          for kind in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")]
            self._status("pods", pod, {
                "phase": "Running", "conditions": [*conditions, {k: v for k, v in scheduled.items() if v}],
                "hostIP": host, "hostIPs": [{"ip": host}], "podIP": ip, "podIPs": [{"ip": ip}], "startTime": now,
                **({"initContainerStatuses": [_container_status(c, now, True) for c in spec["initContainers"]]}
                   if spec.get("initContainers") else {}),
                "containerStatuses": [_container_status(c, now, False) for c in spec.get("containers") or []],
                "qosClass": _qos(spec)}, "kubelet")

    def _next_ip(self, used: set) -> str:
        for offset in range(2, self.pod_network.num_addresses - 1):  # .0 is the network, .1 its gateway
            address = str(self.pod_network.network_address + offset)
            if address not in used:
                used.add(address)
                return address
        return ""

    def _container_events(self, pod: dict, node: str, path: str, container: dict) -> None:
        image, name = container.get("image", ""), container["name"]
        if container.get("imagePullPolicy") == "Always":
            self._event(pod, "Pod", "Pulling", f'Pulling image "{image}"', "kubelet", node, path)
            size = int(hashlib.sha256(image.encode()).hexdigest()[:6], 16) * 4
            self._event(pod, "Pod", "Pulled", f'Successfully pulled image "{image}" in 1s (1s including waiting). '
                        f"Image size: {size} bytes.", "kubelet", node, path)
        else:
            self._event(pod, "Pod", "Pulled", f'Container image "{image}" already present on machine', "kubelet",
                        node, path)
        self._event(pod, "Pod", "Created", f"Created container: {name}", "kubelet", node, path)
        self._event(pod, "Pod", "Started", f"Started container {name}", "kubelet", node, path)


def _container_status(container: dict, now: str, init: bool) -> dict:
    image = _image(container.get("image", ""))
    digest = hashlib.sha256(image.encode()).hexdigest()
    state = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now,
                            "containerID": f"containerd://{hashlib.sha256((now + container['name']).encode()).hexdigest()}"}} \
        if init else {"running": {"startedAt": now}}
    return {"name": container["name"], "state": state, "lastState": {}, "ready": True, "restartCount": 0,
            "image": image, "imageID": f"{image.rsplit(':', 1)[0]}@sha256:{digest}",
            "containerID": f"containerd://{hashlib.sha256((now + container['name']).encode()).hexdigest()}",
            "started": not init}


def _qos(spec: dict) -> str:
    """The pod's QoS class from its containers' requests and limits."""
    resources = [c.get("resources") or {} for c in spec.get("containers") or []]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    guaranteed = all(set(r.get("limits") or {}) >= {"cpu", "memory"} and
                     all((r.get("requests") or {}).get(k, v) == v for k, v in (r.get("limits") or {}).items())
                     for r in resources)
    return "Guaranteed" if guaranteed else "Burstable"
