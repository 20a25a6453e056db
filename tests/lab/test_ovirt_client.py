"""The APIC's oVirt client against the lab's served RHV Manager: what it reads matches what the real SDK
sees, and every failure (nothing listening, a wrong password, no such data center) is one short error."""

from __future__ import annotations

import socket

import ovirtsdk4 as sdk
import pytest

from simulator.adapters.ovirt_client import OvirtClient, OvirtInventorySource
from simulator.apic.managers.vmm_ports import ControllerEndpoint, ControllerError
from simulator.clock import ManualClock
from simulator.lab import Lab

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


@pytest.fixture(scope="module")
def served():
    lab = Lab(clock=ManualClock(1_800_000_000.0))
    plain = lab.start_rhv(tls=False)
    yield lab, plain
    lab.stop()


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


def test_events_are_polled_from_a_position(served):
    _, server = served
    client = OvirtClient(server.url, "admin@internal", "redhat123")
    every = client.events()
    assert every and [e.id for e in every] == sorted(e.id for e in every)
    assert client.events(since=every[-1].id) == []
    assert [e.id for e in client.events(since=every[0].id)] == [e.id for e in every[1:]]
    assert client.newest_event_id() == every[-1].id


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
    with pytest.raises(ControllerError, match="^Failed to find datacenter Nowhere$"):
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
        # the kept session signs in no one: polling right after the sync finds nothing new
        assert source.newest_event(endpoint, first.last_event) == first.last_event
        lab.rhv.expire_tokens()
        assert source.fetch(endpoint).hosts == first.hosts
    finally:
        source.close()
