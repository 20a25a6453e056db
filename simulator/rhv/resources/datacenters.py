"""/datacenters: data centers, with their clusters and logical networks (a network can be added
and removed through a data center as well as through /networks)."""

from __future__ import annotations

from ..wire.tree import Obj
from . import networks
from .common import basics, empty, permissions, version_obj
from .registry import Collection, Resource


def render(ctx, dc) -> Obj:
    href = ctx.href("datacenters", dc.id)
    o = ctx.start("data_center", href, dc.id)
    o.add("name", dc.name).add("description", dc.description)
    ctx.links(o, "data_center", href)
    o.add("local", dc.local).add("quota_mode", "disabled").add("status", dc.status)
    o.add("storage_format", dc.storage_format)
    o.add("supported_versions", Obj("supported_versions", fields=[("version", [version_obj("version", dc.version)])]))
    o.add("version", version_obj("version", dc.version))
    o.add("mac_pool", ctx.ref("mac_pool", "macpools", dc.mac_pool_id))
    return o


def search(ctx) -> dict:
    inv = ctx.inv

    def clusters(dc):
        return [c.name for c in inv.clusters_of(dc.id)]

    return {**basics(), "status": lambda dc: dc.status, "clusters.name": clusters, "cluster": clusters,
            "networks.name": lambda dc: [n.name for n in inv.networks_of(dc.id)]}


def _network(ctx, dc, network_id: str):
    network = ctx.inv.networks.get(network_id)
    return network if network is not None and network.data_center_id == dc.id else None


RESOURCE = Resource("data_center", render, collections=[
    Collection("clusters", "clusters", "cluster", list=lambda ctx, dc: ctx.inv.clusters_of(dc.id), sort=True),
    Collection("networks", "networks", "network", list=lambda ctx, dc: ctx.inv.networks_of(dc.id), get=_network,
               add=lambda ctx, dc: networks.add(ctx, dc.id), sort=True),
    empty("storagedomains", "storage_domains", "storage_domain"), permissions(),
    empty("quotas", "quotas", "quota"), empty("qoss", "qoss", "qos"), empty("iscsibonds", "iscsi_bonds", "iscsi_bond"),
])
ROOT = Collection("datacenters", "data_centers", "data_center", list=lambda ctx, _: list(ctx.inv.data_centers.values()),
                  get=lambda ctx, _, i: ctx.inv.data_centers.get(i), search=search, sort=True)
