"""A host's NICs (/hosts/{id}/nics): physical NICs and the VLAN devices attached VLAN networks add,
what each hears over LLDP from its switch, and the network attachments on each."""

from __future__ import annotations

from ..wire.tree import Obj
from .common import empty, statistics_empty
from .registry import Collection, Resource

LLDP_TTL = "120"


def render(ctx, item) -> Obj:
    host, nic = item
    href = ctx.href("hosts", host.id, "nics", nic.id)
    o = Obj("host_nic", {"href": href, "id": nic.id})
    o.add("actions", Obj("actions"))
    o.add("name", nic.name)
    ctx.links(o, "host_nic", href)
    if nic.base:
        o.add("base_interface", nic.base)
    network = ctx.inv.untagged_network(host, nic)
    o.add("boot_protocol", nic.boot_protocol).add("bridged", network is not None and network.vm)
    o.add("custom_configuration", False)
    if nic.ip:
        o.add("ip", Obj("ip").add("address", nic.ip).add("gateway", nic.gateway or None)
              .add("netmask", nic.netmask or None).add("version", "v4"))
    o.add("mac", Obj("mac").add("address", nic.mac)).add("mtu", nic.mtu).add("speed", nic.speed)
    o.add("status", nic.status)
    if nic.vlan is not None:
        o.add("vlan", Obj("vlan", {"id": nic.vlan}))
    o.add("host", ctx.ref("host", "hosts", host.id))
    o.add("network", ctx.ref("network", "networks", network.id if network else None))
    return o


def lldp_elements(ctx, item) -> list:
    """What the NIC hears from the switch port it is cabled to (an ACI leaf's LLDP TLVs)."""
    _host, nic = item
    if not nic.lldp:
        return []
    n = nic.lldp
    return [
        ("Chassis ID", 1, [("chassis ID", n["chassis_id"]), ("chassis ID subtype", "MAC")]),
        ("Port ID", 2, [("port ID", n["port_id"]), ("port ID subtype", "Ifname")]),
        ("Time to Live", 3, [("time to live", LLDP_TTL)]),
        ("Port Description", 4, [("port description", n["port_description"])]),
        ("System Name", 5, [("system name", n["system_name"])]),
        ("System Description", 6, [("system description", n["system_description"])]),
    ]


def render_lldp(ctx, element) -> Obj:
    name, tlv, props = element
    properties = Obj("properties", fields=[("property", [Obj("property").add("name", k).add("value", v)
                                                           for k, v in props])])
    return Obj("link_layer_discovery_protocol_element").add("name", name).add("properties", properties).add("type", tlv)


def _attachments_on(ctx, item) -> list:
    host, nic = item
    return [(host, a) for a in host.attachments if a.nic_id == nic.id]


RESOURCE = Resource("host_nic", render, collections=[
    Collection("linklayerdiscoveryprotocolelements", "link_layer_discovery_protocol_elements",
               "link_layer_discovery_protocol_element", list=lldp_elements, get=lambda ctx, parent, i: None),
    empty("networklabels", "network_labels", "network_label"),
    Collection("networkattachments", "network_attachments", "network_attachment", list=_attachments_on),
    statistics_empty(),
])
LLDP = Resource("link_layer_discovery_protocol_element", render_lldp)
COLLECTION = Collection("nics", "host_nics", "host_nic", list=lambda ctx, host: [(host, n) for n in host.nics],
                        attribute="nics")
