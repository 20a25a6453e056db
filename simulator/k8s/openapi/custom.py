"""A custom resource against its CRD's openAPIV3Schema, as the apiextensions API server checks it.

Two stages, as in the real server: decoding prunes the fields the structural schema does not declare
(with fieldValidation=Strict each is a strict decoding error, 400, worded as for built-in kinds);
then the schema validator refuses wrong types, missing required fields and values outside an enum
(422 Invalid, `<Kind>.<group> "<name>" is invalid: spec.x: Invalid value: "string": spec.x in body
must be of type integer: "string"`). apiVersion, kind and metadata are always allowed at the root.
"""

from __future__ import annotations

import json

ROOT_FIELDS = ("apiVersion", "kind", "metadata")
JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}


def _type_name(value) -> str:
    return "null" if value is None else JSON_TYPES.get(type(value), "object")


def _type_ok(value, wanted: str, schema: dict) -> bool:
    actual = _type_name(value)
    if schema.get("x-kubernetes-int-or-string"):
        return actual in ("integer", "string")
    return actual == wanted or (wanted == "number" and actual == "integer")


def unknown(schema: dict, value, path: str) -> list[str]:
    """The paths decoding would prune: fields an object schema does not declare."""
    if schema.get("x-kubernetes-preserve-unknown-fields") or schema.get("x-kubernetes-embedded-resource"):
        return []
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            if path == "" and key in ROOT_FIELDS:
                continue  # metadata is checked as ObjectMeta, apiVersion and kind by the request's path
            if properties is not None and key in properties:
                found += unknown(properties[key], item, here)
            elif isinstance(extra, dict):
                found += unknown(extra, item, here)
            elif extra is not True:
                found.append(here)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += unknown(schema["items"], item, f"{path}[{index}]")
    return found


def invalid(schema: dict, value, path: str) -> list[str]:
    """The field errors of the schema validator, in its words."""
    if value is None:  # nulls of non-nullable fields are pruned before validation
        return []
    wanted = schema.get("type")
    if wanted and not _type_ok(value, wanted, schema):
        actual = _type_name(value)
        return [f'{path}: Invalid value: "{actual}": {path} in body must be of type {wanted}: "{actual}"']
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(json.dumps(v if isinstance(v, str) else json.dumps(v)) for v in schema["enum"])
        shown = json.dumps(value)
        errors.append(f"{path}: Unsupported value: {shown}: supported values: {allowed}")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{path + '.' if path else ''}{name}: Required value")
        properties, extra = schema.get("properties", {}), schema.get("additionalProperties")
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            if path == "" and key == "metadata":
                continue
            if key in properties:
                errors += invalid(properties[key], item, here)
            elif isinstance(extra, dict):
                errors += invalid(extra, item, here)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            errors += invalid(schema["items"], item, f"{path}[{index}]")
    return errors


def invalid_message(obj: dict, errors: list[str]) -> str:
    """The 422 message: `<Kind>.<group> "<name>" is invalid: <error>` ([e1, e2] for several)."""
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    kind = f"{obj.get('kind', '')}.{group}" if group else str(obj.get("kind", ""))
    name = (obj.get("metadata") or {}).get("name", "")
    shown = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    return f'{kind} "{name}" is invalid: {shown}'
