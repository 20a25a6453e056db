"""The three patch formats the API server takes: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
the strategic merge patch kubectl computes for built-in kinds, whose list semantics come from the
Kubernetes API types' `patchMergeKey`/`patchStrategy` tags, held here as data (`MERGE_KEYS`).

Every function is pure: it takes the live object and returns a new one, or raises `PatchError`.
"""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    """A patch that cannot be applied (the API server answers 422 or 400 with this text)."""


# (path suffix of field names, merge key or None for a merged primitive list). Lists not named here are
# atomic: a patch replaces them whole (tolerations, args, command, rules, subjects...).
MERGE_KEYS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("containers", "ports"), "containerPort"),
    (("initContainers", "ports"), "containerPort"),
    (("ephemeralContainers", "ports"), "containerPort"),
    (("containers",), "name"),
    (("initContainers",), "name"),
    (("ephemeralContainers",), "name"),
    (("env",), "name"),
    (("volumeMounts",), "mountPath"),
    (("volumeDevices",), "devicePath"),
    (("volumes",), "name"),
    (("imagePullSecrets",), "name"),
    (("hostAliases",), "ip"),
    (("metadata", "ownerReferences"), "uid"),
    (("metadata", "finalizers"), None),
    (("status", "conditions"), "type"),
    (("status", "addresses"), "type"),
    (("spec", "ports"), "port"),  # a Service's ports; a pod's are under containers (matched first)
    (("spec", "taints"), "key"),
)


def merge_key(path: tuple[str, ...]) -> tuple[bool, str | None]:
    """(merged?, key) for the list at `path` (field names from the object's root)."""
    for suffix, key in MERGE_KEYS:
        if path[-len(suffix):] == suffix:
            return True, key
    return False, None


# --- RFC 7386 ------------------------------------------------------------------------------------
def json_merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = json_merge(out.get(key), value)
    return out


# --- RFC 6902 ------------------------------------------------------------------------------------
def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f'invalid JSON pointer "{path}"')
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _walk(doc: Any, parts: list[str], path: str) -> Any:
    for part in parts:
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            raise PatchError(f"doc is missing path: {path}: missing value")
    return doc


def _add(doc: Any, path: str, value: Any, replace: bool) -> Any:
    parts = _pointer(path)
    if not parts:
        return copy.deepcopy(value)
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise PatchError(f"replace operation does not apply: doc is missing key: {path}: missing value")
        parent[last] = copy.deepcopy(value)
    elif isinstance(parent, list):
        if last == "-" and not replace:
            parent.append(copy.deepcopy(value))
        elif last.isdigit() and int(last) <= len(parent) - (1 if replace else 0):
            if replace:
                parent[int(last)] = copy.deepcopy(value)
            else:
                parent.insert(int(last), copy.deepcopy(value))
        else:
            raise PatchError(f"add operation does not apply: doc is missing path: {path}: missing value")
    else:
        raise PatchError(f"doc is missing path: {path}: missing value")
    return doc


def _remove(doc: Any, path: str) -> tuple[Any, Any]:
    parts = _pointer(path)
    if not parts:
        raise PatchError("unable to remove the whole document")
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return doc, parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return doc, parent.pop(int(last))
    raise PatchError(f"remove operation does not apply: doc is missing path: \"{path}\": missing value")


