"""The real ovirtsdk4 reading the simulated engine: connect, the API root, every collection,
search, max, follow (client-side links and server-side `?follow=`), JSON, and the URL forms."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
from rhv_support import PASSWORD, USER, by_name

from simulator.rhv.rest import create_app
from simulator.serving import serve_in_thread


def test_connect_and_test(connection):
    assert connection.test(raise_exception=True) is True


def test_api_root_has_product_info_and_summary(engine, connection):
    api = connection.system_service().get()
    assert api.product_info.name == "Red Hat Virtualization Manager"
    assert api.product_info.version.major == 4 and api.product_info.version.full_version == "4.5.3.5-1.el8ev"
    assert (api.summary.hosts.total, api.summary.hosts.active) == (2, 2)
    assert (api.summary.vms.total, api.summary.vms.active) == (2, 1)
    assert api.special_objects.blank_template.id == "00000000-0000-0000-0000-000000000000"
    assert api.time.timestamp() == engine.clock.now()
    assert connection.follow_link(api.authenticated_user).user_name == "admin@internal-authz"


def test_every_collection_lists(connection):
    system = connection.system_service()
    names = {
        "data_centers": ["Default"], "clusters": ["Default"], "hosts": ["host1", "host2"],
        "networks": ["ovirtmgmt"], "vnic_profiles": ["ovirtmgmt"], "vms": ["vm1", "vm2"],
        "templates": ["Blank"], "users": ["admin"], "tags": ["root"], "storage_domains": [],
    }
    for collection, expected in names.items():
        listed = getattr(system, f"{collection}_service")().list()
        assert [item.name for item in listed] == expected, collection
    assert system.jobs_service().list() == []
    assert [e.code for e in system.events_service().list()] == [30]  # this connection's login


def test_entities_carry_what_clients_read(connection):
    system = connection.system_service()
    vm1 = by_name(system.vms_service(), "vm1")
    assert vm1.status == types.VmStatus.UP and vm1.cpu.topology.sockets == 2 and vm1.memory == 2 * 1024**3
    assert vm1.fqdn == "vm1.example.com"
    vm2 = by_name(system.vms_service(), "vm2")
    assert vm2.status == types.VmStatus.DOWN and vm2.host is None and vm2.cpu is not None
    host = by_name(system.hosts_service(), "host1")
    assert host.status == types.HostStatus.UP and host.port == 54321 and host.summary.active == 1
    network = by_name(system.networks_service(), "ovirtmgmt")
    assert network.vdsm_name == "ovirtmgmt" and network.vlan is None and network.usages == [types.NetworkUsage.VM]
    cluster = system.clusters_service().list()[0]
    assert cluster.management_network.id == network.id and cluster.cpu.type == "Intel Cascadelake Server Family"


def test_follow_links_everywhere(connection):
    system = connection.system_service()
    vm1 = by_name(system.vms_service(), "vm1")
    assert connection.follow_link(vm1.host).name == "host1"
    assert connection.follow_link(vm1.cluster).name == "Default"
    nics = connection.follow_link(vm1.nics)
    assert [(n.name, n.mac.address) for n in nics] == [("nic1", "56:6f:1a:2b:00:01")]
    profile = connection.follow_link(nics[0].vnic_profile)
    assert connection.follow_link(profile.network).name == "ovirtmgmt"
    devices = connection.follow_link(vm1.reported_devices)
    assert [(d.name, [ip.address for ip in d.ips]) for d in devices] == [("eth0", ["192.168.10.101"])]
    dc = system.data_centers_service().list()[0]
    assert [c.name for c in connection.follow_link(dc.clusters)] == ["Default"]
    assert [n.name for n in connection.follow_link(dc.networks)] == ["ovirtmgmt"]
    assert connection.follow_link(dc.storage_domains) == []
    assert connection.follow_link(vm1.disk_attachments) == []


def test_host_nics_tell_which_leaf_port_they_are_cabled_to(engine, connection):
    engine.rhv.set_lldp_neighbours({("host2", "eno2"): {
        "chassis_id": "00:3a:9c:01:00:66", "port_id": "eth1/2",
        "port_description": "topology/pod-1/paths-102/pathep-[eth1/2]", "system_name": "leaf-102",
        "system_description": "topology/pod-1/node-102"}})
    hosts = connection.system_service().hosts_service()
    host = by_name(hosts, "host2")
    nics = hosts.host_service(host.id).nics_service()
    listed = {n.name: n for n in nics.list()}
    assert listed["eno1"].ip.address == "192.168.10.12" and listed["eno1"].network is not None
    lldp = nics.nic_service(listed["eno2"].id).link_layer_discovery_protocol_elements_service().list()
    tlvs = {e.name: {p.name: p.value for p in e.properties} for e in lldp}
    assert tlvs["System Name"]["system name"] == "leaf-102"
    assert tlvs["Port ID"]["port ID"] == "eth1/2"
    assert tlvs["Port Description"]["port description"] == "topology/pod-1/paths-102/pathep-[eth1/2]"


def test_search_max_and_case_sensitivity(connection):
    vms = connection.system_service().vms_service()
    assert [v.name for v in vms.list(search="name=vm1")] == ["vm1"]
    assert [v.name for v in vms.list(search='name="VM1"')] == ["vm1"]
    assert vms.list(search="name=VM1", case_sensitive=True) == []
    assert [v.name for v in vms.list(search="name=vm*")] == ["vm1", "vm2"]
    assert [v.name for v in vms.list(search="status=up")] == ["vm1"]
    assert [v.name for v in vms.list(search="host=host1 and status=up")] == ["vm1"]
    assert [v.name for v in vms.list(search="name=vm1 or name=vm2 sortby name desc")] == ["vm2", "vm1"]
    assert [v.name for v in vms.list(search="ip=192.168.10.101")] == ["vm1"]
    assert len(vms.list(max=1)) == 1
    hosts = connection.system_service().hosts_service()
    assert [h.name for h in hosts.list(search="status=up", case_sensitive=False, max=10)] == ["host1", "host2"]
    dcs = connection.system_service().data_centers_service()
    assert [d.name for d in dcs.list(search="Clusters.name=Default")] == ["Default"]
    templates = connection.system_service().templates_service()
    assert [t.name for t in templates.list(search="vm.name=vm1")] == ["Blank"]


def test_bad_search_is_a_400_fault(connection):
    vms = connection.system_service().vms_service()
    try:
        vms.list(search="nosuchfield=1")
    except sdk.Error as err:
        assert err.code == 400 and err.fault is not None
    else:
        raise AssertionError("an unknown search field must fail")


def test_server_side_follow_inlines_collections_and_references(engine):
    s = engine.session()
    r = s.get(f"{engine.url}/ovirt-engine/api/vms?search=name%3Dvm1&follow=nics.vnic_profile,host",
              headers={"Accept": "application/json"})
    vm = r.json()["vm"][0]
    assert vm["host"]["name"] == "host1"
    assert vm["nics"]["nic"][0]["vnic_profile"]["name"] == "ovirtmgmt"
    assert not any(link["rel"] == "nics" for link in vm["link"])


def test_json_on_accept(engine):
    s = engine.session()
    r = s.get(f"{engine.url}/ovirt-engine/api/hosts", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    host = r.json()["host"][0]
    assert host["name"] == "host1" and host["port"] == 54321 and host["href"].startswith("/ovirt-engine/api/hosts/")
    assert host["spm"]["status"] == "spm" and host["update_available"] == "false"
    empty = s.get(f"{engine.url}/ovirt-engine/api/storagedomains", headers={"Accept": "application/json"})
    assert empty.json() == {}
    xml = s.get(f"{engine.url}/ovirt-engine/api/hosts")
    assert xml.headers["Content-Type"] == "application/xml" and xml.text.startswith("<?xml")


def test_v4_path_and_version_header(engine):
    s = engine.session()
    r = s.get(f"{engine.url}/ovirt-engine/api/v4/vms", headers={"Accept": "application/json"})
    assert r.json()["vm"][0]["href"].startswith("/ovirt-engine/api/v4/vms/")
    assert s.get(f"{engine.url}/ovirt-engine/api", headers={"Version": "4"}).status_code == 200
    old = s.get(f"{engine.url}/ovirt-engine/api", headers={"Version": "3"})
    assert old.status_code == 400 and "<fault>" in old.text


def test_sdk_on_the_v4_url_verifying_the_certificate(engine):
    conn = sdk.Connection(url=f"{engine.url}/ovirt-engine/api/v4", username=USER, password=PASSWORD,
                          ca_file=str(engine.ca_file))
    try:
        vm1 = by_name(conn.system_service().vms_service(), "vm1")
        assert conn.follow_link(vm1.host).name == "host1"
    finally:
        conn.close()


def test_unknown_paths_and_ids_are_empty_404s(engine):
    s = engine.session()
    for path in ("/ovirt-engine/api/nosuch", "/ovirt-engine/api/vms/nosuch", "/ovirt-engine/api/vms/nosuch/nics",
                 "/ovirt-engine/nosuch", "/elsewhere"):
        r = s.get(engine.url + path)
        assert (r.status_code, r.content) == (404, b""), path


def test_empty_parameters_count_as_absent(engine):
    r = engine.session().get(f"{engine.url}/ovirt-engine/api/vms?follow=&search=", headers={"Accept": "application/json"})
    assert [vm["name"] for vm in r.json()["vm"]] == ["vm1", "vm2"]


def test_what_ovirt_ansible_polls(engine, connection):
    system = connection.system_service()
    cluster = system.clusters_service().list()[0]
    network = by_name(system.networks_service(), "ovirtmgmt")
    assert system.clusters_service().cluster_service(cluster.id).networks_service() \
        .network_service(network.id).get().name == "ovirtmgmt"
    vm1 = by_name(system.vms_service(), "vm1")
    assert system.vms_service().vm_service(vm1.id).numa_nodes_service().list() == []
    updated = system.vms_service().vm_service(vm1.id).update(types.Vm(description="web tier"))
    assert updated.description == "web tier" and updated.status == types.VmStatus.UP


def test_the_ca_certificate_is_published(engine):
    r = engine.session(auth=None).get(
        f"{engine.url}/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA")
    assert r.status_code == 200 and r.content == engine.ca_file.read_bytes()


def test_plain_http_works_too(engine, tmp_path):
    server = serve_in_thread(create_app(engine.rhv), tls=False)
    try:
        conn = sdk.Connection(url=f"{server.url}/ovirt-engine/api", username=USER, password=PASSWORD)
        assert conn.test(raise_exception=True)
        assert [v.name for v in conn.system_service().vms_service().list()] == ["vm1", "vm2"]
        conn.close()
    finally:
        server.stop()


def test_basic_auth_for_curl_users(engine):
    s = engine.session(auth=None)
    r = s.get(f"{engine.url}/ovirt-engine/api/datacenters", auth=(USER, PASSWORD))
    assert r.status_code == 200 and "<name>Default</name>" in r.text
    assert s.get(f"{engine.url}/ovirt-engine/api/datacenters", auth=(USER, "wrong")).status_code == 401

