"""What the lab's kubelet writes about the controller's container, so an operator reads the emulator's
state where a real controller's shows: the container's status on its Pod (running and ready, or waiting
in CrashLoopBackOff with its last run terminated), the Pod's Ready conditions, and Events in kubelet's
words (BackOff, Created, Started) plus the controller's own error in words. It also reads the ConfigMap and
Secret the Pod's volumes name, as kubelet mounts them.

Written through the lab's Kubernetes API facade (duck-typed; see in_lab.py). The Pod may be deleted at
any moment: a write to a Pod that is gone is dropped, as kubelet drops a status for a pod it no longer has.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime
from typing import Any

from .config import ConfigError

MOUNTED = (("configMap", "name", "configmaps", "ConfigMap"), ("secret", "secretName", "secrets", "Secret"))


def timestamp(t: float) -> str:
    """RFC 3339 at second precision, as metav1.Time marshals."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _code(exc: Exception) -> int:
    return getattr(exc, "code", 0)


class PodState:
    """The controller container's state on one Pod (namespace/name, this uid) and its Events."""

    _events = itertools.count(1)

    def __init__(self, kube: Any, namespace: str, name: str, uid: str, container: str):
        self.kube = kube
        self.namespace, self.name, self.uid, self.container = namespace, name, uid, container
        self._container_id = ""

    # --- what the container gets mounted -----------------------------------------------------------
    def mounted(self, spec: dict) -> list[dict]:
        """The ConfigMaps and Secrets of the volumes the container mounts; one that is missing stops the
        start with kubelet's FailedMount words."""
        mounts = {m.get("name") for c in spec.get("containers") or [] if c.get("name") == self.container
                  for m in c.get("volumeMounts") or []}
        found = []
        for volume in spec.get("volumes") or []:
            for field, key, kind_key, kind in MOUNTED:
                source = volume.get(field)
                if volume.get("name") not in mounts or not isinstance(source, dict):
                    continue
                try:
                    found.append({**self.kube.get(kind_key, self.namespace, source.get(key, "")), "kind": kind})
                except Exception as exc:  # the facade's own error type: the CNI package imports no system
                    if _code(exc) != 404:
                        raise
                    raise ConfigError(f'MountVolume.SetUp failed for volume "{volume["name"]}" : '
                                      f'{kind.lower()} "{source.get(key, "")}" not found') from None
        return found

    # --- the container's status --------------------------------------------------------------------
    def running(self, started: float, ready: bool, restarts: int) -> None:
        """The container runs (since `started`); Ready once the controller's startup and first sync are done."""
        self._container_id = "containerd://" + hashlib.sha256(f"{self.uid}/{restarts}".encode()).hexdigest()
        self._write({"state": {"running": {"startedAt": timestamp(started)}}, "ready": ready, "started": True,
                     "restartCount": restarts, "containerID": self._container_id})

    def crashed(self, message: str, started: float, delay: float, restarts: int, node: str) -> None:
        """The run ended with exit code 1 and `message`; the container waits `delay` seconds of back-off."""
        now = self.kube.clock.now()
        pod = f"{self.name}_{self.namespace}({self.uid})"
        self._write({"state": {"waiting": {"reason": "CrashLoopBackOff", "message": f"back-off {int(delay)}s "
                                           f"restarting failed container={self.container} pod={pod}"}},
                     "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "message": message,
                                                  "startedAt": timestamp(started), "finishedAt": timestamp(now),
                                                  "containerID": self._container_id}},
                     "ready": False, "started": False, "restartCount": restarts})
        self.warn("Failed", message, component=self.container)
        self.warn("BackOff", f"Back-off restarting failed container {self.container} in pod {pod}",
                  component="kubelet", host=node)

    def restarted(self, node: str) -> None:
        """kubelet's events as it starts the container again after the back-off."""
        for reason, message in (("Created", f"Created container: {self.container}"),
                                ("Started", f"Started container {self.container}")):
            self._event(reason, message, "kubelet", node, warning=False)

    def _write(self, container_status: dict) -> None:
        try:
            pod = self.kube.get("pods", self.namespace, self.name)
        except Exception as exc:  # the facade's own error type
            if _code(exc) == 404:
                return
            raise
        if pod["metadata"]["uid"] != self.uid:
            return
        status = pod.get("status") or {}
        statuses = [{**c, **container_status} if c.get("name") == self.container else c
                    for c in status.get("containerStatuses") or []]
        unready = [c["name"] for c in statuses if not c.get("ready")]
        now = timestamp(self.kube.clock.now())
        conditions = [_readiness(c, unready, now) if c.get("type") in ("Ready", "ContainersReady") else c
                      for c in status.get("conditions") or []]
        try:
            self.kube.patch("pods", self.namespace, self.name, "merge",
                            {"status": {"containerStatuses": statuses, "conditions": conditions}},
                            subresource="status", field_manager="kubelet")
        except Exception as exc:  # the facade's own error type
            if _code(exc) != 404:
                raise

    # --- events -----------------------------------------------------------------------------------
    def warn(self, reason: str, message: str, component: str = "", host: str = "") -> None:
        """A Warning Event on the Pod (by default the controller's own, as its log line reads)."""
        self._event(reason, message, component or self.container, host, warning=True)

    def _event(self, reason: str, message: str, component: str, host: str, warning: bool) -> None:
        """A core/v1 Event as client-go's recorder writes it (named <pod>.<hex time>, another on a clash)."""
        now = self.kube.clock.now()
        for _ in range(100):
            event = {"metadata": {"name": f"{self.name}.{int(now * 1e9) + next(self._events):x}"},
                     "involvedObject": {"kind": "Pod", "namespace": self.namespace, "name": self.name, "uid": self.uid,
                                        "apiVersion": "v1", "fieldPath": f"spec.containers{{{self.container}}}"},
                     "reason": reason, "message": message,
                     "source": {"component": component, **({"host": host} if host else {})},
                     "firstTimestamp": timestamp(now), "lastTimestamp": timestamp(now), "count": 1,
                     "type": "Warning" if warning else "Normal", "reportingComponent": component,
                     "reportingInstance": host or f"{component}-acisim"}
            try:
                self.kube.create("events", self.namespace, event, field_manager=component)
                return
            except Exception as exc:  # the facade's own error type
                if _code(exc) == 404:  # the namespace went with the Pod
                    return
                if _code(exc) != 409:
                    raise


def _readiness(condition: dict, unready: list[str], now: str) -> dict:
    """Ready and ContainersReady from the containers' readiness (the transition time kept while it holds)."""
    status = "False" if unready else "True"
    out = {"type": condition["type"], "status": status,
           "lastTransitionTime": condition.get("lastTransitionTime", now) if condition.get("status") == status
           else now}
    if unready:
        out.update(reason="ContainersNotReady", message=f"containers with unready status: [{' '.join(unready)}]")
    return out
