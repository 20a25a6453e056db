"""Bring a rendered /etc/network/interfaces stanza up inside a network namespace, as ifupdown would.

ifupdown itself cannot run in the lab (it owns host-wide state and its VLAN support needs the 8021q
module), so this reads the same file and performs the same steps with `ip` and dhclient: links and
MTUs first, then static addresses and the gateway, then DHCP, then each stanza's `up` commands.
Where the kernel has no 802.1Q, a VLAN subinterface becomes a macvlan child of its raw device with a
MAC derived from the parent's (see `stand_in_mac`), labelled with an alias saying so.
"""

from __future__ import annotations

import ipaddress
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .config import NodePrepError
from .system import in_netns, ip, ip_json


@dataclass
class Stanza:
    name: str
    method: str  # manual | dhcp | static
    options: dict[str, str] = field(default_factory=dict)
    up: list[str] = field(default_factory=list)
    auto: bool = False

    @property
    def raw_device(self) -> str | None:
        return self.options.get("vlan-raw-device") or (self.name.rsplit(".", 1)[0] if "." in self.name else None)

    @property
    def vlan_id(self) -> int | None:
        tail = self.name.rsplit(".", 1)[-1] if "." in self.name else ""
        return int(tail) if tail.isdigit() else None


def parse_interfaces(text: str) -> list[Stanza]:
    stanzas: list[Stanza] = []
    autos: set[str] = set()
    current: Stanza | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if words[0] in ("auto", "allow-hotplug"):
            autos.update(words[1:])
        elif words[0] == "iface":
            if len(words) != 4 or words[2] != "inet" or words[3] not in ("manual", "dhcp", "static"):
                raise NodePrepError(f"interfaces line {number}: expected 'iface NAME inet manual|dhcp|static'")
            current = Stanza(words[1], words[3])
            stanzas.append(current)
        elif current is None:
            raise NodePrepError(f"interfaces line {number}: option {words[0]!r} outside an iface stanza")
        elif words[0] == "up":
            current.up.append(line[2:].strip())
        else:
            current.options[words[0]] = " ".join(words[1:])
    for stanza in stanzas:
        stanza.auto = stanza.name in autos
    return stanzas


def stand_in_mac(parent_mac: str, vlan: int) -> str:
    """The macvlan stand-in's MAC: the parent's with octets 3-4 replaced by the VLAN id."""
    octets = parent_mac.split(":")
    octets[0] = f"{int(octets[0], 16) | 0x02:02x}"
    octets[2:4] = [f"{vlan >> 8:02x}", f"{vlan & 0xff:02x}"]
    return ":".join(octets)


def link_mac(netns: str | None, name: str) -> str:
    links = ip_json(netns, "link", "show", "dev", name)
    if not links:
        raise NodePrepError(f"no interface {name}")
    return links[0]["address"]


def add_subinterface(netns: str | None, parent: str, name: str, vlan: int, kind: str) -> None:
    if kind == "vlan":
        ip(netns, "link", "add", "link", parent, "name", name, "type", "vlan", "id", str(vlan))
        return
    mac = stand_in_mac(link_mac(netns, parent), vlan)
    ip(netns, "link", "add", "link", parent, "name", name, "address", mac, "type", "macvlan", "mode", "bridge")
    ip(netns, "link", "set", "dev", name, "alias", f"vlan {vlan} (macvlan stand-in)")


def dhclient_conf_path(root: Path, interface: str) -> Path:
    """Where ifupdown's dhclient finds the interface's own config: /etc/dhcp/dhclient-IF.conf under `root`."""
    return root / "etc" / "dhcp" / f"dhclient-{interface}.conf"


def dhclient_lease_path(workdir: Path, interface: str) -> Path:
    return workdir / f"dhclient-{interface}.leases"


@dataclass
class DhcpClient:
    interface: str
    config: Path
    leases: Path
    pidfile: Path
    process: subprocess.Popen | None = None


