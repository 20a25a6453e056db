"""Server-side printing: the meta.k8s.io Table the API server answers when kubectl asks for one, with the
columns and cell values of the real server's printers (pkg/printers/internalversion), so `kubectl get`
shows STATUS, READY, VERSION... and not only NAME and AGE.

As on the real server every column is sent (wide ones carry priority 1 and kubectl shows them only with
`-o wide`), AGE is a cell the server computes from its own clock, a kind with no printer gets the
default convertor's NAME and CREATED AT (RFC 3339), and a custom resource its CRD's
additionalPrinterColumns (AGE when it declares none). Printers are data: a kind's columns and one
function from an object to its cells.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .kinds import Kind

NAME_DOC = ("Name must be unique within a namespace. Is required when creating resources, although some "
            "resources may allow a client to request the generation of an appropriate name automatically. Name "
            "is primarily intended for creation idempotence and configuration definition. Cannot be updated. "
            "More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
CREATED_DOC = ("CreationTimestamp is a timestamp representing the server time when this object was created. It "
               "is not guaranteed to be set in happens-before order across separate operations. Clients may not "
               "set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
               "Read-only. Null for lists. More info: "
               "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
NONE = "<none>"


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    priority: int = 0
    description: str = ""
    format: str = ""

    def definition(self) -> dict:
        return {"name": self.name, "type": self.type, "format": self.format, "description": self.description,
                "priority": self.priority}


NAME = Column("Name", format="name", description=NAME_DOC)
AGE = Column("Age", description=CREATED_DOC)
Cells = Callable[[dict, float], list]


@dataclass(frozen=True)
class Printer:
    columns: tuple[Column, ...]
    cells: Cells


# --- the real printers' helpers ------------------------------------------------------------------
def human_duration(seconds: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration: how kubectl has always shown an age."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y{days}d" if days else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def _since(stamp: str | None, now: float) -> str:
    if not stamp:
        return "<unknown>"
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    return human_duration(now - when)


def _age(obj: dict, now: float) -> str:
    return _since(obj["metadata"].get("creationTimestamp"), now)


def _labels(labels: dict | None) -> str:
    """labels.FormatLabels: sorted k=v pairs, `<none>` when there are none."""
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items())) or NONE


def _selector(selector: dict | None) -> str:
    """metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key."""
    selector = selector or {}
    reqs = [(k, f"{k}={v}") for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key", ""), expr.get("operator", ""), sorted(expr.get("values") or [])
        text = {"In": f"{key} in ({','.join(values)})", "NotIn": f"{key} notin ({','.join(values)})",
                "Exists": key, "DoesNotExist": f"!{key}"}.get(op, key)
        reqs.append((key, text))
    return ",".join(text for _, text in sorted(reqs)) or NONE


def _template_spec(obj: dict) -> dict:
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def _containers(obj: dict) -> list:
    containers = _template_spec(obj).get("containers") or []
    return [",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)]


def _status(obj: dict) -> dict:
    return obj.get("status") or {}


# --- cells per kind ------------------------------------------------------------------------------
def _node(obj: dict, now: float) -> list:
    ready = [c for c in _status(obj).get("conditions") or [] if c.get("type") == "Ready"]
    status = ["Ready" if ready[0].get("status") == "True" else "NotReady"] if ready else ["Unknown"]
    if (obj.get("spec") or {}).get("unschedulable"):
        status.append("SchedulingDisabled")
    labels = obj["metadata"].get("labels") or {}
    roles = {k.removeprefix("node-role.kubernetes.io/") for k in labels
             if k.startswith("node-role.kubernetes.io/") and k != "node-role.kubernetes.io/"}
    if labels.get("kubernetes.io/role"):
        roles.add(labels["kubernetes.io/role"])
    info = _status(obj).get("nodeInfo") or {}
    addresses = _status(obj).get("addresses") or []

    def address(kind: str) -> str:
        return next((a.get("address", "") for a in addresses if a.get("type") == kind), NONE)

    return [obj["metadata"]["name"], ",".join(status), ",".join(sorted(roles)) or NONE, _age(obj, now),
            info.get("kubeletVersion", ""), address("InternalIP"), address("ExternalIP"),
            info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


def _pod(obj: dict, now: float) -> list:
    status, spec = _status(obj), obj.get("spec") or {}
    statuses = status.get("containerStatuses") or []
    reason = status.get("reason") or status.get("phase") or "Pending"
    restarts = 0
    for container in statuses:
        restarts += int(container.get("restartCount") or 0)
        state = container.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            reason = state["terminated"]["reason"]
    if obj["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    gates = spec.get("readinessGates") or []
    true_conditions = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
    gates_cell = f"{sum(g.get('conditionType') in true_conditions for g in gates)}/{len(gates)}" if gates else NONE
    ready = sum(bool(c.get("ready")) for c in statuses)
    return [obj["metadata"]["name"], f"{ready}/{len(spec.get('containers') or [])}", reason, str(restarts),
            _age(obj, now), status.get("podIP") or NONE, spec.get("nodeName") or NONE,
            status.get("nominatedNodeName") or NONE, gates_cell]


def _service(obj: dict, now: float) -> list:
    spec = obj.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    external = ",".join(spec.get("externalIPs") or [])
    if kind == "LoadBalancer":
        ingress = [i.get("ip") or i.get("hostname") or "" for i in
                   (_status(obj).get("loadBalancer") or {}).get("ingress") or []]
        external = ",".join([*filter(None, ingress), *(spec.get("externalIPs") or [])]) or "<pending>"
    elif kind == "ExternalName":
        external = spec.get("externalName", "")
    ports = ",".join(f"{p.get('port')}:{p['nodePort']}/{p.get('protocol', 'TCP')}" if p.get("nodePort")
                     else f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or [])
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [obj["metadata"]["name"], kind, cluster_ips[0] if cluster_ips else NONE, external or NONE,
            ports or NONE, _age(obj, now), _labels(spec.get("selector"))]


def _deployment(obj: dict, now: float) -> list:
    status = _status(obj)
    return [obj["metadata"]["name"], f"{status.get('readyReplicas', 0)}/{(obj.get('spec') or {}).get('replicas', 0)}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0), _age(obj, now), *_containers(obj),
            _selector((obj.get("spec") or {}).get("selector"))]


def _replicaset(obj: dict, now: float) -> list:
    status = _status(obj)
    return [obj["metadata"]["name"], (obj.get("spec") or {}).get("replicas", 0), status.get("replicas", 0),
            status.get("readyReplicas", 0), _age(obj, now), *_containers(obj),
            _selector((obj.get("spec") or {}).get("selector"))]


def _daemonset(obj: dict, now: float) -> list:
    status = _status(obj)
    counts = [status.get(f, 0) for f in ("desiredNumberScheduled", "currentNumberScheduled", "numberReady",
                                         "updatedNumberScheduled", "numberAvailable")]
    return [obj["metadata"]["name"], *counts, _labels(_template_spec(obj).get("nodeSelector")), _age(obj, now),
            *_containers(obj), _selector((obj.get("spec") or {}).get("selector"))]


def _binding(obj: dict, now: float) -> list:
    ref = obj.get("roleRef") or {}
    subjects = obj.get("subjects") or []

    def named(kind: str) -> str:
        return ", ".join(f"{s.get('namespace', '')}/{s.get('name', '')}" if kind == "ServiceAccount"
                         else s.get("name", "") for s in subjects if s.get("kind") == kind)

    return [obj["metadata"]["name"], f"{ref.get('kind', '')}/{ref.get('name', '')}", _age(obj, now),
            named("User"), named("Group"), named("ServiceAccount")]


def _event(obj: dict, now: float) -> list:
    """printEvent: LAST SEEN falls back to FIRST SEEN and that to eventTime; OBJECT is kind/name in lower
    case; SOURCE the component and host, or the reporting controller and instance where those are empty."""
    first = _since(obj.get("firstTimestamp") or _second(obj.get("eventTime")), now)
    last = _since(obj["lastTimestamp"], now) if obj.get("lastTimestamp") else first
    count = obj.get("count") or 1
    if obj.get("series"):
        last, count = _since(_second(obj["series"].get("lastObservedTime")), now), obj["series"].get("count", 0)
    involved, source = obj.get("involvedObject") or {}, obj.get("source") or {}
    target = involved.get("kind", "").lower() + (f"/{involved['name']}" if involved.get("name") else "")
    component = source.get("component") or obj.get("reportingComponent", "")
    instance = source.get("host") or obj.get("reportingInstance", "")
    return [last, obj.get("type", ""), obj.get("reason", ""), target, involved.get("fieldPath", ""),
            f"{component}, {instance}" if instance else component, (obj.get("message") or "").strip(), first,
            count, obj["metadata"]["name"]]


def _second(micro: str | None) -> str | None:
    """A MicroTime (2025-01-01T00:00:00.123456Z) at the second precision the ages are counted in."""
    return micro.split(".")[0].rstrip("Z") + "Z" if micro else None


def _simple(*cells: Callable[[dict], object]) -> Cells:
    """A printer whose cells are NAME, the given ones, then AGE."""
    return lambda obj, now: [obj["metadata"]["name"], *(cell(obj) for cell in cells), _age(obj, now)]


def _template_columns(selector_doc: str) -> tuple[Column, ...]:
    return (Column("Containers", priority=1, description="Names of each container in the template."),
            Column("Images", priority=1, description="Images referenced by each container in the template."),
            Column("Selector", priority=1, description=selector_doc))


_BINDING = Printer((NAME, Column("Role"), AGE, Column("Users", priority=1), Column("Groups", priority=1),
                    Column("ServiceAccounts", priority=1)), _binding)

PRINTERS: dict[str, Printer] = {
    "nodes": Printer((NAME, Column("Status", description="The status of the node"),
                      Column("Roles", description="The roles of the node"), AGE, Column("Version"),
                      Column("Internal-IP", priority=1), Column("External-IP", priority=1),
                      Column("OS-Image", priority=1), Column("Kernel-Version", priority=1),
                      Column("Container-Runtime", priority=1)), _node),
    "pods": Printer((NAME, Column("Ready"), Column("Status"), Column("Restarts"), AGE, Column("IP", priority=1),
                     Column("Node", priority=1), Column("Nominated Node", priority=1),
                     Column("Readiness Gates", priority=1)), _pod),
    "namespaces": Printer((NAME, Column("Status", description="The status of the namespace"), AGE),
                          _simple(lambda o: _status(o).get("phase", ""))),
    "services": Printer((NAME, Column("Type"), Column("Cluster-IP"), Column("External-IP"), Column("Port(s)"), AGE,
                         Column("Selector", priority=1)), _service),
    "configmaps": Printer((NAME, Column("Data"), AGE),
                          _simple(lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}))),
    "secrets": Printer((NAME, Column("Type"), Column("Data"), AGE),
                       _simple(lambda o: o.get("type", ""), lambda o: len(o.get("data") or {}))),
    "serviceaccounts": Printer((NAME, Column("Secrets"), AGE), _simple(lambda o: len(o.get("secrets") or []))),
    "deployments.apps": Printer((NAME, Column("Ready"), Column("Up-to-date"), Column("Available"), AGE,
                                 *_template_columns("Label selector for pods.")), _deployment),
    "replicasets.apps": Printer((NAME, Column("Desired", "integer"), Column("Current", "integer"),
                                 Column("Ready", "integer"), AGE, *_template_columns("Label selector for pods.")),
                                _replicaset),
    "daemonsets.apps": Printer((NAME, Column("Desired", "integer"), Column("Current", "integer"),
                                Column("Ready", "integer"), Column("Up-to-date", "integer"),
                                Column("Available", "integer"), Column("Node Selector"), AGE,
                                *_template_columns("A label query over pods that are managed by the daemon set.")),
                               _daemonset),
    "rolebindings.rbac.authorization.k8s.io": _BINDING,
    "clusterrolebindings.rbac.authorization.k8s.io": _BINDING,
    "events": Printer((Column("Last Seen"), Column("Type"), Column("Reason"), Column("Object"),
                       Column("Subobject", priority=1), Column("Source", priority=1), Column("Message"),
                       Column("First Seen", priority=1), Column("Count", priority=1), Column("Name", priority=1)),
                      _event),
    "priorityclasses.scheduling.k8s.io": Printer(
        (NAME, Column("Value", "integer"), Column("Global-Default", "boolean"), AGE),
        _simple(lambda o: o.get("value", 0), lambda o: bool(o.get("globalDefault")))),
}

# The default table convertor (k8s.io/apiserver/pkg/registry/rest): NAME and CREATED AT as RFC 3339.
DEFAULT = Printer((NAME, Column("Created At", "date", description=CREATED_DOC)),
                  lambda obj, now: [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp")])


# --- custom resources: the CRD's additionalPrinterColumns ----------------------------------------
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\?\(@\.([\w.]+)\s*==\s*['\"]([^'\"]*)['\"]\)\]")


def _json_path(obj: object, path: str) -> object:
    """The simple JSONPath CRD printer columns allow (fields, indexes, one equality filter)."""
    value = obj
    for field, index, key, wanted in _STEP.findall(path):
        if field:
            value = value.get(field) if isinstance(value, dict) else None
        elif index:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
        else:
            value = next((v for v in value if isinstance(v, dict) and _json_path(v, "." + key) == wanted), None) \
                if isinstance(value, list) else None
        if value is None:
            return None
    return value


def _custom_cell(kind: str, value: object, now: float) -> object:
    if value is None:
        return None
    if kind == "date":
        return _since(value, now) if isinstance(value, str) else None
    if kind == "string":
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return value


def custom_printer(crd: dict | None, version: str) -> Printer:
    """The printer the CRD handler builds: NAME, then the version's additionalPrinterColumns (AGE, from
    metadata.creationTimestamp, when there are none)."""
    served = next((v for v in ((crd or {}).get("spec") or {}).get("versions") or [] if v.get("name") == version), {})
    declared = served.get("additionalPrinterColumns") or [
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
    columns = (NAME, *(Column(c.get("name", ""), c.get("type", "string"), int(c.get("priority") or 0),
                              c.get("description", ""), c.get("format", "")) for c in declared))

    def cells(obj: dict, now: float) -> list:
        return [obj["metadata"]["name"], *(_custom_cell(c.get("type", "string"), _json_path(obj, c.get("jsonPath", "")),
                                                        now) for c in declared)]

    return Printer(columns, cells)


def printer_for(kind: Kind, crd: dict | None = None) -> Printer:
    if kind.custom:
        return custom_printer(crd, kind.version)
    return PRINTERS.get(kind.key, DEFAULT)


# --- the Table -----------------------------------------------------------------------------------
def _row_object(obj: dict, include: str, api_version: str) -> dict | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": api_version, "metadata": obj["metadata"]}


def _conditions(kind: Kind, obj: dict) -> list[dict]:
    """The real pod printer marks a finished pod's row Completed (kubectl can hide such rows)."""
    phase = _status(obj).get("phase")
    if kind.key == "pods" and phase in ("Succeeded", "Failed"):
        return [{"type": "Completed", "status": "True", "reason": phase,
                 "message": "The pod has completed successfully."}]
    return []


def table(printer: Printer, kind: Kind, objs: Iterable[dict], now: float, resource_version: str,
          include_object: str = "Metadata", api_version: str = "meta.k8s.io/v1") -> dict:
    """A meta.k8s.io Table of `objs` (one object or a list's items); `include_object` is the request's
    includeObject (None, Metadata, Object)."""
    rows = []
    for obj in objs:
        row: dict = {"cells": printer.cells(obj, now), "object": _row_object(obj, include_object, api_version)}
        if conditions := _conditions(kind, obj):
            row["conditions"] = conditions
        rows.append(row)
    return {"kind": "Table", "apiVersion": api_version, "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": [c.definition() for c in printer.columns], "rows": rows}
