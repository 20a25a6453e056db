"""Relation resolution: what an Rs object points at, and whether that target exists.

Named relations (fvRsBd.tnFvBDName) look for the target in the source's tenant, then in tenant
common; an empty name means `default`. Explicit relations carry the target DN (fvRsDomAtt.tDn).
Each relation watches the DNs it could resolve to, so it flips between `formed` and
`missing-target` when a target appears or goes, in the same transaction as that change.

A formed relation of a class in BACK_REFERENCES also gives its target the APIC's back-reference (an Rt
object naming the relation's owner, e.g. a VRF's fvRtCtx rtctx-[<BD dn>]), which goes when the relation is
deleted or stops resolving to that target. Clients read them (the aci-containers controller checks that its
pod and node BDs are in the VRF through the VRF's fvRtCtx, cni-nodeprep.md A2).
"""

from __future__ import annotations

from ..mit.catalog import Catalog, ClassMeta
from ..mit.dn import child_dn, is_ancestor, parent_dn, rn_of
from ..mit.store import MO, Event, Store, Transaction

COMMON = "uni/tn-common"  # where a named relation looks when its own tenant has no such target
# relation class -> the back-reference class its target holds (one per owner, named by the owner's DN)
BACK_REFERENCES = {"fvRsCtx": "fvRtCtx", "l3extRsEctx": "fvRtEctx"}


