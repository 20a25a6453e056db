"""The engine's REST resources in one registry: routing, `<link>`s, `<actions>` and search all
come from here, so the API advertises exactly what it answers.

A `Resource` is a kind of entity as the API shows it: how it renders, its sub-collections (each
one a `<link>` and a URL segment), its actions (each one an `<actions>` link and a POST), and
whether it takes PUT and DELETE. A `Collection` lists items (root collections such as `/vms`, or
an entity's `/vms/{id}/nics`), finds one by id, may take POST (an add) and may be searched. A
request's path is resolved against the registry segment by segment; a path that names nothing is
the engine's bare 404, a method the resource does not take is a 405 with a fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..model.audit import Caller
from ..model.errors import RhvFault, bad_request, not_found
from ..wire.tree import Obj, collection, link
from ..wire.xml_codec import Body
from .search import Getter, SearchError
from .search import parse as parse_search


@dataclass
class ApiRequest:
    method: str
    path: list[str]
    query: dict[str, str] = field(default_factory=dict)
    body: Body = field(default_factory=lambda: Body(None))
    base: str = "/ovirt-engine/api"
    caller: Caller = field(default_factory=Caller)
    filter: str | None = None  # the `Filter` header as sent (None: absent)


@dataclass
class ApiReply:
    status: int
    obj: Obj | None
    location: str | None = None


@dataclass
class Collection:
    rel: str  # the URL segment and the link's rel
    tag: str  # the collection element (`host_nics`); its attribute name when inlined by `follow`
    item: str  # the Resource kind of its items
    list: Callable = field(default=lambda ctx, parent: [])  # (ctx, parent) -> items
    get: Callable | None = None  # (ctx, parent, id) -> item or None; default: by id among `list`
    add: Callable | None = None  # (ctx, parent) -> ApiReply
    search: Callable | None = None  # (ctx) -> {field: getter}
    select: Callable | None = None  # (ctx, items) -> items, replacing the default search/sort/max
    sort: bool = False  # listed by name unless a search sorts
    attribute: str | None = None  # the name `follow=` uses, when it is not the tag
    subject: Callable | None = None  # (ctx, parent) -> what an add's permission is checked on, when not the parent

    @property
    def follow_name(self) -> str:
        return self.attribute or self.tag


@dataclass
class Resource:
    kind: str
    render: Callable  # (ctx, item) -> Obj
    tag: str | None = None  # the element name, when it is not the kind
    collections: list[Collection] = field(default_factory=list)
    actions: dict[str, Callable] = field(default_factory=dict)  # verb -> (ctx, item) -> ApiReply
    update: Callable | None = None
    remove: Callable | None = None
    links_of: str | None = None  # render the links of another resource (a cluster's view of a network)

    def sub(self, rel: str) -> Collection | None:
        return next((c for c in self.collections if c.rel == rel), None)


def ident(item) -> str:
    """An item's id as its URL shows it (children are (parent, child) pairs, fixed objects plain ids)."""
    target = item[-1] if isinstance(item, tuple) else item
    return str(getattr(target, "id", target))


@dataclass
class Target:
    what: str  # root, collection, entity or action
    collection: Collection | None = None
    parent: object = None
    item: object = None
    resource: Resource | None = None
    verb: str = ""


