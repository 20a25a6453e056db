"""The APIC's oVirt client between syncs, against the lab's served RHV Manager: the events since a position
name what changed in the data center (sign-ins and other data centers' events aside), and only that is
read again, in a handful of requests."""

from __future__ import annotations

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
import requests

from simulator.adapters.ovirt_client import OvirtInventorySource
from simulator.apic.managers.vmm_ports import Changes, ControllerEndpoint, Delta
from simulator.clock import ManualClock
from simulator.lab import Lab

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


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
    host9 = _host(system, "host9")  # a host's events carry its cluster and data center, as the engine logs them
    host9.deactivate()
    _until(lab, lambda: host9.get().status == types.HostStatus.MAINTENANCE)
    host9.activate()
    _until(lab, lambda: host9.get().status == types.HostStatus.UP)
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
