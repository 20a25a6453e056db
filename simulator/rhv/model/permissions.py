"""Who may do what: the engine's users, their permissions (a role on an object) and the checks commands and
queries make with them, as MLA ("multi level administration") works in ovirt-engine.

A permission gives a role's action groups on one object and everything under it: the system, then a data
center, its clusters (then their hosts and VMs) and its logical networks (then their vNIC profiles). A
command checks the action group of its ActionType on its subject (AddNetwork: CREATE_STORAGE_POOL_NETWORK on
the data center; RunVm: RUN_VM on the VM; `REQUIRED` below) and, failing, answers
USER_NOT_AUTHORIZED_TO_PERFORM_ACTION, a NO_PERMISSION error: HTTP 403. A user holding any administrative
role (role_type ADMIN) anywhere is an admin (DbUser.isAdmin). Reads are filtered unless an admin asks
otherwise: BaseBackendResource.isFiltered takes the `Filter` header (or `filter` parameter) and, without
one, filters for every non-admin user (ENGINE_API_FILTER_BY_DEFAULT); a filtered query sees the objects the
user has a permission on, their descendants (every role here allows viewing children) and, inferred from
the user_*_permissions_view views, their ancestors (so a VM's user can see its cluster); an unfiltered query
by a non-admin fails in QueriesCommandBase.validatePermissions: HTTP 400, "Query execution failed due to
insufficient permissions.". admin@internal holds SuperUser on the system (00600_insert_permissions.sql).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .entities import Cluster, DataCenter, Host, Network, Vm, VnicProfile, stable_id
from .errors import RhvFault, failed
from .messages import app_error
from .roles import ADMIN_PERMISSION_ID, ROLES, ROLES_BY_ID, SUPER_USER, Role

SYSTEM_ID = "aaa00000-0000-0000-0000-123456789aaa"  # Guid.SYSTEM, the system object
OBJECT_TYPES = ("system", "data_center", "cluster", "host", "vm", "network", "vnic_profile")
SUPER_USER_ONLY = "SUPER_USER_ONLY"  # what a write this table does not name needs: SuperUser on the system

# (resource kind, operation) -> the ActionType's action group (common/action/ActionType.java); None: none
REQUIRED: dict[tuple[str, str], str | None] = {
    ("network", "add"): "CREATE_STORAGE_POOL_NETWORK", ("network", "update"): "CONFIGURE_STORAGE_POOL_NETWORK",
    ("network", "remove"): "CONFIGURE_STORAGE_POOL_NETWORK",
    ("network_label", "add"): "CONFIGURE_STORAGE_POOL_NETWORK",
    ("network_label", "remove"): "CONFIGURE_STORAGE_POOL_NETWORK",
    ("vnic_profile", "add"): "CREATE_NETWORK_VNIC_PROFILE", ("vnic_profile", "update"): "CONFIGURE_NETWORK_VNIC_PROFILE",
    ("vnic_profile", "remove"): "DELETE_NETWORK_VNIC_PROFILE",
    ("cluster_network", "add"): "ASSIGN_CLUSTER_NETWORK", ("cluster_network", "remove"): "ASSIGN_CLUSTER_NETWORK",
    ("cluster_network", "update"): "CONFIGURE_CLUSTER_NETWORK",
    ("vm", "update"): "EDIT_VM_PROPERTIES", ("vm", "start"): "RUN_VM", ("vm", "stop"): "STOP_VM",
    ("vm", "shutdown"): "SHUT_DOWN_VM", ("vm", "reboot"): "REBOOT_VM", ("vm", "migrate"): "MIGRATE_VM",
    ("vm", "cancelmigration"): "MIGRATE_VM",
    ("nic", "add"): "CONFIGURE_VM_NETWORK", ("nic", "update"): "CONFIGURE_VM_NETWORK",
    ("nic", "remove"): "CONFIGURE_VM_NETWORK", ("nic", "activate"): "CONFIGURE_VM_NETWORK",
    ("nic", "deactivate"): "CONFIGURE_VM_NETWORK",
    ("host", "update"): "EDIT_HOST_CONFIGURATION", ("host", "activate"): "MANIPULATE_HOST",
    ("host", "deactivate"): "MANIPULATE_HOST", ("host", "refresh"): "MANIPULATE_HOST",
    ("host", "setupnetworks"): "CONFIGURE_HOST_NETWORK", ("host", "commitnetconfig"): "CONFIGURE_HOST_NETWORK",
    ("network_attachment", "add"): "CONFIGURE_HOST_NETWORK", ("network_attachment", "update"): "CONFIGURE_HOST_NETWORK",
    ("network_attachment", "remove"): "CONFIGURE_HOST_NETWORK",
    ("permission", "add"): "MANIPULATE_PERMISSIONS", ("permission", "remove"): "MANIPULATE_PERMISSIONS",
    ("event", "remove"): None,  # RemoveAuditLogById has no action group
}

Subject = tuple[str, str]  # (object type, id)


@dataclass
class Permission:
    id: str
    user: str  # the login name, admin@internal
    role_id: str
    object_type: str
    object_id: str

    @property
    def role(self) -> Role:
        return ROLES_BY_ID[self.role_id]


def not_authorized() -> RhvFault:
    return failed(app_error("USER_NOT_AUTHORIZED_TO_PERFORM_ACTION"), status=403)


def query_not_permitted() -> RhvFault:
    return RhvFault(400, "Operation Failed", "Query execution failed due to insufficient permissions.")


def subject_of(item) -> Subject | None:
    """The object a permission can be given on that an API item is (or belongs to: a VM's NIC is its VM's)."""
    if isinstance(item, tuple):
        return subject_of(item[0])
    if isinstance(item, Permission):
        return (item.object_type, item.object_id)
    for cls, kind in ((DataCenter, "data_center"), (Cluster, "cluster"), (Host, "host"), (Vm, "vm"),
                      (Network, "network"), (VnicProfile, "vnic_profile")):
        if isinstance(item, cls):
            return (kind, item.id)
    return None


def admin_permission(user: str) -> Permission:
    return Permission(ADMIN_PERMISSION_ID, user, SUPER_USER.id, "system", SYSTEM_ID)


def permission_id(user: str, role: str, object_type: str, object_id: str) -> str:
    return stable_id("permission", f"{user}/{role}/{object_type}/{object_id}")


class Authz:
    """The permissions of every user, and the checks made with them (reads the inventory for the tree)."""

    def __init__(self, inventory):
        self.inv = inventory
        self.permissions: list[Permission] = []

    # --- the object tree ----------------------------------------------------------------------------
    def ancestors(self, subject: Subject) -> list[Subject]:
        """The subject, then each object above it up to the system."""
        chain, (kind, object_id) = [subject], subject
        inv = self.inv
        while kind != "system":
            entity = {"data_center": inv.data_centers, "cluster": inv.clusters, "host": inv.hosts, "vm": inv.vms,
                      "network": inv.networks, "vnic_profile": inv.profiles}[kind].get(object_id)
            if entity is None:
                break
            if kind == "data_center":
                kind, object_id = "system", SYSTEM_ID
            elif kind == "cluster":
                kind, object_id = "data_center", entity.data_center_id
            elif kind in ("host", "vm"):
                kind, object_id = "cluster", entity.cluster_id
            elif kind == "network":
                kind, object_id = "data_center", entity.data_center_id
            else:
                kind, object_id = "network", entity.network_id
            chain.append((kind, object_id))
        if chain[-1][0] != "system":
            chain.append(("system", SYSTEM_ID))
        return chain

    # --- the checks -----------------------------------------------------------------------------------
    def of_user(self, user: str) -> list[Permission]:
        return [p for p in self.permissions if p.user == user]

    def on(self, subject: Subject) -> list[Permission]:
        return [p for p in self.permissions if (p.object_type, p.object_id) == subject]

    def can_log_in(self, user: str) -> bool:
        """CreateUserSessionCommand: the LOGIN action group on some object, or no engine session (the API
        answers 401 to a valid SSO token of a user with no role at all)."""
        return any(p.role.permits("LOGIN") for p in self.of_user(user))

    def is_admin(self, user: str) -> bool:
        return any(p.role.administrative for p in self.of_user(user))

    def permits(self, user: str, group: str | None, subject: Subject | None) -> bool:
        mine = self.of_user(user)
        if group is None:
            return True
        if group == SUPER_USER_ONLY:
            return any(p.role_id == SUPER_USER.id and p.object_type == "system" for p in mine)
        above = set(self.ancestors(subject or ("system", SYSTEM_ID)))
        return any(p.role.permits(group) and (p.object_type, p.object_id) in above for p in mine)

    def check(self, user: str, group: str | None, subject: Subject | None) -> None:
        if not self.permits(user, group, subject):
            raise not_authorized()

    def visible(self, user: str, subject: Subject) -> bool:
        """Whether a filtered query shows the object: a permission on it, above it or below it."""
        mine = {(p.object_type, p.object_id) for p in self.of_user(user)}
        if mine & set(self.ancestors(subject)):
            return True
        return any(subject in self.ancestors(s) for s in mine)

    # --- changes (the engine's operations record them) -------------------------------------------------
    def export(self) -> list[dict]:
        return [dataclasses.asdict(p) for p in self.permissions]

    @staticmethod
    def parse(data: list[dict]) -> list[Permission]:
        out = []
        for item in data:
            permission = Permission(**item)
            if permission.role_id not in ROLES_BY_ID or permission.object_type not in OBJECT_TYPES:
                raise ValueError(f"permission {permission.id}: unknown role or object type")
            out.append(permission)
        return out


def role_named(name: str) -> Role | None:
    return ROLES.get(name) or next((r for r in ROLES.values() if r.name.lower() == name.lower()), None)
