"""Pieces several collections share: the empty collections a real engine links to and this one
keeps empty (they answer an empty list, never a 404), versions, names, search helpers."""

from __future__ import annotations

from ..wire.tree import Obj
from .permissions import collection
from .registry import Collection


def empty(rel: str, tag: str, item: str, attribute: str | None = None) -> Collection:
    """A collection the engine has that holds nothing here (permissions, tags, snapshots, ...)."""
    return Collection(rel, tag, item, attribute=attribute)


def permissions() -> Collection:
    return collection()


def statistics_empty() -> Collection:
    return empty("statistics", "statistics", "statistic")


def version_obj(tag: str, v, full: bool = False) -> Obj:
    o = Obj(tag)
    if full:
        o.add("build", v.build).add("full_version", v.full)
    o.add("major", v.major).add("minor", v.minor)
    if full:
        o.add("revision", v.revision)
    return o


def properties(pairs) -> Obj | None:
    """`<properties><property><name/><value/></property>...</properties>`, absent when there are none
    (CustomPropertiesParser.fromMap, as the engine maps a policy's parameters)."""
    items = [Obj("property").add("name", name).add("value", value) for name, value in pairs]
    return Obj("properties", fields=[("property", items)]) if items else None


def name_of(table: dict, entity_id: str | None):
    entity = table.get(entity_id) if entity_id else None
    return entity.name if entity else None


def basics() -> dict:
    """The search fields every named entity has."""
    return {"name": lambda e: e.name, "id": lambda e: e.id, "description": lambda e: e.description}


def in_cluster(ctx) -> dict:
    """The search fields of what lives in a cluster (hosts, VMs)."""
    inv = ctx.inv

    def cluster(e):
        return name_of(inv.clusters, e.cluster_id)

    return {"name": lambda e: e.name, "id": lambda e: e.id, "status": lambda e: e.status, "cluster": cluster,
            "cluster.name": cluster, "clusters.name": cluster,
            "datacenter": lambda e: inv.data_center_of_cluster(e.cluster_id).name}
