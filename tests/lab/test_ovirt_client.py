"""The APIC's oVirt client against the lab's served RHV Manager: what it reads matches what the real SDK
sees, and every failure (nothing listening, a wrong password, no such data center) is one short error;
a part of the inventory the engine fails to serve comes back named as partial; the logical network an
EPG becomes is provisioned (network, profile, clusters, fabric-facing host NICs) once, and removed unless
a VM NIC still uses it, which the engine refuses in its own words. Between syncs, the events since a
position name what changed in the data center (sign-ins and other data centers' events aside), and only
that is read again, in a handful of requests."""

from __future__ import annotations

import socket

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest

from simulator.adapters.ovirt_client import OvirtClient, OvirtInventorySource
from simulator.apic.managers.vmm_ports import (
    Changes,
    ControllerEndpoint,
    ControllerError,
    DataCenterNotFound,
    LogicalNetwork,
    NetworkInUse,
)
from simulator.pytest_plugin import sim_session

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def _sdk_view(url: str):
    connection = sdk.Connection(url=f"{url}/ovirt-engine/api", username="admin@internal",
                                password="redhat123", insecure=True)
    try:
        system = connection.system_service()
        hosts = {h.id: h.name for h in system.hosts_service().list()}
        vms = {v.id: (v.name, v.host.id if v.host else "") for v in system.vms_service().list()}
        return hosts, vms
    finally:
        connection.close()


def test_the_inventory_is_what_the_sdk_sees(served):
    _, server = served
    inventory = OvirtClient(server.url, "admin@internal", "redhat123").inventory("Default")
    hosts, vms = _sdk_view(server.url)
    assert inventory.product.name == "Red Hat Virtualization Manager"
    assert inventory.product.vendor == "Red Hat"
    assert inventory.product.version.startswith("4.5")
    assert inventory.clusters == ("Default",)
    assert {h.id: h.name for h in inventory.hosts} == hosts
    assert {h.cluster for h in inventory.hosts} == {"Default"} and inventory.partial == ()
    assert {v.id: (v.name, v.host_id) for v in inventory.vms} == vms
    assert inventory.last_event > 0

    host1 = next(h for h in inventory.hosts if h.name == "host1")
    eno1 = next(n for n in host1.nics if n.name == "eno1")
    assert eno1.mac == "00:1a:4a:10:00:11"
    assert eno1.lldp["Port Description"].startswith("topology/pod-")
    vm1 = next(v for v in inventory.vms if v.name == "vm1")
    assert vm1.powered_on and vm1.status == "up"
    nic = vm1.nics[0]
    assert (nic.mac, nic.network, nic.ips) == ("56:6f:1a:2b:00:01", "ovirtmgmt", ("192.168.10.101",))
    assert not next(v for v in inventory.vms if v.name == "vm2").powered_on


def test_the_inventory_position_is_the_newest_event(served):
    _, server = served
    client = OvirtClient(server.url, "admin@internal", "redhat123")
    inventory = client.inventory("Default")
    assert inventory.last_event == client.newest_event_id() > 0


def test_the_source_uses_https_on_443_unless_the_address_serves_plain_http():
    endpoint = ControllerEndpoint("rhvm.example", 0, "Default", "admin@internal", "pw")
    assert OvirtInventorySource().base_url(endpoint) == "https://rhvm.example:443"
    plain = OvirtInventorySource(plain_http=lambda host, port: (host, port) == ("127.0.0.1", 8080))
    lab_engine = ControllerEndpoint("127.0.0.1", 8080, "Default", "u", "p")
    assert plain.base_url(lab_engine) == "http://127.0.0.1:8080"
    assert "pw" not in repr(endpoint)


def test_a_wrong_password_is_the_engines_refusal(served):
    _, server = served
    with pytest.raises(ControllerError, match="SSO login failed: Cannot authenticate user 'admin@internal'"):
        OvirtClient(server.url, "admin@internal", "wrong").inventory("Default")


