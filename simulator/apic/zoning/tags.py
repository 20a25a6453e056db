"""pcTags and segment ids as the APIC allocates them, written onto the objects a real APIC shows them on.

Confirmed (VEC D2; apic-rest.md §5): `fvAEPg.pcTag`, `l3extInstP.pcTag`, `fvBD.pcTag`/`seg`,
`fvCtx.pcTag`/`scope`/`seg`; 1-15 are system classes, 16-16385 are global (shared-service providers,
unique fabric-wide), 16386-65535 are local (reused in every VRF); 0 is `any` (vzAny's pcTag reads `any`,
CAT), 15 the L3Out 0.0.0.0/0 prefix class. EPG, BD and external EPG `scope` read the VRF's VNID (VEC D1:
fvBD scope = VRF VNID, seg = BD VNID; actrlScope id = the VRF's VNID); an EPG's leaf deployment (fvEpP
`uni/epp/fv-[E]`) carries the EPG's pcTag and scopeId (VEC D1, the EPG-to-pcTag tables tools read).

Inferred / chosen here: a local tag is the lowest one free in the group's VRF (an EPG whose BD or VRF does
not resolve yet takes one from the unresolved pool and keeps it when it lands in a VRF where it is free); a
provider EPG or external EPG of a contract of scope tenant or global consumed from another VRF takes the
lowest free global tag, and goes back to a local one when that stops; VRF VNIDs are 2097152 + 32768·k
(the spacing of the real ids 2523136, 2818048, 3014656 of VEC D1), filling in between once those run
out; `seg` of a VRF equals its VNID; BD VNIDs count up from 15728640; tn-infra/ctx-overlay-1 is 16777199
(the infra VRF's well-known VNID). A tag once given stays with its object across unrelated changes, and a
write that brings a tag with it (a restored state) keeps it when it is free.

The allocator keeps its books in memory, as the APIC's own allocator does; a write rolled back after this
hook ran (an error in a later manager) can leave the books out of step with the objects of that write (a tag
booked for an object that never got it, or given back while the object kept it) until those objects change
again; not modelled further.

A store hook: it reacts to the creation of VRFs, BDs and groups, to the relations that place a group in a
VRF, and to the consumption relations and contract scopes that make a provider shared, and writes the
values through the transaction (so GET replies and subscriptions see them as the APIC's own changes).
"""

from __future__ import annotations

from ..mit.dn import parent_dn
from ..mit.store import Event, Store, Transaction
from . import model

LOCAL = (16386, 65535)
GLOBAL = (16, 16385)
VRF_BASE, VRF_STEP, VNID_MAX = 2097152, 32768, 16777199
BD_BASE = 15728640
INFRA_VRF, INFRA_VNID = "uni/tn-infra/ctx-overlay-1", 16777199
GLOBAL_NS = "global"
EPP = "uni/epp"
UNRESOLVED_NS = ""
TAGGED = ("fvCtx", "fvBD", "fvAEPg", "l3extInstP")
RESOLVED = {"tDn", "state"}  # a relation's target changed or came to exist
CONTRACT_RELS = ("fvRsProv", "fvRsCons", "fvRsConsIf", "vzRsAnyToCons", "vzRsAnyToConsIf", "vzRsIf")


