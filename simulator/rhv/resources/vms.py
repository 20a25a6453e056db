"""/vms: VMs (update with the engine's checks), their power and migration actions, NICs and the
devices the guest agent reports.

The VM shape copies what the recorded engine and the stub the SDK accepted agree on; `<cpu>` is
always present (ovirt.ovirt's ovirt_vm crashes without it) and `<host>` appears only while the
VM runs, still naming the source host during a migration."""

from __future__ import annotations

from ..model.errors import entity_not_found, failed, incomplete
from ..model.messages import app_error
from ..model.vms import update_vm
from ..wire.tree import Obj, Time
from . import vm_nics
from .common import empty, in_cluster, name_of, permissions, statistics_empty
from .context import as_guid, enum_value
from .registry import ApiReply, Collection, Resource


def render(ctx, vm) -> Obj:
    href = ctx.href("vms", vm.id)
    o = ctx.start("vm", href, vm.id)
    o.add("name", vm.name).add("description", vm.description).add("comment", vm.comment)
    ctx.links(o, "vm", href)
    o.add("bios", Obj("bios").add("boot_menu", Obj("boot_menu").add("enabled", False)).add("type", "q35_ovmf"))
    cluster = ctx.inv.clusters.get(vm.cluster_id)
    topology = Obj("topology").add("cores", vm.cores).add("sockets", vm.sockets).add("threads", vm.threads)
    o.add("cpu", Obj("cpu").add("architecture", cluster.architecture if cluster else "x86_64").add("topology", topology))
    o.add("cpu_shares", 0).add("creation_time", Time(vm.creation_time)).add("delete_protected", False)
    o.add("display", Obj("display").add("type", "vnc").add("monitors", 1))
    if vm.fqdn and vm.status in vm_nics.GUEST_AGENT_STATES:
        o.add("fqdn", vm.fqdn)
    o.add("high_availability", Obj("high_availability").add("enabled", False).add("priority", 0))
    o.add("io", Obj("io").add("threads", 1)).add("memory", vm.memory)
    o.add("memory_policy", Obj("memory_policy").add("ballooning", True).add("guaranteed", vm.memory)
          .add("max", vm.memory * 4))
    o.add("migration", Obj("migration").add("auto_converge", "inherit").add("compressed", "inherit"))
    o.add("migration_downtime", -1).add("multi_queues_enabled", True).add("origin", "ovirt")
    o.add("os", Obj("os").add("boot", Obj("boot").add("devices", Obj("devices", fields=[("device", ["hd"])])))
          .add("type", vm.os_type))
    policy = Obj("placement_policy").add("affinity", vm.affinity)
    if vm.placement_host_ids:
        policy.add("hosts", Obj("hosts", fields=[("host", [ctx.ref("host", "hosts", h) for h in vm.placement_host_ids])]))
    o.add("placement_policy", policy)
    if vm.start_time is not None and vm.running:
        o.add("start_time", Time(vm.start_time))
    o.add("stateless", False).add("status", vm.status)
    if vm.stop_time is not None and not vm.running:
        o.add("stop_time", Time(vm.stop_time))
    o.add("type", "server")
    o.add("cluster", ctx.ref("cluster", "clusters", vm.cluster_id))
    o.add("host", ctx.ref("host", "hosts", vm.host_id if vm.running else None))
    o.add("template", ctx.ref("template", "templates", vm.template_id))
    return o


def search(ctx) -> dict:
    inv = ctx.inv

    def host(v):
        return name_of(inv.hosts, v.host_id)

    return {**in_cluster(ctx), "description": lambda v: v.description, "fqdn": lambda v: v.fqdn,
            "host": host, "on_host": host, "hosts.name": host,
            "ip": lambda v: [ip for nic in v.nics for ip in nic.ips] if v.running else [],
            "mac": lambda v: [nic.mac for nic in v.nics]}


def _placement_host(ctx, ref) -> str:
    """BackendVmsResource.validateAndUpdateHostsInPlacementPolicy: by id as given, by name looked up."""
    if ref.id():
        return as_guid(ref.id())
    name = ref.text("name")
    if not name:
        raise incomplete("Host", ["id|name"], "validateAndUpdateHostsInPlacementPolicy")
    host = ctx.engine.find("hosts", name)
    if host is None:
        raise entity_not_found(name)
    return host.id


def _update(ctx, vm) -> ApiReply:
    b = ctx.body
    affinity = host_ids = None
    if b.has("placement_policy"):
        policy = b.child("placement_policy")
        affinity = enum_value(policy.text("affinity"))
        host_ids = [_placement_host(ctx, ref) for ref in policy.children("hosts/host")]
    update_vm(ctx.engine, vm, ctx.caller, name=b.text("name"), description=b.text("description"),
              comment=b.text("comment"), memory=b.int("memory"), affinity=affinity, host_ids=host_ids,
              policy=b.has("placement_policy"))
    return ApiReply(200, ctx.render("vm", vm))


# --- actions --------------------------------------------------------------------------------------------
def _host_ref(ctx, body):
    if body.id() and body.id() not in ctx.inv.hosts:
        raise failed(app_error("VDS_INVALID_SERVER_ID", "migrate", "VM"))
    host = ctx.named("hosts", body, "Host")
    if host is None:
        raise entity_not_found(f"Host: name={body.text('name')}")
    return host


def _migrate(ctx, vm) -> ApiReply:
    b = ctx.body
    host = _host_ref(ctx, b.child("host")) if b.has("host") else None
    cluster = ctx.named("clusters", b.child("cluster"), "Cluster") if b.has("cluster") else None
    return ctx.done(ctx.engine.lifecycle.migrate(vm, ctx.caller, host, cluster.id if cluster else None))


def _power(verb: str):
    def act(ctx, vm) -> ApiReply:
        return ctx.done(getattr(ctx.engine.lifecycle, verb)(vm, ctx.caller))
    return act


REPORTED = Collection("reporteddevices", "reported_devices", "reported_device",
                      list=lambda ctx, vm: vm_nics.reported_devices(vm))
RESOURCE = Resource("vm", render, update=_update, collections=[
    vm_nics.COLLECTION, empty("diskattachments", "disk_attachments", "disk_attachment"), REPORTED,
    statistics_empty(), permissions(), empty("tags", "tags", "tag"), empty("snapshots", "snapshots", "snapshot"),
    empty("graphicsconsoles", "graphics_consoles", "graphics_console"), empty("cdroms", "cdroms", "cdrom"),
    empty("watchdogs", "watchdogs", "watchdog"), empty("numanodes", "vm_numa_nodes", "vm_numa_node", "numa_nodes"),
    empty("hostdevices", "host_devices", "host_device"),
], actions={"start": _power("start"), "stop": _power("stop"), "shutdown": _power("shutdown"),
            "reboot": _power("reboot"), "migrate": _migrate, "cancelmigration": _power("cancel_migration")})
ROOT = Collection("vms", "vms", "vm", list=lambda ctx, _: list(ctx.inv.vms.values()),
                  get=lambda ctx, _, i: ctx.inv.vms.get(i), search=search, sort=True)
