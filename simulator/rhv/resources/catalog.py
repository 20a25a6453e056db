"""The registry of this engine's resources: every collection module's resources, and the root
collections in the order the API root lists them."""

from __future__ import annotations

from . import (
    api_root,
    clusters,
    datacenters,
    events,
    fixed,
    host_nics,
    hosts,
    jobs,
    macpools,
    networkfilters,
    networks,
    permissions,
    schedulingpolicies,
    schedulingpolicyunits,
    storage,
    vm_nics,
    vms,
    vnicprofiles,
)
from .registry import Registry


def build() -> Registry:
    registry = Registry()
    registry.register(api_root.RESOURCE, datacenters.RESOURCE, clusters.RESOURCE, clusters.CLUSTER_NETWORK,
                      clusters.CLUSTER_FILTER, hosts.RESOURCE, hosts.ATTACHMENT, hosts.STATISTIC, host_nics.RESOURCE,
                      host_nics.LLDP, networks.RESOURCE, networks.LABEL, vnicprofiles.RESOURCE,
                      networkfilters.RESOURCE, vms.RESOURCE, vm_nics.RESOURCE, vm_nics.DEVICE, events.RESOURCE,
                      jobs.RESOURCE, macpools.RESOURCE, schedulingpolicies.RESOURCE, schedulingpolicies.FILTER,
                      schedulingpolicies.WEIGHT, schedulingpolicies.BALANCE, schedulingpolicyunits.RESOURCE,
                      fixed.TEMPLATE, fixed.USER, fixed.TAG, permissions.RESOURCE, permissions.ROLE)
    registry.mount(clusters.ROOT, datacenters.ROOT, events.ROOT, hosts.ROOT, jobs.ROOT, macpools.ROOT,
                   networkfilters.ROOT, networks.ROOT, schedulingpolicies.ROOT, schedulingpolicyunits.ROOT, vms.ROOT,
                   vnicprofiles.ROOT, storage.STORAGE_DOMAINS, storage.DISKS, fixed.TEMPLATES, fixed.USERS, fixed.TAGS,
                   permissions.ROLES_ROOT, permissions.SYSTEM)
    return registry


REGISTRY = build()
