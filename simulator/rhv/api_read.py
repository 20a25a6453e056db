"""The engine's read side: collections with `search`, `max`, `case_sensitive` and `follow`,
events with `from`, entities and their sub-collections. Unknown paths and ids are 404 with an
empty body, as the engine answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from .api_search import search_fields
from .codec_xml import Body
from .errors import bad_request, not_found
from .lifecycle import Caller
from .model import BLANK_TEMPLATE_ID, ROOT_TAG_ID
from .network_filters import NETWORK_FILTERS, supported_by
from .search import SearchError
from .search import parse as parse_search
from .tree import Obj, collection
from .views import LINKS
from .views_vm import Views

SEVERITIES = {"normal": 0, "warning": 1, "error": 2, "alert": 3}


@dataclass
class ApiRequest:
    method: str
    path: list[str]
    query: dict[str, str] = field(default_factory=dict)
    body: Body = field(default_factory=lambda: Body(None))
    base: str = "/ovirt-engine/api"
    caller: Caller = field(default_factory=Caller)


@dataclass
class ApiReply:
    status: int
    obj: Obj | None
    location: str | None = None


def parse_follow(value: str | None) -> dict:
    """`nics.vnic_profile,host` -> {"nics": {"vnic_profile": {}}, "host": {}}."""
    tree: dict = {}
    for item in (value or "").split(","):
        node = tree
        for part in filter(None, item.strip().split(".")):
            node = node.setdefault(part, {})
    return tree


class Reader:
    def __init__(self, rhv, views: Views, req: ApiRequest):
        self.rhv = rhv
        self.inv = rhv.inventory
        self.views = views
        self.req = req

    # --- dispatch -----------------------------------------------------------------------------------
    def get(self, path: list[str]) -> Obj:
        if not path:
            return self.views.api(self.req.caller.user_id)
        head, rest = path[0], path[1:]
        follow = parse_follow(self.req.query.get("follow"))
        if head == "events":
            return self._events(rest)
        kind, table = self.top(head)
        if not rest:
            return self.listing(head, kind, list(table.values()), follow)
        entity = self.entity(head, rest[0])
        if len(rest) == 1:
            return self.render(kind, entity, follow)
        return self.sub(kind, entity, rest[1:], follow)

    def top(self, head: str) -> tuple[str, dict]:
        inv = self.inv
        tables = {
            "datacenters": ("data_center", inv.data_centers), "clusters": ("cluster", inv.clusters),
            "hosts": ("host", inv.hosts), "networks": ("network", inv.networks),
            "vnicprofiles": ("vnic_profile", inv.profiles), "vms": ("vm", inv.vms), "jobs": ("job", self.rhv.jobs.jobs),
            "templates": ("template", {BLANK_TEMPLATE_ID: BLANK_TEMPLATE_ID}),
            "users": ("user", {u: u for u in self.users()}), "tags": ("tag", {ROOT_TAG_ID: ROOT_TAG_ID}),
            "storagedomains": ("storage_domain", {}), "networkfilters": ("network_filter", NETWORK_FILTERS),
        }
        if head not in tables:
            raise not_found()
        return tables[head]

    def users(self) -> dict[str, str]:
        return {self.rhv.caller(name).user_id: name for name in self.rhv.sso.users}

    def entity(self, head: str, entity_id: str):
        _kind, table = self.top(head)
        if entity_id not in table:
            raise not_found()
        return table[entity_id]

    # --- rendering with follow ------------------------------------------------------------------------
    def render(self, kind: str, entity, follow: dict | None = None, cluster_id: str | None = None) -> Obj:
        v = self.views
        if kind == "network":
            obj = v.network(entity, cluster_id)
        elif kind == "template":
            obj = v.template()
        elif kind == "tag":
            obj = v.tag()
        elif kind == "user":
            obj = v.user(entity, self.users()[entity])
        elif kind in ("nic", "host_nic"):
            obj = getattr(v, kind)(*entity)
        else:
            obj = getattr(v, kind)(entity)
        for attr, sub in (follow or {}).items():
            self._follow(kind, entity, obj, attr, sub)
        return obj

    def _follow(self, kind: str, entity, obj: Obj, attr: str, sub: dict) -> None:
        for rel, attribute, _tag, item_tag in LINKS.get(kind, []):
            if attribute == attr:
                inner = self.children(kind, entity, rel, sub)
                items = inner.get(item_tag) or []
                links = obj.get("link")
                if isinstance(links, list):
                    obj.replace("link", [lk for lk in links if lk.attrs.get("rel") != rel])
                obj.add(attribute, Obj(attribute, fields=[(item_tag, items)] if items else []))
                return
        reference = obj.get(attr)
        if isinstance(reference, Obj) and reference.attrs.get("id"):
            target = self._resolve(attr, reference.attrs["id"])
            if target is not None:
                full = self.render(target[0], target[1], sub)
                full.tag = attr
                obj.replace(attr, full)

    def _resolve(self, tag: str, entity_id: str):
        tables = {"cluster": ("cluster", self.inv.clusters), "host": ("host", self.inv.hosts),
                  "data_center": ("data_center", self.inv.data_centers), "vm": ("vm", self.inv.vms),
                  "network": ("network", self.inv.networks), "management_network": ("network", self.inv.networks),
                  "vnic_profile": ("vnic_profile", self.inv.profiles)}
        if tag == "template" and entity_id == BLANK_TEMPLATE_ID:
            return "template", BLANK_TEMPLATE_ID
        kind, table = tables.get(tag, (None, {}))
        return (kind, table[entity_id]) if entity_id in table else None

    # --- collections --------------------------------------------------------------------------------------
    def listing(self, head: str, kind: str, items: list, follow: dict) -> Obj:
        items = self.select(head, items)
        tag = {"data_center": "data_centers", "vnic_profile": "vnic_profiles",
               "storage_domain": "storage_domains", "network_filter": "network_filters"}.get(kind, head)
        return collection(tag, kind, [self.render(kind, item, follow) for item in items])

    def select(self, head: str, items: list) -> list:
        query_text = self.req.query.get("search")
        case_sensitive = self.req.query.get("case_sensitive", "false").lower() == "true"
        try:
            query = parse_search(query_text)
            if query.groups or query.sort_by:
                items = query.select(items, search_fields(self, head), case_sensitive)
            elif head != "jobs":
                items = sorted(items, key=lambda i: getattr(i, "name", str(i)))
        except SearchError as exc:
            raise bad_request(str(exc), reason="Invalid search query") from None
        limit = self.max()
        if query.page and limit:
            items = items[(query.page - 1) * limit:]
        return items[:limit] if limit is not None else items

    def max(self) -> int | None:
        raw = self.req.query.get("max")
        if raw is None or raw == "":
            return None
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"Value '{raw}' of parameter 'max' isn't a valid integer.") from None
        return None if value < 0 else value

    def _events(self, rest: list[str]) -> Obj:
        events = self.rhv.audit.events
        if rest:
            if len(rest) > 1 or not rest[0].isdigit():
                raise not_found()
            event = self.rhv.audit.get(int(rest[0]))
            if event is None:
                raise not_found()
            return self.views.event(event)
        since = self.req.query.get("from")
        if since:
            if not since.lstrip("-").isdigit():
                raise bad_request(f"Value '{since}' of parameter 'from' isn't a valid integer.")
            events = [e for e in events if e.id > int(since)]
        events = list(reversed(events))
        if self.req.query.get("search"):
            try:
                case_sensitive = self.req.query.get("case_sensitive", "false").lower() == "true"
                query = parse_search(self.req.query["search"])
                for term in (t for group in query.groups for t in group):
                    if term.field.lower() == "severity" and term.value.lower() in SEVERITIES:
                        term.value = str(SEVERITIES[term.value.lower()])
                events = query.select(events, search_fields(self, "events"), case_sensitive)
            except SearchError as exc:
                raise bad_request(str(exc), reason="Invalid search query") from None
        limit = self.max()
        events = events[:limit] if limit is not None else events
        return collection("events", "event", [self.views.event(e) for e in events])

    # --- sub-collections --------------------------------------------------------------------------------
    def sub(self, kind: str, entity, path: list[str], follow: dict) -> Obj:
        rel = path[0]
        if kind == "cluster" and rel == "networks" and len(path) == 2:
            network = self.inv.networks.get(path[1])
            if network is None or entity.id not in network.clusters:
                raise not_found()
            return self.render("network", network, follow, cluster_id=entity.id)
        if kind == "cluster" and rel == "networkfilters" and len(path) == 2:
            nf = next((f for f in self._cluster_filters(entity) if f.id == path[1]), None)
            if nf is None:
                raise not_found()
            return self.views.network_filter(nf, entity.id)
        if kind == "data_center" and rel == "networks" and len(path) == 2:
            network = self.inv.networks.get(path[1])
            if network is None or network.data_center_id != entity.id:
                raise not_found()
            return self.render("network", network, follow)
        if kind == "host" and rel == "nics" and len(path) >= 2:
            nic = self.inv.find_host_nic(entity, path[1])
            if nic is None:
                raise not_found()
            if len(path) == 2:
                return self.views.host_nic(entity, nic)
            if len(path) == 3:
                return self.children("host_nic", (entity, nic), path[2], {})
            raise not_found()
        if kind == "host" and rel == "networkattachments" and len(path) == 2:
            for att in self.views.network_attachments(entity):
                if att.attrs["id"] == path[1]:
                    return att
            raise not_found()
        if kind == "vm" and rel == "nics" and len(path) >= 2:
            nic = self.inv.find_vm_nic(entity, path[1])
            if nic is None:
                raise not_found()
            if len(path) == 2:
                return self.render("nic", (entity, nic), follow)
            if len(path) == 3:
                return self.children("nic", (entity, nic), path[2], {})
            raise not_found()
        if kind == "vm" and rel == "reporteddevices" and len(path) == 2:
            for device in self.views.reported_devices(entity):
                if device.attrs["id"] == path[1]:
                    return device
            raise not_found()
        if kind == "network" and rel == "networklabels" and len(path) == 2:
            if path[1] not in entity.labels:
                raise not_found()
            return self.views.network_label(entity, path[1])
        if len(path) != 1:
            raise not_found()
        return self.children(kind, entity, rel, follow)

    def children(self, kind: str, entity, rel: str, follow: dict) -> Obj:
        """The collection behind one of an entity's links (most are empty in this simulator)."""
        inv, v = self.inv, self.views
        if kind == "data_center" and rel == "clusters":
            return collection("clusters", "cluster", [self.render("cluster", c, follow)
                                                      for c in sorted(inv.clusters_of(entity.id), key=_name)])
        if kind == "data_center" and rel == "networks":
            return collection("networks", "network", [self.render("network", n, follow)
                                                      for n in sorted(inv.networks_of(entity.id), key=_name)])
        if kind == "cluster" and rel == "networks":
            return collection("networks", "network", [self.render("network", n, follow, cluster_id=entity.id)
                                                      for n in sorted(inv.cluster_networks(entity.id), key=_name)])
        if kind == "cluster" and rel == "networkfilters":
            return collection("network_filters", "network_filter",
                              [v.network_filter(f, entity.id) for f in self._cluster_filters(entity)])
        if kind == "host" and rel == "nics":
            return collection("host_nics", "host_nic", [v.host_nic(entity, nic) for nic in entity.nics])
        if kind == "host" and rel == "networkattachments":
            return collection("network_attachments", "network_attachment", v.network_attachments(entity))
        if kind == "host_nic" and rel == "linklayerdiscoveryprotocolelements":
            return collection("link_layer_discovery_protocol_elements", "link_layer_discovery_protocol_element",
                              v.lldp_elements(entity[1]))
        if kind == "host_nic" and rel == "networkattachments":
            host, nic = entity
            attachments = [a for a in v.network_attachments(host) if a.get("host_nic").attrs["id"] == nic.id]
            return collection("network_attachments", "network_attachment", attachments)
        if kind == "network" and rel == "vnicprofiles":
            return collection("vnic_profiles", "vnic_profile", [self.render("vnic_profile", p, follow)
                                                                for p in sorted(inv.profiles_of(entity.id), key=_name)])
        if kind == "network" and rel == "networklabels":
            return collection("network_labels", "network_label", [v.network_label(entity, lb) for lb in entity.labels])
        if kind == "vm" and rel == "nics":
            return collection("nics", "nic", [self.render("nic", (entity, nic), follow) for nic in entity.nics])
        if kind == "vm" and rel == "reporteddevices":
            return collection("reported_devices", "reported_device", v.reported_devices(entity))
        if kind == "nic" and rel == "reporteddevices":
            vm, nic = entity
            return collection("reported_devices", "reported_device", v.reported_devices(vm, [nic]))
        empty = v.empty(kind, rel)
        if empty is None:
            raise not_found()
        return empty


    def _cluster_filters(self, cluster) -> list:
        return supported_by(cluster.version.major, cluster.version.minor)


def _name(entity) -> str:
    return entity.name
