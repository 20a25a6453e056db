"""Leaf deployment of the EPGs of Red Hat VMM domains: the VLAN of each EPG on the leaf ports facing the hosts.

For every vmmEpPD `uni/vmmp-Redhat/dom-D/eppd-[E]` (the EPG E's association, encap `vlan-V`), the APIC
deploys E on the leaves: `uni/epp/fv-[E]/node-N/dyatt-[P]` fvDyPathAtt (targetDn P, encap) with
`conndef/conn-[vlan-V]-[0.0.0.0]` fvIfConn, for each path P of the deployment set and each leaf N of P
(a vPC path `protpaths-N-M` lives under both leaves). The deployment set follows the association's
`fvRsDomAtt.resImedcy` (vmm-endpoints-contracts.md C and A4):

- immediate: every path facing a host of the domain: the `portDesc` (the path DN a leaf advertises over
  LLDP) of every hvsAdj under every compHv of every controller `comp/prov-Redhat/ctrlr-[D]-*`;
- lazy (On Demand): only the paths where an endpoint of E is: the tDn of every fvRsCEpToPathEp under
  `E/cep-*` whose fvCEp carries the domain's VLAN;
- pre-provision: every leaf port of every AEP with an infraRsDomP to the domain (access_policy.py),
  plus the immediate set.

Confirmed (C): the DNs of fvDyPathAtt/fvIfConn and their targetDn/encap attributes, the three immediacy
labels, pre-provision needing no adjacency, fvLocale existing only while the EPG has a path attachment.
Inferred: the `0.0.0.0` address of a layer-2 connection as the only fvIfConn property set, the fvEpP
carrying only epgPKey/epgDn (its pcTag/scopeId come from zoning, not simulated here), and that an EPG
in two Red Hat domains on one path gets one fvIfConn per VLAN under one fvDyPathAtt whose encap is the
lowest of them. A VLAN is deployed as soon as the vmmEpPD has one (instrImedcy, which governs the
leaf's hardware programming, has no object here).

A store hook: it runs inside the write that changes what a deployment depends on, recomputes only the
EPGs that change touches, and writes only the objects that differ from what is there.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..mit.dn import Dn, parent_dn, rn_of
from ..mit.store import MO, Event, Store, Transaction
from .access_policy import POLICY_CLASSES, POLICY_PROPS, domain_ports, path_leaves

PROVIDER = "uni/vmmp-Redhat"
INVENTORY = "comp/prov-Redhat"
EPP = "uni/epp"
NO_ADDRESS = "0.0.0.0"  # a layer-2 connection has no address

Deployment = dict[tuple[int, str], set[str]]  # (leaf node id, path DN) -> the VLANs deployed there


class LeafDeployment:
    def __init__(self, store: Store):
        self.store = store
        self.catalog = store.catalog
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        epgs = self._affected(events)
        if not epgs:
            return
        plan = _Plan(self.store)
        for epg in epgs:
            self._apply(txn, epg, plan.wanted(epg))

    # --- which EPGs a change touches ---------------------------------------------------------------------
    def _affected(self, events: list[Event]) -> dict[str, None]:
        epgs: dict[str, None] = {}
        domains: set[str] = set()
        policies = False
        for event in events:
            cls, dn, kind = event.cls, event.dn, event.kind
            if cls == "vmmEpPD" and dn.startswith(PROVIDER + "/dom-"):
                epgs[_bracketed(rn_of(dn), "eppd-")] = None
            elif cls == "fvRsDomAtt" and _bracketed(rn_of(dn), "rsdomAtt-").startswith(PROVIDER + "/dom-"):
                if kind != "modified" or "resImedcy" in event.changed:
                    epgs[parent_dn(dn)] = None
            elif cls == "hvsAdj" and dn.startswith(INVENTORY + "/ctrlr-["):
                if kind != "modified" or "portDesc" in event.changed:
                    domains.add(_domain_of_controller(dn))
            elif cls == "fvRsCEpToPathEp" and kind != "modified":
                epgs[parent_dn(parent_dn(dn))] = None
            elif cls in POLICY_CLASSES and (kind != "modified" or POLICY_PROPS & event.changed.keys()):
                policies = True
        if not domains and not policies:
            return epgs
        for domain in self.store.children(PROVIDER):
            if domain.cls != "vmmDomP":
                continue
            name = domain.get("name")
            for pd in self.store.children(domain.dn):
                if pd.cls != "vmmEpPD":
                    continue
                epg = pd.get("epgPKey") or _bracketed(pd.rn, "eppd-")
                if name in domains or policies and _immediacy(self.store, epg, domain.dn) == "pre-provision":
                    epgs[epg] = None
        return epgs

    # --- making the tree match -----------------------------------------------------------------------------
    def _apply(self, txn: Transaction, epg: str, wanted: Deployment) -> None:
        fv_dn = f"{EPP}/fv-[{epg}]"
        have = self._existing(fv_dn)
        if not wanted and not have:
            return
        for key, dyatt in have.items():
            if key not in wanted:
                txn.delete(dyatt.dn)
        for (node, path), vlans in sorted(wanted.items()):
            dyatt = have.get((node, path))
            if dyatt is None:
                self._ensure(txn, [EPP, fv_dn, f"{fv_dn}/node-{node}"], {"epgDn": epg})
                dyatt = self._create(txn, f"{fv_dn}/node-{node}/dyatt-[{path}]", {"targetDn": path})
            txn.modify(dyatt, {"encap": min(vlans, key=_vlan_number)})
            conndef = self._ensure(txn, [f"{dyatt.dn}/conndef"], {})
            conns = {mo.get("encap"): mo for mo in _of(conndef.child_list(), "fvIfConn")}
            for vlan, conn in conns.items():
                if vlan not in vlans:
                    txn.delete(conn.dn)
            for vlan in sorted(vlans - conns.keys(), key=_vlan_number):
                self._create(txn, f"{conndef.dn}/conn-[{vlan}]-[{NO_ADDRESS}]", {"encap": vlan, "addr": NO_ADDRESS})
        self._prune(txn, fv_dn)

    def _existing(self, fv_dn: str) -> dict[tuple[int, str], MO]:
        """The fvDyPathAtt objects of an EPG, by (leaf, target path)."""
        found = {}
        for locale in self.store.children(fv_dn):
            if locale.cls != "fvLocale":
                continue
            node = int(locale.rn.removeprefix("node-"))
            for dyatt in locale.child_list():
                if dyatt.cls == "fvDyPathAtt":
                    found[(node, dyatt.get("targetDn") or _bracketed(dyatt.rn, "dyatt-"))] = dyatt
        return found

    def _prune(self, txn: Transaction, fv_dn: str) -> None:
        """fvLocale and fvEpP exist only while there is something under them."""
        fv = self.store.get(fv_dn)
        if fv is None:
            return
        for locale in fv.child_list():
            if locale.cls == "fvLocale" and not locale.children:
                txn.delete(locale.dn)
        if not fv.children:
            txn.delete(fv_dn)

    def _ensure(self, txn: Transaction, dns: list[str], extra: dict[str, str]) -> MO:
        """Each DN of the chain, created (with its naming values, and `extra` where the class has such
        properties) when missing; returns the last."""
        mo = None
        for dn in dns:
            mo = self.store.get(dn) or self._create(txn, dn, extra)
        return mo

    def _create(self, txn: Transaction, dn: str, extra: dict[str, str]) -> MO:
        parsed = Dn.parse(dn, self.catalog)
        meta = parsed.meta
        attrs = {**parsed.naming(), **{k: v for k, v in extra.items() if k in meta.props}}
        return txn.create(meta, dn, attrs)


class _Plan:
    """The deployment sets of one hook call; what several EPGs share (a domain's host paths and AEP
    ports) is computed once."""

    def __init__(self, store: Store):
        self.store = store
        self._hosts: dict[str, set[str]] = {}
        self._ports: dict[str, set[str]] = {}

    def wanted(self, epg: str) -> Deployment:
        wanted: Deployment = {}
        for domain in self.store.children(PROVIDER):
            pd = self.store.get(f"{domain.dn}/eppd-[{epg}]") if domain.cls == "vmmDomP" else None
            vlan = pd.get("encap") if pd is not None else ""
            if not vlan.startswith("vlan-"):
                continue
            immediacy = _immediacy(self.store, epg, domain.dn)
            if immediacy is None:
                continue
            if immediacy == "lazy":
                paths = self._endpoint_paths(epg, vlan)
            else:
                paths = self._host_paths(domain.get("name"))
                if immediacy == "pre-provision":
                    paths = paths | self._aep_ports(domain.dn)
            for path in paths:
                for node in path_leaves(path):
                    wanted.setdefault((node, path), set()).add(vlan)
        return wanted

    def _host_paths(self, domain: str) -> set[str]:
        if domain not in self._hosts:
            prefix = f"{INVENTORY}/ctrlr-[{domain}]-"
            self._hosts[domain] = {
                adj.get("portDesc")
                for ctrlr in self.store.children(INVENTORY) if ctrlr.dn.startswith(prefix)
                for hv in ctrlr.child_list() if hv.cls == "compHv"
                for adj in hv.child_list() if adj.cls == "hvsAdj"
            }
        return self._hosts[domain]

    def _aep_ports(self, domain_dn: str) -> set[str]:
        if domain_dn not in self._ports:
            self._ports[domain_dn] = domain_ports(self.store, domain_dn)
        return self._ports[domain_dn]

    def _endpoint_paths(self, epg: str, vlan: str) -> set[str]:
        return {rel.get("tDn") for cep in _of(self.store.children(epg), "fvCEp") if cep.get("encap") in ("", vlan)
                for rel in _of(cep.child_list(), "fvRsCEpToPathEp")}


def _immediacy(store: Store, epg: str, domain_dn: str) -> str | None:
    rel = store.get(f"{epg}/rsdomAtt-[{domain_dn}]")
    return rel.get("resImedcy") if rel is not None else None


def _of(mos: Iterable[MO], cls: str) -> list[MO]:
    return [mo for mo in mos if mo.cls == cls]


def _bracketed(rn: str, prefix: str) -> str:
    """The value of an RN `prefix[value]`."""
    return rn[len(prefix) + 1:-1] if rn.startswith(prefix + "[") else ""


def _domain_of_controller(dn: str) -> str:
    """D of anything under comp/prov-Redhat/ctrlr-[D]-C."""
    rest = dn[len(INVENTORY + "/ctrlr-["):]
    return rest.split("]-", 1)[0]


def _vlan_number(vlan: str) -> int:
    number = vlan.removeprefix("vlan-")
    return int(number) if number.isdigit() else 0
