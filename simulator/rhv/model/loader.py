"""RHV inventories written as YAML (fixtures/rhv/*.yaml), and the engine a fresh install has.

    data_centers:
      - name: Default
        networks:                       # the DC's logical networks; each gets its same-name profile
          - {name: ovirtmgmt, description: Management Network, management: true}
          - {name: web, vlan: 110, profiles: [web-mirror]}
        clusters:
          - name: Default
            networks: [web]             # attached networks (the management network always is)
            hosts:
              - name: host1
                address: 192.168.10.11
                nics:                   # network(s): attached to the NIC (a VLAN one adds eno2.110)
                  - {name: eno1, mac: "00:1a:4a:10:00:01", ip: 192.168.10.11/24, network: ovirtmgmt}
                  - {name: eno2, networks: [web]}
              - name: host2
                unattached: [web]       # cluster networks this host's NICs do not carry
            vms:
              - name: vm1
                status: up              # up needs a host: named, or the least loaded one
                host: host1
                nics: [{name: nic1, profile: web, mac: "56:6f:1a:2b:00:01", ips: [10.1.10.11]}]

Users besides admin@internal (top level, optional), each with a password and roles on objects, as the
engine's permissions give them (the object is named; `system` when none is):

    users:
      - name: netadmin                  # a login name; "@internal" is added when no profile is given
        password: secret
        roles:
          - NetworkAdmin                # on the system
          - {role: UserRole, vm: vm1}   # or data_center:, cluster:, host:, network:, vnic_profile:

A host NIC carries the networks its `network`/`networks` name; the first NIC carries the management
network when it names none itself. Every other network of the host's cluster that
no NIC names goes on the NIC carrying the management network, as an administrator's setupnetworks
would have put it there (the engine's scheduler wants a VM's networks on the host's NICs), unless
the host lists it under `unattached:`.

Ids not given are derived from the names (the same file gives the same ids); a mistake in the
file is a ValueError naming the entity, raised before anything is replaced. Where a host NIC is
cabled is the fabric's business (the fabric file's `cabling:` list): an `uplink:` here is refused.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml

from .entities import (
    Cluster,
    ClusterAttachment,
    DataCenter,
    Host,
    HostNic,
    Inventory,
    Network,
    NetworkAttachment,
    Vm,
    VmNic,
    VnicProfile,
    stable_id,
    vdsm_name,
)
from .hosts import attachment_id, vlan_device_id
from .permissions import SYSTEM_ID, Permission, permission_id, role_named
from .roles import ROLES

FIXTURE_EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z: creation and start times of fixture VMs

FRESH_ENGINE = {
    "data_centers": [{
        "name": "Default", "description": "The default Data Center",
        "networks": [{"name": "ovirtmgmt", "description": "Management Network", "management": True}],
        "clusters": [{"name": "Default", "description": "The default server cluster"}],
    }]
}

VM_STATES = ("up", "down")


def read(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as f:
        data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    if not isinstance(data, dict) or not isinstance(data.get("data_centers"), list):
        raise ValueError(f"{path}: an RHV inventory is a mapping with a data_centers list")
    return data


def users(data: dict, inv: Inventory, admin: str) -> tuple[dict[str, str], list[Permission]]:
    """The `users:` of an inventory (passwords by login name, their permissions); ValueError names the user."""
    passwords: dict[str, str] = {}
    granted: list[Permission] = []
    items = data.get("users") or []
    if not isinstance(items, list):
        raise ValueError("users: a list of users")
    for item in items:
        name = _need(item, "name", "user")
        name = str(name) if "@" in str(name) else f"{name}@internal"
        if name in passwords or name == admin:
            raise ValueError(f"user {name}: defined twice")
        password = item.get("password")
        if not isinstance(password, str) or not password:
            raise ValueError(f"user {name}: 'password' is required")
        passwords[name] = password
        for spec in item.get("roles") or []:
            spec = spec if isinstance(spec, dict) else {"role": spec}
            role = role_named(str(spec.get("role", "")))
            if role is None:
                raise ValueError(f"user {name}: no role {spec.get('role')!r} (roles: {', '.join(sorted(ROLES))})")
            object_type, object_id = _permission_object(inv, name, spec)
            granted.append(Permission(permission_id(name, role.name, object_type, object_id), name, role.id,
                                      object_type, object_id))
    return passwords, granted


def _permission_object(inv: Inventory, user: str, spec: dict) -> tuple[str, str]:
    tables = {"data_center": inv.data_centers, "cluster": inv.clusters, "host": inv.hosts, "vm": inv.vms,
              "network": inv.networks, "vnic_profile": inv.profiles}
    named = [key for key in tables if key in spec]
    if len(named) > 1:
        raise ValueError(f"user {user}: a role is given on one object, not on {', '.join(named)}")
    if not named:
        return "system", SYSTEM_ID
    kind = named[0]
    found = inv.by_name(tables[kind], str(spec[kind]))
    if found is None:
        raise ValueError(f"user {user}: no {kind.replace('_', ' ')} named {spec[kind]!r}")
    return kind, found.id


def build(data: dict) -> Inventory:
    inv = Inventory()
    for dc_data in data.get("data_centers", []):
        _data_center(inv, dc_data)
    return inv


def _need(item: dict, key: str, what: str):
    if not isinstance(item, dict) or not item.get(key):
        raise ValueError(f"{what}: '{key}' is required (got {item!r})")
    return item[key]


def _data_center(inv: Inventory, data: dict) -> None:
    name = _need(data, "name", "data center")
    if inv.by_name(inv.data_centers, name):
        raise ValueError(f"data center {name}: defined twice")
    dc = DataCenter(id=data.get("id") or stable_id("dc", name), name=name, description=data.get("description", ""))
    inv.data_centers[dc.id] = dc
    management = None
    for net_data in data.get("networks", []):
        network = _network(inv, dc, net_data)
        if net_data.get("management"):
            management = network
    for cl_data in data.get("clusters", []):
        _cluster(inv, dc, management, cl_data)
    dc_hosts = [h for c in inv.clusters_of(dc.id) for h in inv.hosts_of(c.id)]
    if dc_hosts and not any(h.spm for h in dc_hosts):
        dc_hosts[0].spm = True


def _network(inv: Inventory, dc: DataCenter, data: dict) -> Network:
    name = _need(data, "name", f"network in {dc.name}")
    if any(n.name == name for n in inv.networks_of(dc.id)):
        raise ValueError(f"network {name}: defined twice in data center {dc.name}")
    vlan = data.get("vlan")
    if vlan is not None and not (isinstance(vlan, int) and 0 <= vlan <= 4094):
        raise ValueError(f"network {name}: vlan must be 0-4094, not {vlan!r}")
    net_id = data.get("id") or stable_id("network", f"{dc.name}/{name}")
    network = Network(id=net_id, name=name, data_center_id=dc.id, description=data.get("description", ""), vlan=vlan,
                      mtu=int(data.get("mtu", 0)), vm=bool(data.get("vm", True)), vdsm_name=vdsm_name(name, net_id),
                      labels=[data["label"]] if data.get("label") else [])
    inv.networks[network.id] = network
    if network.vm:
        for profile_name in [name, *data.get("profiles", [])]:
            profile = VnicProfile(id=stable_id("profile", f"{dc.name}/{name}/{profile_name}"), name=profile_name,
                                  network_id=network.id)
            inv.profiles[profile.id] = profile
    return network


def _cluster(inv: Inventory, dc: DataCenter, management: Network | None, data: dict) -> None:
    name = _need(data, "name", f"cluster in {dc.name}")
    if inv.by_name(inv.clusters, name):
        raise ValueError(f"cluster {name}: defined twice")
    cluster = Cluster(id=data.get("id") or stable_id("cluster", name), name=name, data_center_id=dc.id,
                      description=data.get("description", ""),
                      cpu_type=data.get("cpu_type", "Intel Cascadelake Server Family"))
    inv.clusters[cluster.id] = cluster
    if management is not None:
        management.clusters[cluster.id] = ClusterAttachment(required=True, display=True, migration=True,
                                                            management=True, default_route=True)
    for item in data.get("networks", []):
        spec = item if isinstance(item, dict) else {"name": item}
        network = next((n for n in inv.networks_of(dc.id) if n.name == spec.get("name")), None)
        if network is None:
            raise ValueError(f"cluster {name}: no network {spec.get('name')!r} in data center {dc.name}")
        network.clusters.setdefault(cluster.id, ClusterAttachment(required=bool(spec.get("required", False))))
    for host_data in data.get("hosts", []):
        _host(inv, cluster, management, host_data)
    for vm_data in data.get("vms", []):
        _vm(inv, cluster, vm_data)


def _host(inv: Inventory, cluster: Cluster, management: Network | None, data: dict) -> None:
    name = _need(data, "name", f"host in {cluster.name}")
    if inv.by_name(inv.hosts, name):
        raise ValueError(f"host {name}: defined twice")
    host_id = data.get("id") or stable_id("host", name)
    host = Host(id=host_id, name=name, address=data.get("address", name), cluster_id=cluster.id,
                status=data.get("status", "up"),
                memory=int(data.get("memory_gb", 256)) * 1024**3, spm=bool(data.get("spm", False)),
                serial=host_id.split("-")[-1].upper(), uuid=stable_id("hw", name).upper())
    for index, nic_data in enumerate(data.get("nics", [])):
        _host_nic(inv, host, management, index, nic_data)
    _cluster_networks_on(inv, host, management, data.get("unattached", []))
    inv.hosts[host.id] = host


def _host_nic(inv: Inventory, host: Host, management: Network | None, index: int, data: dict) -> None:
    nic_name = data.get("name", f"eno{index + 1}") if isinstance(data, dict) else f"eno{index + 1}"
    if not isinstance(data, dict):
        raise ValueError(f"host {host.name} nic {nic_name}: a NIC is a mapping, not {data!r}")
    if "uplink" in data:
        raise ValueError(f"host {host.name} nic {nic_name}: 'uplink' is no longer read here; host cabling belongs "
                         "in the fabric file's 'cabling:' list")
    nic_id = stable_id("host_nic", f"{host.name}/{nic_name}")
    default_mac = "00:1a:4a:" + ":".join(nic_id.replace("-", "")[i:i + 2] for i in (0, 2, 4))
    nic = HostNic(id=nic_id, name=nic_name, mac=str(data.get("mac") or default_mac).lower(),
                  mtu=int(data.get("mtu", 1500)), speed=int(data.get("speed", 10_000_000_000)))
    host.nics.append(nic)
    if data.get("ip"):
        iface = ipaddress.ip_interface(str(data["ip"]))
        nic.ip, nic.netmask = str(iface.ip), str(iface.network.netmask)
        nic.gateway = str(data.get("gateway", next(iface.network.hosts())))
    names = [data["network"]] if data.get("network") else []
    names += list(data.get("networks", []))
    dc_id = inv.clusters[host.cluster_id].data_center_id
    networks = []
    for network_name in names:
        network = next((n for n in inv.networks_of(dc_id) if n.name == network_name), None)
        if network is None:
            raise ValueError(f"host {host.name} nic {nic_name}: no network {network_name!r}")
        networks.append(network)
    if not names and index == 0 and management is not None:
        networks.append(management)
    for network in networks:
        if any(a.network_id == network.id for a in host.attachments):
            raise ValueError(f"host {host.name}: network {network.name} is attached twice")
        _attach(host, nic, network)


def _cluster_networks_on(inv: Inventory, host: Host, management: Network | None, unattached: list) -> None:
    """The cluster's networks no NIC of the file named go on the NIC that carries the management network."""
    cluster_networks = inv.cluster_networks(host.cluster_id)
    unknown = sorted(set(unattached) - {n.name for n in cluster_networks})
    if unknown:
        raise ValueError(f"host {host.name}: unattached names no network of its cluster: {', '.join(unknown)}")
    carrier = next((nic for a in host.attachments if management is not None and a.network_id == management.id
                    for nic in host.nics if nic.id == a.nic_id), None)
    attached = {a.network_id for a in host.attachments}
    for network in sorted(cluster_networks, key=lambda n: n.name):
        if carrier is None or network.id in attached or network is management or network.name in unattached:
            continue
        _attach(host, carrier, network)


