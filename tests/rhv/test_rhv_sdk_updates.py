"""The real ovirtsdk4 updating the simulated engine: vNIC profiles (name, description, network
filter, pass-through), a new profile's network filter (the engine's default unless the request
carries an empty <network_filter/>), the engine's network filters, and a VM's placement policy
(affinity and pinned hosts); with the engine's faults for each refusal."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from rhv_support import app_network, by_name, on_host

from simulator.rhv.model.network_filters import NETWORK_FILTERS

API = "/ovirt-engine/api"
DEFAULT_FILTER = "vdsm-no-mac-spoofing"
MISSING = "6e0b1c52-0000-4000-8000-000000000000"




def add_profile(connection, network, name="app-profile", **kwargs):
    return connection.system_service().vnic_profiles_service().add(
        types.VnicProfile(name=name, network=types.Network(id=network.id), **kwargs))


def filter_named(connection, name: str):
    [found] = [f for f in connection.system_service().network_filters_service().list() if f.name == name]
    return found


def profile_service(connection, profile_id: str):
    return connection.system_service().vnic_profiles_service().profile_service(profile_id)


# --- network filters -------------------------------------------------------------------------------
def test_network_filters_list_and_entity(connection):
    service = connection.system_service().network_filters_service()
    filters = {f.name: f for f in service.list()}
    assert {DEFAULT_FILTER, "allow-dhcp", "clean-traffic", "no-mac-spoofing", "block-file-sharing"} <= set(filters)
    assert len(filters) == len(NETWORK_FILTERS)
    default = service.network_filter_service(filters[DEFAULT_FILTER].id).get()
    assert (default.name, default.version.major, default.version.minor, default.version.build) == (
        DEFAULT_FILTER, 3, 2, -1)
    cluster = by_name(connection.system_service().clusters_service(), "Default")
    in_cluster = connection.system_service().clusters_service().cluster_service(cluster.id).network_filters_service()
    assert {f.name for f in in_cluster.list()} == set(filters)


def test_unknown_network_filter_is_a_bare_404(engine):
    r = engine.session().get(f"{engine.url}{API}/networkfilters/{MISSING}")
    assert (r.status_code, r.text) == (404, "")


# --- a new profile's filter ------------------------------------------------------------------------
def test_profile_without_a_filter_element_gets_the_default_filter(connection):
    profile = add_profile(connection, app_network(connection))
    assert connection.follow_link(profile.network_filter).name == DEFAULT_FILTER
    assert profile.migratable is None  # the engine shows it on pass-through profiles only


def test_empty_network_filter_creates_a_profile_without_a_filter(connection):
    profile = add_profile(connection, app_network(connection), network_filter=types.NetworkFilter())
    assert profile.network_filter is None
    assert profile_service(connection, profile.id).get().network_filter is None


def test_empty_network_filter_from_json(engine, connection):
    network = app_network(connection)
    r = engine.session().post(f"{engine.url}{API}/vnicprofiles", headers={"Accept": "application/json"},
                              json={"name": "json-profile", "network": {"id": network.id}, "network_filter": {}})
    assert r.status_code == 201
    assert "network_filter" not in r.json()


def test_pass_through_profile_has_no_filter_and_shows_migratable(connection):
    profile = add_profile(connection, app_network(connection), migratable=True,
                          pass_through=types.VnicPassThrough(mode=types.VnicPassThroughMode.ENABLED))
    assert profile.network_filter is None and profile.migratable is True


def test_profile_with_an_unknown_filter_is_refused(connection):
    with pytest.raises(sdk.Error) as caught:
        add_profile(connection, app_network(connection), network_filter=types.NetworkFilter(id=MISSING))
    assert (caught.value.code, caught.value.fault.detail) == (
        409, f"[Cannot add VM network interface profile. vNIC profile 'app-profile' has an invalid network filter id "
             f"'{MISSING}'.]")


# --- updating a profile -----------------------------------------------------------------------------
def test_update_profile_name_description_and_filter(connection):
    profile = add_profile(connection, app_network(connection))
    dhcp = filter_named(connection, "allow-dhcp")
    updated = profile_service(connection, profile.id).update(types.VnicProfile(
        name="renamed", description="with DHCP only", network_filter=types.NetworkFilter(id=dhcp.id)))
    assert (updated.id, updated.name, updated.description, updated.network_filter.id) == (
        profile.id, "renamed", "with DHCP only", dhcp.id)
    again = profile_service(connection, profile.id).get()
    assert (again.name, again.network_filter.id, again.network.id) == ("renamed", dhcp.id, profile.network.id)
    event = connection.system_service().events_service().list(max=1)[0]
    assert (event.code, event.description) == (
        1124, "VM network interface profile renamed was updated for network app-net in Data Center: Default. "
              "(User: admin@internal-authz)")


def test_update_with_an_empty_filter_removes_it_and_keeps_the_rest(connection):
    profile = add_profile(connection, app_network(connection), description="kept")
    updated = profile_service(connection, profile.id).update(types.VnicProfile(network_filter=types.NetworkFilter()))
    assert (updated.name, updated.description, updated.network_filter) == ("app-profile", "kept", None)


def test_update_unknown_profile_is_a_404(connection):
    with pytest.raises(sdk.NotFoundError) as caught:
        profile_service(connection, MISSING).update(types.VnicProfile(name="x"))
    assert caught.value.code == 404


def test_update_profile_refusals(connection):
    network = app_network(connection)
    profile = add_profile(connection, network)
    service = profile_service(connection, profile.id)
    with pytest.raises(sdk.Error) as caught:  # the network's own profile already has that name
        service.update(types.VnicProfile(name="app-net"))
    assert (caught.value.code, caught.value.fault.detail) == (
        409, "[Cannot update VM network interface profile. The VM network interface profile's name is already used by "
             "an existing profile for the same network.\n-Please choose a different name.]")
    with pytest.raises(sdk.Error) as caught:
        service.update(types.VnicProfile(network_filter=types.NetworkFilter(id=MISSING)))
    assert caught.value.code == 409 and "has an invalid network filter id" in caught.value.fault.detail
    with pytest.raises(sdk.Error) as caught:
        service.update(types.VnicProfile(network_filter=types.NetworkFilter(id="no-such-filter")))
    assert (caught.value.code, caught.value.fault.reason, caught.value.fault.detail) == (
        400, "Operation failed", "Invalid UUID string: no-such-filter")
    ovirtmgmt = by_name(connection.system_service().networks_service(), "ovirtmgmt")
    with pytest.raises(sdk.Error) as caught:
        service.update(types.VnicProfile(network=types.Network(id=ovirtmgmt.id)))
    assert caught.value.fault.detail == (
        "[Cannot update VM network interface profile. VM network interface profile's network cannot be changed.]")
    with pytest.raises(sdk.Error) as caught:  # the default filter stays, which pass-through forbids
        service.update(types.VnicProfile(pass_through=types.VnicPassThrough(mode=types.VnicPassThroughMode.ENABLED)))
    assert caught.value.fault.detail == (
        "[Cannot update VM network interface profile. 'Port Mirroring,'Qos' and 'Network Filter' are not supported "
        "on passthrough profiles.]")
    after = service.get()  # every refusal changed nothing
    assert (after.name, after.network.id, connection.follow_link(after.network_filter).name) == (
        "app-profile", network.id, DEFAULT_FILTER)


def test_port_mirroring_cannot_change_while_a_vm_uses_the_profile(connection):
    network = app_network(connection)
    on_host(connection, network)  # vm1 runs on host1: the NIC it gets plugged is hot-plugged there
    profile = add_profile(connection, network)
    system = connection.system_service()
    vm1 = by_name(system.vms_service(), "vm1")
    system.vms_service().vm_service(vm1.id).nics_service().add(
        types.Nic(name="nic2", vnic_profile=types.VnicProfile(id=profile.id)))
    with pytest.raises(sdk.Error) as caught:
        profile_service(connection, profile.id).update(types.VnicProfile(port_mirroring=True))
    assert caught.value.code == 409 and "is used by virtual machine:  vm1" in caught.value.fault.detail
    assert profile_service(connection, profile.id).update(types.VnicProfile(description="fine")).description == "fine"


def test_update_profile_bad_boolean_is_a_400(engine, connection):
    profile = add_profile(connection, app_network(connection))
    r = engine.session().put(f"{engine.url}{API}/vnicprofiles/{profile.id}",
                             data="<vnic_profile><port_mirroring>maybe</port_mirroring></vnic_profile>",
                             headers={"Content-Type": "application/xml"})
    assert r.status_code == 400 and "<fault>" in r.text and "isn't a valid boolean" in r.text


def test_update_profile_from_json(engine, connection):
    profile = add_profile(connection, app_network(connection))
    r = engine.session().put(f"{engine.url}{API}/vnicprofiles/{profile.id}", headers={"Accept": "application/json"},
                             json={"description": "from JSON", "network_filter": {}})
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == profile.id and body["description"] == "from JSON" and "network_filter" not in body


# --- a VM's placement policy -------------------------------------------------------------------------
def vm_service(connection, name="vm1"):
    vms = connection.system_service().vms_service()
    return vms.vm_service(by_name(vms, name).id)


def test_placement_policy_round_trip(connection):
    service = vm_service(connection)
    host1 = by_name(connection.system_service().hosts_service(), "host1")
    updated = service.update(types.Vm(placement_policy=types.VmPlacementPolicy(
        affinity=types.VmAffinity.USER_MIGRATABLE, hosts=[types.Host(name="host1")])))
    assert updated.placement_policy.affinity == types.VmAffinity.USER_MIGRATABLE
    assert [h.id for h in updated.placement_policy.hosts] == [host1.id]
    policy = service.get().placement_policy
    assert [connection.follow_link(h).name for h in policy.hosts] == ["host1"]
    # a policy without hosts clears them; one without an affinity keeps it
    cleared = service.update(types.Vm(placement_policy=types.VmPlacementPolicy()))
    assert (cleared.placement_policy.affinity, cleared.placement_policy.hosts) == (
        types.VmAffinity.USER_MIGRATABLE, None)


def test_placement_policy_shapes_in_xml_and_json(engine, connection):
    service = vm_service(connection)
    host2 = by_name(connection.system_service().hosts_service(), "host2")
    service.update(types.Vm(placement_policy=types.VmPlacementPolicy(
        affinity=types.VmAffinity.MIGRATABLE, hosts=[types.Host(id=host2.id)])))
    url = f"{engine.url}{API}/vms/{service.get().id}"
    xml = engine.session().get(url).text
    assert (f'<placement_policy>\n        <affinity>migratable</affinity>\n        <hosts>\n'
            f'            <host href="{API}/hosts/{host2.id}" id="{host2.id}"/>\n        </hosts>\n'
            f'    </placement_policy>') in xml
    body = engine.session().get(url, headers={"Accept": "application/json"}).json()
    assert body["placement_policy"] == {"affinity": "migratable",
                                        "hosts": {"host": [{"href": f"{API}/hosts/{host2.id}", "id": host2.id}]}}


def test_placement_with_an_unknown_host(connection):
    service = vm_service(connection)
    with pytest.raises(sdk.Error) as caught:
        service.update(types.Vm(placement_policy=types.VmPlacementPolicy(hosts=[types.Host(name="host9")])))
    assert (caught.value.code, caught.value.fault.reason, caught.value.fault.detail) == (
        404, "Operation Failed", "Entity not found: host9")
    with pytest.raises(sdk.Error) as caught:
        service.update(types.Vm(placement_policy=types.VmPlacementPolicy(hosts=[types.Host(id=MISSING)])))
    assert (caught.value.code, caught.value.fault.detail) == (
        409, "[Cannot update VM. VM is pinned to a specific host. The required host doesn't exist.]")
    with pytest.raises(sdk.Error) as caught:
        service.update(types.Vm(placement_policy=types.VmPlacementPolicy(hosts=[types.Host(id="host9")])))
    assert (caught.value.code, caught.value.fault.detail) == (400, "Invalid UUID string: host9")


def test_pinning_a_running_vm_elsewhere_is_refused_and_changes_nothing(connection):
    service = vm_service(connection)  # vm1 runs on host1
    with pytest.raises(sdk.Error) as caught:
        service.update(types.Vm(name="vm1-renamed", placement_policy=types.VmPlacementPolicy(
            affinity=types.VmAffinity.PINNED, hosts=[types.Host(name="host2")])))
    assert (caught.value.code, caught.value.fault.detail) == (
        409, "[Cannot update VM. Running VM is hosted on host1. Include host1 in dedicated hosts, or migrate VM to "
             "dedicated host prior to pinning.]")
    vm = service.get()
    assert (vm.name, vm.placement_policy.affinity, vm.placement_policy.hosts) == (
        "vm1", types.VmAffinity.MIGRATABLE, None)
    pinned = service.update(types.Vm(placement_policy=types.VmPlacementPolicy(
        affinity=types.VmAffinity.PINNED, hosts=[types.Host(name="host1")])))
    assert pinned.placement_policy.affinity == types.VmAffinity.PINNED
