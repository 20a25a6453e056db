"""Hosts: maintenance and activation on the clock, updates (HostService.update), host networks
(HostSetupNetworksCommand: logical networks attached to host NICs; CommitNetworkChangesCommand: VDSM
keeps them across a reboot) and the statistics VDSM reports.

A host preparing for maintenance moves its VMs away (lifecycle's `evacuate`) and switches to
maintenance once none is left; a host's cluster changes only in maintenance (ChangeVDSCluster's
`canUpdateField`), with UpdateVdsCommand's event 43. Attaching a VLAN network to a NIC shows the
VLAN device `<nic>.<vlan>` among the host's NICs, as VDSM reports it.
"""

from __future__ import annotations

from .audit import Caller, Job
from .entities import HostNic, NetworkAttachment, stable_id
from .errors import failed, rejected
from .limits import check_sizes
from .messages import app_error
from .timeline import Pending

HOST_STATUSES = ("connecting", "down", "error", "initializing", "install_failed", "installing", "installing_os",
                 "kdumping", "maintenance", "non_operational", "non_responsive", "pending_approval",
                 "preparing_for_maintenance", "reboot", "unassigned", "up")
CLUSTER_CHANGE_STATUSES = ("maintenance", "pending_approval", "install_failed")
MiB = 1024**2


def vlan_device_id(host_name: str, nic_name: str, vlan: int) -> str:
    return stable_id("host_nic", f"{host_name}/{nic_name}.{vlan}")


def attachment_id(host_id: str, nic_id: str, network_id: str) -> str:
    return stable_id("attachment", f"{host_id}/{nic_id}/{network_id}")


