"""Logical networks, their cluster attachments and labels, vNIC profiles and VM NICs.

The engine's rules (AddNetworkCommand, RemoveNetworkCommand, AttachNetworkToClusterCommand,
Add/UpdateVnicProfileCommand, AddVmInterfaceCommand): names unique per data center, VLAN 0-4094,
a network's default profile created with it, removal refused while a VM NIC uses the network or
it is a cluster's management network, a profile's filter one the engine knows and none on a
pass-through profile, a NIC's profile must belong to a network of the VM's cluster, MACs come
from the pool and are unique, a NIC added plugged to a running VM is hot-plugged (its network must be on
the VM's host, or the whole add is undone), a NIC plugged into a running VM cannot be removed (a NIC's
update and hot plug/unplug are in vm_nics.py).
"""

from __future__ import annotations

import re
from dataclasses import replace

from .audit import Caller
from .entities import DEFAULT_NETWORK_FILTER_ID, ClusterAttachment, Network, Vm, VmNic, VnicProfile, vdsm_name
from .errors import failed, incomplete, rejected
from .limits import check_sizes
from .mac_pools import DEFAULT_MAC_POOL_ID, MAC
from .messages import app_error
from .network_filters import NETWORK_FILTERS

LABEL = re.compile(r"^[0-9a-zA-Z_-]+$")
PASS_THROUGH_MODES = ("enabled", "disabled")
UNSET = object()  # a field the request does not carry (as opposed to an empty one)
HOT_PLUG_STATES = ("up", "powering_up")  # ActivateDeactivateVmNicCommand: the host is asked only then
NIC_EDITABLE_STATES = ("up", "down", "image_locked")  # AbstractVmInterfaceCommand.vmStatusLegal
PASSTHROUGH = "pci_passthrough"
INTERFACE_NAMES = {"virtio": "VirtIO", "e1000": "e1000", "e1000e": "e1000e", "rtl8139": "rtl8139",
                   "rtl8139_virtio": "rtl8139_pv", "pci_passthrough": "PCI Passthrough", "spapr_vlan": "sPAPR VLAN"}


