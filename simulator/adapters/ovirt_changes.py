"""Following an engine between full syncs: what its events since a position say changed in one data
center, and a re-read of just those VMs and hosts.

The engine has no push notifications (ovirt.md §6): a poller reads `GET /events?from=N`, the events
after id N. Each event names what it is about by reference (`vm`, `host`, `cluster`, `data_center`,
`template`, `storage_domain`, `user`, each with an id; ovirt.md §3). The reading here:
- sign-ins and sign-outs (codes 30, 31) change no inventory: skipped;
- an event whose `data_center` is another data center, or (naming no data center) whose `cluster` is
  not one of this data center's, is another data center's business: skipped;
- an event naming a VM is about that VM (a start, a migration, a NIC plugged: the VM is re-read, and
  the host named beside it is only where the VM runs);
- one naming a host and no VM is about the host (maintenance, activation, its network setup);
- one naming neither (a network, a cluster, a data center, a storage domain, ...) can change anything
  the APIC holds: the whole data center is read again.
The position moves to the newest event seen, skipped ones included, so a later poll does not read them
again. An idle poll is one request; the data center's id (for comparing references, which carry ids) is
read only when an event needs it, and its clusters only when an event names a cluster but no data center.

A re-read GETs each object by id with the same `follow` a full sync uses, so it comes back exactly as a
sync would describe it; 404, or an object now in a cluster of another data center, is gone. Above
PER_ID_LIMIT ids of a kind, one listing of the data center (as the full sync's) is cheaper than that
many GETs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..apic.managers.vmm_ports import Changes, Delta
from .ovirt_wire import HOST_FOLLOW, VM_FOLLOW, EngineRefusal, host_of, vm_of

if TYPE_CHECKING:
    from .ovirt_client import OvirtClient

SESSION_EVENTS = frozenset({30, 31})  # USER_VDC_LOGIN, USER_VDC_LOGOUT: a sign-in changes no inventory
PER_ID_LIMIT = 20  # above this many ids of one kind, one listing of the data center instead of GETs


def changes(client: OvirtClient, data_center: str, after: int) -> Changes:
    """What the events after id `after` say changed in `data_center` (oldest first, whatever order the
    engine lists them in)."""
    listed = client.get("/events", **{"from": str(after)}).get("event", [])
    seen = sorted((e for e in listed if int(e["id"]) > after), key=lambda e: int(e["id"]))
    last_event = int(seen[-1]["id"]) if seen else after
    relevant = [e for e in seen if int(e.get("code", 0)) not in SESSION_EVENTS]
    if not relevant:
        return Changes(last_event=last_event)
    dc_id = client.data_center_id(data_center)
    clusters: dict[str, str] | None = None
    vms: dict[str, None] = {}  # ordered sets: the order the events named them in
    hosts: dict[str, None] = {}
    whole = False
    for event in relevant:
        data_center_ref, cluster_ref = _ref(event, "data_center"), _ref(event, "cluster")
        if data_center_ref and data_center_ref != dc_id:
            continue
        if not data_center_ref and cluster_ref:
            clusters = client.clusters(dc_id) if clusters is None else clusters
            if cluster_ref not in clusters:
                continue
        if _ref(event, "vm"):
            vms[_ref(event, "vm")] = None
        elif _ref(event, "host"):
            hosts[_ref(event, "host")] = None
        else:
            whole = True
    return Changes(last_event=last_event, vms=tuple(vms), hosts=tuple(hosts), whole=whole)


def fetch_some(client: OvirtClient, data_center: str, vm_ids: tuple[str, ...],
               host_ids: tuple[str, ...]) -> Delta:
    """Those VMs and hosts as a full sync of `data_center` would describe them now, and those it no
    longer has (deleted, or in another data center). Nothing asked: no request."""
    if not vm_ids and not host_ids:
        return Delta(hosts=(), vms=(), gone_hosts=(), gone_vms=())
    clusters = client.clusters(client.data_center_id(data_center))
    host_found = _read(client, data_center, clusters, "hosts", "host", HOST_FOLLOW, _unique(host_ids))
    vm_found = _read(client, data_center, clusters, "vms", "vm", VM_FOLLOW, _unique(vm_ids))
    profile_network = client.profile_networks() if any(vm_found.values()) else {}
    return Delta(hosts=tuple(host_of(h, clusters) for h in host_found.values() if h),
                 vms=tuple(vm_of(v, profile_network) for v in vm_found.values() if v),
                 gone_hosts=tuple(i for i, h in host_found.items() if not h),
                 gone_vms=tuple(i for i, v in vm_found.items() if not v))


def _read(client: OvirtClient, data_center: str, clusters: dict[str, str], collection: str, tag: str,
          follow: str, ids: tuple[str, ...]) -> dict[str, dict[str, Any] | None]:
    """id -> the object as the engine serves it in this data center, or None when it has it not there."""
    if len(ids) > PER_ID_LIMIT:
        listing = client.get(f"/{collection}", search=f'datacenter="{data_center}"', follow=follow).get(tag, [])
        by_id = {o["id"]: o for o in listing}
        return {i: by_id.get(i) for i in ids}
    found: dict[str, dict[str, Any] | None] = {}
    for object_id in ids:
        try:
            entity = client.get(f"/{collection}/{object_id}", follow=follow)
        except EngineRefusal as refusal:
            if refusal.status != 404:
                raise
            entity = None
        in_data_center = entity is not None and entity.get("cluster", {}).get("id") in clusters
        found[object_id] = entity if in_data_center else None
    return found


def _ref(event: dict, tag: str) -> str:
    ref = event.get(tag)
    return ref.get("id", "") if isinstance(ref, dict) else ""


def _unique(ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
