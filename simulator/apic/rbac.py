"""Who may read and write what: the APIC's role-based access control, applied to every request.

A real APIC grants access per MO: a user holds roles in security domains (aaaUserDomain/aaaUserRole, each
role with readPriv or writePriv), a role is a set of privileges (aaaRole.priv), an MO is in the domains its
tenant or VMM domain is tagged with (aaaDomainRef) and always in `all`, and an MO's class names the
privileges that read it and those that write it (aci-meta readAccess/writeAccess). A user may read an MO
when one of its domains holds a privilege the class reads with, write it when a writePriv role there holds
one it writes with. The facts and what is inferred are data (rbac_roles.yaml, rbac_class_access.json); this
module only applies them.

Checks are cheap: the lab's admin (admin privilege with write in `all`) short-circuits every check, and any
other caller's check of an MO walks only that MO's ancestors (memoised per request), never the store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import errors
from .mit.catalog import Catalog
from .mit.dn import parent_dn
from .mit.store import MO, Store

ROLES_FILE = Path(__file__).with_name("rbac_roles.yaml")
ACCESS_FILE = Path(__file__).with_name("rbac_class_access.json")
USERS_DN = "uni/userext"
WRITE_PRIV = "writePriv"
DOMAIN_REF = "aaaDomainRef"
_PACKAGE = re.compile(r"^[a-z0-9]+")


@dataclass(frozen=True)
class Access:
    """The privileges that read and those that write an MO of some class (admin always does both)."""

    read: frozenset[str]
    write: frozenset[str]


@dataclass(frozen=True)
class RoleDef:
    privileges: frozenset[str]
    read_only: bool = False


class Policy:
    """The RBAC data of rbac_roles.yaml and rbac_class_access.json, resolved once."""

    def __init__(self, roles_doc: Mapping[str, Any], access_doc: Mapping[str, Any]):
        self.privileges = frozenset(roles_doc["privileges"])
        self.roles = {name: RoleDef(self._privs(spec["priv"], exclude_admin=True), bool(spec.get("read_only")))
                      for name, spec in roles_doc["roles"].items()}
        self.classes = {name: self._access(read, write) for name, (read, write) in access_doc["classes"].items()}
        self.packages: dict[str, Access] = {}
        for package, spec in roles_doc["packages"].items():
            self.packages[package] = (self.classes[spec["like"]] if "like" in spec
                                      else self._access(spec["read"], spec["write"]))
        self.default = self._access(roles_doc["default"]["read"], roles_doc["default"]["write"])
        self.default_domains = tuple(roles_doc["default_domains"])
        self.tagged = {dn: frozenset(names) for dn, names in roles_doc["tagged"].items()}
        self.shared_read = frozenset(roles_doc["shared_read"])
        self.login_map = tuple(roles_doc["login_map"])
        self.readable_by_all = frozenset(roles_doc["readable_by_all"])
        self._explicit: dict[str, Access | None] = {}

    def _privs(self, value: str | Iterable[str], exclude_admin: bool = False) -> frozenset[str]:
        if value == "all":
            return self.privileges - {"admin"} if exclude_admin else self.privileges
        return frozenset(value)

    def _access(self, read: str | Iterable[str], write: str | Iterable[str]) -> Access:
        return Access(self._privs(read) | {"admin"}, self._privs(write) | {"admin"})

    def explicit(self, cls: str) -> Access | None:
        """The class's own access list, or its package's rule; None when it takes its parent's."""
        if cls in self._explicit:
            return self._explicit[cls]
        found = self.classes.get(cls)
        if found is None:
            match = _PACKAGE.match(cls)
            found = self.packages.get(match.group(0)) if match else None
        self._explicit[cls] = found
        return found

    def role_privileges(self, name: str, priv: str | None) -> frozenset[str]:
        """A role's privileges: its aaaRole's `priv` when the tree holds one, else the default role's."""
        if priv is not None:
            return frozenset(p.strip() for p in priv.split(",") if p.strip())
        role = self.roles.get(name)
        return role.privileges if role else frozenset()

    def boot_bodies(self) -> list[tuple[str, dict]]:
        """The default roles and security domains a fresh APIC holds, as system write bodies."""
        roles = [{"aaaRole": {"attributes": {"name": name, "priv": ",".join(sorted(role.privileges))}}}
                 for name, role in self.roles.items()]
        domains = [{"aaaDomain": {"attributes": {"name": name}}} for name in self.default_domains]
        return [(USERS_DN, {"aaaUserEp": {"attributes": {}, "children": domains + roles}})]


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    with open(ROLES_FILE, encoding="utf-8") as f:
        roles_doc = yaml.safe_load(f)
    with open(ACCESS_FILE, encoding="utf-8") as f:
        access_doc = json.load(f)
    return Policy(roles_doc, access_doc)


