"""/roles (the engine's predefined roles) and the permissions sub-collection every object has (and the
system's, /permissions; and a user's, /users/{id}/permissions): list, add (a role for a user on the
object, AddPermissionCommand) and remove."""

from __future__ import annotations

from ..model.errors import entity_not_found, failed, incomplete
from ..model.permissions import SYSTEM_ID, Permission, permission_id, role_named, subject_of
from ..model.roles import ROLES, ROLES_BY_ID
from ..wire.tree import Obj
from .registry import ApiReply, Collection, Resource, not_allowed

OBJECT_HREFS = {"data_center": "datacenters", "cluster": "clusters", "host": "hosts", "vm": "vms",
                "network": "networks", "vnic_profile": "vnicprofiles"}


def _users(ctx) -> dict[str, str]:
    """User id -> login name, for every user SSO knows."""
    return {ctx.engine.caller(name).user_id: name for name in ctx.engine.sso.users}


def render_role(ctx, role) -> Obj:
    href = ctx.href("roles", role.id)
    o = Obj("role", {"href": href, "id": role.id})
    o.add("name", role.name).add("description", role.description)
    ctx.links(o, "role", href)
    return o.add("administrative", role.administrative).add("mutable", False)


def render(ctx, permission: Permission) -> Obj:
    o = Obj("permission", {"href": ctx.href("permissions", permission.id), "id": permission.id})
    o.add("role", ctx.ref("role", "roles", permission.role_id))
    o.add("user", ctx.ref("user", "users", ctx.engine.caller(permission.user).user_id))
    if permission.object_type in OBJECT_HREFS:
        o.add(permission.object_type, ctx.ref(permission.object_type, OBJECT_HREFS[permission.object_type],
                                              permission.object_id))
    return o


def _subject(ctx, parent) -> tuple[str, str]:
    return subject_of(parent) or ("system", SYSTEM_ID)


def _listed(ctx, parent) -> list[Permission]:
    """The permissions on the object (None: the system), a user's own, and none on what no permission is
    given on here (a MAC pool, the Blank template)."""
    authz = ctx.engine.authz
    if isinstance(parent, str) and parent in _users(ctx):  # a user's own permissions
        return authz.of_user(_users(ctx)[parent])
    if parent is not None and subject_of(parent) is None:
        return []
    return authz.on(_subject(ctx, parent))


def _add(ctx, parent) -> ApiReply:
    b = ctx.body
    if parent is not None and subject_of(parent) is None and not (isinstance(parent, str) and parent in _users(ctx)):
        raise not_allowed("POST")
    role_body, user_body = b.child("role"), b.child("user")
    for_user = isinstance(parent, str) and parent in _users(ctx)
    if not (role_body and (role_body.id() or role_body.text("name"))) or not (
            for_user or (user_body and (user_body.id() or user_body.text("user_name")))):
        raise incomplete("Permission", ["role.id|name", "user.id|user_name"], "add")
    role = ROLES_BY_ID.get(role_body.id() or "") or role_named(role_body.text("name") or "")
    if role is None:
        raise entity_not_found(role_body.id() or f"Role: name={role_body.text('name')}")
    users = _users(ctx)
    if isinstance(parent, str) and parent in users:  # /users/{id}/permissions: the object is in the body
        user, (object_type, object_id) = users[parent], _object_in(ctx, b)
    else:
        user = users.get(user_body.id() or "") or _by_user_name(users, user_body.text("user_name") or "")
        if user is None:
            raise entity_not_found(user_body.id() or f"User: user_name={user_body.text('user_name')}")
        object_type, object_id = _subject(ctx, parent)
    permission = Permission(permission_id(user, role.name, object_type, object_id), user, role.id, object_type,
                            object_id)
    if any(p.id == permission.id for p in ctx.engine.authz.permissions):
        raise failed("Cannot add Permission. Permission already exists.")
    return ctx.created("permission", ctx.engine.add_permission(permission))


def _object_in(ctx, body) -> tuple[str, str]:
    """The object a user's permission is given on, named by id in the body (the system when none is)."""
    tables = {"data_center": ctx.inv.data_centers, "cluster": ctx.inv.clusters, "host": ctx.inv.hosts,
              "vm": ctx.inv.vms, "network": ctx.inv.networks, "vnic_profile": ctx.inv.profiles}
    for kind, table in tables.items():
        object_id = body.child(kind).id()
        if object_id:
            if object_id not in table:
                raise entity_not_found(object_id)
            return kind, object_id
    return "system", SYSTEM_ID


def _by_user_name(users: dict[str, str], user_name: str) -> str | None:
    """`admin@internal-authz` or `admin@internal`, as clients name a user."""
    login, _, domain = user_name.partition("@")
    wanted = f"{login}@{domain.removesuffix('-authz') or 'internal'}"
    return wanted if wanted in users.values() else None


def _remove(ctx, permission: Permission) -> ApiReply:
    ctx.engine.remove_permission(permission)
    return ctx.done()


def _get(ctx, parent, permission_id: str):
    return next((p for p in _listed(ctx, parent) if p.id == permission_id), None)


def collection() -> Collection:
    """An object's (or a user's) permissions; adding one needs MANIPULATE_PERMISSIONS on the object."""
    return Collection("permissions", "permissions", "permission", list=_listed, get=_get, add=_add)


RESOURCE = Resource("permission", render, remove=_remove)
ROLE = Resource("role", render_role, collections=[Collection("permits", "permits", "permit")])
SYSTEM = Collection("permissions", "permissions", "permission", list=lambda ctx, _: _listed(ctx, None),
                    get=lambda ctx, _, i: _get(ctx, None, i), add=_add)
ROLES_ROOT = Collection("roles", "roles", "role", list=lambda ctx, _: list(ROLES.values()),
                        get=lambda ctx, _, i: ROLES_BY_ID.get(i),
                        search=lambda ctx: {"name": lambda r: r.name, "id": lambda r: r.id}, sort=True)
