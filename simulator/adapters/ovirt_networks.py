"""The logical network an EPG becomes in an RHV data center, provisioned with documented oVirt API v4
calls (what this client does where the real APIC's calls are unknown is said in ovirt_client's
docstring). Every step reads first and writes only what differs, so asking again for what is already
there makes no write request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..apic.managers.vmm_ports import LogicalNetwork, NetworkInUse
from .ovirt_wire import EngineRefusal, lldp_tlvs

if TYPE_CHECKING:
    from .ovirt_client import OvirtClient

FABRIC_PATH = "topology/"  # an ACI leaf's LLDP Port Description: the path DN it advertises
IN_USE = "logical network is used by"  # ACTION_TYPE_FAILED_NETWORK_IN_ONE_USE / _IN_MANY_USES
HOST_VIEW = "nics.link_layer_discovery_protocol_elements,network_attachments"


def ensure_network(client: OvirtClient, data_center: str, network: LogicalNetwork) -> str:
    """The network in the data center with its VLAN, its same-name vNIC profile, on every cluster (not
    required) and on one fabric-facing NIC of every host; returns its id."""
    dc_id = client.data_center_id(data_center)
    found = network_named(client, dc_id, network.name)
    if found is None:
        found = client.send("POST", "/networks", {
            "name": network.name, "description": network.description, "data_center": {"id": dc_id},
            "vlan": {"id": network.vlan}, "usages": {"usage": ["vm"]}})
    elif found.get("vlan", {}).get("id") not in (network.vlan, str(network.vlan)):
        client.send("PUT", f"/networks/{found['id']}", {"vlan": {"id": network.vlan}})
    network_id = found["id"]
    profiles = client.get(f"/networks/{network_id}/vnicprofiles").get("vnic_profile", [])
    if not any(p.get("name") == network.name for p in profiles):
        client.send("POST", f"/networks/{network_id}/vnicprofiles", {"name": network.name})
    for cluster_id in client.clusters(dc_id):
        attached = client.get(f"/clusters/{cluster_id}/networks").get("network", [])
        if not any(n.get("id") == network_id for n in attached):
            client.send("POST", f"/clusters/{cluster_id}/networks", {"id": network_id, "required": "false"})
    for host in _hosts(client, data_center):
        nic = fabric_nic(host)
        if nic is not None and not _attachments_of(host, network_id):
            _setup_networks(client, host["id"], {"modified_network_attachments": {"network_attachment": [
                {"network": {"id": network_id}, "host_nic": {"id": nic["id"]}}]}})
    return network_id


def remove_network(client: OvirtClient, data_center: str, name: str) -> None:
    """Off the hosts (unless a VM NIC still uses it), then DELETE; NetworkInUse with the engine's words
    when the engine refuses because a VM NIC uses it. A network that is not there: nothing to do."""
    found = network_named(client, client.data_center_id(data_center), name)
    if found is None:
        return
    network_id = found["id"]
    if not _used_by_a_vm(client, data_center, network_id):
        for host in _hosts(client, data_center):
            removed = [{"id": a["id"]} for a in _attachments_of(host, network_id)]
            if removed:
                _setup_networks(client, host["id"], {"removed_network_attachments": {"network_attachment": removed}})
    try:
        client.send("DELETE", f"/networks/{network_id}")
    except EngineRefusal as refusal:
        if refusal.status == 404:
            return
        if refusal.status == 409 and IN_USE in refusal.detail:
            raise NetworkInUse(" ".join(refusal.detail.split())) from None
        raise


def network_named(client: OvirtClient, data_center_id: str, name: str) -> dict[str, Any] | None:
    networks = client.get(f"/datacenters/{data_center_id}/networks").get("network", [])
    return next((n for n in networks if n.get("name") == name), None)


def fabric_nic(host: dict) -> dict | None:
    """The host NIC a network for the fabric goes on: the first by name whose LLDP names an ACI path (the
    engine carries one network on one NIC of a host; VLAN devices hear no LLDP)."""
    nics = [n for n in host.get("nics", {}).get("host_nic", [])
            if lldp_tlvs(n).get("Port Description", "").startswith(FABRIC_PATH)]
    return min(nics, key=lambda n: n.get("name", ""), default=None)


def _hosts(client: OvirtClient, data_center: str) -> list[dict]:
    return client.get("/hosts", search=f'datacenter="{data_center}"', follow=HOST_VIEW).get("host", [])


def _attachments_of(host: dict, network_id: str) -> list[dict]:
    return [a for a in host.get("network_attachments", {}).get("network_attachment", [])
            if a.get("network", {}).get("id") == network_id]


def _setup_networks(client: OvirtClient, host_id: str, change: dict) -> None:
    """HostSetupNetworks, then CommitNetworkChanges so VDSM keeps the change across a reboot."""
    client.send("POST", f"/hosts/{host_id}/setupnetworks", change)
    client.send("POST", f"/hosts/{host_id}/commitnetconfig", {})


def _used_by_a_vm(client: OvirtClient, data_center: str, network_id: str) -> bool:
    profiles = {p["id"] for p in client.get(f"/networks/{network_id}/vnicprofiles").get("vnic_profile", [])}
    vms = client.get("/vms", search=f'datacenter="{data_center}"', follow="nics").get("vm", [])
    return any(nic.get("vnic_profile", {}).get("id") in profiles
               for vm in vms for nic in vm.get("nics", {}).get("nic", []))
