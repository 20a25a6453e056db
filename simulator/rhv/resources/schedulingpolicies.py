"""/schedulingpolicies: the engine's built-in scheduling policies (clusters point at one, `none` by
default) with the filters, weights and load balancer each is made of.

A filter, weight or balance shows without an href of its own: the restapi's mappers never set its
parent policy, so LinkHelper finds no path for it; its `<scheduling_policy_unit>` is a reference
to /schedulingpolicyunits. Read-only here: user-defined policies are not offered."""

from __future__ import annotations

from ..model.scheduling import POLICY_UNITS, SCHEDULING_POLICIES
from ..wire.tree import Obj
from .common import properties
from .registry import Collection, Resource


def render(ctx, policy) -> Obj:
    href = ctx.href("schedulingpolicies", policy.id)
    o = Obj("scheduling_policy", {"href": href, "id": policy.id})
    o.add("name", policy.name)
    ctx.links(o, "scheduling_policy", href)
    o.add("default_policy", policy.default).add("locked", policy.locked)
    return o.add("properties", properties(policy.properties))


def _unit_ref(ctx, unit) -> Obj:
    return ctx.ref("scheduling_policy_unit", "schedulingpolicyunits", unit.id)


def render_filter(ctx, item) -> Obj:
    policy, unit = item
    o = Obj("filter", {"id": unit.id}).add("position", policy.filter_position(unit.id))
    return o.add("scheduling_policy_unit", _unit_ref(ctx, unit))


def render_weight(ctx, item) -> Obj:
    policy, unit = item
    o = Obj("weight", {"id": unit.id}).add("factor", dict(policy.weights)[unit.id])
    return o.add("scheduling_policy_unit", _unit_ref(ctx, unit))


def render_balance(ctx, item) -> Obj:
    _policy, unit = item
    return Obj("balance", {"id": unit.id}).add("scheduling_policy_unit", _unit_ref(ctx, unit))


RESOURCE = Resource("scheduling_policy", render, collections=[
    Collection("filters", "filters", "filter",
               list=lambda ctx, p: [(p, POLICY_UNITS[unit_id]) for unit_id in p.filters]),
    Collection("weights", "weights", "weight",
               list=lambda ctx, p: [(p, POLICY_UNITS[unit_id]) for unit_id, _factor in p.weights]),
    Collection("balances", "balances", "balance", list=lambda ctx, p: [(p, POLICY_UNITS[p.balance])]),
])
FILTER = Resource("filter", render_filter)
WEIGHT = Resource("weight", render_weight)
BALANCE = Resource("balance", render_balance)
ROOT = Collection("schedulingpolicies", "scheduling_policies", "scheduling_policy",
                  list=lambda ctx, _: list(SCHEDULING_POLICIES.values()),
                  get=lambda ctx, _, i: SCHEDULING_POLICIES.get(i))
