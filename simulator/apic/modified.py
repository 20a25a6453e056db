"""The reply to a write with `rsp-subtree=modified`: what really changed, as a tree under the posted MO.

Ansible's aci_rest decides `changed` by scanning this reply for a status of created, modified or
deleted, so an MO appears here only when an event says it changed; a no-op POST answers nothing.
The shape is the one ansible-aci's aci_rest integration tests record from real APICs (json_inline.yml):
the posted object with its `dn` and `"rn": ""`, its changed descendants nested with their `rn`, each
level in the order every other answer lists children (mit/child_order.py): the same tests post a tenant
with [fvCtx, fvAp [fvAEPg]] and read `fvTenant.children.0.fvAp` and `fvTenant.children.2.fvCtx`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .mit.child_order import child_order
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
    if root_dn not in nodes:
        return []
    _arrange(nodes[root_dn])
    return [nodes[root_dn]]


class _Sibling(NamedTuple):
    """One node of the reply where the child order rule expects an MO: the rule reads only `cls`."""

    cls: str
    node: dict


def _arrange(node: dict) -> None:
    """Order the children of `node` and of every node below it as the APIC lists them. The children
    were added in event order, which is the order the write created them in, the rule's input."""
    cls, body = next(iter(node.items()))
    children = body.get("children")
    if not children:
        return
    siblings = [_Sibling(next(iter(child)), child) for child in children]
    body["children"] = [sibling.node for sibling in child_order().arrange(cls, siblings)]
    for child in body["children"]:
        _arrange(child)


def _reported(event: Event) -> dict[str, str]:
    """What a changed MO shows: a created one every property, a modified one what changed, a deleted one
    the properties it had (ansible-aci aci_rest test json_inline.yml: the deleted lacpIfPol and fvTenant
    answer their annotation, descr, name and prio)."""
    if event.kind == "deleted":
        return event.mo.values() if event.mo is not None else {}
    return event.changed
