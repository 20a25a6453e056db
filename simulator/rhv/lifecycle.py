"""VM power and migration, host maintenance: the engine's commands and their state machines.

Validation happens first and in the engine's order (MigrateVmToServerCommand: destination
exists and is Up, VM is running, clusters match, not the same host; then the scheduler's
filters), failing with the engine's messages. Accepted commands change state at once (the VM is
`powering_up`, `migrating` with its host still the source) and schedule their completion on the
timeline; the completion writes the events (62/63, 65 or 120 on failure, 67 when the system
moves VMs off a host going to maintenance) and ends the job.
"""

from __future__ import annotations

from dataclasses import dataclass

from .audit import Job
from .errors import RhvFault, failed, rejected
from .messages import app_error, job_title
from .model import Host, Vm
from .states import Pending

MAINTENANCE_REASON = "Host preparing for maintenance"
HOST_STATUSES = ("connecting", "down", "error", "initializing", "install_failed", "installing", "installing_os",
                 "kdumping", "maintenance", "non_operational", "non_responsive", "pending_approval",
                 "preparing_for_maintenance", "reboot", "unassigned", "up")
NON_OPERATIONAL_REASON = "Host is non operational"


@dataclass
class Caller:
    """Who asked (for `${UserName}` and job owners) and the request's correlation id."""

    user: str = "admin@internal"
    user_id: str = ""
    correlation_id: str = ""

    @property
    def display(self) -> str:
        login, _, domain = self.user.partition("@")
        return f"{login}@{domain or 'internal'}-authz"


@dataclass
class Migration:
    vm_id: str
    source_id: str
    dest_id: str
    job: Job
    started: float
    to_server: bool
    correlation_id: str
    pending: Pending | None = None


