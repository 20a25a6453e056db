"""Reading DHCP state: dhclient's lease file and its config, dnsmasq's lease database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_BLOCK = re.compile(r"lease\s*\{(.*?)\}", re.S)
_SEND_CLIENT_ID = re.compile(r"^\s*send\s+dhcp-client-identifier\s+([^;]+);", re.M)


@dataclass
class Lease:
    interface: str = ""
    address: str = ""
    options: dict[str, str] = field(default_factory=dict)


def dhclient_leases(text: str) -> list[Lease]:
    leases = []
    for body in _BLOCK.findall(text):
        lease = Lease()
        for raw in body.split(";"):
            words = raw.strip().split(None, 1)
            if len(words) < 2:
                continue
            key, value = words
            if key == "interface":
                lease.interface = value.strip('"')
            elif key == "fixed-address":
                lease.address = value
            elif key == "option":
                name, _, option_value = value.partition(" ")
                lease.options[name] = option_value.strip().strip('"')
        leases.append(lease)
    return leases


def latest_lease(path: Path, interface: str) -> Lease | None:
    try:
        text = path.read_text()
    except OSError:
        return None
    matching = [lease for lease in dhclient_leases(text) if lease.interface == interface]
    return matching[-1] if matching else None


def normalize_client_id(text: str) -> str:
    """dhclient writes 01:0a:... or 1:a:...; compare as two-digit hex octets."""
    text = text.strip().strip('"').lower()
    return ":".join(f"{int(part, 16):02x}" for part in text.split(":")) if re.fullmatch(r"[0-9a-f]{1,2}(:[0-9a-f]{1,2})+", text) else text


def configured_client_id(path: Path) -> str | None:
    try:
        match = _SEND_CLIENT_ID.search(path.read_text())
    except OSError:
        return None
    return normalize_client_id(match.group(1)) if match else None


@dataclass
class ServerLease:
    mac: str
    address: str
    hostname: str
    client_id: str


def dnsmasq_leases(path: Path) -> list[ServerLease]:
    """dnsmasq's lease file: `expiry mac ip hostname client-id` per line."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return []
    leases = []
    for line in lines:
        parts = line.split()
        if len(parts) == 5:
            leases.append(ServerLease(parts[1], parts[2], parts[3], normalize_client_id(parts[4])))
    return leases
