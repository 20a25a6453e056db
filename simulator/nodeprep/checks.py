"""`acisim nodeprep check`: verify a prepared node from inside it (a host, or a lab namespace).

Each check says pass, fail or skip and why, in words an engineer acts on. Everything is read from
the running system (`ip -j`, the dhclient lease and config, real pings and connections), so the
same checks run on a real node and in the lab.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import ssl
import subprocess
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..fabric.tep import opflex_peer_of
from .config import ClusterNetwork
from .leases import Lease, configured_client_id, latest_lease, normalize_client_id
from .system import ip_json, process_alive

REQUESTED_OPTIONS = ("subnet-mask", "domain-name", "domain-name-servers", "ntp-servers", "wpad",
                     "rfc3442-classless-static-routes", "ms-classless-static-routes", "dhcp-server-identifier")
LEASE_DIRS = ("/var/lib/dhcp", "/var/lib/dhclient", "/usr/local/var/lib/dhclient")
OVS_DAEMONS = ("ovs-vswitchd", "ovsdb-server")


@dataclass
class CheckResult:
    name: str
    status: str  # pass | fail | skip
    detail: str

    @property
    def ok(self) -> bool:
        return self.status != "fail"


@dataclass
class NodeUnderCheck:
    cluster: ClusterNetwork
    uplink: str
    dhclient_conf: Path | None = None
    lease_file: Path | None = None
    apiserver: str | None = None  # https://host:port of the Kubernetes API server

    @property
    def infra(self) -> str:
        return f"{self.uplink}.{self.cluster.infra_vlan}"

    @property
    def nodeif(self) -> str:
        return f"{self.uplink}.{self.cluster.node_vlan}"

    def config_path(self) -> Path:
        return self.dhclient_conf or Path(f"/etc/dhcp/dhclient-{self.infra}.conf")

    def lease(self) -> Lease | None:
        candidates = [self.lease_file] if self.lease_file else [
            path for folder in LEASE_DIRS for path in sorted(Path(folder).glob("*.leases"))]
        for path in candidates:
            lease = latest_lease(path, self.infra)
            if lease:
                return lease
        return None


def run_checks(node: NodeUnderCheck) -> list[CheckResult]:
    lease = node.lease()
    checks: list[tuple[str, Callable[[], tuple[str, str]]]] = [
        ("uplink", lambda: _uplink(node)),
        ("infra subinterface", lambda: _subinterface(node, node.infra, node.cluster.infra_vlan)),
        ("node subinterface", lambda: _subinterface(node, node.nodeif, node.cluster.node_vlan)),
        ("infra DHCP lease", lambda: _lease(node, lease)),
        ("DHCP client identifier", lambda: _client_id(node, lease)),
        ("fabric TEP route", lambda: _tep_route(node, lease)),
        ("infra MTU path", lambda: _mtu_path(node, lease)),
        ("multicast route", lambda: _multicast(node)),
        ("node address", lambda: _node_address(node)),
        ("default route", lambda: _default_route(node)),
        ("API server", lambda: _apiserver(node)),
        ("Open vSwitch not running", _no_ovs),
    ]
    results = []
    for name, check in checks:
        status, detail = check()
        results.append(CheckResult(name, status, detail))
    return results


def report(results: list[CheckResult], as_json: bool = False) -> str:
    if as_json:
        return json.dumps([asdict(r) for r in results], indent=2)
    lines = [f"{r.status.upper():4}  {r.name}: {r.detail}" for r in results]
    failed = sum(1 for r in results if not r.ok)
    lines.append(f"{len(results) - failed} of {len(results)} checks passed" + (f", {failed} failed" if failed else ""))
    return "\n".join(lines)


def _link(name: str, details: bool = False) -> dict | None:
    links = ip_json(None, *(["-d"] if details else []), "link", "show", "dev", name)
    return links[0] if links else None


def _is_up(link: dict) -> bool:
    return "UP" in link.get("flags", []) and "LOWER_UP" in link.get("flags", [])


def _uplink(node: NodeUnderCheck) -> tuple[str, str]:
    link = _link(node.uplink)
    if link is None:
        return "fail", f"no interface {node.uplink}"
    if not _is_up(link):
        return "fail", f"{node.uplink} is down"
    if link["mtu"] < node.cluster.mtu:
        return "fail", f"{node.uplink} MTU is {link['mtu']}, needs at least {node.cluster.mtu} for VXLAN"
    return "pass", f"{node.uplink} up, MTU {link['mtu']}"


def _subinterface(node: NodeUnderCheck, name: str, vlan: int) -> tuple[str, str]:
    link = _link(name, details=True)
    if link is None:
        return "fail", f"no interface {name} (VLAN {vlan} on {node.uplink})"
    if link.get("link") != node.uplink:
        return "fail", f"{name} is not a subinterface of {node.uplink}"
    info = link.get("linkinfo", {})
    kind = info.get("info_kind")
    if kind == "vlan":
        if info.get("info_data", {}).get("id") != vlan:
            return "fail", f"{name} carries VLAN {info.get('info_data', {}).get('id')}, not {vlan}"
        how = f"802.1Q VLAN {vlan}"
    elif kind == "macvlan" and link.get("ifalias") == f"vlan {vlan} (macvlan stand-in)":
        how = f"macvlan stand-in for VLAN {vlan} (no 802.1Q in this kernel)"
    else:
        return "fail", f"{name} is a {kind or 'plain'} link, not VLAN {vlan}"
    if not _is_up(link):
        return "fail", f"{name} is down"
    if link["mtu"] != node.cluster.mtu:
        return "fail", f"{name} MTU is {link['mtu']}, expected {node.cluster.mtu}"
    return "pass", f"{name} up, MTU {link['mtu']}, {how}"


def _addresses(name: str) -> list[ipaddress.IPv4Interface]:
    links = ip_json(None, "-4", "addr", "show", "dev", name)
    infos = links[0].get("addr_info", []) if links else []
    return [ipaddress.IPv4Interface(f"{a['local']}/{a['prefixlen']}") for a in infos]


def _lease(node: NodeUnderCheck, lease: Lease | None) -> tuple[str, str]:
    if lease is None:
        return "fail", f"no dhclient lease for {node.infra}"
    addresses = [str(a.ip) for a in _addresses(node.infra)]
    if lease.address not in addresses:
        return "fail", f"lease {lease.address} is not configured on {node.infra} (has {', '.join(addresses) or 'none'})"
    missing = [o for o in REQUESTED_OPTIONS if o not in lease.options]
    if missing:
        return "fail", f"lease {lease.address} lacks requested options: {', '.join(missing)}"
    if "routers" in lease.options:
        return "fail", f"lease gives a router ({lease.options['routers']}): a second default route on the infra VLAN"
    return "pass", f"{lease.address} on {node.infra} with options {', '.join(REQUESTED_OPTIONS)}"


def _client_id(node: NodeUnderCheck, lease: Lease | None) -> tuple[str, str]:
    link = _link(node.infra)
    if link is None:
        return "fail", f"no interface {node.infra}"
    expected = f"01:{link['address']}"
    path = node.config_path()
    configured = configured_client_id(path)
    if configured is None:
        return "fail", f"{path} does not send dhcp-client-identifier"
    if configured != expected:
        return "fail", f"{path} sends client identifier {configured}, but {node.infra} has MAC {link['address']} (expected {expected})"
    leased = normalize_client_id(lease.options.get("dhcp-client-identifier", "")) if lease else ""
    if leased and leased != expected:
        return "fail", f"the lease was obtained with client identifier {leased}, expected {expected}"
    return "pass", f"{expected} (MAC of {node.infra})"


def _tep_route(node: NodeUnderCheck, lease: Lease | None) -> tuple[str, str]:
    if lease is None or "rfc3442-classless-static-routes" not in lease.options:
        return "fail", "no classless static route (option 121) in the lease"
    octets = [int(x) for x in lease.options["rfc3442-classless-static-routes"].split(",")]
    width = octets[0]
    significant = (width + 7) // 8
    network = ipaddress.IPv4Network((bytes(octets[1:1 + significant]) + bytes(4 - significant), width))
    gateway = ipaddress.IPv4Address(bytes(octets[1 + significant:5 + significant]))
    routes = ip_json(None, "route", "show", str(network))
    if not any(r.get("gateway") == str(gateway) and r.get("dev") == node.infra for r in routes):
        return "fail", f"route {network} via {gateway} dev {node.infra} from option 121 is not installed"
    return "pass", f"{network} via {gateway} dev {node.infra}"


def _opflex_peer(node: NodeUnderCheck, lease: Lease | None) -> ipaddress.IPv4Address | None:
    for address in _addresses(node.infra):
        if lease is None or str(address.ip) == lease.address:
            return opflex_peer_of(address.network)
    return None


def _ping(target: str, size: int) -> bool:
    """A don't-fragment ping; True if answered."""
    done = subprocess.run(["ping", "-c1", "-W1", "-q", "-M", "do", "-s", str(size), target], capture_output=True)
    return done.returncode == 0


