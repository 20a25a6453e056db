"""/macpools: the engine's MAC address pools (the Default one every data center and cluster points
at, with the range VM NICs get their addresses from). Read-only here: the pool is the engine's
installation, set by `RhvConfig.mac_pool_start`."""

from __future__ import annotations

from ..wire.tree import Obj
from .common import permissions
from .registry import Collection, Resource


def render(ctx, pool) -> Obj:
    href = ctx.href("macpools", pool.id)
    o = Obj("mac_pool", {"href": href, "id": pool.id})
    o.add("name", pool.name).add("description", pool.description)
    ctx.links(o, "mac_pool", href)
    o.add("allow_duplicates", pool.allow_duplicates).add("default_pool", pool.default_pool)
    ranges = [Obj("range").add("from", first).add("to", last) for first, last in pool.ranges]
    return o.add("ranges", Obj("ranges", fields=[("range", ranges)]))


RESOURCE = Resource("mac_pool", render, collections=[permissions()])
ROOT = Collection("macpools", "mac_pools", "mac_pool", list=lambda ctx, _: list(ctx.engine.mac_pools.values()),
                  get=lambda ctx, _, i: ctx.engine.mac_pools.get(i))
