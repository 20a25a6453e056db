"""The control plane's workers the API server alone lacks: kube-controller-manager's deployment, replica
set, daemon set, endpoints, endpoint slice and garbage collector controllers, the scheduler and each
node's kubelet, reduced to what they leave in the API once they are done.

They act only through the facade's verbs (create, patch, delete), as real controllers act through the
API, so every step is a watch event and a resourceVersion kubectl sees. A settle runs passes until one
writes nothing: each pass reads the objects afresh and does every worker's next step, so a Deployment
becomes a ReplicaSet, its Pods, their scheduling and their start in a few passes. Nothing waits on
time: images are there at once, containers start and are ready at once (no probes run).

Stand-ins, where the real value comes from what the lab does not have: the pod-template-hash is
FNV-32a (as Kubernetes) over the template's canonical JSON rather than over Go's spew dump of the typed
struct, encoded as Kubernetes encodes it (rand.SafeEncodeString); generated name suffixes are five
characters of Kubernetes' alphabet taken from a digest of the owner and a counter (deterministic, so
runs compare); pod IPs are the lowest free addresses of `pod_network`.
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import json
import threading
from collections.abc import Iterable

from .errors import KubeError
from .model.objects import timestamp
from .service import Kube, WatchEvent

ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand: no vowels, no 0, 1, 3
OWNERS = ("Deployment", "ReplicaSet", "DaemonSet", "Service")  # the owners whose dependents this collects
WORKLOADS = ("deployments.apps", "replicasets.apps", "daemonsets.apps", "pods", "nodes", "services")
# The built-in priority classes the API server creates (scheduling/v1); others are read from PriorityClasses.
PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
# What the DaemonSet controller adds to its pods' tolerations (pkg/controller/daemon/util).
DAEMON_TOLERATIONS = (("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
                      ("node.kubernetes.io/disk-pressure", "NoSchedule"),
                      ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                      ("node.kubernetes.io/pid-pressure", "NoSchedule"),
                      ("node.kubernetes.io/unschedulable", "NoSchedule"))
# What the DefaultTolerationSeconds admission plugin adds to every other pod (for 300 seconds).
DEFAULT_TOLERATIONS = (("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"))
# The pod spec defaults the API server sets (pkg/apis/core/v1/defaults.go) that clients read back.
POD_DEFAULTS = (("restartPolicy", "Always"), ("dnsPolicy", "ClusterFirst"), ("schedulerName", "default-scheduler"),
                ("terminationGracePeriodSeconds", 30), ("securityContext", {}), ("enableServiceLinks", True),
                ("preemptionPolicy", "PreemptLowerPriority"))
REVISION, DESIRED, MAX = ("deployment.kubernetes.io/revision", "deployment.kubernetes.io/desired-replicas",
                          "deployment.kubernetes.io/max-replicas")
REQUIRED_DS = ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady")
TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"


def fnv32a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    """rand.SafeEncodeString: each character mapped into the alphabet (no words can be spelled)."""
    return "".join(ALPHABET[ord(c) % len(ALPHABET)] for c in text)


def template_hash(template: dict) -> str:
    """The pod-template-hash stand-in (see the module docstring)."""
    return safe_encode(str(fnv32a(json.dumps(template, sort_keys=True, separators=(",", ":")).encode())))


def suffix(seed: str) -> str:
    """Five characters of the alphabet, as generateName adds, from a digest of `seed`."""
    return "".join(ALPHABET[b % len(ALPHABET)] for b in hashlib.sha256(seed.encode()).digest()[:5])


def selects(selector: dict | None, labels: dict) -> bool:
    """A metav1.LabelSelector (matchLabels, matchExpressions) against labels; an empty one selects all."""
    selector = selector or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    return all(_expression(e, labels.get(e.get("key", ""))) for e in selector.get("matchExpressions") or [])


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


def ready(obj: dict, kind: str = "Ready") -> bool:
    return any(c.get("type") == kind and c.get("status") == "True"
               for c in (obj.get("status") or {}).get("conditions") or [])


def node_ip(node: dict) -> str:
    addresses = (node.get("status") or {}).get("addresses") or []
    return next((a["address"] for t in ("InternalIP", "ExternalIP") for a in addresses if a.get("type") == t), "")


def owner_ref(kind: str, obj: dict) -> dict:
    return {"apiVersion": "apps/v1" if kind != "Service" else "v1", "kind": kind, "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def owned(items: list[dict], owner: dict) -> list[dict]:
    uid = owner["metadata"]["uid"]
    return [o for o in items if any(r.get("uid") == uid and r.get("controller")
                                    for r in o["metadata"].get("ownerReferences") or [])]


def _percent(value: object, total: int, round_up: bool) -> int:
    """An IntOrString of a rolling update (25% or 1) against `total` replicas."""
    if isinstance(value, str) and value.endswith("%"):
        share = total * int(value[:-1])
        return -(-share // 100) if round_up else share // 100
    return int(value or 0)


def _rolling(spec: dict) -> dict | None:
    strategy = spec.get("strategy") or {}
    return None if strategy.get("type") == "Recreate" else strategy.get("rollingUpdate") or {}


def _surge(spec: dict, replicas: int) -> int:
    rolling = _rolling(spec)
    return 0 if rolling is None else _percent(rolling.get("maxSurge", "25%"), replicas, True)


def _unavailable(spec: dict, replicas: int) -> int:
    rolling = _rolling(spec)
    return 0 if rolling is None else _percent(rolling.get("maxUnavailable", "25%"), replicas, False)


def _free(owner: str, taken: set[str]) -> str:
    """The next unused `<owner>-<suffix>` name (recorded as taken)."""
    number = 0
    while (name := f"{owner}-{suffix(f'{owner}/{number}')}") in taken:
        number += 1
    taken.add(name)
    return name


def _target(pod: dict) -> str:
    """The node a pod is on or, a daemon set's pod not yet bound, the node its affinity pins it to."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return spec["nodeName"]
    terms = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
             .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
    return next((f["values"][0] for t in terms for f in t.get("matchFields") or []
                 if f.get("key") == "metadata.name" and f.get("values")), "")


