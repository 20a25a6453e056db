"""The zoning rules on the leaves: per leaf, for every VRF deployed there, what `show zoning-rule` lists.

Confirmed (VEC D1): `topology/pod-P/node-N/sys/actrl/scope-{vnid}` actrlScope, its rules
`rule-{scope}-s-{s}-d-{d}-f-{flt}` actrlRule (id, prio, action, direction, operSt enabled, sPcTag, dPcTag,
scopeId, fltId, type) with a vzRuleOwner child (`own-[{creatorDn}]-tag-{tag}`, ctrctName) and, for a
contract's rules, actrlRsToEpgConn `rstoEpgConn-[cdef-[{contract}]...]` (contract_parser finds the
contract in its brackets); filters `sys/actrl/filt-{id}` actrlFlt with `ent-{id}_{n}` actrlEntry (`ent-implicit`,
`ent-implarp`, `ent-default` for the named ones).

The issue's definition of deployment: a VRF is on a leaf when an EPG of it has an endpoint there (its
fvRsCEpToPathEp paths), a static path (fvRsPathAtt) or static leaf (fvRsNodeAtt), or a VMM binding
(fvLocale node-N under uni/epp/fv-[E]: immediate, pre-provisioned or on-demand with an endpoint), or when
the VRF has an L3Out whose node profile names the leaf (a border leaf). Inferred/chosen: every leaf of a
VRF holds every rule of the VRF's scope (real leaves with on-demand deployment keep fewer; policy
compression is not modelled); the owner of a default rule is the leaf's VRF context
`topology/pod-P/node-N/sys/ctx-[vxlan-{vnid}]` tagged `vrf` (SANDBOX, fabric_state.yaml); a contract rule's
owner is the contract (tag `contract`), a taboo's the taboo (tag `taboo`), an isolation rule's the EPG
(tag `epg`); the actrlRsToEpgConn target is `cdef-[{contract}]/epgCont-[{src}]/to-[{dst}]` (its exact form is
not public).

A store hook like managers/vmm_deploy.py: it finds the VRFs a write touches (a contract, subject, filter,
entry, EPG, BD, VRF, vzAny, taboo, L3Out subnet, endpoint or binding), compiles each once, and writes only
the objects that differ, on the leaves where the VRF is or was; a leaf the change does not concern gets
no event. Its own leaf objects and the tags' writes it has already seen (the hook runs after the tag
allocator, within the same transaction) do not make it run again.
"""

from __future__ import annotations

import weakref

from ..managers.access_policy import leaf_pods
from ..mit.dn import parent_dn, rn_of
from ..mit.store import MO, Event, Store, Transaction
from . import endpoints, model
from .ids import ids_of
from .rules import Filter, Rule, Scope, compile_scope

DEPLOYMENT = ("fvCEp", "fvRsCEpToPathEp", "fvRsPathAtt", "fvRsNodeAtt", "fvLocale", "fvDyPathAtt")
GROUP_RELS = ("fvRsProv", "fvRsCons", "fvRsConsIf", "fvRsIntraEpg", "fvRsProtBy", "l3extSubnet")
ANY_RELS = ("vzRsAnyToProv", "vzRsAnyToCons", "vzRsAnyToConsIf")
OWN = ("actrlInst", "actrlScope", "actrlRule", "actrlFlt", "actrlEntry", "vzRuleOwner", "actrlRsToEpgConn")
GROUP_PROPS = {"pcTag", "pcEnfPref", "prefGrMemb"}