def _mtu_path(node: NodeUnderCheck, lease: Lease | None) -> tuple[str, str]:
    peer = _opflex_peer(node, lease)
    if peer is None:
        return "fail", f"no infra address on {node.infra}, so no OpFlex peer to reach"
    biggest = node.cluster.mtu - 28  # IPv4 + ICMP headers
    if not _ping(str(peer), biggest):
        return "fail", f"DF ping of {biggest} bytes to OpFlex peer {peer} failed: the path is narrower than {node.cluster.mtu} (leaf port or uplink MTU?)"
    if _ping(str(peer), biggest + 1):
        return "fail", f"DF ping of {biggest + 1} bytes to {peer} passed: {node.infra} MTU is above {node.cluster.mtu}"
    return "pass", f"DF ping {biggest} B to OpFlex peer {peer} passes, {biggest + 1} B is refused"


def _multicast(node: NodeUnderCheck) -> tuple[str, str]:
    subnet = str(node.cluster.multicast_subnet)
    routes = [r for r in ip_json(None, "route", "show", subnet) if r.get("dst") == subnet]
    if not any(r.get("dev") == node.infra for r in routes):
        return "fail", f"no route {subnet} dev {node.infra}: BUM traffic would leave by the default route"
    probe = str(node.cluster.multicast_probe)
    got = ip_json(None, "route", "get", probe)
    dev = got[0].get("dev") if got else None
    if dev != node.infra:
        return "fail", f"{probe} routes via {dev}, not {node.infra}"
    return "pass", f"{subnet} dev {node.infra}; {probe} leaves by {node.infra}"


