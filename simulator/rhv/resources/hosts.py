"""/hosts: hosts (update, and change cluster in maintenance), their NICs, network attachments
(setupnetworks, add, remove, commitnetconfig), statistics, and the maintenance actions."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from ..model.errors import entity_not_found, incomplete
from ..wire.tree import Obj, ref
from . import host_nics
from .common import empty, in_cluster, permissions, version_obj
from .registry import ApiReply, Collection, Resource

# HostStatisticalQuery: name -> (description, unit, value type); all are gauges
STATISTICS = {
    "memory.total": ("Total memory", "bytes", "integer"),
    "memory.used": ("Used memory", "bytes", "integer"),
    "memory.free": ("Free memory", "bytes", "integer"),
    "memory.shared": ("The amount of memory, in bytes, shared among Virtual-Machines on this Host by Kernel "
                      "Same-page Merging (KSM)", "bytes", "integer"),
    "swap.total": ("Total swap", "bytes", "integer"),
    "swap.free": ("Free swap", "bytes", "integer"),
    "swap.used": ("Used swap", "bytes", "integer"),
    "ksm.cpu.current": ("KSM CPU usage", "percent", "decimal"),
    "cpu.current.user": ("User CPU usage", "percent", "decimal"),
    "cpu.current.system": ("System CPU usage", "percent", "decimal"),
    "cpu.current.idle": ("Idle CPU usage", "percent", "decimal"),
    "cpu.load.avg.5m": ("CPU 5 minute load average", "percent", "decimal"),
    "boot.time": ("Boot time of the machine", "none", "integer"),
}


def statistic_id(name: str) -> str:
    """StatisticResourceUtils.asId: Java's UUID.nameUUIDFromBytes (an MD5, version 3) of the name."""
    raw = bytearray(hashlib.md5(name.encode()).digest())
    raw[6] = (raw[6] & 0x0F) | 0x30
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


@dataclass
class Statistic:
    id: str
    name: str
    value: float


def render(ctx, host) -> Obj:
    href = ctx.href("hosts", host.id)
    o = ctx.start("host", href, host.id)
    o.add("name", host.name).add("comment", host.comment)
    ctx.links(o, "host", href)
    o.add("address", host.address).add("auto_numa_status", "disable")
    o.add("certificate", Obj("certificate").add("organization", "example.com")
          .add("subject", f"O=example.com,CN={host.address}"))
    topology = Obj("topology").add("cores", host.cores).add("sockets", host.sockets).add("threads", host.threads)
    o.add("cpu", Obj("cpu").add("name", host.cpu_name).add("speed", host.cpu_speed).add("topology", topology)
          .add("type", host.cpu_type))
    o.add("external_status", "ok")
    o.add("hardware_information", Obj("hardware_information").add("family", "Red Hat Enterprise Linux")
          .add("manufacturer", "Red Hat").add("product_name", "RHEV Hypervisor")
          .add("serial_number", host.serial).add("uuid", host.uuid).add("version", "8.6-1.el8"))
    o.add("kdump_status", "disabled").add("ksm", Obj("ksm").add("enabled", False))
    o.add("max_scheduling_memory", host.memory - 4 * 1024**3).add("memory", host.memory)
    o.add("numa_supported", False)
    o.add("os", Obj("os").add("type", "RHEL").add("version", Obj("version").add("full_version", "8.6 - 1.el8")
                                                   .add("major", 8).add("minor", 6)))
    o.add("port", 54321).add("power_management", Obj("power_management").add("enabled", False))
    o.add("protocol", "stomp").add("se_linux", Obj("se_linux").add("mode", "enforcing"))
    o.add("spm", Obj("spm").add("priority", 5).add("status", "spm" if host.spm else "none"))
    o.add("ssh", Obj("ssh").add("port", 22)).add("status", host.status)
    running = ctx.inv.vms_on(host.id)
    migrating = ctx.engine.lifecycle.migrating_count(host.id)
    o.add("summary", Obj("summary").add("active", len(running)).add("migrating", migrating).add("total", len(running)))
    o.add("type", "rhel").add("update_available", False).add("version", version_obj("version", host.vdsm, full=True))
    o.add("cluster", ctx.ref("cluster", "clusters", host.cluster_id))
    return o


def search(ctx) -> dict:
    return {**in_cluster(ctx), "address": lambda h: h.address}


def _update(ctx, host) -> ApiReply:
    b = ctx.body
    cluster = ctx.named("clusters", b.child("cluster"), "Cluster")
    ctx.engine.hosts.update(host, ctx.caller, cluster_id=cluster.id if cluster else None, name=b.text("name"),
                            comment=b.text("comment"), address=b.text("address"))
    return ApiReply(200, ctx.render("host", host))


# --- actions --------------------------------------------------------------------------------------------
def _deactivate(ctx, host) -> ApiReply:
    return ctx.done(ctx.engine.hosts.deactivate(host, ctx.caller, ctx.body.text("reason")))


def _activate(ctx, host) -> ApiReply:
    return ctx.done(ctx.engine.hosts.activate(host, ctx.caller))


def _nic_ref(ctx, host, body):
    nic_id, name = body.id(), body.text("name")
    nic = ctx.inv.find_host_nic(host, nic_id) if nic_id else ctx.inv.host_nic_named(host, name or "")
    if nic is None:
        if not (nic_id or name):
            raise incomplete("NetworkAttachment", ["hostNic.id|name"], "add")
        raise entity_not_found(nic_id or f"HostNic: name={name}")
    return nic


