"""XML, the engine's default format: writing `Obj` trees and reading request bodies.

Requests are parsed with lxml without entity resolution or network access; the `Body` reader
gives the model typed access (strict integers and booleans, like the engine's own parser) and
turns malformed input into the engine's 400 faults, never a traceback.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from ..model.errors import bad_request
from .tree import Obj, Time

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True, huge_tree=False)


def timestamp(epoch: float) -> str:
    """2026-11-22T13:36:06.848+00:00, the engine's date format."""
    dt = datetime.fromtimestamp(epoch, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+00:00"


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Time):
        return timestamp(value.epoch)
    return str(value)


def to_element(obj: Obj) -> etree._Element:
    element = etree.Element(obj.tag)
    for key, value in obj.attrs.items():
        if value is not None:
            element.set(key, scalar(value))
    for name, value in obj.fields:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Obj):
                child = to_element(item)
                child.tag = name
                element.append(child)
            else:
                etree.SubElement(element, name).text = scalar(item)
    return element


DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# What XML 1.0 cannot carry (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/U+FFFF).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return NOT_XML.sub("\ufffd", text)


def _safe_copy(obj: Obj) -> Obj:
    def value(v):
        if isinstance(v, Obj):
            return _safe_copy(v)
        if isinstance(v, list):
            return [value(i) for i in v]
        return xml_safe(v) if isinstance(v, str) else v

    return Obj(xml_safe(obj.tag), {k: value(v) for k, v in obj.attrs.items()}, [(n, value(v)) for n, v in obj.fields])


def render(obj: Obj) -> bytes:
    """Indented by four spaces under the engine's own XML declaration, as the engine writes it. A text XML
    cannot carry (a control character a client put in a value) is written as U+FFFD, so the answer is
    always well-formed; the check costs nothing on the usual path (lxml refuses, then the tree is cleaned)."""
    try:
        element = to_element(obj)
    except ValueError:
        element = to_element(_safe_copy(obj))
    etree.indent(element, space="    ")
    return DECLARATION + etree.tostring(element, encoding="UTF-8") + b"\n"


class Body:
    """Typed, path-based access to a request element: `body.text("data_center/name")`."""

    def __init__(self, element: etree._Element | None):
        self.element = element

    def __bool__(self) -> bool:
        return self.element is not None

    @property
    def tag(self) -> str:
        return self.element.tag if self.element is not None else ""

    def child(self, path: str) -> Body:
        return Body(self.element.find(path) if self.element is not None else None)

    def children(self, path: str) -> list[Body]:
        return [Body(e) for e in self.element.findall(path)] if self.element is not None else []

    def id(self) -> str | None:
        if self.element is None:
            return None
        return self.element.get("id") or self.element.findtext("id") or None

    def text(self, path: str) -> str | None:
        if self.element is None:
            return None
        found = self.element.find(path)
        return found.text if found is not None and found.text is not None else (None if found is None else "")

    def texts(self, path: str) -> list[str]:
        return [e.text or "" for e in self.element.findall(path)] if self.element is not None else []

    def has(self, path: str) -> bool:
        return self.element is not None and self.element.find(path) is not None

    def int(self, path: str) -> int | None:
        raw = self.text(path)
        if raw is None or raw == "":
            return None
        try:
            return int(raw.strip())
        except ValueError:
            raise bad_request(f"Value '{raw}' isn't a valid integer.") from None

    def attr_int(self, path: str, attr: str) -> int | None:
        found = self.element.find(path) if self.element is not None else None
        if found is None:
            return None
        raw = found.get(attr) if found.get(attr) is not None else found.findtext(attr)
        if raw is None:
            return None
        try:
            return int(raw.strip())
        except ValueError:
            raise bad_request(f"Value '{raw}' isn't a valid integer.") from None

    def bool(self, path: str) -> bool | None:
        raw = self.text(path)
        if raw is None or raw == "":
            return None
        value = raw.strip().lower()
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        raise bad_request(f"Value '{raw}' isn't a valid boolean, it should be 'true' or 'false'.")


def parse(data: bytes) -> Body:
    """The request's element; anything lxml cannot read (bad syntax, bytes that are not UTF-8, nesting
    deeper than libxml2's 256 levels, a text over 10 MB) is the engine's 400."""
    if not data or not data.strip():
        return Body(None)
    try:
        return Body(etree.fromstring(data, _PARSER))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise bad_request(f"The XML document can't be parsed: {xml_safe(str(exc))}", reason="Invalid XML") from None