class LeafRules:
    def __init__(self, store: Store):
        self.store = store
        self.catalog = store.catalog
        self.ids = ids_of(store)
        self.ids.hooked = True
        self.group_vrf: dict[str, str] = {}  # group or BD DN -> its VRF when last compiled
        self.vnid_of: dict[str, int] = {}  # VRF DN -> its VNID when last compiled
        self._last: weakref.WeakKeyDictionary[Transaction, Event] = weakref.WeakKeyDictionary()
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        last = self._last.get(txn)
        if last is not None:
            for i, event in enumerate(events):
                if event is last:
                    events = events[i + 1:]
                    break
        vrfs = self._touched(events)
        for vrf, policy in vrfs.items():
            if policy:
                self.ids.scopes.pop(vrf, None)  # the verdict's compiled scopes of these VRFs are out of date
        if vrfs:
            self.render(txn, vrfs)
            if txn.events:
                self._last[txn] = txn.events[-1]

    # --- which VRFs a write touches -------------------------------------------------------------------
    def _touched(self, events: list[Event]) -> dict[str, bool]:
        """The VRFs a batch touches: True where their policy may have changed, False where only the leaves
        they are deployed on may have."""
        store = self.store
        vrfs: dict[str, None] = {}
        contracts: dict[str, None] = {}
        filters: dict[str, None] = {}
        taboos: dict[str, None] = {}
        groups: dict[str, None] = {}
        moved: dict[str, None] = {}  # EPGs whose deployment (not policy) changed
        deploy: dict[str, None] = {}  # VRFs whose set of leaves may have changed
        created: set[str] = set()
        for event in events:
            cls, dn, kind = event.cls, event.dn, event.kind
            if cls in OWN:
                continue
            if kind == "created":
                created.add(dn)
            if cls == "fvCtx":
                if kind != "modified" or {"pcEnfPref", "scope"} & event.changed.keys():
                    vrfs[dn] = None
            elif cls == "vzAny" or cls in ANY_RELS:
                if cls != "vzAny" or kind != "modified" or "prefGrMemb" in event.changed:
                    vrfs[parent_dn(dn) if cls == "vzAny" else parent_dn(parent_dn(dn))] = None
                    if cls in ANY_RELS:
                        contracts.update(dict.fromkeys(_targets(event)))
            elif cls in ("fvAEPg", "l3extInstP"):
                if kind != "modified" or GROUP_PROPS & event.changed.keys():
                    groups[dn] = None
            elif cls == "fvBD":
                if kind != "modified" or "pcTag" in event.changed:
                    groups[dn] = None
            elif cls in ("fvRsBd", "fvRsCtx", "l3extRsEctx"):
                owner = parent_dn(dn)
                groups[owner] = None
                if cls == "fvRsCtx" and owner not in created:
                    groups.update(dict.fromkeys(model.epgs_of_bd(store, owner)))
                elif cls == "l3extRsEctx":
                    out = store.get(owner)
                    groups.update(dict.fromkeys(c.dn for c in (out.child_list() if out else ()) if c.cls == "l3extInstP"))
                vrfs.update(dict.fromkeys(_targets(event)))
            elif cls in GROUP_RELS:
                groups[parent_dn(dn)] = None
                if cls in ("fvRsProv", "fvRsCons", "fvRsIntraEpg"):
                    contracts.update(dict.fromkeys(_targets(event)))
                elif cls == "fvRsConsIf":
                    contracts.update(dict.fromkeys(model.contracts_of_interface(store, t) for t in _targets(event)))
            elif cls in DEPLOYMENT:
                epg = _deployment_epg(dn)
                if epg:
                    moved[epg] = None
            elif cls == "l3extRsNodeL3OutAtt":
                out = parent_dn(parent_dn(dn))
                deploy.update(dict.fromkeys(_targets_of(store.get(f"{out}/rsectx"))))
            elif "/brc-" in dn and cls.startswith("vz"):
                contracts[_upto(dn, "/brc-")] = None
            elif cls in ("vzFilter", "vzEntry"):
                filters[_upto(dn, "/flt-")] = None
            elif cls in ("vzTaboo", "vzTSubj", "vzRsDenyRule"):
                taboos[_upto(dn, "/taboo-")] = None
            elif cls in ("vzCPIf", "vzRsIf"):
                cpif = _upto(dn, "/cif-")
                contracts.update(dict.fromkeys(model.contracts_of_interface(store, cpif) for _ in (0,)))
                groups.update(dict.fromkeys(parent_dn(r.dn) for r in store.lookup("fvRsConsIf", "tDn", cpif)))
        for group in list(groups):  # a shared-service party changes the rules of the other VRF too
            mo = store.get(group)
            if mo is not None and mo.cls in model.GROUP_CLASSES:
                for rel in mo.child_list():
                    if rel.cls in ("fvRsProv", "fvRsCons", "fvRsConsIf") and (t := model.target(store, rel)):
                        contract = model.contracts_of_interface(store, t) if rel.cls == "fvRsConsIf" else t
                        if contract and _shared(store, contract):
                            contracts[contract] = None
        for flt in filters:
            for cls in ("vzRsSubjFiltAtt", "vzRsFiltAtt"):
                contracts.update(dict.fromkeys(_upto(r.dn, "/brc-") for r in store.lookup(cls, "tDn", flt)))
            taboos.update(dict.fromkeys(_upto(r.dn, "/taboo-") for r in store.lookup("vzRsDenyRule", "tDn", flt)))
        for taboo in taboos:
            groups.update(dict.fromkeys(parent_dn(r.dn) for r in store.lookup("fvRsProtBy", "tDn", taboo)))
        for contract in contracts:
            if contract:
                groups.update(dict.fromkeys(self._contract_parties(contract)))
                for rel in ANY_RELS[:2]:
                    vrfs.update(dict.fromkeys(parent_dn(parent_dn(r.dn)) for r in store.lookup(rel, "tDn", contract)))
        for group in groups:
            vrf = model.vrf_of(store, group)
            if vrf:
                vrfs[vrf] = None
            old = self.group_vrf.get(group)
            if old:
                vrfs[old] = None
        vrfs.pop("", None)
        touched = dict.fromkeys(vrfs, True)
        for epg in moved:
            deploy[model.vrf_of(store, epg) or self.group_vrf.get(epg, "")] = None
        for vrf in deploy:
            if vrf:
                touched.setdefault(vrf, False)
        return touched

    def _contract_parties(self, contract: str) -> list[str]:
        store = self.store
        found = model.providers_of(store, contract) + model.consumers_of(store, contract)
        found += [parent_dn(r.dn) for r in store.lookup("fvRsIntraEpg", "tDn", contract)]
        return found

    # --- making the leaves match -----------------------------------------------------------------------
    def render(self, txn: Transaction, vrfs: dict[str, bool]) -> None:
        """Bring the leaves of each VRF up to date: every leaf it is (or was) on where its policy changed,
        only the leaves it arrives at or leaves where just its deployment did."""
        store = self.store
        pods = leaf_pods(store)
        touched_leaves: dict[str, None] = {}
        compiled: dict[str, Filter] = {}
        for vrf, policy in vrfs.items():
            old_vnid = self.vnid_of.get(vrf)
            ctx = store.get(vrf)
            vnid = ctx.get("scope") if ctx is not None and ctx.cls == "fvCtx" else ""
            deployed = deployed_leaves(store, vrf) if vnid else []
            present = {have.dn.split("/sys/", 1)[0]: have for v in {old_vnid, vnid} - {None, ""}
                       for have in store.lookup("actrlScope", "id", str(v))}
            if not deployed and not present:
                continue  # deployed nowhere, before or now: nothing to compile
            if not policy and old_vnid is not None and str(old_vnid) == vnid:
                wanted = {f"topology/pod-{pods[n]}/node-{n}" for n in deployed if n in pods}
                for leaf in present.keys() - wanted:
                    txn.delete(present[leaf].dn)
                    touched_leaves[leaf] = None
                arriving = [leaf for leaf in wanted if leaf not in present]
                if arriving:
                    scope = self.ids.scopes.get(vrf) or compile_scope(store, vrf, self.ids)
                    if scope is None:
                        continue
                    compiled.update(scope.filters)
                    for leaf in arriving:
                        self._sync_scope(txn, leaf, scope)
                        touched_leaves[leaf] = None
                continue
            scope = compile_scope(store, vrf, self.ids)
            wanted: list[str] = []
            if scope is not None:
                self.vnid_of[vrf] = scope.vnid
                for dn, group in scope.groups.items():
                    if group.vrf == vrf:
                        self.group_vrf[dn] = vrf
                for bd in model.bds_of_vrf(store, vrf):
                    self.group_vrf[bd] = vrf
                wanted = [f"topology/pod-{pods[n]}/node-{n}" for n in deployed if n in pods]
                compiled.update(scope.filters)
            else:
                self.vnid_of.pop(vrf, None)
            for vnid in {old_vnid, scope.vnid if scope else None} - {None}:
                for have in store.lookup("actrlScope", "id", str(vnid)):
                    leaf = have.dn.split("/sys/", 1)[0]
                    if scope is None or vnid != scope.vnid or leaf not in wanted:
                        txn.delete(have.dn)
                        touched_leaves[leaf] = None
            for leaf in wanted:
                self._sync_scope(txn, leaf, scope)
                touched_leaves[leaf] = None
        for leaf in touched_leaves:
            self._sync_filters(txn, leaf, compiled)

    def _sync_scope(self, txn: Transaction, leaf: str, scope: Scope) -> None:
        store = self.store
        actrl = f"{leaf}/sys/actrl"
        if store.get(f"{leaf}/sys") is None:
            return
        if store.get(actrl) is None:
            self._create(txn, "actrlInst", actrl, {})
        scope_dn = f"{actrl}/scope-{scope.vnid}"
        have = store.get(scope_dn)
        name = f"{model.tenant_of(scope.vrf).removeprefix('uni/tn-')}:{scope.vrf.rsplit('/ctx-', 1)[-1]}"
        if have is None:
            have = self._create(txn, "actrlScope", scope_dn, {"name": name})
        else:
            txn.modify(have, {"name": name})
        existing = {mo.dn: mo for mo in have.child_list() if mo.cls == "actrlRule"}
        wanted = {f"{scope_dn}/{rule.rn}": rule for rule in scope.rules.values()}
        for dn in existing.keys() - wanted.keys():
            txn.delete(dn)
        for dn, rule in wanted.items():
            attrs = {"id": str(rule.id), "prio": rule.prio, "action": rule.action, "direction": rule.direction,
                     "operSt": "enabled", "type": rule.type, "markDscp": "unspecified", "qosGrp": "unspecified"}
            mo = existing.get(dn)
            if mo is None:
                mo = self._create(txn, "actrlRule", dn, attrs)
            else:
                txn.modify(mo, attrs)
            self._sync_owners(txn, leaf, scope, mo, rule)

    def _sync_owners(self, txn: Transaction, leaf: str, scope: Scope, mo: MO, rule: Rule) -> None:
        wanted: dict[str, tuple[str, dict[str, str]]] = {}
        for creator, tag in rule.owners:
            if tag == "vrf":
                creator = f"{leaf}/sys/ctx-[vxlan-{scope.vnid}]"
            name = creator.rsplit("/brc-", 1)[-1] if tag == "contract" else ""
            attrs = {"action": rule.action, "direction": rule.direction, "prio": rule.prio, "type": rule.type,
                     "intent": "install", "ctrctName": name}
            wanted[f"{mo.dn}/own-[{creator}]-tag-{tag}"] = ("vzRuleOwner", attrs)
            if tag == "contract":
                conn = f"cdef-[{creator}]/epgCont-[{rule.src}]/to-[{rule.dst}]"
                wanted[f"{mo.dn}/rstoEpgConn-[{conn}]"] = ("actrlRsToEpgConn", {"tCl": "vzEpgConn"})
        existing = {k.dn: k for k in mo.child_list() if k.cls in ("vzRuleOwner", "actrlRsToEpgConn")}
        for dn in existing.keys() - wanted.keys():
            txn.delete(dn)
        for dn, (cls, attrs) in wanted.items():
            kid = existing.get(dn)
            if kid is None:
                self._create(txn, cls, dn, attrs)
            else:
                txn.modify(kid, attrs)

    def _sync_filters(self, txn: Transaction, leaf: str, compiled: dict[str, Filter]) -> None:
        store = self.store
        actrl = store.get(f"{leaf}/sys/actrl")
        if actrl is None:
            return
        used: dict[str, None] = {}
        for kid in actrl.child_list():
            if kid.cls == "actrlScope":
                used.update(dict.fromkeys(rule.get("fltId") for rule in kid.child_list() if rule.cls == "actrlRule"))
        for kid in actrl.child_list():
            if kid.cls == "actrlFlt" and kid.get("id") not in used:
                txn.delete(kid.dn)
        for fid in used:
            flt = compiled.get(fid)
            dn = f"{actrl.dn}/filt-{fid}"
            have = store.get(dn)
            if flt is None:
                continue  # held by a scope this write does not touch: already right
            name = flt.source.rsplit("/flt-", 1)[-1] + ("_rev" if flt.reversed else "") + ("_est" if flt.ack else "") \
                if flt.source else fid
            if have is None:
                have = self._create(txn, "actrlFlt", dn, {"name": name})
            else:
                txn.modify(have, {"name": name})
            wanted = {f"{dn}/ent-{n}": e for n, e in zip(flt.entry_names(), flt.entries, strict=True)}
            existing = {k.dn: k for k in have.child_list() if k.cls == "actrlEntry"}
            for edn in existing.keys() - wanted.keys():
                txn.delete(edn)
            for edn, entry in wanted.items():
                kid = existing.get(edn)
                if kid is None:
                    self._create(txn, "actrlEntry", edn, entry.attrs())
                else:
                    txn.modify(kid, entry.attrs())

    def _create(self, txn: Transaction, cls: str, dn: str, extra: dict[str, str]) -> MO:
        meta = self.catalog.get(cls)
        parsed = meta.rn.parse(rn_of(dn)) or {}
        return txn.create(meta, dn, {**parsed, **{k: v for k, v in extra.items() if k in meta.props}})


