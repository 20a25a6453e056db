"""The lab's side of the CNI controller: what the lab's kubelet does for a Pod that runs the container
`aci-containers-controller`. It runs the controller emulator for the Pod (in threads named cni-*),
and the Pod shows how the emulator fares, as a real pod shows its controller: Ready once the startup
and the first sync are done; a failed startup (a 403 from a wrong key, a VRF check that fails, an APIC
out of reach) is a container waiting in CrashLoopBackOff whose last state is `terminated` with exit
code 1 and the error as its message, restarted after kubelet's backoff (10 s doubling to 300 s) on the
lab's clock, with Warning Events in words. The Pod's deletion (the Deployment deleted) stops it.

The emulator stays an HTTP client of both APIs: it reads its ConfigMap and Secret as the pod's volumes
name them (as kubelet mounts them), signs in to the APIC at the ConfigMap's apic-hosts verifying the
lab's certificate, and reads Kubernetes through a kubeconfig the lab writes for it in a temporary
directory. This module acts on the lab's Kubernetes API through its facade's verbs only (duck-typed:
the CNI package imports no system of ours), never calling it with one of its own locks held.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import yaml

from .config import from_manifest
from .controller import Controller
from .in_lab_pod import PodState
from .kube import KubeClient, KubeView
from .runner import Runner

CONTAINER = "aci-containers-controller"
# the view's resources and the lab's kind keys for them: a settle waits until the view saw their changes
WATCHED = {"nodes": "nodes", "namespaces": "namespaces", "deployments": "deployments.apps",
           "replicasets": "replicasets.apps", "pods": "pods", "services": "services", "endpoints": "endpoints"}


def backoff(failures: int) -> float:
    """kubelet's restart back-off after `failures` failed runs: 10 s, doubling, at most 300 s."""
    return min(10.0 * 2 ** (failures - 1), 300.0)


class KubeApi(Protocol):
    """What this module uses of the lab's Kubernetes API facade."""

    clock: Any
    changes: Any
    store: Any

    def get(self, kind_key: str, namespace: str, name: str) -> dict: ...

    def list(self, kind_key: str, namespace: str | None = None) -> tuple[list[dict], str]: ...

    def create(self, kind_key: str, namespace: str, body: object, field_manager: str = "") -> dict: ...

    def patch(self, kind_key: str, namespace: str, name: str, patch_type: str, body: object,
              subresource: str = "", field_manager: str = "") -> dict: ...


class AttachesTo(Protocol):
    """What this module uses of the lab: its Kubernetes API, its tick order and its kubeconfig."""

    k8s: KubeApi
    k8s_controllers: Any
    settling: list

    def write_kubeconfig(self, path: Path) -> Path: ...


def runs_controller(pod: dict) -> bool:
    """A Pod whose kubelet started it (it has a startTime) and that runs the controller's container."""
    spec, meta = pod.get("spec") or {}, pod["metadata"]
    return bool((pod.get("status") or {}).get("startTime")) and not meta.get("deletionTimestamp") and any(
        c.get("name") == CONTAINER for c in spec.get("containers") or [])


