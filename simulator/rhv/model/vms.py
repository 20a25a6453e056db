"""UpdateVmCommand: what `PUT /vms/{id}` may change, checked as the engine checks it.

A new name another VM already has is refused (ACTION_TYPE_FAILED_NAME_ALREADY_USED), a new
placement policy is validated whole (`placement.py`); then everything is applied at once and the
engine logs USER_UPDATE_VM (35, "VM vm1 configuration was updated by ...").
"""

from __future__ import annotations

from .audit import Caller
from .errors import rejected
from .limits import check_sizes, check_vm_name
from .placement import plan_placement


def update_vm(engine, vm, caller: Caller, name: str | None = None, description: str | None = None,
              comment: str | None = None, memory: int | None = None, affinity: str | None = None,
              host_ids: list[str] | None = None, policy: bool = False) -> None:
    inv = engine.inventory
    check_vm_name(name, "update")
    check_sizes("vmStatic", description=description)
    if name and name != vm.name and any(other.name == name for other in inv.vms.values() if other.id != vm.id):
        raise rejected("ACTION_TYPE_FAILED_NAME_ALREADY_USED", "update", "VM")
    values: dict[str, object] = {"name": name or None, "description": description, "comment": comment,
                                 "memory": memory or None}
    if policy:
        values["affinity"], values["placement_host_ids"] = plan_placement(inv, vm, affinity, host_ids)
    engine.set(vm, **{k: v for k, v in values.items() if v is not None})
    refs = {"vm": vm.id, "cluster": vm.cluster_id, "data_center": inv.data_center_of_cluster(vm.cluster_id).id}
    engine.log("USER_UPDATE_VM", engine.now(), caller, refs, VmName=vm.name)