def _attachment_request(ctx, host, body) -> tuple[str, str]:
    network = ctx.network_ref(body.child("network"), dc_id=ctx.inv.clusters[host.cluster_id].data_center_id)
    if network is None:
        existing = next((a for a in host.attachments if a.id == body.id()), None)
        if existing is None:
            raise incomplete("NetworkAttachment", ["network.id|name"], "add")
        network = ctx.inv.networks[existing.network_id]
    return network.id, _nic_ref(ctx, host, body.child("host_nic")).id


def _setup_networks(ctx, host) -> ApiReply:
    b = ctx.body
    attach = [_attachment_request(ctx, host, a) for a in b.children("modified_network_attachments/network_attachment")]
    detach = [a.id() for a in b.children("removed_network_attachments/network_attachment") if a.id()]
    return ctx.done(ctx.engine.hosts.setup_networks(host, ctx.caller, attach, detach))


def _commit_network_changes(ctx, host) -> ApiReply:
    return ctx.done(ctx.engine.hosts.commit_network_changes(host, ctx.caller))


# --- network attachments ---------------------------------------------------------------------------------
def render_attachment(ctx, item) -> Obj:
    host, att = item
    o = Obj("network_attachment", {"href": ctx.href("hosts", host.id, "networkattachments", att.id), "id": att.id})
    o.add("in_sync", True)
    o.add("ip_address_assignments", _assignments(ctx, host, att))
    o.add("host", ctx.ref("host", "hosts", host.id))
    o.add("host_nic", ref("host_nic", ctx.href("hosts", host.id, "nics", att.nic_id), att.nic_id))
    o.add("network", ctx.ref("network", "networks", att.network_id))
    return o


def _assignments(ctx, host, att) -> Obj:
    """How the attachment's addresses are assigned, IPv4 then IPv6, as the engine always lists them: the NIC's
    static address for the untagged network it carries (the management network), `none` otherwise."""
    nic = ctx.inv.find_host_nic(host, att.nic_id)
    network = ctx.inv.networks.get(att.network_id)
    v4 = Obj("ip")
    method = "none"
    if nic is not None and network is not None and network.vlan is None and nic.ip:
        method = nic.boot_protocol
        v4.add("address", nic.ip).add("gateway", nic.gateway or None).add("netmask", nic.netmask or None)
    v4.add("version", "v4")
    assignments = [Obj("ip_address_assignment").add("assignment_method", method).add("ip", v4),
                   Obj("ip_address_assignment").add("assignment_method", "none").add("ip", Obj("ip").add("version", "v6"))]
    return Obj("ip_address_assignments", fields=[("ip_address_assignment", assignments)])


def _add_attachment(ctx, host) -> ApiReply:
    network_id, nic_id = _attachment_request(ctx, host, ctx.body)
    ctx.engine.hosts.setup_networks(host, ctx.caller, [(network_id, nic_id)], [])
    return ctx.created("network_attachment", (host, ctx.inv.attachment_of(host, network_id)))


def _remove_attachment(ctx, item) -> ApiReply:
    host, att = item
    return ctx.done(ctx.engine.hosts.setup_networks(host, ctx.caller, [], [att.id]))


# --- statistics ----------------------------------------------------------------------------------------------
def _statistics(ctx, host) -> list:
    return [(host, Statistic(statistic_id(name), name, value)) for name, value in ctx.engine.hosts.statistics(host)]


def render_statistic(ctx, item) -> Obj:
    host, stat = item
    description, unit, value_type = STATISTICS[stat.name]
    o = Obj("statistic", {"href": ctx.href("hosts", host.id, "statistics", stat.id), "id": stat.id})
    o.add("name", stat.name).add("description", description)
    o.add("kind", "gauge").add("type", value_type).add("unit", unit)
    datum = int(stat.value) if value_type == "integer" else float(stat.value)
    o.add("values", Obj("values", fields=[("value", [Obj("value").add("datum", datum)])]))
    return o.add("host", ctx.ref("host", "hosts", host.id))


RESOURCE = Resource("host", render, update=_update, collections=[
    host_nics.COLLECTION,
    Collection("networkattachments", "network_attachments", "network_attachment", add=_add_attachment,
               list=lambda ctx, host: [(host, a) for a in host.attachments]),
    Collection("statistics", "statistics", "statistic", list=_statistics),
    permissions(), empty("tags", "tags", "tag"), empty("storage", "host_storages", "host_storage", attribute="storages"),
    empty("katelloerrata", "katello_errata", "katello_erratum"),
    empty("devices", "host_devices", "host_device", attribute="devices"),
    empty("unmanagednetworks", "unmanaged_networks", "unmanaged_network"),
    empty("numanodes", "host_numa_nodes", "host_numa_node", attribute="numa_nodes"),
], actions={"activate": _activate, "deactivate": _deactivate, "refresh": lambda ctx, host: ctx.done(),
            "setupnetworks": _setup_networks, "commitnetconfig": _commit_network_changes})
ATTACHMENT = Resource("network_attachment", render_attachment, remove=_remove_attachment)
STATISTIC = Resource("statistic", render_statistic)
ROOT = Collection("hosts", "hosts", "host", list=lambda ctx, _: list(ctx.inv.hosts.values()),
                  get=lambda ctx, _, i: ctx.inv.hosts.get(i), search=search, sort=True)
