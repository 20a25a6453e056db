"""The leaves' OpFlex peer: which host agents are connected, and what the fabric keeps of them.

A node's OpFlex agent connects to the leaf's anycast peer (<TEP pool>.30) when the CNI host agent runs on
the node (a Running pod of a DaemonSet with an `opflex-agent` container, configured by the applied
`aci-containers-config` ConfigMap), the node's preparation passed and its uplink is cabled to a leaf. The
APIC then holds an opflexODev on each leaf the node reaches and, under the domain's inventory controller
(when acc-provision's vmmCtrlrP made one), the node's compHv and the logical switch; when the agent stops
or the preparation turns failed they go. A node whose agent cannot connect shows why where an operator
looks: its pod's `opflex-agent` container is not ready and a Warning Event on the pod says what failed.

The peer is a part of the lab's tick (after the Kubernetes controllers, before the APIC). Change feeds
only mark it dirty; `tick` compares what should be with what is and writes the difference, to the APIC
through its system write path and to Kubernetes through the facade's status and event writes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator

from ..apic.mit.proposed import proposed_mo
from ..apic.service import Apic
from ..defaults.kubernetes import DEFAULT_UPLINK, KubeNode
from ..fabric import Fabric, Port
from ..k8s.errors import KubeError
from ..k8s.service import Kube
from ..k8s.workers import Worker
from .devices import TIMES, Agent, hypervisor, logical_switch, odevs
from .preparation import Preparations

AGENT_CONTAINER = "opflex-agent"
CONFIG_MAP, CONFIG_KEY = "aci-containers-config", "host-agent-config"
KUBE_KINDS = frozenset({"pods", "daemonsets.apps", "configmaps", "nodes"})
APIC_CLASSES = frozenset({"compCtrlr", "compHv", "hvsLNode", "opflexODev", "l2BrIf"})
CONTAINER_PROVIDERS = ("comp/prov-Kubernetes/", "comp/prov-OpenShift/")
UNREADY_REASON = "ContainersNotReady"
EVENT_REASON = "OpflexPeerUnreachable"


class OpflexPeer(Worker):
    def __init__(self, apic: Apic, kube: Kube, fabric: Fabric, nodes: Iterable[KubeNode],
                 events: Iterator[int] | None = None):
        super().__init__(kube, events)
        self.apic = apic
        self.fabric = fabric
        self.nodes = {node.name: node for node in nodes}
        self.preparation = Preparations(self.nodes.values(), fabric.topology.tep)
        self._dirty = True
        self._seen = -1  # the preparations' version the last tick acted on
        kube.changes.subscribe(self._kube_changed)
        apic.store.subscribe(self._apic_changed)

    def _kube_changed(self, batch: list) -> None:
        if any(event.kind_key in KUBE_KINDS for event in batch):
            self._dirty = True

    def _apic_changed(self, batch: list) -> None:
        if any(event.cls in APIC_CLASSES for event in batch):
            self._dirty = True

    def reset(self) -> None:
        self.preparation.reset()
        self._dirty = True

    @property
    def peer_address(self) -> str:
        return str(self.fabric.topology.tep.opflex_peer)

    # --- the tick -------------------------------------------------------------------------------------
    def tick(self) -> int:
        """Bring the APIC and the agents' pods in line with who is connected; returns the writes made."""
        version = self.preparation.version
        if not self._dirty and version == self._seen:
            return 0
        self._dirty, self._seen = False, version
        connected, refused = {}, {}
        for agent in self._agents():
            problem = self._problem(agent.node)
            (refused if problem else connected)[agent.node] = (agent, problem)
        writes = self._devices({name: agent for name, (agent, _) in connected.items()})
        writes += self._inventory([agent for agent, _ in connected.values()])
        for agent, problem in [*connected.values(), *refused.values()]:
            writes += self._report(agent, problem)
        return writes

    def _agents(self) -> list[Agent]:
        """Every running host agent, with the VMM domain its namespace's host agent config names."""
        nodes = {n["metadata"]["name"] for n in self._items("nodes")}
        configs: dict[str, dict | None] = {}
        found = []
        for pod in self._items("pods"):
            meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
            if (status.get("phase") != "Running" or spec.get("nodeName") not in nodes
                    or not any(r.get("kind") == "DaemonSet" for r in meta.get("ownerReferences") or [])
                    or not any(c.get("name") == AGENT_CONTAINER for c in spec.get("containers") or [])):
                continue
            namespace = meta["namespace"]
            if namespace not in configs:
                configs[namespace] = self._host_agent_config(namespace)
            config = configs[namespace]
            if config:
                found.append(Agent(spec["nodeName"], namespace, meta["name"], config["aci-vmm-type"],
                                   config["aci-vmm-domain"], config["aci-vmm-controller"],
                                   config["aci-infra-vlan"]))
        return found

    def _host_agent_config(self, namespace: str) -> dict | None:
        """The host agent's VMM domain, from the applied ConfigMap (None: the agent has no configuration)."""
        try:
            data = (self.kube.get("configmaps", namespace, CONFIG_MAP).get("data") or {}).get(CONFIG_KEY)
            config = json.loads(data or "")
        except (KubeError, ValueError):
            return None
        if not isinstance(config, dict) or not config.get("aci-vmm-domain") or not config.get("aci-vmm-controller"):
            return None
        return {"aci-vmm-type": str(config.get("aci-vmm-type") or "Kubernetes"),
                "aci-vmm-domain": str(config["aci-vmm-domain"]),
                "aci-vmm-controller": str(config["aci-vmm-controller"]),
                "aci-infra-vlan": str(config.get("aci-infra-vlan") or self.fabric.topology.infra_vlan)}

    def _port(self, name: str) -> Port | None:
        node = self.nodes.get(name)
        return self.fabric.cabling.for_server(name).get(node.uplink if node else DEFAULT_UPLINK)

    def _problem(self, name: str) -> str:
        """Why the node's agent cannot reach the peer ("" when it can)."""
        prep = self.preparation.get(name)
        if prep is None:
            return "the node is not one of the lab's servers: no preparation and no cable to a leaf"
        if not prep.passed:
            return f"node preparation failed: {prep.reason}"
        if self._port(name) is None:
            return f"its uplink {self.nodes[name].uplink} is not cabled to a leaf port"
        return ""

    # --- the APIC -------------------------------------------------------------------------------------
    def _post(self, dn: str, cls: str, attrs: dict, children: list[dict] | None = None) -> int:
        body = {cls: {"attributes": attrs, **({"children": children} if children else {})}}
        return len(self.apic.writer.post(dn, proposed_mo(body), system=True).events)

    def _deleted(self, dn: str, cls: str) -> int:
        return self._post(dn, cls, {"status": "deleted"})

    def _devices(self, connected: dict[str, Agent]) -> int:
        now = self.apic.timestamp()
        wanted: dict[str, dict[str, str]] = {}
        for name, agent in connected.items():
            prep = self.preparation.get(name)
            wanted.update(odevs(agent, prep.infra_ip, self.nodes[name].mac, self._port(name), now))
        store, writes = self.apic.store, 0
        for mo in list(store.of_class("opflexODev")):
            if mo.get("hostName") in self.nodes and mo.dn not in wanted:
                parent = mo.dn.rsplit("/", 1)[0]
                writes += self._deleted(mo.dn, "opflexODev")
                if not store.children(parent):
                    writes += self._deleted(parent, "l2BrIf")
        for dn, attrs in wanted.items():
            mo = store.get(dn)
            if mo is not None and all(mo.get(k) == v for k, v in attrs.items() if k not in TIMES):
                continue
            changed = {k: v for k, v in attrs.items() if mo is None or k not in TIMES}
            parent = dn.rsplit("/", 1)[0]
            interface = parent.rsplit("br-[", 1)[1][:-1]
            writes += self._post(parent, "l2BrIf", {"id": interface}, [{"opflexODev": {"attributes": changed}}])
        return writes

    def _inventory(self, connected: list[Agent]) -> int:
        """compHv per connected node and the logical switch, under inventory controllers that exist."""
        store = self.apic.store
        wanted = {agent.hv_dn: (agent, "compHv") for agent in connected if agent.inventory_dn in store}
        wanted.update({agent.switch_dn: (agent, "hvsLNode") for agent, _ in list(wanted.values())})
        writes = 0
        for cls in ("compHv", "hvsLNode"):
            for mo in list(store.of_class(cls)):
                ours = mo.get("oid") in self.nodes if cls == "compHv" else mo.get("oid") == "InsiemeLSOid"
                if ours and mo.dn.startswith(CONTAINER_PROVIDERS) and mo.dn not in wanted:
                    writes += self._deleted(mo.dn, cls)
        for dn, (agent, cls) in wanted.items():
            address = self.nodes[agent.node].address
            attrs = hypervisor(agent, address) if cls == "compHv" else logical_switch(agent)
            mo = store.get(dn)
            if mo is None or any(mo.get(k) != v for k, v in attrs.items()):
                writes += self._post(dn, cls, attrs)
        return writes

    # --- the agents' pods -----------------------------------------------------------------------------
    def _report(self, agent: Agent, problem: str) -> int:
        """The agent container's readiness as the kubelet reports it, and a Warning Event when the agent
        starts failing (or fails for another reason)."""
        try:
            pod = self.kube.get("pods", agent.namespace, agent.pod)
        except KubeError:
            return 0
        old = pod.get("status") or {}
        status = copy.deepcopy(old)
        containers = status.get("containerStatuses") or []
        for container in containers:
            if container.get("name") == AGENT_CONTAINER:
                container["ready"] = not problem
        unready = [c["name"] for c in containers if not c.get("ready")]
        message = f"containers with unready status: [{' '.join(unready)}]" if unready else ""
        if problem:
            message += f" ({AGENT_CONTAINER}: no OpFlex connection to the leaf: {problem})"
        now, conditions = self._now(), []
        for condition in status.get("conditions") or []:
            if condition.get("type") in ("Ready", "ContainersReady"):
                condition = self._condition(pod, condition["type"], "False" if unready else "True",
                                            UNREADY_REASON if unready else "", message, now)
                condition = {k: v for k, v in condition.items() if v}
            conditions.append(condition)
        status["conditions"] = conditions
        if status == old:
            return 0
        before = next((c for c in old.get("conditions") or [] if c.get("type") == "Ready"), {})
        try:
            self._status("pods", pod, status, "kubelet")
            if problem and before.get("message") != message:
                prep = self.preparation.get(agent.node)
                source = f" from {prep.infra_ip}" if prep else ""
                self._event(pod, "Pod", EVENT_REASON,
                            f"OpFlex agent on {agent.node} cannot reach its OpFlex peer {self.peer_address}{source} "
                            f"on infra VLAN {agent.infra_vlan}: {problem}", AGENT_CONTAINER, agent.node,
                            f"spec.containers{{{AGENT_CONTAINER}}}", warning=True)
        except KubeError:
            self._dirty = True  # the pod changed meanwhile: look again next tick
            return 0
        return 1
