"""The real ovirtsdk4 changing the simulated engine: logical networks with VLANs (and their
default profile), cluster attachments, vNIC profiles, VM NICs, labels, removal, correlation ids,
and the engine's faults for each refusal."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from rhv_support import by_name

EPG = "tn1|ap1|epg1"


def add_epg_network(connection, name=EPG, vlan=1001, **kwargs):
    return connection.system_service().networks_service().add(
        types.Network(name=name, data_center=types.DataCenter(name="Default"), vlan=types.Vlan(id=vlan), mtu=1500,
                      usages=[types.NetworkUsage.VM], description="EPG network"), **kwargs)


def test_add_network_with_vlan_creates_its_profile(connection):
    network = add_epg_network(connection)
    assert network.vlan.id == 1001 and network.mtu == 1500 and network.usages == [types.NetworkUsage.VM]
    assert network.vdsm_name == "on" + network.id.replace("-", "")[:13]
    assert network.data_center.id == connection.system_service().data_centers_service().list()[0].id
    service = connection.system_service().networks_service().network_service(network.id)
    assert service.get().name == EPG
    assert [p.name for p in service.vnic_profiles_service().list()] == [EPG]


def test_add_network_answers_201_with_location(engine):
    s = engine.session()
    dc = engine.rhv.find("data_centers", "Default")
    r = s.post(f"{engine.url}/ovirt-engine/api/datacenters/{dc.id}/networks",
               data="<network><name>tn1|ap1|epg2</name><vlan id='1002'/></network>",
               headers={"Content-Type": "application/xml"})
    assert r.status_code == 201
    network_id = r.text.split('id="')[1].split('"')[0]
    assert r.headers["Location"] == f"{engine.url}/ovirt-engine/api/networks/{network_id}"
    assert "<vdsm_name>on" in r.text and '<vlan id="1002"/>' in r.text


def test_add_network_from_json(engine):
    s = engine.session()
    r = s.post(f"{engine.url}/ovirt-engine/api/networks",
               json={"name": "json-net", "data_center": {"name": "Default"}, "vlan": {"id": 77}},
               headers={"Accept": "application/json"})
    assert r.status_code == 201
    body = r.json()
    assert body["vlan"] == {"id": 77} and body["vdsm_name"] == "json-net" and body["stp"] == "false"


def test_duplicate_network_name_is_a_409(connection):
    add_epg_network(connection)
    with pytest.raises(sdk.Error) as caught:
        add_epg_network(connection, vlan=1003)
    assert caught.value.code == 409
    assert caught.value.fault.detail.startswith(
        f"[Cannot add Network. The name of the logical network '{EPG}' is already used by an existing logical "
        "network in the same data-center.")


def test_network_without_a_name_is_incomplete(connection):
    with pytest.raises(sdk.Error) as caught:
        connection.system_service().networks_service().add(types.Network(data_center=types.DataCenter(name="Default")))
    assert caught.value.code == 400
    assert (caught.value.fault.reason, caught.value.fault.detail) == (
        "Incomplete parameters", "Network [name] required for add")


def test_vlan_out_of_range_is_a_400(connection):
    with pytest.raises(sdk.Error) as caught:
        add_epg_network(connection, vlan=5000)
    assert caught.value.code == 400 and "VLAN ID must be a number between 0 and 4094." in caught.value.fault.detail


def test_unknown_data_center_name_is_a_404(connection):
    with pytest.raises(sdk.NotFoundError) as caught:
        connection.system_service().networks_service().add(
            types.Network(name="x", data_center=types.DataCenter(name="Nowhere")))
    assert caught.value.fault.detail == "Entity not found: Datacenter: name=Nowhere"


def test_attach_network_to_cluster_and_read_it_back(connection):
    network = add_epg_network(connection)
    clusters = connection.system_service().clusters_service()
    cluster = clusters.list()[0]
    cluster_networks = clusters.cluster_service(cluster.id).networks_service()
    attached = cluster_networks.add(types.Network(id=network.id, required=False))
    assert attached.id == network.id and attached.required is False
    assert attached.cluster.id == cluster.id
    assert {n.name for n in cluster_networks.list()} == {"ovirtmgmt", EPG}
    assert cluster_networks.network_service(network.id).get().name == EPG
    management = cluster_networks.network_service(cluster.management_network.id).get()
    assert types.NetworkUsage.MANAGEMENT in management.usages and management.required is True
    with pytest.raises(sdk.Error) as caught:
        cluster_networks.add(types.Network(id=network.id))
    assert caught.value.code == 409 and caught.value.fault.detail == "[Logical Network is already attached to Cluster.]"


def test_add_vnic_profile_and_a_nic_using_it(connection):
    network = add_epg_network(connection)
    system = connection.system_service()
    cluster = system.clusters_service().list()[0]
    system.clusters_service().cluster_service(cluster.id).networks_service().add(types.Network(id=network.id))
    profile = system.vnic_profiles_service().add(types.VnicProfile(name="epg1-profile",
                                                                   network=types.Network(id=network.id)))
    assert profile.network.id == network.id and profile.pass_through.mode == types.VnicPassThroughMode.DISABLED
    vm2 = by_name(system.vms_service(), "vm2")
    nics = system.vms_service().vm_service(vm2.id).nics_service()
    nic = nics.add(types.Nic(name="nic1", interface=types.NicInterface.VIRTIO,
                             vnic_profile=types.VnicProfile(id=profile.id)))
    assert nic.vnic_profile.id == profile.id and nic.mac.address.startswith("56:6f:1a:2b:")
    assert nic.mac.address not in {"56:6f:1a:2b:00:01"}
    assert [n.name for n in nics.list()] == ["nic1"]
    events = system.events_service().list(max=3)
    assert events[0].code == 932 and events[0].description == (
        "Interface nic1 (VirtIO) was added to VM vm2. (User: admin@internal-authz)")


def test_nic_refusals(connection):
    system = connection.system_service()
    network = add_epg_network(connection)
    profile = system.networks_service().network_service(network.id).vnic_profiles_service().list()[0]
    vm1 = by_name(system.vms_service(), "vm1")
    nics = system.vms_service().vm_service(vm1.id).nics_service()
    with pytest.raises(sdk.Error) as caught:  # the network is not attached to vm1's cluster
        nics.add(types.Nic(name="nic2", vnic_profile=types.VnicProfile(id=profile.id)))
    assert caught.value.fault.detail == "[The specified Logical Network doesn't exist in the current Cluster.]"
    with pytest.raises(sdk.Error) as caught:
        nics.add(types.Nic(name="nic1"))
    assert (caught.value.code, caught.value.fault.detail) == (409, "[Network interface is already in use.]")
    with pytest.raises(sdk.Error) as caught:
        nics.add(types.Nic(name="nic3", mac=types.Mac(address="56:6f:1a:2b:00:01")))
    assert caught.value.fault.detail == "[MAC Address is already in use.]"


def test_remove_network_answers_200_and_takes_its_profiles(engine, connection):
    network = add_epg_network(connection)
    service = connection.system_service().networks_service().network_service(network.id)
    service.remove()
    with pytest.raises(sdk.NotFoundError):
        service.get()
    assert [p.name for p in connection.system_service().vnic_profiles_service().list()] == ["ovirtmgmt"]
    r = engine.session().delete(f"{engine.url}/ovirt-engine/api/networks/{network.id}")
    assert (r.status_code, r.content) == (404, b"")


def test_network_removal_refused_while_a_nic_uses_it(connection):
    system = connection.system_service()
    network = add_epg_network(connection)
    cluster = system.clusters_service().list()[0]
    system.clusters_service().cluster_service(cluster.id).networks_service().add(types.Network(id=network.id))
    profile = system.networks_service().network_service(network.id).vnic_profiles_service().list()[0]
    vm2 = by_name(system.vms_service(), "vm2")
    nics = system.vms_service().vm_service(vm2.id).nics_service()
    nic = nics.add(types.Nic(name="nic1", vnic_profile=types.VnicProfile(id=profile.id)))
    service = system.networks_service().network_service(network.id)
    with pytest.raises(sdk.Error) as caught:
        service.remove()
    assert caught.value.code == 409
    assert caught.value.fault.detail == ("[Cannot remove Network. This logical network is used by virtual machine: vm2"
                                         "\n - Please remove it from this virtual machine and try again.]")
    with pytest.raises(sdk.Error) as caught:
        system.vnic_profiles_service().profile_service(profile.id).remove()
    assert "This VM network interface profile is used by virtual machine:  vm2." in caught.value.fault.detail
    nics.nic_service(nic.id).remove()
    service.remove()


def test_management_network_cannot_be_removed(connection):
    networks = connection.system_service().networks_service()
    mgmt = by_name(networks, "ovirtmgmt")
    with pytest.raises(sdk.Error) as caught:
        networks.network_service(mgmt.id).remove()
    assert caught.value.fault.detail == "[The Management Network ('ovirtmgmt') is mandatory and cannot be removed.]"


def test_network_labels(connection):
    network = add_epg_network(connection)
    labels = connection.system_service().networks_service().network_service(network.id).network_labels_service()
    assert labels.add(types.NetworkLabel(id="epg_label")).id == "epg_label"
    assert [label.id for label in labels.list()] == ["epg_label"]
    labels.label_service("epg_label").remove()
    assert labels.list() == []


def test_correlation_id_is_echoed_and_stored_on_jobs_and_events(engine, connection):
    add_epg_network(connection, headers={"Correlation-Id": "aci-add-net-1"})
    events = connection.system_service().events_service().list(max=1)
    assert (events[0].code, events[0].correlation_id) == (942, "aci-add-net-1")
    assert events[0].description == f"Finished adding Network {EPG} to Data Center: Default"
    job = engine.rhv.jobs.jobs[next(reversed(engine.rhv.jobs.jobs))]
    assert (job.description, job.correlation_id) == (f"Adding network {EPG} to Data Center: Default", "aci-add-net-1")
    r = engine.session().get(f"{engine.url}/ovirt-engine/api/vms?correlation_id=my.id!x", headers={})
    assert r.headers["Correlation-Id"] == "myidx"
    generated = engine.session().get(f"{engine.url}/ovirt-engine/api").headers["Correlation-Id"]
    assert len(generated) == 8
