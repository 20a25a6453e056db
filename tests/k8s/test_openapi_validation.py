"""The OpenAPI documents kubectl's default validation fetches, and field validation in the API server's words.

The kubectl tests drive the real kubectl 1.32 against a small stdlib server (127.0.0.1, in a thread) that
serves discovery, /openapi/v3 from simulator.k8s.validation and create/get/patch on an in-memory dict,
refusing bodies with validation.check: what kubectl asks for and what it prints are observed, not assumed.
"""

from __future__ import annotations

import copy
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from simulator.k8s import validation
from simulator.pytest_plugin import client_tool

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
KUBECTL = Path("/usr/bin/kubectl")
DEPLOYMENT = ("apps", "v1", "Deployment")
SERVED = {("", "v1", "Namespace"), ("", "v1", "ConfigMap"), ("", "v1", "Secret"), ("", "v1", "ServiceAccount"),
          ("", "v1", "LimitRange"), ("", "v1", "Node"), ("", "v1", "Pod"), ("", "v1", "Service"),
          ("", "v1", "Endpoints"), ("", "v1", "Event"), ("apps", "v1", "DaemonSet"), DEPLOYMENT,
          ("apps", "v1", "ReplicaSet"), ("rbac.authorization.k8s.io", "v1", "ClusterRole"),
          ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"), ("rbac.authorization.k8s.io", "v1", "Role"),
          ("rbac.authorization.k8s.io", "v1", "RoleBinding"), ("scheduling.k8s.io", "v1", "PriorityClass"),
          ("apiextensions.k8s.io", "v1", "CustomResourceDefinition"), ("discovery.k8s.io", "v1", "EndpointSlice")}


