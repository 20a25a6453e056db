"""Engine objects as the API shows them: VMs, their NICs and guest-reported devices, jobs, events,
templates, users and tags; plus the <action> and <fault> envelopes.

The VM shape copies what the recorded engine and the stub the SDK accepted agree on; `<cpu>` is
always present (ovirt.ovirt's ovirt_vm crashes without it) and `<host>` appears only while the
VM runs, still naming the source host during a migration.
"""

from __future__ import annotations

import uuid

from .audit import Event, Job
from .model import BLANK_TEMPLATE_ID, ROOT_TAG_ID, Vm, VmNic
from .tree import Obj, Time
from .views import InfraViews

GUEST_AGENT_STATES = ("up", "migrating", "powering_down")


def reported_device_id(guest_name: str, mac: str) -> str:
    """The engine derives it from the guest's interface name and MAC ('eth0' + '00:1a:4a:...')."""
    raw = (guest_name + mac).encode()[:16].ljust(16, b"\0")
    return str(uuid.UUID(bytes=raw))


class Views(InfraViews):
    # --- VMs ------------------------------------------------------------------------------------------
    def vm(self, vm: Vm) -> Obj:
        href = self.href("vms", vm.id)
        o = self.entity("vm", href, vm.id)
        o.add("name", vm.name).add("description", vm.description).add("comment", vm.comment)
        self.links(o, "vm", href)
        o.add("bios", Obj("bios").add("boot_menu", Obj("boot_menu").add("enabled", False)).add("type", "q35_ovmf"))
        cluster = self.inv.clusters.get(vm.cluster_id)
        topology = Obj("topology").add("cores", vm.cores).add("sockets", vm.sockets).add("threads", vm.threads)
        o.add("cpu", Obj("cpu").add("architecture", cluster.architecture if cluster else "x86_64").add("topology", topology))
        o.add("cpu_shares", 0).add("creation_time", Time(vm.creation_time)).add("delete_protected", False)
        o.add("display", Obj("display").add("type", "vnc").add("monitors", 1))
        if vm.fqdn and vm.status in GUEST_AGENT_STATES:
            o.add("fqdn", vm.fqdn)
        o.add("high_availability", Obj("high_availability").add("enabled", False).add("priority", 0))
        o.add("io", Obj("io").add("threads", 1)).add("memory", vm.memory)
        o.add("memory_policy", Obj("memory_policy").add("ballooning", True).add("guaranteed", vm.memory)
              .add("max", vm.memory * 4))
        o.add("migration", Obj("migration").add("auto_converge", "inherit").add("compressed", "inherit"))
        o.add("migration_downtime", -1).add("multi_queues_enabled", True).add("origin", "ovirt")
        o.add("os", Obj("os").add("boot", Obj("boot").add("devices", Obj("devices", fields=[("device", ["hd"])])))
              .add("type", vm.os_type))
        policy = Obj("placement_policy").add("affinity", vm.affinity)
        if vm.placement_host_ids:
            policy.add("hosts", Obj("hosts", fields=[("host", [self.ref("host", "hosts", h)
                                                              for h in vm.placement_host_ids])]))
        o.add("placement_policy", policy)
        if vm.start_time is not None and vm.running:
            o.add("start_time", Time(vm.start_time))
        o.add("stateless", False).add("status", vm.status)
        if vm.stop_time is not None and not vm.running:
            o.add("stop_time", Time(vm.stop_time))
        o.add("type", "server")
        o.add("cluster", self.ref("cluster", "clusters", vm.cluster_id))
        o.add("host", self.ref("host", "hosts", vm.host_id if vm.running else None))
        o.add("template", self.ref("template", "templates", vm.template_id))
        return o

    def nic(self, vm: Vm, nic: VmNic) -> Obj:
        href = self.href("vms", vm.id, "nics", nic.id)
        o = Obj("nic", {"href": href, "id": nic.id})
        o.add("actions", Obj("actions", fields=[("link", [Obj("link", {"href": f"{href}/{v}", "rel": v})
                                                          for v in ("activate", "deactivate")])]))
        o.add("name", nic.name)
        self.links(o, "nic", href)
        o.add("interface", nic.interface).add("linked", nic.linked)
        o.add("mac", Obj("mac").add("address", nic.mac)).add("plugged", nic.plugged).add("synced", True)
        o.add("vm", self.ref("vm", "vms", vm.id))
        o.add("vnic_profile", self.ref("vnic_profile", "vnicprofiles", nic.profile_id))
        return o

    def reported_devices(self, vm: Vm, nics: list[VmNic] | None = None) -> list[Obj]:
        """What the guest agent reports: only while the guest runs, one device per NIC with IPs."""
        if vm.status not in GUEST_AGENT_STATES:
            return []
        out = []
        for index, nic in enumerate(vm.nics):
            if nics is not None and nic not in nics:
                continue
            guest_name = nic.guest_name or f"eth{index}"
            dev_id = reported_device_id(guest_name, nic.mac)
            o = Obj("reported_device", {"href": self.href("vms", vm.id, "reporteddevices", dev_id), "id": dev_id})
            o.add("name", guest_name).add("description", "guest reported data")
            ips = [Obj("ip").add("address", ip).add("version", "v6" if ":" in ip else "v4") for ip in nic.ips]
            o.add("ips", Obj("ips", fields=[("ip", ips)] if ips else []))
            o.add("mac", Obj("mac").add("address", nic.mac)).add("type", "network")
            o.add("vm", self.ref("vm", "vms", vm.id))
            out.append(o)
        return out

    # --- jobs and events -------------------------------------------------------------------------------
    def job(self, job: Job) -> Obj:
        href = self.href("jobs", job.id)
        o = self.entity("job", href, job.id)
        o.add("description", job.description)
        self.links(o, "job", href)
        o.add("auto_cleared", job.auto_cleared)
        o.add("end_time", Time(job.end_time) if job.end_time is not None else None)
        o.add("external", job.external).add("last_updated", Time(job.last_updated))
        o.add("start_time", Time(job.start_time)).add("status", job.status)
        o.add("owner", self.ref("owner", "users", job.owner_id or None))
        return o

    def event(self, event: Event) -> Obj:
        o = Obj("event", {"href": self.href("events", str(event.id)), "id": str(event.id)})
        o.add("description", event.description).add("code", event.code)
        o.add("correlation_id", event.correlation_id or None)
        o.add("custom_id", -1).add("flood_rate", 30).add("origin", "oVirt").add("severity", event.severity)
        o.add("time", Time(event.time))
        for tag, path in (("cluster", "clusters"), ("data_center", "datacenters"), ("host", "hosts"), ("vm", "vms"),
                          ("user", "users")):
            o.add(tag, self.ref(tag, path, event.refs.get(tag)))
        return o

    # --- the fixed objects -------------------------------------------------------------------------------
    def template(self) -> Obj:
        href = self.href("templates", BLANK_TEMPLATE_ID)
        o = Obj("template", {"href": href, "id": BLANK_TEMPLATE_ID})
        o.add("name", "Blank").add("description", "Blank template").add("comment", "")
        self.links(o, "template", href)
        topology = Obj("topology").add("cores", 1).add("sockets", 1).add("threads", 1)
        o.add("cpu", Obj("cpu").add("architecture", "undefined").add("topology", topology))
        o.add("memory", 1024**3)
        o.add("os", Obj("os").add("type", "other"))
        o.add("status", "ok").add("type", "server")
        o.add("version", Obj("version").add("version_name", "base version").add("version_number", 1))
        return o

    def user(self, user_id: str, name: str) -> Obj:
        href = self.href("users", user_id)
        login, _, domain = name.partition("@")
        authz = f"{domain}-authz" if domain else "internal-authz"
        o = Obj("user", {"href": href, "id": user_id})
        o.add("name", login)
        self.links(o, "user", href)
        o.add("domain_entry_id", user_id.replace("-", "").upper()).add("last_name", "").add("namespace", "*")
        o.add("principal", login).add("user_name", f"{login}@{authz}")
        o.add("domain", Obj("domain", {"id": uuid.uuid5(uuid.NAMESPACE_DNS, authz).hex}).add("name", authz))
        return o

    def tag(self) -> Obj:
        o = Obj("tag", {"href": self.href("tags", ROOT_TAG_ID), "id": ROOT_TAG_ID})
        return o.add("name", "root").add("description", "root")

    # --- envelopes -----------------------------------------------------------------------------------------
    def action(self, echo: list[tuple[str, object]], job: Job | None) -> Obj:
        """The engine echoes the request's <action>, adds the job it started and `complete`."""
        o = Obj("action", fields=list(echo))
        if job is not None:
            o.add("job", self.ref("job", "jobs", job.id))
        return o.add("status", "complete")


def fault(reason: str, detail: str) -> Obj:
    return Obj("fault").add("reason", reason).add("detail", detail)


def failed_action(reason: str, detail: str) -> Obj:
    return Obj("action").add("fault", fault(reason, detail)).add("status", "failed")
