"""The state kinds and one-shot kinds of fault rules, applied through the systems' facades.

- host-down: the RHV host turns `non_responsive`, as the engine shows a host whose VDSM stopped answering
  (event 12 VDS_FAILURE "Host X is non responsive."); removing the rule gives it back the status it had
  (event 13 VDS_DETECTED when that is up). host-non-operational: `non_operational` (event 517, its VMs are
  migrated away), as the engine's own power /_sim/rhv/host-status does it. [confirmed: oVirt AuditLogType]
- leaf-down: the switch's fabricNode turns fabricSt `inactive` and its topSystem state `out-of-service`, with
  fault F0110 (node-failed, critical) on the fabricNode; removing the rule makes it active and in-service
  again and clears the fault. [inferred: fabricSt values from the fabric discovery states of the ACI
  troubleshooting book; F0110's code and words follow the public fault catalog's fltFabricNodeFailed as far
  as it is known, the text is the simulator's]
- rhv-unreachable: the APIC's Red Hat VMM controllers (one, or every one) cannot reach their RHV Manager: the
  inventory source refuses every call as a refused TCP connection does, so the controller's next sync (asked
  at once) turns it offline with F0130, as vmm_redhat.py models an engine it cannot reach; removing the rule
  asks a sync again, which brings it back online and clears the fault.
- token-expiry: every APIC session ends now (with its subscriptions): the next request with its cookie gets
  APIC's 403 "Token was invalid (Error: Token timeout)". websocket-drop: every open event socket closes
  (code 1001); the sessions live on, and their subscriptions go with the socket as when a client's socket drops.
"""

from __future__ import annotations

from typing import Any

from ..apic.errors import ApicError
from ..apic.managers.faults import FaultSpec, cleared_body, fault_body
from ..apic.managers.vmm_ports import ControllerError
from .rules import FaultRule, FaultRuleError

Lab = Any  # simulator.lab.Lab, which imports this package (not imported back, so the package stays Flask-free)

F0110 = FaultSpec(
    code="F0110", cause="node-failed", rule="fabric-node-failed", severity="critical", type="environmental",
    subject="fabric-node", domain="infra", text="Node {node} not reachable. unknown")
REDHAT_PROVIDER = "uni/vmmp-Redhat/"


def apply(lab: Lab, rule: FaultRule) -> dict:
    """Apply a state or one-shot rule; returns what it did. FaultRuleError when it names nothing the lab has
    or a system refuses it."""
    try:
        return _apply(lab, rule)
    except (ApicError, LookupError, ValueError) as exc:  # FaultRuleError is a ValueError: passed on as it is
        if isinstance(exc, FaultRuleError):
            raise
        raise FaultRuleError(f"{rule.kind}: the lab refused it: {getattr(exc, 'text', None) or exc}") from None


def _apply(lab: Lab, rule: FaultRule) -> dict:
    if rule.kind in ("host-down", "host-non-operational"):
        return _host(lab, rule, "non_responsive" if rule.kind == "host-down" else "non_operational")
    if rule.kind == "leaf-down":
        return _leaf(lab, rule, down=True)
    if rule.kind == "rhv-unreachable":
        return _unreachable(lab, rule)
    if rule.kind == "token-expiry":
        return {"sessions_ended": _end_sessions(lab)}
    if rule.kind == "websocket-drop":
        return {"sockets_closed": lab.faults.drop_sockets()}
    raise FaultRuleError(f"{rule.kind} is not a state kind")


def undo(lab: Lab, rule: FaultRule) -> None:
    """Take a state rule back (the lab as it was before, as far as the systems let it)."""
    if rule.kind in ("host-down", "host-non-operational"):
        host = lab.rhv.find("hosts", rule.host)
        if host is not None:
            lab.rhv.set_host_status(rule.host, rule.effect.get("was", "up"))
    elif rule.kind == "leaf-down":
        _leaf(lab, rule, down=False)
    elif rule.kind == "rhv-unreachable":
        gate = UnreachableGate.install(lab)
        gate.rules[:] = [r for r in gate.rules if r is not rule]
        for mo in lab.apic.store.of_class("vmmCtrlrP"):
            if mo.dn.startswith(REDHAT_PROVIDER):
                lab.redhat_vmm.request(mo.dn)
    lab.tick()


# --- RHV hosts --------------------------------------------------------------------------------------------
def _host(lab: Lab, rule: FaultRule, status: str) -> dict:
    host = lab.rhv.find("hosts", rule.host)
    if host is None:
        raise FaultRuleError(f"host: the RHV Manager has no host named {rule.host!r}")
    was = host.status
    try:
        lab.rhv.set_host_status(rule.host, status)
    except (LookupError, ValueError) as exc:
        raise FaultRuleError(f"host: {exc}") from None
    lab.tick()
    return {"host": rule.host, "status": status, "was": was}


