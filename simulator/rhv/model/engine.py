"""The engine's state and its one change path.

Everything the RHV Manager holds (inventory, audit log, jobs, SSO sessions, pending transitions,
the seeded id streams, the LLDP its host NICs hear) lives in one `Engine`, and every change is an
operation: `with engine.operation():` takes the model's lock, applies what the clock has made due,
then validates and applies; entity fields are set only through `add`/`set`/`remove` here (and
events and jobs only through `log`/`start_job`/`end_job`), which record one typed `Change` per
entity. When the outermost operation ends its batch is published on `changes` (still under the
lock, so batches keep commit order) and delivered to listeners after the lock is released, so a
listener may read the model and a request's own changes reach listeners before its answer leaves.
"""

from __future__ import annotations

import dataclasses
import random
import re
import threading
from collections.abc import Mapping
from contextlib import contextmanager

from ...feed import ChangeFeed
from . import loader
from .audit import AuditLog, Caller, Event, Job, JobBook
from .changes import Change, ChangeSet
from .entities import KINDS, IdFactory, Inventory, fields_of, plain, stable_id
from .errors import not_found
from .hosts import Hosts
from .lifecycle import Lifecycle
from .mac_pools import MacPool, default_pool
from .messages import job_title
from .networking import Networking
from .permissions import Authz, Permission, admin_permission
from .sso import Sso
from .timeline import Timeline

LLDP_KEYS = ("chassis_id", "port_id", "port_description", "system_name", "system_description")


class SeededStream:
    """Random 32-bit values from a seed, with a position to save and seek back to."""

    def __init__(self, seed: str):
        self._rng = random.Random(seed)
        self.position = 0

    def next(self) -> int:
        self.position += 1
        return self._rng.getrandbits(32)

    def seek(self, position: int) -> None:
        while self.position < position:
            self.next()


