"""UpdateVmInterfaceCommand (and the ActivateDeactivateVmNicCommand it runs): what `PUT /vms/{vm}/nics/{nic}`
may change, checked as the engine checks it. The NIC's activate/deactivate actions are this same update
with only <plugged> changed (the restapi's BackendVmNicResource does exactly that).

What a running VM allows: a plugged NIC keeps its interface type and MAC (CANNOT_PERFORM_HOT_UPDATE: unplug,
change, plug back), may take a new profile or link state (a hot re-wire: the new network must be on the host
the VM runs on, no port mirroring on either profile), and may be unplugged or plugged (a hot plug/unplug:
the NIC's network must be on that host). A refused hot plug/unplug comes from the inner command, after the
update's own checks passed: the engine then logs NETWORK_UPDATE_VM_INTERFACE_FAILED and changes nothing.
A success logs the plug event (1012/1014) first, then NETWORK_UPDATE_VM_INTERFACE (934) with the link state.
"""

from __future__ import annotations

from .audit import Caller
from .entities import Vm, VmNic
from .errors import failed, rejected
from .limits import check_sizes
from .mac_pools import MAC
from .messages import AUDIT_LOG, app_error
from .networking import INTERFACE_NAMES, NIC_EDITABLE_STATES, PASSTHROUGH, UNSET


def update_vm_nic(engine, caller: Caller, vm: Vm, nic: VmNic, name: str | None = None,
                  interface: str | None = None, mac: str | None = None, linked: bool | None = None,
                  plugged: bool | None = None, profile_id: str | None | object = UNSET) -> VmNic:
    """`profile_id` UNSET keeps the profile, None empties it (an empty <vnic_profile/>)."""
    check_sizes("nic", name=name)
    inv = engine.inventory
    new = {"name": name or nic.name, "interface": interface or nic.interface,
           "mac": mac.lower() if mac else nic.mac, "linked": nic.linked if linked is None else linked,
           "plugged": nic.plugged if plugged is None else plugged,
           "profile_id": nic.profile_id if profile_id is UNSET else profile_id}
    if mac and not MAC.match(mac):
        raise failed(app_error("VALIDATION_VM_NETWORK_MAC_ADDRESS_INVALID"), status=400)
    if vm.status not in NIC_EDITABLE_STATES:
        raise rejected("NETWORK_CANNOT_ADD_INTERFACE_WHEN_VM_STATUS_NOT_UP_DOWN_LOCKED", "edit", "INTERFACE")
    if new["name"] != nic.name and any(other.name == new["name"] for other in vm.nics):
        raise failed(app_error("NETWORK_INTERFACE_NAME_ALREADY_IN_USE"))
    plug = _plug_action(nic, new["plugged"])
    live = nic.plugged and new["plugged"] and vm.status == "up"
    if live and (new["interface"] != nic.interface or nic.interface == PASSTHROUGH or new["mac"] != nic.mac):
        raise rejected("CANNOT_PERFORM_HOT_UPDATE", "edit", "INTERFACE")
    old_profile, profile = inv.profiles.get(nic.profile_id or ""), inv.profiles.get(new["profile_id"] or "")
    rewire = live and (new["profile_id"] != nic.profile_id or new["linked"] != nic.linked)
    if rewire and any(p is not None and p.port_mirroring for p in (profile, old_profile)):
        raise rejected("CANNOT_PERFORM_HOT_UPDATE_WITH_PORT_MIRRORING", "edit", "INTERFACE")
    if new["profile_id"] is not None:
        if profile is None:
            raise rejected("ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS", "edit", "INTERFACE")
        if vm.cluster_id not in inv.networks[profile.network_id].clusters:
            raise failed(app_error("NETWORK_NOT_EXISTS_IN_CURRENT_CLUSTER"))
    if (profile is not None and profile.pass_through == "enabled") != (new["interface"] == PASSTHROUGH):
        raise rejected("ACTION_TYPE_FAILED_VM_INTERFACE_TYPE_NOT_MATCH_PROFILE", "edit", "INTERFACE")
    if new["interface"] == PASSTHROUGH and not new["linked"]:
        raise rejected("ACTION_TYPE_FAILED_UNLINKING_OF_PASSTHROUGH_VNIC_IS_NOT_SUPPORTED", "edit", "INTERFACE")
    if rewire and not engine.networking.on_vm_host(vm, profile):
        raise failed(app_error("ACTIVATE_DEACTIVATE_NETWORK_NOT_IN_VDS"))
    if new["mac"] != nic.mac and new["mac"] in inv.macs_in_use():
        raise failed(app_error("NETWORK_MAC_ADDRESS_IN_USE"))
    kind = INTERFACE_NAMES.get(new["interface"], new["interface"])
    if plug and not engine.networking.hot_plug_allowed(vm, new["interface"],
                                                       profile if plug == "plug" else old_profile):
        _log(engine, caller, vm, "NETWORK_UPDATE_VM_INTERFACE_FAILED", new["name"], kind)
        raise failed(app_error("ACTIVATE_DEACTIVATE_NETWORK_NOT_IN_VDS"))
    old_name, link_changed = nic.name, new["linked"] != nic.linked
    engine.set(nic, **new)
    if plug:
        _log(engine, caller, vm, f"NETWORK_{'ACTIVATE' if plug == 'plug' else 'DEACTIVATE'}_VM_INTERFACE_SUCCESS",
             nic.name if plug == "plug" else old_name, kind)
    link_state = AUDIT_LOG[f"NETWORK_UPDATE_VM_INTERFACE_LINK_{'UP' if nic.linked else 'DOWN'}"][2] \
        if link_changed else " "
    _log(engine, caller, vm, "NETWORK_UPDATE_VM_INTERFACE", nic.name, kind, LinkState=link_state)
    return nic


def _plug_action(nic: VmNic, plugged: bool) -> str | None:
    if plugged == nic.plugged:
        return None
    return "plug" if plugged else "unplug"


def _log(engine, caller: Caller, vm: Vm, kind: str, nic_name: str, interface_type: str, **values) -> None:
    inv = engine.inventory
    refs = {"vm": vm.id, "cluster": vm.cluster_id, "data_center": inv.data_center_of_cluster(vm.cluster_id).id}
    engine.log(kind, engine.now(), caller, refs, InterfaceName=nic_name, InterfaceType=interface_type,
               VmName=vm.name, **values)
