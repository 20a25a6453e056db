"""The lab's Kubernetes API server, as rest.py and the rest of the lab use it: one method per API verb
(get, list, create, replace, patch, delete, watch), discovery, and the lab's own powers (add_node).

Objects are plain dicts in the JSON shape the API serves. Every refusal is a `KubeError` in the real
API server's words. Writes go through one path (`_commit`): the object is checked, stamped and
stored under the store's lock, and its watch event reaches every open watch and the `changes` feed.
Server-side apply keeps each field manager's last applied configuration, so fields a manager stops
applying are removed; conflicts between managers are not detected (field ownership is simplified).
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Iterable, Mapping

from ..clock import LabClock
from . import discovery, errors, nodes, validation
from .errors import KubeError
from .kinds import Kind, KindRegistry
from .model import admission, cluster, objects
from .model.patches import PatchError, json_merge, json_patch, removed_by, strategic_merge
from .model.selectors import SelectorError, field_selector, label_selector
from .model.store import ObjectStore, Subscription, WatchEvent, checked_state

__all__ = ["Kube", "KubeError", "Subscription", "WatchEvent"]

PATCH_TYPES = ("json", "merge", "strategic", "apply")
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")



class Kube:
    def __init__(self, clock: LabClock, token: str | None = None, version: str = "v1.32.4"):
        self.clock = clock
        self.token = token or secrets.token_urlsafe(32)
        self.server_version = version
        self.kinds = KindRegistry.builtin()
        self.store = ObjectStore()
        self.changes = self.store.changes
        self._applied: dict[tuple[str, str, str, str], dict] = {}
        self._boot()

    def _boot(self) -> None:
        """What a new API server holds before anyone writes: the system namespaces, the kubernetes service."""
        for name in SYSTEM_NAMESPACES:
            self.create("namespaces", "", {"metadata": {"name": name}}, field_manager="kube-apiserver")
        self.create("services", "default", {
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                                                          "targetPort": 6443}]}}, field_manager="kube-apiserver")

    # --- who and what ----------------------------------------------------------------------------
    def authenticate(self, authorization: str | None) -> bool:
        scheme, _, credential = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and secrets.compare_digest(credential.strip(), self.token)

    def kind(self, kind_key: str) -> Kind:
        kind = self.kinds.by_key(kind_key)
        if kind is None:
            raise errors.resource_not_found()
        return kind

    def resolve(self, group: str, version: str, plural: str) -> Kind | None:
        return self.kinds.resolve(group, version, plural)

    def version(self) -> dict:
        return discovery.version_info(self.server_version)

    def discovery(self) -> dict[str, dict]:
        """The legacy discovery documents by path: /api, /apis, /api/v1 and each /apis/<group>/<version>."""
        return discovery.documents(self.kinds)

    # --- reads -----------------------------------------------------------------------------------
    def get(self, kind_key: str, namespace: str, name: str, subresource: str = "") -> dict:
        kind = self.kind(kind_key)
        obj = self.store.get(kind.key, namespace if kind.namespaced else "", name)
        if obj is None:
            raise errors.not_found(kind, name)
        return cluster.scale_of(kind, obj) if subresource == "scale" else obj

    def list(self, kind_key: str, namespace: str | None = None, label_selector: str = "",
             field_selector: str = "") -> tuple[list[dict], str]:
        kind = self.kind(kind_key)
        matches = self._matcher(label_selector, field_selector)
        with self.store.lock:
            items = self.store.items(kind.key, namespace if kind.namespaced else None)
            return [o for o in items if matches(o)], self.store.resource_version

    def watch(self, kind_key: str, namespace: str | None, resource_version: str = "", label_selector: str = "",
              field_selector: str = "") -> Subscription:
        """A watch from `resource_version` (empty or "0": every current object as ADDED first)."""
        kind = self.kind(kind_key)
        since = None
        if resource_version not in ("", "0"):
            if not resource_version.isdigit():
                raise errors.bad_request(f'resourceVersion: Invalid value: "{resource_version}": must be an integer')
            since = int(resource_version)
        sub = self.store.watch(kind.key, namespace if kind.namespaced else None, since,
                               self._matcher(label_selector, field_selector))
        if isinstance(sub, int):
            raise errors.gone(resource_version, sub)
        return sub

    @staticmethod
    def _matcher(labels: str, fields: str) -> Callable[[dict], bool]:
        try:
            by_label, by_field = label_selector(labels), field_selector(fields)
        except SelectorError as exc:
            raise errors.bad_request(str(exc)) from None
        return lambda obj: by_label(obj) and by_field(obj)

    # --- writes ----------------------------------------------------------------------------------
    def create(self, kind_key: str, namespace: str, body: object, dry_run: bool = False,
               field_validation: str = "Strict", field_manager: str = "") -> dict:
        kind = self.kind(kind_key)
        namespace = namespace if kind.namespaced else ""
        if kind.namespaced and not namespace:
            raise errors.bad_request("an empty namespace may not be set during creation")
        obj = objects.check_body(kind, body, namespace)
        return self._create(kind, namespace, obj, dry_run, field_validation, field_manager, "Update")

    def _create(self, kind: Kind, namespace: str, obj: dict, dry_run: bool, field_validation: str,
                manager: str, operation: str) -> dict:
        self._validate(kind, obj, field_validation)
        with self.store.transaction():
            name = obj["metadata"]["name"]
            if kind.namespaced and self.store.get("namespaces", "", namespace) is None:
                raise errors.namespace_not_found(namespace)
            if self.store.get(kind.key, namespace, name) is not None:
                raise errors.already_exists(kind, name)
            objects.stamp_new(kind, obj, namespace, self.clock.now())
            if kind.key == "pods":
                admission.admit_pod(self.store, obj)
            objects.record_manager(obj, manager or "unknown", operation, self.clock.now())
            return self._commit(kind, None, obj, dry_run)

    def replace(self, kind_key: str, namespace: str, name: str, body: object, subresource: str = "",
                dry_run: bool = False, field_validation: str = "Strict", field_manager: str = "") -> dict:
        kind = self.kind(kind_key)
        namespace = namespace if kind.namespaced else ""
        if subresource == "scale":
            return self._scale(kind, namespace, name, lambda scale: body, dry_run)
        obj = objects.check_body(kind, body, namespace, name)
        self._validate(kind, obj, field_validation)
        with self.store.transaction():
            old = self._existing(kind, namespace, name)
            sent = obj["metadata"].get("resourceVersion")
            if sent and sent != old["metadata"]["resourceVersion"]:
                raise errors.conflict(kind, name)
            return self._update(kind, old, obj, subresource, dry_run, field_manager, "Update")

    def patch(self, kind_key: str, namespace: str, name: str, patch_type: str, body: object, subresource: str = "",
              field_manager: str = "", force: bool = False, dry_run: bool = False,
              field_validation: str = "Strict") -> dict:
        """Apply one patch (`json`, `merge`, `strategic` or `apply`); an `apply` creates what is missing.
        `force` is accepted and has nothing to override: no apply conflicts are raised."""
        kind = self.kind(kind_key)
        namespace = namespace if kind.namespaced else ""
        if patch_type == "strategic" and kind.custom:
            raise errors.unsupported_media_type(("application/json-patch+json", "application/merge-patch+json",
                                                 "application/apply-patch+yaml"))
        if patch_type == "apply":
            return self._apply(kind, namespace, name, body, subresource, field_manager, dry_run, field_validation)
        if subresource == "scale":
            return self._scale(kind, namespace, name, lambda scale: self._patched(scale, patch_type, body), dry_run)
        with self.store.transaction():
            old = self._existing(kind, namespace, name)
            new = objects.check_body(kind, self._patched(old, patch_type, body), namespace, name)
            if isinstance(body, dict) and (body.get("metadata") or {}).get("resourceVersion") not in (
                    None, old["metadata"]["resourceVersion"]):
                raise errors.conflict(kind, name)
            self._validate(kind, new, field_validation)
            return self._update(kind, old, new, subresource, dry_run, field_manager, "Update")

    def _apply(self, kind: Kind, namespace: str, name: str, body: object, subresource: str, manager: str,
               dry_run: bool, field_validation: str) -> dict:
        if not manager:
            raise errors.invalid_options("fieldManager: Required value: is required for apply patch")
        if not isinstance(body, dict) or not body.get("apiVersion") or not body.get("kind"):
            raise errors.bad_request("error decoding YAML: Object 'Kind' is missing in the applied configuration")
        applied = objects.check_body(kind, body, namespace, name)
        for key in ("resourceVersion", "uid", "creationTimestamp", "managedFields", "generation"):
            applied["metadata"].pop(key, None)
        key = (kind.key, namespace, name, manager)
        with self.store.transaction():
            old = self.store.get(kind.key, namespace, name)
            if old is None:
                created = self._create(kind, namespace, copy.deepcopy(applied), dry_run, field_validation, manager,
                                       "Apply")
                if not dry_run:
                    self._applied[key] = applied
                return created
            merge = json_merge if kind.custom else strategic_merge
            new = removed_by(self._applied.get(key, {}), applied, merge(old, applied))
            self._validate(kind, new, field_validation)
            result = self._update(kind, old, new, subresource, dry_run, manager, "Apply")
            if not dry_run:
                self._applied[key] = applied
            return result

    @staticmethod
    def _patched(old: dict, patch_type: str, body: object) -> dict:
        try:
            if patch_type == "json":
                return json_patch(old, body)
            if not isinstance(body, dict):
                raise errors.bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
            if patch_type == "merge":
                return json_merge(old, body)
            if patch_type == "strategic":
                return strategic_merge(old, body)
        except PatchError as exc:
            raise KubeError(422, "Invalid", str(exc)) from None
        raise errors.unsupported_media_type(PATCH_TYPES)

    def _scale(self, kind: Kind, namespace: str, name: str, change: Callable[[dict], object], dry_run: bool) -> dict:
        if "scale" not in kind.subresources:
            raise errors.resource_not_found()
        with self.store.transaction():
            old = self._existing(kind, namespace, name)
            scale = change(cluster.scale_of(kind, old))
            replicas = (scale.get("spec") or {}).get("replicas") if isinstance(scale, dict) else None
            if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
                raise errors.invalid(Kind("autoscaling", "v1", "Scale", "scale", "scale", True), name, [
                    ("FieldValueInvalid", "spec.replicas", f"Invalid value: {replicas}: must be greater than or "
                                                           "equal to 0")])
            new = copy.deepcopy(old)
            new.setdefault("spec", {})["replicas"] = replicas
            return cluster.scale_of(kind, self._update(kind, old, new, "", dry_run, "", "Update"))

    def _existing(self, kind: Kind, namespace: str, name: str) -> dict:
        old = self.store.get(kind.key, namespace, name)
        if old is None:
            raise errors.not_found(kind, name)
        return old

    def _update(self, kind: Kind, old: dict, new: dict, subresource: str, dry_run: bool, manager: str,
                operation: str) -> dict:
        if subresource == "status":
            status = new.get("status")
            new = copy.deepcopy(old)
            new["status"] = status
            if status is None:
                del new["status"]
        elif "status" in kind.subresources:
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        objects.carry_system(kind, old, new)
        if objects.spec_of(old) == objects.spec_of(new) and old.get("status") == new.get("status") and \
                {k: v for k, v in old["metadata"].items() if k not in ("resourceVersion", "managedFields")} == \
                {k: v for k, v in new["metadata"].items() if k not in ("resourceVersion", "managedFields")}:
            return old  # a no-op write: no new resourceVersion, no event (as the API server skips it)
        objects.record_manager(new, manager, operation, self.clock.now())
        return self._commit(kind, old, new, dry_run)

    def _commit(self, kind: Kind, old: dict | None, obj: dict, dry_run: bool) -> dict:
        """The one write path: kind behaviour, then the store (nothing stored on a dry run)."""
        if kind.key == "services":
            cluster.assign_cluster_ip(self.store, obj)
        if kind.key == "customresourcedefinitions.apiextensions.k8s.io" and (
                old is None or objects.spec_of(old) != objects.spec_of(obj)):
            obj["status"] = cluster.crd_status(obj, self.clock.now())
        if dry_run:
            obj["metadata"]["resourceVersion"] = (old or {}).get("metadata", {}).get("resourceVersion", "")
            return obj
        stored = self.store.put(kind.key, obj, "ADDED" if old is None else "MODIFIED")
        if kind.key == "customresourcedefinitions.apiextensions.k8s.io":
            cluster.serve_crd(self.kinds, stored)
        return stored

    def delete(self, kind_key: str, namespace: str, name: str, dry_run: bool = False,
               preconditions: Mapping | None = None) -> dict:
        """Delete at once (no finalizers, no grace period): a namespace takes its objects with it, a CRD
        its custom resources. The answer is what the API server answers: the object for a namespace
        (Terminating) or a pod, a Status for the rest."""
        kind = self.kind(kind_key)
        namespace = namespace if kind.namespaced else ""
        with self.store.transaction():
            old = self._existing(kind, namespace, name)
            for field, key in (("uid", "uid"), ("resourceVersion", "resourceVersion")):
                wanted = (preconditions or {}).get(field)
                if wanted and wanted != old["metadata"].get(key):
                    raise errors.conflict(kind, name)
            if not dry_run:
                if kind.key == "namespaces":
                    cluster.empty_namespace(self.store, name)
                elif kind.key == "customresourcedefinitions.apiextensions.k8s.io":
                    cluster.drop_crd(self.kinds, self.store, old)
                self.store.remove(kind.key, namespace, name)
                self._applied = {k: v for k, v in self._applied.items() if k[:3] != (kind.key, namespace, name)}
        if kind.key in ("namespaces", "pods"):
            old["metadata"]["deletionTimestamp"] = objects.timestamp(self.clock.now())
            if kind.key == "namespaces":
                old.setdefault("status", {})["phase"] = "Terminating"
            return old
        details = {"name": name, "kind": kind.plural, "uid": old["metadata"]["uid"]}
        if kind.group:
            details["group"] = kind.group
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}

    def _validate(self, kind: Kind, obj: dict, field_validation: str) -> None:
        """Decode the body as the API server does: wrong types are always refused, unknown fields only
        with fieldValidation=Strict (a custom resource against its CRD's schema)."""
        strict = field_validation == "Strict"
        try:
            if kind.custom:
                refusal = validation.check_custom(self._crd_schema(kind), obj, strict)
            else:
                refusal = validation.check((kind.group, kind.version, kind.kind), obj, strict)
        except KeyError:  # a kind the bundled schemas do not describe
            return
        if refusal is not None:
            raise KubeError(refusal.code, refusal.reason, refusal.message)

    def _crd_schema(self, kind: Kind) -> dict:
        crd = self.store.get("customresourcedefinitions.apiextensions.k8s.io", "", kind.key) or {}
        for version in (crd.get("spec") or {}).get("versions") or []:
            if version.get("name") == kind.version:
                return (version.get("schema") or {}).get("openAPIV3Schema") or {}
        return {}

    # --- the lab's powers ------------------------------------------------------------------------
    def add_node(self, name: str, addresses: Mapping[str, str] | Iterable[dict], labels: Mapping[str, str] | None = None,
                 annotations: Mapping[str, str] | None = None) -> dict:
        """A Node as its kubelet registers it (Ready, with its addresses); an existing one is updated."""
        node = nodes.registered_node(name, addresses, labels, annotations, self.clock.now(),
                                     self.server_version)
        with self.store.transaction():
            old = self.store.get("nodes", "", name)
            if old is None:
                return self.create("nodes", "", node, field_manager="kubelet")
            kind = self.kind("nodes")
            updated = self._update(kind, old, json_merge(old, node), "", False, "kubelet", "Update")
            return self._update(kind, updated, json_merge(updated, node), "status", False, "kubelet", "Update")

    def tick(self) -> int:
        """The lab ticks every system; nothing in this API server waits on time (no leases, no grace
        periods: deletions are immediate), so a tick has nothing to settle."""
        return 0

    # --- the durable state and the lab's reset ---------------------------------------------------
    def export_state(self) -> dict:
        """The whole API server as JSON-ready data: its objects (uids and resourceVersions in them), the
        resourceVersion counter, and each field manager's last applied configuration (CRD-defined kinds
        follow from the CRD objects)."""
        with self.store.lock:
            state = self.store.export_state()
            state["applied"] = [[*key, copy.deepcopy(applied)] for key, applied in sorted(self._applied.items())]
        return state

    def import_state(self, data: dict) -> None:
        """Hold what `export_state` gave, all or nothing: ValueError (nothing changed) for data that is
        not such a state. Open watches end and the counter only goes on (see ObjectStore.import_state);
        this publishes no change, as a restore is not a write clients made."""
        resource_version, items = checked_state(data)
        applied = data.get("applied", [])
        if not isinstance(applied, list) or not all(
                isinstance(entry, list) and len(entry) == 5 and all(isinstance(p, str) for p in entry[:4])
                and isinstance(entry[4], dict) for entry in applied):
            raise ValueError("the Kubernetes state's applied configurations are not [kind, namespace, name, "
                             "manager, configuration]")
        kinds = KindRegistry.builtin()
        for kind_key, obj in items:
            if kind_key == "customresourcedefinitions.apiextensions.k8s.io":
                cluster.serve_crd(kinds, obj)
        unknown = sorted({kind_key for kind_key, _ in items if kinds.by_key(kind_key) is None})
        if unknown:
            raise ValueError(f"the Kubernetes state holds objects of unknown kinds: {', '.join(unknown)}")
        with self.store.lock:
            self.store.import_state(resource_version, items)
            self.kinds = kinds
            self._applied = {tuple(entry[:4]): entry[4] for entry in applied}

    def reset(self) -> None:
        """Back to a new API server's objects and built-in kinds, with the same token and the counter going
        on (so no resourceVersion is ever given twice); open watches end, as when an API server restarts."""
        with self.store.transaction():  # one batch, delivered once the lock is released
            self.store.clear()
            self.kinds = KindRegistry.builtin()
            self._applied = {}
            self._boot()

    def close(self) -> None:
        """End every open watch, so streams being served finish (the server is stopping)."""
        self.store.close_watches()
