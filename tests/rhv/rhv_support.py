"""Helpers for the RHV tests (the fixtures that use them are in conftest.py): the simulated engine a
test drives, a manual clock it advances instead of sleeping, and lookups through the real ovirtsdk4."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ovirtsdk4 as sdk

from simulator.clock import ManualClock
from simulator.rhv.service import Rhv

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rhv"
START = 1_800_000_000.0
USER, PASSWORD = "admin@internal", "redhat123"


@dataclass
class Engine:
    rhv: Rhv
    clock: ManualClock
    url: str
    ca_file: Path

    def session(self, auth: tuple[str, str] | None = (USER, PASSWORD)):
        """A requests.Session trusting the simulator's certificate (REQUESTS_CA_BUNDLE ignored)."""
        import requests

        s = requests.Session()
        s.trust_env = False
        s.verify = str(self.ca_file)
        s.auth = auth
        return s

    def connect(self, **kwargs) -> sdk.Connection:
        options = {"username": USER, "password": PASSWORD, "insecure": True, **kwargs}
        return sdk.Connection(url=f"{self.url}/ovirt-engine/api", **options)

    def load(self, name: str) -> None:
        self.rhv.load_inventory(FIXTURES / name)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)


def wait_for_job(engine: Engine, connection: sdk.Connection, description: str, step: float = 1.0, limit: int = 120):
    """Advance the clock until the job with this description ends; returns the ended job."""
    jobs = connection.system_service().jobs_service()
    for _ in range(limit):
        matching = [j for j in jobs.list() if j.description == description]
        assert matching, f"no job {description!r}"
        job = jobs.job_service(matching[-1].id).get()
        if job.status != sdk.types.JobStatus.STARTED:
            return job
        engine.advance(step)
    raise AssertionError(f"job {description!r} did not end")


def by_name(service, name: str):
    found = service.list(search=f"name={name}")
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def app_network(connection: sdk.Connection, name: str = "app-net", vlan: int = 120):
    """A VM network with VLAN `vlan`, attached to cluster Default (so VMs there can use its profiles)."""
    system = connection.system_service()
    network = system.networks_service().add(sdk.types.Network(
        name=name, data_center=sdk.types.DataCenter(name="Default"), vlan=sdk.types.Vlan(id=vlan)))
    cluster = by_name(system.clusters_service(), "Default")
    system.clusters_service().cluster_service(cluster.id).networks_service().add(
        sdk.types.Network(id=network.id, required=False))
    return network


def on_host(connection: sdk.Connection, network, host: str = "host1", nic: str = "eno2") -> None:
    """Put the network on a NIC of the host (setupnetworks), so a VM running there can plug a NIC into it."""
    hosts = connection.system_service().hosts_service()
    hosts.host_service(by_name(hosts, host).id).setup_networks(modified_network_attachments=[
        sdk.types.NetworkAttachment(network=sdk.types.Network(id=network.id), host_nic=sdk.types.HostNic(name=nic))])
