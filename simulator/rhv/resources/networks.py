"""/networks: logical networks (add with their default vNIC profile, update, remove), their vNIC
profiles and labels."""

from __future__ import annotations

from ..model.errors import not_found
from ..wire.tree import Obj
from . import vnicprofiles
from .common import basics, name_of, permissions
from .registry import ApiReply, Collection, Resource


def render(ctx, network, cluster_id: str | None = None) -> Obj:
    href = ctx.href("clusters", cluster_id, "networks", network.id) if cluster_id else ctx.href("networks", network.id)
    o = Obj("network", {"href": href, "id": network.id})
    o.add("name", network.name).add("description", network.description).add("comment", network.comment)
    ctx.links(o, "network", ctx.href("networks", network.id))
    o.add("mtu", network.mtu).add("port_isolation", network.port_isolation).add("stp", network.stp)
    usages = network.usages()
    if cluster_id:
        att = network.clusters[cluster_id]
        roles = [(att.management, "management"), (att.display, "display"), (att.migration, "migration"),
                 (att.default_route, "default_route")]
        usages = usages + [name for on, name in roles if on]
        o.add("display", att.display).add("required", att.required).add("status", "operational")
    o.add("usages", Obj("usages", fields=[("usage", usages)] if usages else []))
    o.add("vdsm_name", network.vdsm_name)
    if network.vlan is not None:
        o.add("vlan", Obj("vlan", {"id": network.vlan}))
    if cluster_id:
        o.add("cluster", ctx.ref("cluster", "clusters", cluster_id))
    o.add("data_center", ctx.ref("data_center", "datacenters", network.data_center_id))
    return o


def add(ctx, dc_id: str | None) -> ApiReply:
    b = ctx.body
    usages = b.texts("usages/usage") if b.has("usages") else None
    network = ctx.engine.networking.add_network(
        ctx.caller, b.text("name"), dc_id, vlan=b.attr_int("vlan", "id"), mtu=b.int("mtu"),
        description=b.text("description"), comment=b.text("comment"), usages=usages, stp=b.bool("stp"),
        profile_required=b.bool("profile_required"))
    return ctx.created("network", network)


def _add_at_root(ctx, _parent) -> ApiReply:
    dc = ctx.named("data_centers", ctx.body.child("data_center"), "Datacenter")
    return add(ctx, dc.id if dc else None)


def _update(ctx, network) -> ApiReply:
    b = ctx.body
    ctx.engine.networking.update_network(network, description=b.text("description"), comment=b.text("comment"),
                                         mtu=b.int("mtu"), vlan=b.attr_int("vlan", "id"))
    return ApiReply(200, ctx.render("network", network))


def _remove(ctx, network) -> ApiReply:
    return ctx.done(ctx.engine.networking.remove_network(ctx.caller, network))


def search(ctx) -> dict:
    inv = ctx.inv

    def clusters(n):
        return [name_of(inv.clusters, c) for c in n.clusters]

    return {**basics(), "datacenter": lambda n: name_of(inv.data_centers, n.data_center_id),
            "datacenter.name": lambda n: name_of(inv.data_centers, n.data_center_id),
            "vlanid": lambda n: n.vlan, "label": lambda n: n.labels, "cluster": clusters, "clusters.name": clusters}


# --- labels ---------------------------------------------------------------------------------------------
def render_label(ctx, item) -> Obj:
    network, label = item
    o = Obj("network_label", {"href": ctx.href("networks", network.id, "networklabels", label), "id": label})
    return o.add("network", ctx.ref("network", "networks", network.id))


def _add_label(ctx, network) -> ApiReply:
    label = ctx.engine.networking.add_label(network, ctx.body.id())
    return ctx.created("network_label", (network, label))


def _remove_label(ctx, item) -> ApiReply:
    network, label = item
    ctx.engine.networking.remove_label(network, label)
    return ctx.done()


def _label(ctx, network, label: str):
    if label not in network.labels:
        raise not_found()
    return (network, label)


RESOURCE = Resource("network", render, update=_update, remove=_remove, collections=[
    permissions(),
    Collection("vnicprofiles", "vnic_profiles", "vnic_profile", list=lambda ctx, n: ctx.inv.profiles_of(n.id),
               add=vnicprofiles.add, sort=True),
    Collection("networklabels", "network_labels", "network_label", list=lambda ctx, n: [(n, x) for x in n.labels],
               get=_label, add=_add_label),
])
LABEL = Resource("network_label", render_label, remove=_remove_label)
def _data_center_of_body(ctx, _parent):
    """An add at /networks is checked on the data center its body names (AddNetwork's storage pool)."""
    return ctx.named("data_centers", ctx.body.child("data_center"), "Datacenter")


ROOT = Collection("networks", "networks", "network", list=lambda ctx, _: list(ctx.inv.networks.values()),
                  get=lambda ctx, _, i: ctx.inv.networks.get(i), add=_add_at_root, search=search, sort=True,
                  subject=_data_center_of_body)
