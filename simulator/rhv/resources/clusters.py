"""/clusters: clusters, the logical networks attached to them (attach, update the attachment,
detach) and the network filters their compatibility version supports."""

from __future__ import annotations

from ..model.errors import incomplete
from ..model.network_filters import supported_by
from ..wire.tree import Obj
from . import networkfilters, networks
from .common import basics, empty, name_of, permissions, version_obj
from .registry import ApiReply, Collection, Resource


def render(ctx, cluster) -> Obj:
    href = ctx.href("clusters", cluster.id)
    o = ctx.start("cluster", href, cluster.id)
    o.add("name", cluster.name).add("description", cluster.description).add("comment", "")
    ctx.links(o, "cluster", href)
    o.add("ballooning_enabled", False)
    o.add("cpu", Obj("cpu").add("architecture", cluster.architecture).add("type", cluster.cpu_type))
    o.add("error_handling", Obj("error_handling").add("on_error", "migrate"))
    o.add("firewall_type", "firewalld").add("gluster_service", False).add("ha_reservation", False)
    o.add("migration", Obj("migration").add("auto_converge", "inherit").add("compressed", "inherit"))
    o.add("switch_type", cluster.switch_type).add("threads_as_cores", False).add("trusted_service", False)
    o.add("tunnel_migration", False).add("version", version_obj("version", cluster.version)).add("virt_service", True)
    o.add("data_center", ctx.ref("data_center", "datacenters", cluster.data_center_id))
    o.add("mac_pool", ctx.ref("mac_pool", "macpools", cluster.mac_pool_id))
    mgmt = ctx.inv.management_network(cluster.id)
    o.add("management_network", ctx.ref("management_network", "networks", mgmt.id if mgmt else None))
    o.add("scheduling_policy", ctx.ref("scheduling_policy", "schedulingpolicies", cluster.scheduling_policy_id))
    return o


def search(ctx) -> dict:
    def dc(c):
        return name_of(ctx.inv.data_centers, c.data_center_id)

    return {**basics(), "datacenter": dc, "datacenter.name": dc}


# --- the networks of a cluster -------------------------------------------------------------------------
def _attached(ctx, cluster, network_id: str):
    network = ctx.inv.networks.get(network_id)
    return (cluster, network) if network is not None and cluster.id in network.clusters else None


def _attach(ctx, cluster) -> ApiReply:
    b = ctx.body
    network = ctx.network_ref(b, dc_id=cluster.data_center_id)
    if network is None:  # BackendClusterNetworksResource.add: validateParameters(network, "id|name")
        raise incomplete("Network", ["id|name"], "add")
    usages = b.texts("usages/usage") if b.has("usages") else None
    ctx.engine.networking.attach(ctx.caller, network, cluster.id, required=b.bool("required"),
                                 display=b.bool("display"), usages=usages)
    return ctx.created("cluster_network", (cluster, network))


def _update_attachment(ctx, item) -> ApiReply:
    cluster, network = item
    ctx.engine.networking.update_attachment(network, cluster.id, ctx.body.bool("required"), ctx.body.bool("display"))
    return ApiReply(200, ctx.render("cluster_network", item))


def _detach(ctx, item) -> ApiReply:
    cluster, network = item
    ctx.engine.networking.detach(ctx.caller, network, cluster.id)
    return ctx.done()


CLUSTER_NETWORK = Resource("cluster_network", lambda ctx, item: networks.render(ctx, item[1], item[0].id),
                           tag="network", update=_update_attachment, remove=_detach, links_of="network")

RESOURCE = Resource("cluster", render, collections=[
    Collection("networks", "networks", "cluster_network", get=_attached, add=_attach, sort=True,
               list=lambda ctx, c: [(c, n) for n in ctx.inv.cluster_networks(c.id)]),
    permissions(), empty("affinitygroups", "affinity_groups", "affinity_group"),
    empty("cpuprofiles", "cpu_profiles", "cpu_profile"),
    Collection("networkfilters", "network_filters", "cluster_network_filter",
               list=lambda ctx, c: [(c, f) for f in supported_by(c.version.major, c.version.minor)]),
    empty("enabledfeatures", "cluster_features", "cluster_feature", attribute="enabled_features"),
    empty("externalnetworkproviders", "external_providers", "external_provider",
          attribute="external_network_providers"),
])
CLUSTER_FILTER = Resource("cluster_network_filter", lambda ctx, item: networkfilters.render(ctx, item[1], item[0].id),
                          tag="network_filter")
ROOT = Collection("clusters", "clusters", "cluster", list=lambda ctx, _: list(ctx.inv.clusters.values()),
                  get=lambda ctx, _, i: ctx.inv.clusters.get(i), search=search, sort=True)
