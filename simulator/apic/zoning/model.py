"""The logical policy of one VRF as the APIC reads it from its tree: endpoint groups, vzAny, contracts with
their subjects and filters, taboos, the preferred group, isolation and enforcement.

Confirmed (VEC D5): the classes and properties read here (fvCtx.pcEnfPref, fvAEPg.pcEnfPref, prefGrMemb of
vzAny/fvAEPg/l3extInstP, vzBrCP.scope, vzSubj.revFltPorts, vzRsSubjFiltAtt vs vzInTerm/vzOutTerm with
vzRsFiltAtt and their action/directives/priorityOverride, vzTaboo/vzTSubj/vzRsDenyRule with fvRsProtBy,
l3extSubnet scope import-security). Relations are read as the relation resolver resolved them (by name in
the source's tenant, then in tenant common; simulator/apic/managers/relations.py): only a target that
exists counts.

Inferred (VEC D5 gives the values, not the pair rules): a contract of scope `context` joins a consumer and a
provider of one VRF, `application-profile` of one VRF and one application profile (an external EPG belongs
to none), `tenant` of one tenant, `global` any two; only `tenant` and `global` join groups of two VRFs
(shared services; vzAny takes part in its own VRF only).
"""

from __future__ import annotations

import ipaddress
import weakref
from dataclasses import dataclass, field

from ..managers.relations import RelationResolver
from ..mit.dn import parent_dn
from ..mit.store import MO, Store

GROUP_CLASSES = ("fvAEPg", "l3extInstP")
EXTERNAL_ANY_TAG = "15"  # VEC D2: the L3Out 0.0.0.0/0 external EPG's prefix class
# relation classes the relation resolver watches (the catalog gives them a target class)
_WATCHED = {"fvRsCtx", "fvRsBd", "l3extRsEctx", "fvRsProv", "fvRsCons", "fvRsConsIf", "fvRsIntraEpg", "fvRsProtBy",
            "vzRsSubjFiltAtt", "vzRsFiltAtt", "vzRsDenyRule", "vzRsAnyToProv", "vzRsAnyToCons", "vzRsAnyToConsIf"}


def tenant_of(dn: str) -> str:
    """uni/tn-T of anything under a tenant ('' otherwise)."""
    if not dn.startswith("uni/tn-"):
        return ""
    end = dn.find("/", 4)
    return dn if end < 0 else dn[:end]


def ap_of(dn: str) -> str:
    """uni/tn-T/ap-A of an application EPG, '' for anything else."""
    parent = parent_dn(dn)
    return parent if parent.rsplit("/", 1)[-1].startswith("ap-") else ""


def target(store: Store, rel: MO | None) -> str:
    """The DN a relation points at, when that target exists."""
    if rel is None:
        return ""
    dn = rel.get("tDn")
    return dn if dn and dn in store else ""


def child(store: Store, dn: str, rn: str) -> MO | None:
    return store.get(f"{dn}/{rn}")


def vrf_of_bd(store: Store, bd: str) -> str:
    return target(store, child(store, bd, "rsctx"))


def vrf_of(store: Store, dn: str) -> str:
    """The VRF of an EPG, an external EPG, a BD or a VRF ('' when a relation does not resolve)."""
    mo = store.get(dn)
    if mo is None:
        return ""
    cls = mo.cls
    if cls == "fvCtx":
        return dn
    if cls == "fvBD":
        return vrf_of_bd(store, dn)
    if cls == "fvAEPg":
        bd = target(store, child(store, dn, "rsbd"))
        return vrf_of_bd(store, bd) if bd else ""
    if cls == "l3extInstP":
        return target(store, child(store, parent_dn(dn), "rsectx"))
    if cls == "vzAny":
        return parent_dn(dn)
    return ""


_RESOLVERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def pointing(store: Store, cls: str, target_dn: str) -> list[str]:
    """The owners (parents) of the relations of `cls` whose target is `target_dn`, by DN.

    Asked of the relation resolver's watch list (target -> the relations that may resolve to it) when the
    store has one: a value lookup of tDn right after the resolver set it would sort the whole class again
    on every write (the store's value index puts modified values back in class order when read)."""
    resolver = _RESOLVERS.get(store)
    if resolver is None:
        resolver = next((h for h in store.hooks if isinstance(h, RelationResolver)), False)
        _RESOLVERS[store] = resolver
    if resolver and cls in _WATCHED:
        rels = [store.get(dn) for dn in resolver.watchers.get(target_dn, ())]
    else:
        rels = store.lookup(cls, "tDn", target_dn)
    owners = {parent_dn(rel.dn) for rel in rels if rel is not None and rel.cls == cls and rel.get("tDn") == target_dn}
    return sorted(dn for dn in owners if dn in store)


def bds_of_vrf(store: Store, vrf: str) -> list[str]:
    return pointing(store, "fvRsCtx", vrf)


def epgs_of_bd(store: Store, bd: str) -> list[str]:
    return [dn for dn in pointing(store, "fvRsBd", bd) if store.get(dn).cls == "fvAEPg"]


def l3outs_of_vrf(store: Store, vrf: str) -> list[str]:
    return pointing(store, "l3extRsEctx", vrf)


def groups_of_vrf(store: Store, vrf: str) -> list[str]:
    """The EPGs and external EPGs of a VRF, in tree order of their BDs and L3Outs."""
    groups = [epg for bd in bds_of_vrf(store, vrf) for epg in epgs_of_bd(store, bd)]
    for out in l3outs_of_vrf(store, vrf):
        groups.extend(mo.dn for mo in store.children(out) if mo.cls == "l3extInstP")
    return groups


@dataclass(frozen=True)
class FilterAtt:
    """A filter as a subject (or a term, or a taboo subject) attaches it."""

    filter: str  # vzFilter DN
    action: str = "permit"  # permit | deny
    directives: str = ""  # log, no_stats
    priority_override: str = "default"


@dataclass(frozen=True)
class Subject:
    dn: str
    rev_ports: bool
    both: tuple[FilterAtt, ...]  # vzRsSubjFiltAtt: applied in both directions
    into: tuple[FilterAtt, ...]  # vzInTerm: consumer -> provider only
    out: tuple[FilterAtt, ...]  # vzOutTerm: provider -> consumer only


@dataclass(frozen=True)
class Contract:
    dn: str
    scope: str
    subjects: tuple[Subject, ...]


@dataclass
class Group:
    """An EPG or an external EPG with what zoning needs of it."""

    dn: str
    cls: str
    vrf: str
    tag: str
    tenant: str
    ap: str
    pref_member: bool
    isolated: bool
    provides: list[str] = field(default_factory=list)  # contract DNs
    consumes: list[str] = field(default_factory=list)
    intra: list[str] = field(default_factory=list)
    taboos: list[str] = field(default_factory=list)
    subnets: list[str] = field(default_factory=list)  # import-security prefixes (external EPGs)

    @property
    def has_default_route(self) -> bool:
        return any(ipaddress.ip_network(s, strict=False).prefixlen == 0 for s in self.subnets)

    @property
    def tags(self) -> list[str]:
        """The classes traffic of this group carries: an external EPG's 0/0 subnet classifies as 15 (VEC D2)."""
        tags = [self.tag] if self.tag else []
        if self.cls == "l3extInstP" and self.has_default_route:
            tags.append(EXTERNAL_ANY_TAG)
        return tags


def _atts(store: Store, parent: MO, cls: str) -> tuple[FilterAtt, ...]:
    found = []
    for rel in parent.child_list():
        if rel.cls == cls and (flt := target(store, rel)):
            found.append(FilterAtt(flt, rel.get("action") or "permit", rel.get("directives"),
                                   rel.get("priorityOverride") or "default"))
    return tuple(found)


def read_contract(store: Store, dn: str) -> Contract | None:
    mo = store.get(dn)
    if mo is None or mo.cls != "vzBrCP":
        return None
    subjects = []
    for subj in mo.child_list():
        if subj.cls != "vzSubj":
            continue
        into: tuple[FilterAtt, ...] = ()
        out: tuple[FilterAtt, ...] = ()
        for term in subj.child_list():
            if term.cls == "vzInTerm":
                into += _atts(store, term, "vzRsFiltAtt")
            elif term.cls == "vzOutTerm":
                out += _atts(store, term, "vzRsFiltAtt")
        subjects.append(Subject(subj.dn, subj.get("revFltPorts") != "no", _atts(store, subj, "vzRsSubjFiltAtt"),
                                into, out))
    return Contract(dn, mo.get("scope") or "context", tuple(subjects))


