"""/vnicprofiles: vNIC profiles (add, update, remove) and the network filter each one applies.

An omitted <network_filter> gets the engine's default filter, an empty one no filter (the restapi
passes useDefaultNetworkFilterId = !isSetNetworkFilter); a filter by name only is none."""

from __future__ import annotations

from ..model.networking import UNSET
from ..wire.tree import Obj
from .common import permissions
from .context import as_guid, enum_value
from .registry import ApiReply, Collection, Resource


def render(ctx, profile) -> Obj:
    href = ctx.href("vnicprofiles", profile.id)
    o = Obj("vnic_profile", {"href": href, "id": profile.id})
    o.add("name", profile.name).add("description", profile.description or None)
    ctx.links(o, "vnic_profile", href)
    if profile.pass_through == "enabled":
        o.add("migratable", profile.migratable)
    o.add("pass_through", Obj("pass_through").add("mode", profile.pass_through))
    o.add("port_mirroring", profile.port_mirroring)
    o.add("network", ctx.ref("network", "networks", profile.network_id))
    o.add("network_filter", ctx.ref("network_filter", "networkfilters", profile.network_filter_id))
    return o


def _network_filter(body):
    if not body.has("network_filter"):
        return UNSET
    filter_id = body.child("network_filter").id()
    return as_guid(filter_id) if filter_id else None


def add(ctx, network) -> ApiReply:
    b = ctx.body
    profile = ctx.engine.networking.add_profile(
        ctx.caller, b.text("name"), network, description=b.text("description"),
        port_mirroring=b.bool("port_mirroring"), pass_through=enum_value(b.text("pass_through/mode")),
        migratable=b.bool("migratable"), network_filter=_network_filter(b))
    return ctx.created("vnic_profile", profile)


def _add_at_root(ctx, _parent) -> ApiReply:
    return add(ctx, ctx.network_ref(ctx.body.child("network")))


def _update(ctx, profile) -> ApiReply:
    b = ctx.body
    network_id = b.child("network").id()
    ctx.engine.networking.update_profile(
        ctx.caller, profile, name=b.text("name"), description=b.text("description"),
        network_id=as_guid(network_id) if network_id else None, port_mirroring=b.bool("port_mirroring"),
        pass_through=enum_value(b.text("pass_through/mode")), migratable=b.bool("migratable"),
        network_filter=_network_filter(b))
    return ApiReply(200, ctx.render("vnic_profile", profile))


def _remove(ctx, profile) -> ApiReply:
    ctx.engine.networking.remove_profile(ctx.caller, profile)
    return ctx.done()


RESOURCE = Resource("vnic_profile", render, update=_update, remove=_remove, collections=[permissions()])
ROOT = Collection("vnicprofiles", "vnic_profiles", "vnic_profile", list=lambda ctx, _: list(ctx.inv.profiles.values()),
                  get=lambda ctx, _, i: ctx.inv.profiles.get(i), add=_add_at_root, sort=True,
                  subject=lambda ctx, _: ctx.network_ref(ctx.body.child("network")))
