"""Engine users with roles (the inventory's `users:`), through the real ovirtsdk4 and plain HTTP: SSO login,
writes refused with the engine's 403 fault without the action group, reads filtered for non-admin users,
admin@internal keeping every power, permissions and roles over the API."""

from __future__ import annotations

import ovirtsdk4 as sdk
import pytest
import yaml
from lxml import etree
from rhv_support import by_name

from simulator import defaults

API = "/ovirt-engine/api"
NOT_AUTHORIZED = "[User is not authorized to perform this action.]"
USERS = [
    {"name": "netadmin", "password": "net123", "roles": ["NetworkAdmin"]},
    {"name": "vmuser", "password": "vm123", "roles": [{"role": "UserRole", "vm": "vm1"}]},
    {"name": "auditor@internal", "password": "ro123", "roles": ["ReadOnlyAdmin"]},
    {"name": "nobody", "password": "no123"},
    {"name": "hostadmin", "password": "host123", "roles": [{"role": "HostAdmin", "host": "host1"}]},
]


@pytest.fixture
def users_lab(engine, tmp_path):
    data = yaml.safe_load(defaults.RHV_INVENTORY.read_text())
    data["users"] = USERS
    path = tmp_path / "with-users.yaml"
    path.write_text(yaml.safe_dump(data))
    engine.rhv.load_inventory(path)
    return engine


def connect(engine, user: str, password: str) -> sdk.Connection:
    return sdk.Connection(url=f"{engine.url}{API}", username=user, password=password, insecure=True)


def add_network(conn, name: str):
    return conn.system_service().networks_service().add(sdk.types.Network(
        name=name, data_center=sdk.types.DataCenter(name="Default")))


def test_inventory_users_log_in_with_their_password(users_lab):
    with users_lab.session(auth=None) as s:
        ok = s.post(f"{users_lab.url}/ovirt-engine/sso/oauth/token", data={
            "grant_type": "password", "scope": "ovirt-app-api", "username": "vmuser@internal", "password": "vm123"})
        bad = s.post(f"{users_lab.url}/ovirt-engine/sso/oauth/token", data={
            "grant_type": "password", "scope": "ovirt-app-api", "username": "vmuser@internal", "password": "x"})
    assert ok.status_code == 200 and ok.json()["access_token"]
    assert bad.json()["error_code"] == "access_denied"


def test_a_user_without_the_action_group_gets_the_engines_403(users_lab):
    conn = connect(users_lab, "vmuser@internal", "vm123")
    with pytest.raises(sdk.Error) as err:
        add_network(conn, "not-mine")
    assert err.value.code == 403
    assert NOT_AUTHORIZED in str(err.value)
    assert users_lab.rhv.find("networks", "not-mine") is None


def test_the_fault_of_a_refused_action_is_inside_an_action(users_lab):
    vm1 = users_lab.rhv.find("vms", "vm1")
    with users_lab.session(auth=("auditor@internal", "ro123")) as s:
        resp = s.post(f"{users_lab.url}{API}/vms/{vm1.id}/stop", data=b"<action/>",
                      headers={"Content-Type": "application/xml"})
    assert resp.status_code == 403
    root = etree.fromstring(resp.content)
    assert root.tag == "action" and root.findtext("status") == "failed"
    assert root.findtext("fault/detail") == NOT_AUTHORIZED
    assert vm1.status == "up"


def test_a_network_admin_adds_networks_but_cannot_run_vms(users_lab):
    conn = connect(users_lab, "netadmin@internal", "net123")
    assert add_network(conn, "by-netadmin").name == "by-netadmin"
    vms = conn.system_service().vms_service()
    vm2 = vms.vm_service(by_name(vms, "vm2").id)
    with pytest.raises(sdk.Error) as err:
        vm2.start()
    assert err.value.code == 403


def test_a_role_on_one_object_gives_its_powers_there_only(users_lab):
    conn = connect(users_lab, "hostadmin@internal", "host123")
    hosts = conn.system_service().hosts_service()
    assert len(hosts.list()) == 2  # an administrative role: reads are not filtered
    with pytest.raises(sdk.Error) as err:
        hosts.host_service(users_lab.rhv.find("hosts", "host2").id).update(sdk.types.Host(comment="not mine"))
    assert err.value.code == 403 and NOT_AUTHORIZED in str(err.value)
    mine = hosts.host_service(users_lab.rhv.find("hosts", "host1").id)
    assert mine.update(sdk.types.Host(comment="mine")).comment == "mine"


def test_a_vm_user_sees_and_runs_only_its_vm(users_lab):
    conn = connect(users_lab, "vmuser@internal", "vm123")
    vms = conn.system_service().vms_service()
    assert [vm.name for vm in vms.list()] == ["vm1"]
    vm1 = vms.vm_service(users_lab.rhv.find("vms", "vm1").id)
    vm1.stop()
    assert vm1.get().status == sdk.types.VmStatus.DOWN
    hidden = vms.vm_service(users_lab.rhv.find("vms", "vm2").id)
    with pytest.raises(sdk.NotFoundError):
        hidden.get()
    assert [c.name for c in conn.system_service().clusters_service().list()] == ["Default"]
    assert conn.system_service().hosts_service().list() == []


