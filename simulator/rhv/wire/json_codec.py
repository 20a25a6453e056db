"""JSON, for clients that send `Accept: application/json`, in the engine's JSON shape.

Collections are `{"vm": [...]}` (named after the item, `{}` when empty), entities are flat
objects with `id`/`href`, links are `"link": [{"href", "rel"}]`. As the engine writes it,
booleans are the strings "true"/"false", dates are epoch milliseconds and integers are numbers.
A JSON request body is turned into the same element the XML reader produces, so the model has
one input path. As the engine's generated JSON readers skip members they do not know, a key that
can be no XML element name (`"1a"`, `"a b"`, `""`) names no field and is skipped; a text XML cannot
carry (a control character, a lone surrogate) is refused, as the XML reader refuses it, and so is
nesting deeper than `MAX_DEPTH`.
"""

from __future__ import annotations

import json

from lxml import etree

from ..model.errors import bad_request
from .tree import Obj, Time
from .xml_codec import NOT_XML, Body

ATTRIBUTES = ("id", "href", "rel")
MAX_DEPTH = 64  # far deeper than any type of the API (a host's setupnetworks is about 8 levels)


def _value(value):
    if isinstance(value, Obj):
        return to_dict(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Time):
        return int(round(value.epoch * 1000))
    return value


def to_dict(obj: Obj) -> dict:
    out: dict = {}
    for key, value in obj.attrs.items():
        if value is not None:
            out[key] = value
    for name, value in obj.fields:
        if isinstance(value, list):
            out.setdefault(name, []).extend(_value(v) for v in value)
        elif name in out:
            existing = out[name]
            out[name] = (existing if isinstance(existing, list) else [existing]) + [_value(value)]
        else:
            out[name] = _value(value)
    return out


def render(obj: Obj) -> bytes:
    return json.dumps(to_dict(obj), indent=2).encode("utf-8")


def _build(parent: etree._Element, name: str, value) -> None:
    if isinstance(value, list):
        for item in value:
            _build(parent, name, item)
        return
    try:
        child = etree.SubElement(parent, name)
    except ValueError:
        return  # no XML name, so no field of the API: skipped like any unknown member
    _fill(child, value)


def _fill(element: etree._Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ATTRIBUTES and not isinstance(item, (dict, list)):
                element.set(key, _text(item))
            else:
                _build(element, key, item)
    elif value is not None:
        element.text = _text(value)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if NOT_XML.search(text):
        bad = NOT_XML.search(text).group()
        raise bad_request(f"The JSON document contains the character U+{ord(bad):04X}, which a value can't carry",
                          reason="Invalid JSON")
    return text


def _depth(document) -> int:
    """How deeply the document nests (iteratively: a hostile document must not exhaust the stack)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


def too_deep():
    return bad_request(f"The JSON document nests deeper than {MAX_DEPTH} levels", reason="Invalid JSON")


def parse(data: bytes, root_tag: str) -> Body:
    if not data or not data.strip():
        return Body(None)
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"The JSON document can't be parsed: {exc}", reason="Invalid JSON") from None
    except RecursionError:
        raise too_deep() from None
    if _depth(document) > MAX_DEPTH:
        raise too_deep()
    if not isinstance(document, dict):
        raise bad_request("The JSON document must be an object", reason="Invalid JSON")
    root = etree.Element(root_tag)
    _fill(root, document)
    return Body(root)
