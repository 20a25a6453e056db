"""What every control-plane worker of the lab shares: reading objects through the facade, writing
statuses and conditions as the real controllers do (a condition keeps its transition time while it
holds), recording Events as client-go's event recorder names them, and the small object helpers
(owner references, readiness, the generated-name alphabet) the controllers, the scheduler, the kubelets
and the endpoints controllers all need.

Stand-ins, where the real value comes from what the lab does not have: the pod-template-hash is
FNV-32a (as Kubernetes) over the template's canonical JSON rather than over Go's spew dump of the typed
struct, encoded as Kubernetes encodes it (rand.SafeEncodeString); generated name suffixes are five
characters of Kubernetes' alphabet taken from a digest of the owner and a counter (deterministic, so
runs compare).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator

from .model.objects import timestamp
from .service import Kube

ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand: no vowels, no 0, 1, 3
APPS = ("Deployment", "ReplicaSet", "DaemonSet")


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


def ready(obj: dict, kind: str = "Ready") -> bool:
    return any(c.get("type") == kind and c.get("status") == "True"
               for c in (obj.get("status") or {}).get("conditions") or [])


def owner_ref(kind: str, obj: dict) -> dict:
    return {"apiVersion": "apps/v1" if kind != "Service" else "v1", "kind": kind, "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def owned(items: list[dict], owner: dict) -> list[dict]:
    uid = owner["metadata"]["uid"]
    return [o for o in items if any(r.get("uid") == uid and r.get("controller")
                                    for r in o["metadata"].get("ownerReferences") or [])]


class Worker:
    """One control-plane component acting through the facade's verbs; workers of one cluster share the
    event counter, so the Events they record never share a name."""

    def __init__(self, kube: Kube, events: Iterator[int] | None = None):
        self.kube = kube
        self.events = events if events is not None else itertools.count(1)

    def _items(self, kind: str, namespace: str | None = None) -> list[dict]:
        return self.kube.list(kind, namespace)[0]

    def _now(self) -> str:
        return timestamp(self.kube.clock.now())

    def _event(self, obj: dict, kind: str, reason: str, message: str, component: str, host: str = "",
               field_path: str = "", warning: bool = False, action: str = "") -> None:
        """A core/v1 Event as the component's event recorder writes it (named <object>.<hex time>)."""
        meta = obj["metadata"]
        involved = {"kind": kind, "namespace": meta.get("namespace", ""), "name": meta["name"], "uid": meta["uid"],
                    "apiVersion": "apps/v1" if kind in APPS else "v1",
                    "resourceVersion": meta.get("resourceVersion", "")}
        if field_path:
            involved["fieldPath"] = field_path
        event = {"metadata": {"name": f"{meta['name']}.{int(self.kube.clock.now() * 1e9) + next(self.events):x}"},
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
