"""Field validation as the Kubernetes API server does it when it decodes a request body.

Built-in kinds: the API server decodes JSON into Go structs (sigs.k8s.io/json). A value of the wrong
JSON type stops the decode with Go's UnmarshalTypeError (`json: cannot unmarshal string into Go struct
field DeploymentSpec.spec.replicas of type int32`: the enclosing struct, the path of JSON field names
without indices, the Go type); with `fieldValidation=Strict` every field the struct lacks is collected
(`unknown field "spec.template.spec.containers[0].imagee"`, indices included). Either way the refusal is
400 BadRequest `<Kind> in version "<v>" cannot be handled as a <Kind>: <error>`, which kubectl prints as
`Error from server (BadRequest): error when creating "x.yaml": ...`. The Go types come from the schemas
(definitions.json): a `$ref` names the struct (io.k8s.api.core.v1.PodSpec is v1.PodSpec), a format
names the integer width.

Custom resources (validate_custom): unknown fields (outside `x-kubernetes-preserve-unknown-fields`) are
the same strict decoding error; a schema violation is 422 Invalid in the apiextensions validator's words
(`spec.x: Invalid value: "string": spec.x in body must be of type integer: "string"`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from simulator.k8s import openapi
from simulator.k8s.openapi import custom

QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
BASE64 = re.compile(r"[A-Za-z0-9+/]")
# Definitions with their own JSON decoding in Go: what they accept, and the Go type an error names.
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY_DEF = "io.k8s.apimachinery.pkg.api.resource.Quantity"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
TIMES = {"io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"}

openapi_v3_index = openapi.v3_index
openapi_v3 = openapi.v3


def openapi_v2() -> bytes:
    """/openapi/v2 as JSON. kubectl 1.32 asks for it only as protobuf, and only when /openapi/v3 fails."""
    return openapi.v2_bytes()


@dataclass
class Refusal:
    """Why the API server refuses a body: the HTTP code, the Status reason, its message, the field causes."""

    code: int
    reason: str
    message: str
    causes: list[str] = field(default_factory=list)


class TypeMismatch(Exception):
    """The first decode error; Go stops at it (encoding/json keeps only the first UnmarshalTypeError)."""


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _go_number(value) -> str:
    """A number as it stood in the JSON body (Go quotes the literal text)."""
    return json.dumps(value)


class _Decoder:
    """One walk of a body against the built-in schemas, as sigs.k8s.io/json's strict decode sees it."""

    def __init__(self, definitions: dict):
        self.definitions = definitions
        self.unknown: list[str] = []

    def go_type(self, schema: dict) -> str:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name == INT_OR_STRING:
                return "int32"
            if name in TIMES:
                return "string"
            package, _, type_name = name.rpartition(".")
            return f"{package.rsplit('.', 1)[1]}.{type_name}"
        kind = schema.get("type")
        if kind == "integer":
            return schema.get("format", "int64")
        if kind == "number":
            return "float64"
        if kind == "boolean":
            return "bool"
        if kind == "string":
            return "[]uint8" if schema.get("format") == "byte" else "string"
        if kind == "array":
            return "[]" + self.go_type(schema.get("items", {}))
        if "additionalProperties" in schema:
            return "map[string]" + self.go_type(schema["additionalProperties"])
        return "map[string]interface {}"

    def mismatch(self, value, schema: dict, struct: str, fields: list[str]) -> TypeMismatch:
        where = f"Go struct field {struct}.{'.'.join(fields)}" if struct else "Go value"
        return TypeMismatch(f"json: cannot unmarshal {_json_kind(value)} into {where} of type {self.go_type(schema)}")

    def value(self, value, schema: dict, struct: str, fields: list[str], path: str) -> None:
        if value is None:
            return
        if "$ref" in schema:
            self.named(value, schema, schema["$ref"].rsplit("/", 1)[1], struct, fields, path)
            return
        kind = schema.get("type")
        if kind in ("integer", "number"):
            self.number(value, schema, struct, fields)
        elif kind == "boolean" and not isinstance(value, bool):
            raise self.mismatch(value, schema, struct, fields)
        elif kind == "string":
            if not isinstance(value, str):
                raise self.mismatch(value, schema, struct, fields)
            if schema.get("format") == "byte":
                _base64(value)
        elif kind == "array":
            if not isinstance(value, list):
                raise self.mismatch(value, schema, struct, fields)
            for index, item in enumerate(value):
                self.value(item, schema.get("items", {}), struct, fields, f"{path}[{index}]")
        elif kind == "object" and "additionalProperties" in schema:
            if not isinstance(value, dict):
                raise self.mismatch(value, schema, struct, fields)
            for key, item in value.items():
                self.value(item, schema["additionalProperties"], struct, fields, f"{path}.{key}")

    def number(self, value, schema: dict, struct: str, fields: list[str]) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.mismatch(value, schema, struct, fields)
        if schema.get("type") == "integer":
            low, high = INT_RANGES.get(schema.get("format", "int64"), INT_RANGES["int64"])
            if isinstance(value, float) or not low <= value <= high:
                raise TypeMismatch(f"json: cannot unmarshal number {_go_number(value)} into Go struct field "
                                   f"{struct}.{'.'.join(fields)} of type {self.go_type(schema)}")

    def named(self, value, schema: dict, name: str, struct: str, fields: list[str], path: str) -> None:
        if name == INT_OR_STRING:
            if not isinstance(value, str) and (isinstance(value, bool) or not isinstance(value, int)):
                raise self.mismatch(value, schema, struct, fields)
            return
        if name == QUANTITY_DEF:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not QUANTITY.match(str(value)):
                raise TypeMismatch(QUANTITY_ERROR)
            return
        if name in TIMES:
            if not isinstance(value, str):
                raise self.mismatch(value, schema, struct, fields)
            return
        definition = self.definitions[name]
        if "properties" not in definition:
            self.value(value, definition, struct, fields, path)
            return
        if not isinstance(value, dict):
            raise self.mismatch(value, schema, struct, fields)
        self.struct(value, definition, name.rsplit(".", 1)[1], fields, path)

    def struct(self, value: dict, definition: dict, struct: str, fields: list[str], path: str) -> None:
        properties = definition["properties"]
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            if key not in properties:
                self.unknown.append(here)
                continue
            self.value(item, properties[key], struct, [*fields, key], here)


