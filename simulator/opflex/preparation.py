"""Whether each Kubernetes node of the lab is prepared for the fabric, and the infra address it holds.

A node's preparation (its infra VLAN sub-interface, the DHCP lease from the fabric, the MTU path to the
leaf, the multicast route) decides whether its OpFlex agent can ever reach the leaf. The scenario declares
it (`prepared:`/`failure:` on a node, simulator/defaults/kubernetes.py); the node-prep lab's report
(`acisim nodeprep lab check --json`) or a plain verdict replaces it while the lab runs. A node's infra
address is its TEP lease: the report's, else one the fabric's DHCP would give it, derived from the TEP
pool as the node-prep lab's DHCP server keeps them (pool + 100 + the node's position), so a lab without a
report still has stable addresses.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from ..defaults.kubernetes import DEFAULT_FAILURE, KubeNode
from ..fabric import TepPool

LEASE_OFFSET = 100  # the node-prep lab's DHCP server keeps pool + 100 + n for its n-th node (netns_lab.py)


class PreparationError(ValueError):
    """Bad input for a preparation change: one line, and the HTTP status the control API answers with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class NodePreparation:
    node: str
    address: str  # the node's InternalIP in the node subnet
    passed: bool
    reason: str  # why it failed ("" when it passed)
    infra_ip: str  # the node's TEP lease on the infra VLAN: the OpFlex agent's source address
    source: str  # scenario | report | control: who said so last

    def as_json(self) -> dict:
        return {"node": self.node, "address": self.address, "prepared": self.passed, "reason": self.reason,
                "infra_ip": self.infra_ip, "source": self.source}


class Preparations:
    """Every lab node's preparation; `version` moves on each change, so the OpFlex peer knows to look again."""

    def __init__(self, nodes: Iterable[KubeNode], tep_pool: TepPool):
        self.nodes = list(nodes)
        self.tep_pool = tep_pool
        self._lock = threading.Lock()
        self.version = 0
        self._state: dict[str, NodePreparation] = {}
        # called after every change, outside the lock (the lab's state file saves the preparations)
        self.listeners: list[Callable[[], None]] = []
        self.reset()

    def reset(self) -> None:
        """Back to what the scenario declares."""
        with self._lock:
            self._state = {node.name: NodePreparation(node.name, node.address, node.prepared, node.failure,
                                                      self._leased(index), "scenario")
                           for index, node in enumerate(self.nodes, start=1)}
            self.version += 1
        self._changed()

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    # --- the lab's state: kept in the state file and in snapshots ------------------------------------
    def export_state(self) -> dict:
        with self._lock:
            return {"nodes": {p.node: {"passed": p.passed, "reason": p.reason, "infra_ip": p.infra_ip,
                                       "source": p.source} for p in self._state.values()}}

    def import_state(self, data: object) -> None:
        """The preparations a state file or snapshot holds, for the nodes this lab has (a node the scenario no
        longer names is left out); ValueError for a document that is not one."""
        nodes = data.get("nodes") if isinstance(data, dict) else None
        if not isinstance(nodes, dict):
            raise ValueError("the node preparation part of a lab document is not a mapping of nodes")
        with self._lock:
            for name, saved in nodes.items():
                if not isinstance(saved, dict) or not isinstance(saved.get("passed"), bool):
                    raise ValueError(f"the saved preparation of node {name!r} is not a verdict")
                if name in self._state:
                    self._state[name] = replace(self._state[name], passed=saved["passed"],
                                                reason=str(saved.get("reason", "")),
                                                infra_ip=str(saved.get("infra_ip") or self._state[name].infra_ip),
                                                source=str(saved.get("source", "scenario")))
            self.version += 1

    def _leased(self, index: int) -> str:
        address = self.tep_pool.network.network_address + LEASE_OFFSET + index
        if address not in self.tep_pool.network:
            raise ValueError(f"tep_pool {self.tep_pool.network} is too small for {index} Kubernetes nodes")
        return str(address)

    def get(self, node: str) -> NodePreparation | None:
        return self._state.get(node)

    def all(self) -> list[NodePreparation]:
        return list(self._state.values())

    def declare(self, body: Mapping) -> NodePreparation:
        """A plain verdict: {"node": NAME, "passed": true|false, "reason": "..."}; the infra address stays."""
        name, passed, reason = body.get("node"), body.get("passed"), body.get("reason", "")
        if not isinstance(name, str) or not name:
            raise PreparationError('give {"node": NAME, "passed": true|false, "reason": "..."} or a node-prep '
                                   "lab report (acisim nodeprep lab check --json)")
        if not isinstance(passed, bool):
            raise PreparationError(f"passed must be true or false, not {passed!r}")
        if not isinstance(reason, str) or "\n" in reason:
            raise PreparationError("reason is one line saying why the preparation failed")
        unknown = sorted(set(body) - {"node", "passed", "reason"})
        if unknown:
            raise PreparationError(f"unknown keys: {', '.join(unknown)} (known: node, passed, reason)")
        with self._lock:
            current = self._known(name)
            self._state[name] = replace(current, passed=passed, source="control",
                                        reason="" if passed else (reason.strip() or DEFAULT_FAILURE))
            self.version += 1
            changed = self._state[name]
        self._changed()
        return changed

    def apply_report(self, report: Mapping) -> tuple[list[NodePreparation], list[str]]:
        """A node-prep lab report: each report node is matched to the lab node with its node-subnet address;
        it passed when its checks (and the leaf's DHCP lease check for it) all did, else its reason is the
        failed checks' "name: detail". Returns the changed preparations and the report nodes matching none."""
        checks, fabric, addresses = _report_parts(report)
        matched: list[NodePreparation] = []
        unmatched: list[str] = []
        with self._lock:
            by_address = {p.address: p for p in self._state.values()}
            for lab_name, results in checks.items():
                ip, tep = _addresses(addresses, lab_name)
                current = by_address.get(ip)
                if current is None:
                    unmatched.append(f"{lab_name} ({ip})")
                    continue
                failed = [f"{r['name']}: {r['detail']}" for r in [*results, *fabric.get(lab_name, [])]
                          if r["status"] == "fail"]
                self._state[current.node] = replace(current, passed=not failed, reason="; ".join(failed),
                                                    infra_ip=tep, source="report")
                matched.append(self._state[current.node])
            if not matched:
                known = ", ".join(f"{p.node} {p.address}" for p in self._state.values()) or "none"
                raise PreparationError(f"no node of the report ({', '.join(unmatched) or 'none'}) has the address "
                                       f"of a Kubernetes node of the lab ({known})", 404)
            self.version += 1
        self._changed()
        return matched, unmatched

    def _known(self, name: str) -> NodePreparation:
        if name not in self._state:
            known = ", ".join(self._state) or "none"
            raise PreparationError(f"no Kubernetes node {name} in the lab (its nodes: {known})", 404)
        return self._state[name]