def _pull_policy(image: str) -> str:
    last = image.rsplit("/", 1)[-1]
    return "Always" if "@" not in last and (":" not in last or last.endswith(":latest")) else "IfNotPresent"


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


class WorkloadControllers:
    """The controllers, scheduler and kubelets of the lab's cluster, settled on the lab's tick (`tick`)
    or after every change clients make (`listen`)."""

    def __init__(self, kube: Kube, pod_network: str = "10.2.0.0/16"):
        self.kube = kube
        self.pod_network = ipaddress.ip_network(pod_network)
        self._guard = threading.Lock()
        self._running = self._again = False
        self._settled_at = 0  # the resourceVersion the last settle left: later batches are others' changes
        self._events = 0

    # --- when to settle ------------------------------------------------------------------------------
    def tick(self) -> int:
        return self.settle()

    def listen(self) -> None:
        """Settle after each change clients make, before their write is answered (as fast as real ones go)."""
        self.kube.changes.subscribe(self._on_changes)

    def stop(self) -> None:
        self.kube.changes.unsubscribe(self._on_changes)

    def _on_changes(self, batch: list[WatchEvent]) -> None:
        if any(e.resource_version > self._settled_at and e.kind_key in WORKLOADS for e in batch):
            self.settle()

    def settle(self) -> int:
        """Run passes until one writes nothing; returns the writes. A settle asked for while another runs
        (another thread, or a change delivered meanwhile) makes the running one go on instead of waiting."""
        with self._guard:
            if self._running:
                self._again = True
                return 0
            self._running = True
        writes = 0
        try:
            while True:
                for _ in range(50):
                    before = int(self.kube.store.resource_version)
                    self._pass()
                    done = int(self.kube.store.resource_version) - before
                    writes += done
                    if not done:
                        break
                self._settled_at = int(self.kube.store.resource_version)
                with self._guard:
                    if not self._again:
                        return writes
                    self._again = False
        finally:
            with self._guard:
                self._running = False

    def _pass(self) -> None:
        self._collect_garbage()
        for deployment in self._items("deployments.apps"):
            self._deployment(deployment)
        for replicaset in self._items("replicasets.apps"):
            self._replicaset(replicaset)
        for daemonset in self._items("daemonsets.apps"):
            self._daemonset(daemonset)
        self._schedule()
        self._start_pods()
        for service in self._items("services"):
            self._endpoints(service)
        self._orphan_endpoints()

    # --- helpers -------------------------------------------------------------------------------------
    def _items(self, kind: str, namespace: str | None = None) -> list[dict]:
        return self.kube.list(kind, namespace)[0]

    def _now(self) -> str:
        return timestamp(self.kube.clock.now())

    def _event(self, obj: dict, kind: str, reason: str, message: str, component: str, host: str = "",
               field_path: str = "", warning: bool = False, action: str = "") -> None:
        """A core/v1 Event as the component's event recorder writes it (named <object>.<hex time>)."""
        meta = obj["metadata"]
        self._events += 1
        involved = {"kind": kind, "namespace": meta.get("namespace", ""), "name": meta["name"], "uid": meta["uid"],
                    "apiVersion": "apps/v1" if kind in ("Deployment", "ReplicaSet", "DaemonSet") else "v1",
                    "resourceVersion": meta.get("resourceVersion", "")}
        if field_path:
            involved["fieldPath"] = field_path
        event = {"metadata": {"name": f"{meta['name']}.{int(self.kube.clock.now() * 1e9) + self._events:x}"},
                 "involvedObject": involved, "reason": reason, "message": message,
                 "source": {"component": component, **({"host": host} if host else {})},
                 "firstTimestamp": self._now(), "lastTimestamp": self._now(), "count": 1,
                 "type": "Warning" if warning else "Normal", "reportingComponent": component,
                 "reportingInstance": host or f"{component}-acisim"}
        if action:
            event["action"] = action
        self.kube.create("events", involved["namespace"] or "default", event, field_manager=component)

    def _status(self, kind: str, obj: dict, status: dict, manager: str) -> None:
        if obj.get("status") != status:
            meta = obj["metadata"]
            self.kube.replace(kind, meta.get("namespace", ""), meta["name"], {**obj, "status": status},
                              subresource="status", field_manager=manager)

    @staticmethod
    def _condition(old: dict, kind: str, status: str, reason: str, message: str, now: str,
                   update_time: bool = False) -> dict:
        """A condition keeping its transition (and update) time while nothing about it changes."""
        before = next((c for c in (old.get("status") or {}).get("conditions") or [] if c.get("type") == kind), {})
        same = before.get("status") == status
        cond = {"type": kind, "status": status}
        if update_time:
            cond["lastUpdateTime"] = before.get("lastUpdateTime", now) if same and before.get("reason") == reason \
                else now
        cond.update(lastTransitionTime=before.get("lastTransitionTime", now) if same else now, reason=reason,
                    message=message)
        return cond

    # --- garbage collector ---------------------------------------------------------------------------
    def _collect_garbage(self) -> None:
        """Dependents whose owners are all gone are deleted (background propagation, kubectl's default)."""
        alive = {o["metadata"]["uid"] for kind in ("deployments.apps", "replicasets.apps", "daemonsets.apps",
                                                   "services") for o in self._items(kind)}
        for kind in ("replicasets.apps", "pods", "endpointslices.discovery.k8s.io"):
            for obj in self._items(kind):
                refs = obj["metadata"].get("ownerReferences") or []
                if refs and all(r.get("kind") in OWNERS for r in refs) and not any(r.get("uid") in alive for r in refs):
                    self.kube.delete(kind, obj["metadata"]["namespace"], obj["metadata"]["name"])

    # --- deployment controller -----------------------------------------------------------------------
    def _deployment(self, deploy: dict) -> None:
        """One ReplicaSet per pod template (`<deployment>-<pod-template-hash>`); the current one gets all
        the replicas at once and older ones none (the rollout's end state), then the status from them."""
        meta, spec = deploy["metadata"], deploy.get("spec") or {}
        ns, want = meta["namespace"], spec.get("replicas", 1)
        template = copy.deepcopy(spec.get("template") or {})
        hashed = template_hash(template)
        sets = owned(self._items("replicasets.apps", ns), deploy)
        current = next((r for r in sets if (r["metadata"].get("labels") or {}).get("pod-template-hash") == hashed), None)
        revisions = [int((r["metadata"].get("annotations") or {}).get(REVISION, "0")) for r in sets if r is not current]
        revision = str(max(revisions, default=0) + 1)
        notes = {DESIRED: str(want), MAX: str(want + _surge(spec, want)), REVISION: revision}
        if current is None:
            labels = {**((template.get("metadata") or {}).get("labels") or {}), "pod-template-hash": hashed}
            template.setdefault("metadata", {})["labels"] = labels
            selector = copy.deepcopy(spec.get("selector") or {})
            selector.setdefault("matchLabels", {})["pod-template-hash"] = hashed
            body = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": {"name": f"{meta['name']}-{hashed}", "namespace": ns, "labels": labels,
                                 "annotations": notes, "ownerReferences": [owner_ref("Deployment", deploy)]},
                    "spec": {"replicas": want, "selector": selector, "template": template,
                             **({"minReadySeconds": spec["minReadySeconds"]} if "minReadySeconds" in spec else {})}}
            current = self.kube.create("replicasets.apps", ns, body, field_manager="kube-controller-manager")
            self._event(deploy, "Deployment", "ScalingReplicaSet",
                        f"Scaled up replica set {current['metadata']['name']} from 0 to {want}", "deployment-controller")
        else:
            had = (current.get("spec") or {}).get("replicas", 1)
            own = int((current["metadata"].get("annotations") or {}).get(REVISION, "0"))
            if own > max(revisions, default=0):  # still the newest: it keeps its revision (a rollback bumps it)
                notes[REVISION] = str(own)
            self._scale_set(deploy, current, want, notes)
            if had != want:
                current = self.kube.get("replicasets.apps", ns, current["metadata"]["name"])
        for old in sets:
            if old["metadata"]["uid"] != current["metadata"]["uid"]:
                self._scale_set(deploy, old, 0, {**(old["metadata"].get("annotations") or {}), DESIRED: str(want),
                                                   MAX: notes[MAX]})
        if (meta.get("annotations") or {}).get(REVISION) != notes[REVISION]:
            self.kube.patch("deployments.apps", ns, meta["name"], "merge",
                            {"metadata": {"annotations": {REVISION: notes[REVISION]}}},
                            field_manager="kube-controller-manager")
            deploy = self.kube.get("deployments.apps", ns, meta["name"])
        self._status("deployments.apps", deploy, self._deployment_status(deploy, current), "kube-controller-manager")

    def _scale_set(self, deploy: dict, rs: dict, replicas: int, notes: dict) -> None:
        meta, had = rs["metadata"], (rs.get("spec") or {}).get("replicas", 1)
        if had == replicas and all((meta.get("annotations") or {}).get(k) == v for k, v in notes.items()):
            return
        self.kube.patch("replicasets.apps", meta["namespace"], meta["name"], "merge",
                        {"metadata": {"annotations": notes}, "spec": {"replicas": replicas}},
                        field_manager="kube-controller-manager")
        if had != replicas:
            self._event(deploy, "Deployment", "ScalingReplicaSet", f"Scaled {'up' if replicas > had else 'down'} "
                        f"replica set {meta['name']} from {had} to {replicas}", "deployment-controller")

    def _deployment_status(self, deploy: dict, current: dict) -> dict:
        spec, now = deploy.get("spec") or {}, self._now()
        want = spec.get("replicas", 1)
        sets = owned(self._items("replicasets.apps", deploy["metadata"]["namespace"]), deploy)
        total = {k: sum((r.get("status") or {}).get(k, 0) for r in sets)
                 for k in ("replicas", "readyReplicas", "availableReplicas")}
        updated = next(((r.get("status") or {}).get("replicas", 0) for r in sets
                        if r["metadata"]["uid"] == current["metadata"]["uid"]), 0)
        available = total["availableReplicas"]
        floor = want - _unavailable(spec, want)
        name = current["metadata"]["name"]
        if updated == want and total["replicas"] == want and available == want:
            progress = ("NewReplicaSetAvailable", f'ReplicaSet "{name}" has successfully progressed.')
        elif not (current.get("status") or {}).get("observedGeneration"):
            progress = ("NewReplicaSetCreated", f'Created new replica set "{name}"')
        else:
            progress = ("ReplicaSetUpdated", f'ReplicaSet "{name}" is progressing.')
        status = {"observedGeneration": deploy["metadata"].get("generation", 1), "replicas": total["replicas"],
                  "updatedReplicas": updated, "readyReplicas": total["readyReplicas"], "availableReplicas": available,
                  "unavailableReplicas": max(want - available, 0)}
        status = {k: v for k, v in status.items() if v}  # omitempty, as the Go type marshals
        status["conditions"] = [
            self._condition(deploy, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum "
                            "availability.", now, True) if available >= floor else
            self._condition(deploy, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have "
                            "minimum availability.", now, True),
            self._condition(deploy, "Progressing", "True", *progress, now, True)]
        return status

    # --- replica set and daemon set controllers ------------------------------------------------------
    def _replicaset(self, rs: dict) -> None:
        meta, spec = rs["metadata"], rs.get("spec") or {}
        ns, want = meta["namespace"], spec.get("replicas", 1)
        pods = owned(self._items("pods", ns), rs)
        taken = {p["metadata"]["name"] for p in self._items("pods", ns)}
        for _ in range(want - len(pods)):
            name = _free(meta["name"], taken)
            labels = dict((spec.get("template") or {}).get("metadata", {}).get("labels") or {})
            created = self._create_pod(rs, "ReplicaSet", name, labels, None, "replicaset-controller")
            if created is not None:
                pods.append(created)
        if len(pods) > want:
            # the controller deletes the least far along first: unscheduled, not ready, then the newest
            pods.sort(key=lambda p: (bool((p.get("spec") or {}).get("nodeName")), ready(p),
                                     p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]), reverse=True)
            for pod in pods[want:]:
                self.kube.delete("pods", ns, pod["metadata"]["name"])
                self._event(rs, "ReplicaSet", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}",
                            "replicaset-controller")
            pods = pods[:want]
        labels = (spec.get("template") or {}).get("metadata", {}).get("labels") or {}
        status = {"replicas": len(pods),
                  "fullyLabeledReplicas": sum(labels.items() <= (p["metadata"].get("labels") or {}).items()
                                              for p in pods),
                  "readyReplicas": sum(ready(p) for p in pods), "availableReplicas": sum(ready(p) for p in pods),
                  "observedGeneration": meta.get("generation", 1)}
        self._status("replicasets.apps", rs, {k: v for k, v in status.items() if v or k == "replicas"},
                     "kube-controller-manager")

    def _daemonset(self, ds: dict) -> None:
        """One pod per node the pod's tolerations, node selector and affinity allow; a pod of an older
        template (another controller-revision-hash) is replaced at once."""
        meta, spec = ds["metadata"], ds.get("spec") or {}
        ns, template = meta["namespace"], spec.get("template") or {}
        hashed = template_hash(template)
        labels = {**((template.get("metadata") or {}).get("labels") or {}), "controller-revision-hash": hashed,
                  "pod-template-generation": str(meta.get("generation", 1))}
        pods = owned(self._items("pods", ns), ds)
        taken = {p["metadata"]["name"] for p in self._items("pods", ns)}
        nodes = {n["metadata"]["name"]: n for n in self._items("nodes")}
        wanted = {name for name, node in nodes.items() if not why_not(self._pod_body(ds, "DaemonSet", {}, name), node)}
        for pod in pods:
            stale = (pod["metadata"].get("labels") or {}).get("controller-revision-hash") != hashed
            if _target(pod) not in wanted or stale:
                self.kube.delete("pods", ns, pod["metadata"]["name"])
                self._event(ds, "DaemonSet", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}",
                            "daemonset-controller")
        pods = owned(self._items("pods", ns), ds)
        for name in sorted(wanted - {_target(p) for p in pods}):
            created = self._create_pod(ds, "DaemonSet", _free(meta["name"], taken), labels, name,
                                       "daemonset-controller")
            if created is not None:
                pods.append(created)
        scheduled = [p for p in pods if (p.get("spec") or {}).get("nodeName") in wanted]
        ready_pods = sum(ready(p) for p in scheduled)
        status = {"currentNumberScheduled": len(scheduled), "numberMisscheduled": 0,
                  "desiredNumberScheduled": len(wanted), "numberReady": ready_pods,
                  "observedGeneration": meta.get("generation", 1), "updatedNumberScheduled": len(scheduled),
                  "numberAvailable": ready_pods, "numberUnavailable": len(wanted) - ready_pods}
        self._status("daemonsets.apps", ds, {k: v for k, v in status.items() if v or k in REQUIRED_DS},
                     "kube-controller-manager")

    def _create_pod(self, owner: dict, kind: str, name: str, labels: dict, node: str | None,
                    component: str) -> dict | None:
        try:
            pod = self.kube.create("pods", owner["metadata"]["namespace"], self._pod_body(owner, kind, labels, node,
                                                                                          name),
                                   field_manager="kube-controller-manager")
        except KubeError as exc:  # the controller reports it on its object and tries again next time
            self._event(owner, kind, "FailedCreate", f"Error creating: {exc.message}", component, warning=True)
            return None
        self._event(owner, kind, "SuccessfulCreate", f"Created pod: {name}", component)
        return pod

    def _pod_body(self, owner: dict, kind: str, labels: dict, node: str | None, name: str = "probe") -> dict:
        """A pod from the owner's template with what the API server's defaulting and admission add
        (and, for a daemon set's pod, its node affinity and tolerations)."""
        template = (owner.get("spec") or {}).get("template") or {}
        spec = copy.deepcopy(template.get("spec") or {})
        for key, value in POD_DEFAULTS:
            spec.setdefault(key, value)
        spec.setdefault("serviceAccount", spec.get("serviceAccountName", "default"))
        spec.setdefault("serviceAccountName", spec["serviceAccount"])
        spec.setdefault("priority", self._priority(spec.get("priorityClassName")))
        for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
            container.setdefault("imagePullPolicy", _pull_policy(container.get("image", "")))
            container.setdefault("terminationMessagePath", "/dev/termination-log")
            container.setdefault("terminationMessagePolicy", "File")
            container.setdefault("resources", {})
        tolerations = spec.setdefault("tolerations", [])
        extra = DAEMON_TOLERATIONS + ((("node.kubernetes.io/network-unavailable", "NoSchedule"),)
                                      if spec.get("hostNetwork") else ()) if node else DEFAULT_TOLERATIONS
        for key, effect in extra:
            if not any(t.get("key") == key and t.get("effect") == effect for t in tolerations):
                tolerations.append({"key": key, "operator": "Exists", "effect": effect,
                                    **({"tolerationSeconds": 300} if not node else {})})
        if node:
            spec.setdefault("affinity", {}).setdefault("nodeAffinity", {})[
                "requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}
        meta = {"name": name, "generateName": f"{owner['metadata']['name']}-", "labels": labels,
                "ownerReferences": [owner_ref(kind, owner)]}
        if (template.get("metadata") or {}).get("annotations"):
            meta["annotations"] = dict(template["metadata"]["annotations"])
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}

    def _priority(self, class_name: str | None) -> int:
        if not class_name:
            return 0
        found = self.kube.store.get("priorityclasses.scheduling.k8s.io", "", class_name)
        return found.get("value", 0) if found else PRIORITIES.get(class_name, 0)

    # --- scheduler -----------------------------------------------------------------------------------
    def _schedule(self) -> None:
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

    # --- kubelets ------------------------------------------------------------------------------------
    def _start_pods(self) -> None:
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

    # --- endpoints and endpoint slice controllers ----------------------------------------------------
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
