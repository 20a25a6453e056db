"""The real ovirtsdk4 driving VM power, migration and host maintenance on the engine's clock:
start/stop with their jobs and events, migrate to a named host and to any host, the engine's
refusals (each as the SDK's typed error), injected migration failures, token expiry."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from rhv_support import PASSWORD, USER, by_name, wait_for_job


def vm_service(connection, name):
    vms = connection.system_service().vms_service()
    return vms.vm_service(by_name(vms, name).id)


def host_name(connection, vm):
    return connection.follow_link(vm.host).name if vm.host else None


def test_start_powers_up_on_the_clock(engine, connection):
    vm2 = vm_service(connection, "vm2")
    assert vm2.start() is None
    started = vm2.get()
    assert started.status == types.VmStatus.POWERING_UP and host_name(connection, started) == "host2"
    engine.advance(4.9)
    assert vm2.get().status == types.VmStatus.POWERING_UP
    engine.advance(0.1)
    up = vm2.get()
    assert up.status == types.VmStatus.UP and up.start_time.timestamp() == engine.clock.now() - 5
    job = wait_for_job(engine, connection, "Launching VM vm2")
    assert job.status == types.JobStatus.FINISHED and job.end_time.timestamp() == job.start_time.timestamp() + 5
    codes = [(e.code, e.description) for e in connection.system_service().events_service().list(max=2)]
    assert codes == [(32, "VM vm2 started on Host host2"),
                     (153, "VM vm2 was started by admin@internal-authz (Host: host2).")]


def test_start_a_running_vm_is_a_409_action_fault(engine, connection):
    with pytest.raises(sdk.Error) as caught:
        vm_service(connection, "vm1").start()
    assert caught.value.code == 409
    assert (caught.value.fault.reason, caught.value.fault.detail) == ("Operation Failed", "[Cannot run VM. VM is running.]")
    r = engine.session().post(f"{engine.url}/ovirt-engine/api/vms/{engine.rhv.find('vms', 'vm1').id}/start",
                              data="<action/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 409 and "<status>failed</status>" in r.text and r.text.count("<action>") == 1


def test_stop_and_stop_again(connection):
    vm1 = vm_service(connection, "vm1")
    vm1.stop()
    stopped = vm1.get()
    assert stopped.status == types.VmStatus.DOWN and stopped.host is None
    assert connection.system_service().events_service().list(max=1)[0].description == (
        "VM vm1 powered off by admin@internal-authz (Host: host1).")
    with pytest.raises(sdk.Error) as caught:
        vm1.stop()
    assert caught.value.fault.detail == "[Cannot stop VM. VM is not running.]"


def test_shutdown_goes_through_powering_down(engine, connection):
    vm1 = vm_service(connection, "vm1")
    vm1.shutdown()
    assert vm1.get().status == types.VmStatus.POWERING_DOWN
    assert wait_for_job(engine, connection, "Shutting down VM vm1").status == types.JobStatus.FINISHED
    assert vm1.get().status == types.VmStatus.DOWN
    assert connection.system_service().events_service().list(max=1)[0].code == 61


def test_action_reply_echoes_and_names_the_job(engine):
    vm_id = engine.rhv.find("vms", "vm1").id
    host2 = engine.rhv.find("hosts", "host2").id
    r = engine.session().post(f"{engine.url}/ovirt-engine/api/vms/{vm_id}/migrate",
                              data=f'<action><async>true</async><host id="{host2}"/></action>',
                              headers={"Content-Type": "application/xml", "Correlation-Id": "mig-1"})
    assert r.status_code == 200 and r.headers["Correlation-Id"] == "mig-1"
    assert f'<host id="{host2}"/>' in r.text and "<status>complete</status>" in r.text
    job_href = r.text.split('<job href="')[1].split('"')[0]
    job = engine.session().get(engine.url + job_href)
    assert "<description>Migrating VM vm1 to Host host2</description>" in job.text
    assert "<status>started</status>" in job.text


def test_migrate_to_a_named_host(engine, connection):
    vm1 = vm_service(connection, "vm1")
    vm1.migrate(host=types.Host(name="host2"), headers={"Correlation-Id": "aci-move"})
    moving = vm1.get()
    assert moving.status == types.VmStatus.MIGRATING and host_name(connection, moving) == "host1"
    started = connection.system_service().events_service().list(max=1)[0]
    assert (started.code, started.correlation_id) == (62, "aci-move")
    assert started.description == ("Migration started (VM: vm1, Source: host1, Destination: host2, "
                                   "User: admin@internal-authz). ")
    job = wait_for_job(engine, connection, "Migrating VM vm1 to Host host2")
    assert job.status == types.JobStatus.FINISHED
    moved = vm1.get()
    assert moved.status == types.VmStatus.UP and host_name(connection, moved) == "host2"
    done = connection.system_service().events_service().list(max=1)[0]
    assert (done.code, done.correlation_id, connection.follow_link(done.host).name) == (63, "aci-move", "host2")
    assert done.description == ("Migration completed (VM: vm1, Source: host1, Destination: host2, Duration: 2 seconds, "
                                "Total: 2 seconds, Actual downtime: 80ms)")


def test_migrate_to_any_host_lets_the_engine_pick(engine, connection):
    vm1 = vm_service(connection, "vm1")
    vm1.migrate()
    assert wait_for_job(engine, connection, "Migrating VM vm1").status == types.JobStatus.FINISHED
    assert host_name(connection, vm1.get()) == "host2"


def test_migrate_with_a_future(engine, connection):
    vm1 = vm_service(connection, "vm1")
    future = vm1.migrate(host=types.Host(name="host2"), async_=True, wait=False)
    assert future.wait() is None
    engine.advance(2)
    assert host_name(connection, vm1.get()) == "host2"


def test_migration_refusals(engine, connection):
    vm1, vm2 = vm_service(connection, "vm1"), vm_service(connection, "vm2")
    cases = [
        (lambda: vm2.migrate(), 409, "[Cannot migrate VM. VM is not running.]"),
        (lambda: vm1.migrate(host=types.Host(name="host1")), 409,
         "[Cannot migrate VM. source and destination is the same.]"),
        (lambda: vm1.migrate(host=types.Host(id="00000000-1111-2222-3333-444444444444")), 409,
         "[Cannot migrate VM. Invalid Host Id.]"),
    ]
    for call, code, detail in cases:
        with pytest.raises(sdk.Error) as caught:
            call()
        assert (caught.value.code, caught.value.fault.detail) == (code, detail)
    with pytest.raises(sdk.NotFoundError) as caught:
        vm1.migrate(host=types.Host(name="host9"))
    assert caught.value.fault.detail == "Entity not found: Host: name=host9"
    vm1.migrate(host=types.Host(name="host2"))
    with pytest.raises(sdk.Error) as caught:
        vm1.migrate(host=types.Host(name="host2"))
    assert caught.value.fault.detail == "[Cannot migrate VM. VM migration is in progress]"


def test_no_other_host_to_migrate_to(engine, connection):
    engine.rhv.set_host_status("host2", "maintenance")
    vm1 = vm_service(connection, "vm1")
    with pytest.raises(sdk.Error) as caught:
        vm1.migrate()
    assert caught.value.fault.detail == (
        "[Cannot migrate VM. There is no host that satisfies current scheduling constraints. See below for details:, "
        "The host host1 did not satisfy internal filter Migration because it currently hosts the VM..]")
    with pytest.raises(sdk.Error) as caught:
        vm1.migrate(host=types.Host(name="host2"))
    assert caught.value.fault.detail == (
        "[Cannot migrate VM. Operation can be performed only when Host status is Up.]")


def test_host_maintenance_migrates_its_vms_away(engine, connection):
    hosts = connection.system_service().hosts_service()
    host1 = hosts.host_service(by_name(hosts, "host1").id)
    host1.deactivate()
    assert host1.get().status == types.HostStatus.PREPARING_FOR_MAINTENANCE
    system_move = connection.system_service().events_service().list(max=1)[0]
    assert system_move.code == 67 and system_move.description == (
        "Migration initiated by system (VM: vm1, Source: host1, Destination: host2, "
        "Reason: Host preparing for maintenance).")
    assert vm_service(connection, "vm1").get().status == types.VmStatus.MIGRATING
    job = wait_for_job(engine, connection, "Moving Host(s) host1 to Maintenance")
    assert job.status == types.JobStatus.FINISHED
    assert host1.get().status == types.HostStatus.MAINTENANCE
    assert host_name(connection, vm_service(connection, "vm1").get()) == "host2"
    codes = [e.code for e in connection.system_service().events_service().list(max=3)]
    assert codes == [620, 63, 67]
    with pytest.raises(sdk.Error) as caught:
        host1.deactivate()
    assert caught.value.fault.detail == "[Cannot switch Host to Maintenance mode. Host is already in Maintenance mode.]"
    with pytest.raises(sdk.Error) as caught:  # a host in maintenance takes no VMs
        vm_service(connection, "vm1").migrate(host=types.Host(name="host1"))
    assert caught.value.code == 409
    host1.activate()
    assert wait_for_job(engine, connection, "Invoking Activate Host host1").status == types.JobStatus.FINISHED
    assert host1.get().status == types.HostStatus.UP


def test_maintenance_refused_when_no_host_can_take_the_vms(engine, connection):
    engine.rhv.set_host_status("host2", "maintenance")
    hosts = connection.system_service().hosts_service()
    with pytest.raises(sdk.Error) as caught:
        hosts.host_service(by_name(hosts, "host1").id).deactivate()
    assert caught.value.fault.detail == (
        "[The following Hosts have running VMs and cannot be switched to maintenance mode: host1.Please ensure that "
        "the following Clusters have at least one Host in UP state: Default.]")


def test_injected_migration_failure_keeps_the_vm_on_its_source(engine, connection):
    engine.rhv.inject_migration_failure("vm1")
    vm1 = vm_service(connection, "vm1")
    vm1.migrate(host=types.Host(name="host2"))
    assert wait_for_job(engine, connection, "Migrating VM vm1 to Host host2").status == types.JobStatus.FAILED
    back = vm1.get()
    assert back.status == types.VmStatus.UP and host_name(connection, back) == "host1"
    failure = connection.system_service().events_service().list(max=1)[0]
    assert (failure.code, failure.severity) == (120, types.LogSeverity.ERROR)
    assert failure.description == ("Migration failed due to an Error: Fatal error during migration "
                                   "(VM: vm1, Source: host1, Destination: host2).")
    engine.rhv.inject_migration_failure()
    vm1.migrate()
    wait_for_job(engine, connection, "Migrating VM vm1")
    events = connection.system_service().events_service()
    assert events.list(max=1)[0].code == 65
    assert [e.code for e in events.list(search="severity>normal")] == [65, 120]
    assert [e.code for e in events.list(search="severity=error and type=120")] == [120]


def test_cross_cluster_migration_rules(engine):
    engine.load("two-clusters.yaml")
    connection = engine.connect()
    try:
        web1 = vm_service(connection, "web1")
        with pytest.raises(sdk.Error) as caught:
            web1.migrate(host=types.Host(name="host3"))
        assert caught.value.fault.detail.startswith(
            "[Cannot migrate VM. If target Cluster is not specified VM can be migrated only between Hosts in the same "
            "Cluster.\n-Please select target Host")
        with pytest.raises(sdk.Error) as caught:  # the app network is not attached to the Secondary cluster
            web1.migrate(host=types.Host(name="host3"), cluster=types.Cluster(name="Secondary"))
        assert (caught.value.code, caught.value.fault.detail) == (
            409, "[Cannot migrate VM. Selected Cluster is missing one or more networks app that is used by VM.]")
        clusters = connection.system_service().clusters_service()
        secondary = by_name(clusters, "Secondary")
        app = by_name(connection.system_service().networks_service(), "app")
        clusters.cluster_service(secondary.id).networks_service().add(types.Network(id=app.id, required=False))
        with pytest.raises(sdk.Error) as caught:  # on the cluster now, but on no NIC of host3
            web1.migrate(host=types.Host(name="host3"), cluster=types.Cluster(name="Secondary"))
        assert caught.value.fault.detail.endswith(
            "The host host3 did not satisfy internal filter Network because network(s) app are missing.]")
        batch1 = vm_service(connection, "batch1")
        batch1.migrate(cluster=types.Cluster(name="Default"))
        engine.advance(2)
        assert host_name(connection, batch1.get()) == "host2"
    finally:
        connection.close()


def test_a_migration_to_another_cluster_moves_the_vm_into_it(engine):
    """MigrateVm with a target cluster runs ChangeVMCluster once the VM is up on the destination (event 35
    before 63); while it migrates, the VM is still in its own cluster."""
    engine.load("two-clusters.yaml")
    connection = engine.connect()
    try:
        batch1 = vm_service(connection, "batch1")
        batch1.migrate(host=types.Host(name="host1"), cluster=types.Cluster(name="Default"))
        moving = batch1.get()
        assert moving.status == types.VmStatus.MIGRATING and connection.follow_link(moving.cluster).name == "Secondary"
        job = wait_for_job(engine, connection, "Migrating VM batch1 to Host host1")
        assert job.status == types.JobStatus.FINISHED
        moved = batch1.get()
        assert (host_name(connection, moved), connection.follow_link(moved.cluster).name) == ("host1", "Default")
        assert sorted(v.name for v in connection.system_service().vms_service().list(search="cluster=Default")) == [
            "batch1", "db1", "web1", "web2"]
        events = [(e.code, e.description) for e in connection.system_service().events_service().list(max=2)]
        assert events[1] == (35, "VM batch1 configuration was updated by admin@internal-authz.")
        assert events[0][0] == 63
    finally:
        connection.close()


def test_a_migration_to_a_host_whose_nic_lacks_the_network_fails_as_the_engine_fails_it(engine):
    """The Network filter reads the destination host's network attachments, not only its cluster's networks."""
    engine.load("two-clusters.yaml")
    connection = engine.connect()
    try:
        hosts = connection.system_service().hosts_service()
        host2 = hosts.host_service(by_name(hosts, "host2").id)
        app = by_name(connection.system_service().networks_service(), "app")
        attachment = next(a for a in host2.network_attachments_service().list() if a.network.id == app.id)
        host2.setup_networks(removed_network_attachments=[types.NetworkAttachment(id=attachment.id)])
        assert "eno1.110" not in [n.name for n in host2.nics_service().list()]
        with pytest.raises(sdk.Error) as caught:
            vm_service(connection, "web1").migrate(host=types.Host(name="host2"))
        assert (caught.value.code, caught.value.fault.detail) == (409, (
            "[Cannot migrate VM. There is no host that satisfies current scheduling constraints. See below for "
            "details:, The host host2 did not satisfy internal filter Network because network(s) app are missing.]"))
        assert host_name(connection, vm_service(connection, "web1").get()) == "host1"
    finally:
        connection.close()


def test_a_network_a_running_vm_uses_stays_on_its_host(engine):
    """HostSetupNetworks refuses to take a network off a host while a VM running there uses it."""
    engine.load("two-clusters.yaml")
    connection = engine.connect()
    try:
        hosts = connection.system_service().hosts_service()
        host1 = hosts.host_service(by_name(hosts, "host1").id)
        app = by_name(connection.system_service().networks_service(), "app")
        attachment = next(a for a in host1.network_attachments_service().list() if a.network.id == app.id)
        with pytest.raises(sdk.Error) as caught:
            host1.setup_networks(removed_network_attachments=[types.NetworkAttachment(id=attachment.id)])
        assert (caught.value.code, caught.value.fault.detail) == (409, (
            "[Cannot setup Networks. The following Logical Network: 'app' is being used by the following VM(s): "
            "'web1,web2' . Please stop the VM(s) and try again.]"))
        assert app.id in [a.network.id for a in host1.network_attachments_service().list()]
    finally:
        connection.close()


def test_events_from_an_id(connection):
    events = connection.system_service().events_service()
    last = events.list(max=1)[0]
    vm_service(connection, "vm1").stop()
    newer = events.list(from_=int(last.id))
    assert [e.code for e in newer] == [33] and int(newer[0].id) > int(last.id)
    assert events.list(from_=int(newer[0].id)) == []
    assert [e.code for e in events.list(search="severity>normal")] == []


def test_expired_token_reauthenticates(engine, connection):
    vms = connection.system_service().vms_service()
    assert len(vms.list()) == 2
    engine.advance(engine.rhv.config.token_lifetime + 1)
    assert len(vms.list()) == 2  # 401, a new SSO token, the request again
    logins = [e for e in connection.system_service().events_service().list() if e.code == 30]
    assert len(logins) == 2


def test_bad_password_is_an_auth_error(engine):
    connection = engine.connect(password="wrong")
    with pytest.raises(sdk.AuthError) as caught:
        connection.test(raise_exception=True)
    assert "access_denied" in str(caught.value)
    assert "Cannot authenticate user 'admin@internal'" in str(caught.value)


def test_sso_token_and_logout_as_the_engine_answers_them(engine):
    s = engine.session(auth=None)
    r = s.post(f"{engine.url}/ovirt-engine/sso/oauth/token", headers={"Accept": "application/json"},
               data={"grant_type": "password", "scope": "ovirt-app-api", "username": USER, "password": PASSWORD})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    reply = r.json()
    assert (reply["scope"], reply["token_type"]) == ("ovirt-app-api", "bearer")
    assert int(reply["exp"]) == int((engine.clock.now() + engine.rhv.config.token_lifetime) * 1000)
    bearer = {"Authorization": f"Bearer {reply['access_token']}"}
    assert s.get(f"{engine.url}/ovirt-engine/api", headers=bearer).status_code == 200
    logout = s.post(f"{engine.url}/ovirt-engine/services/sso-logout",
                    data={"scope": "ovirt-app-api", "token": reply["access_token"]})
    assert (logout.status_code, logout.json()) == (200, {})
    assert s.get(f"{engine.url}/ovirt-engine/api", headers=bearer).status_code == 401
    assert [e.code for e in engine.rhv.audit.events[-2:]] == [30, 31]
    wrong = s.post(f"{engine.url}/ovirt-engine/sso/oauth/token",
                   data={"grant_type": "password", "scope": "ovirt-app-api", "username": USER, "password": "x"})
    assert wrong.status_code == 400 and wrong.json() == {
        "error_code": "access_denied",
        "error": "Cannot authenticate user 'admin@internal': The username or password is incorrect.."}


def test_missing_vm_is_a_not_found_error(connection):
    with pytest.raises(sdk.NotFoundError) as caught:
        connection.system_service().vms_service().vm_service("does-not-exist").get()
    assert str(caught.value) == "HTTP response code is 404."


def test_wrong_user_name_is_an_auth_error(engine):
    connection = sdk.Connection(url=f"{engine.url}/ovirt-engine/api", username="nobody@internal", password=PASSWORD,
                                insecure=True)
    with pytest.raises(sdk.AuthError):
        connection.test(raise_exception=True)
