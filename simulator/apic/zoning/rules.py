"""The zoning rules of one VRF scope, compiled from its logical policy (model.py) as a leaf holds them.

Confirmed (VEC D3, D4): the priorities by name and number; the default rules of an enforced VRF: implicit
deny (any_any_any 21, filter implicit, deny,log), ARP permit (any_any_filter 17, implarp), one per-BD
permit (any_dest_any 16, s any, d the BD's pcTag), deny to the 0/0 external class (any_vrf_any_deny 22,
d 15, deny,log), the shared-service guard (shsrc_any_any_deny 12, s a global provider tag, deny,log);
contract rules come in pairs, consumer->provider `bi-dir` and provider->consumer `uni-dir-ignore` with
the same filter (or its port-reversed twin when revFltPorts is yes, VEC D5); one-way terms give `uni-dir`
rules; EPG-to-EPG is 7 (fully_qual, a specific filter) or 9 (src_dst_any, the any filter), EPG-to-vzAny 13/15,
vzAny-to-EPG 14/16, vzAny-to-vzAny 17; intra-EPG contract filters are class-eq-filter (1) with s = d =
the EPG; taboo rules have s any, d the protected EPG (black_list 5 is inferred from the enum, VEC D3);
vzAny is `any` (0) in rules (VEC D2).

Inferred (VEC D5) or chosen here, open question 6 of the research:
- isolation (fvAEPg.pcEnfPref enforced), and an EPG with intra-EPG contracts, get class-eq-deny (2) s = d
  = the EPG, filter implicit, action deny; traffic inside an EPG with neither meets no rule and is
  allowed (verdict.py reports it as the class-eq-allow (3) default);
- preferred group (vzAny.prefGrMemb enabled): grp_any_any_any_permit (20) any->any permit, and for every
  group left out grp_src_any_any_deny (18) s = it and grp_any_dest_any_deny (19) d = it, deny,log;
- an unenforced VRF holds the ARP permit and one any_any_any (21) any->any permit, filter implicit
  (UNENFORCED_RULE; the real rendering is unknown, VEC D5);
- a deny filter's priorityOverride: level1 -> fully_qual (7), level2 -> src_any_filter (13), level3 ->
  any_any_filter (17); default keeps the rule's own priority;
- a shared-service contract (scope tenant or global joining two VRFs) is enforced in the consumer's VRF:
  both rules of the pair live in its scope, the provider named by its global pcTag;
- the `default` filter of tenant common keeps fltId `default`; a filter matching every packet makes a
  rule of the "any filter" priorities; two rules with the same DN (two contracts, one filter) are one rule
  with the best priority and action, owned by every contract that made it;
- rule types: tenant for contract, taboo, intra-EPG and preferred-group rules, bd_flood for the per-BD
  permit, vrf_default for the other default rules.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ..mit.store import Store
from . import model
from .entries import Entry
from .ids import ZoningIds
from .priorities import PRIORITIES, action_rank

ANY = "any"
IMPLICIT, IMPLARP, DEFAULT_FILTER = "implicit", "implarp", "default"
COMMON_DEFAULT_FILTER = "uni/tn-common/flt-default"
OVERRIDE = {"level1": "fully_qual", "level2": "src_any_filter", "level3": "any_any_filter"}
UNENFORCED_RULE = ("any_any_any", "permit")  # VEC D5 [unknown]: how an unenforced VRF is rendered


@dataclass(frozen=True)
class Filter:
    """A filter as the leaf holds it (actrlFlt with its actrlEntry children)."""

    id: str
    entries: tuple[Entry, ...]
    source: str = ""  # the vzFilter DN ('' for the implicit filters)
    reversed: bool = False  # source and destination ports swapped
    ack: bool = False  # on a provider-to-consumer rule: stateful entries match only packets with ACK

    def entry_names(self) -> list[str]:
        if not self.id.isdigit():
            return [self.id] if len(self.entries) == 1 else [f"{self.id}_{i}" for i in range(len(self.entries))]
        return [f"{self.id}_{i}" for i in range(len(self.entries))]

    def matches_all(self) -> bool:
        return any(e.is_any() for e in self.entries)


IMPLICIT_FILTER = Filter(IMPLICIT, (Entry(IMPLICIT),))
IMPLARP_FILTER = Filter(IMPLARP, (Entry(IMPLARP, etherT="arp"),))


@dataclass
class Rule:
    scope: int
    s: str
    d: str
    flt: str
    prio: str
    action: str
    direction: str
    type: str
    id: int = 0
    contract: str = ""
    subject: str = ""
    filter: str = ""  # vzFilter DN
    owners: list[tuple[str, str]] = field(default_factory=list)  # (creator DN, tag)
    src: str = ""  # the group DNs the rule was made for (for the verdict's text)
    dst: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.s, self.d, self.flt)

    @property
    def rn(self) -> str:
        return f"rule-{self.scope}-s-{self.s}-d-{self.d}-f-{self.flt}"

    @property
    def prio_number(self) -> int:
        return PRIORITIES[self.prio]

    @property
    def default(self) -> bool:
        return not self.contract and not self.owners_of("taboo")

    def owners_of(self, tag: str) -> list[str]:
        return [dn for dn, t in self.owners if t == tag]


@dataclass
class Scope:
    """The compiled rules and filters of one VRF, and the parts they were merged from: `base` (the default,
    preferred-group, isolation, taboo and shared-service rules) and one part per contract (its pair and
    intra-EPG rules), so that a change of one contract's subjects, filters or entries recompiles that part."""

    vrf: str
    vnid: int
    enforced: bool
    rules: dict[tuple[str, str, str], Rule] = field(default_factory=dict)
    filters: dict[str, Filter] = field(default_factory=dict)
    groups: dict[str, model.Group] = field(default_factory=dict)  # DN -> group (foreign shared providers too)
    local: list[model.Group] = field(default_factory=list)  # the VRF's own groups, in tree order
    anyg: model.AnyGroup | None = None
    contracts: list[str] = field(default_factory=list)  # the contracts the VRF's groups and vzAny name
    parts: dict[str, tuple[list[Rule], dict[str, Filter]]] = field(default_factory=dict)

    def by_pair(self) -> dict[tuple[str, str], list[Rule]]:
        """The rules by (sPcTag, dPcTag), worked out once per compiled scope (the verdict's lookup)."""
        index = self.__dict__.get("_by_pair")
        if index is None:
            index = {}
            for rule in self.rules.values():
                index.setdefault((rule.s, rule.d), []).append(rule)
            self.__dict__["_by_pair"] = index
        return index

    def merge(self) -> None:
        """rules and filters from the parts: two rules with one DN are one, with the best priority and action
        and the owners of both (VEC D3's order)."""
        self.rules, self.filters = {}, {}
        self.__dict__.pop("_by_pair", None)
        for rules, filters in self.parts.values():
            self.filters.update(filters)
            for rule in rules:
                have = self.rules.get(rule.key)
                if have is None:
                    have = self.rules[rule.key] = copy.copy(rule)
                    have.owners = list(rule.owners)
                elif (rule.prio_number, action_rank(rule.action)) < (have.prio_number, action_rank(have.action)):
                    better = self.rules[rule.key] = copy.copy(rule)
                    better.owners = have.owners + [o for o in rule.owners if o not in have.owners]
                else:
                    have.owners.extend(o for o in rule.owners if o not in have.owners)


