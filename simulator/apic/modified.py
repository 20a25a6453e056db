"""The reply to a write with `rsp-subtree=modified`: what really changed, as a tree under the posted MO.

Ansible's aci_rest decides `changed` by scanning this reply for a status of created, modified or
deleted, so an MO appears here only when an event says it changed; a no-op POST answers nothing.
The shape is the one ansible-aci's aci_rest integration tests record from real APICs (json_inline.yml):
the posted object with its `dn` and `"rn": ""`, its changed descendants nested with their `rn`.
"""

from __future__ import annotations

from collections.abc import Callable

from .mit.dn import is_ancestor, rn_of, split_dn
from .mit.store import Event
from .mit.writes import WriteResult


def modified_tree(result: WriteResult, class_of: Callable[[str], str]) -> list[dict]:
    """`class_of(dn)` names the class of an unchanged MO that links a change to the root."""
    root_dn = result.root_dn
    changes: dict[str, Event] = {}
    for event in result.events:
        if event.dn == root_dn or is_ancestor(root_dn, event.dn):
            changes.setdefault(event.dn, event)
    if not changes:
        return []
    root_depth = len(split_dn(root_dn))
    nodes: dict[str, dict] = {}

    def body_of(dn: str, cls: str) -> dict:
        if dn not in nodes:
            # the posted object carries its dn and an empty rn, the MOs below it their rn alone
            naming = {"dn": dn, "rn": ""} if dn == root_dn else {"rn": rn_of(dn)}
            nodes[dn] = {cls: {"attributes": {**naming, "status": ""}}}
        return next(iter(nodes[dn].values()))

    for event in sorted(changes.values(), key=lambda e: len(split_dn(e.dn))):
        attrs = body_of(event.dn, event.cls)["attributes"]
        attrs.update({k: v for k, v in _reported(event).items() if k not in ("dn", "rn", "status")})
        attrs["status"] = event.kind
        rns = split_dn(event.dn)
        for depth in range(len(rns) - 1, root_depth - 1, -1):
            child = "/".join(rns[: depth + 1])
            parent = "/".join(rns[:depth])
            kids = body_of(parent, changes[parent].cls if parent in changes else class_of(parent))
            siblings = kids.setdefault("children", [])
            if nodes[child] not in siblings:
                siblings.append(nodes[child])
            if parent in changes or parent == root_dn:
                break
    return [nodes[root_dn]] if root_dn in nodes else []


def _reported(event: Event) -> dict[str, str]:
    """What a changed MO shows: a created one every property, a modified one what changed, a deleted one
    the properties it had (ansible-aci aci_rest test json_inline.yml: the deleted lacpIfPol and fvTenant
    answer their annotation, descr, name and prio)."""
    if event.kind == "deleted":
        return event.mo.values() if event.mo is not None else {}
    return event.changed
