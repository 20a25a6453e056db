"""The engine's whole state as one JSON-ready document, and back: what the lab's durable state keeps.

`export_state` writes the inventory (entities with their NICs and network attachments), the audit
log, jobs, live SSO sessions, every counter (next event id, the id stream's and the correlation
stream's positions, the last change number), the inventory source `reset` returns to, the
transitions still pending on the clock (boots, shutdowns, reboots, migrations, maintenance, as
data) with the migrations and maintenance they belong to, and the LLDP neighbours. `import_state`
reads a whole document before it touches anything: a malformed one is a one-line ValueError and
changes nothing. A restore publishes no changes and moves no counter backwards (event ids, the id
and correlation streams, change numbers), so restoring an earlier snapshot reuses nothing.
"""

from __future__ import annotations

from . import entities, loader
from .permissions import Authz, admin_permission

FORMAT = "acisim-rhv-state/1"
TABLES = {"data_centers": entities.DataCenter, "clusters": entities.Cluster, "hosts": entities.Host, "networks": entities.Network,
          "profiles": entities.VnicProfile, "vms": entities.Vm}
CHILDREN = {"hosts": {"nics": entities.HostNic, "attachments": entities.NetworkAttachment}, "vms": {"nics": entities.VmNic}}


def export_state(engine) -> dict:
    inv = engine.inventory
    inventory = {}
    for table, _cls in TABLES.items():
        rows = []
        for entity in getattr(inv, table).values():
            row = entities.fields_of(entity)
            for child in CHILDREN.get(table, {}):
                row[child] = [entities.fields_of(c) for c in getattr(entity, child)]
            rows.append(row)
        inventory[table] = rows
    return {
        "format": FORMAT,
        "source": engine.source,
        "inventory": inventory,
        "audit": engine.audit.export(),
        "jobs": engine.jobs.export(),
        "sessions": engine.sso.export(),
        "counters": {"ids": engine.ids.position, "correlation": engine.correlation.position,
                     "change_seq": engine.last_seq},
        "timeline": engine.timeline.export(),
        "lifecycle": engine.lifecycle.export(),
        "hosts": engine.hosts.export(),
        "permissions": engine.authz.export(),
        "lldp": [{"host": host, "nic": nic, **values} for (host, nic), values in sorted(engine.lldp.items())],
    }


def _inventory(data: dict) -> entities.Inventory:
    inv = entities.Inventory()
    for table, cls in TABLES.items():
        for row in data[table]:
            row = dict(row)
            children = {name: [entities.from_fields(child_cls, c) for c in row.pop(name)]
                        for name, child_cls in CHILDREN.get(table, {}).items()}
            entity = entities.from_fields(cls, row)
            for name, items in children.items():
                setattr(entity, name, items)
            getattr(inv, table)[entity.id] = entity
    return inv


def import_state(engine, data: dict) -> None:
    """Replace the engine's state with a saved one, in place, or raise ValueError and change nothing."""
    try:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not an RHV state document (format {FORMAT!r} expected)")
        inventory = _inventory(data["inventory"])
        counters = data["counters"]
        # no counter goes back: restoring a snapshot taken earlier must not hand out again an event id,
        # a job or entity id, a correlation id or a change number that clients have already seen
        ids = entities.IdFactory(engine.config.seed)
        ids.seek(max(int(counters["ids"]), engine.ids.position))
        correlation = type(engine.correlation)(f"rhv-correlation:{engine.config.seed}")
        correlation.seek(max(int(counters["correlation"]), engine.correlation.position))
        lldp = {(item["host"], item["nic"]): {k: v for k, v in item.items() if k not in ("host", "nic")}
                for item in data["lldp"]}
        staged = _Staged(engine)
        staged.audit.restore(data["audit"])
        staged.jobs.restore(data["jobs"])
        staged.sso.restore(data["sessions"])
        staged.timeline.restore(data["timeline"])
        staged.lifecycle.restore(data["lifecycle"])
        staged.hosts.restore(data["hosts"])
        source = data["source"]
        if not isinstance(source, dict):
            raise ValueError("source must be an inventory mapping")
        passwords, granted = loader.users(source, inventory, engine.config.admin_user)
        if "permissions" in data:  # a state saved before users had permissions keeps its inventory's
            granted = Authz.parse(data["permissions"])
        else:
            granted = [admin_permission(engine.config.admin_user), *granted]
    except ValueError as exc:
        raise ValueError(f"RHV state: {exc}") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"RHV state: malformed document ({type(exc).__name__}: {exc})") from None
    with engine.lock:
        engine.inventory.replace_with(inventory)
        engine.ids = ids
        engine.correlation = correlation
        engine.last_seq = max(engine.last_seq, int(counters["change_seq"]))
        engine.source = source
        engine.lldp = lldp
        engine.sso.users = {engine.config.admin_user: engine.config.admin_password, **passwords}
        engine.authz.permissions = granted
        staged.commit()


class _Staged:
    """Copies of the engine's stateful parts to restore into first; committed only when all parsed."""

    def __init__(self, engine):
        self.engine = engine
        self.audit = type(engine.audit)()
        self.jobs = type(engine.jobs)()
        self.sso = type(engine.sso)(engine.clock, engine.sso.users, engine.sso.lifetime)
        self.timeline = type(engine.timeline)(engine.clock, engine.timeline.handlers)
        self.lifecycle = type(engine.lifecycle)(engine)
        self.hosts = type(engine.hosts)(engine)

    def commit(self) -> None:
        e = self.engine
        next_event = max(e.audit.next_id, self.audit.next_id)
        e.audit.restore(self.audit.export())
        e.audit.next_id = next_event
        e.jobs.jobs = self.jobs.jobs
        e.sso.sessions = self.sso.sessions
        e.timeline.restore(self.timeline.export())
        e.lifecycle.migrations = self.lifecycle.migrations
        e.lifecycle.injected_failures = self.lifecycle.injected_failures
        e.hosts.maintenance_jobs = self.hosts.maintenance_jobs
