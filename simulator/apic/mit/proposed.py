"""A write's payload as MOs: what a client (or the controller itself) proposes the tree should hold.

The one place that reads APIC's JSON shape `{cls: {"attributes": {...}, "children": [...]}}`, be it
a Python mapping (boot tree, topology, fixtures, managers) or the key/value pairs the JSON codec
decodes a request body into (kept as pairs so that key order and repeated keys stay as sent). So an
internal write never round-trips through JSON text, and both answer malformed input alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import errors

#: How deep a payload may nest MOs. The MIT's deepest DNs hold about 20 RNs, so no real payload nests
#: further; the bound keeps a hostile body (thousands of levels) from exhausting Python's stack.
MAX_DEPTH = 64


@dataclass
class ProposedMO:
    """One MO of a request body, as the client sent it (values already strings)."""

    cls: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[ProposedMO] = field(default_factory=list)


def proposed_mo(node: Mapping[str, Any] | list[tuple[str, Any]], depth: int = 0) -> ProposedMO:
    """The MO of one `{cls: body}` node; APIC's parse errors for anything else."""
    if depth >= MAX_DEPTH:
        raise errors.nesting_too_deep(MAX_DEPTH)
    items = _members(node)
    if items is None or len(items) != 1:
        raise errors.incomplete_node(1)
    cls, body = items[0]
    return _mo(str(cls), body, depth)


def _mo(cls: str, body: Any, depth: int) -> ProposedMO:
    members = _members(body)
    if members is None:
        raise errors.incomplete_node(1)
    keys = [key for key, _ in members]
    if keys and keys[0] != "attributes":
        raise errors.attributes_first() if "children" in keys else errors.incomplete_node(1)
    attrs: dict[str, str] = {}
    children: list[ProposedMO] = []
    for key, value in members:
        if key == "attributes":
            pairs = _members(value)
            if pairs is None:
                raise errors.incomplete_node(1)
            attrs = {str(k): _scalar(v) for k, v in pairs}
        elif key == "children":
            if not isinstance(value, list):
                raise errors.incomplete_node(1)
            children.extend(proposed_mo(child, depth + 1) for child in value)
        else:
            raise errors.incomplete_node(1)
    return ProposedMO(cls, attrs, children)


def _members(value: Any) -> list[tuple[str, Any]] | None:
    """An object's (key, value) members: a mapping's items, or the codec's decoded pairs."""
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, list) and all(isinstance(pair, tuple) and len(pair) == 2 for pair in value):
        return value
    return None


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):
        raise errors.json_parse_failed("incomplete attribute value at line: 1")
    return "" if value is None else str(value)