def _report_parts(report: Mapping) -> tuple[dict[str, list[dict]], dict[str, list[dict]], Mapping]:
    """The report's checks per node, the leaf's lease check per node, and the node addresses, checked whole."""
    nodes, addresses = report.get("nodes"), report.get("addresses")
    if not isinstance(nodes, dict) or not nodes:
        raise PreparationError("a node-prep lab report has \"nodes\": {NODE: [checks]} "
                               "(acisim nodeprep lab check --json)")
    if not isinstance(addresses, dict):
        raise PreparationError('a node-prep lab report has "addresses": {NODE: {"ip": NODE_SUBNET_IP, '
                               '"tep": TEP_LEASE}} to match its nodes to the lab\'s')
    checks = {}
    for name, results in nodes.items():
        if not isinstance(results, list) or not all(_is_check(r) for r in results):
            raise PreparationError(f'report node {name}: checks are a list of {{"name", "status", "detail"}}')
        checks[name] = results
    fabric = report.get("fabric", [])
    if not isinstance(fabric, list) or not all(_is_check(r) for r in fabric):
        raise PreparationError('the report\'s "fabric" is a list of {"name", "status", "detail"}')
    per_node = {name: [r for r in fabric if r["name"] == f"leaf DHCP lease for {name}"] for name in checks}
    return checks, per_node, addresses


def _is_check(result: object) -> bool:
    return isinstance(result, dict) and all(isinstance(result.get(k), str) for k in ("name", "status", "detail"))


def _addresses(addresses: Mapping, name: str) -> tuple[str, str]:
    given = addresses.get(name)
    if not isinstance(given, dict):
        raise PreparationError(f"report node {name} has no addresses entry {{\"ip\": ..., \"tep\": ...}}")
    try:
        return str(ipaddress.IPv4Address(given.get("ip"))), str(ipaddress.IPv4Address(given.get("tep")))
    except (ValueError, TypeError):
        raise PreparationError(f"report node {name}: ip {given.get('ip')!r} and tep {given.get('tep')!r} must be "
                               "IPv4 addresses") from None
