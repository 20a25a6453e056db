"""The sync: what the APIC holds under the controller's tag, diffed by key against the desired state.

As the real controller does (research cni-nodeprep.md §A2): objects of a key that are missing or
differ are POSTed whole; tagged objects no longer wanted are DELETEd (the topmost of them only: a
delete takes the subtree); an object deleted behind its back, pushed as `deleted`, is posted again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .apic import ApicClient, ApicError
from .desired import TAG_KEY, Mo


@dataclass
class SyncResult:
    posted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def flatten(imdata: list[dict], parent: str = "", into: dict[str, tuple[str, dict]] | None = None) -> dict:
    """DN -> (class, attributes) of a reply with full subtrees."""
    out = {} if into is None else into
    for mo in imdata:
        cls, body = next(iter(mo.items()))
        attrs = body.get("attributes", {})
        dn = attrs.get("dn") or f"{parent}/{attrs.get('rn', '')}"
        out[dn] = (cls, attrs)
        flatten(body.get("children", []), dn, out)
    return out


def _under(dn: str, top: str) -> bool:
    return dn == top or dn.startswith(top + "/")


class Reconciler:
    """Keeps the APIC at the desired state of one controller (its prefix names its tags)."""

    def __init__(self, apic: ApicClient, prefix: str, scopes: list[str]):
        self.apic = apic
        self.prefix = prefix
        self.scopes = scopes
        self.tag_pattern = re.compile(rf"^{re.escape(prefix)}-[0-9a-f]{{32}}$")
        self.desired: dict[str, list[Mo]] = {}

    def tagged(self) -> set[str]:
        """DNs of the objects carrying the controller's tag."""
        reply = self.apic.get(f'/api/node/class/tagAnnotation.json?query-target-filter=eq(tagAnnotation.key,"{TAG_KEY}")')
        suffix = f"/annotationKey-[{TAG_KEY}]"
        return {attrs["dn"][: -len(suffix)] for mo in reply.get("imdata", [])
                for attrs in (mo["tagAnnotation"]["attributes"],)
                if attrs.get("dn", "").endswith(suffix) and self.tag_pattern.match(attrs.get("value", ""))}

    def current(self) -> dict[str, tuple[str, dict]]:
        found: dict[str, tuple[str, dict]] = {}
        for scope in self.scopes:
            try:
                reply = self.apic.get(f"/api/mo/{scope}.json?rsp-subtree=full")
            except ApicError as exc:  # a scope not there yet holds nothing
                if exc.status != 404:
                    raise
                continue
            flatten(reply.get("imdata", []), into=found)
        return found

    def sync(self, desired: dict[str, list[Mo]]) -> SyncResult:
        self.desired = desired
        result = SyncResult()
        have = self.current()
        tagged = self.tagged()
        wanted: set[str] = set()
        for key in sorted(desired):
            for top in sorted(desired[key], key=lambda m: m.dn):
                wanted.update(mo.dn for mo in top.walk())
                if any(_differs(mo, have.get(mo.dn)) for mo in top.walk()):
                    self.apic.post(top.dn, top.body())
                    result.posted.append(top.dn)
        extras = sorted(dn for dn in tagged if dn not in wanted)
        for dn in extras:
            if any(_under(dn, other) for other in result.deleted):
                continue
            self.apic.delete(dn)
            result.deleted.append(dn)
        return result

    def restore(self, deleted_dn: str) -> list[str]:
        """Post again what a `deleted` push took away (the object's key, or the keys under it)."""
        posted = []
        for key in sorted(self.desired):
            for top in self.desired[key]:
                if _under(top.dn, deleted_dn) or _under(deleted_dn, top.dn):
                    self.apic.post(top.dn, top.body())
                    posted.append(top.dn)
        return sorted(posted, key=len)


def _differs(mo: Mo, found: tuple[str, dict] | None) -> bool:
    if found is None:
        return True
    cls, attrs = found
    return cls != mo.cls or any(attrs.get(k, "") != v for k, v in mo.attrs.items())
