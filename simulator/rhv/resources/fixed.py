"""The objects every engine has from its installation: the Blank template, the root tag, and the
users SSO knows (admin@internal and the inventory's `users:`; their permissions are in permissions.py)."""

from __future__ import annotations

import uuid

from ..model.entities import BLANK_TEMPLATE_ID, ROOT_TAG_ID
from ..wire.tree import Obj
from .common import empty, permissions
from .registry import Collection, Resource


def render_template(ctx, _template_id) -> Obj:
    href = ctx.href("templates", BLANK_TEMPLATE_ID)
    o = Obj("template", {"href": href, "id": BLANK_TEMPLATE_ID})
    o.add("name", "Blank").add("description", "Blank template").add("comment", "")
    ctx.links(o, "template", href)
    topology = Obj("topology").add("cores", 1).add("sockets", 1).add("threads", 1)
    o.add("cpu", Obj("cpu").add("architecture", "undefined").add("topology", topology))
    o.add("memory", 1024**3)
    o.add("os", Obj("os").add("type", "other"))
    o.add("status", "ok").add("type", "server")
    o.add("version", Obj("version").add("version_name", "base version").add("version_number", 1))
    return o


def users(ctx) -> dict[str, str]:
    return {ctx.engine.caller(name).user_id: name for name in ctx.engine.sso.users}


def render_user(ctx, user_id: str) -> Obj:
    name = users(ctx)[user_id]
    href = ctx.href("users", user_id)
    login, _, domain = name.partition("@")
    authz = f"{domain}-authz" if domain else "internal-authz"
    o = Obj("user", {"href": href, "id": user_id})
    o.add("name", login)
    ctx.links(o, "user", href)
    o.add("domain_entry_id", user_id.replace("-", "").upper()).add("last_name", "").add("namespace", "*")
    o.add("principal", login).add("user_name", f"{login}@{authz}")
    o.add("domain", Obj("domain", {"id": uuid.uuid5(uuid.NAMESPACE_DNS, authz).hex}).add("name", authz))
    return o


def render_tag(ctx, _tag_id) -> Obj:
    o = Obj("tag", {"href": ctx.href("tags", ROOT_TAG_ID), "id": ROOT_TAG_ID})
    return o.add("name", "root").add("description", "root")


def _template_search(ctx) -> dict:
    def vms(t):
        return [vm.name for vm in ctx.inv.vms.values() if vm.template_id == t]

    return {"name": lambda t: "Blank", "id": lambda t: t, "vm.name": vms, "vms.name": vms}


def _user_search(ctx) -> dict:
    return {"name": lambda u: users(ctx)[u].partition("@")[0], "id": lambda u: u, "usrname": lambda u: users(ctx)[u]}


TEMPLATE = Resource("template", render_template,
                    collections=[empty("nics", "nics", "nic"), permissions()])
USER = Resource("user", render_user, collections=[permissions(), empty("roles", "roles", "role")])
TAG = Resource("tag", render_tag)
TEMPLATES = Collection("templates", "templates", "template", list=lambda ctx, _: [BLANK_TEMPLATE_ID],
                       search=_template_search, sort=True)
USERS = Collection("users", "users", "user", list=lambda ctx, _: list(users(ctx)), search=_user_search, sort=True)
TAGS = Collection("tags", "tags", "tag", list=lambda ctx, _: [ROOT_TAG_ID],
                  search=lambda ctx: {"name": lambda t: "root", "id": lambda t: t}, sort=True)
