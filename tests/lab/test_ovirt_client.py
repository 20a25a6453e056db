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
import requests

from simulator.adapters.ovirt_client import OvirtClient, OvirtInventorySource
from simulator.apic.managers.vmm_ports import (
    Changes,
    ControllerEndpoint,
    ControllerError,
    DataCenterNotFound,
    Delta,
    LogicalNetwork,
    NetworkInUse,
)
from simulator.clock import ManualClock
from simulator.lab import Lab

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


@pytest.fixture(scope="module")
def served():
    lab = Lab(clock=ManualClock(1_800_000_000.0))
    plain = lab.start_rhv(tls=False)
    yield lab, plain
    lab.stop()


@pytest.fixture
def fresh(served):
    """The module's lab with its RHV Manager back to the default inventory, and a source that reaches it."""
    lab, server = served
    lab.rhv.reset()
    source = OvirtInventorySource(plain_http=lambda host, port: port == server.port)
    endpoint = ControllerEndpoint("127.0.0.1", server.port, "Default", "admin@internal", "redhat123")
    connection = sdk.Connection(url=f"{server.url}/ovirt-engine/api", username="admin@internal",
                                password="redhat123", insecure=True)
    yield lab, source, endpoint, connection.system_service()
    connection.close()
    source.close()


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
    s = requests.Session()
    s.trust_env = False
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
    reply = requests.post(f"{sim.url}/_sim/rhv/faults", json=given)
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