def read_taboo(store: Store, dn: str) -> tuple[FilterAtt, ...]:
    mo = store.get(dn)
    if mo is None:
        return ()
    atts: tuple[FilterAtt, ...] = ()
    for subj in mo.child_list():
        if subj.cls == "vzTSubj":
            atts += tuple(FilterAtt(a.filter, "deny", a.directives) for a in _atts(store, subj, "vzRsDenyRule"))
    return atts


def contracts_of_interface(store: Store, cpif: str) -> str:
    """The contract a contract interface (vzCPIf, an exported contract) stands for."""
    return target(store, child(store, cpif, "rsif"))


def read_group(store: Store, dn: str, vrf: str | None = None) -> Group | None:
    mo = store.get(dn)
    if mo is None or mo.cls not in GROUP_CLASSES:
        return None
    group = Group(dn, mo.cls, vrf if vrf is not None else vrf_of(store, dn), mo.get("pcTag"), tenant_of(dn),
                  ap_of(dn) if mo.cls == "fvAEPg" else "", mo.get("prefGrMemb") == "include",
                  mo.cls == "fvAEPg" and mo.get("pcEnfPref") == "enforced")
    for rel in mo.child_list():
        cls = rel.cls
        if cls == "fvRsProv":
            if t := target(store, rel):
                group.provides.append(t)
        elif cls == "fvRsCons":
            if t := target(store, rel):
                group.consumes.append(t)
        elif cls == "fvRsConsIf":
            if (cpif := target(store, rel)) and (t := contracts_of_interface(store, cpif)):
                group.consumes.append(t)
        elif cls == "fvRsIntraEpg":
            if t := target(store, rel):
                group.intra.append(t)
        elif cls == "fvRsProtBy":
            if t := target(store, rel):
                group.taboos.append(t)
        elif cls == "l3extSubnet" and "import-security" in rel.get("scope").split(","):
            group.subnets.append(rel.get("ip"))
    return group


@dataclass
class AnyGroup:
    """vzAny of a VRF: every group of the VRF, as class `any` (0) in zoning rules (VEC D2)."""

    dn: str
    pref_enabled: bool
    provides: list[str] = field(default_factory=list)
    consumes: list[str] = field(default_factory=list)


def read_any(store: Store, vrf: str) -> AnyGroup:
    dn = f"{vrf}/any"
    mo = store.get(dn)
    group = AnyGroup(dn, mo is not None and mo.get("prefGrMemb") == "enabled")
    for rel in mo.child_list() if mo is not None else ():
        if rel.cls == "vzRsAnyToProv" and (t := target(store, rel)):
            group.provides.append(t)
        elif rel.cls == "vzRsAnyToCons" and (t := target(store, rel)):
            group.consumes.append(t)
        elif rel.cls == "vzRsAnyToConsIf" and (cpif := target(store, rel)) and (t := contracts_of_interface(store, cpif)):
            group.consumes.append(t)
    return group


def scope_joins(scope: str, consumer: Group, provider: Group) -> bool:
    """Whether a contract of `scope` connects this consumer to this provider (module docstring)."""
    same_vrf = bool(consumer.vrf) and consumer.vrf == provider.vrf
    if scope == "context":
        return same_vrf
    if scope == "application-profile":
        return same_vrf and bool(consumer.ap) and consumer.ap == provider.ap
    if scope == "tenant":
        return consumer.tenant == provider.tenant and bool(consumer.vrf and provider.vrf)
    return bool(consumer.vrf and provider.vrf)  # global


def consumers_of(store: Store, contract: str) -> list[str]:
    """The groups consuming a contract directly or through a contract interface."""
    found = pointing(store, "fvRsCons", contract)
    for cpif in pointing(store, "vzRsIf", contract):
        found.extend(pointing(store, "fvRsConsIf", cpif))
    return found


def providers_of(store: Store, contract: str) -> list[str]:
    return pointing(store, "fvRsProv", contract)
