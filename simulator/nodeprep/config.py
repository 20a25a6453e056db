"""What node preparation needs from the acc-provision input file (the file `acc-provision -c` reads).

Only `net_config` matters to a node: the infra VLAN (DHCP from the fabric), the node VLAN
(`kubeapi_vlan`, static address in `node_subnet`, whose address part is the gateway) and the MTU
the uplink must carry (the container MTU plus the VXLAN headroom, at least 1600).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

import yaml

MULTICAST_SUBNET = ipaddress.IPv4Network("224.0.0.0/4")
MIN_UPLINK_MTU = 1600
DEFAULT_HEADROOM = 100


class NodePrepError(ValueError):
    """Bad input for node preparation; its text is one line an engineer can act on."""


@dataclass(frozen=True)
class ClusterNetwork:
    system_id: str
    infra_vlan: int
    node_vlan: int
    node_gateway: ipaddress.IPv4Interface  # e.g. 10.1.0.1/16: the gateway and the node subnet
    mtu: int = MIN_UPLINK_MTU
    multicast_probe: ipaddress.IPv4Address = ipaddress.IPv4Address("225.1.2.3")  # a group in the VMM domain's range

    @property
    def node_subnet(self) -> ipaddress.IPv4Network:
        return self.node_gateway.network

    @property
    def multicast_subnet(self) -> ipaddress.IPv4Network:
        return MULTICAST_SUBNET

    @classmethod
    def from_file(cls, path: str | Path) -> ClusterNetwork:
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text())
        except OSError as exc:
            raise NodePrepError(f"cannot read {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise NodePrepError(f"{path} is not valid YAML{where}") from None
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: object, source: str = "config") -> ClusterNetwork:
        if not isinstance(data, dict):
            raise NodePrepError(f"{source}: expected an acc-provision config (a mapping with net_config)")
        net = data.get("net_config")
        if not isinstance(net, dict):
            raise NodePrepError(f"{source}: missing key net_config")
        aci = data.get("aci_config") if isinstance(data.get("aci_config"), dict) else {}
        interface_mtu = net.get("interface_mtu")
        headroom = _integer(net.get("interface_mtu_headroom", DEFAULT_HEADROOM), "net_config.interface_mtu_headroom", source)
        mtu = MIN_UPLINK_MTU
        if interface_mtu is not None:
            mtu = max(MIN_UPLINK_MTU, _integer(interface_mtu, "net_config.interface_mtu", source) + headroom)
        infra_vlan = _vlan(net, "infra_vlan", source)
        node_vlan = _vlan(net, "kubeapi_vlan", source)
        if infra_vlan == node_vlan:
            raise NodePrepError(f"{source}: net_config.infra_vlan and net_config.kubeapi_vlan are both {infra_vlan}; they must differ")
        return cls(system_id=str(aci.get("system_id") or "cluster"), infra_vlan=infra_vlan, node_vlan=node_vlan,
                   node_gateway=_node_subnet(net, source), mtu=mtu, multicast_probe=_multicast_probe(aci))


def _required(net: dict, key: str, source: str) -> object:
    value = net.get(key)
    if value is None or value == "":
        raise NodePrepError(f"{source}: missing key net_config.{key}")
    return value


def _integer(value: object, name: str, source: str) -> int:
    if isinstance(value, bool):
        raise NodePrepError(f"{source}: {name} must be a number, not {value!r}")
    try:
        return int(str(value), 10)
    except ValueError:
        raise NodePrepError(f"{source}: {name} must be a number, not {value!r}") from None


def _vlan(net: dict, key: str, source: str) -> int:
    vlan = _integer(_required(net, key, source), f"net_config.{key}", source)
    if not 1 <= vlan <= 4094:
        raise NodePrepError(f"{source}: net_config.{key} {vlan} is out of range (1-4094)")
    return vlan


def _node_subnet(net: dict, source: str) -> ipaddress.IPv4Interface:
    value = _required(net, "node_subnet", source)
    if isinstance(value, list):  # dual-stack configs list one subnet per family
        value = next((v for v in value if ":" not in str(v)), None)
        if value is None:
            raise NodePrepError(f"{source}: net_config.node_subnet has no IPv4 subnet")
    try:
        gateway = ipaddress.IPv4Interface(str(value))
    except ValueError:
        raise NodePrepError(f"{source}: net_config.node_subnet {value!r} is not an IPv4 gateway/prefix such as 10.1.0.1/16") from None
    if gateway.network.prefixlen > 30 or gateway.ip in (gateway.network.network_address, gateway.network.broadcast_address):
        raise NodePrepError(f"{source}: net_config.node_subnet {value} must name the gateway address, e.g. 10.1.0.1/16")
    return gateway


def _multicast_probe(aci: dict) -> ipaddress.IPv4Address:
    """The first group of vmm_domain.mcast_range: an address the cluster's BUM traffic really uses."""
    vmm = aci.get("vmm_domain") if isinstance(aci.get("vmm_domain"), dict) else {}
    mcast = vmm.get("mcast_range") if isinstance(vmm.get("mcast_range"), dict) else {}
    try:
        start = ipaddress.IPv4Address(str(mcast.get("start")))
    except ValueError:
        return ipaddress.IPv4Address("225.1.2.3")
    return start if start in MULTICAST_SUBNET else ipaddress.IPv4Address("225.1.2.3")
