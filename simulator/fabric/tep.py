"""The TEP pool: the infra address space the fabric's nodes and the hosts on the infra VLAN share.

The OpFlex agent on a Kubernetes node talks to `<pool>.30`, the leaves' anycast OpFlex peer, and
VXLAN goes to the anycast `<pool>.32` (aci-containers host agent, cni-nodeprep.md §A2); with the
default 10.0.0.0/16 these are 10.0.0.30 and 10.0.0.32. Fabric nodes take addresses after them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

DEFAULT_TEP_NETWORK = "10.0.0.0/16"
OPFLEX_PEER_HOST = 30  # host part of the OpFlex anycast peer in any TEP subnet
VXLAN_ANYCAST_HOST = 32
FIRST_NODE_HOST = 33  # node TEPs follow the anycast addresses
NODES_PER_BLOCK = 250  # node TEPs fill .33-.249 of the first /24, then .0-.249 of each next one


@dataclass(frozen=True)
class TepPool:
    network: ipaddress.IPv4Network

    @classmethod
    def parse(cls, text: str) -> TepPool:
        try:
            network = ipaddress.IPv4Network(str(text))
        except ValueError:
            raise ValueError(
                f"tep_pool must be an IPv4 network such as {DEFAULT_TEP_NETWORK}, not {text!r}"
            ) from None
        return cls(network)

    @property
    def opflex_peer(self) -> ipaddress.IPv4Address:
        return self.network.network_address + OPFLEX_PEER_HOST

    @property
    def opflex_peer_interface(self) -> ipaddress.IPv4Interface:
        """The peer address as the leaf holds it on the infra VLAN (address with the pool's prefix)."""
        return ipaddress.IPv4Interface(f"{self.opflex_peer}/{self.network.prefixlen}")

    @property
    def vxlan_anycast(self) -> ipaddress.IPv4Address:
        return self.network.network_address + VXLAN_ANYCAST_HOST

    @property
    def fabric_route(self) -> ipaddress.IPv4Network:
        """The route the infra DHCP hands to hosts via the OpFlex peer: the /8 that holds the pool
        (10.0.0.0/8 for the default pool, the recorded lease's `8,10,10,0,0,30`)."""
        return self.network.supernet(new_prefix=8) if self.network.prefixlen > 8 else self.network

    def node_address(self, ordinal: int) -> ipaddress.IPv4Address:
        """The TEP of the fabric's `ordinal`-th node (counted from 0 in boot order)."""
        n = FIRST_NODE_HOST + ordinal
        address = self.network.network_address + (n // NODES_PER_BLOCK) * 256 + n % NODES_PER_BLOCK
        if address not in self.network:
            raise ValueError(f"tep_pool {self.network} is too small for {ordinal + 1} fabric nodes")
        return address


DEFAULT_TEP_POOL = TepPool.parse(DEFAULT_TEP_NETWORK)


def opflex_peer_of(subnet: ipaddress.IPv4Network) -> ipaddress.IPv4Address:
    """The OpFlex peer a host on the infra VLAN reaches, from the subnet its DHCP address is in."""
    return subnet.network_address + OPFLEX_PEER_HOST