def compile_scope(store: Store, vrf: str, ids: ZoningIds, previous: Scope | None = None,
                  contracts: frozenset[str] | None = None) -> Scope | None:
    """The rules every leaf where `vrf` is deployed holds for it (None: no such VRF, or no VNID yet).

    With `previous` (this VRF's last compiled scope) and `contracts` (the only contracts whose subjects,
    filters or entries changed since), only those contracts' parts are compiled again."""
    ctx = store.get(vrf)
    if ctx is None or ctx.cls != "fvCtx" or not ctx.get("scope").isdigit() or ctx.get("scope") == "0":
        return None
    vnid = int(ctx.get("scope"))
    scope = Scope(vrf, vnid, ctx.get("pcEnfPref") != "unenforced")
    compiler = _Compiler(store, scope, ids)
    if previous is not None and contracts is not None and previous.vnid == vnid and previous.enforced == scope.enforced \
            and previous.anyg is not None:
        scope.groups, scope.local, scope.anyg = dict(previous.groups), previous.local, previous.anyg
        scope.contracts = previous.contracts
        scope.parts = dict(previous.parts)
        for dn in contracts:
            scope.parts.pop(dn, None)
            if dn in scope.contracts:
                compiler.contract_part(dn)
    else:
        compiler.run()
    scope.merge()
    for rule in scope.rules.values():
        rule.id = ids.rule_id(vnid, rule.key)
    return scope