class Hosts:
    def __init__(self, engine):
        self.engine = engine
        self.maintenance_jobs: dict[str, tuple[str, dict]] = {}  # host id -> (job id, who asked)

    def transitions(self) -> dict:
        return {"maintenance": self._maintenance_reached, "activation": self._activated}

    @property
    def inv(self):
        return self.engine.inventory

    def _log(self, kind: str, at: float, caller: Caller, host, **values):
        # as the engine's audit log records a host's events: with its cluster and data center (storage pool)
        refs = {"host": host.id, "cluster": host.cluster_id,
                "data_center": self.inv.data_center_of_cluster(host.cluster_id).id}
        return self.engine.log(kind, at, caller, refs, VdsName=host.name, **values)

    # --- maintenance ----------------------------------------------------------------------------------
    def deactivate(self, host, caller: Caller, reason: str | None = None) -> Job:
        if host.status == "maintenance":
            raise failed(app_error("VDS_CANNOT_MAINTENANCE_VDS_IS_IN_MAINTENANCE"))
        running = self.inv.vms_on(host.id)
        others = [h for h in self.inv.hosts_of(host.cluster_id) if h.id != host.id and h.status == "up"]
        if running and not others:
            cluster = self.inv.clusters[host.cluster_id]
            raise failed(app_error("CANNOT_MAINTENANCE_VDS_RUN_VMS_NO_OTHER_RUNNING_VDS", HostsList=host.name,
                                   ClustersList=cluster.name))
        now = self.engine.now()
        self.engine.set(host, status="preparing_for_maintenance", maintenance_reason=reason or "")
        job = self.engine.start_job("MaintenanceNumberOfVdss", now, caller, VDS=host.name)
        self.maintenance_jobs[host.id] = (job.id, caller.describe())
        for vm in sorted(running, key=lambda v: v.name):
            if vm.status == "up":
                self.engine.lifecycle.evacuate(vm, host, caller, now)
        self.check_drained(host, caller, now)
        return job

    def check_drained(self, host, caller: Caller, at: float) -> None:
        """A host preparing for maintenance switches to maintenance once no VM is left on it."""
        timeline = self.engine.timeline
        if host is None or host.status != "preparing_for_maintenance" or timeline.find("maintenance", host.id):
            return
        if self.inv.vms_on(host.id):
            return
        timeline.after(self.engine.config.maintenance_seconds, "maintenance", host.id,
                       {"caller": caller.describe()}, start=at)

    def _maintenance_reached(self, pending: Pending) -> None:
        host = self.inv.hosts.get(pending.entity_id)
        if host is None or host.status != "preparing_for_maintenance" or self.inv.vms_on(host.id):
            return
        due = pending.due
        self.engine.set(host, status="maintenance")
        job_id, requester = self.maintenance_jobs.pop(host.id, (None, pending.data["caller"]))
        requester = Caller(**requester)
        if host.maintenance_reason:
            self._log("USER_VDS_MAINTENANCE", due, requester, host, Reason=host.maintenance_reason)
        else:
            self._log("USER_VDS_MAINTENANCE_WITHOUT_REASON", due, requester, host)
        self.engine.end_job(self.engine.jobs.jobs.get(job_id or ""), "finished", due)

    def activate(self, host, caller: Caller) -> Job:
        if host.status == "up":
            raise rejected("VDS_ALREADY_UP", "activate", "HOST")
        now = self.engine.now()
        self.engine.timeline.cancel("maintenance", host.id)
        leftover = self.maintenance_jobs.pop(host.id, None)
        if leftover is not None:
            self.engine.end_job(self.engine.jobs.jobs.get(leftover[0]), "aborted", now)
        self.engine.set(host, status="unassigned", maintenance_reason="")
        job = self.engine.start_job("ActivateVds", now, caller, VDS=host.name)
        self._log("VDS_ACTIVATE", now, caller, host)
        self.engine.timeline.after(self.engine.config.activate_seconds, "activation", host.id,
                                   {"job_id": job.id, "caller": caller.describe()})
        return job

    def _activated(self, pending: Pending) -> None:
        host = self.inv.hosts.get(pending.entity_id)
        if host is None or host.status != "unassigned":
            return
        self.engine.set(host, status="up")
        self._log("VDS_DETECTED", pending.due, Caller(**pending.data["caller"]), host, HostStatus="Up")
        self.engine.end_job(self.engine.jobs.jobs.get(pending.data["job_id"]), "finished", pending.due)

    def set_status(self, host, status: str, caller: Caller) -> None:
        """A simulator power: a host turning non-operational (its VMs are moved away) or back up."""
        if status not in HOST_STATUSES:
            raise ValueError(f"{status!r} is not a host status ({', '.join(HOST_STATUSES)})")
        if status == "maintenance" and self.inv.vms_on(host.id):
            raise ValueError(f"host {host.name} runs VMs: deactivate it to move them away first")
        now, was = self.engine.now(), host.status
        self.engine.set(host, status=status)
        if status == "non_operational":
            self._log("VDS_SET_NONOPERATIONAL", now, caller, host)
            for vm in sorted(self.inv.vms_on(host.id), key=lambda v: v.name):
                if vm.status == "up":
                    self.engine.lifecycle.evacuate(vm, host, caller, now)
        elif status == "non_responsive":
            self._log("VDS_FAILURE", now, caller, host)
        elif status == "up" and was != "up":
            self._log("VDS_DETECTED", now, caller, host, HostStatus="Up")

    # --- updates ----------------------------------------------------------------------------------------
    def update(self, host, caller: Caller, cluster_id: str | None = None, **values) -> None:
        """HostService.update: ChangeVDSCluster first when the cluster differs, then UpdateVds."""
        check_sizes("vdsStatic", name=values.get("name"), hostName=values.get("address"))
        if cluster_id is not None and cluster_id != host.cluster_id:
            if host.status not in CLUSTER_CHANGE_STATUSES:
                raise rejected("VDS_STATUS_NOT_VALID_FOR_UPDATE", "update", "HOST")
            if cluster_id not in self.inv.clusters:
                raise rejected("VDS_CLUSTER_IS_NOT_VALID", "update", "HOST")
            self.engine.set(host, cluster_id=cluster_id)
            self._drop_foreign_attachments(host)
        if values.get("name") and values["name"] != host.name and self.engine.find("hosts", values["name"]):
            raise rejected("ACTION_TYPE_FAILED_NAME_ALREADY_USED", "update", "HOST")
        self.engine.set(host, **{k: v for k, v in values.items() if v is not None})
        self._log("USER_UPDATE_VDS", self.engine.now(), caller, host)

    def _drop_foreign_attachments(self, host) -> None:
        """Networks the new cluster does not have come off the host (HostNetworkAttachmentsPersister)."""
        for attachment in list(host.attachments):
            network = self.inv.networks.get(attachment.network_id)
            if network is None or host.cluster_id not in network.clusters:
                self.detach_network(host, attachment)

    # --- host networks ------------------------------------------------------------------------------------
    def setup_networks(self, host, caller: Caller, attach: list[tuple[str, str]], detach: list[str]) -> Job:
        """HostSetupNetworks: `attach` is (network id, NIC id) pairs, `detach` attachment ids; checked whole."""
        networks = [self.inv.networks.get(network_id) for network_id, _nic in attach]
        foreign = sorted(n.name for n in networks if n is not None and host.cluster_id not in n.clusters)
        if foreign:
            raise rejected("ACTION_TYPE_FAILED_NETWORK_NOT_IN_CLUSTER", "setup", "NETWORKS", networks=", ".join(foreign))
        seen: dict[str, int] = {}
        for network_id, _nic in attach:
            seen[network_id] = seen.get(network_id, 0) + 1
        twice = [n for n, count in seen.items() if count > 1]
        if twice:
            raise rejected("ACTION_TYPE_FAILED_NETWORK_ATTACHMENTS_REFERENCES_SAME_NETWORK_DUPLICATELY", "setup",
                           "NETWORKS", ACTION_TYPE_FAILED_NETWORK_ATTACHMENTS_REFERENCES_SAME_NETWORK_DUPLICATELY_LIST="",
                           ACTION_TYPE_FAILED_NETWORK_ATTACHMENTS_REFERENCES_SAME_NETWORK_DUPLICATELY_ENTITY=twice[0])
        moved = {network_id for network_id, _nic in attach}
        for attachment in host.attachments:
            if attachment.id in detach and attachment.network_id not in moved:
                self._check_unused_on_host(host, attachment.network_id)
        job = self.engine.start_job("HostSetupNetworks", self.engine.now(), caller, VDS=host.name)
        for attachment_id_ in detach:
            attachment = next((a for a in host.attachments if a.id == attachment_id_), None)
            if attachment is not None:
                self.detach_network(host, attachment)
        for network_id, nic_id in attach:
            existing = self.inv.attachment_of(host, network_id)
            if existing is not None:
                self.detach_network(host, existing)
            self.attach_network(host, self.inv.networks[network_id], self.inv.find_host_nic(host, nic_id))
        self.engine.end_job(job, "finished", self.engine.now())
        return job

    def _check_unused_on_host(self, host, network_id: str) -> None:
        """HostSetupNetworksValidator.validateNotRemovingUsedNetworkByVms: a network a VM running on the host
        uses through a plugged vNIC stays on the host."""
        network = self.inv.networks.get(network_id)
        users = sorted(vm.name for vm in self.inv.vms_on(host.id)
                       if vm.running and any(nic.plugged and self.inv.network_of_nic(nic) is network for nic in vm.nics))
        if network is not None and users:
            raise rejected("NETWORK_CANNOT_DETACH_NETWORK_USED_BY_VMS", "setup", "NETWORKS", networkName=network.name,
                           vmNames=",".join(users))

    def commit_network_changes(self, host, caller: Caller) -> Job:
        """CommitNetworkChangesCommand (`commitnetconfig`): VDSM makes the running network configuration the one
        it boots with. It validates nothing; event 1104 is its own, HostSetupNetworks logs none (its
        getAuditLogTypeValue is AuditLogableBase's UNASSIGNED: only its job shows)."""
        now = self.engine.now()
        job = self.engine.finished_job("CommitNetworkChanges", now, caller, VDS=host.name)
        self._log("NETWORK_COMMINT_NETWORK_CHANGES", now, caller, host)
        return job

    def attach_network(self, host, network, nic: HostNic) -> NetworkAttachment:
        attachment = NetworkAttachment(id=attachment_id(host.id, nic.id, network.id), network_id=network.id,
                                       nic_id=nic.id)
        self.engine.add(attachment, into=host.attachments)
        if network.vlan is not None and self.inv.host_nic_named(host, f"{nic.name}.{network.vlan}") is None:
            device = HostNic(id=vlan_device_id(host.name, nic.name, network.vlan), name=f"{nic.name}.{network.vlan}",
                             mac=nic.mac, mtu=network.mtu or nic.mtu, speed=nic.speed, boot_protocol="none",
                             vlan=network.vlan, base=nic.name)
            self.engine.add(device, into=host.nics)
        return attachment

    def detach_network(self, host, attachment: NetworkAttachment) -> None:
        network = self.inv.networks.get(attachment.network_id)
        nic = self.inv.find_host_nic(host, attachment.nic_id)
        self.engine.remove(attachment, out_of=host.attachments)
        if network is not None and network.vlan is not None and nic is not None:
            device = self.inv.host_nic_named(host, f"{nic.name}.{network.vlan}")
            still_used = any(self.inv.networks[a.network_id].vlan == network.vlan and a.nic_id == nic.id
                             for a in host.attachments)
            if device is not None and not still_used:
                self.engine.remove(device, out_of=host.nics)

    # --- statistics ------------------------------------------------------------------------------------------
    def statistics(self, host) -> list[tuple[str, float]]:
        """VDSM's numbers for the engine's 13 host statistics (HostStatisticalQuery), in its order: memory
        in use grows with the VMs the host runs."""
        running = self.inv.vms_on(host.id)
        used = min(host.memory, 4 * 1024**3 + sum(vm.memory for vm in running))
        swap_total = 16 * 1024 * MiB
        busy = min(95.0, 1.0 + 4.0 * len(running))
        return [("memory.total", host.memory), ("memory.used", used), ("memory.free", host.memory - used),
                ("memory.shared", 0), ("swap.total", swap_total), ("swap.free", swap_total), ("swap.used", 0),
                ("ksm.cpu.current", 0), ("cpu.current.user", busy * 0.75), ("cpu.current.system", busy * 0.25),
                ("cpu.current.idle", 100.0 - busy), ("cpu.load.avg.5m", round(busy / 100 * host.cores, 2)),
                ("boot.time", host.boot_time)]

    # --- saved state ------------------------------------------------------------------------------------------
    def export(self) -> dict:
        return {"maintenance_jobs": {h: [job_id, caller] for h, (job_id, caller) in self.maintenance_jobs.items()}}

    def restore(self, data: dict) -> None:
        self.maintenance_jobs = {h: (job_id, caller) for h, (job_id, caller) in data["maintenance_jobs"].items()}

    def clear(self) -> None:
        self.maintenance_jobs.clear()
