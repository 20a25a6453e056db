"""One representation, two wire formats: what an engine object looks like before it is XML or JSON.

An `Obj` is an element: a tag, the two attributes the API model allows (`id`, `href`; plus the
few exceptions such as `<vlan id=.../>`), and ordered fields. A field whose value is a Python
list is a repeated element in XML and an array in JSON (the engine's `{"vm": [...]}` shape).
Typed leaves (bool, int, `Time`) are written the way each format wants them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Time:
    """An instant (epoch seconds): ISO-8601 with milliseconds in XML, epoch milliseconds in JSON."""

    epoch: float


@dataclass
class Obj:
    tag: str
    attrs: dict = field(default_factory=dict)
    fields: list = field(default_factory=list)

    def add(self, name: str, value) -> Obj:
        """Append a field; None means absent (the engine omits unset attributes)."""
        if value is not None:
            self.fields.append((name, value))
        return self

    def get(self, name: str):
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def replace(self, name: str, value) -> None:
        self.fields = [(k, value if k == name else v) for k, v in self.fields]

    def drop(self, name: str) -> None:
        self.fields = [(k, v) for k, v in self.fields if k != name]


def ref(tag: str, href: str, entity_id: str) -> Obj:
    """A reference to another entity: `<cluster href=... id=.../>`."""
    return Obj(tag, {"href": href, "id": entity_id})


def link(href: str, rel: str) -> Obj:
    return Obj("link", {"href": href, "rel": rel})


def collection(tag: str, item_tag: str, items: list[Obj]) -> Obj:
    return Obj(tag, fields=[(item_tag, items)] if items else [])
