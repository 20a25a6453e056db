"""What the API server does to an object besides storing it: name rules, system metadata (uid,
creationTimestamp, generation, managedFields) and the defaults a few kinds get, held as data.

Defaults matter for what clients read back (`kubectl scale` needs spec.replicas, a Service its
clusterIP); fields a client never sent never show up in a client-side apply's patch, so the second
`kubectl apply` of a manifest still finds everything unchanged.
"""

from __future__ import annotations

import copy
import random
import re
import uuid
from datetime import UTC, datetime

from .. import errors
from ..kinds import Kind

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

NAME_RULES = {
    "label": (_LABEL, 63, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
              "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
              "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
    "dns1035": (_DNS1035, 63, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
                "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex "
                "used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"),
    "subdomain": (_SUBDOMAIN, 253, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                  "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
}

# Defaults by kind key: (path, value) set where the client left the field out.
DEFAULTS: dict[str, tuple[tuple[tuple[str, ...], object], ...]] = {
    "deployments.apps": (
        (("spec", "replicas"), 1), (("spec", "revisionHistoryLimit"), 10), (("spec", "progressDeadlineSeconds"), 600),
        (("spec", "strategy"), {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
    ),
    "daemonsets.apps": (
        (("spec", "revisionHistoryLimit"), 10),
        (("spec", "updateStrategy"), {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
    ),
    "replicasets.apps": ((("spec", "replicas"), 1),),
    "services": ((("spec", "type"), "ClusterIP"), (("spec", "sessionAffinity"), "None")),
    "namespaces": ((("spec", "finalizers"), ["kubernetes"]), (("status", "phase"), "Active")),
    "pods": ((("status", "phase"), "Pending"),),
    "secrets": ((("type",), "Opaque"),),  # SetDefaults_Secret
}


# Where a kind holds a PodSpec: SetDefaults_PodSpec and SetDefaults_Container (pkg/apis/core/v1/defaults.go)
# default every one of them, a Pod's and a workload's pod template's alike.
POD_SPECS = {"pods": ("spec",), "deployments.apps": ("spec", "template", "spec"),
             "replicasets.apps": ("spec", "template", "spec"), "daemonsets.apps": ("spec", "template", "spec")}
POD_SPEC_DEFAULTS = (("dnsPolicy", "ClusterFirst"), ("restartPolicy", "Always"), ("securityContext", {}),
                     ("terminationGracePeriodSeconds", 30), ("schedulerName", "default-scheduler"))
# `resources` is no default but a non-pointer struct of the Go type: it always marshals, as {} when empty.
CONTAINER_DEFAULTS = (("terminationMessagePath", "/dev/termination-log"), ("terminationMessagePolicy", "File"),
                      ("resources", {}))


def pull_policy(image: str) -> str:
    """SetDefaults_Container's imagePullPolicy: Always for the latest tag (named or implied), else IfNotPresent."""
    last = image.rsplit("/", 1)[-1]
    return "Always" if "@" not in last and (":" not in last or last.endswith(":latest")) else "IfNotPresent"


def default_pod_spec(spec: dict, pod: bool) -> None:
    """The PodSpec and container defaults; SetDefaults_Pod's enableServiceLinks for a Pod's own spec; and the
    deprecated serviceAccount the v1 conversion always mirrors from serviceAccountName."""
    for key, value in POD_SPEC_DEFAULTS:
        spec.setdefault(key, copy.deepcopy(value))
    if pod:
        spec.setdefault("enableServiceLinks", True)
    if spec.get("serviceAccountName") or spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"] = spec.get("serviceAccountName") or spec["serviceAccount"]
    for field in ("initContainers", "containers"):
        for container in spec.get(field) or []:
            if isinstance(container, dict):
                container.setdefault("imagePullPolicy", pull_policy(str(container.get("image", ""))))
                for key, value in CONTAINER_DEFAULTS:
                    container.setdefault(key, copy.deepcopy(value))


def timestamp(t: float) -> str:
    """RFC 3339 at second precision, as metav1.Time marshals."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def name_errors(kind: Kind, name: str) -> list[tuple[str, str, str]]:
    if kind.names == "segment" or kind.kind == "CustomResourceDefinition":
        bad = next((p for p in ("/", "%") if p in name), None) or ("" if name not in (".", "..") else name)
        if bad:
            return [("FieldValueInvalid", "metadata.name", f'Invalid value: "{name}": may not contain \'{bad}\'')]
        return []
    pattern, limit, text = NAME_RULES[kind.names]
    out = []
    if len(name) > limit:
        out.append(("FieldValueInvalid", "metadata.name",
                    f'Invalid value: "{name}": must be no more than {limit} characters'))
    if not pattern.match(name):
        out.append(("FieldValueInvalid", "metadata.name", f'Invalid value: "{name}": {text}'))
    return out


def generate_name(prefix: str) -> str:
    return prefix + "".join(random.choices("bcdfghjklmnpqrstvwxz2456789", k=5))


def spec_of(obj: dict) -> dict:
    """Everything but metadata and status: what a generation counts changes of."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def fieldset(value: object) -> dict:
    """A FieldsV1 set naming the fields of `value` (maps by key; lists and scalars as leaves)."""
    if not isinstance(value, dict):
        return {}
    return {f"f:{k}": fieldset(v) for k, v in value.items()}


_SYSTEM = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink",
           "deletionTimestamp", "deletionGracePeriodSeconds")


def managed_entry(obj: dict, manager: str, operation: str, now: float) -> dict:
    fields = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    meta = {k: v for k, v in (fields.get("metadata") or {}).items() if k not in _SYSTEM + ("name", "namespace")}
    fields["metadata"] = meta
    return {"manager": manager, "operation": operation, "apiVersion": obj.get("apiVersion", ""),
            "time": timestamp(now), "fieldsType": "FieldsV1",
            "fieldsV1": {k: v for k, v in fieldset(fields).items() if v or k != "f:metadata"}}


def record_manager(obj: dict, manager: str, operation: str, now: float) -> None:
    """One managedFields entry per (manager, operation), rewritten by each of its writes."""
    if not manager:
        return
    meta = obj["metadata"]
    entries = [e for e in meta.get("managedFields") or [] if (e.get("manager"), e.get("operation")) != (manager, operation)]
    entries.append(managed_entry(obj, manager, operation, now))
    meta["managedFields"] = entries


def apply_defaults(kind: Kind, obj: dict) -> None:
    for path, value in DEFAULTS.get(kind.key, ()):
        node = obj
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node.setdefault(path[-1], copy.deepcopy(value))
    spec: object = obj
    for part in POD_SPECS.get(kind.key, ("-",)):
        spec = spec.get(part) if isinstance(spec, dict) else None
    if isinstance(spec, dict):
        default_pod_spec(spec, kind.key == "pods")


def stamp_new(kind: Kind, obj: dict, namespace: str, now: float) -> None:
    """The system metadata of a created object."""
    meta = obj["metadata"]
    if kind.namespaced:
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    for key in _SYSTEM:
        meta.pop(key, None)
    meta["uid"] = str(uuid.uuid4())
    meta["creationTimestamp"] = timestamp(now)
    if kind.generation:
        meta["generation"] = 1
    if kind.key == "namespaces":
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    apply_defaults(kind, obj)


def carry_system(kind: Kind, old: dict, new: dict) -> None:
    """An update keeps what only the server sets (uid, creation time) and counts spec changes."""
    meta, old_meta = new.setdefault("metadata", {}), old["metadata"]
    for key in ("uid", "creationTimestamp", "namespace", "name", "deletionTimestamp"):
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    meta.setdefault("managedFields", old_meta.get("managedFields", []))
    if not meta["managedFields"]:
        del meta["managedFields"]
    if kind.generation:
        changed = spec_of(old) != spec_of(new)
        meta["generation"] = old_meta.get("generation", 1) + (1 if changed else 0)
    else:
        meta.pop("generation", None)
    if kind.key == "namespaces":
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    apply_defaults(kind, new)


def without_nulls(value: object) -> object:
    """A null field is no field: decoding into the API's Go types leaves it out (`annotations:` with
    nothing after it in a manifest), so it is never stored and never differs on a second apply."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def check_body(kind: Kind, body: object, namespace: str, name: str | None = None) -> dict:
    """The request body as an object of `kind` (apiVersion and kind filled in when left out)."""
    if not isinstance(body, dict):
        raise errors.bad_request(f"json: cannot unmarshal {type(body).__name__} into Go value of type struct")
    obj = without_nulls(body)
    if obj.get("apiVersion") and obj["apiVersion"] != kind.api_version:
        raise errors.bad_request(f"the API version in the data ({obj['apiVersion']}) does not match the expected API "
                                 f"version ({kind.api_version})")
    if obj.get("kind") and obj["kind"] != kind.kind:
        raise errors.bad_request(f"the kind in the data ({obj['kind']}) does not match the expected kind ({kind.kind})")
    obj["apiVersion"], obj["kind"] = kind.api_version, kind.kind
    meta = obj.get("metadata")
    if meta is None:
        meta = obj["metadata"] = {}
    if not isinstance(meta, dict):
        raise errors.bad_request("json: cannot unmarshal into Go struct field Object.metadata of type v1.ObjectMeta")
    if kind.namespaced and meta.get("namespace") and meta["namespace"] != namespace:
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
    if name is not None and meta.get("name") and meta["name"] != name:
        raise errors.bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
    if name is not None and not meta.get("name"):
        meta["name"] = name
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = generate_name(meta["generateName"])
    if not meta.get("name"):
        raise errors.invalid(kind, "", [("FieldValueRequired", "metadata.name",
                                         "Required value: name or generateName is required")])
    causes = name_errors(kind, meta["name"])
    if causes:
        raise errors.invalid(kind, meta["name"], causes)
    return obj
