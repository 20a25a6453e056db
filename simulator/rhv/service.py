"""One simulated RHV Manager, as other parts of the lab and the HTTP layer use it: one method per
operation (SSO login and logout, authenticate, an API request, the simulator's powers, reset,
loading an inventory, LLDP neighbours, the clock's tick, the saved state). Among the powers, armed
read faults (`fail_reads`) make the next GETs of one collection answer the engine's server error.

The state and its one change path are the model's (`model/engine.py`); the REST resources are the
registry's (`resources/`). Every entry point settles what the clock has made due first, so a bare
`Rhv` served alone (no lab ticking it) still shows a VM `up` the moment anyone looks after its boot.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import OffsetClock
from .model import loader, state
from .model.audit import Caller
from .model.engine import Engine
from .model.entities import Version
from .read_faults import DETAIL, ReadFaults
from .resources.catalog import REGISTRY
from .resources.context import Ctx
from .resources.registry import ApiReply, ApiRequest

__all__ = ["ApiReply", "ApiRequest", "Rhv", "RhvConfig"]


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
    reboot_seconds: float = 5.0
    migration_seconds: float = 2.0
    migration_downtime_ms: int = 80
    maintenance_seconds: float = 2.0
    activate_seconds: float = 5.0
    mac_pool_start: str = "56:6f:1a:2b:00:00"


class _EngineAttribute:
    """A part of the engine the facade shows as its own (`rhv.inventory`, `rhv.changes`, ...)."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, rhv, owner=None):
        return getattr(rhv.engine, self.name)


class Rhv:
    def __init__(self, config: RhvConfig | None = None, clock=None):
        self.config = config or RhvConfig()
        self.clock = clock or OffsetClock()
        self.engine = Engine(self.config, self.clock)
        self.registry = REGISTRY
        self.read_faults = ReadFaults([c.rel for c in REGISTRY.root])

    # --- what other parts read --------------------------------------------------------------------------
    changes = _EngineAttribute("changes")  # ChangeFeed[Change]: subscribe(fn) gets each operation's changes
    inventory = _EngineAttribute("inventory")
    audit = _EngineAttribute("audit")
    jobs = _EngineAttribute("jobs")
    sso = _EngineAttribute("sso")
    lifecycle = _EngineAttribute("lifecycle")
    networking = _EngineAttribute("networking")
    hosts = _EngineAttribute("hosts")
    lock = _EngineAttribute("lock")

    def counts(self) -> dict[str, int]:
        with self.engine.operation():
            return self.engine.counts()

    def find(self, table: str, name: str):
        return self.engine.find(table, name)

    def get(self, table: str, entity_id: str):
        return self.engine.get(table, entity_id)

    def caller(self, user: str | None = None, correlation_id: str = "") -> Caller:
        return self.engine.caller(user, correlation_id)

    def correlation_id(self, requested: str | None) -> str:
        return self.engine.correlation_id(requested)

    @contextmanager
    def session(self):
        """One model operation (for tests and tools that drive the model directly)."""
        with self.engine.operation():
            yield self

    # --- SSO and the API -----------------------------------------------------------------------------------
    def login(self, grant_type: str, username: str, password: str, scope: str, source_ip: str = "") -> dict:
        """The SSO token endpoint's reply; raises `SsoError` (its `reply()` is the engine's error JSON)."""
        return self.engine.login(grant_type, username, password, scope, source_ip)

    def logout(self, token: str) -> None:
        self.engine.logout(token)

    def authenticate(self, authorization: str | None) -> str | None:
        """The user behind an Authorization header (a bearer token, or HTTP Basic), None when none or when
        the user holds no role with the LOGIN action group (the engine creates no session for them)."""
        with self.engine.operation():
            user = self._credentials_user(authorization)
            return user if user is not None and self.engine.authz.can_log_in(user) else None

    def _credentials_user(self, authorization: str | None) -> str | None:
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() == "bearer":
            session = self.engine.sso.session_for(credentials.strip())
            return session.user if session else None
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(credentials.strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            return user if self.engine.sso.check_password(user, password) else None
        return None

    def request(self, req: ApiRequest) -> ApiReply:
        """One API request, answered by the registry inside one model operation (RhvFault if refused)."""
        with self.engine.operation():
            fault = self.read_faults.take(req.method, req.path)
            if fault is not None:
                raise fault
            return self.registry.handle(Ctx(self.engine, self.registry, req))

    # --- the clock ---------------------------------------------------------------------------------------
    def tick(self) -> int:
        """Apply every transition the clock has made due; returns how many (the lab's tick calls this)."""
        return self.engine.tick()

    # --- inventories and simulator powers ------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the last loaded inventory, in place: no jobs, events, sessions or armed read faults; ids
        keep counting."""
        with self.engine.lock:
            self.read_faults.clear()
        self.engine.load(self.engine.source)

    def load_inventory(self, path: str | Path) -> dict[str, int]:
        """Replace the inventory with a YAML fixture's; a bad file changes nothing."""
        data = loader.read(path)
        self.engine.load(data)
        with self.engine.lock:
            self.read_faults.clear()
        return self.counts()

    def set_lldp_neighbours(self, neighbours: Mapping[tuple[str, str], Mapping[str, str]]) -> None:
        """What each host NIC (host name, NIC name) hears over LLDP: chassis_id, port_id, port_description,
        system_name, system_description. Kept for every inventory loaded or reset to later."""
        self.engine.set_lldp(neighbours)

    def inject_migration_failure(self, vm_name: str | None = None, error: str = "Fatal error during migration") -> None:
        with self.engine.operation():
            vm_id = self._named("vms", vm_name, "VM").id if vm_name else None
            self.engine.lifecycle.inject_migration_failure(vm_id, error)

    def fail_reads(self, collection: object, status: object = 500, count: object = 1,
                   detail: object = DETAIL) -> dict[str, dict]:
        """The next `count` GETs under the root collection `collection` answer HTTP `status` with the engine's
        fault; ValueError (one line) for a collection the API has not, a status outside 500-599, a count < 1.
        Returns every armed fault."""
        with self.engine.lock:
            self.read_faults.arm(collection, status, count, detail)
            return self.read_faults.describe()

    def clear_read_faults(self) -> None:
        with self.engine.lock:
            self.read_faults.clear()

    def set_host_status(self, host_name: str, status: str) -> None:
        with self.engine.operation():
            self.engine.hosts.set_status(self._named("hosts", host_name, "host"), status, self.caller())

    def expire_tokens(self) -> None:
        with self.engine.operation():
            self.engine.end_sessions()

    def _named(self, table: str, name: str, what: str):
        found = self.find(table, name)
        if found is None:
            raise ValueError(f"no {what} named {name!r}")
        return found

    # --- saved state ---------------------------------------------------------------------------------------
    def export_state(self) -> dict:
        """The whole engine as JSON-ready data (read under the lock; settles nothing, changes nothing)."""
        with self.engine.lock:
            return state.export_state(self.engine)

    def import_state(self, data: dict) -> None:
        state.import_state(self.engine, data)