class Emulator:
    """The controller emulator of one Pod: its own thread starts it, restarts it after each failure once
    the backoff has passed on the lab's clock, and stops it when the Pod goes."""

    def __init__(self, cni: LabCni, pod: dict):
        self.cni = cni
        meta = pod["metadata"]
        self.namespace, self.name, self.uid = meta["namespace"], meta["name"], meta["uid"]
        self.node = (pod.get("spec") or {}).get("nodeName", "")
        self.spec = pod.get("spec") or {}
        self.pod = PodState(cni.kube, self.namespace, self.name, self.uid, CONTAINER)
        self.state = "starting"
        self.runs = 0
        self.syncs = 0
        self.last_error = ""
        self.next_start = cni.kube.clock.now()
        self.runner: Runner | None = None
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name=f"cni-pod-{self.name}", daemon=True)

    def _run(self) -> None:
        try:
            while self._wait_for_start():
                if self._attempt():
                    with self.cni.cond:
                        self.cni.cond.wait_for(lambda: self.stopping)
                    break
        finally:
            if self.runner is not None:
                self.runner.stop()
            with self.cni.cond:
                self.state = "stopped"
                self.cni.emulators.pop(self.uid, None)
                self.cni.cond.notify_all()

    def _wait_for_start(self) -> bool:
        """Wait until the backoff has passed on the lab's clock (a frozen clock: until a tick moves it
        there); False when the Pod went meanwhile."""
        clock = self.cni.kube.clock
        with self.cni.cond:
            while not self.stopping and clock.now() < self.next_start:
                self.cni.cond.wait(None if clock.frozen else self.next_start - clock.now())
            return not self.stopping

    def _attempt(self) -> bool:
        """One run of the container: the startup and the first sync (then Ready), or the failure shown."""
        started = self.cni.kube.clock.now()
        self.runs += 1
        if self.runs > 1:
            self.pod.restarted(self.node)
        self._set_state("starting")
        self.pod.running(started, ready=False, restarts=self.runs - 1)
        runner = None
        try:
            runner = self._runner()
            runner.start()
        except Exception as exc:  # whatever ends the startup ends the container's run, as a panic ends the controller's
            if runner is not None:
                runner.stop()
            self._crashed(str(exc) or exc.__class__.__name__, started)
            return False
        self.pod.running(started, ready=True, restarts=self.runs - 1)
        self.runner = runner
        self._set_state("running")
        return True

    def _runner(self) -> Runner:
        config, key = from_manifest(self.pod.mounted(self.spec))
        view = KubeView(KubeClient.from_kubeconfig(self.cni.kubeconfig()))
        try:
            controller = Controller(config, key, str(self.cni.apic_ca()), kube=view.client)
        except Exception:  # an unreadable key: the view's client (and its CA file) go with the failed start
            view.client.close()
            raise
        return Runner(controller, view, self.cni.debounce, on_sync=self._synced, on_error=self._failed)

    def _crashed(self, message: str, started: float) -> None:
        delay = backoff(self.runs)
        with self.cni.cond:
            self.last_error = message
            self.next_start = self.cni.kube.clock.now() + delay
        self.pod.crashed(message, started, delay, restarts=self.runs - 1, node=self.node)
        self._set_state("crashloop")

    def _synced(self, result) -> None:
        with self.cni.cond:
            self.syncs += 1
            self.cni.cond.notify_all()

    def _failed(self, exc: Exception) -> None:
        """An error after a good start: the controller logs it and goes on; the Pod gets it as an Event."""
        with self.cni.cond:
            self.last_error = str(exc)
        self.pod.warn("SyncFailed", str(exc))

    def _set_state(self, state: str) -> None:
        with self.cni.cond:
            self.state = state
            self.cni.cond.notify_all()

    def settled(self, targets: dict[str, int]) -> bool:
        """Nothing is under way: waiting for a restart that is not due, or running with every change up to
        `targets` (the latest resourceVersion per watched kind) in the view and synced since."""
        if self.stopping or self.state in ("starting", "stopped"):
            return False
        if self.state == "crashloop":
            return self.cni.kube.clock.now() < self.next_start
        runner = self.runner
        if runner is None:
            return False
        with runner.kube.lock:
            versions = dict(runner.kube.versions)
        return all(int(versions.get(r) or 0) >= targets.get(kind, 0) for r, kind in WATCHED.items()) \
            and runner.caught_up()

    def report(self) -> dict:
        return {"namespace": self.namespace, "pod": self.name, "node": self.node, "state": self.state,
                "restarts": max(self.runs - 1, 0), "syncs": self.syncs, "lastError": self.last_error,
                "nextStart": self.next_start if self.state == "crashloop" else None}