def _base64(text: str) -> None:
    """Go's base64.StdEncoding: padding required; the error names the first bad byte."""
    body = text.rstrip("=")
    for index, char in enumerate(body):
        if not BASE64.match(char):
            raise TypeMismatch(f"illegal base64 data at input byte {index}")
    if len(text) % 4 or len(text) - len(body) > 2:
        raise TypeMismatch(f"illegal base64 data at input byte {len(body) if len(body) % 4 != 1 else len(body) - 1}")


def _kind_entry(kind_key: tuple[str, str, str]) -> dict:
    for entry in openapi.data()["kinds"]:
        if (entry["group"], entry["version"], entry["kind"]) == tuple(kind_key):
            return entry
    raise KeyError(f"no schema for the built-in kind {kind_key}")


def _cannot_be_handled(version: str, kind: str, error: str) -> str:
    return f'{kind} in version "{version}" cannot be handled as a {kind}: {error}'


def _strict(unknown: list[str]) -> str:
    return "strict decoding error: " + ", ".join(f'unknown field "{path}"' for path in unknown)


def check(kind_key: tuple[str, str, str], obj: dict, strict: bool) -> Refusal | None:
    """Decode `obj` as the built-in kind (group, version, kind); the refusal the API server gives, if any."""
    entry = _kind_entry(kind_key)
    definitions = openapi.data()["definitions"]
    decoder = _Decoder(definitions)
    _, version, kind = kind_key
    if not isinstance(obj, dict):
        error = decoder.mismatch(obj, {"$ref": "#/definitions/" + entry["definition"]}, "", [])
        return Refusal(400, "BadRequest", _cannot_be_handled(version, kind, str(error)))
    try:
        decoder.struct(obj, definitions[entry["definition"]], kind, [], "")
    except TypeMismatch as error:
        return Refusal(400, "BadRequest", _cannot_be_handled(version, kind, str(error)))
    if strict and decoder.unknown:
        causes = [f'unknown field "{path}"' for path in decoder.unknown]
        return Refusal(400, "BadRequest", _cannot_be_handled(version, kind, _strict(decoder.unknown)), causes)
    return None


def unknown_fields(kind_key: tuple[str, str, str], obj: dict) -> list[str]:
    """The `unknown field "..."` texts the API server sends as Warning headers with fieldValidation=Warn."""
    entry = _kind_entry(kind_key)
    decoder = _Decoder(openapi.data()["definitions"])
    try:
        decoder.struct(obj, openapi.data()["definitions"][entry["definition"]], kind_key[2], [], "")
    except TypeMismatch:
        return []
    return [f'unknown field "{path}"' for path in decoder.unknown]


def validate(kind_key: tuple[str, str, str], obj: dict, strict: bool) -> list[str]:
    """[the API server's 400 message] when it refuses `obj`, else []. `strict` is fieldValidation=Strict."""
    refusal = check(kind_key, obj, strict)
    return [refusal.message] if refusal else []



def check_custom(schema: dict, obj: dict, strict: bool) -> Refusal | None:
    """A custom resource against its version's openAPIV3Schema: 400 for unknown fields when strict, 422 for
    schema violations."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    decoder = _Decoder(openapi.data()["definitions"])
    if isinstance(obj.get("metadata"), dict):
        try:
            decoder.struct(obj["metadata"], decoder.definitions[OBJECT_META], "ObjectMeta", ["metadata"], "metadata")
        except TypeMismatch as error:
            return Refusal(400, "BadRequest", _cannot_be_handled(api_version.rpartition("/")[2], kind, str(error)))
    unknown = decoder.unknown + custom.unknown(schema, obj, "")
    if strict and unknown:
        message = _cannot_be_handled(api_version.rpartition("/")[2], kind, _strict(unknown))
        return Refusal(400, "BadRequest", message, [f'unknown field "{path}"' for path in unknown])
    errors = custom.invalid(schema, obj, "")
    if errors:
        return Refusal(422, "Invalid", custom.invalid_message(obj, errors), errors)
    return None


def validate_custom(schema: dict, obj: dict, strict: bool) -> list[str]:
    """[the API server's message] when it refuses the custom resource `obj`, else []; see check_custom for the code."""
    refusal = check_custom(schema, obj, strict)
    return [refusal.message] if refusal else []
