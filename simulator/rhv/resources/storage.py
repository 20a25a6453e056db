"""/disks and /storagedomains: real collections that this engine keeps empty (it runs no storage),
so clients that list them get the engine's empty answer and search works on them."""

from __future__ import annotations

from .registry import Collection

DISKS = Collection("disks", "disks", "disk", search=lambda ctx: {"name": lambda d: d, "id": lambda d: d})
STORAGE_DOMAINS = Collection("storagedomains", "storage_domains", "storage_domain",
                             search=lambda ctx: {"name": lambda s: s, "id": lambda s: s})