class RelationResolver:
    def __init__(self, store: Store):
        self.store = store
        self.catalog: Catalog = store.catalog
        self.watchers: dict[str, set[str]] = {}  # target dn -> relation dns that may resolve to it
        self.watching: dict[str, tuple[str, ...]] = {}  # relation dn -> target dns it watches
        self.back: dict[str, str] = {}  # relation dn -> the back-reference it gave its target
        self._home_cache: dict[str, tuple[str, ...]] = {}  # class -> its fixed homes (_homes)
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        recheck: dict[str, None] = {}
        for event in events:
            meta = self.catalog.classes.get(event.cls)
            if event.kind == "deleted":
                self._unwatch(event.dn)
                if event.dn not in self.store:  # gone for good, not written again in the same write (a restore)
                    self._back_reference(txn, event.dn, None)
            elif meta is not None and meta.relation is not None:
                if event.kind == "created" or _touches_target(meta, event.changed):
                    recheck[event.dn] = None
            if event.kind != "modified":
                for rel_dn in self.watchers.get(event.dn, ()):
                    recheck[rel_dn] = None
        for rel_dn in recheck:
            mo = self.store.get(rel_dn)
            if mo is not None:
                self.resolve(txn, mo)

    def resolve(self, txn: Transaction, mo: MO) -> None:
        rel = mo.meta.relation
        target_meta = self.catalog.classes.get(rel.to)
        if rel.kind == "named":
            name = mo.get(rel.target_prop)
            candidates = self._named_candidates(mo, target_meta, name or "default")
            found = next((dn for dn in candidates if dn in self.store), None)
            t_dn = found or (candidates[0] if candidates else "")
            qual = "default-target" if found and not name else "none"
            t_cl = rel.to
        else:
            t_dn = mo.get("tDn")
            candidates = (t_dn,) if t_dn else ()
            found = t_dn if t_dn and t_dn in self.store else None
            target = self.store.get(t_dn) if found else self.catalog.class_of_dn(t_dn) if t_dn else None
            t_cl = target.cls if isinstance(target, MO) else target.name if target is not None else rel.to
            qual = "none"
        self._watch(mo.dn, candidates)
        updates = {
            "tCl": t_cl,
            "tRn": rn_of(t_dn),
            "state": "formed" if found else "missing-target",
            "stateQual": qual if found else "none",
        }
        if rel.kind == "named":
            updates["tDn"] = t_dn
        txn.modify(mo, {k: v for k, v in updates.items() if k in mo.meta.props})
        if mo.cls in BACK_REFERENCES:
            self._back_reference(txn, mo.dn, found and (self.catalog.classes[BACK_REFERENCES[mo.cls]], found, mo))

    def _back_reference(self, txn: Transaction, rel_dn: str, wanted) -> None:
        """Keep the back-reference of one relation: `wanted` is (its class, the target's DN, the relation),
        or nothing when the relation is gone or resolves to no target."""
        old = self.back.get(rel_dn)
        new = None
        if wanted:
            meta, target_dn, rel = wanted
            owner = parent_dn(rel.dn)
            owner_mo = self.store.get(owner)
            new = child_dn(target_dn, meta.rn.format({"tDn": owner}))
        if old == new and (new is None or new in self.store):
            return
        if old is not None and old in self.store:
            txn.delete(old)
        self.back.pop(rel_dn, None)
        if new is not None:
            if new not in self.store:
                txn.create(meta, new, {"tDn": owner, "tCl": owner_mo.cls if owner_mo is not None else ""})
            self.back[rel_dn] = new

    def _named_candidates(self, source: MO, target: ClassMeta | None, name: str) -> tuple[str, ...]:
        """The DNs a named relation may resolve to, the one to prefer first (the first is also the DN a
        missing target is reported at). A source in a tenant looks in its tenant, then in common
        (apic-rest.md §3.6); one outside every tenant looks in the fixed home of the target class that holds
        the source (a policy group in uni/infra finds uni/infra/lldpIfP-default, not the fabric's), else in
        the class's first fixed home, else in common where the class may live in a tenant."""
        if target is None or target.rn is None or len(target.naming) != 1:
            return ()
        rn = target.rn.format({target.naming[0]: name})
        tenant = self._tenant_of(source)
        in_tenant = "fvTenant" in target.parents
        if tenant is not None and in_tenant:
            return tuple(dict.fromkeys(child_dn(home, rn) for home in (tenant, COMMON)))
        homes = self._homes(target.name)
        around = [home for home in homes if is_ancestor(home, source.dn)]
        if around:
            homes = (max(around, key=len),)
        elif in_tenant:
            homes = (COMMON,)
        return tuple(child_dn(home, rn) for home in homes[:1])

    def _tenant_of(self, mo: MO) -> str | None:
        """The DN of the tenant an MO lives in, found by class on its way up the tree."""
        dn = parent_dn(mo.dn)
        while dn:
            above = self.store.get(dn)
            if above is not None and above.cls == "fvTenant":
                return dn
            dn = parent_dn(dn)
        return None

    def _homes(self, cls: str) -> tuple[str, ...]:
        """The DNs where an MO of a class may live with every RN above it fixed (uni/infra, uni/fabric), in the
        order of the class's parents; a parent named by a value (a tenant, a path) gives none."""
        homes = self._home_cache.get(cls)
        if homes is None:
            self._home_cache[cls] = ()  # a containment cycle ends here
            found: list[str] = []
            for name in self.catalog.classes[cls].parents:
                parent = self.catalog.classes.get(name)
                if parent is None or parent.rn is None or parent.rn.props:
                    continue
                above = ("",) if parent.name == "topRoot" else self._homes(parent.name)
                found.extend(child_dn(dn, parent.rn.text) if parent.rn.text else dn for dn in above)
            homes = self._home_cache[cls] = tuple(dict.fromkeys(found))
        return homes

    def _watch(self, rel_dn: str, targets: tuple[str, ...]) -> None:
        old = self.watching.get(rel_dn, ())
        if old == targets:
            return
        self._unwatch(rel_dn)
        self.watching[rel_dn] = targets
        for t in targets:
            self.watchers.setdefault(t, set()).add(rel_dn)

    def _unwatch(self, rel_dn: str) -> None:
        for t in self.watching.pop(rel_dn, ()):
            bucket = self.watchers.get(t)
            if bucket is not None:
                bucket.discard(rel_dn)
                if not bucket:
                    del self.watchers[t]


def _touches_target(meta: ClassMeta, changed: dict[str, str]) -> bool:
    return meta.relation.target_prop in changed or "tDn" in changed and meta.relation.kind == "explicit"
