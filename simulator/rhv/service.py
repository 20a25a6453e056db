"""One simulated RHV Manager: its inventory, SSO, audit log, jobs and state machines, on one clock.

The model the REST layer talks to, free of HTTP: `acisim serve`, the pytest fixtures and plain
Python tests all drive the same object. Every entry point runs under one lock and first applies
whatever the clock has made due (`settle`), so a VM that finished powering up while nobody
looked is `up` the moment anyone looks.
"""

from __future__ import annotations

import random
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import OffsetClock
from . import loader
from .audit import AuditLog, JobBook
from .errors import not_found
from .lifecycle import Caller, Lifecycle
from .model import IdFactory, Inventory, Version, stable_id
from .networking import Networking
from .sso import Sso
from .states import Timeline


@dataclass
class RhvConfig:
    admin_user: str = "admin@internal"
    admin_password: str = "redhat123"
    product_name: str = "Red Hat Virtualization Manager"
    vendor: str = "Red Hat"
    version: Version = field(default_factory=lambda: Version(4, 5, 5, 0, "4.5.3.5-1.el8ev"))
    seed: int | str = 0
    token_lifetime: float = 1800.0
    boot_seconds: float = 5.0
    shutdown_seconds: float = 5.0
    migration_seconds: float = 2.0
    migration_downtime_ms: int = 80
    maintenance_seconds: float = 2.0
    activate_seconds: float = 5.0
    mac_pool_start: str = "56:6f:1a:2b:00:00"


class Rhv:
    def __init__(self, config: RhvConfig | None = None, clock=None):
        self.config = config or RhvConfig()
        self.clock = clock or OffsetClock()
        self.lock = threading.RLock()
        self.sso = Sso(self.clock, {self.config.admin_user: self.config.admin_password}, self.config.token_lifetime)
        self.instance_id = stable_id("engine", str(self.config.seed))
        self.admin_id = stable_id("user", self.config.admin_user)
        self.networking = Networking(self)
        self._source: dict = loader.FRESH_ENGINE
        self._boot(self._source)

    def _boot(self, data: dict) -> None:
        self.inventory: Inventory = loader.build(data)
        self.ids = IdFactory(self.config.seed)
        self.audit = AuditLog()
        self.jobs = JobBook(self.ids.new)
        self.timeline = Timeline(self.clock)
        self.lifecycle = Lifecycle(self)
        self._correlation = random.Random(f"rhv-correlation:{self.config.seed}")

    def reset(self) -> None:
        """Back to the last loaded inventory (or a fresh engine): no jobs, events or sessions."""
        with self.lock:
            self.sso.revoke_all()
            self._boot(self._source)

    def load_inventory(self, path: str | Path) -> dict[str, int]:
        """Replace the inventory with a YAML fixture's; a bad file changes nothing."""
        data = loader.read(path)
        loader.build(data)
        with self.lock:
            self._source = data
            self._boot(data)
            return self.counts()

    def counts(self) -> dict[str, int]:
        inv = self.inventory
        return {"data_centers": len(inv.data_centers), "clusters": len(inv.clusters), "hosts": len(inv.hosts),
                "networks": len(inv.networks), "vms": len(inv.vms)}

    # --- the clock ----------------------------------------------------------------------------------
    def settle(self) -> int:
        with self.lock:
            return self.timeline.settle()

    @contextmanager
    def session(self):
        """Hold the model for one request, with every due transition applied first."""
        with self.lock:
            self.timeline.settle()
            yield self

    def caller(self, user: str | None = None, correlation_id: str = "") -> Caller:
        user = user or self.config.admin_user
        return Caller(user, stable_id("user", user), correlation_id)

    def correlation_id(self, requested: str | None) -> str:
        """The engine's CurrentFilter: keep [0-9a-zA-Z_-], at most 36 characters, else make one up."""
        cleaned = re.sub(r"[^0-9a-zA-Z_-]", "", requested or "")[:36]
        if cleaned:
            return cleaned
        with self.lock:
            return f"{self._correlation.getrandbits(32):08x}"

    # --- lookups that 404 like the engine --------------------------------------------------------------
    def get(self, table: str, entity_id: str):
        entity = getattr(self.inventory, table).get(entity_id)
        if entity is None:
            raise not_found()
        return entity

    def find(self, table: str, name: str):
        return self.inventory.by_name(getattr(self.inventory, table), name)

    # --- simulator powers (for the /_sim API and tests) -----------------------------------------------
    def inject_migration_failure(self, vm_name: str | None = None, error: str = "Fatal error during migration") -> None:
        with self.session():
            vm_id = self._named("vms", vm_name, "VM").id if vm_name else None
            self.lifecycle.inject_migration_failure(vm_id, error)

    def set_host_status(self, host_name: str, status: str) -> None:
        with self.session():
            self.lifecycle.set_host_status(self._named("hosts", host_name, "host"), status, self.caller())

    def _named(self, table: str, name: str, what: str):
        found = self.find(table, name)
        if found is None:
            raise ValueError(f"no {what} named {name!r}")
        return found

    def expire_tokens(self) -> None:
        with self.lock:
            self.sso.revoke_all()
