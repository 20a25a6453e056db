"""Where a VM may run: its placement policy, the affinity and the hosts it is pinned to.

UpdateVmCommand's checks on a new policy (VmValidator, VmHandler): every pinned host exists and
belongs to the VM's cluster, and a running VM that becomes `pinned` must already run on one of
its hosts. The restapi's VmMapper replaces the host list whenever a <placement_policy> comes in
(one without <hosts> clears it) and ignores an affinity it does not know, as every enum does.
"""

from __future__ import annotations

from .entities import Inventory, Vm
from .errors import rejected

AFFINITIES = ("migratable", "user_migratable", "pinned")


def plan_placement(inv: Inventory, vm: Vm, affinity: str | None, host_ids: list[str] | None) -> tuple[str, list[str]]:
    """The policy the VM would get, validated; nothing changes until the caller applies it.

    `affinity` None (or unknown) keeps the VM's; `host_ids` None keeps its hosts, [] clears them.
    """
    new_affinity = affinity if affinity in AFFINITIES else vm.affinity
    new_hosts = list(vm.placement_host_ids) if host_ids is None else list(dict.fromkeys(host_ids))
    for host_id in new_hosts:
        host = inv.hosts.get(host_id)
        if host is None:
            raise rejected("ACTION_TYPE_FAILED_DEDICATED_VDS_DOES_NOT_EXIST", "update", "VM")
        if host.cluster_id != vm.cluster_id:
            raise rejected("ACTION_TYPE_FAILED_DEDICATED_VDS_NOT_IN_SAME_CLUSTER", "update", "VM")
    if new_affinity == "pinned" and vm.running and vm.host_id and new_hosts and vm.host_id not in new_hosts:
        raise rejected("ACTION_TYPE_FAILED_PINNED_VM_NOT_RUNNING_ON_DEDICATED_HOST", "update", "VM",
                       hostName=inv.hosts[vm.host_id].name)
    return new_affinity, new_hosts