@dataclass
class Grant:
    """What one user holds: per security domain, the privileges it reads and writes with, and its roles by
    domain as the login reply shows them. `superuser`: admin privilege with write in `all`, no check needed."""

    user: str
    superuser: bool = False
    read: dict[str, frozenset[str]] = field(default_factory=dict)
    write: dict[str, frozenset[str]] = field(default_factory=dict)
    roles: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # domain -> [(role, privType)]

    @cached_property
    def any_read(self) -> frozenset[str]:
        return frozenset().union(*self.read.values()) if self.read else frozenset()


SYSTEM = Grant(user="", superuser=True)


def forbidden(user: str, cls: str, dn: str) -> errors.ApicError:
    # The status: "an authorization failure allows login but restricts visibility or produces 403 Forbidden
    # errors in the API" (Cisco TechNote 225717, "Troubleshoot Remote Access Problems in ACI"). INFERRED text:
    # no recorded reply of a real APIC refusing a write for want of privilege was found.
    return errors.ApicError(
        403, 403, f"Access denied: user {user} has no write privilege for {cls} {dn} in its security domains")


class Rbac:
    """Grants of the tree's users, and the per-request views that check MOs against them."""

    def __init__(self, store: Store, catalog: Catalog, policy: Policy | None = None):
        self.store = store
        self.catalog = catalog
        self.policy = policy or default_policy()
        ref = catalog.classes.get(DOMAIN_REF)
        self.ref_holders = frozenset(ref.parents) if ref else frozenset()

    def user_dn(self, user: str) -> str:
        return f"{USERS_DN}/user-{user}"

    def grant(self, user: str, roles: bool = False) -> Grant:
        """The user's privileges as the tree holds them now (a role given or taken counts at once). The
        admin role with write in `all` answers at once unless `roles` (the login reply) asks for them all."""
        user_dn = self.user_dn(user)
        if not roles:
            fast = self.store.get(f"{user_dn}/userdomain-all/role-admin")
            if fast is not None and fast.get("privType") == WRITE_PRIV:
                return Grant(user=user, superuser=True)
        grant = Grant(user=user)
        mo = self.store.get(user_dn)
        if mo is None or mo.cls != "aaaUser":
            return grant
        read: dict[str, set[str]] = {}
        write: dict[str, set[str]] = {}
        for domain in mo.child_list():
            if domain.cls != "aaaUserDomain":
                continue
            name = domain.get("name")
            grant.roles[name] = []
            read.setdefault(name, set())
            for role in domain.child_list():
                if role.cls != "aaaUserRole":
                    continue
                role_name, priv_type = role.get("name"), role.get("privType") or "readPriv"
                grant.roles[name].append((role_name, priv_type))
                role_mo = self.store.get(f"{USERS_DN}/role-{role_name}")
                privileges = self.policy.role_privileges(role_name, role_mo.get("priv") if role_mo else None)
                read[name] |= privileges
                definition = self.policy.roles.get(role_name)
                if priv_type == WRITE_PRIV and not (definition and definition.read_only):
                    write.setdefault(name, set()).update(privileges)
        grant.read = {d: frozenset(p) for d, p in read.items()}
        grant.write = {d: frozenset(p) for d, p in write.items()}
        grant.superuser = "admin" in grant.write.get("all", ())
        return grant

    def view(self, grant: Grant, memo: bool = True) -> View:
        return View(self, grant, memo)

    # --- the login reply --------------------------------------------------------------------------
    def login_children(self, grant: Grant) -> list[dict]:
        """aaaUserDomain per domain (rolesR, rolesW, aaaReadRoles/aaaWriteRoles with `role` children) and one
        DnDomainMapEntry per built-in tenant, as a real login reply carries them (ansible-aci
        tests/unit/module_utils/test_aci.py, a real 2.0(2f) reply; the same shape in 4.1 and 5.2 replies).
        INFERRED: rolesR lists every role of the domain (the recorded admin reply names admin in rolesR with
        an empty aaaReadRoles), rolesW the writePriv ones, comma-separated; aaaReadRoles holds the readPriv
        roles, aaaWriteRoles the writePriv ones."""
        out: list[dict] = []
        for domain in sorted(grant.roles):
            roles = sorted(grant.roles[domain])
            writers = [name for name, kind in roles if kind == WRITE_PRIV]
            readers = [name for name, kind in roles if kind != WRITE_PRIV]
            attrs = {"name": domain, "rolesR": ",".join(sorted({name for name, _ in roles})),
                     "rolesW": ",".join(writers)}
            out.append({"aaaUserDomain": {"attributes": attrs, "children": [
                _role_list("aaaReadRoles", readers), _role_list("aaaWriteRoles", writers)]}})
        view = self.view(grant)
        for dn in self.policy.login_map:
            if self.store.get(dn) is None:
                continue
            read, write = view.privileges_at(dn)
            out.append({"DnDomainMapEntry": {"attributes": {
                "dn": dn, "readPrivileges": ",".join(sorted(read)), "writePrivileges": ",".join(sorted(write))}}})
        return out


