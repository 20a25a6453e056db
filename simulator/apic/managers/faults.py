"""Faults the APIC raises on objects (faultInst <parent>/fault-<code>), as data.

A fault keeps the time it was first raised (`created`) while its cause stays; the text may change with
the cause's details. `lc raised` and the severities follow the real F0130 sample (vmm-endpoints-
contracts.md A3); soaking and retention (raised-clearing, retaining) are not simulated: a cleared fault
goes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..mit.store import Store, Transaction


@dataclass(frozen=True)
class FaultSpec:
    code: str
    cause: str
    rule: str
    severity: str
    type: str
    subject: str
    domain: str
    text: str  # descr, formatted with the details of one occurrence

    def attrs(self, descr: str) -> dict[str, str]:
        return {"code": self.code, "cause": self.cause, "rule": self.rule, "severity": self.severity,
                "origSeverity": self.severity, "highestSeverity": self.severity, "prevSeverity": self.severity,
                "type": self.type, "subject": self.subject, "domain": self.domain, "lc": "raised",
                "delegated": "yes", "ack": "no", "occur": "1", "descr": descr}


def fault_dn(parent: str, code: str) -> str:
    return f"{parent}/fault-{code}"


def fault_body(store: Store, parent: str, spec: FaultSpec, now: str, change_set: str = "",
               **details: str) -> dict[str, Any]:
    """The faultInst child for a system write of `parent`: raised now, or kept with its first time."""
    attrs = spec.attrs(spec.text.format(**details))
    if store.get(fault_dn(parent, spec.code)) is None:
        attrs.update(created=now, lastTransition=now, changeSet=change_set)
    return {"faultInst": {"attributes": attrs}}


def cleared_body(code: str) -> dict[str, Any]:
    """The faultInst child that clears `code` in a system write (nothing when it is not raised)."""
    return {"faultInst": {"attributes": {"code": code, "status": "deleted"}}}


def raise_fault(txn: Transaction, store: Store, parent: str, spec: FaultSpec, now: str,
                change_set: str = "", **details: str) -> None:
    """The same, inside a transaction (store hooks)."""
    attrs = fault_body(store, parent, spec, now, change_set, **details)["faultInst"]["attributes"]
    existing = store.get(fault_dn(parent, spec.code))
    if existing is None:
        txn.create(store.catalog.get("faultInst"), fault_dn(parent, spec.code), attrs)
    else:
        txn.modify(existing, attrs)


def clear_fault(txn: Transaction, store: Store, parent: str, code: str) -> None:
    if store.get(fault_dn(parent, code)) is not None:
        txn.delete(fault_dn(parent, code))
