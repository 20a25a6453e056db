"""/events: the audit log, newest first, with `from=N` (what happened after event N), search by
severity (ranked, so `severity>normal` works) and type (the event's code), and removal."""

from __future__ import annotations

from ..model.errors import bad_request
from ..wire.tree import Obj, Time
from .common import name_of
from .context import int_parameter
from .registry import ApiReply, Collection, Resource
from .search import SearchError
from .search import parse as parse_search

SEVERITY_RANK = {"normal": 0, "warning": 1, "error": 2, "alert": 3}


def render(ctx, event) -> Obj:
    o = Obj("event", {"href": ctx.href("events", str(event.id)), "id": str(event.id)})
    o.add("description", event.description).add("code", event.code)
    o.add("correlation_id", event.correlation_id or None)
    o.add("custom_id", -1).add("flood_rate", 30).add("origin", "oVirt").add("severity", event.severity)
    o.add("time", Time(event.time))
    for tag, path in (("cluster", "clusters"), ("data_center", "datacenters"), ("host", "hosts"), ("vm", "vms"),
                      ("user", "users")):
        o.add(tag, ctx.ref(tag, path, event.refs.get(tag)))
    return o


def search(ctx) -> dict:
    inv = ctx.inv
    return {"severity": lambda e: SEVERITY_RANK[e.severity], "type": lambda e: e.code, "id": lambda e: e.id,
            "correlation_id": lambda e: e.correlation_id,
            "vm.name": lambda e: name_of(inv.vms, e.refs.get("vm")),
            "host.name": lambda e: name_of(inv.hosts, e.refs.get("host"))}


def select(ctx, events: list) -> list:
    query = ctx.req.query
    since = int_parameter(query.get("from"))
    if since is not None and since >= 0:
        events = [e for e in events if e.id > since]
    events = list(reversed(events))
    if query.get("search"):
        try:
            parsed = parse_search(query["search"])
            for term in (t for group in parsed.groups for t in group):
                if term.field.lower() == "severity" and term.value.lower() in SEVERITY_RANK:
                    term.value = str(SEVERITY_RANK[term.value.lower()])
            events = parsed.select(events, search(ctx), query.get("case_sensitive", "false").lower() == "true")
        except SearchError as exc:
            raise bad_request(str(exc), reason="Invalid search query") from None
    limit = ctx.max()
    return events[:limit] if limit is not None else events


def _get(ctx, _parent, event_id: str):
    number = int_parameter(event_id)
    return ctx.engine.audit.get(number) if number is not None else None


def _remove(ctx, event) -> ApiReply:
    ctx.engine.remove_event(event.id)
    return ctx.done()


RESOURCE = Resource("event", render, remove=_remove)
ROOT = Collection("events", "events", "event", list=lambda ctx, _: list(ctx.engine.audit.events), get=_get,
                  search=search, select=select)