def duration_words(seconds: float) -> str:
    """`2 seconds`, `1 minute 5 seconds`: DurationFormatUtils.formatDurationWords as the engine calls it."""
    total = int(round(seconds))
    parts = [(total // 86400, "day"), (total % 86400 // 3600, "hour"), (total % 3600 // 60, "minute"), (total % 60, "second")]
    while len(parts) > 1 and parts[0][0] == 0:
        parts.pop(0)
    while len(parts) > 1 and parts[-1][0] == 0:
        parts.pop()
    return " ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts)


class Lifecycle:
    def __init__(self, rhv):
        self.rhv = rhv
        self.migrations: dict[str, Migration] = {}
        self.power: dict[str, Pending] = {}  # vm id -> its pending boot or shutdown
        self.host_pending: dict[str, Pending] = {}
        self.maintenance_jobs: dict[str, tuple[Job, Caller]] = {}
        self.injected_failures: list[tuple[str | None, str]] = []

    @property
    def inv(self):
        return self.rhv.inventory

    def _now(self) -> float:
        return self.rhv.clock.now()

    def _log(self, kind: str, at: float, caller: Caller, vm: Vm | None = None, host: Host | None = None, **values):
        refs = {"user": caller.user_id}
        if vm is not None:
            refs.update(vm=vm.id, cluster=vm.cluster_id,
                        data_center=self.inv.data_center_of_cluster(vm.cluster_id).id)
        if host is not None:
            refs["host"] = host.id
        values.setdefault("UserName", caller.display)
        return self.rhv.audit.log(kind, at, caller.correlation_id, refs, **values)

    def _job(self, command: str, at: float, caller: Caller, **values) -> Job:
        return self.rhv.jobs.start(job_title(command, **values), at, caller.correlation_id, caller.user_id)

    # --- scheduling ---------------------------------------------------------------------------------
    def load(self, host: Host) -> int:
        incoming = sum(1 for m in self.migrations.values() if m.dest_id == host.id)
        return len(self.inv.vms_on(host.id)) + incoming

    def migrating_count(self, host_id: str) -> int:
        return sum(1 for m in self.migrations.values() if host_id in (m.source_id, m.dest_id))

    def schedule(self, vm: Vm, action: str, cluster_id: str, candidates: list[Host] | None = None) -> Host:
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
            attached = {n.id for n in self.inv.cluster_networks(host.cluster_id)}
            missing = sorted({n.name for n in map(self.inv.network_of_nic, vm.nics) if n and n.id not in attached})
            if missing:
                detail = app_error("VAR__DETAIL__NETWORK_MISSING", networkNames=", ".join(missing))
                reasons.append(self._filtered(host, "Network", detail))
                continue
            fit.append(host)
        if not fit:
            raise failed(header, *reasons)
        return min(fit, key=lambda h: (self.load(h), h.name))

    @staticmethod
    def _filtered(host: Host, name: str, detail: str) -> str:
        return app_error("SCHEDULING_HOST_FILTERED_REASON_WITH_DETAIL", hostName=host.name, filterType="internal",
                         filterName=name, detailMessage=detail)

    # --- power ---------------------------------------------------------------------------------------
    def start(self, vm: Vm, caller: Caller) -> Job:
        if vm.status != "down":
            raise rejected("ACTION_TYPE_FAILED_VM_IS_RUNNING", "run", "VM")
        host = self.schedule(vm, "run", vm.cluster_id)
        now = self._now()
        vm.status, vm.host_id, vm.start_time, vm.stop_time = "powering_up", host.id, now, None
        job = self._job("RunVm", now, caller, VM=vm.name)
        self._log("USER_STARTED_VM", now, caller, vm, host, VmName=vm.name, VdsName=host.name)
        self.power[vm.id] = self.rhv.timeline.after(
            self.rhv.config.boot_seconds, lambda at: self._booted(vm.id, job, caller, at), f"boot {vm.name}")
        return job

    def _booted(self, vm_id: str, job: Job, caller: Caller, at: float) -> None:
        self.power.pop(vm_id, None)
        vm = self.inv.vms.get(vm_id)
        if vm is None or vm.status != "powering_up":
            return
        vm.status = "up"
        host = self.inv.hosts.get(vm.host_id)
        self._log("USER_RUN_VM", at, caller, vm, host, VmName=vm.name, VdsName=host.name if host else "")
        job.end("finished", at)
        if host is not None and host.status in ("preparing_for_maintenance", "non_operational"):
            self._evacuate(vm, host, caller, at)

    def stop(self, vm: Vm, caller: Caller) -> Job:
        if not vm.running:
            raise rejected("ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING", "stop", "VM")
        now = self._now()
        host = self.inv.hosts.get(vm.host_id)
        self._drop_pending(vm, now)
        self._power_off(vm, now)
        job = self.rhv.jobs.finished(job_title("StopVm", VM=vm.name), now, caller.correlation_id, caller.user_id)
        self._log("USER_STOP_VM", now, caller, vm, host, VmName=vm.name, VdsName=host.name if host else "",
                  OptionalReason="")
        self._check_drained(host, caller, now)
        return job

    def shutdown(self, vm: Vm, caller: Caller) -> Job:
        if vm.status not in ("up", "powering_up", "paused"):
            if not vm.running:
                raise rejected("ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING", "shutdown", "VM")
            raise rejected("ACTION_TYPE_FAILED_VM_STATUS_ILLEGAL", "shutdown", "VM", vmStatus=_status_words(vm.status))
        now = self._now()
        host = self.inv.hosts.get(vm.host_id)
        self._drop_pending(vm, now)
        vm.status = "powering_down"
        job = self._job("ShutdownVm", now, caller, VM=vm.name)
        self._log("USER_INITIATED_SHUTDOWN_VM", now, caller, vm, host, VmName=vm.name, VdsName=host.name if host else "")

        def down(at: float) -> None:
            self.power.pop(vm.id, None)
            if vm.status != "powering_down":
                return
            self._power_off(vm, at)
            self._log("VM_DOWN", at, caller, vm, host, VmName=vm.name,
                      ExitMessage="Exit message: User shut down from within the guest")
            job.end("finished", at)
            self._check_drained(host, caller, at)

        self.power[vm.id] = self.rhv.timeline.after(self.rhv.config.shutdown_seconds, down, f"shutdown {vm.name}")
        return job

    def _power_off(self, vm: Vm, at: float) -> None:
        vm.status, vm.host_id, vm.stop_time = "down", None, at

    def _drop_pending(self, vm: Vm, at: float) -> None:
        pending = self.power.pop(vm.id, None)
        if pending is not None:
            pending.cancel()
        migration = self.migrations.pop(vm.id, None)
        if migration is not None:
            migration.pending.cancel()
            migration.job.end("aborted", at)

    # --- migration -----------------------------------------------------------------------------------
    def migrate(self, vm: Vm, caller: Caller, host: Host | None = None, cluster_id: str | None = None) -> Job:
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
            dest = self.schedule(vm, "migrate", host.cluster_id, candidates=[host])
        else:
            dest = self.schedule(vm, "migrate", cluster_id or vm.cluster_id)
        return self._begin(vm, dest, caller, to_server=host is not None, reason=None, at=self._now())

    def _check_migratable(self, vm: Vm) -> None:
        if not vm.running:
            raise rejected("ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING", "migrate", "VM")
        if vm.status == "migrating":
            raise rejected("ACTION_TYPE_FAILED_MIGRATION_IN_PROGRESS", "migrate", "VM")
        if vm.status != "up":
            raise rejected("ACTION_TYPE_FAILED_VM_STATUS_ILLEGAL", "migrate", "VM", vmStatus=_status_words(vm.status))

    def _begin(self, vm: Vm, dest: Host, caller: Caller, to_server: bool, reason: str | None, at: float) -> Job:
        source = self.inv.hosts[vm.host_id]
        vm.status = "migrating"
        command = "MigrateVmToServer" if to_server else "MigrateVm"
        job = self._job(command, at, caller, VM=vm.name, VDS=dest.name)
        names = {"VmName": vm.name, "VdsName": source.name, "DestinationVdsName": dest.name}
        if reason is None:
            self._log("VM_MIGRATION_START", at, caller, vm, source, OptionalReason="", **names)
        else:
            self._log("VM_MIGRATION_START_SYSTEM_INITIATED", at, caller, vm, source, OptionalReason=reason, **names)
        migration = Migration(vm.id, source.id, dest.id, job, at, to_server, caller.correlation_id)
        migration.pending = self.rhv.timeline.after(
            self.rhv.config.migration_seconds, lambda due: self._migrated(vm.id, caller, due), f"migrate {vm.name}",
            start=at)
        self.migrations[vm.id] = migration
        return job

    def _migrated(self, vm_id: str, caller: Caller, at: float) -> None:
        migration = self.migrations.pop(vm_id, None)
        vm = self.inv.vms.get(vm_id)
        if migration is None or vm is None or vm.status != "migrating":
            return
        source, dest = self.inv.hosts.get(migration.source_id), self.inv.hosts.get(migration.dest_id)
        error = self._injected_failure(vm)
        if error is None and (dest is None or dest.status != "up"):
            error = "Destination host is not available"
        vm.status = "up"
        names = {"VmName": vm.name, "VdsName": source.name if source else "",
                 "DestinationVdsName": dest.name if dest else ""}
        if error is not None:
            if source is not None and source.status == "preparing_for_maintenance":
                kind = "VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE"
            else:
                kind = "VM_MIGRATION_TO_SERVER_FAILED" if migration.to_server else "VM_MIGRATION_FAILED"
            self._log(kind, at, caller, vm, source, DueToMigrationError=f" due to an Error: {error}", **names)
            migration.job.end("failed", at)
            return
        vm.host_id = dest.id
        took = duration_words(at - migration.started)
        self._log("VM_MIGRATION_DONE", at, caller, vm, dest, Duration=took, TotalDuration=took,
                  ActualDowntime=f"{self.rhv.config.migration_downtime_ms}ms", **names)
        migration.job.end("finished", at)
        self._check_drained(source, caller, at)

    def cancel_migration(self, vm: Vm, caller: Caller) -> Job:
        migration = self.migrations.get(vm.id)
        if migration is None:
            raise failed(app_error("VM_CANNOT_CANCEL_MIGRATION_WHEN_VM_IS_NOT_MIGRATING"))
        now = self._now()
        self.migrations.pop(vm.id)
        migration.pending.cancel()
        migration.job.end("aborted", now)
        vm.status = "up"
        source = self.inv.hosts.get(migration.source_id)
        job = self.rhv.jobs.finished(job_title("CancelMigrateVm", VM=vm.name), now, caller.correlation_id,
                                     caller.user_id)
        self._log("VM_CANCEL_MIGRATION", now, caller, vm, source, VmName=vm.name, VdsName=source.name if source else "")
        return job

    def inject_migration_failure(self, vm_id: str | None = None, error: str = "Fatal error during migration") -> None:
        """The next migration (of this VM, or of any VM) fails when it would have completed."""
        self.injected_failures.append((vm_id, error))

    def _injected_failure(self, vm: Vm) -> str | None:
        for i, (vm_id, error) in enumerate(self.injected_failures):
            if vm_id in (None, vm.id):
                del self.injected_failures[i]
                return error
        return None

    # --- hosts ------------------------------------------------------------------------------------------
    def deactivate(self, host: Host, caller: Caller, reason: str | None = None) -> Job:
        if host.status == "maintenance":
            raise failed(app_error("VDS_CANNOT_MAINTENANCE_VDS_IS_IN_MAINTENANCE"))
        running = self.inv.vms_on(host.id)
        others = [h for h in self.inv.hosts_of(host.cluster_id) if h.id != host.id and h.status == "up"]
        if running and not others:
            cluster = self.inv.clusters[host.cluster_id]
            raise failed(app_error("CANNOT_MAINTENANCE_VDS_RUN_VMS_NO_OTHER_RUNNING_VDS", HostsList=host.name,
                                   ClustersList=cluster.name))
        now = self._now()
        host.status, host.maintenance_reason = "preparing_for_maintenance", reason or ""
        job = self._job("MaintenanceNumberOfVdss", now, caller, VDS=host.name)
        self.maintenance_jobs[host.id] = (job, caller)
        for vm in sorted(running, key=lambda v: v.name):
            if vm.status == "up":
                self._evacuate(vm, host, caller, now)
        self._check_drained(host, caller, now)
        return job

    def _evacuate(self, vm: Vm, host: Host, caller: Caller, at: float) -> None:
        """A system-initiated migration off a host that is leaving service (event 67)."""
        reason = MAINTENANCE_REASON if host.status == "preparing_for_maintenance" else NON_OPERATIONAL_REASON
        try:
            dest = self.schedule(vm, "migrate", vm.cluster_id)
        except RhvFault:
            self._log("VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE_NO_DESTINATION_VDS", at, caller, vm, host,
                      VmName=vm.name, VdsName=host.name, DueToMigrationError="")
            return
        self._begin(vm, dest, caller, to_server=False, reason=reason, at=at)

    def _check_drained(self, host: Host | None, caller: Caller, at: float) -> None:
        """A host preparing for maintenance switches to maintenance once no VM is left on it."""
        if host is None or host.status != "preparing_for_maintenance" or host.id in self.host_pending:
            return
        if self.inv.vms_on(host.id):
            return

        def switch(due: float) -> None:
            self.host_pending.pop(host.id, None)
            if host.status != "preparing_for_maintenance" or self.inv.vms_on(host.id):
                return
            host.status = "maintenance"
            job, requester = self.maintenance_jobs.pop(host.id, (None, caller))
            if host.maintenance_reason:
                self._log("USER_VDS_MAINTENANCE", due, requester, host=host, VdsName=host.name,
                          Reason=host.maintenance_reason)
            else:
                self._log("USER_VDS_MAINTENANCE_WITHOUT_REASON", due, requester, host=host, VdsName=host.name)
            if job is not None:
                job.end("finished", due)

        self.host_pending[host.id] = self.rhv.timeline.after(
            self.rhv.config.maintenance_seconds, switch, f"maintenance {host.name}", start=at)

    def activate(self, host: Host, caller: Caller) -> Job:
        if host.status == "up":
            raise rejected("VDS_ALREADY_UP", "activate", "HOST")
        now = self._now()
        pending = self.host_pending.pop(host.id, None)
        if pending is not None:
            pending.cancel()
        leftover = self.maintenance_jobs.pop(host.id, None)
        if leftover is not None:
            leftover[0].end("aborted", now)
        host.status, host.maintenance_reason = "unassigned", ""
        job = self._job("ActivateVds", now, caller, VDS=host.name)
        self._log("VDS_ACTIVATE", now, caller, host=host, VdsName=host.name)

        def up(at: float) -> None:
            if host.status != "unassigned":
                return
            host.status = "up"
            self._log("VDS_DETECTED", at, caller, host=host, VdsName=host.name, HostStatus="Up")
            job.end("finished", at)

        self.rhv.timeline.after(self.rhv.config.activate_seconds, up, f"activate {host.name}")
        return job

    def set_host_status(self, host: Host, status: str, caller: Caller) -> None:
        """A simulator power: a host turning non-operational (its VMs are moved away) or back up."""
        if status not in HOST_STATUSES:
            raise ValueError(f"{status!r} is not a host status ({', '.join(HOST_STATUSES)})")
        if status == "maintenance" and self.inv.vms_on(host.id):
            raise ValueError(f"host {host.name} runs VMs: deactivate it to move them away first")
        now = self._now()
        host.status = status
        if status == "non_operational":
            self._log("VDS_SET_NONOPERATIONAL", now, caller, host=host, VdsName=host.name)
            for vm in sorted(self.inv.vms_on(host.id), key=lambda v: v.name):
                if vm.status == "up":
                    self._evacuate(vm, host, caller, now)


def _status_words(status: str) -> str:
    return " ".join(word.capitalize() for word in status.split("_"))
