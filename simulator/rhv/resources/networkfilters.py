"""/networkfilters: the libvirt nwfilters every engine ships (and, per cluster, those its version supports)."""

from __future__ import annotations

from ..model.network_filters import NETWORK_FILTERS
from ..wire.tree import Obj
from .registry import Collection, Resource


def render(ctx, nf, cluster_id: str | None = None) -> Obj:
    """A filter's version parts it does not have are -1, as the engine's VersionMapper writes them."""
    parts = ("clusters", cluster_id, "networkfilters", nf.id) if cluster_id else ("networkfilters", nf.id)
    o = Obj("network_filter", {"href": ctx.href(*parts), "id": nf.id})
    o.add("name", nf.name)
    return o.add("version", Obj("version").add("build", -1).add("major", nf.major).add("minor", nf.minor)
                 .add("revision", -1))


RESOURCE = Resource("network_filter", render)
ROOT = Collection("networkfilters", "network_filters", "network_filter",
                  list=lambda ctx, _: list(NETWORK_FILTERS.values()), get=lambda ctx, _, i: NETWORK_FILTERS.get(i),
                  sort=True)
