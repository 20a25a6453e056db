"""/schedulingpolicyunits: the policy units the engine's scheduler is built from (the filters,
weights, load balancers and selectors scheduling policies name), as PolicyUnitMapper shows them:
internal, enabled, each parameter a property whose value is the regex a policy's value must match."""

from __future__ import annotations

from ..model.scheduling import POLICY_UNITS
from ..wire.tree import Obj
from .common import properties
from .registry import Collection, Resource


def render(ctx, unit) -> Obj:
    o = Obj("scheduling_policy_unit", {"href": ctx.href("schedulingpolicyunits", unit.id), "id": unit.id})
    o.add("name", unit.name).add("description", unit.description)
    o.add("enabled", True).add("internal", True).add("properties", properties(unit.properties()))
    return o.add("type", unit.api_type)


RESOURCE = Resource("scheduling_policy_unit", render)
ROOT = Collection("schedulingpolicyunits", "scheduling_policy_units", "scheduling_policy_unit",
                  list=lambda ctx, _: list(POLICY_UNITS.values()), get=lambda ctx, _, i: POLICY_UNITS.get(i))