# --- fabric nodes -----------------------------------------------------------------------------------------
def _leaf(lab: Lab, rule: FaultRule, down: bool) -> dict:
    node = _fabric_node(lab, rule)
    timestamp = lab.apic.timestamp()
    if down:
        fault = fault_body(lab.apic.store, node.dn, F0110, timestamp, "fabricSt (Old: active, New: inactive)",
                           node=rule.node)
        attrs, state = {"fabricSt": "inactive"}, "out-of-service"
    else:
        fault, attrs, state = cleared_body(F0110.code), {"fabricSt": "active"}, "in-service"
    children = [fault]
    if lab.apic.store.get(f"{node.dn}/sys") is not None:
        children.append({"topSystem": {"attributes": {"state": state}}})
    lab.apic.system_post(node.dn, {"fabricNode": {"attributes": attrs, "children": children}})
    return {"node": node.dn, "fabricSt": attrs["fabricSt"], "state": state}


def _fabric_node(lab: Lab, rule: FaultRule):
    found = [mo for mo in lab.apic.store.of_class("fabricNode")
             if mo.get("id") == str(rule.node) and (rule.pod is None or f"/pod-{rule.pod}/" in mo.dn)]
    if not found:
        raise FaultRuleError(f"node: the fabric has no node {rule.node}" + (f" in pod {rule.pod}" if rule.pod else ""))
    if found[0].get("role") == "controller":
        raise FaultRuleError(f"node: node {rule.node} is an APIC, not a switch")
    return found[0]


# --- the APIC's Red Hat VMM controllers -------------------------------------------------------------------
def _unreachable(lab: Lab, rule: FaultRule) -> dict:
    controllers = [mo.dn for mo in lab.apic.store.of_class("vmmCtrlrP") if mo.dn.startswith(REDHAT_PROVIDER)
                   and (rule.controller is None or mo.get("name") == rule.controller)]
    if rule.controller is not None and not controllers:
        raise FaultRuleError(f"controller: the APIC has no Red Hat VMM controller named {rule.controller!r}")
    rule.effect = {"controllers": controllers}  # the gate reads it during the sync below
    UnreachableGate.install(lab).rules.append(rule)
    for dn in controllers:
        lab.redhat_vmm.request(dn)
    lab.tick()
    return rule.effect


class UnreachableGate:
    """The Red Hat VMM's inventory source, refusing the controllers an rhv-unreachable rule names as a refused
    TCP connection does (the words the OvirtClient gives one); the others go through to the real source."""

    def __init__(self, source, lab: Lab):
        self.source, self.lab, self.rules = source, lab, []

    @classmethod
    def install(cls, lab: Lab) -> UnreachableGate:
        if not isinstance(lab.redhat_vmm.source, cls):
            lab.redhat_vmm.source = cls(lab.redhat_vmm.source, lab)
        return lab.redhat_vmm.source

    def _check(self, endpoint) -> None:
        for rule in list(self.rules):
            if rule.controller is None or self._named(endpoint, rule):
                base = self.source.base_url(endpoint) if hasattr(self.source, "base_url") else endpoint.host
                raise ControllerError(f"Failed to connect to {base}: [Errno 111] Connection refused")

    def _named(self, endpoint, rule: FaultRule) -> bool:
        for dn in rule.effect.get("controllers", []):
            mo = self.lab.apic.store.get(dn)
            if mo is not None and mo.get("hostOrIp") == endpoint.host and mo.get("rootContName") == endpoint.data_center:
                return True
        return False

    def fetch(self, endpoint):
        self._check(endpoint)
        return self.source.fetch(endpoint)

    def changes(self, endpoint, after):
        self._check(endpoint)
        return self.source.changes(endpoint, after)

    def fetch_some(self, endpoint, vm_ids, host_ids):
        self._check(endpoint)
        return self.source.fetch_some(endpoint, vm_ids, host_ids)

    def ensure_network(self, endpoint, network):
        self._check(endpoint)
        return self.source.ensure_network(endpoint, network)

    def remove_network(self, endpoint, name):
        self._check(endpoint)
        return self.source.remove_network(endpoint, name)

    def __getattr__(self, name):  # close(), base_url() and whatever else the lab asks of its source
        return getattr(self.source, name)


# --- APIC sessions ----------------------------------------------------------------------------------------
def _end_sessions(lab: Lab) -> int:
    ended = 0
    for token in list(lab.apic.aaa.sessions):
        try:
            lab.apic.logout(token)
            ended += 1
        except ApicError:  # it had timed out already
            pass
    return ended