def deployed_leaves(store: Store, vrf: str) -> list[int]:
    """The leaves a VRF is deployed on (the module docstring), in the order they are found."""
    found: dict[int, None] = {}
    for group in model.groups_of_vrf(store, vrf):
        mo = store.get(group)
        if mo is not None and mo.cls == "fvAEPg":
            found.update(dict.fromkeys(endpoints.epg_leaves(store, group)))
    for out in model.l3outs_of_vrf(store, vrf):
        found.update(dict.fromkeys(endpoints.border_leaves(store, out)))
    return sorted(found)


def _shared(store: Store, contract: str) -> bool:
    mo = store.get(contract)
    return mo is not None and mo.get("scope") in ("tenant", "global")


def _targets(event: Event) -> list[str]:
    return _targets_of(event.state or event.mo)


def _targets_of(mo: MO | None) -> list[str]:
    t = mo.get("tDn") if mo is not None else ""
    return [t] if t else []


def _upto(dn: str, marker: str) -> str:
    """The DN up to the RN that starts with `marker` (uni/tn-T/brc-C of anything under a contract)."""
    i = dn.find(marker)
    if i < 0:
        return ""
    end = dn.find("/", i + 1)
    return dn if end < 0 else dn[:end]


def _deployment_epg(dn: str) -> str:
    """The EPG a deployment object belongs to: fvCEp/paths under the EPG, fvLocale under uni/epp/fv-[E]."""
    if dn.startswith("uni/epp/fv-["):
        inner = dn[len("uni/epp/fv-["):]
        depth, i = 1, 0
        while i < len(inner) and depth:
            depth += {"[": 1, "]": -1}.get(inner[i], 0)
            i += 1
        return inner[:i - 1]
    i = dn.find("/epg-")
    if i < 0:
        return ""
    end = dn.find("/", i + 1)
    return dn if end < 0 else dn[:end]
