"""The lab's Kubernetes cluster as a scenario declares it, and the Node objects its kubelets would publish.

A scenario's `kubernetes:` section (or, without one, the default lab's in kubernetes.yaml beside this
file) names the node subnet and the nodes:

    kubernetes:
      node_subnet: 10.1.0.1/16          # gateway/prefix, as acc-provision's net_config.node_subnet
      nodes:
        - {name: k8s-node1, address: 10.1.0.101, mac: "00:50:56:aa:bb:01", uplink: ens192,
           labels: {node-role.kubernetes.io/control-plane: ""}}
        - {name: k8s-node2, address: 10.1.0.102, prepared: false, failure: "infra MTU path: 1572 B DF ping failed"}

`address` is the node's InternalIP in the node subnet; `mac` and `uplink` are its uplink NIC (the NIC the
fabric file cables, when the node has exactly one cabled NIC and `uplink` is not given) and its MAC, which
the OpFlex side of the lab needs; `labels` are added to the kubelet's own. `prepared` (default true) says
whether the node's network preparation passed (infra VLAN, DHCP lease, MTU, multicast route): a node
that failed it (`prepared: false`, with `failure:` saying why) has no OpFlex connection to its leaf
(simulator/opflex). /_sim/k8s/preparation changes it while the lab runs. Every mistake is refused with
one line naming the file, as the fabric's cabling is: a lab never starts with a node that cannot be.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

KUBERNETES = Path(__file__).resolve().parent / "kubernetes.yaml"
SECTION_KEYS = ("node_subnet", "nodes")
NODE_KEYS = ("name", "address", "mac", "uplink", "labels")
PREPARATION_KEYS = ("prepared", "failure")
DEFAULT_FAILURE = "node preparation failed"
DEFAULT_UPLINK = "ens192"
# a node's name is a DNS subdomain (RFC 1123), as the API server requires of a Node's metadata.name
NODE_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
LABEL_KEY = re.compile(r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")
LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")


@dataclass(frozen=True)
class KubeNode:
    """One Kubernetes node of the lab: a server with an address in the node subnet and an uplink NIC."""

    name: str
    address: str
    mac: str
    uplink: str = ""  # empty: the NIC the fabric cables for this server (see `with_uplink`)
    labels: dict[str, str] = field(default_factory=dict)
    prepared: bool = True  # the node's network preparation passed (as the scenario declares it)
    failure: str = ""  # why it did not, when it did not

    def with_uplink(self, cabled_nics: list[str]) -> KubeNode:
        """The node with its uplink named: as given, else its one cabled NIC, else ens192 (an uncabled node)."""
        if self.uplink:
            return self
        nic = cabled_nics[0] if len(cabled_nics) == 1 else DEFAULT_UPLINK
        return replace(self, uplink=nic)


@dataclass(frozen=True)
class KubeCluster:
    node_subnet: ipaddress.IPv4Interface
    nodes: tuple[KubeNode, ...]

    @classmethod
    def parse(cls, given: object, source: str) -> KubeCluster:
        """A `kubernetes:` section checked whole; a mistake is a ValueError of one line naming `source`."""
        where = f"{source}: kubernetes"
        if not isinstance(given, dict):
            raise ValueError(f"{where}: is a mapping with node_subnet and nodes")
        unknown = sorted(map(str, set(given) - set(SECTION_KEYS)))
        if unknown:
            raise ValueError(f"{where}: unknown keys: {', '.join(unknown)} (known: {', '.join(SECTION_KEYS)})")
        subnet = _node_subnet(given.get("node_subnet", "10.1.0.1/16"), where)
        entries = given.get("nodes", [])
        if not isinstance(entries, list):
            raise ValueError(f"{where}.nodes: is a list of nodes such as {{name: k8s-node1, address: 10.1.0.101}}")
        nodes: list[KubeNode] = []
        for index, entry in enumerate(entries, start=1):
            node = _node(entry, subnet, f"{where}.nodes entry {index}", index)
            for earlier in nodes:
                if earlier.name == node.name:
                    raise ValueError(f"{where}.nodes entry {index}: node {node.name} is named twice")
                if earlier.address == node.address:
                    raise ValueError(f"{where}.nodes entry {index} ({node.name}): address {node.address} "
                                     f"is already {earlier.name}'s")
            nodes.append(node)
        return cls(subnet, tuple(nodes))


def _node_subnet(value: object, where: str) -> ipaddress.IPv4Interface:
    try:
        subnet = ipaddress.IPv4Interface(str(value))
    except ValueError:
        raise ValueError(f"{where}: node_subnet {value!r} is not an IPv4 gateway/prefix such as 10.1.0.1/16") from None
    if subnet.ip == subnet.network.network_address or "/" not in str(value):
        raise ValueError(f"{where}: node_subnet {value} must name the gateway address and prefix, e.g. 10.1.0.1/16")
    return subnet


def _node(entry: object, subnet: ipaddress.IPv4Interface, where: str, index: int) -> KubeNode:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: is {entry!r}, not a mapping such as {{name: k8s-node1, address: 10.1.0.101}}")
    name = entry.get("name")
    if not isinstance(name, str) or len(name) > 253 or not NODE_NAME.fullmatch(name):
        raise ValueError(f"{where}: name {name!r} is not a node name (lower-case letters, digits, '-' and '.')")
    where = f"{where} ({name})"
    unknown = sorted(map(str, set(entry) - set(NODE_KEYS) - set(PREPARATION_KEYS)))
    if unknown:
        raise ValueError(f"{where}: unknown keys: {', '.join(unknown)} (known: {', '.join(NODE_KEYS)}) "
                         f"(and of its preparation: {', '.join(PREPARATION_KEYS)})")
    if "address" not in entry:
        raise ValueError(f"{where}: needs 'address:', the node's InternalIP in the node subnet {subnet}")
    try:
        address = ipaddress.IPv4Address(str(entry["address"]))
    except ValueError:
        raise ValueError(f"{where}: address {entry['address']!r} is not an IPv4 address such as 10.1.0.101") from None
    if address not in subnet.network or address in (subnet.ip, subnet.network.broadcast_address,
                                                     subnet.network.network_address):
        raise ValueError(f"{where}: address {address} is not a host address of the node subnet {subnet} "
                         "(other than its gateway)")
    mac = str(entry.get("mac", f"00:50:56:aa:{index // 256:02x}:{index % 256:02x}")).lower().replace("-", ":")
    if not MAC.fullmatch(mac):
        raise ValueError(f"{where}: mac {entry.get('mac')!r} is not a MAC address such as 00:50:56:aa:bb:01")
    uplink = entry.get("uplink", "")
    if not isinstance(uplink, str) or len(uplink) > 15 or " " in uplink or "/" in uplink:
        raise ValueError(f"{where}: uplink {uplink!r} is not a Linux interface name such as ens192")
    labels = entry.get("labels") or {}
    if not isinstance(labels, dict):
        raise ValueError(f"{where}: labels is a mapping of label keys to values")
    for key, value in labels.items():
        if not isinstance(key, str) or not LABEL_KEY.fullmatch(key) or len(key.partition("/")[0]) > 253:
            raise ValueError(f"{where}: label key {key!r} is not a Kubernetes label key")
        if not isinstance(value, str) or not LABEL_VALUE.fullmatch(value):
            raise ValueError(f"{where}: label {key} value {value!r} is not a Kubernetes label value (a string of "
                             "at most 63 letters, digits, '-', '_' or '.', quoted if it looks like a number)")
    prepared = entry.get("prepared", True)
    if not isinstance(prepared, bool):
        raise ValueError(f"{where}: prepared {prepared!r} is true or false (did the node's preparation pass?)")
    failure = entry.get("failure", "" if prepared else DEFAULT_FAILURE)
    if not isinstance(failure, str) or "\n" in failure or (not prepared and not failure.strip()):
        raise ValueError(f"{where}: failure {failure!r} is one line saying why the node's preparation failed")
    if prepared and failure:
        raise ValueError(f"{where}: failure is given for a node whose preparation passed (add prepared: false)")
    return KubeNode(name, str(address), mac, uplink, dict(labels), prepared, failure.strip())


def read(path: Path = KUBERNETES) -> tuple[KubeCluster, dict[str, Any]]:
    """The cluster and the kubelet's own node template of a file holding a `kubernetes:` section and `node:`."""
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    return KubeCluster.parse(data.get("kubernetes"), str(path)), data.get("node") or {}


def node_status_time(epoch: float) -> str:
    """A kubelet's condition time: RFC 3339 in UTC, to the second, as the API server serialises metav1.Time."""
    return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_status(template: dict[str, Any], node: KubeNode, now: float) -> dict[str, Any]:
    """What a node's kubelet reports in its Node's status: capacity, node info, daemon endpoints and its
    conditions (Ready). Ids are derived from the name, so a lab's nodes are the same on every start."""
    stamp = node_status_time(now)
    ids = {key: str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{key}.{node.name}.acisim")) for key in ("boot", "machine", "system")}
    conditions = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    return {
        "capacity": dict(template.get("capacity", {})),
        "allocatable": dict(template.get("allocatable", {})),
        "conditions": [
            {"type": kind, "status": status, "reason": reason, "message": message,
             "lastHeartbeatTime": stamp, "lastTransitionTime": stamp}
            for kind, status, reason, message in conditions
        ],
        "daemonEndpoints": dict(template.get("daemonEndpoints", {})),
        "nodeInfo": {**template.get("nodeInfo", {}), "bootID": ids["boot"],
                     "machineID": ids["machine"].replace("-", ""), "systemUUID": ids["system"]},
    }