class _Pool:
    """Numbers of one range by owner, lowest free first."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high
        self.owner: dict[int, str] = {}
        self.next_free = low

    def take(self, owner: str, wanted: int | None = None) -> int:
        if wanted is not None and self.low <= wanted <= self.high and self.owner.get(wanted, owner) == owner:
            self.owner[wanted] = owner
            return wanted
        n = self.next_free
        while n in self.owner:
            n += 1
        if n > self.high:
            raise RuntimeError(f"no free number left in {self.low}-{self.high}")
        self.owner[n] = owner
        self.next_free = n + 1
        return n

    def give_back(self, n: int, owner: str) -> None:
        if self.owner.get(n) == owner:
            del self.owner[n]
            self.next_free = min(self.next_free, n)


def _vrf_vnid(k: int) -> int:
    per_round = (VNID_MAX - VRF_BASE) // VRF_STEP
    return VRF_BASE + VRF_STEP * (k % per_round) + k // per_round


class TagAllocator:
    """The hook that keeps pcTag, scope and seg of VRFs, BDs and groups as the APIC keeps them."""

    def __init__(self, store: Store):
        self.store = store
        self.pools: dict[str, _Pool] = {}  # namespace (VRF DN, GLOBAL_NS, UNRESOLVED_NS) -> pcTags
        self.held: dict[str, tuple[str, int]] = {}  # object DN -> (namespace, pcTag)
        self.vnids: dict[str, int] = {}  # VRF DN -> VNID
        self.vnid_index: dict[int, str] = {}  # k of _vrf_vnid -> VRF DN
        self.segs = _Pool(BD_BASE, VNID_MAX - 1)
        store.hooks.append(self)

    def pool(self, ns: str) -> _Pool:
        pool = self.pools.get(ns)
        if pool is None:
            pool = self.pools[ns] = _Pool(*(GLOBAL if ns == GLOBAL_NS else LOCAL))
        return pool

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        recheck: dict[str, None] = {}
        contracts: dict[str, None] = {}
        rescoped: set[str] = set()  # contracts whose scope changed: their providers may stop being shared
        created: set[str] = set()  # created by this batch: their groups come with events of their own
        epp_of: set[str] = set()  # leaf deployments (fvEpP) that carry their EPG's pcTag and scope
        store = self.store
        for event in events:
            cls, dn, kind = event.cls, event.dn, event.kind
            if kind == "deleted":
                if cls in TAGGED:
                    self._free(dn, event)
                    if cls == "fvCtx":
                        recheck.update(dict.fromkeys(o for o, (ns, _) in self.held.items() if ns == dn))
                        recheck.update(dict.fromkeys(self._bds_pointing(dn)))
                elif cls in ("fvRsBd", "fvRsCtx", "l3extRsEctx"):
                    recheck[parent_dn(dn)] = None
                elif cls in CONTRACT_RELS:
                    contracts.update(dict.fromkeys(self._contracts_of_rel(event)))
                continue
            if cls in TAGGED:
                if kind == "created":  # what points at it hears of it from the resolver (relation state)
                    recheck[dn] = None
                    created.add(dn)
            elif cls == "vzAny" and kind == "created":
                txn.modify(store.get(dn), {"pcTag": "any"})
            elif cls == "fvEpP" and kind == "created":
                epp_of.add(dn)
            elif cls in ("fvRsBd", "fvRsCtx", "l3extRsEctx") and (kind == "created" or RESOLVED & event.changed.keys()):
                recheck[parent_dn(dn)] = None
            elif cls in CONTRACT_RELS and (kind == "created" or RESOLVED & event.changed.keys()):
                contracts.update(dict.fromkeys(self._contracts_of_rel(event)))
            elif cls == "vzBrCP" and kind == "modified" and "scope" in event.changed:
                contracts[dn] = None
                rescoped.add(dn)
        # a BD or an L3Out that changed VRF moves its groups; a group that moved may change who is shared
        for dn in list(recheck):
            mo = store.get(dn)
            if mo is None or dn in created:
                continue
            if mo.cls == "fvBD":
                recheck.update(dict.fromkeys(model.epgs_of_bd(store, dn)))
            elif mo.cls == "l3extOut":
                recheck.update(dict.fromkeys(c.dn for c in mo.child_list() if c.cls == "l3extInstP"))
        for dn in list(recheck):
            mo = store.get(dn)
            if mo is not None and mo.cls in model.GROUP_CLASSES:
                contracts.update(dict.fromkeys(t for rel in mo.child_list() if rel.cls in CONTRACT_RELS
                                               for t in self._contracts_of_mo(rel)))
        for contract in contracts:
            if contract in rescoped or _shared_scope(store, contract):
                recheck.update(dict.fromkeys(model.providers_of(store, contract)))
        for dn in sorted(recheck, key=_order):
            mo = store.get(dn)
            if mo is not None and mo.cls in TAGGED:
                self._place(txn, dn)
                if mo.cls == "fvAEPg":
                    epp_of.add(f"{EPP}/fv-[{dn}]")
        for dn in epp_of:
            epp = store.get(dn)
            epg = store.get(epp.get("epgDn") or epp.get("epgPKey")) if epp is not None else None
            if epg is not None and epg.cls == "fvAEPg":
                txn.modify(epp, {"pcTag": epg.get("pcTag"), "scopeId": epg.get("scope")})

    # --- allocation -----------------------------------------------------------------------------------
    def _place(self, txn: Transaction, dn: str) -> None:
        store = self.store
        mo = store.get(dn)
        cls = mo.cls
        changes: dict[str, str] = {}
        if cls == "fvCtx":
            vnid = self._vnid(dn, mo.get("scope"))
            changes.update(scope=str(vnid), seg=str(vnid))
            ns = dn
        else:
            vrf = model.vrf_of(store, dn)
            ns = vrf or UNRESOLVED_NS
            if vrf and vrf in self.vnids:
                changes["scope"] = str(self.vnids[vrf])
            if cls == "fvBD":
                changes["seg"] = str(self.segs.take(dn, _int(mo.get("seg"))))
            elif self._shared_provider(dn):
                ns = GLOBAL_NS
        changes["pcTag"] = str(self._tag(dn, ns, _int(mo.get("pcTag"))))
        txn.modify(mo, changes)

    def _tag(self, dn: str, ns: str, have: int | None) -> int:
        held = self.held.get(dn)
        if held is not None:
            old_ns, old = held
            if old_ns == ns:
                return old
            self.pool(old_ns).give_back(old, dn)
            have = old
        tag = self.pool(ns).take(dn, have)
        self.held[dn] = (ns, tag)
        return tag

    def _vnid(self, vrf: str, have: str) -> int:
        if vrf in self.vnids:
            return self.vnids[vrf]
        if vrf == INFRA_VRF:
            vnid = INFRA_VNID
        else:
            wanted = _int(have)
            taken = set(self.vnids.values())
            if wanted and wanted not in taken and VRF_BASE <= wanted < VNID_MAX:
                vnid = wanted
            else:
                k = 0
                while k in self.vnid_index or _vrf_vnid(k) in taken:
                    k += 1
                self.vnid_index[k] = vrf
                vnid = _vrf_vnid(k)
        self.vnids[vrf] = vnid
        return vnid

    def _free(self, dn: str, event: Event) -> None:
        held = self.held.pop(dn, None)
        if held is not None:
            self.pool(held[0]).give_back(held[1], dn)
        if event.cls == "fvBD" and event.mo is not None:
            seg = _int(event.mo.get("seg"))
            if seg is not None:
                self.segs.give_back(seg, dn)
        if event.cls == "fvCtx":
            self.vnids.pop(dn, None)
            for k, owner in list(self.vnid_index.items()):
                if owner == dn:
                    del self.vnid_index[k]

    # --- shared services -------------------------------------------------------------------------------
    def _shared_provider(self, dn: str) -> bool:
        """A provider of a tenant- or global-scope contract that a group of another VRF consumes (VEC D2)."""
        store = self.store
        mo = store.get(dn)
        shared = [t for rel in mo.child_list() if rel.cls == "fvRsProv"
                  and (t := model.target(store, rel)) and _shared_scope(store, t)]
        if not shared:
            return False
        provider = model.read_group(store, dn)
        if provider is None or not provider.vrf:
            return False
        for contract in shared:
            scope = store.get(contract).get("scope")
            for consumer_dn in model.consumers_of(store, contract):
                consumer = model.read_group(store, consumer_dn)
                if consumer is not None and consumer.vrf != provider.vrf \
                        and model.scope_joins(scope, consumer, provider):
                    return True
        return False

    def _contracts_of_rel(self, event: Event) -> list[str]:
        mo = event.state or event.mo
        return self._contracts_of_mo(mo) if mo is not None else []

    def _contracts_of_mo(self, rel) -> list[str]:
        t = rel.get("tDn")
        if not t:
            return []
        if rel.cls in ("fvRsConsIf", "vzRsAnyToConsIf"):
            contract = model.contracts_of_interface(self.store, t)
            return [contract] if contract else []
        return [t]

    def _bds_pointing(self, vrf: str) -> list[str]:
        return model.pointing(self.store, "fvRsCtx", vrf)


def _order(dn: str) -> tuple[int, str]:
    """VRFs first (their VNIDs are the groups' scope), then BDs, then groups; by DN within each."""
    rn = dn.rsplit("/", 1)[-1]
    return (0 if rn.startswith("ctx-") else 1 if rn.startswith("BD-") else 2, dn)


def _shared_scope(store: Store, contract: str) -> bool:
    mo = store.get(contract)
    return mo is not None and mo.get("scope") in ("tenant", "global")


def _int(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None
