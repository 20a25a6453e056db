"""One request as the resources see it: the engine, the registry, the request, and the helpers
every collection module shares (hrefs with the client's prefix, references, `max`, `follow`,
and resolving references in request bodies the restapi's way: by id, else by name).
"""

from __future__ import annotations

import re
from functools import cached_property

from ..model.audit import Event, Job
from ..model.errors import entity_not_found, malformed_id
from ..model.permissions import OBJECT_TYPES, REQUIRED, SUPER_USER_ONLY, query_not_permitted, subject_of
from ..wire.envelopes import action, echo
from ..wire.tree import Obj, ref
from ..wire.xml_codec import Body
from .registry import ApiReply, ApiRequest, Registry

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
JAVA_INT = re.compile(r"^[+-]?[0-9]+$")


def int_parameter(raw: str | None) -> int | None:
    """A query parameter read as ParametersHelper.getIntegerParameter reads it: Integer.parseInt, and a value
    that is no 32-bit integer (`abc`, `--1`, `99999999999`) is logged and ignored, never refused."""
    if raw is None or not JAVA_INT.match(raw):
        return None
    value = int(raw)
    return value if -2**31 <= value < 2**31 else None


def as_guid(value: str) -> str:
    if not GUID.match(value):
        raise malformed_id(value)
    return value.lower()


def enum_value(raw: str | None) -> str | None:
    """Enums are read case-insensitively (`fromValue` upper-cases); an empty one is no value."""
    return raw.strip().lower() if raw and raw.strip() else None


def parse_follow(value: str | None) -> dict:
    """`nics.vnic_profile,host` -> {"nics": {"vnic_profile": {}}, "host": {}}."""
    tree: dict = {}
    for item in (value or "").split(","):
        node = tree
        for part in filter(None, item.strip().split(".")):
            node = node.setdefault(part, {})
    return tree


class Ctx:
    def __init__(self, engine, registry: Registry, req: ApiRequest):
        self.engine = engine
        self.inv = engine.inventory
        self.registry = registry
        self.req = req
        self.body: Body = req.body
        self.caller = req.caller

    # --- permissions ----------------------------------------------------------------------------------
    @cached_property
    def filtered(self) -> bool:
        """BaseBackendResource.isFiltered: the `Filter` header or `filter` parameter (empty: true; neither
        true nor false: as if absent), else filtered for every user who is no admin."""
        raw = self.req.filter if self.req.filter is not None else self.req.query.get("filter")
        if raw is not None:
            value = raw.strip().lower()
            if value in ("", "true", "t", "yes", "y", "1"):
                return True
            if value in ("false", "f", "no", "n", "0"):
                return False
        return not self.engine.authz.is_admin(self.caller.user)

    def check_query(self) -> None:
        """An unfiltered query is for admins only (QueriesCommandBase.validatePermissions)."""
        if not self.filtered and not self.engine.authz.is_admin(self.caller.user):
            raise query_not_permitted()

    def sees(self, item) -> bool:
        """Whether a filtered query shows this item: objects by the user's permissions, events by the objects
        they name, jobs by their owner; what no permission is given on (roles, templates, ...) is shown."""
        if not self.filtered:
            return True
        authz, user = self.engine.authz, self.caller.user
        if isinstance(item, Event):
            return any(authz.visible(user, (kind, object_id)) for kind, object_id in item.refs.items()
                       if kind in OBJECT_TYPES) or item.refs.get("user") == self.caller.user_id
        if isinstance(item, Job):
            return item.owner_id == self.caller.user_id
        subject = subject_of(item)
        return subject is None or authz.visible(user, subject)

    def authorize(self, kind: str, operation: str, item) -> None:
        """The command's permission check: its action group on the object (403 when the user lacks it)."""
        group = REQUIRED.get((kind, operation), SUPER_USER_ONLY)
        subject = item if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) else subject_of(item)
        self.engine.authz.check(self.caller.user, group, subject)

    @cached_property
    def follow(self) -> dict:
        return parse_follow(self.req.query.get("follow"))

    def href(self, *parts: str) -> str:
        return "/".join([self.req.base, *parts])

    def ref(self, tag: str, collection_path: str, entity_id: str | None) -> Obj | None:
        return ref(tag, self.href(collection_path, entity_id), entity_id) if entity_id else None

    def start(self, kind: str, href: str, entity_id: str) -> Obj:
        return self.registry.start(kind, href, entity_id)

    def links(self, o: Obj, kind: str, href: str) -> None:
        self.registry.links(o, kind, href)

    def render(self, kind: str, item) -> Obj:
        return self.registry.render(self, kind, item)

    def api_root(self) -> Obj:
        return self.registry.resources["api"].render(self, None)

    def max(self) -> int | None:
        """`max`, as the engine reads it: no limit when absent, negative or no integer."""
        value = int_parameter(self.req.query.get("max"))
        return None if value is None or value < 0 else value

    # --- replies ------------------------------------------------------------------------------------
    def created(self, kind: str, item) -> ApiReply:
        obj = self.render(kind, item)
        return ApiReply(201, obj, location=obj.attrs.get("href"))

    def done(self, job=None) -> ApiReply:
        """An action's (or a removal's) reply: the request echoed, the job, `complete`."""
        return ApiReply(200, action(echo(self.body), self.href("jobs", job.id) if job else None,
                                    job.id if job else None))

    # --- references in bodies ------------------------------------------------------------------------
    def named(self, table: str, ref_body: Body, what: str, not_found=None):
        """An entity a body refers to by id or name; a name that matches nothing is `Entity not found`."""
        if not ref_body:
            return None
        entity_id = ref_body.id()
        if entity_id:
            entity = getattr(self.inv, table).get(entity_id)
            if entity is None:
                raise not_found() if not_found else entity_not_found(entity_id)
            return entity
        name = ref_body.text("name")
        if not name:
            return None
        entity = self.engine.find(table, name)
        if entity is None:
            raise entity_not_found(f"{what}: name={name}")
        return entity

    def network_ref(self, ref_body: Body, dc_id: str | None = None):
        """The network a body names by id or (within the data center) by name; None when it names none."""
        if ref_body and not ref_body.id() and ref_body.text("name") and dc_id:
            name = ref_body.text("name")
            found = next((n for n in self.inv.networks_of(dc_id) if n.name == name), None)
            if found is None:
                raise entity_not_found(f"Network: name={name}")
            return found
        return self.named("networks", ref_body, "Network")