def test_an_unknown_data_center(served):
    _, server = served
    with pytest.raises(DataCenterNotFound, match="^Failed to find datacenter Nowhere$"):
        OvirtClient(server.url, "admin@internal", "redhat123").inventory("Nowhere")


def test_nothing_listening_is_a_connection_failure():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: refused
        refused = f"^Failed to connect to http://127.0.0.1:{port}: Connection refused$"
        with pytest.raises(ControllerError, match=refused):
            OvirtClient(f"http://127.0.0.1:{port}", "admin@internal", "redhat123").login()


def test_a_kept_session_logs_in_again_when_the_engine_forgot_its_token(served):
    lab, server = served
    source = OvirtInventorySource(plain_http=lambda host, port: port == server.port)
    endpoint = ControllerEndpoint("127.0.0.1", server.port, "Default", "admin@internal", "redhat123")
    try:
        first = source.fetch(endpoint)
        # the kept session signs in no one: polling right after the sync finds no event at all
        assert source.changes(endpoint, first.last_event) == Changes(last_event=first.last_event)
        lab.rhv.expire_tokens()
        assert source.fetch(endpoint).hosts == first.hosts
    finally:
        source.close()


# --- partial inventories --------------------------------------------------------------------------------
def test_a_part_the_engine_fails_to_serve_is_named_and_the_rest_comes_back(fresh):
    lab, source, endpoint, _ = fresh
    sim = lab.start(tls=False)
    s = sim_session(lab)
    armed = s.post(f"{sim.url}/_sim/rhv/faults", json={"collection": "vms", "status": 500, "count": 1})
    assert armed.json() == {"armed": {"vms": {"status": 500, "count": 1, "detail": "Internal server error"}}}
    inventory = source.fetch(endpoint)
    assert inventory.partial == ("vms",) and inventory.vms == ()
    assert {h.name for h in inventory.hosts} == {"host1", "host2"}
    assert source.fetch(endpoint).partial == ()  # one request was armed

    s.post(f"{sim.url}/_sim/rhv/faults", json={"collection": "hosts", "status": 503, "count": 5})
    inventory = source.fetch(endpoint)
    assert inventory.partial == ("hosts",) and {v.name for v in inventory.vms} == {"vm1", "vm2"}
    raw = s.get(f"{lab.rhv_server.url}/ovirt-engine/api/hosts", auth=("admin@internal", "redhat123"),
                headers={"Accept": "application/json"})
    assert (raw.status_code, raw.json()) == (503, {"reason": "Operation Failed", "detail": "Internal server error"})
    assert s.delete(f"{sim.url}/_sim/rhv/faults").json() == {"armed": {}}
    assert source.fetch(endpoint).partial == ()


@pytest.mark.parametrize("given, message", [
    ({}, 'give {"collection": NAME, "status": 500, "count": N}'),
    ({"collection": "nope"}, "collection must be one of "),
    ({"collection": "vms", "status": 404}, "status must be a server error (500-599), not 404"),
    ({"collection": "vms", "count": 0}, "count must be a whole number of requests >= 1, not 0"),
    ({"collection": "vms", "detail": ""}, "detail must be a non-empty text, not ''"),
])
def test_bad_fault_requests_are_refused_clearly(fresh, given, message):
    lab, *_ = fresh
    sim = lab.start(tls=False)
    reply = sim_session(lab).post(f"{sim.url}/_sim/rhv/faults", json=given)
    assert reply.status_code == 400 and reply.json()["error"].startswith(message)
    assert lab.rhv.read_faults.describe() == {}


# --- the logical network an EPG becomes ---------------------------------------------------------------
EPG_NETWORK = LogicalNetwork(name="T1|AP1|web", vlan=130, description="EPG uni/tn-T1/ap-AP1/epg-web")


def _on_hosts(system, network_id: str) -> dict[str, list[str]]:
    """host name -> the NICs carrying the network (through the SDK)."""
    hosts = system.hosts_service()
    out = {}
    for host in hosts.list():
        service = hosts.host_service(host.id)
        nics = {n.id: n.name for n in service.nics_service().list()}
        out[host.name] = [nics[a.host_nic.id] for a in service.network_attachments_service().list()
                          if a.network.id == network_id]
    return out