def _node_address(node: NodeUnderCheck) -> tuple[str, str]:
    inside = [a for a in _addresses(node.nodeif) if a.ip in node.cluster.node_subnet]
    if not inside:
        return "fail", f"{node.nodeif} has no address in the node subnet {node.cluster.node_subnet}"
    return "pass", f"{inside[0]} on {node.nodeif}"


def _default_route(node: NodeUnderCheck) -> tuple[str, str]:
    gateway = str(node.cluster.node_gateway.ip)
    routes = sorted(ip_json(None, "-4", "route", "show", "default"), key=lambda r: r.get("metric", 0))
    if not routes:
        return "fail", f"no default route (expected via {gateway} dev {node.nodeif})"
    first = routes[0]
    if first.get("gateway") != gateway or first.get("dev") != node.nodeif:
        return "fail", f"default route is via {first.get('gateway')} dev {first.get('dev')}, expected via {gateway} dev {node.nodeif}"
    return "pass", f"via {gateway} dev {node.nodeif}"


def _apiserver(node: NodeUnderCheck) -> tuple[str, str]:
    if not node.apiserver:
        return "skip", "no API server given (--apiserver https://ADDRESS:6443)"
    url = urllib.parse.urlsplit(node.apiserver if "//" in node.apiserver else f"https://{node.apiserver}")
    try:
        address = ipaddress.IPv4Address(url.hostname or "")
    except ValueError:
        return "fail", f"API server {node.apiserver} is not an IPv4 address on the node subnet"
    port = url.port or 6443
    if address not in node.cluster.node_subnet:
        return "fail", f"API server {address} is not on the node subnet {node.cluster.node_subnet}"
    route = ip_json(None, "route", "get", str(address))
    dev = route[0].get("dev") if route else None
    if dev not in (node.nodeif, "lo"):
        return "fail", f"API server {address} is reached via {dev}, not the node VLAN {node.nodeif}"
    try:
        version = _get_version(url.scheme or "https", str(address), port)
    except OSError as exc:
        return "fail", f"API server {address}:{port} unreachable: {exc.strerror or exc}"
    return "pass", f"{address}:{port} answers /version ({version}) via {'this node' if dev == 'lo' else dev}"


def _get_version(scheme: str, host: str, port: int) -> str:
    with socket.create_connection((host, port), timeout=3) as raw:
        stream = raw
        if scheme == "https":
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # clusters use their own CA; reachability is the question
            stream = context.wrap_socket(raw, server_hostname=host)
        stream.sendall(f"GET /version HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := stream.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1:2]
    if status != [b"200"]:
        raise OSError(f"GET /version answered {head.splitlines()[0].decode(errors='replace') if head else 'nothing'}")
    try:
        return json.loads(body).get("gitVersion", "unknown version")
    except ValueError:
        raise OSError("GET /version did not answer JSON") from None


def _no_ovs() -> tuple[str, str]:
    mine = os.readlink("/proc/self/ns/net")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
            if name not in OVS_DAEMONS or not process_alive(int(entry.name)):
                continue
            netns = os.readlink(entry / "ns" / "net")
        except PermissionError:
            netns = mine  # cannot tell: count it as on this host
        except OSError:
            continue
        if netns == mine:
            found.append(f"{name} (pid {entry.name})")
    links = [link["ifname"] for link in ip_json(None, "-d", "link", "show")
             if link.get("linkinfo", {}).get("info_kind") == "openvswitch" or link["ifname"] in ("ovs-system", "ovs-netdev")]
    if found or links:
        return "fail", "Open vSwitch is running on this node: " + ", ".join(found + [f"link {n}" for n in links]) + \
            " (the CNI brings its own; stop it)"
    return "pass", "no ovs-vswitchd or ovsdb-server here, no OVS datapath link"