# --- following the engine between syncs -----------------------------------------------------------------
@pytest.fixture
def wire(monkeypatch):
    """Every request the client sends, as (method, path under the API or SSO, query)."""
    sent: list[tuple[str, str, dict]] = []
    original = requests.Session.request

    def recording(session, method, url, **kwargs):
        sent.append((method, url.split("/ovirt-engine", 1)[-1], dict(kwargs.get("params") or {})))
        return original(session, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", recording)
    return sent


def _until(lab, done, step: float = 1.0, limit: int = 120) -> None:
    """Advance the lab clock until `done()` (read through the SDK) holds."""
    for _ in range(limit):
        if done():
            return
        lab.advance_clock(step)
    raise AssertionError("the engine did not get there")


def _vm(system, name: str):
    return system.vms_service().vm_service(system.vms_service().list(search=f"name={name}")[0].id)


def _host(system, name: str):
    return system.hosts_service().host_service(system.hosts_service().list(search=f"name={name}")[0].id)


def test_a_start_a_migration_and_a_hot_plug_name_the_vm(fresh, wire):
    lab, source, endpoint, system = fresh
    position = source.fetch(endpoint).last_event
    vm1, vm2 = _vm(system, "vm1"), _vm(system, "vm2")
    host2 = _host(system, "host2").get()

    vm2.start()
    _until(lab, lambda: vm2.get().status == types.VmStatus.UP)
    del wire[:]
    started = source.changes(endpoint, position)
    assert (started.vms, started.hosts, started.whole) == ((vm2.get().id,), (), False)
    assert started.last_event == int(system.events_service().list(max=1)[0].id)
    assert [m for m, *_ in wire] == ["GET", "GET"]  # the events, the data center's id to compare refs with

    vm1.migrate(host=types.Host(id=host2.id))
    _until(lab, lambda: vm1.get().status == types.VmStatus.UP)
    migrated = source.changes(endpoint, started.last_event)
    assert (migrated.vms, migrated.hosts, migrated.whole) == ((vm1.get().id,), (), False)

    vm1.nics_service().add(types.Nic(name="nic2"))
    plugged = source.changes(endpoint, migrated.last_event)
    assert plugged.vms == (vm1.get().id,) and plugged.last_event > migrated.last_event

    del wire[:]
    delta = source.fetch_some(endpoint, (vm1.get().id, vm2.get().id), ())
    assert wire == [("GET", "/api/datacenters", {"search": 'name="Default"'}),
                    ("GET", "/api/datacenters/" + system.data_centers_service().list()[0].id + "/clusters", {}),
                    ("GET", f"/api/vms/{vm1.get().id}", {"follow": "nics,reported_devices"}),
                    ("GET", f"/api/vms/{vm2.get().id}", {"follow": "nics,reported_devices"}),
                    ("GET", "/api/networks", {}), ("GET", "/api/vnicprofiles", {})]
    moved = {v.name: v for v in delta.vms}
    assert moved["vm1"].host_id == host2.id and [n.name for n in moved["vm1"].nics] == ["nic1", "nic2"]
    assert moved["vm2"].powered_on and delta.gone_vms == delta.gone_hosts == delta.hosts == ()
    # what a re-read says of a VM is what a full sync says of it
    assert {v.id: v for v in source.fetch(endpoint).vms} == {v.id: v for v in delta.vms}


def test_host_maintenance_names_the_host_and_the_vms_it_sent_away(fresh):
    lab, source, endpoint, system = fresh
    position = source.fetch(endpoint).last_event
    host1, vm1 = _host(system, "host1"), _vm(system, "vm1")
    host1.deactivate()
    _until(lab, lambda: host1.get().status == types.HostStatus.MAINTENANCE)
    changed = source.changes(endpoint, position)
    assert (changed.vms, changed.hosts, changed.whole) == ((vm1.get().id,), (host1.get().id,), False)
    delta = source.fetch_some(endpoint, changed.vms, changed.hosts)
    assert [(h.name, h.status, h.cluster) for h in delta.hosts] == [("host1", "maintenance", "Default")]
    assert delta.hosts[0].nics == next(h for h in source.fetch(endpoint).hosts if h.name == "host1").nics
    assert [(v.name, v.host_id) for v in delta.vms] == [("vm1", _host(system, "host2").get().id)]


def test_a_network_added_reads_the_whole_data_center_again(fresh):
    _, source, endpoint, system = fresh
    position = source.fetch(endpoint).last_event
    system.networks_service().add(types.Network(name="app-net", data_center=types.DataCenter(name="Default")))
    changed = source.changes(endpoint, position)
    assert (changed.whole, changed.vms, changed.hosts) == (True, (), ())


def test_a_sign_in_changes_nothing_but_moves_the_position(fresh, wire):
    _, source, endpoint, _ = fresh
    position = source.fetch(endpoint).last_event
    someone = sdk.Connection(url=f"http://127.0.0.1:{endpoint.port}/ovirt-engine/api", username="admin@internal",
                             password="redhat123", insecure=True)
    someone.system_service().hosts_service().list()
    someone.close()  # a sign-in, a read, a sign-out: events 30 and 31
    del wire[:]
    changed = source.changes(endpoint, position)
    assert not changed.any and changed.last_event == position + 2  # seen, so the next poll skips them
    assert len(wire) == 1  # the events only: nothing to compare with the data center
    assert source.changes(endpoint, changed.last_event) == changed


TWO_DATA_CENTERS = """
data_centers:
  - name: Default
    networks: [{name: ovirtmgmt, management: true}]
    clusters:
      - name: Default
        hosts: [{name: host1, address: 192.168.10.11, nics: [{name: eno1, ip: 192.168.10.11/24}]}]
        vms:
          - {name: keep, status: up, host: host1, nics: [{name: nic1, profile: ovirtmgmt, mac: "56:6f:1a:2b:03:01"}]}
          - {name: doomed, status: down}
          - {name: mover, status: down}
  - name: Remote
    networks: [{name: remote-mgmt, management: true}]
    clusters:
      - name: Remote
        hosts: [{name: host9, address: 192.168.20.11, nics: [{name: eno1, ip: 192.168.20.11/24}]}]
        vms: [{name: far, status: down}]
"""


@pytest.fixture
def two_data_centers(tmp_path):
    """A lab of its own whose engine has a second data center (Remote), and a source following Default."""
    lab = Lab(clock=ManualClock(1_800_000_000.0))
    server = lab.start_rhv(tls=False)
    (tmp_path / "two.yaml").write_text(TWO_DATA_CENTERS)
    lab.rhv.load_inventory(tmp_path / "two.yaml")
    source = OvirtInventorySource(plain_http=lambda host, port: port == server.port)
    endpoint = ControllerEndpoint("127.0.0.1", server.port, "Default", "admin@internal", "redhat123")
    connection = sdk.Connection(url=f"{server.url}/ovirt-engine/api", username="admin@internal",
                                password="redhat123", insecure=True)
    yield lab, source, endpoint, connection.system_service(), tmp_path
    connection.close()
    source.close()
    lab.stop()


def test_another_data_centers_events_are_skipped(two_data_centers, wire):
    lab, source, endpoint, system, _ = two_data_centers
    position = source.fetch(endpoint).last_event
    far = _vm(system, "far")
    far.start()
    _until(lab, lambda: far.get().status == types.VmStatus.UP)
    system.networks_service().add(types.Network(name="remote-app", data_center=types.DataCenter(name="Remote")))
    newest = int(system.events_service().list(max=1)[0].id)
    assert newest > position
    del wire[:]
    assert source.changes(endpoint, position) == Changes(last_event=newest)
    assert len(wire) == 2  # the events, and the data center's id their refs are compared with


def test_a_re_read_finds_deleted_and_departed_objects_gone(two_data_centers, wire):
    lab, source, endpoint, system, tmp_path = two_data_centers
    before = {v.name: v.id for v in source.fetch(endpoint).vms}
    remote_host = system.hosts_service().list(search="name=host9")[0].id
    # the engine forgets `doomed` and has `mover` in Remote's cluster now
    later = (TWO_DATA_CENTERS.replace("          - {name: doomed, status: down}\n", "")
             .replace("          - {name: mover, status: down}\n", "")
             .replace("vms: [{name: far, status: down}]", "vms: [{name: far, status: down}, {name: mover, status: down}]"))
    (tmp_path / "later.yaml").write_text(later)
    lab.rhv.load_inventory(tmp_path / "later.yaml")
    assert system.vms_service().list(search="name=mover")[0].id == before["mover"]
    assert [v.name for v in source.fetch(endpoint).vms] == ["keep"]  # the load ended every session: a new one
    del wire[:]
    delta = source.fetch_some(endpoint, (before["keep"], before["doomed"], before["mover"]), (remote_host,))
    assert [v.name for v in delta.vms] == ["keep"] and delta.hosts == ()
    assert delta.gone_vms == (before["doomed"], before["mover"]) and delta.gone_hosts == (remote_host,)
    assert len(wire) == 2 + 4 + 2  # the data center and its clusters; a GET per host and VM; the profile map
    del wire[:]
    assert source.fetch_some(endpoint, (), ()) == Delta((), (), (), ()) and wire == []

    many = tuple(f"00000000-0000-0000-0000-{n:012d}" for n in range(21))
    delta = source.fetch_some(endpoint, (before["keep"], *many), ())
    assert [v.name for v in delta.vms] == ["keep"] and delta.gone_vms == many
    assert [path.split("/")[-1] for _, path, _ in wire] == ["datacenters", "clusters", "vms", "networks",
                                                            "vnicprofiles"]
    assert wire[2][2] == {"search": 'datacenter="Default"', "follow": "nics,reported_devices"}
