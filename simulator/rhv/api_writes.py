"""Adds, removes and actions: the engine's write side, translated to model calls (updates, PUT,
are in api_updates.py).

Adds answer 201 with the object and a Location; removes answer 200 with an <action> (the SDK's
remove() accepts nothing else); actions answer 200 with the request's <action> echoed plus the
job they started and <status>complete</status>. References in bodies are resolved the engine's
way: by id, else by name (a name that matches nothing is a 404 `Entity not found`).
"""

from __future__ import annotations

from lxml import etree

from .api_read import ApiReply, ApiRequest, Reader
from .api_updates import Updates, as_guid, enum_value
from .codec_xml import Body
from .errors import entity_not_found, failed, not_found
from .messages import app_error
from .networking import UNSET
from .tree import Obj
from .views_vm import Views

VM_ACTIONS = ("start", "stop", "shutdown", "migrate", "cancelmigration")
HOST_ACTIONS = ("deactivate", "activate", "refresh")


def echo(body: Body) -> list[tuple[str, object]]:
    """The request's <action> children as they came, for the engine's echoing reply."""
    if not body:
        return []
    return [(child.tag, _to_obj(child)) for child in body.element
            if isinstance(child.tag, str) and child.tag not in ("status", "job", "fault")]


def _to_obj(element: etree._Element):
    if len(element) == 0 and not element.attrib:
        return element.text or ""
    obj = Obj(element.tag, dict(element.attrib))
    for child in element:
        if isinstance(child.tag, str):
            obj.add(child.tag, _to_obj(child))
    return obj


