"""Shapes of the engine's JSON wire every part of the client reads: how it says no (an error status with a
fault, bare or inside a failed action's reply; the client turns it into one ControllerError quoting the
engine's own words), what a host NIC hears over LLDP, and a host and a VM as the APIC's port types (one
builder each, so a full sync and a re-read of a few objects describe them alike)."""

from __future__ import annotations

import requests

from ..apic.managers.vmm_ports import ControllerError, Host, HostNic, Vm, VmNic

HOST_FOLLOW = "nics.link_layer_discovery_protocol_elements"  # a host's NICs and what each hears
VM_FOLLOW = "nics,reported_devices"  # a VM's NICs and the guest agent's view of them
ProfileNetworks = dict[str, tuple[str, int | None]]  # vNIC profile id -> (network name, its VLAN or None)


class EngineRefusal(ControllerError):
    """The engine answered a request with an error status; `detail` is its fault's words (brackets gone)."""

    def __init__(self, message: str, status: int, detail: str):
        super().__init__(message)
        self.status = status
        self.detail = detail


def fault_words(reply: requests.Response) -> str:
    """The detail (else the reason) of the engine's fault, without the brackets the engine puts around
    validation messages; "" when the reply carries no fault (a bare 404)."""
    try:
        body = reply.json() if reply.content else {}
    except ValueError:
        return ""
    fault = body.get("fault", body) if isinstance(body, dict) else {}
    words = str(fault.get("detail") or fault.get("reason") or "") if isinstance(fault, dict) else ""
    return words[1:-1] if words.startswith("[") and words.endswith("]") else words


def lldp_tlvs(nic: dict) -> dict[str, str]:
    """A host NIC's LLDP TLVs (followed as `nics.link_layer_discovery_protocol_elements`): name -> value."""
    tlvs = {}
    elements = nic.get("link_layer_discovery_protocol_elements", {})
    for element in elements.get("link_layer_discovery_protocol_element", []):
        values = [p.get("value", "") for p in element.get("properties", {}).get("property", [])]
        tlvs[element.get("name", "")] = values[0] if values else ""
    return tlvs


def host_of(host: dict, cluster_names: dict[str, str]) -> Host:
    """A host read with HOST_FOLLOW; `cluster_names` (id -> name) names its cluster."""
    nics = tuple(_host_nic(nic) for nic in host.get("nics", {}).get("host_nic", []))
    return Host(id=host["id"], name=host.get("name", ""), address=host.get("address", ""),
                status=host.get("status", ""), nics=nics,
                cluster=cluster_names.get(host.get("cluster", {}).get("id", ""), ""))


def vm_of(vm: dict, profile_network: ProfileNetworks) -> Vm:
    """A VM read with VM_FOLLOW: each NIC with its profile's network and the IPs the guest reports on it."""
    ips = _guest_ips(vm.get("reported_devices", {}).get("reported_device", []))
    nics = []
    for nic in vm.get("nics", {}).get("nic", []):
        mac = nic.get("mac", {}).get("address", "")
        network, vlan = profile_network.get(nic.get("vnic_profile", {}).get("id", ""), ("", None))
        plugged = str(nic.get("plugged", "true")).lower() != "false"  # the JSON wire's booleans are strings
        nics.append(VmNic(id=nic["id"], name=nic.get("name", ""), mac=mac, network=network, vlan=vlan,
                          ips=ips.get(mac.lower(), ()), plugged=plugged))
    return Vm(id=vm["id"], name=vm.get("name", ""), status=vm.get("status", ""),
              host_id=vm.get("host", {}).get("id", ""), nics=tuple(nics))


def _host_nic(nic: dict) -> HostNic:
    return HostNic(id=nic["id"], name=nic.get("name", ""), mac=nic.get("mac", {}).get("address", ""),
                   ip=nic.get("ip", {}).get("address", ""), lldp=lldp_tlvs(nic))


def _guest_ips(devices: list[dict]) -> dict[str, tuple[str, ...]]:
    """MAC (lower case) -> the addresses the guest agent reports on it."""
    out = {}
    for device in devices:
        mac = device.get("mac", {}).get("address", "").lower()
        out[mac] = tuple(ip["address"] for ip in device.get("ips", {}).get("ip", []) if ip.get("address"))
    return out