class Engine:
    def __init__(self, config, clock):
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self.changes: ChangeFeed[Change] = ChangeFeed("rhv")
        self.last_seq = 0
        self._changeset: ChangeSet | None = None
        self.last_settled = 0
        self.instance_id = stable_id("engine", str(config.seed))
        pool = default_pool(config.mac_pool_start)
        self.mac_pools: dict[str, MacPool] = {pool.id: pool}
        self.inventory = Inventory()
        self.ids = IdFactory(config.seed)
        self.correlation = SeededStream(f"rhv-correlation:{config.seed}")
        self.audit = AuditLog()
        self.jobs = JobBook()
        self.sso = Sso(clock, {config.admin_user: config.admin_password}, config.token_lifetime)
        self.authz = Authz(self.inventory)
        self.lldp: dict[tuple[str, str], dict[str, str]] = {}
        self.source: dict = loader.FRESH_ENGINE
        self.lifecycle = Lifecycle(self)
        self.hosts = Hosts(self)
        self.networking = Networking(self)
        self.timeline = Timeline(clock, {**self.lifecycle.transitions(), **self.hosts.transitions(),
                                         "session_expiry": self._session_expiry})
        self.load(self.source)

    # --- the change path ------------------------------------------------------------------------------
    @contextmanager
    def operation(self):
        """One model operation: under the lock, due transitions first, changes published as one batch
        at the end (whatever happened) and delivered once the lock is released. An operation that
        changed nothing (a read) delivers nothing, so a listener may read the model from any thread."""
        outermost, batch = False, []
        with self.lock:
            outermost = self._changeset is None
            if outermost:
                self._changeset = ChangeSet()
            try:
                if outermost:
                    self.last_settled = self.timeline.settle()
                yield self
            finally:
                if outermost:
                    batch = self._changeset.batch(self.last_seq + 1)
                    self._changeset = None
                    self.last_seq += len(batch)
                    self.changes.publish(batch)
        if outermost and batch:
            self.changes.deliver()

    def tick(self) -> int:
        """Apply what the clock has made due (as its own operation); returns how many transitions."""
        with self.operation():
            return self.last_settled

    @property
    def recording(self) -> ChangeSet:
        if self._changeset is None:
            raise RuntimeError("the RHV model changes only inside Engine.operation()")
        return self._changeset

    def now(self) -> float:
        return self.clock.now()

    def add(self, entity, table: dict | None = None, into: list | None = None):
        """Create an entity in its inventory table (or its parent's list of children)."""
        recording = self.recording
        if table is not None:
            table[entity.id] = entity
        if into is not None:
            into.append(entity)
        recording.created(KINDS[type(entity)], entity.id, fields_of(entity))
        return entity

    def set(self, entity, **values) -> dict:
        """Change an entity's fields; records only what really changed, returns that."""
        recording = self.recording
        changed = {name: value for name, value in values.items() if getattr(entity, name) != value}
        for name, value in changed.items():
            setattr(entity, name, value)
        if changed:
            kind = KINDS.get(type(entity)) or ("job" if isinstance(entity, Job) else "event")
            recording.updated(kind, str(entity.id), {k: plain(v) for k, v in changed.items()})
        return changed

    def remove(self, entity, table: dict | None = None, out_of: list | None = None) -> None:
        recording = self.recording
        if table is not None:
            del table[entity.id]
        if out_of is not None:
            out_of.remove(entity)
        recording.deleted(KINDS[type(entity)], entity.id, {"name": getattr(entity, "name", "")})

    def log(self, kind: str, at: float, caller: Caller, refs: dict | None = None, **values) -> Event:
        """Write an audit event (and its change)."""
        recording = self.recording
        values.setdefault("UserName", caller.display)
        event = self.audit.log(kind, at, caller.correlation_id, {"user": caller.user_id, **(refs or {})}, **values)
        recording.created("event", str(event.id), dataclasses.asdict(event))
        return event

    def remove_event(self, event_id: int) -> None:
        recording = self.recording
        event = self.audit.remove(event_id)
        if event is None:
            raise not_found()
        recording.deleted("event", str(event_id), {"code": event.code})

    def start_job(self, command: str, at: float, caller: Caller, **values) -> Job:
        recording = self.recording
        job = Job(id=self.ids.new(), description=job_title(command, **values), start_time=at, last_updated=at,
                  correlation_id=caller.correlation_id, owner_id=caller.user_id)
        self.jobs.jobs[job.id] = job
        recording.created("job", job.id, dataclasses.asdict(job))
        return job

    def end_job(self, job: Job | None, status: str, at: float) -> None:
        if job is not None and job.status == "started":
            self.set(job, status=status, end_time=at, last_updated=at)

    def finished_job(self, command: str, at: float, caller: Caller, **values) -> Job:
        """A job for a command that completes within the request (stop, remove network)."""
        job = self.start_job(command, at, caller, **values)
        self.end_job(job, "finished", at)
        return job

    def clear_job(self, job: Job) -> None:
        recording = self.recording
        del self.jobs.jobs[job.id]
        recording.deleted("job", job.id, {"description": job.description})

    # --- who asks -------------------------------------------------------------------------------------
    def caller(self, user: str | None = None, correlation_id: str = "") -> Caller:
        user = user or self.config.admin_user
        return Caller(user, stable_id("user", user), correlation_id)

    def correlation_id(self, requested: str | None) -> str:
        """The engine's CurrentFilter: keep [0-9a-zA-Z_-], at most 36 characters, else make one up."""
        cleaned = re.sub(r"[^0-9a-zA-Z_-]", "", requested or "")[:36]
        if cleaned:
            return cleaned
        with self.lock:
            return f"{self.correlation.next():08x}"

    def add_permission(self, permission: Permission) -> Permission:
        """AddPermissionCommand: a role for a user on an object (validated by the caller)."""
        self.authz.permissions.append(permission)
        self.recording.created("permission", permission.id, dataclasses.asdict(permission))
        return permission

    def remove_permission(self, permission: Permission) -> None:
        self.authz.permissions.remove(permission)
        self.recording.deleted("permission", permission.id, {"user": permission.user})

    # --- sessions ---------------------------------------------------------------------------------------
    def login(self, grant_type: str, username: str, password: str, scope: str, source_ip: str = "") -> dict:
        """SSO password grant: a session, its USER_VDC_LOGIN event, the token reply (SsoError if refused)."""
        with self.operation():
            session = self.sso.login(grant_type, username, password, scope, source_ip)
            caller = self.caller(session.user)
            self.recording.created("session", session.session_id, {"user": session.user, "source_ip": source_ip})
            self.log("USER_VDC_LOGIN", self.now(), caller, SourceIP=session.source_ip, SessionID=session.session_id)
            self.timeline.after(session.lifetime, "session_expiry", session.session_id, start=session.issued)
            return self.sso.token_reply(session)

    def logout(self, token: str) -> None:
        with self.operation():
            session = self.sso.logout(token)
            if session is None:
                return
            self.recording.deleted("session", session.session_id, {"user": session.user})
            self.log("USER_VDC_LOGOUT", self.now(), self.caller(session.user), SourceIP=session.source_ip,
                     SessionID=session.session_id)

    def end_sessions(self) -> None:
        for session in self.sso.revoke_all():
            self.recording.deleted("session", session.session_id, {"user": session.user})

    def _session_expiry(self, pending) -> None:
        """A session's expiry came due: ended if unused since (as SessionDataContainer's cleanup removes an
        expired session: no audit event, unlike a logout), else looked at again when it next expires."""
        session = self.sso.by_id(pending.entity_id)
        if session is None:
            return
        if session.expires() > pending.due:
            self.timeline.after(session.expires() - pending.due, "session_expiry", session.session_id,
                                start=pending.due)
            return
        self.sso.logout(session.token)
        self.recording.deleted("session", session.session_id, {"user": session.user, "expired": True})

    # --- the inventory as a whole -----------------------------------------------------------------------
    def load(self, data: dict) -> None:
        """Replace everything with this inventory (already validated): sessions end, the log and jobs
        empty, pending transitions drop; ids, event ids and change numbers go on counting."""
        inventory = loader.build(data)
        passwords, permissions = loader.users(data, inventory, self.config.admin_user)
        with self.operation():
            self.end_sessions()
            self._forget_inventory()
            for event in list(self.audit.events):
                self.remove_event(event.id)
            for job in list(self.jobs.jobs.values()):
                self.clear_job(job)
            self.timeline.clear()
            self.lifecycle.clear()
            self.hosts.clear()
            self.source = data
            self.inventory.replace_with(inventory)
            self.sso.users = {self.config.admin_user: self.config.admin_password, **passwords}
            self.authz.permissions = [admin_permission(self.config.admin_user), *permissions]
            self._announce_inventory()
            self._apply_lldp()

    def _forget_inventory(self) -> None:
        recording = self.recording
        for entity in self._entities():
            recording.deleted(KINDS[type(entity)], entity.id, {"name": getattr(entity, "name", "")})
        self.inventory.replace_with(Inventory())

    def _announce_inventory(self) -> None:
        recording = self.recording
        for entity in self._entities():
            recording.created(KINDS[type(entity)], entity.id, fields_of(entity))

    def _entities(self):
        inv = self.inventory
        for table in Inventory.TABLES:
            for entity in getattr(inv, table).values():
                yield entity
                yield from (*getattr(entity, "nics", ()), *getattr(entity, "attachments", ()))

    def set_lldp(self, neighbours: Mapping[tuple[str, str], Mapping[str, str]]) -> None:
        """What each (host, NIC) hears from its switch; kept for every inventory loaded later."""
        plain: dict[tuple[str, str], dict[str, str]] = {}
        for key, values in neighbours.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise ValueError(f"LLDP neighbours are keyed by (host name, NIC name), not {key!r}")
            missing = [k for k in LLDP_KEYS if not isinstance(values.get(k), str)]
            if missing:
                raise ValueError(f"LLDP neighbour of {key[0]} {key[1]}: missing {', '.join(missing)}")
            plain[(str(key[0]), str(key[1]))] = {k: values[k] for k in LLDP_KEYS}
        with self.operation():
            self.lldp = plain
            self._apply_lldp()

    def _apply_lldp(self) -> None:
        for host in self.inventory.hosts.values():
            for nic in host.nics:
                self.set(nic, lldp=dict(self.lldp[(host.name, nic.name)]) if (host.name, nic.name) in self.lldp
                         else None)

    def counts(self) -> dict[str, int]:
        inv = self.inventory
        return {"data_centers": len(inv.data_centers), "clusters": len(inv.clusters), "hosts": len(inv.hosts),
                "networks": len(inv.networks), "vms": len(inv.vms)}

    # --- lookups that 404 like the engine -------------------------------------------------------------
    def get(self, table: str, entity_id: str):
        entity = getattr(self.inventory, table).get(entity_id)
        if entity is None:
            raise not_found()
        return entity

    def find(self, table: str, name: str):
        return self.inventory.by_name(getattr(self.inventory, table), name)

