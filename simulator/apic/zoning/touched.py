"""Which VRFs a write touches, and how deeply (simulator/apic/zoning/leaves.py renders them).

A VRF's policy is touched by its own fvCtx (enforcement, VNID), its vzAny and vzAny relations, its groups
(created, deleted, their pcTag, isolation, preferred-group membership, their contract, taboo and subnet
relations), its BDs (pcTag) and the relations that place groups in it; only some contracts' parts of it by
changes under a contract (vzBrCP, vzSubj, terms, filter attachments) or of a filter it uses (vzFilter,
vzEntry), found through the relations that name them; only its deployment by endpoints, paths, VMM bindings
and border-leaf nodes. A shared-service contract carries a change of one VRF's party to the other VRF.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..mit.dn import parent_dn
from ..mit.store import MO, Event, Store
from . import model

DEPLOYMENT = ("fvCEp", "fvRsCEpToPathEp", "fvRsPathAtt", "fvRsNodeAtt", "fvLocale", "fvDyPathAtt")
GROUP_RELS = ("fvRsProv", "fvRsCons", "fvRsConsIf", "fvRsIntraEpg", "fvRsProtBy", "l3extSubnet")
ANY_RELS = ("vzRsAnyToProv", "vzRsAnyToCons", "vzRsAnyToConsIf")
OWN = ("actrlInst", "actrlScope", "actrlRule", "actrlFlt", "actrlEntry", "vzRuleOwner", "actrlRsToEpgConn")
GROUP_PROPS = {"pcTag", "pcEnfPref", "prefGrMemb"}


@dataclass
class Touched:
    """VRF -> True where its policy may have changed, the contract DNs where only those contracts' subjects,
    filters or entries did, False where only the leaves it is on may have; and whether fabric nodes changed
    or the controller was reset (polUni deleted)."""

    vrfs: dict[str, bool | frozenset[str]]
    nodes: bool = False
    reset: bool = False


def touched(store: Store, events: list[Event], group_vrf: dict[str, str]) -> Touched:
    """What a batch of events touches (`group_vrf`: the VRF each group and BD had when last compiled, for
    groups that are gone)."""
    vrfs: dict[str, None] = {}
    contracts: dict[str, None] = {}
    filters: dict[str, None] = {}
    taboos: dict[str, None] = {}
    groups: dict[str, None] = {}
    body: dict[str, None] = {}  # contracts whose subjects, filters or entries changed
    moved: dict[str, None] = {}  # EPGs whose deployment (not policy) changed
    deploy: dict[str, None] = {}  # VRFs whose set of leaves may have changed
    created: set[str] = set()
    nodes = reset = False
    for event in events:
        cls, dn, kind = event.cls, event.dn, event.kind
        if cls in OWN:
            continue
        if cls == "fabricNode":
            nodes = True
        elif cls == "polUni" and kind == "deleted":  # the controller's reset: everything starts again
            reset = True
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
            body[_upto(dn, "/brc-")] = None
        elif cls in ("vzFilter", "vzEntry"):
            filters[_upto(dn, "/flt-")] = None
        elif cls in ("vzTaboo", "vzTSubj", "vzRsDenyRule"):
            taboos[_upto(dn, "/taboo-")] = None
        elif cls in ("vzCPIf", "vzRsIf"):
            cpif = _upto(dn, "/cif-")
            contracts.update(dict.fromkeys(model.contracts_of_interface(store, cpif) for _ in (0,)))
            groups.update(dict.fromkeys(model.pointing(store, "fvRsConsIf", cpif)))
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
            body.update(dict.fromkeys(_upto(dn, "/brc-") for dn in model.pointing(store, cls, flt)))
        taboos.update(dict.fromkeys(_upto(dn, "/taboo-") for dn in model.pointing(store, "vzRsDenyRule", flt)))
    for taboo in taboos:
        groups.update(dict.fromkeys(model.pointing(store, "fvRsProtBy", taboo)))
    for contract in contracts:
        if contract:
            groups.update(dict.fromkeys(_contract_parties(store, contract)))
            for rel in ANY_RELS[:2]:
                vrfs.update(dict.fromkeys(parent_dn(dn) for dn in model.pointing(store, rel, contract)))
    for group in groups:
        vrf = model.vrf_of(store, group)
        if vrf:
            vrfs[vrf] = None
        old = group_vrf.get(group)
        if old:
            vrfs[old] = None
    vrfs.pop("", None)
    touched: dict[str, bool | frozenset[str]] = dict.fromkeys(vrfs, True)
    for contract in body:  # only its subjects, filters or entries: its part of each VRF it is in
        parties = {model.vrf_of(store, g) for g in _contract_parties(store, contract)}
        for rel in ANY_RELS[:2]:
            parties.update(parent_dn(dn) for dn in model.pointing(store, rel, contract))
        for vrf in parties - {""}:
            have = touched.get(vrf, frozenset())
            if have is not True:
                touched[vrf] = have | {contract}
    for epg in moved:
        deploy[model.vrf_of(store, epg) or group_vrf.get(epg, "")] = None
    for vrf in deploy:
        if vrf:
            touched.setdefault(vrf, False)
    return Touched(touched, nodes, reset)

def _contract_parties(store: Store, contract: str) -> list[str]:
    found = model.providers_of(store, contract) + model.consumers_of(store, contract)
    found += model.pointing(store, "fvRsIntraEpg", contract)
    return found


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
