"""APIC's wire formats: request bodies in, `imdata` envelopes out, in JSON and XML.

The format is chosen by the URL suffix alone (APIC ignores Content-Type and Accept), so bodies
are parsed by content whatever header came with them.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from . import errors
from .mit.proposed import ProposedMO, proposed_mo

# A rendered MO: {"fvTenant": {"attributes": {...}, "children": [...]}}
Node = dict[str, Any]


# --- request bodies ---------------------------------------------------------------------------
def parse_body(raw: bytes, fmt: str) -> ProposedMO:
    if fmt == "xml":
        return parse_xml_body(raw)
    return parse_json_body(raw)


def parse_json_body(raw: bytes | str) -> ProposedMO:
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    if not text.strip():
        raise errors.json_parse_failed("empty request body")
    try:
        # objects as (key, value) pairs: the order and any repeated key stay as the client sent them
        doc = json.loads(text, object_pairs_hook=list)
    except json.JSONDecodeError as exc:
        raise errors.json_parse_failed(f"{exc.msg} at line: {exc.lineno}") from None
    return proposed_mo(doc)


_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def parse_xml_body(raw: bytes | str) -> ProposedMO:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if not data.strip():
        raise errors.xml_parse_failed("empty request body")
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise errors.xml_parse_failed(str(exc)) from None
    return _xml_mo(root)


def _xml_mo(el) -> ProposedMO:
    tag = etree.QName(el).localname
    return ProposedMO(
        tag,
        {str(k): str(v) for k, v in el.attrib.items()},
        [_xml_mo(c) for c in el if isinstance(c.tag, str)],
    )


def parse_login_body(raw: bytes, fmt: str) -> dict[str, str]:
    """The aaaUser attributes of a login/refresh/logout body (name, pwd)."""
    mo = parse_body(raw, fmt)
    if mo.cls not in ("aaaUser", "aaaAppToken"):
        raise errors.bad_request(f"unknown managed object class {mo.cls} in login request", 400)
    return mo.attrs


# --- responses --------------------------------------------------------------------------------
def render(imdata: list[Node], fmt: str, total: int | None = None, extra: dict[str, str] | None = None) -> str:
    total = len(imdata) if total is None else total
    if fmt == "xml":
        return render_xml(imdata, total, extra)
    doc: dict[str, Any] = {"totalCount": str(total)}
    if extra:
        doc.update(extra)
    doc["imdata"] = imdata
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def render_error(err: errors.ApicError, fmt: str) -> str:
    return render([{"error": {"attributes": {"code": err.code, "text": err.text}}}], fmt)


def render_xml(imdata: list[Node], total: int, extra: dict[str, str] | None = None) -> str:
    root = etree.Element("imdata", totalCount=str(total))
    for key, value in (extra or {}).items():
        root.set(key, value)
    for node in imdata:
        _xml_node(root, node)
    body = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>' + body


def _xml_node(parent, node: Node) -> None:
    ((cls, body),) = node.items()
    el = etree.SubElement(parent, cls)
    for key, value in body.get("attributes", {}).items():
        el.set(key, value)
    for child in body.get("children", ()):
        _xml_node(el, child)