class Registry:
    def __init__(self):
        self.resources: dict[str, Resource] = {}
        self.root: list[Collection] = []

    def register(self, *resources: Resource) -> None:
        for resource in resources:
            self.resources[resource.kind] = resource

    def mount(self, *collections: Collection) -> None:
        self.root.extend(collections)

    # --- what a resource advertises ------------------------------------------------------------------
    def actions_of(self, kind: str) -> list[str]:
        resource = self.resources.get(kind)
        return list(resource.actions) if resource else []

    def rels_of(self, kind: str) -> list[str]:
        resource = self.resources[kind]
        source = self.resources[resource.links_of] if resource.links_of else resource
        return [c.rel for c in source.collections]

    # --- routing ---------------------------------------------------------------------------------------
    def resolve(self, ctx, path: list[str]) -> Target:
        if not path:
            return Target("root")
        coll = next((c for c in self.root if c.rel == path[0]), None)
        if coll is None:
            raise not_found()
        parent, i = None, 1
        while True:
            if i == len(path):
                return Target("collection", coll, parent)
            item = self.lookup(ctx, coll, parent, path[i])
            resource = self.resources[coll.item]
            i += 1
            if i == len(path):
                return Target("entity", coll, parent, item, resource)
            sub = resource.sub(path[i])
            if sub is not None:
                coll, parent, i = sub, item, i + 1
                continue
            if path[i] in resource.actions and i == len(path) - 1:
                return Target("action", coll, parent, item, resource, path[i])
            raise not_found()

    def lookup(self, ctx, coll: Collection, parent, item_id: str):
        if coll.get is not None:
            item = coll.get(ctx, parent, item_id)
        else:
            item = next((i for i in coll.list(ctx, parent) if ident(i) == item_id), None)
        if item is None or not ctx.sees(item):
            raise not_found()
        return item

    def handle(self, ctx) -> ApiReply:
        """Route, check the caller's permission (reads: filtered or refused; writes: the command's action
        group on its object), then answer."""
        method = ctx.req.method
        if ctx.req.path and method == "GET":
            ctx.check_query()
        target = self.resolve(ctx, ctx.req.path)
        if target.what == "root":
            if method == "GET":
                return ApiReply(200, ctx.api_root())
            raise not_allowed(method)
        if target.what == "collection":
            coll = target.collection
            if method == "GET":
                return ApiReply(200, self.listing(ctx, coll, target.parent, ctx.follow))
            if method == "POST" and coll.add is not None:
                ctx.authorize(coll.item, "add", coll.subject(ctx, target.parent) if coll.subject else target.parent)
                return coll.add(ctx, target.parent)
            raise not_allowed(method)
        resource, item = target.resource, target.item
        if target.what == "action":
            if method != "POST":
                raise not_allowed(method)
            try:
                ctx.authorize(resource.kind, target.verb, item)
                return resource.actions[target.verb](ctx, item)
            except RhvFault as err:
                err.in_action = True
                raise
        handler = {"GET": lambda c, i: ApiReply(200, self.render(c, resource.kind, i, c.follow)),
                   "PUT": resource.update, "DELETE": resource.remove}.get(method)
        if handler is None:
            raise not_allowed(method)
        if method != "GET":
            ctx.authorize(resource.kind, "update" if method == "PUT" else "remove", item)
        return handler(ctx, item)

    # --- rendering -------------------------------------------------------------------------------------
    def render(self, ctx, kind: str, item, follow: dict | None = None) -> Obj:
        resource = self.resources[kind]
        obj = resource.render(ctx, item)
        for attr, sub in (follow or {}).items():
            self._follow(ctx, resource, item, obj, attr, sub)
        return obj

    def listing(self, ctx, coll: Collection, parent, follow: dict | None = None, requested: bool = True) -> Obj:
        """The collection's items; the request's search, sort and max apply to the one it asked for, not
        to collections inlined by `follow`."""
        items = [i for i in coll.list(ctx, parent) if ctx.sees(i)] if ctx.filtered else coll.list(ctx, parent)
        if requested:
            items = coll.select(ctx, items) if coll.select is not None else self.select(ctx, coll, items)
        elif coll.sort:
            items = sorted(items, key=_name)
        resource = self.resources.get(coll.item)
        tag = (resource.tag if resource else None) or coll.item
        return collection(coll.tag, tag, [self.render(ctx, coll.item, i, follow) for i in items])

    def select(self, ctx, coll: Collection, items: list) -> list:
        query = ctx.req.query
        case_sensitive = query.get("case_sensitive", "false").lower() == "true"
        try:
            parsed = parse_search(query.get("search"))
            if parsed.groups or parsed.sort_by:
                items = parsed.select(items, self.search_fields(ctx, coll), case_sensitive)
            elif coll.sort:
                items = sorted(items, key=_name)
        except SearchError as exc:
            raise bad_request(str(exc), reason="Invalid search query") from None
        limit = ctx.max()
        if parsed.page and limit:
            items = items[(parsed.page - 1) * limit:]
        return items[:limit] if limit is not None else items

    @staticmethod
    def search_fields(ctx, coll: Collection) -> dict[str, Getter]:
        if coll.search is not None:
            return coll.search(ctx)
        return {"name": lambda i: getattr(i[-1] if isinstance(i, tuple) else i, "name", None)}


    def _follow(self, ctx, resource: Resource, item, obj: Obj, attr: str, sub: dict) -> None:
        coll = next((c for c in resource.collections if c.follow_name == attr), None)
        if coll is not None:
            inner = self.listing(ctx, coll, item, sub, requested=False)
            links = obj.get("link")
            if isinstance(links, list):
                obj.replace("link", [lk for lk in links if lk.attrs.get("rel") != coll.rel])
            obj.add(attr, Obj(attr, fields=inner.fields))
            return
        reference = obj.get(attr)
        if not (isinstance(reference, Obj) and reference.attrs.get("href", "").startswith(ctx.req.base + "/")):
            return
        try:
            target = self.resolve(ctx, reference.attrs["href"][len(ctx.req.base) + 1:].split("/"))
        except RhvFault:
            return
        if target.what == "entity":
            full = self.render(ctx, target.resource.kind, target.item, sub)
            full.tag = attr
            obj.replace(attr, full)

    # --- the links and actions of an entity -------------------------------------------------------------
    def start(self, kind: str, href: str, entity_id: str) -> Obj:
        """An entity element with its `<actions>` (the registry's verbs for that kind)."""
        o = Obj(self.resources[kind].tag or kind, {"href": href, "id": entity_id})
        verbs = self.actions_of(kind)
        if verbs:
            o.add("actions", Obj("actions", fields=[("link", [link(f"{href}/{v}", v) for v in verbs])]))
        return o

    def links(self, o: Obj, kind: str, href: str) -> None:
        rels = self.rels_of(kind)
        if rels:
            o.add("link", [link(f"{href}/{rel}", rel) for rel in rels])


def not_allowed(method: str) -> RhvFault:
    """What the engine's RESTEasy answers for a method a resource does not have: 405, with a fault."""
    return RhvFault(405, "Method Not Allowed", f"The method {method} is not allowed on this resource.")


def _name(item) -> str:
    target = item[-1] if isinstance(item, tuple) else item
    return getattr(target, "name", str(target))