class LabCni:
    """The controller emulators of a lab's cluster: one per Pod running the controller's container."""

    def __init__(self, lab: AttachesTo, apic_ca: Path | None = None, debounce: float = 0.2):
        self.lab = lab
        self.kube = lab.k8s
        self.debounce = debounce
        self.cond = threading.Condition()
        self.emulators: dict[str, Emulator] = {}
        self.latest: dict[str, int] = {}
        self._heard = 0  # the newest resourceVersion a change or a scan told of
        self._scanned = 0  # the resourceVersion of the listing the last scan acted on
        self._apic_ca = Path(apic_ca) if apic_ca else None
        self._workdir: Path | None = None
        self._kubeconfig: Path | None = None

    @classmethod
    def attach(cls, lab: AttachesTo, apic_ca: Path | None = None, debounce: float = 0.2) -> LabCni:
        """Follow the lab's cluster from now on: settled on the lab's tick right after its control plane,
        and after every change (a Pod the kubelet started gets its emulator before the write is answered).
        `apic_ca`: the CA of the APIC's certificate (default: the lab's, from the kubeconfig)."""
        cni = cls(lab, apic_ca, debounce)
        lab.settling.insert(lab.settling.index(lab.k8s_controllers) + 1, cni)
        lab.k8s.changes.subscribe(cni._on_changes)
        cni.scan()
        return cni

    # --- following the cluster -------------------------------------------------------------------
    def tick(self) -> int:
        """Wake the emulators whose backoff the clock has passed; when the API server holds what no change
        told of (a restored state), start and stop emulators for the Pods there are now. Returns how many
        were started or stopped."""
        with self.cond:
            self.cond.notify_all()
            unheard = int(self.kube.store.resource_version) > self._heard
        return self.scan() if unheard else 0

    def _on_changes(self, batch: list) -> None:
        with self.cond:
            for event in batch:
                self.latest[event.kind_key] = max(self.latest.get(event.kind_key, 0), event.resource_version)
                self._heard = max(self._heard, event.resource_version)
            concerned = any(event.kind_key == "pods" and (event.object["metadata"].get("uid") in self.emulators
                                                          or runs_controller(event.object)) for event in batch)
        if concerned:
            self.scan()

    def scan(self) -> int:
        """An emulator for each Pod running the controller; the emulators of Pods gone are told to stop."""
        listed, version = self.kube.list("pods")
        pods = {p["metadata"]["uid"]: p for p in listed if runs_controller(p)}
        changed = 0
        with self.cond:
            if int(version) < self._scanned:
                return 0  # another scan listed a newer state meanwhile: this listing is stale
            self._scanned = int(version)
            self._heard = max(self._heard, int(version))
            for uid, emulator in self.emulators.items():
                if uid not in pods and not emulator.stopping:
                    emulator.stopping = True
                    changed += 1
            fresh = [Emulator(self, pod) for uid, pod in pods.items() if uid not in self.emulators]
            for emulator in fresh:
                self.emulators[emulator.uid] = emulator
            self.cond.notify_all()
        for emulator in fresh:
            emulator.thread.start()
        return changed + len(fresh)

    # --- what tests, steps and /_sim read ----------------------------------------------------------
    def settle(self, timeout: float = 30) -> bool:
        """Whether every emulator has caught up with what Kubernetes holds now within `timeout` seconds:
        each running one synced after the latest change of every kind it watches (or reported that sync's
        failure on its Pod), each failed one waits for a restart not yet due, those of Pods gone ended."""
        self.scan()
        with self.cond:
            targets = dict(self.latest)
            deadline = time.monotonic() + timeout
            while True:
                if all(e.settled(targets) for e in self.emulators.values()):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                # a restart comes due by the running clock without a notification: look again at least each second
                self.cond.wait(min(remaining, 1.0))

    def status(self) -> list[dict]:
        """Each emulator: namespace, pod, node, state (starting, running, crashloop), restarts, syncs,
        lastError, nextStart (the lab time of the next restart in a crash loop)."""
        with self.cond:
            return [e.report() for e in sorted(self.emulators.values(), key=lambda e: (e.namespace, e.name))]

    # --- what the emulators connect with -----------------------------------------------------------
    def kubeconfig(self) -> Path:
        """The kubeconfig the lab writes for its emulators (in a directory `stop()` removes)."""
        with self.cond:
            if self._kubeconfig is None:
                self._workdir = Path(tempfile.mkdtemp(prefix="acisim-cni-"))
                self._kubeconfig = self.lab.write_kubeconfig(self._workdir / "kubeconfig")
            return self._kubeconfig

    def apic_ca(self) -> Path:
        """The CA the emulators verify the APIC with: the one given, else the lab's (its servers share
        one certificate, the one the kubeconfig names)."""
        if self._apic_ca is not None:
            return self._apic_ca
        path = self.kubeconfig()
        ca = path.with_name("lab-ca.crt")
        if not ca.exists():
            cluster = yaml.safe_load(path.read_text())["clusters"][0]["cluster"]
            ca.write_bytes(base64.b64decode(cluster["certificate-authority-data"]))
        return ca

    def stop(self) -> None:
        """Stop every emulator and leave the lab's tick and change feed; no thread is left."""
        self.kube.changes.unsubscribe(self._on_changes)
        if self in self.lab.settling:
            self.lab.settling.remove(self)
        with self.cond:
            running = list(self.emulators.values())
            for emulator in running:
                emulator.stopping = True
            self.cond.notify_all()
        for emulator in running:
            if emulator.thread.is_alive():
                emulator.thread.join()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = self._kubeconfig = None
