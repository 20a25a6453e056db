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
allocator, within the same transaction) do not make it run again. Three depths of change:
- a group, BD, VRF, vzAny, taboo or relation: the VRF is compiled again and every leaf of it compared;
- only the subjects, filters or entries of some contracts: those contracts' parts of the VRF's last
  compiled scope are compiled again (rules.Scope.parts) and only the rules and filters that differ are
  written, on each leaf of the VRF;
- only where the VRF is deployed (an endpoint moves, a path is added): only the leaves it arrives at get
  the scope, only those it leaves lose it.
The last compiled scope of a VRF is kept once its write is committed (a rolled-back write's are dropped:
the next write checks the first event of the one before it). The generated endpoints of a `scale:` lab
are written without this hook (simulator/apic/scale.py: their rules would double the tree); their VRFs'
rules reach the leaves with the next change of the VRF's policy.
"""

from __future__ import annotations

import weakref

from ..managers.access_policy import leaf_pods
from ..mit.dn import rn_of
from ..mit.store import MO, Event, Store, Transaction
from . import endpoints, model
from .ids import ids_of
from .rules import Filter, Rule, Scope, compile_scope
from .touched import touched


class LeafRules:
    def __init__(self, store: Store):
        self.store = store
        self.catalog = store.catalog
        self.ids = ids_of(store)
        self.ids.hooked = True
        self.ids.settle = self.promote
        self.group_vrf: dict[str, str] = {}  # group or BD DN -> its VRF when last compiled
        self.vnid_of: dict[str, int] = {}  # VRF DN -> its VNID when last compiled
        self._last: weakref.WeakKeyDictionary[Transaction, Event] = weakref.WeakKeyDictionary()
        self._rows: dict[int, tuple] = {}  # per compiled scope or filter of one render: its objects' values
        self.compiled: dict[str, Scope] = {}  # VRF -> its scope as the leaves hold it (committed writes)
        self._pods: dict[int, int] | None = None  # leaf -> pod, until a fabricNode changes
        self._pending: dict[str, Scope] = {}  # scopes compiled by the write under way
        self._pending_txn: weakref.ref | None = None
        self._pending_first: Event | None = None
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        self._settle(txn)
        last = self._last.get(txn)
        if last is not None:
            for i, event in enumerate(events):
                if event is last:
                    events = events[i + 1:]
                    break
        found = touched(self.store, events, self.group_vrf)
        if found.reset:
            self.ids.reset()
            self.compiled.clear()
            self._pending.clear()
            self.group_vrf.clear()
            self.vnid_of.clear()
        if found.nodes:
            self._pods = None
        vrfs = found.vrfs
        for vrf, policy in vrfs.items():
            if policy is not False:
                self.ids.scopes.pop(vrf, None)  # the verdict's compiled scopes of these VRFs are out of date
                if policy is True:
                    self.compiled.pop(vrf, None)
                    self._pending.pop(vrf, None)
        if vrfs:
            self.render(txn, vrfs)
            if txn.events:
                self._last[txn] = txn.events[-1]

    # --- making the leaves match -----------------------------------------------------------------------
    def render(self, txn: Transaction, vrfs: dict[str, bool | frozenset[str] | None]) -> None:
        """Bring the leaves of each VRF up to date: every leaf it is (or was) on where its policy may have
        changed (True, or None: a caller asking for everything), only the rules of some contracts where just
        their bodies did (a set of contract DNs), only the leaves it arrives at or leaves where just its
        deployment did (False)."""
        store = self.store
        if self._pods is None:
            self._pods = leaf_pods(store)
        pods = self._pods
        touched_leaves: dict[str, None] = {}
        candidates: dict[str, set[str]] = {}  # leaf -> filter ids to check (leaves only some rules changed on)
        compiled: dict[str, Filter] = {}
        self._settle(txn)
        for vrf, policy in vrfs.items():
            old_vnid = self.vnid_of.get(vrf)
            ctx = store.get(vrf)
            vnid = ctx.get("scope") if ctx is not None and ctx.cls == "fvCtx" else ""
            deployed = deployed_leaves(store, vrf) if vnid else []
            present = {have.dn.split("/sys/", 1)[0]: have for v in {old_vnid, vnid} - {None, ""}
                       for have in store.lookup("actrlScope", "id", str(v))}
            if not deployed and not present:
                if policy is not False:  # nothing to compile; a later partial compile must not start from it
                    self.compiled.pop(vrf, None)
                    self._pending.pop(vrf, None)
                continue
            same_vnid = old_vnid is not None and str(old_vnid) == vnid
            previous = self._previous(vrf)
            if policy is False and same_vnid:
                wanted = {f"topology/pod-{pods[n]}/node-{n}" for n in deployed if n in pods}
                for leaf in present.keys() - wanted:
                    txn.delete(present[leaf].dn)
                    touched_leaves[leaf] = None
                arriving = [leaf for leaf in wanted if leaf not in present]
                if arriving:
                    scope = previous or self.ids.scopes.get(vrf) or compile_scope(store, vrf, self.ids)
                    if scope is None:
                        continue
                    compiled.update(scope.filters)
                    for leaf in arriving:
                        self._sync_scope(txn, leaf, scope)
                        touched_leaves[leaf] = None
                continue
            partial = isinstance(policy, frozenset) and previous is not None and same_vnid
            scope = compile_scope(store, vrf, self.ids, previous if partial else None, policy if partial else None)
            wanted_leaves: list[str] = []
            if scope is not None:
                self._pending[vrf] = scope
                self.vnid_of[vrf] = scope.vnid
                for dn, group in scope.groups.items():
                    if group.vrf == vrf:
                        self.group_vrf[dn] = vrf
                for bd in model.bds_of_vrf(store, vrf):
                    self.group_vrf[bd] = vrf
                wanted_leaves = [f"topology/pod-{pods[n]}/node-{n}" for n in deployed if n in pods]
                compiled.update(scope.filters)
            else:
                self.vnid_of.pop(vrf, None)
            for v in {old_vnid, scope.vnid if scope else None} - {None}:
                for have in store.lookup("actrlScope", "id", str(v)):
                    leaf = have.dn.split("/sys/", 1)[0]
                    if scope is None or v != scope.vnid or leaf not in wanted_leaves:
                        txn.delete(have.dn)
                        touched_leaves[leaf] = None
            changes = _changes(previous, scope) if partial and scope is not None else None
            for leaf in wanted_leaves:
                if changes is not None and leaf in present:
                    keys, fids = changes
                    self._sync_scope(txn, leaf, scope, keys)
                    candidates.setdefault(leaf, set()).update(fids)
                else:
                    self._sync_scope(txn, leaf, scope)
                    touched_leaves[leaf] = None
        for leaf in touched_leaves:
            self._sync_filters(txn, leaf, compiled)
        for leaf, fids in candidates.items():
            if leaf not in touched_leaves:
                self._sync_filters(txn, leaf, compiled, fids)
        self._rows.clear()

    # --- compiled scopes, kept once their write is committed ---------------------------------------------
    def _settle(self, txn: Transaction) -> None:
        """The scopes compiled by an earlier write become this VRF's last compiled scope (and the verdict's)
        once that write committed; a write that was rolled back leaves them out."""
        if self._pending_txn is not None and self._pending_txn() is txn:
            return
        self.promote()
        self._pending = {}
        self._pending_txn = weakref.ref(txn)
        self._pending_first = txn.events[0] if txn.events else None

    def promote(self) -> None:
        """Keep the scopes of the last write if it committed (the verdict asks before it compiles)."""
        if self._pending and self._pending_first is not None and self._pending_first.state is not None:
            self.compiled.update(self._pending)
            self.ids.scopes.update(self._pending)
            self._pending = {}

    def _previous(self, vrf: str) -> Scope | None:
        return self._pending.get(vrf) or self.compiled.get(vrf)

    def _sync_scope(self, txn: Transaction, leaf: str, scope: Scope, only: set[tuple[str, str, str]] | None = None) -> None:
        """The leaf's scope object and rules as compiled (`only`: just these rule keys changed)."""
        store = self.store
        actrl = f"{leaf}/sys/actrl"
        if store.get(f"{leaf}/sys") is None:
            return
        if store.get(actrl) is None:
            self._create(txn, "actrlInst", actrl, {})
        scope_dn = f"{actrl}/scope-{scope.vnid}"
        name = f"{model.tenant_of(scope.vrf).removeprefix('uni/tn-')}:{scope.vrf.rsplit('/ctx-', 1)[-1]}"
        have = self._put(txn, store.get(scope_dn), "actrlScope", scope_dn, {"id": str(scope.vnid), "name": name})
        if only is not None:
            for key in only:
                dn = f"{scope_dn}/rule-{scope.vnid}-s-{key[0]}-d-{key[1]}-f-{key[2]}"
                rule = scope.rules.get(key)
                mo = store.get(dn)
                if rule is None:
                    if mo is not None:
                        txn.delete(dn)
                    continue
                _, values, expected = self._rule_rows(scope)[rule.rn]
                self._sync_owners(txn, leaf, scope, self._put(txn, mo, "actrlRule", dn, values, expected), rule)
            return
        existing = {mo.dn: mo for mo in have.child_list() if mo.cls == "actrlRule"}
        wanted = {f"{scope_dn}/{rn}": row for rn, row in self._rule_rows(scope).items()}
        for dn in existing.keys() - wanted.keys():
            txn.delete(dn)
        for dn, (rule, values, expected) in wanted.items():
            mo = self._put(txn, existing.get(dn), "actrlRule", dn, values, expected)
            self._sync_owners(txn, leaf, scope, mo, rule)

    def _rule_rows(self, scope: Scope) -> dict[str, tuple[Rule, dict[str, str], dict[str, str]]]:
        """Each rule's RN and the values its actrlRule holds (worked out once per compiled scope, for every leaf)."""
        rows = self._rows.get(id(scope))
        if rows is None or rows[0] is not scope:
            table = {}
            for rule in scope.rules.values():
                values = {"scopeId": str(rule.scope), "sPcTag": rule.s, "dPcTag": rule.d, "fltId": rule.flt,
                          "id": str(rule.id), "prio": rule.prio, "action": rule.action, "direction": rule.direction,
                          "operSt": "enabled", "type": rule.type, "markDscp": "unspecified", "qosGrp": "unspecified"}
                table[rule.rn] = (rule, values, self._expected("actrlRule", values))
            rows = self._rows[id(scope)] = (scope, table)
        return rows[1]

    def _sync_owners(self, txn: Transaction, leaf: str, scope: Scope, mo: MO, rule: Rule) -> None:
        wanted: dict[str, tuple[str, dict[str, str]]] = {}
        for creator, tag in rule.owners:
            if tag == "vrf":
                creator = f"{leaf}/sys/ctx-[vxlan-{scope.vnid}]"
            name = creator.rsplit("/brc-", 1)[-1] if tag == "contract" else ""
            attrs = {"creatorDn": creator, "tag": tag, "action": rule.action, "direction": rule.direction,
                     "prio": rule.prio, "type": rule.type, "intent": "install", "ctrctName": name}
            wanted[f"{mo.dn}/own-[{creator}]-tag-{tag}"] = ("vzRuleOwner", attrs)
            if tag == "contract":
                conn = f"cdef-[{creator}]/epgCont-[{rule.src}]/to-[{rule.dst}]"
                wanted[f"{mo.dn}/rstoEpgConn-[{conn}]"] = ("actrlRsToEpgConn", {"tDn": conn, "tCl": "vzEpgConn"})
        existing = {k.dn: k for k in mo.child_list() if k.cls in ("vzRuleOwner", "actrlRsToEpgConn")}
        for dn in existing.keys() - wanted.keys():
            txn.delete(dn)
        for dn, (cls, attrs) in wanted.items():
            self._put(txn, existing.get(dn), cls, dn, attrs)

    def _sync_filters(self, txn: Transaction, leaf: str, compiled: dict[str, Filter], only: set[str] | None = None) -> None:
        """The filters the leaf's rules name, as compiled, and no others (`only`: just these may have changed)."""
        store = self.store
        actrl = store.get(f"{leaf}/sys/actrl")
        if actrl is None:
            return
        used: dict[str, None] = {}
        if only is not None:
            prefix = f"{leaf}/"
            for fid in only:
                if any(r.dn.startswith(prefix) for r in store.lookup("actrlRule", "fltId", fid)):
                    used[fid] = None
                elif store.get(f"{actrl.dn}/filt-{fid}") is not None:
                    txn.delete(f"{actrl.dn}/filt-{fid}")
        else:
            for kid in actrl.child_list():
                if kid.cls == "actrlScope":
                    used.update(dict.fromkeys(r.get("fltId") for r in kid.child_list() if r.cls == "actrlRule"))
            for kid in actrl.child_list():
                if kid.cls == "actrlFlt" and kid.get("id") not in used:
                    txn.delete(kid.dn)
        for fid in used:
            flt = compiled.get(fid)
            if flt is None:
                continue  # held by a scope this write does not touch: already right
            dn = f"{actrl.dn}/filt-{fid}"
            name = flt.source.rsplit("/flt-", 1)[-1] + ("_rev" if flt.reversed else "") + ("_est" if flt.ack else "") \
                if flt.source else fid
            have = self._put(txn, store.get(dn), "actrlFlt", dn, {"id": fid, "name": name})
            existing = {k.rn: k for k in have.child_list() if k.cls == "actrlEntry"}
            wanted = self._entry_rows(flt)
            for rn in existing.keys() - wanted.keys():
                txn.delete(existing[rn].dn)
            for rn, (values, expected) in wanted.items():
                self._put(txn, existing.get(rn), "actrlEntry", f"{dn}/{rn}", values, expected)

    def _entry_rows(self, flt: Filter) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
        rows = self._rows.get(id(flt))
        if rows is None or rows[0] is not flt:
            table = {}
            for n, e in zip(flt.entry_names(), flt.entries, strict=True):
                values = {"name": n, **e.attrs()}
                table[f"ent-{n}"] = (values, self._expected("actrlEntry", values))
            rows = self._rows[id(flt)] = (flt, table)
        return rows[1]

    def _expected(self, cls: str, values: dict[str, str]) -> dict[str, str]:
        """What an MO of `cls` with these values holds in its attrs (the values that are not the defaults)."""
        meta = self.catalog.get(cls)
        return {k: v for k, v in values.items() if v != meta.defaults.get(k) and k in meta.props}

    def _put(self, txn: Transaction, mo: MO | None, cls: str, dn: str, values: dict[str, str],
             expected: dict[str, str] | None = None) -> MO:
        """The object at `dn` with these values (naming ones included): created, changed, or left as it is when
        it holds them already (one dict comparison: a leaf's unchanged rules cost no more)."""
        meta = self.catalog.get(cls)
        if expected is None:
            expected = self._expected(cls, values)
        if mo is None:
            return txn.create(meta, dn, expected)
        if mo.attrs != expected:
            txn.modify(mo, {k: v for k, v in values.items() if k in meta.props})
        return mo

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


def _changes(old: Scope, new: Scope) -> tuple[set[tuple[str, str, str]], set[str]]:
    """The rule keys that differ between two compilations of one scope, and the filter ids to look at."""
    keys = {k for k in old.rules.keys() | new.rules.keys() if _row(old.rules.get(k)) != _row(new.rules.get(k))}
    fids = {k[2] for k in keys}
    fids.update(fid for fid, flt in new.filters.items() if fid not in old.filters or old.filters[fid].entries != flt.entries)
    return keys, fids


def _row(rule: Rule | None) -> tuple | None:
    if rule is None:
        return None
    return (rule.id, rule.prio, rule.action, rule.direction, rule.type, tuple(rule.owners), rule.src, rule.dst)