class Writes(Updates):
    def __init__(self, rhv, views: Views, reader: Reader, req: ApiRequest):
        self.rhv = rhv
        self.inv = rhv.inventory
        self.views = views
        self.reader = reader
        self.req = req
        self.body = req.body
        self.caller = req.caller

    def handle(self) -> ApiReply:
        method, path = self.req.method, self.req.path
        handler = {"POST": self.post, "DELETE": self.delete, "PUT": self.put}.get(method)
        if handler is None:
            raise not_found()
        return handler(path)

    # --- POST: adds and actions ------------------------------------------------------------------------
    def post(self, path: list[str]) -> ApiReply:
        n = len(path)
        if path == ["networks"]:
            return self._added(self._add_network(self._data_center(self.body.child("data_center"))))
        if n == 3 and path[0] == "datacenters" and path[2] == "networks":
            return self._added(self._add_network(self.rhv.get("data_centers", path[1]).id))
        if n == 3 and path[0] == "clusters" and path[2] == "networks":
            return self._attach(self.rhv.get("clusters", path[1]))
        if path == ["vnicprofiles"] or (n == 3 and path[0] == "networks" and path[2] == "vnicprofiles"):
            network = self.rhv.get("networks", path[1]) if n == 3 else self._network_ref(self.body.child("network"))
            return self._add_profile(network)
        if n == 3 and path[0] == "networks" and path[2] == "networklabels":
            network = self.rhv.get("networks", path[1])
            label = self.rhv.networking.add_label(network, self.body.id())
            return self._created(self.views.network_label(network, label))
        if n == 3 and path[0] == "vms" and path[2] == "nics":
            return self._add_vm_nic(self.rhv.get("vms", path[1]))
        if n == 3 and path[0] == "vms" and path[2] in VM_ACTIONS:
            return self._vm_action(self.rhv.get("vms", path[1]), path[2])
        if n == 3 and path[0] == "hosts" and path[2] in HOST_ACTIONS:
            return self._host_action(self.rhv.get("hosts", path[1]), path[2])
        if n == 3 and path[0] == "jobs" and path[2] == "clear":
            self.rhv.jobs.jobs.pop(self.reader.entity("jobs", path[1]).id, None)
            return ApiReply(200, self.views.action(echo(self.body), None))
        self.reader.get(path)  # an existing path that takes no POST: 405, a missing one: 404
        return ApiReply(405, None)

    def _added(self, network) -> ApiReply:
        return self._created(self.views.network(network))

    def _created(self, obj: Obj) -> ApiReply:
        return ApiReply(201, obj, location=obj.attrs.get("href"))

    def _add_network(self, dc_id: str | None):
        b = self.body
        usages = b.texts("usages/usage") if b.has("usages") else None
        return self.rhv.networking.add_network(
            self.caller, b.text("name"), dc_id, vlan=b.attr_int("vlan", "id"), mtu=b.int("mtu"),
            description=b.text("description"), comment=b.text("comment"), usages=usages, stp=b.bool("stp"),
            profile_required=b.bool("profile_required"))

    def _attach(self, cluster) -> ApiReply:
        b = self.body
        network = self._network_ref(b, dc_id=cluster.data_center_id)
        usages = b.texts("usages/usage") if b.has("usages") else None
        self.rhv.networking.attach(self.caller, network, cluster.id, required=b.bool("required"),
                                   display=b.bool("display"), usages=usages)
        return self._created(self.reader.render("network", network, cluster_id=cluster.id))

    def _add_profile(self, network) -> ApiReply:
        """An omitted <network_filter> gets the engine's default filter, an empty one no filter (the
        restapi passes useDefaultNetworkFilterId = !isSetNetworkFilter); a filter by name only is none."""
        b = self.body
        network_filter = UNSET
        if b.has("network_filter"):
            filter_id = b.child("network_filter").id()
            network_filter = as_guid(filter_id) if filter_id else None
        profile = self.rhv.networking.add_profile(
            self.caller, b.text("name"), network, description=b.text("description"),
            port_mirroring=b.bool("port_mirroring"), pass_through=enum_value(b.text("pass_through/mode")),
            migratable=b.bool("migratable"), network_filter=network_filter)
        return self._created(self.views.vnic_profile(profile))

    def _add_vm_nic(self, vm) -> ApiReply:
        b = self.body
        profile = None
        ref = b.child("vnic_profile")
        if ref and (ref.id() or ref.text("name")):
            profile = self._profile_ref(ref)
        nic = self.rhv.networking.add_vm_nic(
            self.caller, vm, b.text("name"), profile, interface=b.text("interface"), mac=b.text("mac/address"),
            linked=b.bool("linked"), plugged=b.bool("plugged"))
        return self._created(self.views.nic(vm, nic))

    def _vm_action(self, vm, verb: str) -> ApiReply:
        life = self.rhv.lifecycle
        if verb == "start":
            job = life.start(vm, self.caller)
        elif verb == "stop":
            job = life.stop(vm, self.caller)
        elif verb == "shutdown":
            job = life.shutdown(vm, self.caller)
        elif verb == "cancelmigration":
            job = life.cancel_migration(vm, self.caller)
        else:
            host = self._host_ref(self.body.child("host")) if self.body.has("host") else None
            cluster = self._cluster_ref(self.body.child("cluster")) if self.body.has("cluster") else None
            job = life.migrate(vm, self.caller, host, cluster.id if cluster else None)
        return ApiReply(200, self.views.action(echo(self.body), job))

    def _host_action(self, host, verb: str) -> ApiReply:
        life = self.rhv.lifecycle
        job = None
        if verb == "deactivate":
            job = life.deactivate(host, self.caller, self.body.text("reason"))
        elif verb == "activate":
            job = life.activate(host, self.caller)
        return ApiReply(200, self.views.action(echo(self.body), job))

    # --- references in bodies ------------------------------------------------------------------------------
    def _data_center(self, ref: Body) -> str | None:
        if not ref:
            return None
        if ref.id():
            if ref.id() not in self.inv.data_centers:
                raise entity_not_found(ref.id())
            return ref.id()
        name = ref.text("name")
        dc = self.rhv.find("data_centers", name) if name else None
        if name and dc is None:
            raise entity_not_found(f"Datacenter: name={name}")
        return dc.id if dc else None

    def _network_ref(self, ref: Body, dc_id: str | None = None):
        if ref and ref.id():
            network = self.inv.networks.get(ref.id())
            if network is None:
                raise entity_not_found(ref.id())
            return network
        name = ref.text("name") if ref else None
        if not name:
            return None
        for network in self.inv.networks.values():
            if network.name == name and (dc_id is None or network.data_center_id == dc_id):
                return network
        raise entity_not_found(f"Network: name={name}")

    def _profile_ref(self, ref: Body):
        if ref.id():
            profile = self.inv.profiles.get(ref.id())
            if profile is None:
                raise entity_not_found(ref.id())
            return profile
        name = ref.text("name")
        profile = self.rhv.find("profiles", name)
        if profile is None:
            raise entity_not_found(f"VnicProfile: name={name}")
        return profile

    def _host_ref(self, ref: Body):
        if ref.id():
            host = self.inv.hosts.get(ref.id())
            if host is None:
                raise failed(app_error("VDS_INVALID_SERVER_ID", "migrate", "VM"))
            return host
        name = ref.text("name")
        host = self.rhv.find("hosts", name) if name else None
        if host is None:
            raise entity_not_found(f"Host: name={name}")
        return host

    def _cluster_ref(self, ref: Body):
        if ref.id():
            cluster = self.inv.clusters.get(ref.id())
            if cluster is None:
                raise entity_not_found(ref.id())
            return cluster
        name = ref.text("name")
        cluster = self.rhv.find("clusters", name) if name else None
        if cluster is None:
            raise entity_not_found(f"Cluster: name={name}")
        return cluster

    # --- DELETE ------------------------------------------------------------------------------------------------
    def delete(self, path: list[str]) -> ApiReply:
        n = len(path)
        job = None
        if n == 2 and path[0] == "networks":
            job = self.rhv.networking.remove_network(self.caller, self.rhv.get("networks", path[1]))
        elif n == 4 and path[0] == "datacenters" and path[2] == "networks":
            network = self.reader.sub("data_center", self.rhv.get("data_centers", path[1]), path[2:], {})
            job = self.rhv.networking.remove_network(self.caller, self.inv.networks[network.attrs["id"]])
        elif n == 4 and path[0] == "clusters" and path[2] == "networks":
            cluster = self.rhv.get("clusters", path[1])
            network = self.inv.networks.get(path[3])
            if network is None or cluster.id not in network.clusters:
                raise not_found()
            self.rhv.networking.detach(self.caller, network, cluster.id)
        elif n == 2 and path[0] == "vnicprofiles":
            self.rhv.networking.remove_profile(self.caller, self.rhv.get("profiles", path[1]))
        elif n == 4 and path[0] == "vms" and path[2] == "nics":
            vm = self.rhv.get("vms", path[1])
            nic = self.inv.find_vm_nic(vm, path[3])
            if nic is None:
                raise not_found()
            self.rhv.networking.remove_vm_nic(self.caller, vm, nic)
        elif n == 4 and path[0] == "networks" and path[2] == "networklabels":
            network = self.rhv.get("networks", path[1])
            if path[3] not in network.labels:
                raise not_found()
            self.rhv.networking.remove_label(network, path[3])
        elif n == 2 and path[0] == "events" and path[1].isdigit():
            if not self.rhv.audit.remove(int(path[1])):
                raise not_found()
        else:
            self.reader.get(path)
            return ApiReply(405, None)
        return ApiReply(200, self.views.action([], job))
