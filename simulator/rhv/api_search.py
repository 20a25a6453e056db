"""What each collection can be searched by: the engine's search fields, as getters on the model.

Field names are the engine's (`datacenter`, `cluster`, `host`, `vlanid`, `ip`, `type` for an
event's code) plus the cross-entity forms clients use (`Clusters.name` on data centers,
`vm.name` on templates, `Hosts.name` on VMs). Keys are lower case; the parser lowers the names.
"""

from __future__ import annotations

from .search import Getter

SEVERITY_RANK = {"normal": 0, "warning": 1, "error": 2, "alert": 3}


def search_fields(reader, head: str) -> dict[str, Getter]:
    inv = reader.inv

    def dc_name(dc_id):
        dc = inv.data_centers.get(dc_id)
        return dc.name if dc else None

    def cluster_name(cluster_id):
        cluster = inv.clusters.get(cluster_id)
        return cluster.name if cluster else None

    def host_name(host_id):
        host = inv.hosts.get(host_id) if host_id else None
        return host.name if host else None

    def vm_cluster_dc(vm):
        return dc_name(inv.clusters[vm.cluster_id].data_center_id)

    tables: dict[str, dict[str, Getter]] = {
        "datacenters": {
            "name": lambda dc: dc.name, "id": lambda dc: dc.id, "status": lambda dc: dc.status,
            "description": lambda dc: dc.description,
            "clusters.name": lambda dc: [c.name for c in inv.clusters_of(dc.id)],
            "cluster": lambda dc: [c.name for c in inv.clusters_of(dc.id)],
            "networks.name": lambda dc: [n.name for n in inv.networks_of(dc.id)],
        },
        "clusters": {
            "name": lambda c: c.name, "id": lambda c: c.id, "description": lambda c: c.description,
            "datacenter": lambda c: dc_name(c.data_center_id), "datacenter.name": lambda c: dc_name(c.data_center_id),
        },
        "hosts": {
            "name": lambda h: h.name, "id": lambda h: h.id, "status": lambda h: h.status,
            "address": lambda h: h.address, "cluster": lambda h: cluster_name(h.cluster_id),
            "cluster.name": lambda h: cluster_name(h.cluster_id),
            "datacenter": lambda h: dc_name(inv.clusters[h.cluster_id].data_center_id),
        },
        "networks": {
            "name": lambda n: n.name, "id": lambda n: n.id, "description": lambda n: n.description,
            "datacenter": lambda n: dc_name(n.data_center_id), "datacenter.name": lambda n: dc_name(n.data_center_id),
            "vlanid": lambda n: n.vlan, "label": lambda n: n.labels,
            "cluster": lambda n: [cluster_name(c) for c in n.clusters],
            "clusters.name": lambda n: [cluster_name(c) for c in n.clusters],
        },
        "vnicprofiles": {"name": lambda p: p.name, "id": lambda p: p.id},
        "vms": {
            "name": lambda v: v.name, "id": lambda v: v.id, "status": lambda v: v.status,
            "description": lambda v: v.description, "fqdn": lambda v: v.fqdn,
            "cluster": lambda v: cluster_name(v.cluster_id), "clusters.name": lambda v: cluster_name(v.cluster_id),
            "datacenter": vm_cluster_dc, "host": lambda v: host_name(v.host_id),
            "on_host": lambda v: host_name(v.host_id), "hosts.name": lambda v: host_name(v.host_id),
            "ip": lambda v: [ip for nic in v.nics for ip in nic.ips] if v.running else [],
            "mac": lambda v: [nic.mac for nic in v.nics],
        },
        "templates": {
            "name": lambda t: "Blank", "id": lambda t: t,
            "vm.name": lambda t: [vm.name for vm in inv.vms.values() if vm.template_id == t],
            "vms.name": lambda t: [vm.name for vm in inv.vms.values() if vm.template_id == t],
        },
        "users": {
            "name": lambda u: reader.users()[u].partition("@")[0], "id": lambda u: u,
            "usrname": lambda u: reader.users()[u],
        },
        "tags": {"name": lambda t: "root", "id": lambda t: t},
        "jobs": {"status": lambda j: j.status, "id": lambda j: j.id, "description": lambda j: j.description},
        "events": {
            "severity": lambda e: SEVERITY_RANK[e.severity], "type": lambda e: e.code, "id": lambda e: e.id,
            "correlation_id": lambda e: e.correlation_id,
            "vm.name": lambda e: _name_of(inv.vms, e.refs.get("vm")),
            "host.name": lambda e: _name_of(inv.hosts, e.refs.get("host")),
        },
        "storagedomains": {"name": lambda s: s, "id": lambda s: s},
    }
    return tables.get(head, {"name": lambda e: getattr(e, "name", None)})


def _name_of(table: dict, entity_id: str | None):
    entity = table.get(entity_id) if entity_id else None
    return entity.name if entity else None

