"""A client of the RHV Manager through the real ovirtsdk4, and the lookups by name a script makes
(the API finds by id; engineers and features speak of names)."""

from __future__ import annotations

import ovirtsdk4
import urllib3
from ovirtsdk4 import types

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

TIMEOUT = 30


def named(entities, name: str, what: str):
    """The one entity called `name`; anything else fails naming what was there."""
    found = [entity for entity in entities if entity.name == name]
    assert len(found) == 1, f"{what} {name!r}: found {len(found)} among {sorted(e.name for e in entities)}"
    return found[0]


def status_of(entity) -> str:
    return entity.status.value if entity.status is not None else ""


class RhvClient:
    """An ovirtsdk4 connection to `rhv_target` as its user (it logs in on the first request)."""

    def __init__(self, target) -> None:
        self.target = target
        self.connection: ovirtsdk4.Connection = target.connection(timeout=TIMEOUT)

    def close(self) -> None:
        self.connection.close()

    @property
    def system(self):
        return self.connection.system_service()

    def data_center(self, name: str) -> types.DataCenter:
        return named(self.system.data_centers_service().list(), name, "data center")

    def data_center_of(self, cluster: types.Cluster) -> types.DataCenter:
        return self.system.data_centers_service().data_center_service(cluster.data_center.id).get()

    def cluster(self, name: str) -> types.Cluster:
        return named(self.system.clusters_service().list(), name, "cluster")

    def host(self, name: str) -> types.Host:
        return named(self.system.hosts_service().list(), name, "host")

    def host_name(self, host_id: str) -> str:
        return self.system.hosts_service().host_service(host_id).get().name

    def vm(self, name: str) -> types.Vm:
        return named(self.system.vms_service().list(), name, "VM")

    def network_named(self, name: str) -> types.Network:
        return named(self.system.networks_service().list(), name, "network")

    def networks_named(self, data_center: str, name: str) -> list[types.Network]:
        dc = self.data_center(data_center)
        networks = self.system.data_centers_service().data_center_service(dc.id).networks_service().list()
        return [network for network in networks if network.name == name]

    def network(self, data_center: str, name: str) -> types.Network:
        found = self.networks_named(data_center, name)
        assert len(found) == 1, f"data center {data_center!r} has {len(found)} networks named {name!r}"
        return found[0]

    def cluster_networks(self, cluster: str) -> list[types.Network]:
        return self.system.clusters_service().cluster_service(self.cluster(cluster).id).networks_service().list()

    def vm_nics(self, vm: str):
        return self.system.vms_service().vm_service(self.vm(vm).id).nics_service()

    def last_event_id(self) -> int:
        newest = self.system.events_service().list(max=1)  # events come newest first
        return int(newest[0].id) if newest else 0

    def events_since(self, event_id: int) -> list[types.Event]:
        return self.system.events_service().list(from_=event_id)

    def job_ids(self) -> set[str]:
        return {job.id for job in self.system.jobs_service().list()}

    def add_vm_network(self, dc_id: str, name: str, vlan: int) -> types.Network:
        """A VM network tagged with `vlan`, the way the APIC's RHV integration adds an EPG's network."""
        network = types.Network(name=name, data_center=types.DataCenter(id=dc_id), vlan=types.Vlan(id=vlan),
                                usages=[types.NetworkUsage.VM])
        return self.system.networks_service().add(network)
