"""An RHV Manager's inventory as an `acisim serve --rhv-inventory` file (format: simulator/rhv/model/loader.py).

Read over the oVirt Engine API v4 as any client reads it (SSO password grant, then Bearer-authenticated JSON
GETs with `Version: 4`): /datacenters, /networks with /vnicprofiles and /networks/{id}/networklabels,
/clusters with /clusters/{id}/networks, /hosts with /hosts/{id}/nics and /networkattachments, /vms with
/vms/{id}/nics and /reporteddevices (a NIC's guest-reported IPs). Written: data centers with their networks
(VLAN, MTU, VM usage, the management role, extra vNIC profiles, label), clusters with their attached networks
(required or not), hosts (address, status, memory, SPM, each NIC's MAC, MTU, speed, static IP and the networks
attached to it; cluster networks a host does not carry under `unattached:`), VMs (status, host when up, CPUs,
memory, OS, each NIC's profile, MAC, interface and IPs). Entity ids are kept, so a lab serving the file answers
with the same ids. Not recorded: users and permissions (an engine never gives passwords out), jobs, events,
storage. A VM in a passing state (migrating, powering up) is written as it will be: up on its host; any other
state but up is written as down.
"""

from __future__ import annotations

import ipaddress
import warnings
from collections import defaultdict
from typing import Any

import requests
import yaml

from . import RecordError

TIMEOUT = 60.0
API = "/ovirt-engine/api"
UP_STATES = ("up", "migrating", "powering_up", "reboot_in_progress", "wait_for_launch")


