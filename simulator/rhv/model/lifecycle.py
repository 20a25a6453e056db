"""VM power, reboot and migration: the engine's commands and their state machines.

Validation happens first and in the engine's order (MigrateVmToServerCommand: destination
exists and is Up, VM is running, clusters match, not the same host; a target cluster must carry
every network the VM's NICs use (ChangeVmClusterValidator); then the scheduler's filters, of which
the Network filter wants each plugged vNIC's network on one of the host's NICs), failing with the
engine's messages. A migration to another cluster moves the VM into it once it is up on the
destination (MigrateVmCommand.runningSucceded runs ChangeVMCluster: event 35, then 63). Accepted commands change state at once (the VM is
`powering_up`, `migrating` with its host still the source) and schedule their completion on the
timeline as data (kind, VM id, job id, who asked); the completion writes the events (62/63, 65 or
120 on failure, 67 when the system moves VMs off a host leaving service) and ends the job. Every
change goes through the engine's operations (`engine.set`, `engine.log`, ...).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .audit import Caller, Job
from .errors import RhvFault, failed, rejected
from .messages import app_error
from .timeline import Pending

MAINTENANCE_REASON = "Host preparing for maintenance"
NON_OPERATIONAL_REASON = "Host is non operational"
POWER_KINDS = ("boot", "shutdown", "reboot")


@dataclass
class Migration:
    vm_id: str
    source_id: str
    dest_id: str
    job_id: str
    started: float
    to_server: bool
    caller: dict
    cluster_id: str | None = None  # the target cluster a cross-cluster migration moves the VM into


def duration_words(seconds: float) -> str:
    """`2 seconds`, `1 minute 5 seconds`: DurationFormatUtils.formatDurationWords as the engine calls it."""
    total = int(round(seconds))
    parts = [(total // 86400, "day"), (total % 86400 // 3600, "hour"), (total % 3600 // 60, "minute"), (total % 60, "second")]
    while len(parts) > 1 and parts[0][0] == 0:
        parts.pop(0)
    while len(parts) > 1 and parts[-1][0] == 0:
        parts.pop()
    return " ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts)


def status_words(status: str) -> str:
    return " ".join(word.capitalize() for word in status.split("_"))


class Lifecycle:
    def __init__(self, engine):
        self.engine = engine
        self.migrations: dict[str, Migration] = {}
        self.injected_failures: list[tuple[str | None, str]] = []

    def transitions(self) -> dict:
        return {"boot": self._booted, "shutdown": self._powered_down, "reboot": self._rebooted,
                "migration": self._migrated}

    def clear(self) -> None:
        self.migrations.clear()
        self.injected_failures.clear()

    @property
    def inv(self):
        return self.engine.inventory

    def _log(self, kind: str, at: float, caller: Caller, vm, host=None, **values):
        refs = {"vm": vm.id, "cluster": vm.cluster_id, "data_center": self.inv.data_center_of_cluster(vm.cluster_id).id}
        if host is not None:
            refs["host"] = host.id
        return self.engine.log(kind, at, caller, refs, **values)

    def _later(self, seconds: float, kind: str, vm, job: Job, caller: Caller, start: float | None = None) -> Pending:
        return self.engine.timeline.after(seconds, kind, vm.id, {"job_id": job.id, "caller": caller.describe()},
                                          start=start)

    def _pending_of(self, pending: Pending):
        vm = self.inv.vms.get(pending.entity_id)
        return vm, self.engine.jobs.jobs.get(pending.data.get("job_id", "")), Caller(**pending.data["caller"])

    # --- scheduling ---------------------------------------------------------------------------------
    def load(self, host) -> int:
        incoming = sum(1 for m in self.migrations.values() if m.dest_id == host.id)
        return len(self.inv.vms_on(host.id)) + incoming

    def migrating_count(self, host_id: str) -> int:
        return sum(1 for m in self.migrations.values() if host_id in (m.source_id, m.dest_id))

    def schedule(self, vm, action: str, cluster_id: str, candidates: list | None = None):
        """The engine's scheduler, reduced to its filters that matter here and a balanced pick."""
        hosts = candidates if candidates is not None else [
            h for h in self.inv.hosts_of(cluster_id) if h.status == "up"]
        header = app_error("SCHEDULING_ALL_HOSTS_FILTERED_OUT", action, "VM")
        if not hosts:
            raise failed(header, app_error("SCHEDULING_NO_HOSTS"))
        reasons, fit = [], []
        for host in sorted(hosts, key=lambda h: h.name):
            if vm.host_id == host.id:
                reasons.append(self._filtered(host, "Migration", app_error("VAR__DETAIL__SAME_HOST")))
                continue
            missing = self.missing_networks(vm, host)
            if missing:
                detail = app_error("VAR__DETAIL__NETWORK_MISSING", networkNames=", ".join(missing))
                reasons.append(self._filtered(host, "Network", detail))
                continue
            fit.append(host)
        if not fit:
            raise failed(header, *reasons)
        return min(fit, key=lambda h: (self.load(h), h.name))

    def missing_networks(self, vm, host) -> list[str]:
        """NetworkPolicyUnit: the network of every plugged vNIC must be on one of the host's NICs (a network
        attachment; the management network is one too), named once per vNIC that lacks it, in vNIC order."""
        on_host = {a.network_id for a in host.attachments}
        networks = [self.inv.network_of_nic(nic) for nic in vm.nics if nic.plugged]
        return [n.name for n in networks if n is not None and n.id not in on_host]

    @staticmethod
    def _filtered(host, name: str, detail: str) -> str:
        return app_error("SCHEDULING_HOST_FILTERED_REASON_WITH_DETAIL", hostName=host.name, filterType="internal",
                         filterName=name, detailMessage=detail)

    # --- power ---------------------------------------------------------------------------------------
    def start(self, vm, caller: Caller) -> Job:
        if vm.status != "down":
            raise rejected("ACTION_TYPE_FAILED_VM_IS_RUNNING", "run", "VM")
        host = self.schedule(vm, "run", vm.cluster_id)
        now = self.engine.now()
        self.engine.set(vm, status="powering_up", host_id=host.id, start_time=now, stop_time=None)
        job = self.engine.start_job("RunVm", now, caller, VM=vm.name)
        self._log("USER_STARTED_VM", now, caller, vm, host, VmName=vm.name, VdsName=host.name)
        self._later(self.engine.config.boot_seconds, "boot", vm, job, caller)
        return job

    def _booted(self, pending: Pending) -> None:
        vm, job, caller = self._pending_of(pending)
        if vm is None or vm.status != "powering_up":
            return
        at = pending.due
        self.engine.set(vm, status="up")
        host = self.inv.hosts.get(vm.host_id)
        self._log("USER_RUN_VM", at, caller, vm, host, VmName=vm.name, VdsName=host.name if host else "")
        self.engine.end_job(job, "finished", at)
        if host is not None and host.status in ("preparing_for_maintenance", "non_operational"):
            self.evacuate(vm, host, caller, at)

    def stop(self, vm, caller: Caller) -> Job:
        if not vm.running:
            raise rejected("ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING", "stop", "VM")
        now = self.engine.now()
        host = self.inv.hosts.get(vm.host_id)
        self._drop_pending(vm, now)
        self._power_off(vm, now)
        job = self.engine.finished_job("StopVm", now, caller, VM=vm.name)
        self._log("USER_STOP_VM", now, caller, vm, host, VmName=vm.name, VdsName=host.name if host else "",
                  OptionalReason="")
        self.engine.hosts.check_drained(host, caller, now)
        return job

    def shutdown(self, vm, caller: Caller) -> Job:
        if vm.status not in ("up", "powering_up", "paused"):
            if not vm.running:
                raise rejected("ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING", "shutdown", "VM")
            raise rejected("ACTION_TYPE_FAILED_VM_STATUS_ILLEGAL", "shutdown", "VM", vmStatus=status_words(vm.status))
        now = self.engine.now()
        host = self.inv.hosts.get(vm.host_id)
        self._drop_pending(vm, now)
        self.engine.set(vm, status="powering_down")
        job = self.engine.start_job("ShutdownVm", now, caller, VM=vm.name)
        self._log("USER_INITIATED_SHUTDOWN_VM", now, caller, vm, host, VmName=vm.name,
                  VdsName=host.name if host else "")
        self._later(self.engine.config.shutdown_seconds, "shutdown", vm, job, caller)
        return job

    def _powered_down(self, pending: Pending) -> None:
        vm, job, caller = self._pending_of(pending)
        if vm is None or vm.status != "powering_down":
            return
        at = pending.due
        host = self.inv.hosts.get(vm.host_id)
        self._power_off(vm, at)
        self._log("VM_DOWN", at, caller, vm, host, VmName=vm.name,
                  ExitMessage="Exit message: User shut down from within the guest")
        self.engine.end_job(job, "finished", at)
        self.engine.hosts.check_drained(host, caller, at)

    def reboot(self, vm, caller: Caller) -> Job:
        """RebootVmCommand: only an Up VM reboots; it is `reboot_in_progress` on its host, then up again."""
        if not vm.running:
            raise rejected("ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING", "reboot", "VM")
        if vm.status != "up":
            raise rejected("ACTION_TYPE_FAILED_VM_STATUS_ILLEGAL", "reboot", "VM", vmStatus=status_words(vm.status))
        now = self.engine.now()
        host = self.inv.hosts.get(vm.host_id)
        self.engine.set(vm, status="reboot_in_progress")
        job = self.engine.start_job("RebootVm", now, caller, VM=vm.name)
        self._log("USER_REBOOT_VM", now, caller, vm, host, VmName=vm.name)
        self._later(self.engine.config.reboot_seconds, "reboot", vm, job, caller)
        return job

    def _rebooted(self, pending: Pending) -> None:
        vm, job, _caller = self._pending_of(pending)
        if vm is None or vm.status != "reboot_in_progress":
            return
        self.engine.set(vm, status="up")
        self.engine.end_job(job, "finished", pending.due)

    def _power_off(self, vm, at: float) -> None:
        self.engine.set(vm, status="down", host_id=None, stop_time=at)

    def _drop_pending(self, vm, at: float) -> None:
        for kind in POWER_KINDS:
            pending = self.engine.timeline.cancel(kind, vm.id)
            if pending is not None:
                self.engine.end_job(self.engine.jobs.jobs.get(pending.data.get("job_id", "")), "aborted", at)
        migration = self.migrations.pop(vm.id, None)
        if migration is not None:
            self.engine.timeline.cancel("migration", vm.id)
            self.engine.end_job(self.engine.jobs.jobs.get(migration.job_id), "aborted", at)

    # --- migration -----------------------------------------------------------------------------------
    def migrate(self, vm, caller: Caller, host=None, cluster_id: str | None = None) -> Job:
        """MigrateVmToServer when a host is given, MigrateVm (the scheduler picks) otherwise."""
        if host is not None and host.status != "up":
            raise rejected("ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL", "migrate", "VM", hostStatus="Up")
        self._check_migratable(vm)
        if host is not None:
            if cluster_id and cluster_id != host.cluster_id:
                raise rejected("ACTION_TYPE_FAILED_DESTINATION_HOST_NOT_IN_DESTINATION_CLUSTER", "migrate", "VM")
            if vm.host_id == host.id:
                raise rejected("ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST", "migrate", "VM")
            if host.cluster_id != vm.cluster_id and not cluster_id:
                raise rejected("ACTION_TYPE_FAILED_MIGRATE_BETWEEN_TWO_CLUSTERS", "migrate", "VM")
        if cluster_id:
            self._check_target_cluster(vm, cluster_id)
        if host is not None:
            dest = self.schedule(vm, "migrate", host.cluster_id, candidates=[host])
        else:
            dest = self.schedule(vm, "migrate", cluster_id or vm.cluster_id)
        moves = cluster_id if cluster_id and cluster_id != vm.cluster_id else None
        return self._begin(vm, dest, caller, to_server=host is not None, reason=None, at=self.engine.now(),
                           cluster_id=moves)

    def _check_target_cluster(self, vm, cluster_id: str) -> None:
        """ChangeVmClusterValidator, which MigrateVm runs whenever a target cluster is given: the same data
        center, the same architecture, and every network the VM's NICs use attached to the target cluster."""
        target, current = self.inv.clusters[cluster_id], self.inv.clusters[vm.cluster_id]
        if target.data_center_id != current.data_center_id:
            raise failed(app_error("VM_CANNOT_MOVE_TO_CLUSTER_IN_OTHER_STORAGE_POOL"))
        attached = {n.id for n in self.inv.cluster_networks(cluster_id)}
        missing = [n.name for n in map(self.inv.network_of_nic, vm.nics) if n is not None and n.id not in attached]
        if missing:
            raise rejected("MOVE_VM_CLUSTER_MISSING_NETWORK", "migrate", "VM", networks=", ".join(missing))
        if target.architecture != current.architecture:
            raise rejected("ACTION_TYPE_FAILED_VM_CLUSTER_DIFFERENT_ARCHITECTURES", "migrate", "VM")

    def _check_migratable(self, vm) -> None:
        if not vm.running:
            raise rejected("ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING", "migrate", "VM")
        if vm.status == "migrating":
            raise rejected("ACTION_TYPE_FAILED_MIGRATION_IN_PROGRESS", "migrate", "VM")
        if vm.status != "up":
            raise rejected("ACTION_TYPE_FAILED_VM_STATUS_ILLEGAL", "migrate", "VM", vmStatus=status_words(vm.status))

    def _begin(self, vm, dest, caller: Caller, to_server: bool, reason: str | None, at: float,
               cluster_id: str | None = None) -> Job:
        source = self.inv.hosts[vm.host_id]
        self.engine.set(vm, status="migrating")
        command = "MigrateVmToServer" if to_server else "MigrateVm"
        job = self.engine.start_job(command, at, caller, VM=vm.name, VDS=dest.name)
        names = {"VmName": vm.name, "VdsName": source.name, "DestinationVdsName": dest.name}
        if reason is None:
            self._log("VM_MIGRATION_START", at, caller, vm, source, OptionalReason="", **names)
        else:
            self._log("VM_MIGRATION_START_SYSTEM_INITIATED", at, caller, vm, source, OptionalReason=reason, **names)
        self.migrations[vm.id] = Migration(vm.id, source.id, dest.id, job.id, at, to_server, caller.describe(),
                                           cluster_id)
        self._later(self.engine.config.migration_seconds, "migration", vm, job, caller, start=at)
        return job

    def _migrated(self, pending: Pending) -> None:
        vm, job, caller = self._pending_of(pending)
        migration = self.migrations.pop(pending.entity_id, None)
        if migration is None or vm is None or vm.status != "migrating":
            return
        at = pending.due
        source, dest = self.inv.hosts.get(migration.source_id), self.inv.hosts.get(migration.dest_id)
        error = self._injected_failure(vm)
        if error is None and (dest is None or dest.status != "up"):
            error = "Destination host is not available"
        names = {"VmName": vm.name, "VdsName": source.name if source else "",
                 "DestinationVdsName": dest.name if dest else ""}
        if error is not None:
            self.engine.set(vm, status="up")
            if source is not None and source.status == "preparing_for_maintenance":
                kind = "VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE"
            else:
                kind = "VM_MIGRATION_TO_SERVER_FAILED" if migration.to_server else "VM_MIGRATION_FAILED"
            self._log(kind, at, caller, vm, source, DueToMigrationError=f" due to an Error: {error}", **names)
            self.engine.end_job(job, "failed", at)
            return
        self.engine.set(vm, status="up", host_id=dest.id)
        if migration.cluster_id and migration.cluster_id != vm.cluster_id:
            self._change_cluster(vm, migration.cluster_id, caller, at)
        took = duration_words(at - migration.started)
        self._log("VM_MIGRATION_DONE", at, caller, vm, dest, Duration=took, TotalDuration=took,
                  ActualDowntime=f"{self.engine.config.migration_downtime_ms}ms", **names)
        self.engine.end_job(job, "finished", at)
        self.engine.hosts.check_drained(source, caller, at)

    def _change_cluster(self, vm, cluster_id: str, caller: Caller, at: float) -> None:
        """ChangeVMClusterCommand, run internally once the VM is up on the destination: the VM joins the
        cluster, pinned hosts are forgotten (event 250 then, 35 otherwise)."""
        pinned = bool(vm.placement_host_ids)
        self.engine.set(vm, cluster_id=cluster_id, placement_host_ids=[])
        kind = "USER_UPDATE_VM_CLUSTER_DEFAULT_HOST_CLEARED" if pinned else "USER_UPDATE_VM"
        self._log(kind, at, caller, vm, VmName=vm.name)

    def cancel_migration(self, vm, caller: Caller) -> Job:
        migration = self.migrations.get(vm.id)
        if migration is None:
            raise failed(app_error("VM_CANNOT_CANCEL_MIGRATION_WHEN_VM_IS_NOT_MIGRATING"))
        now = self.engine.now()
        self.migrations.pop(vm.id)
        self.engine.timeline.cancel("migration", vm.id)
        self.engine.end_job(self.engine.jobs.jobs.get(migration.job_id), "aborted", now)
        self.engine.set(vm, status="up")
        source = self.inv.hosts.get(migration.source_id)
        job = self.engine.finished_job("CancelMigrateVm", now, caller, VM=vm.name)
        self._log("VM_CANCEL_MIGRATION", now, caller, vm, source, VmName=vm.name,
                  VdsName=source.name if source else "")
        return job

    def evacuate(self, vm, host, caller: Caller, at: float) -> None:
        """A system-initiated migration off a host that is leaving service (event 67)."""
        reason = MAINTENANCE_REASON if host.status == "preparing_for_maintenance" else NON_OPERATIONAL_REASON
        try:
            dest = self.schedule(vm, "migrate", vm.cluster_id)
        except RhvFault:
            self._log("VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE_NO_DESTINATION_VDS", at, caller, vm, host,
                      VmName=vm.name, VdsName=host.name, DueToMigrationError="")
            return
        self._begin(vm, dest, caller, to_server=False, reason=reason, at=at)

    def inject_migration_failure(self, vm_id: str | None = None, error: str = "Fatal error during migration") -> None:
        """The next migration (of this VM, or of any VM) fails when it would have completed."""
        self.injected_failures.append((vm_id, error))

    def _injected_failure(self, vm) -> str | None:
        for i, (vm_id, error) in enumerate(self.injected_failures):
            if vm_id in (None, vm.id):
                del self.injected_failures[i]
                return error
        return None

    # --- saved state ------------------------------------------------------------------------------
    def export(self) -> dict:
        return {"migrations": [asdict(m) for m in self.migrations.values()],
                "injected_failures": [list(f) for f in self.injected_failures]}

    def restore(self, data: dict) -> None:
        self.migrations = {m["vm_id"]: Migration(**m) for m in data["migrations"]}
        self.injected_failures = [(vm_id, str(error)) for vm_id, error in data["injected_failures"]]