def _attach(host: Host, nic: HostNic, network: Network) -> None:
    host.attachments.append(NetworkAttachment(id=attachment_id(host.id, nic.id, network.id),
                                              network_id=network.id, nic_id=nic.id))
    if network.vlan is not None and not any(n.name == f"{nic.name}.{network.vlan}" for n in host.nics):
        host.nics.append(HostNic(id=vlan_device_id(host.name, nic.name, network.vlan),
                                 name=f"{nic.name}.{network.vlan}", mac=nic.mac, mtu=network.mtu or nic.mtu,
                                 speed=nic.speed, boot_protocol="none", vlan=network.vlan, base=nic.name))


def _vm(inv: Inventory, cluster: Cluster, data: dict) -> None:
    name = _need(data, "name", f"VM in {cluster.name}")
    if inv.by_name(inv.vms, name):
        raise ValueError(f"VM {name}: defined twice")
    status = data.get("status", "down")
    if status not in VM_STATES:
        raise ValueError(f"VM {name}: status must be one of {', '.join(VM_STATES)}, not {status!r}")
    cpus = int(data.get("cpus", 1))
    vm = Vm(id=data.get("id") or stable_id("vm", name), name=name, cluster_id=cluster.id, status=status,
            description=data.get("description", ""), memory=int(data.get("memory_mb", 1024)) * 1024**2,
            sockets=cpus, os_type=data.get("os", "rhel_8x64"), fqdn=data.get("fqdn", ""),
            creation_time=FIXTURE_EPOCH)
    if status == "up":
        vm.host_id = _placement(inv, cluster, vm, data.get("host"))
        vm.start_time = FIXTURE_EPOCH
    elif data.get("host"):
        raise ValueError(f"VM {name}: a down VM runs on no host")
    for index, nic_data in enumerate(data.get("nics", [])):
        vm.nics.append(_vm_nic(inv, cluster, vm, index, nic_data))
    inv.vms[vm.id] = vm