def _has_ipv4(netns: str | None, name: str) -> bool:
    return any(link.get("addr_info") for link in ip_json(netns, "-4", "addr", "show", "dev", name))


class InterfacesApplier:
    """Applies parsed stanzas in `netns`; files named in them (/etc/dhcp/...) are read under `root`."""

    def __init__(self, netns: str, stanzas: list[Stanza], root: Path, subif_kind: str):
        self.netns, self.stanzas, self.root, self.subif_kind = netns, stanzas, root, subif_kind
        self.dhcp: list[DhcpClient] = []

    def configure_links(self) -> None:
        for stanza in self.stanzas:
            if not stanza.auto:
                continue
            if stanza.vlan_id is not None and stanza.raw_device:
                add_subinterface(self.netns, stanza.raw_device, stanza.name, stanza.vlan_id, self.subif_kind)
            if "mtu" in stanza.options:
                ip(self.netns, "link", "set", "dev", stanza.name, "mtu", stanza.options["mtu"])
            ip(self.netns, "link", "set", "dev", stanza.name, "up")
            if stanza.method == "static":
                self._static(stanza)

    def _static(self, stanza: Stanza) -> None:
        try:
            address = ipaddress.IPv4Interface(f"{stanza.options['address']}/{stanza.options.get('netmask', '32')}")
        except (KeyError, ValueError):
            raise NodePrepError(f"iface {stanza.name}: static needs a valid address and netmask") from None
        ip(self.netns, "addr", "add", str(address), "dev", stanza.name)
        if "gateway" in stanza.options:
            ip(self.netns, "route", "add", "default", "via", stanza.options["gateway"], "dev", stanza.name)

    def start_dhcp(self, workdir: Path) -> None:
        """Start dhclient on each dhcp stanza, with /etc/dhcp/dhclient-IF.conf as ifupdown passes it."""
        for stanza in self.stanzas:
            if not (stanza.auto and stanza.method == "dhcp"):
                continue
            config = dhclient_conf_path(self.root, stanza.name)
            if not config.exists():
                raise NodePrepError(f"iface {stanza.name}: no dhclient file {config}")
            client = DhcpClient(stanza.name, config, dhclient_lease_path(workdir, stanza.name),
                                workdir / f"dhclient-{stanza.name}.pid")
            # -nw: go to the background at once; unshare --uts: dhclient-script may set the host name.
            argv = in_netns(self.netns, ["unshare", "--uts", "dhclient", "-4", "-nw", "-cf", str(config),
                                         "-lf", str(client.leases), "-pf", str(client.pidfile), stanza.name])
            client.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            self.dhcp.append(client)

    def dhcp_pids(self) -> list[int]:
        pids = []
        for client in self.dhcp:
            text = client.pidfile.read_text().strip() if client.pidfile.exists() else ""
            if text.isdigit():
                pids.append(int(text))
        return pids

    def wait_dhcp(self, deadline: float) -> None:
        """Wait for the launcher to hand over to the daemon, then for each lease's address."""
        for client in self.dhcp:
            if client.process is not None:
                try:
                    client.process.wait(timeout=max(1.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    raise NodePrepError(f"dhclient on {client.interface} in {self.netns} did not start") from None
                if client.process.returncode != 0:
                    raise NodePrepError(f"dhclient on {client.interface} failed: {client.process.stderr.read().strip()}")
        pending = list(self.dhcp)
        while pending:
            pending = [c for c in pending if not _has_ipv4(self.netns, c.interface)]
            if pending and time.monotonic() > deadline:
                names = ", ".join(c.interface for c in pending)
                raise NodePrepError(f"no DHCP lease on {names} in {self.netns}")
            if pending:
                time.sleep(0.02)

    def run_up_commands(self) -> None:
        for stanza in self.stanzas:
            for command in stanza.up if stanza.auto else ():
                argv = shlex.split(command)
                if not argv or argv[0] != "ip":
                    raise NodePrepError(f"iface {stanza.name}: only 'ip ...' up commands can be applied, not {command!r}")
                ip(self.netns, *argv[1:])
