"""EPGs associated with a Red Hat VMM domain: the VLAN each gets and the name of its logical network.

An fvRsDomAtt from an EPG to uni/vmmp-Redhat/dom-<D> makes the APIC take a VLAN from the domain's pool
and record it in the domain's vmmEpPD eppd-[<epg>] (encap, allocMode, the logical network's name), in
the same transaction as the association; the controllers of the domain are then asked to sync, and the
sync carries the network to each RHV Manager (vmm_redhat.py). Taking the association away deletes the
vmmEpPD, which frees the VLAN; the next sync removes the network.

When no VLAN can be given (no pool, a static encap outside the pool's static blocks or used by another
EPG of the domain, a pool with no free VLAN left) the EPG gets fault F0467 with the APIC's wording for
invalid VLAN configuration and the reason as its debug message; the pool-exhausted reason is
simulator-defined (no public source shows the real one, vmm-endpoints-contracts.md C). A block added to
the pool later, or the domain pointed at another pool, retries every EPG of the domain that has no VLAN.

The logical network's name: `<tenant><d><ap><d><epg>` with the association's `delimiter` (default "|"),
or its `customEpgName` when given. The APIC's exact rule for RHV is not public (research A1): the
format is the setting `RedhatVmmSettings.network_name`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..mit.dn import parent_dn
from . import vlan_pool
from .faults import FaultSpec, clear_fault, raise_fault

if TYPE_CHECKING:
    from ..mit.store import MO, Event, Store, Transaction

PROVIDER = "uni/vmmp-Redhat/"
DEFAULT_DELIMITER = "|"
DEFAULT_NAME = "{tenant}{delimiter}{ap}{delimiter}{epg}"
F0467 = FaultSpec(
    code="F0467", cause="configuration-failed", rule="fv-nw-issues-config-failed", severity="minor",
    type="config", subject="management", domain="tenant",
    text="Configuration failed for EPG {epg} due to Invalid VLAN Configuration, debug message: {reason};",
)


def epg_names(epg_dn: str) -> dict[str, str]:
    """tenant, ap and epg of uni/tn-<t>/ap-<a>/epg-<e>."""
    parts = epg_dn.split("/")
    return {"tenant": parts[1][len("tn-"):], "ap": parts[2][len("ap-"):], "epg": parts[3][len("epg-"):]}


def network_name(rel: MO, epg_dn: str, template: str = DEFAULT_NAME) -> str:
    custom = rel.get("customEpgName")
    if custom:
        return custom
    return template.format(delimiter=rel.get("delimiter") or DEFAULT_DELIMITER, **epg_names(epg_dn))


def eppd_dn(domain_dn: str, epg_dn: str) -> str:
    return f"{domain_dn}/eppd-[{epg_dn}]"


class RedhatEpgAssociations:
    """Store hook: keeps one vmmEpPD per EPG associated with a Red Hat domain. `changed(domain dn)` is
    told of every domain whose associations changed (the manager queues a sync of its controllers)."""

    def __init__(self, store: Store, changed: Callable[[str], None], timestamp: Callable[[], str],
                 name_template: Callable[[], str] = lambda: DEFAULT_NAME,
                 order: Callable[[], str] = lambda: "lowest"):
        self.store = store
        self.changed = changed
        self.timestamp = timestamp
        self.name_template = name_template
        self.order = order
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        for event in events:
            if event.cls == "fvRsDomAtt":
                domain = self._domain_of(event)
                if domain:
                    self._reconcile(txn, parent_dn(event.dn), domain, event.kind == "deleted")
            elif event.cls == "fvnsEncapBlk" and event.kind != "deleted":
                self._retry_pool(txn, parent_dn(event.dn))
            elif event.cls == "infraRsVlanNs" and event.kind != "deleted":
                domain_dn = parent_dn(event.dn)
                if domain_dn.startswith(PROVIDER):
                    self._retry_domain(txn, domain_dn)

    def _domain_of(self, event: Event) -> str:
        mo = event.mo
        t_dn = mo.get("tDn") if mo is not None else ""
        return t_dn if t_dn.startswith(PROVIDER) and "/" not in t_dn[len(PROVIDER):] else ""

    def _reconcile(self, txn: Transaction, epg_dn: str, domain_dn: str, removed: bool) -> None:
        eppd = self.store.get(eppd_dn(domain_dn, epg_dn))
        rel = self.store.get(f"{epg_dn}/rsdomAtt-[{domain_dn}]")
        if removed or rel is None or self.store.get(domain_dn) is None:
            if eppd is not None:
                txn.delete(eppd.dn)
            self._clear(txn, epg_dn)
            self.changed(domain_dn)
            return
        name = network_name(rel, epg_dn, self.name_template())
        current = vlan_pool.vlan_number(eppd.get("encap")) if eppd is not None else None
        static = rel.get("encap") if vlan_pool.vlan_number(rel.get("encap")) is not None else ""
        if eppd is not None and current is not None and (not static or static == eppd.get("encap")):
            vlan, mode = current, eppd.get("allocMode")  # an EPG keeps its VLAN while its association stays
        else:
            taken = {vlan_pool.vlan_number(mo.get("encap")) for mo in self.store.children(domain_dn)
                     if mo.cls == "vmmEpPD" and mo.get("epgPKey") != epg_dn}
            try:
                vlan, mode = vlan_pool.allocate(self.store, domain_dn, vlan_pool.pool_dn(self.store, domain_dn),
                                                {v for v in taken if v is not None}, static, self.order())
            except vlan_pool.PoolError as exc:
                if eppd is not None:
                    txn.delete(eppd.dn)
                raise_fault(txn, self.store, epg_dn, F0467, self.timestamp(), epg=epg_dn, reason=str(exc))
                self.changed(domain_dn)
                return
        attrs = {"epgPKey": epg_dn, "encap": f"vlan-{vlan}", "allocMode": mode, "encapMode": "vlan",
                 "primaryEncap": "unknown", "idConsumerDn": epg_dn, "name": name}
        meta = self.store.catalog.get("vmmEpPD")
        if eppd is None:
            txn.create(meta, eppd_dn(domain_dn, epg_dn), attrs)
        else:
            txn.modify(eppd, attrs)
        self._clear(txn, epg_dn)
        self.changed(domain_dn)

    def _clear(self, txn: Transaction, epg_dn: str) -> None:
        if self.store.get(epg_dn) is not None:
            clear_fault(txn, self.store, epg_dn, F0467.code)

    def _retry_pool(self, txn: Transaction, pool: str) -> None:
        """A block added to a pool: EPGs of the domains using it that have no VLAN yet try again."""
        for rel in self.store.of_class("infraRsVlanNs"):
            domain_dn = parent_dn(rel.dn)
            if rel.get("tDn") != pool or not domain_dn.startswith(PROVIDER):
                continue
            self._retry_domain(txn, domain_dn)

    def _retry_domain(self, txn: Transaction, domain_dn: str) -> None:
        """EPGs of the domain that have no VLAN yet try again (a block added to its pool, or the domain pointed
        at another pool)."""
        for att in list(self.store.of_class("fvRsDomAtt")):
            epg_dn = parent_dn(att.dn)
            if att.get("tDn") == domain_dn and self.store.get(eppd_dn(domain_dn, epg_dn)) is None:
                self._reconcile(txn, epg_dn, domain_dn, removed=False)
