"""GET /ovirt-engine/api: the product, the summary, the special objects, and a link (and, for the
searchable ones, a search link) for every root collection in the registry."""

from __future__ import annotations

from ..model.entities import BLANK_TEMPLATE_ID
from ..wire.tree import Obj, Time, link
from .registry import Resource


def render(ctx, _none) -> Obj:
    cfg, engine = ctx.engine.config, ctx.engine
    o = Obj("api")
    roots = ctx.registry.root
    links = [link(ctx.href(c.rel), c.rel) for c in roots]
    links += [link(ctx.href(c.rel) + "?search={query}", f"{c.rel}/search") for c in roots if c.search is not None]
    o.add("link", links)
    o.add("engine_backup", Obj("engine_backup"))
    version = Obj("version").add("build", cfg.version.build).add("full_version", cfg.version.full) \
        .add("major", cfg.version.major).add("minor", cfg.version.minor).add("revision", cfg.version.revision)
    o.add("product_info", Obj("product_info").add("instance_id", engine.instance_id).add("name", cfg.product_name)
          .add("vendor", cfg.vendor).add("version", version))
    o.add("special_objects", Obj("special_objects")
          .add("blank_template", ctx.ref("blank_template", "templates", BLANK_TEMPLATE_ID))
          .add("root_tag", ctx.ref("root_tag", "tags", BLANK_TEMPLATE_ID)))
    hosts, vms = list(ctx.inv.hosts.values()), list(ctx.inv.vms.values())

    def counts(tag: str, active: int, total: int) -> Obj:
        return Obj(tag).add("active", active).add("total", total)

    summary = Obj("summary")
    summary.add("hosts", counts("hosts", sum(h.status == "up" for h in hosts), len(hosts)))
    summary.add("storage_domains", counts("storage_domains", 0, 0))
    summary.add("users", counts("users", len(engine.sso.sessions), len(engine.sso.users)))
    summary.add("vms", counts("vms", sum(v.running for v in vms), len(vms)))
    o.add("summary", summary)
    o.add("time", Time(engine.now()))
    o.add("authenticated_user", ctx.ref("authenticated_user", "users", ctx.caller.user_id))
    o.add("effective_user", ctx.ref("effective_user", "users", ctx.caller.user_id))
    return o


RESOURCE = Resource("api", render)