def test_an_unfiltered_query_by_a_user_who_is_no_admin_is_refused(users_lab):
    with users_lab.session(auth=("vmuser@internal", "vm123")) as s:
        resp = s.get(f"{users_lab.url}{API}/vms", headers={"Filter": "false"})
        filtered = s.get(f"{users_lab.url}{API}/vms", headers={"Filter": "true"})
    assert resp.status_code == 400
    assert etree.fromstring(resp.content).findtext("detail") == "Query execution failed due to insufficient permissions."
    assert len(etree.fromstring(filtered.content)) == 1


def test_a_read_only_admin_sees_everything_and_changes_nothing(users_lab):
    conn = connect(users_lab, "auditor@internal", "ro123")
    assert len(conn.system_service().vms_service().list()) == 2
    assert len(conn.system_service().hosts_service().list()) == 2
    with pytest.raises(sdk.Error) as err:
        add_network(conn, "ro-net")
    assert err.value.code == 403


def test_a_user_with_no_role_gets_a_token_but_no_engine_session(users_lab):
    with users_lab.session(auth=None) as s:
        token = s.post(f"{users_lab.url}/ovirt-engine/sso/oauth/token", data={
            "grant_type": "password", "scope": "ovirt-app-api", "username": "nobody@internal",
            "password": "no123"}).json()["access_token"]
        resp = s.get(f"{users_lab.url}{API}/vms", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401 and resp.content == b""
    with pytest.raises(sdk.AuthError):
        connect(users_lab, "nobody@internal", "no123").system_service().vms_service().list()


def test_an_administrative_role_anywhere_makes_an_admin_whose_reads_are_unfiltered(users_lab):
    conn = connect(users_lab, "netadmin@internal", "net123")
    assert {n.name for n in conn.system_service().networks_service().list()} == {"ovirtmgmt"}
    assert len(conn.system_service().vms_service().list()) == 2


def test_the_admin_grants_a_role_and_the_user_gains_that_power(users_lab, connection):
    system = connection.system_service()
    vm2 = system.vms_service().vm_service(users_lab.rhv.find("vms", "vm2").id)
    user = by_name(system.users_service(), "vmuser")
    role = next(r for r in system.roles_service().list() if r.name == "UserRole")
    assert role.id == "00000000-0000-0000-0001-000000000001" and not role.administrative
    added = vm2.permissions_service().add(sdk.types.Permission(role=sdk.types.Role(name="UserRole"),
                                                                user=sdk.types.User(id=user.id)))
    assert added.role.id == role.id and added.vm.id == vm2.get().id
    conn = connect(users_lab, "vmuser@internal", "vm123")
    mine = conn.system_service().vms_service().vm_service(vm2.get().id)
    mine.start()
    assert sorted(vm.name for vm in conn.system_service().vms_service().list()) == ["vm1", "vm2"]
    vm2.permissions_service().permission_service(added.id).remove()
    with pytest.raises(sdk.NotFoundError):
        mine.get()


def test_a_user_cannot_grant_itself_a_role(users_lab):
    conn = connect(users_lab, "netadmin@internal", "net123")
    system = conn.system_service()
    user = by_name(system.users_service(), "netadmin")
    with pytest.raises(sdk.Error) as err:
        system.permissions_service().add(sdk.types.Permission(role=sdk.types.Role(name="SuperUser"),
                                                              user=sdk.types.User(id=user.id)))
    assert err.value.code == 403


def test_the_admin_keeps_every_power_and_holds_super_user_on_the_system(users_lab, connection):
    system = connection.system_service()
    assert add_network(connection, "by-admin").name == "by-admin"
    perms = system.permissions_service().list()
    admin = [p for p in perms if p.role.id == "00000000-0000-0000-0000-000000000001"]
    assert len(admin) == 1
    assert {u.user_name for u in system.users_service().list()} == {
        "admin@internal-authz", "netadmin@internal-authz", "vmuser@internal-authz", "auditor@internal-authz",
        "nobody@internal-authz", "hostadmin@internal-authz"}


def test_permissions_added_over_the_api_survive_a_saved_state(users_lab, connection):
    system = connection.system_service()
    user = by_name(system.users_service(), "nobody")
    system.permissions_service().add(sdk.types.Permission(role=sdk.types.Role(name="ReadOnlyAdmin"),
                                                          user=sdk.types.User(id=user.id)))
    saved = users_lab.rhv.export_state()
    users_lab.rhv.reset()
    assert not users_lab.rhv.engine.authz.is_admin("nobody@internal")
    users_lab.rhv.import_state(saved)
    conn = connect(users_lab, "nobody@internal", "no123")
    assert len(conn.system_service().vms_service().list()) == 2


@pytest.mark.parametrize("users, message", [
    ([{"name": "x", "password": "p", "roles": ["NoSuchRole"]}], "no role 'NoSuchRole'"),
    ([{"name": "x", "password": "p", "roles": [{"role": "UserRole", "vm": "nope"}]}], "no vm named 'nope'"),
    ([{"name": "x"}], "'password' is required"),
    ([{"name": "admin@internal", "password": "p"}], "defined twice"),
])
def test_a_bad_user_in_an_inventory_is_refused_and_changes_nothing(engine, tmp_path, users, message):
    data = yaml.safe_load(defaults.RHV_INVENTORY.read_text())
    data["users"] = users
    path = tmp_path / "bad-users.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValueError, match=message):
        engine.rhv.load_inventory(path)
    assert set(engine.rhv.sso.users) == {"admin@internal"}
