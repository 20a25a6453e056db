"""/jobs: the engine's jobs (what each command started, how it ended), and clearing one."""

from __future__ import annotations

from ..wire.tree import Obj, Time
from .common import empty
from .registry import ApiReply, Collection, Resource


def render(ctx, job) -> Obj:
    href = ctx.href("jobs", job.id)
    o = ctx.start("job", href, job.id)
    o.add("description", job.description)
    ctx.links(o, "job", href)
    o.add("auto_cleared", job.auto_cleared)
    o.add("end_time", Time(job.end_time) if job.end_time is not None else None)
    o.add("external", job.external).add("last_updated", Time(job.last_updated))
    o.add("start_time", Time(job.start_time)).add("status", job.status)
    o.add("owner", ctx.ref("owner", "users", job.owner_id or None))
    return o


def _clear(ctx, job) -> ApiReply:
    ctx.engine.clear_job(job)
    return ctx.done()


RESOURCE = Resource("job", render, collections=[empty("steps", "steps", "step")], actions={"clear": _clear})
ROOT = Collection("jobs", "jobs", "job", list=lambda ctx, _: list(ctx.engine.jobs.jobs.values()),
                  get=lambda ctx, _, i: ctx.engine.jobs.jobs.get(i),
                  search=lambda ctx: {"status": lambda j: j.status, "id": lambda j: j.id,
                                      "description": lambda j: j.description})
