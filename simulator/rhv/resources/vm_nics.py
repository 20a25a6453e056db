"""A VM's NICs (/vms/{id}/nics): add with a vNIC profile and a MAC from the pool, update (another profile,
name, link, MAC, type, plugged), activate/deactivate (an update of <plugged> only, as the restapi's
BackendVmNicResource does it), remove, and the device the guest reports for each plugged NIC."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ..model.entities import Vm, VmNic
from ..model.networking import UNSET
from ..model.vm_nics import update_vm_nic
from ..wire.tree import Obj
from .common import empty, statistics_empty
from .context import as_guid, enum_value
from .registry import ApiReply, Collection, Resource

GUEST_AGENT_STATES = ("up", "migrating", "powering_down")


def render(ctx, item) -> Obj:
    vm, nic = item
    href = ctx.href("vms", vm.id, "nics", nic.id)
    o = ctx.start("nic", href, nic.id)
    o.add("name", nic.name)
    ctx.links(o, "nic", href)
    o.add("interface", nic.interface).add("linked", nic.linked)
    o.add("mac", Obj("mac").add("address", nic.mac)).add("plugged", nic.plugged).add("synced", True)
    o.add("vm", ctx.ref("vm", "vms", vm.id))
    o.add("vnic_profile", ctx.ref("vnic_profile", "vnicprofiles", nic.profile_id))
    return o


def _add(ctx, vm) -> ApiReply:
    b = ctx.body
    ref = b.child("vnic_profile")
    profile = ctx.named("profiles", ref, "VnicProfile") if ref else None
    nic = ctx.engine.networking.add_vm_nic(
        ctx.caller, vm, b.text("name"), profile, interface=b.text("interface"), mac=b.text("mac/address"),
        linked=b.bool("linked"), plugged=b.bool("plugged"))
    return ctx.created("nic", (vm, nic))


def _update(ctx, item) -> ApiReply:
    """NicMapper: what the body sets replaces what the NIC has; a <vnic_profile> without an id empties it."""
    vm, nic = item
    b = ctx.body
    profile_id = UNSET
    if b.has("vnic_profile"):
        ref = b.child("vnic_profile").id()
        profile_id = as_guid(ref) if ref else None
    update_vm_nic(ctx.engine, ctx.caller, vm, nic, name=b.text("name"), interface=enum_value(b.text("interface")),
                  mac=b.text("mac/address"), linked=b.bool("linked"), plugged=b.bool("plugged"),
                  profile_id=profile_id)
    return ApiReply(200, ctx.render("nic", item))


def _plug(plugged: bool):
    def act(ctx, item) -> ApiReply:
        vm, nic = item
        update_vm_nic(ctx.engine, ctx.caller, vm, nic, plugged=plugged)
        return ctx.done()
    return act


def _remove(ctx, item) -> ApiReply:
    vm, nic = item
    ctx.engine.networking.remove_vm_nic(ctx.caller, vm, nic)
    return ctx.done()


# --- what the guest agent reports ------------------------------------------------------------------------
@dataclass
class ReportedDevice:
    id: str
    vm: Vm
    name: str
    nic: VmNic


def reported_device_id(guest_name: str, mac: str) -> str:
    """The engine derives it from the guest's interface name and MAC ('eth0' + '00:1a:4a:...')."""
    raw = (guest_name + mac).encode()[:16].ljust(16, b"\0")
    return str(uuid.UUID(bytes=raw))


def reported_devices(vm: Vm, only: VmNic | None = None) -> list[ReportedDevice]:
    """Only while the guest runs: one device per plugged NIC (an unplugged one is gone from the guest), with
    the IPs the guest has."""
    if vm.status not in GUEST_AGENT_STATES:
        return []
    out = []
    for index, nic in enumerate(vm.nics):
        if nic.plugged and (only is None or nic is only):
            name = nic.guest_name or f"eth{index}"
            out.append(ReportedDevice(reported_device_id(name, nic.mac), vm, name, nic))
    return out


def render_device(ctx, device: ReportedDevice) -> Obj:
    vm, nic = device.vm, device.nic
    o = Obj("reported_device", {"href": ctx.href("vms", vm.id, "reporteddevices", device.id), "id": device.id})
    o.add("name", device.name).add("description", "guest reported data")
    ips = [Obj("ip").add("address", ip).add("version", "v6" if ":" in ip else "v4") for ip in nic.ips]
    o.add("ips", Obj("ips", fields=[("ip", ips)] if ips else []))
    o.add("mac", Obj("mac").add("address", nic.mac)).add("type", "network")
    return o.add("vm", ctx.ref("vm", "vms", vm.id))


RESOURCE = Resource("nic", render, update=_update, remove=_remove, actions={
    "activate": _plug(True), "deactivate": _plug(False)}, collections=[
    Collection("reporteddevices", "reported_devices", "reported_device",
               list=lambda ctx, item: reported_devices(item[0], only=item[1])),
    empty("networkfilterparameters", "network_filter_parameters", "network_filter_parameter"),
    statistics_empty(),
])
COLLECTION = Collection("nics", "nics", "nic", list=lambda ctx, vm: [(vm, n) for n in vm.nics], add=_add)
DEVICE = Resource("reported_device", render_device)
