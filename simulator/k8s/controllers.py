"""The control plane's workers the API server alone lacks, settled together: kube-controller-manager's
deployment, replica set, daemon set and garbage collector controllers here, the scheduler and the
kubelets (scheduling.py), the endpoints and endpoint slice controllers (endpoints.py), reduced to what
they leave in the API once they are done.

They act only through the facade's verbs (create, patch, delete), as real controllers act through the
API, so every step is a watch event and a resourceVersion kubectl sees. A settle runs passes until one
writes nothing: each pass reads the objects afresh and does every worker's next step, so a Deployment
becomes a ReplicaSet, its Pods, their scheduling and their start in a few passes. Nothing waits on
time. Hashes and generated names are deterministic stand-ins (see workers.py).
"""

from __future__ import annotations

import copy
import threading

from .endpoints import EndpointsControllers
from .errors import KubeError
from .scheduling import Kubelets, Scheduler, why_not
from .service import Kube, WatchEvent
from .workers import Worker, owned, owner_ref, ready, suffix, template_hash

OWNERS = ("Deployment", "ReplicaSet", "DaemonSet", "Service")  # the owners whose dependents this collects
WORKLOADS = ("deployments.apps", "replicasets.apps", "daemonsets.apps", "pods", "nodes", "services")
# What the DaemonSet controller adds to its pods' tolerations (pkg/controller/daemon/util).
DAEMON_TOLERATIONS = (("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
                      ("node.kubernetes.io/disk-pressure", "NoSchedule"),
                      ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                      ("node.kubernetes.io/pid-pressure", "NoSchedule"),
                      ("node.kubernetes.io/unschedulable", "NoSchedule"))
REVISION, DESIRED, MAX = ("deployment.kubernetes.io/revision", "deployment.kubernetes.io/desired-replicas",
                          "deployment.kubernetes.io/max-replicas")
REQUIRED_DS = ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady")


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


class WorkloadControllers(Worker):
    """The controllers, scheduler and kubelets of the lab's cluster, settled on the lab's tick (`tick`)
    or after every change clients make (`listen`)."""

    def __init__(self, kube: Kube, pod_network: str = "10.2.0.0/16"):
        super().__init__(kube)
        self.scheduler = Scheduler(kube, self.events)
        self.kubelets = Kubelets(kube, pod_network, self.events)
        self.endpoints = EndpointsControllers(kube, self.events)
        self._guard = threading.Lock()
        self._running = self._again = False
        self._settled_at = 0  # the resourceVersion the last settle left: later batches are others' changes

    # --- when to settle ------------------------------------------------------------------------------
    def tick(self) -> int:
        """The lab's tick (before every request): the controllers are level-triggered on the store alone (the
        clock only stamps times), so a store unchanged since the last settle has nothing to settle, and the
        pass that would read (and copy) every workload object is skipped."""
        if int(self.kube.store.resource_version) == self._settled_at:
            return 0
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
        self.scheduler.schedule()
        self.kubelets.start_pods()
        self.endpoints.settle()

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
        """A pod from the owner's template (the API server defaults and admits it) and, for a daemon set's
        pod, the node affinity and tolerations the daemon set controller adds."""
        template = (owner.get("spec") or {}).get("template") or {}
        spec = copy.deepcopy(template.get("spec") or {})
        if node:
            tolerations = spec.setdefault("tolerations", [])
            extra = DAEMON_TOLERATIONS + ((("node.kubernetes.io/network-unavailable", "NoSchedule"),)
                                          if spec.get("hostNetwork") else ())
            for key, effect in extra:
                if not any(t.get("key") == key and t.get("effect") == effect for t in tolerations):
                    tolerations.append({"key": key, "operator": "Exists", "effect": effect})
            spec.setdefault("affinity", {}).setdefault("nodeAffinity", {})[
                "requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}
        meta = {"name": name, "generateName": f"{owner['metadata']['name']}-", "labels": labels,
                "ownerReferences": [owner_ref(kind, owner)]}
        if (template.get("metadata") or {}).get("annotations"):
            meta["annotations"] = dict(template["metadata"]["annotations"])
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