def _role_list(cls: str, names: list[str]) -> dict:
    body: dict = {"attributes": {}}
    if names:
        body["children"] = [{"role": {"attributes": {"name": name}}} for name in names]
    return {cls: body}


class View:
    """One caller's checks during one request; memoises ancestors' access and domains (never kept across
    requests unless `memo` is off, as for a subscription, which must see later changes of domains)."""

    def __init__(self, rbac: Rbac, grant: Grant, memo: bool = True):
        self.rbac = rbac
        self.policy = rbac.policy
        self.store = rbac.store
        self.grant = grant
        self.memo = memo
        self._access: dict[str, Access] = {}
        self._domains: dict[str, frozenset[str]] = {}
        self.planned_refs: dict[str, set[str]] = {}
        self._last_tags: dict[str, frozenset[str]] = {}  # tagged holders as last seen (bounded by their count)
        self._own = rbac.user_dn(grant.user) if grant.user else None

    # --- what an MO is ----------------------------------------------------------------------------
    def access_of(self, dn: str, cls: str) -> Access:
        found = self.policy.explicit(cls)
        if found is not None:
            return found
        return self._inherited(parent_dn(dn)) if dn else self.policy.default

    def _inherited(self, dn: str) -> Access:
        if self.memo and dn in self._access:
            return self._access[dn]
        cls = self._class_at(dn)
        access = self.access_of(dn, cls) if cls else (self._inherited(parent_dn(dn)) if dn else self.policy.default)
        if self.memo:
            self._access[dn] = access
        return access

    def _class_at(self, dn: str) -> str:
        mo = self.store.get(dn)
        if mo is not None:
            return mo.cls
        meta = self.rbac.catalog.class_of_dn(dn) if dn else None
        return meta.name if meta else ""

    def domains_of(self, dn: str) -> frozenset[str]:
        """`all` and the domains of the MO's nearest ancestor (itself included) tagged with any."""
        if self.memo and dn in self._domains:
            return self._domains[dn]
        tags = self._tags(dn)
        if tags:
            found = frozenset({"all"}) | tags
        elif dn:
            found = self.domains_of(parent_dn(dn))
        else:
            found = frozenset({"all"})
        if self.memo:
            self._domains[dn] = found
        return found

    def _tags(self, dn: str) -> frozenset[str]:
        names = set(self.planned_refs.get(dn, ()))
        mo = self.store.get(dn)
        if mo is not None and mo.cls in self.rbac.ref_holders:
            if mo.children:
                names.update(c.get("name") for c in mo.children.values() if c.cls == DOMAIN_REF)
            self._last_tags[dn] = frozenset(names)
        elif mo is None and dn in self._last_tags:
            # gone with its subtree (a deleted tenant's events reach a subscription after the delete): the
            # domains it had when this view last saw it
            names.update(self._last_tags[dn])
        if not names:
            return self.policy.tagged.get(dn, frozenset())
        return frozenset(names)

    # --- what the caller may do -------------------------------------------------------------------
    def readable(self, mo: MO) -> bool:
        grant = self.grant
        if grant.superuser or mo.cls in self.policy.readable_by_all:
            return True
        if self._own and (mo.dn == self._own or mo.dn.startswith(self._own + "/")):
            return True  # INFERRED: a user reads its own aaaUser (its domains and roles)
        needed = self.access_of(mo.dn, mo.cls).read
        domains = self.domains_of(mo.dn)
        if any(needed & grant.read.get(d, frozenset()) for d in domains):
            return True
        return bool(domains & self.policy.shared_read) and bool(needed & grant.any_read)

    def writable(self, dn: str, cls: str) -> bool:
        grant = self.grant
        if grant.superuser:
            return True
        needed = self.access_of(dn, cls).write
        return any(needed & grant.write.get(d, frozenset()) for d in self.domains_of(dn))

    def privileges_at(self, dn: str) -> tuple[frozenset[str], frozenset[str]]:
        """The caller's privileges that read and that write at `dn` (the login reply's DnDomainMapEntry)."""
        grant = self.grant
        if grant.superuser:
            return frozenset({"admin"}), frozenset({"admin"})
        domains = self.domains_of(dn)
        read = frozenset().union(*(grant.read.get(d, frozenset()) for d in domains))
        if domains & self.policy.shared_read:
            read |= grant.any_read
        write = frozenset().union(*(grant.write.get(d, frozenset()) for d in domains))
        return read, write

    # --- writes -----------------------------------------------------------------------------------
    def check_steps(self, steps: Iterable[Any]) -> None:
        """Refuse (403) a write plan when the caller may not make one of its changes: every MO it creates,
        modifies (really changes) or deletes is checked before anything is written."""
        if self.grant.superuser:
            return
        steps = list(steps)
        for step in steps:
            if step.op == "create" and step.meta is not None and step.meta.name == DOMAIN_REF:
                self.planned_refs.setdefault(parent_dn(step.dn), set()).add(step.attrs.get("name", ""))
        self._domains.clear()
        for step in steps:
            if step.op == "modify":
                mo = self.store.get(step.dn)
                if mo is None or not any(mo.get(k) != v for k, v in step.attrs.items()):
                    continue
                cls = mo.cls
            elif step.op == "delete":
                mo = self.store.get(step.dn)
                if mo is None:
                    continue
                cls = mo.cls
            else:
                cls = step.meta.name
            if not self.writable(step.dn, cls):
                raise forbidden(self.grant.user, cls, step.dn)

    def check_delete(self, dn: str) -> None:
        mo = self.store.get(dn)
        if mo is not None and not self.writable(dn, mo.cls):
            raise forbidden(self.grant.user, mo.cls, dn)

    # --- reads ------------------------------------------------------------------------------------
    def prune(self, imdata: list[dict]) -> list[dict]:
        """The rendered answer without the MOs the caller may not read (nested ones included)."""
        out = []
        for node in imdata:
            (cls, body), = node.items()
            dn = body.get("attributes", {}).get("dn")
            mo = self.store.get(dn) if dn else None
            if mo is not None and not self.readable(mo):
                continue
            if dn and "children" in body:
                self._prune_children(body, dn)
            out.append(node)
        return out

    def _prune_children(self, body: dict, dn: str) -> None:
        kept = []
        for child in body["children"]:
            (cls, cbody), = child.items()
            rn = cbody.get("attributes", {}).get("rn")
            cdn = f"{dn}/{rn}" if dn and rn else rn or ""
            mo = self.store.get(cdn) if cdn else None
            if mo is not None and not self.readable(mo):
                continue
            if "children" in cbody and cdn:
                self._prune_children(cbody, cdn)
            kept.append(child)
        if kept:
            body["children"] = kept
        else:
            body.pop("children", None)


__all__ = ["Access", "Grant", "Policy", "Rbac", "SYSTEM", "View", "default_policy", "forbidden"]