class _Handler(BaseHTTPRequestHandler):
    """Discovery from the served kinds, /openapi/v3 from validation, create/get/patch on a dict."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args) -> None:
        pass

    def reply(self, code: int, body: dict | bytes) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def status(self, code: int, reason: str, message: str) -> None:
        self.reply(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                          "message": message, "reason": reason, "code": code})

    def handle_any(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.log.append((self.command, self.path, self.headers.get("Accept", ""),
                                self.headers.get("Content-Type", "")))
        kinds = validation.openapi.data()["kinds"]
        roots = {("apis/" + k["group"] if k["group"] else "api") + "/" + k["version"]: k for k in kinds}
        path = url.path.strip("/")
        if path == "version":
            return self.reply(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.4"})
        if path == "api":
            return self.reply(200, {"kind": "APIVersions", "versions": ["v1"]})
        if path == "apis":
            groups = sorted({(k["group"], k["version"]) for k in kinds if k["group"]})
            return self.reply(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v}],
                 "preferredVersion": {"groupVersion": f"{g}/{v}", "version": v}} for g, v in groups]})
        if path in roots:
            resources = [{"name": k["plural"], "singularName": k["kind"].lower(), "namespaced": k["namespaced"],
                          "kind": k["kind"], "verbs": ["create", "get", "list", "patch"]}
                         for k in kinds if roots[path]["group"] == k["group"]]
            return self.reply(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                    "groupVersion": path.removeprefix("apis/").removeprefix("api/"),
                                    "resources": resources})
        if path == "openapi/v3":
            return self.reply(200, validation.openapi_v3_index())
        if path.startswith("openapi/v3/") and validation.openapi_v3(path.removeprefix("openapi/v3/")):
            return self.reply(200, validation.openapi_v3(path.removeprefix("openapi/v3/")))
        root = next((r for r in roots if path.startswith(r + "/")), None)
        if root is None:
            return self.status(404, "NotFound", "the server could not find the requested resource")
        parts = path.removeprefix(root + "/").split("/")
        namespaced = parts[0] == "namespaces" and len(parts) > 2
        plural, name = (parts[2], parts[3:4]) if namespaced else (parts[0], parts[1:2])
        kind = next(k for k in kinds if roots[root]["group"] == k["group"] and k["plural"] == plural)
        key = (kind["group"], kind["version"], kind["kind"])
        if self.command == "GET":
            if path in self.server.store:
                return self.reply(200, self.server.store[path])
            return self.status(404, "NotFound", f'{plural} "{name[0]}" not found')
        if self.command == "POST":
            strict = parse_qs(url.query).get("fieldValidation") == ["Strict"]
            refusal = validation.check(key, body, strict)
            if refusal:
                return self.status(refusal.code, refusal.reason, refusal.message)
            self.server.store[f"{path}/{body['metadata']['name']}"] = body
            return self.reply(201, body)
        self.server.store[path] = {**self.server.store[path], **body}
        return self.reply(200, self.server.store[path])

    do_GET = do_POST = do_PATCH = handle_any


class _Server(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log: list[tuple[str, str, str, str]] = []
        self.store: dict[str, dict] = {}


@pytest.fixture
def apiserver(tmp_path):
    """The small server, and a kubectl runner with its own kubeconfig and cache directory."""
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "lab", "users": [],
        "clusters": [{"name": "lab", "cluster": {"server": f"http://127.0.0.1:{server.server_port}"}}],
        "contexts": [{"name": "lab", "context": {"cluster": "lab"}}]}))

    def kubectl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(KUBECTL), f"--kubeconfig={kubeconfig}", f"--cache-dir={tmp_path / 'cache'}", *args],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)

    yield server, kubectl
    server.shutdown()
    server.server_close()
    thread.join()


def kind_key(doc: dict) -> tuple[str, str, str]:
    group, _, version = doc["apiVersion"].rpartition("/")
    return group, version, doc["kind"]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> list[dict]:
    """The real aci-containers.yaml, written offline by the real acc-provision (no APIC: no -a)."""
    work = tmp_path_factory.mktemp("accprov")
    run = subprocess.run([client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", str(CONFIG),
                          "-f", "kubernetes-1.36", "-o", "aci-containers.yaml"],
                         cwd=work, capture_output=True, text=True, timeout=180, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return [doc for doc in yaml.safe_load_all((work / "aci-containers.yaml").read_text()) if doc]


def controller(manifest: list[dict]) -> dict:
    return copy.deepcopy(next(d for d in manifest if d["kind"] == "Deployment"
                              and d["metadata"]["name"] == "aci-containers-controller"))


# ------------------------------------------------------------------------------------------ documents


def test_v2_document_holds_every_served_kind_and_its_references() -> None:
    document = json.loads(validation.openapi_v2())
    assert document["swagger"] == "2.0"
    definitions = document["definitions"]
    kinds = {(g["group"], g["version"], g["kind"]) for d in definitions.values()
             for g in d.get("x-kubernetes-group-version-kind", [])}
    assert SERVED <= kinds
    refs = set(json.dumps(document).split('"#/definitions/')[1:])
    assert {ref.split('"', 1)[0] for ref in refs} <= definitions.keys()
    patch = document["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]
    assert len(validation.openapi_v2()) < 400_000


def test_v3_index_and_documents_declare_server_side_field_validation() -> None:
    index = validation.openapi_v3_index()["paths"]
    assert set(index) == {"api/v1", "apis/apps/v1", "apis/rbac.authorization.k8s.io/v1",
                          "apis/scheduling.k8s.io/v1", "apis/apiextensions.k8s.io/v1", "apis/discovery.k8s.io/v1"}
    assert index["apis/apps/v1"]["serverRelativeURL"].startswith("/openapi/v3/apis/apps/v1?hash=")
    served = set()
    for root in index:
        document = validation.openapi_v3(root)
        schemas = document["components"]["schemas"]
        refs = {ref.split('"', 1)[0] for ref in json.dumps(document).split('"#/components/schemas/')[1:]}
        assert refs <= schemas.keys(), root
        for item in document["paths"].values():
            if "patch" not in item:
                continue
            patch = item["patch"]
            gvk = patch["x-kubernetes-group-version-kind"]
            served.add((gvk["group"], gvk["version"], gvk["kind"]))
            assert "fieldValidation" in [p["name"] for p in patch["parameters"] if p["in"] == "query"]
            assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]
    assert served == SERVED
    assert validation.openapi_v3("apis/aci.ctrl/v1") is None


def test_v3_schemas_keep_the_strategic_merge_keys() -> None:
    schemas = validation.openapi_v3("api/v1")["components"]["schemas"]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["items"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}
    strategy = validation.openapi_v3("apis/apps/v1")["components"]["schemas"][
        "io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["strategy"]
    assert strategy == {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy"}],
                        "x-kubernetes-patch-strategy": "retainKeys"}


# ------------------------------------------------------------------------------------------ validation


def test_every_document_of_the_real_manifest_passes_strict_validation(manifest: list[dict]) -> None:
    assert len(manifest) == 37
    for doc in manifest:
        assert validation.validate(kind_key(doc), doc, strict=True) == [], doc["metadata"]["name"]


def test_a_string_replica_count_is_refused_even_without_strict(manifest: list[dict]) -> None:
    broken = controller(manifest)
    broken["spec"]["replicas"] = "one"
    expected = ['Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string '
                'into Go struct field DeploymentSpec.spec.replicas of type int32']
    assert validation.validate(DEPLOYMENT, broken, strict=False) == expected
    assert validation.validate(DEPLOYMENT, broken, strict=True) == expected


def test_an_unknown_field_is_refused_only_when_strict(manifest: list[dict]) -> None:
    broken = controller(manifest)
    broken["spec"]["template"]["spec"]["hostNetwrk"] = True
    assert validation.validate(DEPLOYMENT, broken, strict=True) == [
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
        'unknown field "spec.template.spec.hostNetwrk"']
    assert validation.validate(DEPLOYMENT, broken, strict=False) == []
    assert validation.unknown_fields(DEPLOYMENT, broken) == ['unknown field "spec.template.spec.hostNetwrk"']


def test_unknown_fields_name_list_indices_and_type_errors_do_not(manifest: list[dict]) -> None:
    broken = controller(manifest)
    container = broken["spec"]["template"]["spec"]["containers"][0]
    container["imagee"] = "x"
    container["ports"] = [{"containerPort": 80, "protocl": "TCP"}]
    refusal = validation.check(DEPLOYMENT, broken, strict=True)
    assert (refusal.code, refusal.reason) == (400, "BadRequest")
    assert refusal.causes == ['unknown field "spec.template.spec.containers[0].imagee"',
                              'unknown field "spec.template.spec.containers[0].ports[0].protocl"']
    container["env"] = [{"name": "A", "value": 5}]
    assert validation.validate(DEPLOYMENT, broken, strict=True) == [
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number into Go '
        'struct field EnvVar.spec.template.spec.containers.env.value of type string']


@pytest.mark.parametrize(("path", "value", "error"), [
    (("spec", "template", "spec", "containers"), {"name": "x"},
     "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"),
    (("spec", "template", "spec", "hostNetwork"), "yes",
     "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.hostNetwork of type bool"),
    (("spec", "replicas"), 1.5,
     "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (("metadata", "labels"), {"a": 1},
     "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"),
    (("spec",), "x", "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec"),
])
def test_type_errors_name_the_go_struct_field(manifest: list[dict], path, value, error) -> None:
    broken = controller(manifest)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert validation.validate(DEPLOYMENT, broken, strict=False) == [
        f'Deployment in version "v1" cannot be handled as a Deployment: {error}']


def test_quantities_and_secret_data_are_decoded_as_go_does(manifest: list[dict]) -> None:
    broken = controller(manifest)
    broken["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"memory": "lots"}}
    assert validation.validate(DEPLOYMENT, broken, strict=False) == [
        'Deployment in version "v1" cannot be handled as a Deployment: quantities must match the regular '
        "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]
    secret = copy.deepcopy(next(d for d in manifest if d["kind"] == "Secret"))
    secret["data"] = {"user.key": "not base64!"}
    assert validation.validate(("", "v1", "Secret"), secret, strict=False) == [
        'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3']


def crd_schema(manifest: list[dict], name: str) -> dict:
    crd = next(d for d in manifest if d["kind"] == "CustomResourceDefinition" and d["metadata"]["name"] == name)
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def test_custom_resources_follow_their_crd_schema(manifest: list[dict]) -> None:
    schema = crd_schema(manifest, "acicontainersoperators.aci.ctrl")
    operator = {"apiVersion": "aci.ctrl/v1alpha1", "kind": "AciContainersOperator",
                "metadata": {"name": "acicnioperator", "namespace": "aci-containers-system"},
                "spec": {"flavor": "kubernetes-1.36", "config": "e30="}}
    assert validation.validate_custom(schema, operator, strict=True) == []
    operator["spec"]["flavour"] = "x"
    operator["metadata"]["lables"] = {}
    refusal = validation.check_custom(schema, operator, strict=True)
    assert (refusal.code, refusal.message) == (400, (
        'AciContainersOperator in version "v1alpha1" cannot be handled as a AciContainersOperator: strict decoding '
        'error: unknown field "metadata.lables", unknown field "spec.flavour"'))
    assert validation.validate_custom(schema, operator, strict=False) == []
    del operator["spec"]["flavour"], operator["metadata"]["lables"]
    operator["spec"]["config"] = 7
    refusal = validation.check_custom(schema, operator, strict=True)
    assert (refusal.code, refusal.reason, refusal.message) == (422, "Invalid", (
        'AciContainersOperator.aci.ctrl "acicnioperator" is invalid: spec.config: Invalid value: "integer": '
        'spec.config in body must be of type string: "integer"'))
    del operator["spec"]
    assert validation.validate_custom(schema, operator, strict=True) == [
        'AciContainersOperator.aci.ctrl "acicnioperator" is invalid: spec: Required value']


def test_preserved_unknown_fields_are_kept() -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
    obj = {"apiVersion": "a.b/v1", "kind": "K", "metadata": {"name": "n"}, "spec": {"anything": [1]}}
    assert validation.validate_custom(schema, obj, strict=True) == []


# ------------------------------------------------------------------------------------------ the real kubectl


def test_kubectl_refuses_a_broken_manifest_with_the_servers_message(apiserver, manifest, tmp_path) -> None:
    server, kubectl = apiserver
    broken = controller(manifest)
    broken["spec"]["template"]["spec"]["hostNetwrk"] = True
    namespace = next(d for d in manifest if d["kind"] == "Namespace")
    (tmp_path / "x.yaml").write_text(yaml.safe_dump_all([namespace, broken]))
    run = kubectl("apply", "-f", "x.yaml")
    assert run.returncode == 1
    assert run.stderr.strip() == (
        'Error from server (BadRequest): error when creating "x.yaml": Deployment in version "v1" cannot be handled '
        'as a Deployment: strict decoding error: unknown field "spec.template.spec.hostNetwrk"')
    requests = [(method, path.split("?")[0]) for method, path, _, _ in server.log]
    assert ("GET", "/openapi/v3") in requests and ("GET", "/openapi/v3/apis/apps/v1") in requests
    assert ("GET", "/openapi/v2") not in requests  # v2 (protobuf only) is kubectl's fallback when v3 fails
    posts = [path for method, path, _, _ in server.log if method == "POST"]
    assert all("fieldValidation=Strict" in path for path in posts) and len(posts) == 2


def test_kubectl_applies_the_real_manifest_and_patches_with_the_v3_merge_keys(apiserver, manifest, tmp_path) -> None:
    server, kubectl = apiserver
    builtin = [doc for doc in manifest if doc["kind"] != "CustomResourceDefinition"]
    (tmp_path / "aci.yaml").write_text(yaml.safe_dump_all(builtin))
    run = kubectl("apply", "-f", "aci.yaml")
    assert run.returncode == 0, run.stderr
    assert len([m for m, *_ in server.log if m == "POST"]) == len(builtin)
    changed = controller(manifest)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "example/controller:2"
    (tmp_path / "changed.yaml").write_text(yaml.safe_dump(changed))
    run = kubectl("apply", "-f", "changed.yaml")
    assert run.returncode == 0, run.stderr
    patches = [(path, content) for method, path, _, content in server.log if method == "PATCH"]
    assert [content for _, content in patches] == ["application/strategic-merge-patch+json"]
    assert not [path for _, path, _, _ in server.log if path.startswith("/openapi/v2")]
