"""Render one node's network configuration: the ifupdown stanza, the dhclient file for the infra
VLAN and a netplan equivalent, all from the cluster's acc-provision input.

The shapes follow Cisco's node preparation procedure (acc-provision doc, "Preparing the Kubernetes
Nodes"): uplink MTU 1600, infra-VLAN subinterface on DHCP with the multicast route through it,
node-VLAN subinterface with a static address and the default route via the node subnet gateway.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

import yaml

from .config import ClusterNetwork, NodePrepError

_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
_IFNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
IFNAMSIZ = 15  # longest interface name the kernel takes

# The seed workflow's dhclient options, in its order: what the fabric's DHCP answers on the infra VLAN.
DHCLIENT_OPTIONS = (
    "request subnet-mask, domain-name, domain-name-servers, host-name;",
    "option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;",
    "option ms-classless-static-routes code 249 = array of unsigned integer 8;",
    "option wpad code 252 = string;",
    "also request rfc3442-classless-static-routes;",
    "also request ms-classless-static-routes;",
    "also request static-routes;",
    "also request wpad;",
    "also request ntp-servers;",
)


@dataclass(frozen=True)
class NodeSpec:
    name: str
    uplink: str
    mac: str  # MAC of the infra-VLAN interface (the uplink's, with real VLAN devices)
    ip: ipaddress.IPv4Address

    @classmethod
    def parse(cls, cluster: ClusterNetwork, name: str, uplink: str, mac: str, ip: str) -> NodeSpec:
        name = name.strip().lower()
        if not _HOSTNAME.match(name):
            raise NodePrepError(f"node name {name!r} is not a valid host name (letters, digits and '-')")
        longest = f"{uplink}.{max(cluster.infra_vlan, cluster.node_vlan)}"
        if not _IFNAME.match(uplink) or "." in uplink:
            raise NodePrepError(f"uplink {uplink!r} is not an interface name such as ens192")
        if len(longest) > IFNAMSIZ:
            raise NodePrepError(f"uplink {uplink!r} is too long: subinterface {longest} exceeds {IFNAMSIZ} characters")
        return cls(name, uplink, _parse_mac(mac), _parse_node_ip(cluster, ip))

    def infra_interface(self, cluster: ClusterNetwork) -> str:
        return f"{self.uplink}.{cluster.infra_vlan}"

    def node_interface(self, cluster: ClusterNetwork) -> str:
        return f"{self.uplink}.{cluster.node_vlan}"

    @property
    def client_identifier(self) -> str:
        return f"01:{self.mac}"


@dataclass(frozen=True)
class NodePlan:
    cluster: ClusterNetwork
    node: NodeSpec
    interfaces: str
    dhclient: str
    netplan: str

    @property
    def dhclient_path(self) -> str:
        return f"/etc/dhcp/dhclient-{self.node.infra_interface(self.cluster)}.conf"

    interfaces_path = "/etc/network/interfaces.d/aci-cni"
    netplan_path = "/etc/netplan/60-aci-cni.yaml"

    def files(self) -> dict[str, str]:
        return {self.interfaces_path: self.interfaces, self.dhclient_path: self.dhclient,
                self.netplan_path: self.netplan}


def render_node(cluster: ClusterNetwork, node: NodeSpec) -> NodePlan:
    return NodePlan(cluster, node, render_interfaces(cluster, node), render_dhclient(node),
                    render_netplan(cluster, node))


def render_interfaces(cluster: ClusterNetwork, node: NodeSpec) -> str:
    infra, nodeif = node.infra_interface(cluster), node.node_interface(cluster)
    return "\n".join([
        f"# ACI CNI node preparation for {node.name} (cluster {cluster.system_id}), written by acisim nodeprep",
        "",
        "# Uplink to the ACI leaf: room for the VXLAN overhead of container traffic",
        f"auto {node.uplink}",
        f"iface {node.uplink} inet manual",
        f"    mtu {cluster.mtu}",
        "",
        f"# ACI infra VLAN {cluster.infra_vlan}: TEP address by DHCP from the fabric, multicast (BUM) through it",
        f"auto {infra}",
        f"iface {infra} inet dhcp",
        f"    mtu {cluster.mtu}",
        f"    vlan-raw-device {node.uplink}",
        f"    up ip route replace {cluster.multicast_subnet} dev {infra}",
        "",
        f"# Node VLAN {cluster.node_vlan} (kubeapi_vlan): node subnet {cluster.node_subnet}, default route",
        f"auto {nodeif}",
        f"iface {nodeif} inet static",
        f"    address {node.ip}",
        f"    netmask {cluster.node_subnet.netmask}",
        f"    mtu {cluster.mtu}",
        f"    gateway {cluster.node_gateway.ip}",
        f"    vlan-raw-device {node.uplink}",
        "",
    ])


def render_dhclient(node: NodeSpec) -> str:
    return "\n".join([
        f"send dhcp-client-identifier {node.client_identifier};",
        DHCLIENT_OPTIONS[0],
        f'send host-name "{node.name}";',
        *DHCLIENT_OPTIONS[1:],
        "",
    ])


def render_netplan(cluster: ClusterNetwork, node: NodeSpec) -> str:
    """The same intent for netplan (systemd-networkd): `dhcp-identifier: mac` sends 01:<MAC> as the
    client identifier and networkd asks for classless static routes by itself."""
    document = {"network": {
        "version": 2,
        "renderer": "networkd",
        "ethernets": {node.uplink: {"mtu": cluster.mtu}},
        "vlans": {
            node.infra_interface(cluster): {
                "id": cluster.infra_vlan, "link": node.uplink, "mtu": cluster.mtu,
                "dhcp4": True, "dhcp-identifier": "mac",
                "routes": [{"to": str(cluster.multicast_subnet), "scope": "link"}],
            },
            node.node_interface(cluster): {
                "id": cluster.node_vlan, "link": node.uplink, "mtu": cluster.mtu,
                "addresses": [f"{node.ip}/{cluster.node_subnet.prefixlen}"],
                "routes": [{"to": "default", "via": str(cluster.node_gateway.ip)}],
            },
        },
    }}
    header = f"# ACI CNI node preparation for {node.name} (cluster {cluster.system_id}), written by acisim nodeprep\n"
    return header + yaml.safe_dump(document, sort_keys=False)


def _parse_mac(text: str) -> str:
    mac = text.strip().lower().replace("-", ":")
    if not _MAC.match(mac):
        raise NodePrepError(f"MAC address {text!r} is malformed; expected six hex pairs such as 00:50:56:aa:bb:01")
    if int(mac[:2], 16) & 1:
        raise NodePrepError(f"MAC address {text!r} is a multicast address, not a NIC's")
    return mac


def _parse_node_ip(cluster: ClusterNetwork, text: str) -> ipaddress.IPv4Address:
    try:
        given = ipaddress.IPv4Interface(text.strip())
    except ValueError:
        raise NodePrepError(f"node IP {text!r} is not an IPv4 address") from None
    subnet = cluster.node_subnet
    if "/" in text and given.network.prefixlen != subnet.prefixlen:
        raise NodePrepError(f"node IP {text} has prefix /{given.network.prefixlen}; the node subnet is {subnet}")
    ip = given.ip
    if ip not in subnet:
        raise NodePrepError(f"node IP {ip} is outside the node subnet {subnet} (net_config.node_subnet)")
    if ip == cluster.node_gateway.ip:
        raise NodePrepError(f"node IP {ip} is the node subnet's gateway")
    if ip in (subnet.network_address, subnet.broadcast_address):
        raise NodePrepError(f"node IP {ip} is the network or broadcast address of {subnet}")
    return ip
