"""The controller's Kubernetes client: lists and watches of the kinds it mirrors into the APIC.

It reads a kubeconfig (server, CA or insecure-skip-tls-verify, bearer token) and speaks plain HTTPS, so
it runs against the lab's API server and a real one alike. `KubeView` keeps the listed objects, follows
them with watches (from the list's resourceVersion, resumed from the last one seen, listed again when
the server answers 410 Gone) and turns them into the plain view `desired.desired_state` reads.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import requests
import yaml

# resource -> its list path; endpoints are read for the services' members only
RESOURCES = {"nodes": "/api/v1/nodes", "namespaces": "/api/v1/namespaces", "deployments": "/apis/apps/v1/deployments",
             "replicasets": "/apis/apps/v1/replicasets", "pods": "/api/v1/pods", "services": "/api/v1/services",
             "endpoints": "/api/v1/endpoints"}
SERVICE_EP_ANNOTATION = "opflex.cisco.com/service-endpoint"  # a node's service MAC and address (metadata.ServiceEndpoint)
WATCH_SECONDS = 300  # each watch asks the server to end it after this, then resumes from its last resourceVersion


class KubeError(RuntimeError):
    """The Kubernetes API cannot be used or refused a request; the message says why in one line."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


class Gone(KubeError):
    """The watch's resourceVersion is older than the server keeps: list again."""


