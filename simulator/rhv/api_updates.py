"""PUT: updates of VMs, logical networks, their cluster attachments and vNIC profiles.

The engine's performUpdate maps what the request sets over the stored entity and runs the
update command on the result; the reply is 200 with the updated entity. An id in the URL that
names nothing is a bare 404, an existing path that takes no PUT a 405. References in bodies
follow the restapi's resolvers: ids must be UUIDs (400 otherwise), a host named in a placement
policy must exist (404 `Entity not found: <name>`).
"""

from __future__ import annotations

import re

from .api_read import ApiReply
from .codec_xml import Body
from .errors import entity_not_found, incomplete, malformed_id, not_found
from .networking import UNSET
from .placement import plan_placement

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def as_guid(value: str) -> str:
    if not GUID.match(value):
        raise malformed_id(value)
    return value.lower()


def enum_value(raw: str | None) -> str | None:
    """Enums are read case-insensitively (`fromValue` upper-cases); an empty one is no value."""
    return raw.strip().lower() if raw and raw.strip() else None


class Updates:
    """Mixed into `Writes`, which provides rhv, inv, views, reader, body and caller."""

    def put(self, path: list[str]) -> ApiReply:
        n = len(path)
        if n == 2 and path[0] == "vms":
            return self._update_vm(self.rhv.get("vms", path[1]))
        if n == 2 and path[0] == "networks":
            return self._update_network(self.rhv.get("networks", path[1]))
        if n == 4 and path[0] == "clusters" and path[2] == "networks":
            cluster = self.rhv.get("clusters", path[1])
            network = self.inv.networks.get(path[3])
            if network is None or cluster.id not in network.clusters:
                raise not_found()
            self.rhv.networking.update_attachment(network, cluster.id, self.body.bool("required"),
                                                  self.body.bool("display"))
            return ApiReply(200, self.reader.render("network", network, cluster_id=cluster.id))
        if n == 2 and path[0] == "vnicprofiles":
            return self._update_profile(self.rhv.get("profiles", path[1]))
        self.reader.get(path)
        return ApiReply(405, None)

    def _update_vm(self, vm) -> ApiReply:
        b = self.body
        memory = b.int("memory")
        affinity = host_ids = None
        if b.has("placement_policy"):
            policy = b.child("placement_policy")
            affinity = enum_value(policy.text("affinity"))
            host_ids = [self._placement_host(ref) for ref in policy.children("hosts/host")]
        vm.affinity, vm.placement_host_ids = plan_placement(self.inv, vm, affinity, host_ids)
        vm.name = b.text("name") or vm.name
        for attr in ("description", "comment"):
            if b.text(attr) is not None:
                setattr(vm, attr, b.text(attr))
        vm.memory = memory or vm.memory
        return ApiReply(200, self.views.vm(vm))

    def _placement_host(self, ref: Body) -> str:
        """BackendVmsResource.validateAndUpdateHostsInPlacementPolicy: by id as given, by name looked up."""
        if ref.id():
            return as_guid(ref.id())
        name = ref.text("name")
        if not name:
            raise incomplete("Host", ["id|name"], "validateAndUpdateHostsInPlacementPolicy")
        host = self.rhv.find("hosts", name)
        if host is None:
            raise entity_not_found(name)
        return host.id

    def _update_network(self, network) -> ApiReply:
        b = self.body
        for attr in ("description", "comment"):
            if b.text(attr) is not None:
                setattr(network, attr, b.text(attr))
        network.mtu = b.int("mtu") if b.int("mtu") is not None else network.mtu
        return ApiReply(200, self.views.network(network))

    def _update_profile(self, profile) -> ApiReply:
        b = self.body
        network_id = b.child("network").id()
        network_filter = UNSET
        if b.has("network_filter"):
            filter_id = b.child("network_filter").id()
            network_filter = as_guid(filter_id) if filter_id else None
        self.rhv.networking.update_profile(
            self.caller, profile, name=b.text("name"), description=b.text("description"),
            network_id=as_guid(network_id) if network_id else None, port_mirroring=b.bool("port_mirroring"),
            pass_through=enum_value(b.text("pass_through/mode")), migratable=b.bool("migratable"),
            network_filter=network_filter)
        return ApiReply(200, self.views.vnic_profile(profile))