def _placement(inv: Inventory, cluster: Cluster, vm: Vm, host_name: str | None) -> str:
    hosts = [h for h in inv.hosts_of(cluster.id) if h.status == "up"]
    if host_name:
        host = next((h for h in hosts if h.name == host_name), None)
        if host is None:
            raise ValueError(f"VM {vm.name}: {host_name!r} is not an up host of cluster {cluster.name}")
        return host.id
    if not hosts:
        raise ValueError(f"VM {vm.name}: cluster {cluster.name} has no up host to run it")
    return min(hosts, key=lambda h: (len(inv.vms_on(h.id)), h.name)).id


def _vm_nic(inv: Inventory, cluster: Cluster, vm: Vm, index: int, data: dict) -> VmNic:
    nic_name = data.get("name", f"nic{index + 1}")
    profile_id = None
    if data.get("profile"):
        wanted_network = data.get("network")
        for network in inv.cluster_networks(cluster.id):
            if wanted_network and network.name != wanted_network:
                continue
            profile = next((p for p in inv.profiles_of(network.id) if p.name == data["profile"]), None)
            if profile is not None:
                profile_id = profile.id
                break
        if profile_id is None:
            raise ValueError(f"VM {vm.name} nic {nic_name}: no profile {data['profile']!r} on the networks of "
                             f"cluster {cluster.name}")
    mac = str(data.get("mac") or "").lower()
    if not mac:
        raise ValueError(f"VM {vm.name} nic {nic_name}: mac is required")
    ips = [str(ip) for ip in data.get("ips", [])]
    return VmNic(id=stable_id("vm_nic", f"{vm.name}/{nic_name}"), name=nic_name, mac=mac, profile_id=profile_id,
                 interface=data.get("interface", "virtio"), ips=ips, guest_name=data.get("guest_name", ""))
