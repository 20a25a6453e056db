"""APIC's wire formats: request bodies in, `imdata` envelopes out, in JSON and XML.

The format is chosen by the URL suffix alone (APIC ignores Content-Type and Accept), so bodies
are parsed by content whatever header came with them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree

from . import errors
from .mit.proposed import MAX_DEPTH, ProposedMO, proposed_mo

# A rendered MO: {"fvTenant": {"attributes": {...}, "children": [...]}}
Node = dict[str, Any]

# the headers the APIC's nginx sends with every answer of the REST API, errors included (apic-rest.md)
SECURITY_HEADERS = {
    "Access-Control-Allow-Headers": "Origin, X-Requested-With, Content-Type, Accept, devcookie, APIC-challenge",
    "Access-Control-Allow-Methods": "POST,GET,OPTIONS,DELETE",
    "X-Frame-Options": "SAMEORIGIN",
    "Strict-Transport-Security": "max-age=31536000; includeSubdomains",
    "Cache-Control": 'no-cache="Set-Cookie, Set-Cookie2"',
    "Client-Cert-Enabled": "false",
}



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
        # objects as (key, value) pairs: the order and any repeated key stay as the client sent them;
        # numbers keep the text the client wrote (all values are strings on the wire, and a 5,000-digit
        # integer is no reason to fail)
        doc = json.loads(text, object_pairs_hook=list, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise errors.json_parse_failed(f"{exc.msg} at line: {exc.lineno}") from None
    except RecursionError:
        raise errors.nesting_too_deep(MAX_DEPTH) from None
    if not _utf8(doc):
        raise errors.json_parse_failed("invalid unicode escape (a lone surrogate) at line: 1")
    return proposed_mo(doc)


def _utf8(doc: Any) -> bool:
    """Whether every string of a decoded body is encodable text (JSON's \\ud800 escapes decode to lone
    surrogates, which no answer could carry)."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return False
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return True


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


def _xml_mo(el, depth: int = 0) -> ProposedMO:
    if depth >= MAX_DEPTH:
        raise errors.nesting_too_deep(MAX_DEPTH)
    tag = etree.QName(el).localname
    return ProposedMO(
        tag,
        {str(k): str(v) for k, v in el.attrib.items()},
        [_xml_mo(c, depth + 1) for c in el if isinstance(c.tag, str)],
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
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate echoed from a percent-decoded URL: escaped instead
            text = json.dumps(doc, separators=(",", ":"))
    return text


def render_error(err: errors.ApicError, fmt: str) -> str:
    return render([{"error": {"attributes": {"code": err.code, "text": err.text}}}], fmt)


def render_xml(imdata: list[Node], total: int, extra: dict[str, str] | None = None) -> str:
    root = etree.Element("imdata", totalCount=str(total))
    for key, value in (extra or {}).items():
        root.set(key, _xml_text(value))
    for node in imdata:
        _xml_node(root, node)
    body = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>' + body


def _xml_node(parent, node: Node) -> None:
    ((cls, body),) = node.items()
    el = etree.SubElement(parent, cls)
    for key, value in body.get("attributes", {}).items():
        el.set(key, _xml_text(value))
    for child in body.get("children", ()):
        _xml_node(el, child)


# what XML 1.0 cannot carry, even as a character reference: C0 controls but tab/newline/return, lone
# surrogates, U+FFFE and U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    """`value` as an XML attribute can hold it. Writes refuse such characters in the values they check, but
    an error text echoes what the client sent (`Invalid value for query-target: \\x01`): those characters
    are written as JSON writes them (`\\u0001`), so the answer stays parsable XML."""
    if value.isascii() and value.isprintable():
        return value
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