class Networking:
    def __init__(self, engine):
        self.engine = engine

    @property
    def inv(self):
        return self.engine.inventory

    def _log(self, kind: str, caller: Caller, refs: dict, **values) -> None:
        self.engine.log(kind, self.engine.now(), caller, refs, **values)

    # --- networks --------------------------------------------------------------------------------------
    def add_network(self, caller: Caller, name: str | None, dc_id: str | None, vlan: int | None = None,
                    mtu: int | None = None, description: str | None = None, comment: str | None = None,
                    usages: list[str] | None = None, stp: bool | None = None,
                    profile_required: bool | None = None) -> Network:
        missing = [f for f, v in (("name", name), ("dataCenter.name|id", dc_id)) if not v]
        if missing:
            raise incomplete("Network", missing, "add")
        check_sizes("network", name=name, description=description)
        dc = self.inv.data_centers[dc_id]
        if any(n.name == name for n in self.inv.networks_of(dc.id)):
            raise rejected("ACTION_TYPE_FAILED_NETWORK_NAME_IN_USE", "add", "NETWORK", NetworkName=name)
        if vlan is not None and not 0 <= vlan <= 4094:
            raise failed(app_error("NETWORK_VLAN_OUT_OF_RANGE"), status=400)
        network_id = self.engine.ids.new()
        network = Network(id=network_id, name=name, data_center_id=dc.id, description=description or "",
                          comment=comment or "", vlan=vlan, mtu=mtu or 0, stp=bool(stp),
                          vm=usages is None or "vm" in usages, vdsm_name=vdsm_name(name, network_id))
        self.engine.add(network, self.inv.networks)
        if network.vm and profile_required is not False:
            self.engine.add(VnicProfile(id=self.engine.ids.new(), name=name, network_id=network.id), self.inv.profiles)
        self.engine.finished_job("AddNetwork", self.engine.now(), caller, Network=name, StoragePool=dc.name)
        self._log("NETWORK_ADD_NETWORK", caller, {"data_center": dc.id}, NetworkName=name, StoragePoolName=dc.name)
        return network

    def remove_network(self, caller: Caller, network: Network):
        dc = self.inv.data_centers[network.data_center_id]
        if any(att.management for att in network.clusters.values()):
            raise failed(app_error("NETWORK_CANNOT_REMOVE_MANAGEMENT_NETWORK", NetworkName=network.name))
        users = sorted(vm.name for vm in self.inv.vms_using_network(network.id))
        if len(users) == 1:
            raise rejected("ACTION_TYPE_FAILED_NETWORK_IN_ONE_USE", "remove", "NETWORK", entities="virtual machine",
                           ENTITY=users[0])
        if users:
            raise rejected("ACTION_TYPE_FAILED_NETWORK_IN_MANY_USES", "remove", "NETWORK", entities="virtual machines",
                           COUNTER=len(users), LIST=", ".join(users))
        for profile in self.inv.profiles_of(network.id):
            self.engine.remove(profile, self.inv.profiles)
        for host in self.inv.hosts.values():
            attachment = self.inv.attachment_of(host, network.id)
            if attachment is not None:
                self.engine.hosts.detach_network(host, attachment)
        self.engine.remove(network, self.inv.networks)
        job = self.engine.finished_job("RemoveNetwork", self.engine.now(), caller, Network=network.name,
                                       StoragePool=dc.name)
        self._log("NETWORK_REMOVE_NETWORK", caller, {"data_center": dc.id}, NetworkName=network.name,
                  StoragePoolName=dc.name)
        return job

    def attach(self, caller: Caller, network: Network, cluster_id: str, required: bool | None = None,
               display: bool | None = None, usages: list[str] | None = None) -> Network:
        cluster = self.inv.clusters[cluster_id]
        if network.data_center_id != cluster.data_center_id:
            raise rejected("ACTION_TYPE_FAILED_NETWORK_FROM_DIFFERENT_DC", "attach", "NETWORK")
        if cluster_id in network.clusters:
            raise failed(app_error("NETWORK_ALREADY_ATTACHED_TO_CLUSTER"))
        roles = set(usages or [])
        attachment = ClusterAttachment(
            required=bool(required), display=bool(display) or "display" in roles, migration="migration" in roles,
            management="management" in roles, default_route="default_route" in roles)
        self.engine.set(network, clusters={**network.clusters, cluster_id: attachment})
        self._log("NETWORK_ATTACH_NETWORK_TO_CLUSTER", caller, {"cluster": cluster.id,
                                                                "data_center": cluster.data_center_id},
                  NetworkName=network.name, ClusterName=cluster.name)
        return network

    def update_attachment(self, network: Network, cluster_id: str, required: bool | None = None,
                          display: bool | None = None) -> Network:
        att = replace(network.clusters[cluster_id])
        if required is not None:
            att.required = required
        if display is not None:
            att.display = display
        self.engine.set(network, clusters={**network.clusters, cluster_id: att})
        return network

    def detach(self, caller: Caller, network: Network, cluster_id: str) -> None:
        cluster = self.inv.clusters[cluster_id]
        if network.clusters[cluster_id].management:
            raise failed(app_error("NETWORK_CANNOT_REMOVE_MANAGEMENT_NETWORK", NetworkName=network.name))
        if any(vm.running and vm.cluster_id == cluster_id for vm in self.inv.vms_using_network(network.id)):
            raise rejected("NETWORK_INTERFACE_IN_USE_BY_VM", "detach", "NETWORK")
        self.engine.set(network, clusters={k: v for k, v in network.clusters.items() if k != cluster_id})
        self._log("NETWORK_DETACH_NETWORK_TO_CLUSTER", caller, {"cluster": cluster.id,
                                                                "data_center": cluster.data_center_id},
                  NetworkName=network.name, ClusterName=cluster.name)

    def add_label(self, network: Network, label: str | None) -> str:
        if not label:
            raise incomplete("NetworkLabel", ["id"], "add")
        if not LABEL.match(label):
            raise failed(app_error("NETWORK_LABEL_FORMAT_INVALID"), status=400)
        if network.labels:
            raise rejected("ACTION_TYPE_FAILED_NETWORK_ALREADY_LABELED", "add", "LABEL")
        self.engine.set(network, labels=[*network.labels, label])
        return label

    def remove_label(self, network: Network, label: str) -> None:
        self.engine.set(network, labels=[x for x in network.labels if x != label])

    def update_network(self, network: Network, description: str | None = None, comment: str | None = None,
                       mtu: int | None = None, vlan: int | None = None) -> Network:
        """UpdateNetworkCommand; a new VLAN reaches the hosts that carry the network (the engine syncs their
        attachments), so each shows its VLAN device `<nic>.<new vlan>` in place of the old one."""
        check_sizes("network", description=description)
        if vlan is not None and not 0 <= vlan <= 4094:
            raise failed(app_error("NETWORK_VLAN_OUT_OF_RANGE"), status=400)
        carriers = [(host, a) for host in self.inv.hosts.values() for a in host.attachments
                    if a.network_id == network.id]
        moves = vlan is not None and vlan != network.vlan
        if moves:
            for host, attachment in carriers:
                self.engine.hosts.detach_network(host, attachment)
        values = {"description": description, "comment": comment, "mtu": mtu, "vlan": vlan}
        self.engine.set(network, **{k: v for k, v in values.items() if v is not None})
        if moves:
            for host, attachment in carriers:
                self.engine.hosts.attach_network(host, network, self.inv.find_host_nic(host, attachment.nic_id))
        return network

    # --- vNIC profiles ------------------------------------------------------------------------------------
    def add_profile(self, caller: Caller, name: str | None, network: Network | None, description: str | None = None,
                    port_mirroring: bool | None = None, pass_through: str | None = None,
                    migratable: bool | None = None, network_filter: str | None | object = UNSET) -> VnicProfile:
        """AddVnicProfileCommand. `network_filter` UNSET (the request had no <network_filter>) means the
        engine's default filter, None (an empty <network_filter/>) means no filter at all."""
        missing = [f for f, v in (("name", name), ("network.id", network)) if not v]
        check_sizes("vnicProfile", name=name)
        if missing:
            raise incomplete("VnicProfile", missing, "add")
        if not network.vm:
            raise rejected("ACTION_TYPE_FAILED_CANNOT_ADD_VNIC_PROFILE_TO_NON_VM_NETWORK", "add", "VNIC_PROFILE")
        if any(p.name == name for p in self.inv.profiles_of(network.id)):
            raise rejected("ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE", "add", "VNIC_PROFILE")
        profile = VnicProfile(id="", name=name, network_id=network.id, description=description or "",
                              pass_through=pass_through if pass_through in PASS_THROUGH_MODES else "disabled",
                              port_mirroring=bool(port_mirroring),
                              network_filter_id=None if network_filter is UNSET else network_filter)
        if profile.pass_through == "enabled" and migratable is not None:
            profile.migratable = migratable
        self._check_profile(profile, "add")
        if network_filter is UNSET and profile.pass_through != "enabled":
            profile.network_filter_id = DEFAULT_NETWORK_FILTER_ID
        profile.id = self.engine.ids.new()
        self.engine.add(profile, self.inv.profiles)
        self._log_profile("ADD_VNIC_PROFILE", caller, profile)
        return profile

    def update_profile(self, caller: Caller, profile: VnicProfile, name: str | None = None,
                       description: str | None = None, network_id: str | None = None,
                       port_mirroring: bool | None = None, pass_through: str | None = None,
                       migratable: bool | None = None, network_filter: str | None | object = UNSET) -> VnicProfile:
        """UpdateVnicProfileCommand: what the request sets replaces what the profile had (the restapi's
        VnicProfileMapper over the stored profile), then the whole result is validated or nothing changes."""
        check_sizes("vnicProfile", name=name)
        new = replace(profile)
        if name:
            new.name = name
        if description is not None:
            new.description = description
        if network_id is not None:
            new.network_id = network_id
        if port_mirroring is not None:
            new.port_mirroring = port_mirroring
        if pass_through in PASS_THROUGH_MODES:
            new.pass_through = pass_through
        if new.pass_through == "enabled" and migratable is not None:
            new.migratable = migratable
        if network_filter is not UNSET:
            new.network_filter_id = network_filter
        if any(p.name == new.name and p.id != new.id for p in self.inv.profiles_of(new.network_id)):
            raise rejected("ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE", "update", "VNIC_PROFILE")
        if new.network_id != profile.network_id:
            raise rejected("ACTION_TYPE_FAILED_CANNOT_CHANGE_VNIC_PROFILE_NETWORK", "update", "VNIC_PROFILE")
        if new.port_mirroring != profile.port_mirroring or new.pass_through != profile.pass_through:
            self._check_unused(profile, "update")
        self._check_profile(new, "update")
        self.engine.set(profile, **vars(new))
        self._log_profile("UPDATE_VNIC_PROFILE", caller, profile)
        return profile

    def remove_profile(self, caller: Caller, profile: VnicProfile) -> None:
        self._check_unused(profile, "remove")
        self.engine.remove(profile, self.inv.profiles)
        self._log_profile("REMOVE_VNIC_PROFILE", caller, profile)

    def _check_profile(self, profile: VnicProfile, action: str) -> None:
        if profile.pass_through == "enabled" and (profile.port_mirroring or profile.network_filter_id):
            raise rejected("ACTION_TYPE_FAILED_PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES", action,
                           "VNIC_PROFILE")
        if profile.network_filter_id and profile.network_filter_id not in NETWORK_FILTERS:
            raise rejected("ACTION_TYPE_FAILED_INVALID_VNIC_PROFILE_NETWORK_FILTER_ID", action, "VNIC_PROFILE",
                           VAR_VNIC_PROFILE_NAME=profile.name, VAR_NETWORK_FILTER_ID=profile.network_filter_id)

    def _check_unused(self, profile: VnicProfile, action: str) -> None:
        users = sorted({vm.name for vm, _nic in self.inv.nics_using_profile(profile.id)})
        if len(users) == 1:
            raise rejected("ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE", action, "VNIC_PROFILE",
                           entities="virtual machine", ENTITIES=users[0])
        if users:
            raise rejected("ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES", action, "VNIC_PROFILE",
                           entities="virtual machines", COUNTER=len(users), ENTITIES=", ".join(users))

    def _log_profile(self, kind: str, caller: Caller, profile: VnicProfile) -> None:
        network = self.inv.networks[profile.network_id]
        dc = self.inv.data_centers[network.data_center_id]
        self._log(kind, caller, {"data_center": dc.id}, VnicProfileName=profile.name, NetworkName=network.name,
                  DataCenterName=dc.name)

    # --- VM NICs --------------------------------------------------------------------------------------------
    def add_vm_nic(self, caller: Caller, vm: Vm, name: str | None, profile: VnicProfile | None = None,
                   interface: str | None = None, mac: str | None = None, linked: bool | None = None,
                   plugged: bool | None = None) -> VmNic:
        """AddVmInterfaceCommand: the NIC is saved, then a plugged one on a running VM is hot-plugged by
        ActivateDeactivateVmNicCommand; when that inner command refuses (its network is not on the VM's host)
        the engine compensates the saved NIC away, frees its MAC, logs NETWORK_ADD_VM_INTERFACE_FAILED and
        answers with the inner command's message, so nothing is left (the message's advice: add it unplugged)."""
        check_sizes("nic", name=name)
        if not name:
            raise incomplete("Nic", ["name"], "add")
        if vm.status not in NIC_EDITABLE_STATES:
            raise rejected("NETWORK_CANNOT_ADD_INTERFACE_WHEN_VM_STATUS_NOT_UP_DOWN_LOCKED", "add", "INTERFACE")
        if any(n.name == name for n in vm.nics):
            raise failed(app_error("NETWORK_INTERFACE_NAME_ALREADY_IN_USE"))
        if profile is not None:
            network = self.inv.networks[profile.network_id]
            if vm.cluster_id not in network.clusters:
                raise failed(app_error("NETWORK_NOT_EXISTS_IN_CURRENT_CLUSTER"))
        if mac:
            if not MAC.match(mac):
                raise failed(app_error("VALIDATION_VM_NETWORK_MAC_ADDRESS_INVALID"), status=400)
            if mac.lower() in self.inv.macs_in_use():
                raise failed(app_error("NETWORK_MAC_ADDRESS_IN_USE"))
        address = (mac or self.allocate_mac(vm.cluster_id)).lower()
        interface = interface or "virtio"
        kind = INTERFACE_NAMES.get(interface, interface)
        if plugged is not False and not self.hot_plug_allowed(vm, interface, profile):
            self._log("NETWORK_ADD_VM_INTERFACE_FAILED", caller, self._vm_refs(vm), InterfaceName=name,
                      VmName=vm.name, InterfaceType=kind)
            raise failed(app_error("ACTIVATE_DEACTIVATE_NETWORK_NOT_IN_VDS"))
        nic = VmNic(id=self.engine.ids.new(), name=name, mac=address, profile_id=profile.id if profile else None,
                    interface=interface, linked=linked is not False, plugged=plugged is not False)
        self.engine.add(nic, into=vm.nics)
        self._log("NETWORK_ADD_VM_INTERFACE", caller, self._vm_refs(vm), InterfaceName=name, VmName=vm.name,
                  InterfaceType=kind)
        return nic

    def hot_plug_allowed(self, vm: Vm, interface: str, profile: VnicProfile | None) -> bool:
        """ActivateDeactivateVmNicCommand's host check for a plug or unplug: the host is involved only while
        the VM is up or powering up, and then a NIC's network (unless the NIC is a pass-through one) must be
        attached to the host the VM runs on (ACTIVATE_DEACTIVATE_NETWORK_NOT_IN_VDS otherwise)."""
        return vm.status not in HOT_PLUG_STATES or interface == PASSTHROUGH or self.on_vm_host(vm, profile)

    def on_vm_host(self, vm: Vm, profile: VnicProfile | None) -> bool:
        """The profile's network is on one of the NICs of the host the VM runs on (an empty profile is on
        no network and needs nothing)."""
        host = self.inv.hosts.get(vm.host_id or "")
        if profile is None or host is None:
            return True
        return self.inv.attachment_of(host, profile.network_id) is not None

    def remove_vm_nic(self, caller: Caller, vm: Vm, nic: VmNic) -> None:
        """RemoveVmInterfaceCommand: a NIC still plugged into a VM that is not down is refused (the
        engine does not unplug it for you: deactivate it first)."""
        if nic.plugged and vm.status not in ("down", "image_locked"):
            raise rejected("ACTION_TYPE_FAILED_CANNOT_REMOVE_ACTIVE_DEVICE", "remove", "INTERFACE")
        self.engine.remove(nic, out_of=vm.nics)
        self._log("NETWORK_REMOVE_VM_INTERFACE", caller, self._vm_refs(vm), InterfaceName=nic.name, VmName=vm.name,
                  InterfaceType=INTERFACE_NAMES.get(nic.interface, nic.interface))

    def allocate_mac(self, cluster_id: str | None = None) -> str:
        """The first free address of the cluster's MAC pool (the Default pool's when no cluster is named)."""
        cluster = self.inv.clusters.get(cluster_id or "")
        pool = self.engine.mac_pools[cluster.mac_pool_id if cluster else DEFAULT_MAC_POOL_ID]
        used = self.inv.macs_in_use()
        mac = next((m for m in pool.addresses() if m not in used), None)
        if mac is None:
            raise rejected("MAC_POOL_NOT_ENOUGH_MAC_ADDRESSES", "add", "INTERFACE")
        return mac

    def _vm_refs(self, vm: Vm) -> dict:
        return {"vm": vm.id, "cluster": vm.cluster_id,
                "data_center": self.inv.data_center_of_cluster(vm.cluster_id).id}
