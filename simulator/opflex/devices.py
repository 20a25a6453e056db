"""What the APIC holds for a connected OpFlex agent: one opflexODev on each leaf it reaches, and the
node's compHv with the domain's logical switch in the VMM inventory (vmm-endpoints-contracts.md E).

    topology/pod-1/node-103/sys/br-[eth1/1]/odev-167772261
        hostName k8s-node1, devId = id = the infra address as a 32-bit integer, ip 10.0.0.101, mac the
        node's uplink MAC, fabricPathDn the path it is cabled on (a vPC's protpaths on both leaves, the
        second leaf's odev isSecondary), compHvDn/lNodeDn/vmmCtrlrPKey naming its VMM domain's controller
    comp/prov-Kubernetes/ctrlr-[mykube]-mykube/hv-k8s-node1 and .../sw-InsiemeLSOid

The `br-[...]` segment is the physical member port even when fabricPathDn is a vPC. Plain functions of
the agent's facts, so the peer (peer.py) only compares and writes.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..fabric import Port

LOGICAL_SWITCH = "InsiemeLSOid"  # the OpFlex agent's opflex.domain: comp/prov-<type>/ctrlr-[dom]-ctrl/sw-InsiemeLSOid
DEVICE_TYPES = {"Kubernetes": "k8s", "OpenShift": "openshift"}
# set when an odev is written, left alone when it is compared: they move while the agent stays the same
TIMES = ("lastHandshakeTime", "updateTs")


@dataclass(frozen=True)
class Agent:
    """A running OpFlex agent: its node, the pod it runs in, and the VMM domain its host agent config names."""

    node: str
    namespace: str
    pod: str
    vmm_type: str
    domain: str
    controller: str
    infra_vlan: str

    @property
    def inventory_dn(self) -> str:
        return f"comp/prov-{self.vmm_type}/ctrlr-[{self.domain}]-{self.controller}"

    @property
    def hv_dn(self) -> str:
        return f"{self.inventory_dn}/hv-{self.node}"

    @property
    def switch_dn(self) -> str:
        return f"{self.inventory_dn}/sw-{LOGICAL_SWITCH}"

    @property
    def controller_dn(self) -> str:
        return f"uni/vmmp-{self.vmm_type}/dom-{self.domain}/ctrlr-{self.controller}"


def device_id(infra_ip: str) -> str:
    """devId: the node's infra-VLAN address as an unsigned 32-bit integer (167829585 = 10.0.224.81)."""
    return str(int(ipaddress.IPv4Address(infra_ip)))


def odevs(agent: Agent, infra_ip: str, mac: str, port: Port, now: str) -> dict[str, dict[str, str]]:
    """The odev DN -> attributes on each leaf the node's uplink is cabled to."""
    dev = device_id(infra_ip)
    found = {}
    for index, member in enumerate(port.member_ports):
        dn = f"topology/pod-{member.pod}/node-{member.leaf}/sys/br-[{member.interface}]/odev-{dev}"
        found[dn] = {
            "id": dev, "devId": dev, "hostName": agent.node, "uuid": agent.node, "devType": DEVICE_TYPES.get(
                agent.vmm_type, "k8s"), "domName": agent.domain, "ctrlrName": agent.controller, "ip": infra_ip,
            "mac": mac.upper(), "fabricPathDn": port.path_dn, "compHvDn": agent.hv_dn, "lNodeDn": agent.switch_dn,
            "vmmCtrlrPKey": agent.controller_dn, "state": "connected", "operSt": "online", "hbStatus": "valid-dvs",
            "isSecondary": "true" if index else "false", "encap": "unknown", "epStatsBulkAckStatus": "processed",
            "features": "0", "handle": "0", "hbPeriod": "0", "tType": "unknown", "transitionStatus": "attached",
            "lastHandshakeTime": now, "updateTs": now,
        }
    return found


def hypervisor(agent: Agent, address: str) -> dict[str, str]:
    """The node as the VMM inventory's hypervisor: named by its node name, managed at its InternalIP."""
    return {"oid": agent.node, "name": agent.node, "mgmtIp": address, "state": "poweredOn",
            "availOperSt": "available", "availAdminSt": "available", "type": "hv"}


def logical_switch(agent: Agent) -> dict[str, str]:
    return {"oid": LOGICAL_SWITCH, "name": agent.domain}