def _writes(system) -> tuple[int, int]:
    """What every write leaves behind: the newest event id and the number of jobs."""
    return int(system.events_service().list(max=1)[0].id), len(system.jobs_service().list())


def test_ensure_network_provisions_once_and_corrects_the_vlan(fresh):
    _, source, endpoint, system = fresh
    network_id = source.ensure_network(endpoint, EPG_NETWORK)
    network = system.networks_service().network_service(network_id).get()
    assert (network.name, network.vlan.id, network.description) == (EPG_NETWORK.name, 130, EPG_NETWORK.description)
    assert network.usages == [types.NetworkUsage.VM]
    assert system.data_centers_service().data_center_service(network.data_center.id).get().name == "Default"
    profiles = system.networks_service().network_service(network_id).vnic_profiles_service().list()
    assert [p.name for p in profiles] == [EPG_NETWORK.name]
    cluster = system.clusters_service().list(search="name=Default")[0]
    on_cluster = system.clusters_service().cluster_service(cluster.id).networks_service().list()
    assert [n.required for n in on_cluster if n.id == network_id] == [False]
    # both hosts hear leaves on eno1 and eno2: the network goes on the first, with its VLAN device
    assert _on_hosts(system, network_id) == {"host1": ["eno1"], "host2": ["eno1"]}
    host_nics = system.hosts_service().host_service(system.hosts_service().list(search="name=host1")[0].id)
    assert "eno1.130" in [n.name for n in host_nics.nics_service().list()]

    before = _writes(system)
    assert source.ensure_network(endpoint, EPG_NETWORK) == network_id
    assert _writes(system) == before  # asked again: nothing written

    moved = LogicalNetwork(EPG_NETWORK.name, 131, EPG_NETWORK.description)
    assert source.ensure_network(endpoint, moved) == network_id
    assert system.networks_service().network_service(network_id).get().vlan.id == 131
    assert sorted(n.name for n in host_nics.nics_service().list()) == ["eno1", "eno1.131", "eno2"]


def test_a_network_in_a_data_center_the_engine_lacks(fresh):
    _, source, endpoint, _ = fresh
    elsewhere = ControllerEndpoint(endpoint.host, endpoint.port, "Nowhere", endpoint.user, endpoint.password)
    with pytest.raises(DataCenterNotFound, match="^Failed to find datacenter Nowhere$"):
        source.ensure_network(elsewhere, EPG_NETWORK)


def test_remove_network_is_refused_in_the_engines_words_while_a_vm_nic_uses_it(fresh):
    _, source, endpoint, system = fresh
    network_id = source.ensure_network(endpoint, EPG_NETWORK)
    profile = system.networks_service().network_service(network_id).vnic_profiles_service().list()[0]
    vm2 = system.vms_service().vm_service(system.vms_service().list(search="name=vm2")[0].id)
    nic = vm2.nics_service().add(types.Nic(name="nic2", vnic_profile=types.VnicProfile(id=profile.id)))
    with pytest.raises(NetworkInUse) as caught:
        source.remove_network(endpoint, EPG_NETWORK.name)
    assert str(caught.value) == ("Cannot remove Network. This logical network is used by virtual machine: vm2 "
                                 "- Please remove it from this virtual machine and try again.")
    assert _on_hosts(system, network_id) == {"host1": ["eno1"], "host2": ["eno1"]}  # left as it was

    vm2.nics_service().nic_service(nic.id).remove()
    source.remove_network(endpoint, EPG_NETWORK.name)
    assert [n.name for n in system.networks_service().list()] == ["ovirtmgmt"]
    assert all(n.vlan is None for h in system.hosts_service().list()
               for n in system.hosts_service().host_service(h.id).nics_service().list())
    before = _writes(system)
    source.remove_network(endpoint, EPG_NETWORK.name)  # gone already: nothing to do
    assert _writes(system) == before