def json_patch(target: Any, operations: Any) -> Any:
    if not isinstance(operations, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(target)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError("Unexpected kind: <nil>")
        kind, path = op["op"], op.get("path", "")
        if kind in ("add", "replace"):
            if "value" not in op:
                raise PatchError(f"missing value for {kind} operation")
            doc = _add(doc, path, op["value"], replace=kind == "replace")
        elif kind == "remove":
            doc, _ = _remove(doc, path)
        elif kind in ("move", "copy"):
            source = op.get("from", "")
            if kind == "move":
                doc, value = _remove(doc, source)
            else:
                value = copy.deepcopy(_walk(doc, _pointer(source), source))
            doc = _add(doc, path, value, replace=False)
        elif kind == "test":
            if _walk(doc, _pointer(path), path) != op.get("value"):
                raise PatchError(f"testing value {path} failed: test failed")
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc


# --- strategic merge patch -----------------------------------------------------------------------
ORDER, DELETE_PRIMITIVE, RETAIN, DIRECTIVE = "$setElementOrder/", "$deleteFromPrimitiveList/", "$retainKeys", "$patch"


def _clean(value: Any) -> Any:
    """A patch value taken as it is (nothing under it to merge into): its directives dropped."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value if not (isinstance(v, dict) and v.get(DIRECTIVE) == "delete")]
    return copy.deepcopy(value)


def strategic_merge(target: Any, patch: Any, path: tuple[str, ...] = ()) -> Any:
    if not isinstance(patch, dict) or not isinstance(target, dict):
        return _clean(patch)
    directive = patch.get(DIRECTIVE)
    if directive == "replace":
        return _clean(patch)
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise PatchError(f"Unknown patch type: {directive} in map: {patch}")
    out = dict(target)
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            out.pop(key, None)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_list(out[key], value, (*path, key))
        else:
            merged = strategic_merge(out.get(key), value, (*path, key))
            if merged is None:
                out.pop(key, None)
            else:
                out[key] = merged
    for key, value in patch.items():
        if key.startswith(DELETE_PRIMITIVE) and isinstance(out.get(key[len(DELETE_PRIMITIVE):]), list):
            field = key[len(DELETE_PRIMITIVE):]
            out[field] = [v for v in out[field] if v not in value]
        elif key.startswith(ORDER) and isinstance(out.get(key[len(ORDER):]), list):
            field = key[len(ORDER):]
            out[field] = _ordered(out[field], value, merge_key((*path, field))[1])
    if isinstance(patch.get(RETAIN), list):
        out = {k: v for k, v in out.items() if k in patch[RETAIN]}
    return out


def _merge_list(current: list, patch: list, path: tuple[str, ...]) -> list:
    merged, key = merge_key(path)
    if not merged:
        return _clean(patch)
    if any(isinstance(item, dict) and item.get(DIRECTIVE) == "replace" for item in patch):
        return _clean([item for item in patch if not (isinstance(item, dict) and DIRECTIVE in item)])
    if key is None:
        return list(current) + [v for v in patch if v not in current]
    out = [copy.deepcopy(item) for item in current]
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {key}")
        index = next((i for i, old in enumerate(out) if isinstance(old, dict) and old.get(key) == item[key]), None)
        if item.get(DIRECTIVE) == "delete":
            if index is not None:
                out.pop(index)
        elif index is None:
            out.append(_clean(item))
        else:
            out[index] = strategic_merge(out[index], item, path)
    return out


def _ordered(items: list, order: list, key: str | None) -> list:
    """`$setElementOrder`: the listed elements first, in the patch's order, then the rest as they were."""
    def ident(item):
        return item.get(key) if key is not None and isinstance(item, dict) else item

    wanted = [o.get(key) if key is not None and isinstance(o, dict) else o for o in order]
    rank = {value: i for i, value in enumerate(wanted)}
    first = sorted((item for item in items if ident(item) in rank), key=lambda item: rank[ident(item)])
    return first + [item for item in items if ident(item) not in rank]


def removed_by(previous: Any, current: Any, live: Any, path: tuple[str, ...] = ()) -> Any:
    """Server-side apply's removals: fields a manager applied before and no longer applies are taken off
    the live object (maps by key, merged lists by their merge key)."""
    if isinstance(previous, dict) and isinstance(live, dict):
        current = current if isinstance(current, dict) else {}
        out = dict(live)
        for key, value in previous.items():
            if key not in current:
                out.pop(key, None)
            elif key in out:
                out[key] = removed_by(value, current[key], out[key], (*path, key))
        return out
    if isinstance(previous, list) and isinstance(live, list) and isinstance(current, list):
        merged, key = merge_key(path)
        if merged and key is not None:
            kept = {item.get(key) for item in current if isinstance(item, dict)}
            gone = {item.get(key) for item in previous if isinstance(item, dict)} - kept
            return [item for item in live if not (isinstance(item, dict) and item.get(key) in gone)]
    return live