class _Engine:
    def __init__(self, url: str, user: str, password: str, timeout: float):
        self.base = url.rstrip("/").removesuffix(API)
        self.http = requests.Session()
        self.http.trust_env = False  # a lab or an engine on the bench: no proxy, its own self-signed certificate
        self.http.verify = False
        self.timeout = timeout
        warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        form = {"grant_type": "password", "scope": "ovirt-app-api", "username": user, "password": password}
        reply = self._send("POST", "/ovirt-engine/sso/oauth/token", data=form)
        try:
            body = reply.json()
        except ValueError:
            raise RecordError(f"SSO login at {self.base}: HTTP {reply.status_code} without a JSON body") from None
        if "access_token" not in body:
            raise RecordError(f"SSO login at {self.base} refused: {body.get('error_description') or body}")
        self.http.headers.update({"Authorization": f"Bearer {body['access_token']}", "Accept": "application/json",
                                  "Version": "4"})

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            return self.http.request(method, self.base + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise RecordError(f"cannot reach the RHV Manager at {self.base}: {type(exc).__name__}",
                              unreachable=True) from None

    def list(self, path: str, key: str) -> list[dict]:
        reply = self._send("GET", API + path)
        if reply.status_code != 200:
            raise RecordError(f"GET {API}{path}: HTTP {reply.status_code} {reply.text[:200]}")
        return reply.json().get(key, []) if reply.content else []

    def close(self) -> None:
        self.http.close()


def record(url: str, user: str, password: str, timeout: float = TIMEOUT) -> dict:
    """The inventory of the engine at `url` (scheme://host:port, with or without /ovirt-engine/api), as loader
    YAML data; RecordError when it cannot be read."""
    engine = _Engine(url, user, password, timeout)
    try:
        return _inventory(engine)
    finally:
        engine.close()


def to_yaml(inventory: dict, source: str) -> str:
    head = (f"# Recorded from the RHV Manager at {source} by acisim record rhv.\n"
            "# Serve it with: acisim serve --rhv-inventory FILE (format: simulator/rhv/model/loader.py)\n")
    return head + yaml.safe_dump(inventory, sort_keys=False, default_flow_style=False, width=120)


def _inventory(engine: _Engine) -> dict:
    networks = engine.list("/networks", "network")
    profiles = defaultdict(list)
    for profile in engine.list("/vnicprofiles", "vnic_profile"):
        profiles[_id(profile, "network")].append(profile)
    profile_of = {p["id"]: (p["name"], net_id) for net_id, ps in profiles.items() for p in ps}
    net_by_id = {n["id"]: n for n in networks}
    clusters = engine.list("/clusters", "cluster")
    cluster_nets = {c["id"]: engine.list(f"/clusters/{c['id']}/networks", "network") for c in clusters}
    management = {n["id"] for nets in cluster_nets.values() for n in nets if "management" in _usages(n)}
    hosts = engine.list("/hosts", "host")
    host_name = {h["id"]: h["name"] for h in hosts}
    vms = engine.list("/vms", "vm")
    out = []
    for dc in engine.list("/datacenters", "data_center"):
        dc_out: dict[str, Any] = {"name": dc["name"], "id": dc["id"]}
        if dc.get("description"):
            dc_out["description"] = dc["description"]
        dc_out["networks"] = [_network(engine, n, profiles[n["id"]], n["id"] in management)
                              for n in networks if _id(n, "data_center") == dc["id"]]
        dc_out["clusters"] = [
            _cluster(engine, c, cluster_nets[c["id"]], management, net_by_id, profile_of,
                     [h for h in hosts if _id(h, "cluster") == c["id"]],
                     [v for v in vms if _id(v, "cluster") == c["id"]], host_name)
            for c in clusters if _id(c, "data_center") == dc["id"]]
        out.append(dc_out)
    return {"data_centers": out}


def _network(engine: _Engine, net: dict, profiles: list[dict], management: bool) -> dict:
    out: dict[str, Any] = {"name": net["name"], "id": net["id"]}
    if net.get("description"):
        out["description"] = net["description"]
    if management:
        out["management"] = True
    if (net.get("vlan") or {}).get("id") is not None:
        out["vlan"] = int(net["vlan"]["id"])
    if net.get("mtu"):
        out["mtu"] = int(net["mtu"])
    if "vm" not in _usages(net):
        out["vm"] = False
    extra = sorted(p["name"] for p in profiles if p["name"] != net["name"])
    if extra:
        out["profiles"] = extra
    labels = engine.list(f"/networks/{net['id']}/networklabels", "network_label")
    if labels:
        out["label"] = labels[0]["id"]
    return out


def _cluster(engine: _Engine, cluster: dict, nets: list[dict], management: set[str], net_by_id: dict,
             profile_of: dict, hosts: list[dict], vms: list[dict], host_name: dict) -> dict:
    out: dict[str, Any] = {"name": cluster["name"], "id": cluster["id"]}
    if cluster.get("description"):
        out["description"] = cluster["description"]
    if (cluster.get("cpu") or {}).get("type"):
        out["cpu_type"] = cluster["cpu"]["type"]
    attached = [n for n in nets if n["id"] not in management]
    out["networks"] = [{"name": n["name"], "required": True} if n.get("required") == "true" else n["name"]
                       for n in attached]
    out["hosts"] = [_host(engine, h, {n["id"] for n in nets}, net_by_id) for h in hosts]
    out["vms"] = [_vm(engine, v, profile_of, net_by_id, host_name) for v in vms]
    return out


def _host(engine: _Engine, host: dict, cluster_nets: set[str], net_by_id: dict) -> dict:
    out: dict[str, Any] = {"name": host["name"], "id": host["id"], "address": host.get("address", host["name"])}
    if host.get("status", "up") != "up":
        out["status"] = host["status"]
    if host.get("memory"):
        out["memory_gb"] = int(host["memory"]) // 1024**3
    if (host.get("spm") or {}).get("status") == "spm":
        out["spm"] = True
    on_nic = defaultdict(list)
    for attachment in engine.list(f"/hosts/{host['id']}/networkattachments", "network_attachment"):
        network = net_by_id.get(_id(attachment, "network"))
        if network is not None:
            on_nic[_id(attachment, "host_nic")].append(network["name"])
    nics, every_nic = [], engine.list(f"/hosts/{host['id']}/nics", "host_nic")
    for nic in every_nic:
        if nic.get("vlan") or nic.get("base_interface"):
            continue  # a VLAN device of a base NIC: the loader makes it from the network's VLAN
        item: dict[str, Any] = {"name": nic["name"], "mac": (nic.get("mac") or {}).get("address", "")}
        if nic.get("mtu") and int(nic["mtu"]) != 1500:
            item["mtu"] = int(nic["mtu"])
        if nic.get("speed"):
            item["speed"] = int(nic["speed"])
        ip = nic.get("ip") or {}
        if ip.get("address") and ip.get("netmask"):
            item["ip"] = str(ipaddress.ip_interface(f"{ip['address']}/{ip['netmask']}"))
            if ip.get("gateway"):
                item["gateway"] = ip["gateway"]
        vlan_devices = [n for n in every_nic if n.get("base_interface") == nic["name"]]
        names = on_nic.get(nic["id"], []) + [name for dev in vlan_devices for name in on_nic.get(dev["id"], [])]
        if names:
            item["networks"] = names
        nics.append(item)
    out["nics"] = nics
    carried = {name for names in on_nic.values() for name in names}
    unattached = sorted(net_by_id[n]["name"] for n in cluster_nets
                        if n in net_by_id and net_by_id[n]["name"] not in carried)
    if unattached:
        out["unattached"] = unattached
    return out


def _vm(engine: _Engine, vm: dict, profile_of: dict, net_by_id: dict, host_name: dict) -> dict:
    up = vm.get("status") in UP_STATES
    out: dict[str, Any] = {"name": vm["name"], "id": vm["id"], "status": "up" if up else "down"}
    if up and _id(vm, "host") in host_name:
        out["host"] = host_name[_id(vm, "host")]
    if vm.get("description"):
        out["description"] = vm["description"]
    sockets = ((vm.get("cpu") or {}).get("topology") or {}).get("sockets")
    if sockets and int(sockets) != 1:
        out["cpus"] = int(sockets)
    if vm.get("memory") and int(vm["memory"]) != 1024**3:
        out["memory_mb"] = int(vm["memory"]) // 1024**2
    if (vm.get("os") or {}).get("type", "rhel_8x64") != "rhel_8x64":
        out["os"] = vm["os"]["type"]
    if vm.get("fqdn"):
        out["fqdn"] = vm["fqdn"]
    ips_by_mac = defaultdict(list)
    nics = engine.list(f"/vms/{vm['id']}/nics", "nic")
    for nic in nics:
        for device in engine.list(f"/vms/{vm['id']}/nics/{nic['id']}/reporteddevices", "reported_device"):
            mac = (device.get("mac") or {}).get("address", "")
            ips_by_mac[mac] += [ip["address"] for ip in (device.get("ips") or {}).get("ip", []) if ip.get("address")]
    out_nics = []
    for nic in nics:
        mac = (nic.get("mac") or {}).get("address", "")
        item: dict[str, Any] = {"name": nic["name"]}
        profile = profile_of.get(_id(nic, "vnic_profile"))
        if profile is not None:
            item["profile"] = profile[0]
            if profile[0] != net_by_id.get(profile[1], {}).get("name"):
                item["network"] = net_by_id.get(profile[1], {}).get("name")
        item["mac"] = mac
        if nic.get("interface", "virtio") != "virtio":
            item["interface"] = nic["interface"]
        if ips_by_mac.get(mac):
            item["ips"] = ips_by_mac[mac]
        out_nics.append(item)
    out["nics"] = out_nics
    return out


def _id(entity: dict, link: str) -> str:
    return (entity.get(link) or {}).get("id", "")


def _usages(net: dict) -> list[str]:
    return list((net.get("usages") or {}).get("usage", []))
