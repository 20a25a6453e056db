#!/usr/bin/env python3
"""Generate simulator/k8s/openapi/definitions.json: the schemas of the Kubernetes kinds the lab serves.

    python tools/gen_k8s_openapi.py [-o simulator/k8s/openapi/definitions.json]

The source is the kubernetes-validate package (pinned 1.37.0), which bundles the API server's own
OpenAPI schemas converted to JSON Schema. We take ONE Kubernetes version, 1.32, the version of the
client the suite drives (kubectl 1.32.4): its server-side schemas are what that kubectl expects.

Only the served kinds and the definitions they reference are kept, in OpenAPI v2 form (refs to
`#/definitions/...`, single `type` names, descriptions dropped) so simulator/k8s/validation.py can
serve /openapi/v2 and /openapi/v3 and validate bodies from one small file. The patch-merge keys and
list types stay: kubectl reads them to compute strategic merge patches. Output is sorted and
compact, so regenerating gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

KUBERNETES_VERSION = "1.32"
PIN = "kubernetes-validate==1.37.0"
OUTPUT = Path(__file__).resolve().parents[1] / "simulator" / "k8s" / "openapi" / "definitions.json"

# (group, version, kind, plural, namespaced): the kinds the lab's API server serves (simulator/k8s/kinds.py).
SERVED = [
    ("", "v1", "Namespace", "namespaces", False),
    ("", "v1", "Node", "nodes", False),
    ("", "v1", "Pod", "pods", True),
    ("", "v1", "Service", "services", True),
    ("", "v1", "Endpoints", "endpoints", True),
    ("", "v1", "ConfigMap", "configmaps", True),
    ("", "v1", "Secret", "secrets", True),
    ("", "v1", "ServiceAccount", "serviceaccounts", True),
    ("", "v1", "Event", "events", True),
    ("", "v1", "LimitRange", "limitranges", True),
    ("apps", "v1", "DaemonSet", "daemonsets", True),
    ("apps", "v1", "Deployment", "deployments", True),
    ("apps", "v1", "ReplicaSet", "replicasets", True),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", True),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True),
    ("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False),
    ("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True),
]
# Definitions the paths name besides the kinds: request bodies and replies of every operation.
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
EXTRA = [META + "Patch", META + "Status", META + "DeleteOptions", META + "WatchEvent"]
# The two definitions kubernetes-validate spells as a oneOf, in the API server's own words: both travel as strings,
# IntOrString also as an integer (its format says so), Quantity also as a number (validation.py knows).
SCALARS = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
}
KEPT = ("type", "format", "items", "additionalProperties", "properties", "required", "enum", "$ref")


def source_definitions() -> dict:
    """The 1.32 definitions bundled with kubernetes-validate (its non-strict set keeps the patch keys)."""
    try:
        from importlib.resources import files

        import kubernetes_validate
    except ImportError:
        sys.exit(f"kubernetes-validate is not installed: pip install {PIN}")
    base = files(kubernetes_validate).joinpath("kubernetes-json-schema", f"v{KUBERNETES_VERSION}.0-local")
    return json.loads(base.joinpath("_definitions.json").read_text(encoding="utf-8"))["$defs"]


def convert(schema: dict) -> dict:
    """A JSON Schema node of kubernetes-validate back in OpenAPI v2 form."""
    out = {}
    for key, value in schema.items():
        if key == "$ref":
            out[key] = "#/definitions/" + value.rsplit("/", 1)[1]
        elif key == "type":
            names = [name for name in (value if isinstance(value, list) else [value]) if name != "null"]
            if names:
                out[key] = names[0]
        elif key == "properties":
            out[key] = {name: convert(prop) for name, prop in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = convert(value)
        elif key in KEPT or key.startswith("x-kubernetes-"):
            out[key] = value
    return out


def referenced(schema: dict, into: set[str]) -> None:
    """The definitions a schema names, following only schema positions (JSONSchemaProps has a property "$ref")."""
    if "$ref" in schema:
        into.add(schema["$ref"].rsplit("/", 1)[1])
    for prop in schema.get("properties", {}).values():
        referenced(prop, into)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            referenced(schema[key], into)


def definition_of(defs: dict, group: str, version: str, kind: str) -> str:
    for name, schema in defs.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            if (gvk["group"], gvk["version"], gvk["kind"]) == (group, version, kind):
                return name
    raise SystemExit(f"no {KUBERNETES_VERSION} schema for {group}/{version} {kind}")


def build(defs: dict) -> dict:
    kinds, wanted = [], set(EXTRA)
    for group, version, kind, plural, namespaced in SERVED:
        name = definition_of(defs, group, version, kind)
        list_name = definition_of(defs, group, version, kind + "List")
        kinds.append({"group": group, "version": version, "kind": kind, "plural": plural,
                      "namespaced": namespaced, "definition": name, "listDefinition": list_name})
        wanted |= {name, list_name}
    kept: dict[str, dict] = {}
    while wanted:
        name = wanted.pop()
        if name in kept:
            continue
        kept[name] = SCALARS.get(name) or convert(defs[name])
        found: set[str] = set()
        referenced(defs[name], found)
        wanted |= found - kept.keys()
    return {
        "generatedBy": "tools/gen_k8s_openapi.py",
        "source": f"{PIN}, kubernetes-json-schema/v{KUBERNETES_VERSION}.0-local",
        "kubernetesVersion": KUBERNETES_VERSION,
        "kinds": kinds,
        "definitions": dict(sorted(kept.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    data = build(source_definitions())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
