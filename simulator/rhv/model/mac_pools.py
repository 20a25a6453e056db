"""The engine's MAC address pools: the Default pool every engine is installed with, as data.

ovirt-engine's dbscripts create the Default pool with a fixed id (00210_insert_mac_pools.sql:
"Default", "Default MAC pool", no duplicates, the default pool) and engine-setup gives it one range of
65,536 addresses; every data center and cluster of a fresh engine uses it. Here the range starts at
`RhvConfig.mac_pool_start`, and VM NICs added without a MAC get the first free address in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_MAC_POOL_ID = "58ca604b-017d-0374-0220-00000000014e"
RANGE_SIZE = 0x10000
MAC = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")


def mac_text(value: int) -> str:
    digits = f"{value:012x}"
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def mac_value(mac: str) -> int:
    return int(mac.replace(":", ""), 16)


@dataclass(frozen=True)
class MacPool:
    id: str
    name: str
    description: str
    ranges: tuple[tuple[str, str], ...]  # (from, to), both included
    allow_duplicates: bool = False
    default_pool: bool = False

    def addresses(self):
        """Every address of the pool, range by range, in order."""
        for first, last in self.ranges:
            for value in range(mac_value(first), mac_value(last) + 1):
                yield mac_text(value)


def default_pool(start: str) -> MacPool:
    """The Default pool with its one range beginning at `start` (refused unless a MAC address)."""
    if not MAC.match(start or "") or mac_value(start) + RANGE_SIZE - 1 > 0xFFFFFFFFFFFF:
        raise ValueError(f"mac_pool_start {start!r} is not a MAC address a 65536-address range can start at")
    first = mac_value(start)
    return MacPool(DEFAULT_MAC_POOL_ID, "Default", "Default MAC pool",
                   ((mac_text(first), mac_text(first + RANGE_SIZE - 1)),), default_pool=True)