class _Compiler:
    def __init__(self, store: Store, scope: Scope, ids: ZoningIds):
        self.store = store
        self.scope = scope
        self.ids = ids
        self.vrf_owner = (f"vrf:{scope.vrf}", "vrf")
        self.part = "base"

    def rule(self, s: str, d: str, flt: Filter, prio: str, action: str, direction: str = "uni-dir",
             type_: str = "tenant", **extra) -> None:
        owners = extra.pop("owners", None) or [self.vrf_owner]
        rules, filters = self.scope.parts.setdefault(self.part, ([], {}))
        rules.append(Rule(self.scope.vnid, s, d, flt.id, prio, action, direction, type_, owners=owners, **extra))
        filters.setdefault(flt.id, flt)

    def run(self) -> None:
        scope, store = self.scope, self.store
        self.rule(ANY, ANY, IMPLARP_FILTER, "any_any_filter", "permit", type_="vrf_default")
        if not scope.enforced:
            prio, action = UNENFORCED_RULE
            self.rule(ANY, ANY, IMPLICIT_FILTER, prio, action, type_="vrf_default")
            return
        self.rule(ANY, ANY, IMPLICIT_FILTER, "any_any_any", "deny,log", type_="vrf_default")
        self.rule(ANY, model.EXTERNAL_ANY_TAG, IMPLICIT_FILTER, "any_vrf_any_deny", "deny,log", type_="vrf_default")
        for bd in model.bds_of_vrf(store, scope.vrf):
            tag = store.get(bd).get("pcTag")
            if tag:
                self.rule(ANY, tag, IMPLICIT_FILTER, "any_dest_any", "permit", type_="bd_flood")
        groups = [g for g in (model.read_group(store, dn, scope.vrf) for dn in model.groups_of_vrf(store, scope.vrf))
                  if g is not None and g.tag]
        scope.groups.update((g.dn, g) for g in groups)
        scope.local = groups
        anyg = scope.anyg = model.read_any(store, scope.vrf)
        if anyg.pref_enabled:
            self.rule(ANY, ANY, IMPLICIT_FILTER, "grp_any_any_any_permit", "permit")
            for g in groups:
                if not g.pref_member:
                    for tag in g.tags:
                        self.rule(tag, ANY, IMPLICIT_FILTER, "grp_src_any_any_deny", "deny,log", src=g.dn)
                        self.rule(ANY, tag, IMPLICIT_FILTER, "grp_any_dest_any_deny", "deny,log", dst=g.dn)
        for g in groups:
            if g.isolated or g.intra:
                self.rule(g.tag, g.tag, IMPLICIT_FILTER, "class-eq-deny", "deny", src=g.dn, dst=g.dn,
                          owners=[(g.dn, "epg")])
            for taboo in g.taboos:
                for att in model.read_taboo(store, taboo):
                    action = "deny,log" if "log" in att.directives else "deny"
                    for tag in g.tags:
                        self.rule(ANY, tag, self.filter(att.filter), "black_list", action, filter=att.filter,
                                  owners=[(taboo, "taboo")], dst=g.dn)
            if g.tag.isdigit() and int(g.tag) < 16386 and self.is_shared_provider(g):
                self.rule(g.tag, ANY, IMPLICIT_FILTER, "shsrc_any_any_deny", "deny,log", type_="vrf_default", src=g.dn)
        contracts: dict[str, None] = {}
        for g in groups:
            contracts.update(dict.fromkeys(g.consumes + g.provides + g.intra))
        contracts.update(dict.fromkeys(anyg.consumes + anyg.provides))
        scope.contracts = list(contracts)
        for dn in contracts:
            self.contract_part(dn)

    def contract_part(self, dn: str) -> None:
        """The rules one contract makes in this VRF: its consumer-provider pairs and its intra-EPG filters."""
        scope = self.scope
        contract = model.read_contract(self.store, dn)
        self.part = dn
        scope.parts[dn] = ([], {})
        if contract is not None:
            self.contract(contract, scope.local, scope.anyg)
            for g in scope.local:
                if dn in g.intra:
                    self.intra(g, contract)
        self.part = "base"

    def is_shared_provider(self, g: model.Group) -> bool:
        for dn in g.provides:
            mo = self.store.get(dn)
            if mo is None or mo.get("scope") not in ("tenant", "global"):
                continue
            for consumer in model.consumers_of(self.store, dn):
                c = model.read_group(self.store, consumer)
                if c is not None and c.vrf != g.vrf and model.scope_joins(mo.get("scope"), c, g):
                    return True
        return False

    # --- filters --------------------------------------------------------------------------------------
    def filter(self, dn: str, swap: bool = False, ack: bool = False) -> Filter:
        """The filter `dn` as a rule uses it: with source and destination ports swapped (the return rule of
        a subject with revFltPorts yes), and/or on a provider-to-consumer rule (`ack`: its stateful entries
        then ask for ACK). A variant that changes nothing is the filter itself; one that does has an id of
        its own, so that two rules with one DN always match alike."""
        entries = tuple(model_entries(self.store, dn))
        if swap:
            flipped = tuple(e.reversed() for e in entries)
            swap = flipped != entries
            entries = flipped
        ack = ack and any(e.stateful == "yes" for e in entries)
        if dn == COMMON_DEFAULT_FILTER and not swap and not ack:
            return Filter(DEFAULT_FILTER, entries, dn)
        return Filter(str(self.ids.filter_id(dn, swap, ack)), entries, dn, swap, ack)

    # --- intra-EPG ------------------------------------------------------------------------------------
    def intra(self, g: model.Group, contract: model.Contract) -> None:
        for subj in contract.subjects:
            atts = [(a, False, False) for a in subj.both + subj.into]
            atts += [(a, False, True) for a in subj.out]
            atts += [(a, subj.rev_ports, True) for a in subj.both]
            for att, swap, ack in atts:
                flt = self.filter(att.filter, swap, ack)
                self.rule(g.tag, g.tag, flt, "class-eq-filter", _action(att), filter=att.filter,
                          contract=contract.dn, subject=subj.dn, owners=[(contract.dn, "contract")], src=g.dn, dst=g.dn)

    # --- contracts ------------------------------------------------------------------------------------
    def contract(self, contract: model.Contract, groups: list[model.Group], anyg: model.AnyGroup) -> None:
        dn = contract.dn
        consumers: list[model.Group | None] = [g for g in groups if dn in g.consumes]
        providers: list[model.Group | None] = [g for g in groups if dn in g.provides]
        if dn in anyg.consumes:
            consumers.append(None)
        if dn in anyg.provides:
            providers.append(None)
        if contract.scope in ("tenant", "global") and any(c is not None for c in consumers):
            for pdn in model.providers_of(self.store, dn):
                p = model.read_group(self.store, pdn)
                if p is not None and p.vrf and p.vrf != self.scope.vrf and p.tag:
                    providers.append(p)
                    self.scope.groups[p.dn] = p
        for c in consumers:
            for p in providers:
                if c is None or p is None:
                    if (p is not None and p.vrf != self.scope.vrf) or (c is not None and c.vrf != self.scope.vrf):
                        continue
                elif not model.scope_joins(contract.scope, c, p) or c.dn == p.dn:
                    continue
                for subj in contract.subjects:
                    self.pair(contract, subj, c, p)

    def pair(self, contract: model.Contract, subj: model.Subject, c: model.Group | None, p: model.Group | None) -> None:
        ctags = c.tags if c is not None else [ANY]
        ptags = p.tags if p is not None else [ANY]
        cdn = c.dn if c is not None else f"{self.scope.vrf}/any"
        pdn = p.dn if p is not None else f"{self.scope.vrf}/any"
        owners = [(contract.dn, "contract")]
        plan = []
        for att in subj.both:
            plan.append((att, False, "bi-dir", False))
            plan.append((att, subj.rev_ports, "uni-dir-ignore", True))
        plan += [(att, False, "uni-dir", False) for att in subj.into]
        plan += [(att, False, "uni-dir", True) for att in subj.out]
        for att, reverse_ports, direction, backwards in plan:
            flt = self.filter(att.filter, reverse_ports, backwards)
            for ct in ctags:
                for pt in ptags:
                    s, d = (pt, ct) if backwards else (ct, pt)
                    if s == d and s != ANY:
                        continue
                    self.rule(s, d, flt, _priority(s, d, flt, att), _action(att), direction, filter=att.filter,
                              contract=contract.dn, subject=subj.dn, owners=list(owners),
                              src=pdn if backwards else cdn, dst=cdn if backwards else pdn)


def model_entries(store: Store, filter_dn: str) -> list[Entry]:
    mo = store.get(filter_dn)
    return [Entry.of(e) for e in mo.child_list() if e.cls == "vzEntry"] if mo is not None else []


def _priority(s: str, d: str, flt: Filter, att: model.FilterAtt) -> str:
    if att.action == "deny" and att.priority_override in OVERRIDE:
        return OVERRIDE[att.priority_override]
    wild = flt.matches_all()
    if s != ANY and d != ANY:
        return "src_dst_any" if wild else "fully_qual"
    if s != ANY:
        return "src_any_any" if wild else "src_any_filter"
    if d != ANY:
        return "any_dest_any" if wild else "any_dest_filter"
    return "any_any_filter"


def _action(att: model.FilterAtt) -> str:
    base = "deny" if att.action == "deny" else "permit"
    return f"{base},log" if "log" in att.directives.split(",") else base