class KubeClient:
    """Bearer-token HTTPS calls to one API server."""

    def __init__(self, server: str, token: str = "", ca_file: str | None = None, insecure: bool = False):
        self.server = server.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = False if insecure else (ca_file or True)
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"
        self._ca_tmp: str | None = None
        self._open: set[requests.Response] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_kubeconfig(cls, path: Path, context: str | None = None) -> KubeClient:
        """The client of the kubeconfig's current context (or `context`)."""
        try:
            doc = yaml.safe_load(Path(path).read_text())
        except OSError as exc:
            raise KubeError(f"cannot read kubeconfig {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise KubeError(f"kubeconfig {path} is not YAML: {str(exc).splitlines()[0]}") from None
        if not isinstance(doc, dict):
            raise KubeError(f"kubeconfig {path} is not a kubeconfig")
        name = context or doc.get("current-context")
        ctx = _named(doc, "contexts", name, path).get("context", {})
        cluster = _named(doc, "clusters", ctx.get("cluster"), path).get("cluster", {})
        user = _named(doc, "users", ctx.get("user"), path).get("user", {}) if ctx.get("user") else {}
        if not cluster.get("server"):
            raise KubeError(f"kubeconfig {path}: cluster {ctx.get('cluster')!r} has no server")
        token = user.get("token", "")
        if not token and user.get("tokenFile"):
            token = Path(user["tokenFile"]).read_text().strip()
        client = cls(cluster["server"], token, cluster.get("certificate-authority"),
                     bool(cluster.get("insecure-skip-tls-verify")))
        if cluster.get("certificate-authority-data"):
            fd, client._ca_tmp = tempfile.mkstemp(prefix="acisim-ca-", suffix=".crt")
            with os.fdopen(fd, "wb") as out:
                out.write(base64.b64decode(cluster["certificate-authority-data"]))
            client.http.verify = client._ca_tmp
        return client

    def get(self, path: str, **params) -> dict:
        try:
            r = self.http.get(self.server + path, params=params, timeout=60)
        except requests.RequestException as exc:
            raise KubeError(f"cannot reach the Kubernetes API {self.server}: {_reason(exc)}") from None
        if r.status_code != 200:
            raise _refusal("GET", path, r)
        return r.json()

    def patch(self, path: str, body: dict) -> dict:
        """A JSON merge patch (services/<name>/status for the load balancer ingress, a node's annotations)."""
        try:
            r = self.http.patch(self.server + path, data=json.dumps(body), timeout=60,
                                headers={"Content-Type": "application/merge-patch+json"})
        except requests.RequestException as exc:
            raise KubeError(f"cannot reach the Kubernetes API {self.server}: {_reason(exc)}") from None
        if r.status_code != 200:
            raise _refusal("PATCH", path, r)
        return r.json()

    def list(self, resource: str) -> tuple[list[dict], str]:
        """The objects of a resource across namespaces, and the list's resourceVersion."""
        reply = self.get(RESOURCES[resource])
        return reply.get("items") or [], reply.get("metadata", {}).get("resourceVersion", "")

    def watch(self, resource: str, resource_version: str) -> Iterator[dict]:
        """The watch events after `resource_version` until the server ends the stream (or `interrupt`)."""
        try:
            r = self.http.get(self.server + RESOURCES[resource], stream=True, timeout=(30, WATCH_SECONDS + 30),
                              params={"watch": "1", "resourceVersion": resource_version,
                                      "allowWatchBookmarks": "true", "timeoutSeconds": str(WATCH_SECONDS)})
        except requests.RequestException as exc:
            raise KubeError(f"cannot watch {resource}: {_reason(exc)}") from None
        if r.status_code == 410:
            r.close()
            raise Gone(f"watch {resource}: 410 Gone", 410)
        if r.status_code != 200:
            raise _refusal("GET", RESOURCES[resource], r)
        with self._lock:
            self._open.add(r)
        try:
            for line in r.iter_lines():
                if line:
                    event = json.loads(line)
                    if event.get("type") == "ERROR":
                        status = event.get("object", {})
                        if status.get("code") == 410:
                            raise Gone(f"watch {resource}: {status.get('message', '410 Gone')}", 410)
                        raise KubeError(f"watch {resource}: {status.get('message', 'error')}", status.get("code", 0))
                    yield event
        except (requests.RequestException, OSError, ValueError):
            return  # the stream broke (or `interrupt` cut it): the caller resumes or stops
        finally:
            with self._lock:
                self._open.discard(r)
            r.close()

    def interrupt(self) -> None:
        """Cut every open watch stream now (a blocked read returns), as a stop must."""
        with self._lock:
            streams = list(self._open)
        for r in streams:
            sock = _stream_socket(r)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.interrupt()
        self.http.close()
        if self._ca_tmp:
            os.unlink(self._ca_tmp)
            self._ca_tmp = None


def _stream_socket(r: requests.Response) -> socket.socket | None:
    """The socket under a streamed response: the connection's, or (once http.client handed it to the
    response of a stream that ends with its connection) the one under the response's file."""
    sock = getattr(getattr(r.raw, "_connection", None), "sock", None)
    if sock is None:
        sock = getattr(getattr(getattr(getattr(r.raw, "_fp", None), "fp", None), "raw", None), "_sock", None)
    return sock


def _named(doc: dict, section: str, name: str | None, path: Path) -> dict:
    for entry in doc.get(section) or []:
        if entry.get("name") == name:
            return entry
    raise KubeError(f"kubeconfig {path}: no {section[:-1]} named {name!r}")


def _reason(exc: Exception) -> str:
    return str(exc.args[0] if exc.args else exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__


def _refusal(method: str, path: str, r: requests.Response) -> KubeError:
    try:
        message = r.json().get("message", "")
    except ValueError:
        message = ""
    return KubeError(f"Kubernetes {method} {path}: {r.status_code} {message or r.reason}", r.status_code)


def _key(obj: dict) -> tuple[str, str]:
    meta = obj.get("metadata", {})
    return meta.get("namespace", ""), meta.get("name", "")


class KubeView:
    """The listed objects, kept current by watches; `view()` is what the controller syncs to."""

    def __init__(self, client: KubeClient, on_change: Callable[[], None] = lambda: None,
                 on_error: Callable[[Exception], None] = lambda exc: None):
        self.client = client
        self.on_change = on_change
        self.on_error = on_error
        self.objects: dict[str, dict[tuple[str, str], dict]] = {r: {} for r in RESOURCES}
        self.versions: dict[str, str] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def load(self) -> None:
        """List every resource (KubeError when the API server cannot be used)."""
        for resource in RESOURCES:
            self._relist(resource)

    def _relist(self, resource: str) -> None:
        items, version = self.client.list(resource)
        with self.lock:
            self.objects[resource] = {_key(o): o for o in items}
            self.versions[resource] = version

    def start_watches(self) -> None:
        for resource in RESOURCES:
            thread = threading.Thread(target=self._follow, args=(resource,), name=f"cni-watch-{resource}", daemon=True)
            self.threads.append(thread)
            thread.start()

    def _follow(self, resource: str) -> None:
        """Watch one resource until stopped: resume from the last resourceVersion, list again on 410."""
        while not self.stopping.is_set():
            try:
                for event in self.client.watch(resource, self.versions[resource]):
                    if self.stopping.is_set():
                        return
                    self._apply(resource, event)
            except Gone:
                try:
                    self._relist(resource)
                except KubeError as exc:
                    self.on_error(exc)
                    self.stopping.wait(5)  # bounds the retry; a stop ends it at once
                    continue
                self.on_change()
            except KubeError as exc:
                self.on_error(exc)
                self.stopping.wait(5)

    def _apply(self, resource: str, event: dict) -> None:
        obj = event.get("object") or {}
        version = obj.get("metadata", {}).get("resourceVersion")
        with self.lock:
            if version:
                self.versions[resource] = version
            if event.get("type") == "BOOKMARK":
                return
            if event.get("type") == "DELETED":
                self.objects[resource].pop(_key(obj), None)
            else:
                self.objects[resource][_key(obj)] = obj
        self.on_change()

    def stop(self) -> None:
        """End every watch; no thread is left."""
        self.stopping.set()
        self.client.interrupt()
        for thread in self.threads:
            while thread.is_alive():
                self.client.interrupt()
                thread.join(1)
        self.threads.clear()

    def view(self) -> dict:
        """The controller's view of the cluster now (see desired.desired_state)."""
        with self.lock:
            objects = {r: [o for _, o in sorted(found.items())] for r, found in self.objects.items()}
        return to_view(objects)


def to_view(objects: dict[str, list[dict]]) -> dict:
    """Plain data from Kubernetes objects: nodes, namespaces, deployments, replica sets, pods, services."""
    endpoints = {_key(e): e for e in objects.get("endpoints", [])}
    return {
        "nodes": [_node(n) for n in objects.get("nodes", [])],
        "namespaces": [{"name": ns["metadata"]["name"]} for ns in objects.get("namespaces", [])],
        "deployments": [{**_named_obj(d), "replicas": (d.get("spec") or {}).get("replicas", 1)}
                        for d in objects.get("deployments", [])],
        "replicasets": [{**_named_obj(rs), "deployment": _owner(rs, "Deployment")}
                        for rs in objects.get("replicasets", [])],
        "pods": [{**_named_obj(p), "node": (p.get("spec") or {}).get("nodeName", ""), "replicaset": _owner(p, "ReplicaSet")}
                 for p in objects.get("pods", [])],
        "services": [_service(s, endpoints.get(_key(s))) for s in objects.get("services", [])],
    }


def _named_obj(obj: dict) -> dict:
    meta = obj["metadata"]
    return {"namespace": meta.get("namespace", ""), "name": meta["name"], "uid": meta.get("uid", "")}


def _owner(obj: dict, kind: str) -> str:
    return next((ref.get("name", "") for ref in obj["metadata"].get("ownerReferences") or [] if ref.get("kind") == kind), "")


def _node(node: dict) -> dict:
    status = node.get("status") or {}
    info = status.get("nodeInfo") or {}
    addresses = status.get("addresses") or []
    internal = next((a.get("address", "") for a in addresses if a.get("type") == "InternalIP"), "")
    try:
        endpoint = json.loads((node["metadata"].get("annotations") or {}).get(SERVICE_EP_ANNOTATION, "{}"))
    except ValueError:  # the controller writes it again, as the real one does with an unparsable value
        endpoint = {}
    return {"name": node["metadata"]["name"], "internalIP": internal, "os": info.get("osImage", ""),
            "kernel": info.get("kernelVersion", ""),
            "addresses": sorted({a["address"] for a in addresses
                                 if a.get("address") and a.get("type") in ("InternalIP", "ExternalIP")}),
            "serviceEndpoint": endpoint if isinstance(endpoint, dict) else {}}


def _service(svc: dict, endpoints: dict | None) -> dict:
    """`loadBalancerIP` is the one the spec asks for; `ingress` the addresses its status holds; `endpointNodes`
    the nodes of its ready endpoints (where the redirect policy sends the service's traffic)."""
    spec = svc.get("spec") or {}
    status = svc.get("status") or {}
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    ready = [addr for subset in (endpoints or {}).get("subsets") or [] for addr in subset.get("addresses") or []]
    members = sorted({addr["targetRef"]["name"] for addr in ready if (addr.get("targetRef") or {}).get("kind") == "Pod"})
    return {**_named_obj(svc), "type": spec.get("type", "ClusterIP"), "clusterIP": spec.get("clusterIP", ""),
            "loadBalancerIP": spec.get("loadBalancerIP") or "",
            "ingress": [i["ip"] for i in ingress if i.get("ip")],
            "conditions": status.get("conditions") or [],
            "endpointNodes": sorted({addr["nodeName"] for addr in ready if addr.get("nodeName")}),
            "ports": [{"port": p["port"], "protocol": p.get("protocol", "TCP"), "targetPort": p.get("targetPort", p["port"]),
                       "nodePort": p.get("nodePort", 0)} for p in spec.get("ports") or []],
            "endpoints": members}
