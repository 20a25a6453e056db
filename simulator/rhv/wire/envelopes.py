"""The engine's envelopes: an action's reply (the request's <action> echoed, the job it started,
<status>complete</status>), a <fault>, and a failed action (the fault inside an <action>)."""

from __future__ import annotations

from lxml import etree

from .tree import Obj, ref
from .xml_codec import Body


def echo(body: Body) -> list[tuple[str, object]]:
    """The request's <action> children as they came, for the engine's echoing reply."""
    if not body:
        return []
    return [(child.tag, _to_obj(child)) for child in body.element
            if isinstance(child.tag, str) and child.tag not in ("status", "job", "fault")]


def _to_obj(element: etree._Element):
    if len(element) == 0 and not element.attrib:
        return element.text or ""
    obj = Obj(element.tag, dict(element.attrib))
    for child in element:
        if isinstance(child.tag, str):
            obj.add(child.tag, _to_obj(child))
    return obj


def action(echoed: list[tuple[str, object]], job_href: str | None = None, job_id: str | None = None) -> Obj:
    o = Obj("action", fields=list(echoed))
    if job_id is not None:
        o.add("job", ref("job", job_href, job_id))
    return o.add("status", "complete")


def fault(reason: str, detail: str) -> Obj:
    return Obj("fault").add("reason", reason).add("detail", detail)


def failed_action(reason: str, detail: str) -> Obj:
    return Obj("action").add("fault", fault(reason, detail)).add("status", "failed")
