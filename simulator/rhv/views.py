"""Engine objects as the API shows them: data centers, clusters, hosts, networks, vNIC profiles.

Shapes follow the recorded engine XML (../shared/research/ovirt-samples): action links first,
then name/description/comment, sub-collection links, fields, and references last. Every href
starts with the prefix the client used (`/ovirt-engine/api` or `/ovirt-engine/api/v4`), which
`connection.follow_link` depends on. `?follow=` inlines sub-collections and references.
"""

from __future__ import annotations

from .model import Cluster, DataCenter, Host, HostNic, Network, VnicProfile, stable_id
from .network_filters import NetworkFilter
from .tree import Obj, Time, collection, link, ref

# kind -> [(rel, attribute, collection tag, item tag)]; rels a real engine shows, most of them empty here
LINKS = {
    "data_center": [
        ("clusters", "clusters", "clusters", "cluster"), ("networks", "networks", "networks", "network"),
        ("storagedomains", "storage_domains", "storage_domains", "storage_domain"),
        ("permissions", "permissions", "permissions", "permission"), ("quotas", "quotas", "quotas", "quota"),
        ("qoss", "qoss", "qoss", "qos"), ("iscsibonds", "iscsi_bonds", "iscsi_bonds", "iscsi_bond"),
    ],
    "cluster": [
        ("networks", "networks", "networks", "network"), ("permissions", "permissions", "permissions", "permission"),
        ("affinitygroups", "affinity_groups", "affinity_groups", "affinity_group"),
        ("cpuprofiles", "cpu_profiles", "cpu_profiles", "cpu_profile"),
        ("networkfilters", "network_filters", "network_filters", "network_filter"),
        ("enabledfeatures", "enabled_features", "cluster_features", "cluster_feature"),
        ("externalnetworkproviders", "external_network_providers", "external_providers", "external_provider"),
    ],
    "host": [
        ("nics", "nics", "host_nics", "host_nic"),
        ("networkattachments", "network_attachments", "network_attachments", "network_attachment"),
        ("statistics", "statistics", "statistics", "statistic"), ("permissions", "permissions", "permissions", "permission"),
        ("tags", "tags", "tags", "tag"), ("storage", "storages", "host_storages", "host_storage"),
        ("katelloerrata", "katello_errata", "katello_errata", "katello_erratum"),
        ("devices", "devices", "host_devices", "host_device"),
        ("unmanagednetworks", "unmanaged_networks", "unmanaged_networks", "unmanaged_network"),
        ("numanodes", "numa_nodes", "host_numa_nodes", "host_numa_node"),
    ],
    "host_nic": [
        ("linklayerdiscoveryprotocolelements", "link_layer_discovery_protocol_elements",
         "link_layer_discovery_protocol_elements", "link_layer_discovery_protocol_element"),
        ("networklabels", "network_labels", "network_labels", "network_label"),
        ("networkattachments", "network_attachments", "network_attachments", "network_attachment"),
        ("statistics", "statistics", "statistics", "statistic"),
    ],
    "network": [
        ("permissions", "permissions", "permissions", "permission"),
        ("vnicprofiles", "vnic_profiles", "vnic_profiles", "vnic_profile"),
        ("networklabels", "network_labels", "network_labels", "network_label"),
    ],
    "vnic_profile": [("permissions", "permissions", "permissions", "permission")],
    "vm": [
        ("nics", "nics", "nics", "nic"), ("diskattachments", "disk_attachments", "disk_attachments", "disk_attachment"),
        ("reporteddevices", "reported_devices", "reported_devices", "reported_device"),
        ("statistics", "statistics", "statistics", "statistic"), ("permissions", "permissions", "permissions", "permission"),
        ("tags", "tags", "tags", "tag"), ("snapshots", "snapshots", "snapshots", "snapshot"),
        ("graphicsconsoles", "graphics_consoles", "graphics_consoles", "graphics_console"),
        ("cdroms", "cdroms", "cdroms", "cdrom"), ("watchdogs", "watchdogs", "watchdogs", "watchdog"),
        ("numanodes", "numa_nodes", "vm_numa_nodes", "vm_numa_node"),
        ("hostdevices", "host_devices", "host_devices", "host_device"),
    ],
    "nic": [
        ("reporteddevices", "reported_devices", "reported_devices", "reported_device"),
        ("networkfilterparameters", "network_filter_parameters", "network_filter_parameters", "network_filter_parameter"),
        ("statistics", "statistics", "statistics", "statistic"),
    ],
    "job": [("steps", "steps", "steps", "step")],
    "template": [("nics", "nics", "nics", "nic"), ("permissions", "permissions", "permissions", "permission")],
    "user": [("permissions", "permissions", "permissions", "permission"), ("roles", "roles", "roles", "role")],
}

ACTIONS = {
    "cluster": ["resetemulatedmachine", "syncallnetworks", "upgrade"],
    "host": ["activate", "deactivate", "fence", "refresh", "setupnetworks", "syncallnetworks", "install", "upgrade"],
    "vm": ["start", "stop", "shutdown", "migrate", "cancelmigration", "reboot", "suspend"],
    "job": ["clear", "end"],
}


def version_obj(tag: str, v, full: bool = False) -> Obj:
    o = Obj(tag)
    if full:
        o.add("build", v.build).add("full_version", v.full)
    o.add("major", v.major).add("minor", v.minor)
    if full:
        o.add("revision", v.revision)
    return o


class InfraViews:
    """Renders inventory entities; `rhv` is the facade (inventory, migrations, audit)."""

    def __init__(self, rhv, base: str = "/ovirt-engine/api"):
        self.rhv = rhv
        self.inv = rhv.inventory
        self.base = base

    # --- helpers -----------------------------------------------------------------------------------
    def href(self, *parts: str) -> str:
        return "/".join([self.base, *parts])

    def entity(self, tag: str, href: str, entity_id: str, kind: str | None = None) -> Obj:
        o = Obj(tag, {"href": href, "id": entity_id})
        verbs = ACTIONS.get(kind or tag)
        if verbs:
            o.add("actions", Obj("actions", fields=[("link", [link(f"{href}/{v}", v) for v in verbs])]))
        return o

    def links(self, o: Obj, kind: str, href: str) -> None:
        o.add("link", [link(f"{href}/{rel}", rel) for rel, *_ in LINKS[kind]])

    def ref(self, tag: str, collection_path: str, entity_id: str | None) -> Obj | None:
        return ref(tag, self.href(collection_path, entity_id), entity_id) if entity_id else None

    # --- data centers and clusters -----------------------------------------------------------------
    def data_center(self, dc: DataCenter) -> Obj:
        href = self.href("datacenters", dc.id)
        o = self.entity("data_center", href, dc.id)
        o.add("name", dc.name).add("description", dc.description)
        self.links(o, "data_center", href)
        o.add("local", dc.local).add("quota_mode", "disabled").add("status", dc.status)
        o.add("storage_format", dc.storage_format)
        o.add("supported_versions", Obj("supported_versions", fields=[("version", [version_obj("version", dc.version)])]))
        o.add("version", version_obj("version", dc.version))
        o.add("mac_pool", self.ref("mac_pool", "macpools", dc.mac_pool_id))
        return o

    def cluster(self, cluster: Cluster) -> Obj:
        href = self.href("clusters", cluster.id)
        o = self.entity("cluster", href, cluster.id)
        o.add("name", cluster.name).add("description", cluster.description).add("comment", "")
        self.links(o, "cluster", href)
        o.add("ballooning_enabled", False)
        o.add("cpu", Obj("cpu").add("architecture", cluster.architecture).add("type", cluster.cpu_type))
        o.add("error_handling", Obj("error_handling").add("on_error", "migrate"))
        o.add("firewall_type", "firewalld").add("gluster_service", False).add("ha_reservation", False)
        o.add("migration", Obj("migration").add("auto_converge", "inherit").add("compressed", "inherit"))
        o.add("switch_type", cluster.switch_type).add("threads_as_cores", False).add("trusted_service", False)
        o.add("tunnel_migration", False).add("version", version_obj("version", cluster.version)).add("virt_service", True)
        o.add("data_center", self.ref("data_center", "datacenters", cluster.data_center_id))
        mgmt = self.inv.management_network(cluster.id)
        o.add("management_network", self.ref("management_network", "networks", mgmt.id if mgmt else None))
        o.add("scheduling_policy", self.ref("scheduling_policy", "schedulingpolicies", "b4ed2332-a7ac-4d5f-9596-99a439cb2812"))
        return o

    # --- hosts ---------------------------------------------------------------------------------------
    def host(self, host: Host) -> Obj:
        href = self.href("hosts", host.id)
        o = self.entity("host", href, host.id)
        o.add("name", host.name).add("comment", "")
        self.links(o, "host", href)
        o.add("address", host.address).add("auto_numa_status", "disable")
        o.add("certificate", Obj("certificate").add("organization", "example.com")
              .add("subject", f"O=example.com,CN={host.address}"))
        topology = Obj("topology").add("cores", host.cores).add("sockets", host.sockets).add("threads", host.threads)
        o.add("cpu", Obj("cpu").add("name", host.cpu_name).add("speed", host.cpu_speed).add("topology", topology)
              .add("type", host.cpu_type))
        o.add("external_status", "ok")
        o.add("hardware_information", Obj("hardware_information").add("family", "Red Hat Enterprise Linux")
              .add("manufacturer", "Red Hat").add("product_name", "RHEV Hypervisor")
              .add("serial_number", host.serial).add("uuid", host.uuid).add("version", "8.6-1.el8"))
        o.add("kdump_status", "disabled").add("ksm", Obj("ksm").add("enabled", False))
        o.add("max_scheduling_memory", host.memory - 4 * 1024**3).add("memory", host.memory)
        o.add("numa_supported", False)
        o.add("os", Obj("os").add("type", "RHEL").add("version", Obj("version").add("full_version", "8.6 - 1.el8")
                                                       .add("major", 8).add("minor", 6)))
        o.add("port", 54321).add("power_management", Obj("power_management").add("enabled", False))
        o.add("protocol", "stomp").add("se_linux", Obj("se_linux").add("mode", "enforcing"))
        o.add("spm", Obj("spm").add("priority", 5).add("status", "spm" if host.spm else "none"))
        o.add("ssh", Obj("ssh").add("port", 22)).add("status", host.status)
        running = self.inv.vms_on(host.id)
        migrating = self.rhv.lifecycle.migrating_count(host.id)
        o.add("summary", Obj("summary").add("active", len(running)).add("migrating", migrating).add("total", len(running)))
        o.add("type", "rhel").add("update_available", False).add("version", version_obj("version", host.vdsm, full=True))
        o.add("cluster", self.ref("cluster", "clusters", host.cluster_id))
        return o

    def host_nic(self, host: Host, nic: HostNic) -> Obj:
        href = self.href("hosts", host.id, "nics", nic.id)
        o = Obj("host_nic", {"href": href, "id": nic.id})
        o.add("actions", Obj("actions"))
        o.add("name", nic.name)
        self.links(o, "host_nic", href)
        o.add("boot_protocol", nic.boot_protocol).add("bridged", nic.network_id is not None)
        o.add("custom_configuration", False)
        if nic.ip:
            o.add("ip", Obj("ip").add("address", nic.ip).add("gateway", nic.gateway or None)
                  .add("netmask", nic.netmask or None).add("version", "v4"))
        o.add("mac", Obj("mac").add("address", nic.mac)).add("mtu", nic.mtu).add("speed", nic.speed)
        o.add("status", nic.status)
        o.add("host", self.ref("host", "hosts", host.id))
        o.add("network", self.ref("network", "networks", nic.network_id))
        return o

    def lldp_elements(self, nic: HostNic) -> list[Obj]:
        """What the NIC hears from the leaf it is cabled to (an ACI leaf's LLDP TLVs)."""
        if nic.uplink is None:
            return []
        up = nic.uplink

        def element(name: str, tlv: int, props: list[tuple[str, str]]) -> Obj:
            properties = Obj("properties", fields=[("property", [Obj("property").add("name", k).add("value", v)
                                                                   for k, v in props])])
            return Obj("link_layer_discovery_protocol_element").add("name", name).add("properties", properties) \
                .add("type", tlv)

        return [
            element("Chassis ID", 1, [("chassis ID", f"00:3a:9c:{up.pod:02x}:{up.leaf // 256:02x}:{up.leaf % 256:02x}"),
                                      ("chassis ID subtype", "MAC")]),
            element("Port ID", 2, [("port ID", up.port), ("port ID subtype", "Ifname")]),
            element("Time to Live", 3, [("time to live", "120")]),
            element("Port Description", 4, [("port description", up.path)]),
            element("System Name", 5, [("system name", up.leaf_name)]),
            element("System Description", 6, [("system description", "Cisco Nexus Operating System (NX-OS) Software")]),
        ]

    def network_attachments(self, host: Host) -> list[Obj]:
        out = []
        for nic in host.nics:
            if nic.network_id is None:
                continue
            att_id = stable_id("attachment", f"{host.id}/{nic.id}")
            o = Obj("network_attachment", {"href": self.href("hosts", host.id, "networkattachments", att_id), "id": att_id})
            o.add("in_sync", True)
            o.add("host", self.ref("host", "hosts", host.id))
            o.add("host_nic", ref("host_nic", self.href("hosts", host.id, "nics", nic.id), nic.id))
            o.add("network", self.ref("network", "networks", nic.network_id))
            out.append(o)
        return out

    # --- networks and profiles -----------------------------------------------------------------------
    def network(self, network: Network, cluster_id: str | None = None) -> Obj:
        if cluster_id:
            href = self.href("clusters", cluster_id, "networks", network.id)
        else:
            href = self.href("networks", network.id)
        o = Obj("network", {"href": href, "id": network.id})
        o.add("name", network.name).add("description", network.description).add("comment", network.comment)
        self.links(o, "network", self.href("networks", network.id))
        o.add("mtu", network.mtu).add("port_isolation", network.port_isolation).add("stp", network.stp)
        usages = network.usages()
        if cluster_id:
            att = network.clusters[cluster_id]
            roles = [(att.management, "management"), (att.display, "display"), (att.migration, "migration"),
                     (att.default_route, "default_route")]
            usages = usages + [name for on, name in roles if on]
            o.add("display", att.display).add("required", att.required).add("status", "operational")
        o.add("usages", Obj("usages", fields=[("usage", usages)] if usages else []))
        o.add("vdsm_name", network.vdsm_name)
        if network.vlan is not None:
            o.add("vlan", Obj("vlan", {"id": network.vlan}))
        if cluster_id:
            o.add("cluster", self.ref("cluster", "clusters", cluster_id))
        o.add("data_center", self.ref("data_center", "datacenters", network.data_center_id))
        return o

    def network_label(self, network: Network, label: str) -> Obj:
        o = Obj("network_label", {"href": self.href("networks", network.id, "networklabels", label), "id": label})
        return o.add("network", self.ref("network", "networks", network.id))

    def vnic_profile(self, profile: VnicProfile) -> Obj:
        href = self.href("vnicprofiles", profile.id)
        o = Obj("vnic_profile", {"href": href, "id": profile.id})
        o.add("name", profile.name).add("description", profile.description or None)
        self.links(o, "vnic_profile", href)
        if profile.pass_through == "enabled":
            o.add("migratable", profile.migratable)
        o.add("pass_through", Obj("pass_through").add("mode", profile.pass_through))
        o.add("port_mirroring", profile.port_mirroring)
        o.add("network", self.ref("network", "networks", profile.network_id))
        o.add("network_filter", self.ref("network_filter", "networkfilters", profile.network_filter_id))
        return o

    def network_filter(self, nf: NetworkFilter, cluster_id: str | None = None) -> Obj:
        """A filter's version parts it does not have are -1, as the engine's VersionMapper writes them."""
        parts = ("clusters", cluster_id, "networkfilters", nf.id) if cluster_id else ("networkfilters", nf.id)
        o = Obj("network_filter", {"href": self.href(*parts), "id": nf.id})
        o.add("name", nf.name)
        return o.add("version", Obj("version").add("build", -1).add("major", nf.major).add("minor", nf.minor)
                     .add("revision", -1))

    # --- the API root ----------------------------------------------------------------------------------
    ROOT_COLLECTIONS = ("clusters", "datacenters", "events", "hosts", "jobs", "networkfilters", "networks", "vms",
                        "vnicprofiles",
                        "storagedomains", "templates", "users", "tags")
    SEARCHABLE = ("clusters", "datacenters", "events", "hosts", "networks", "templates", "users", "vms")

    def api(self, user_id: str) -> Obj:
        cfg = self.rhv.config
        o = Obj("api")
        links = [link(self.href(c), c) for c in self.ROOT_COLLECTIONS]
        links += [link(self.href(c) + "?search={query}", f"{c}/search") for c in self.SEARCHABLE]
        o.add("link", links)
        o.add("engine_backup", Obj("engine_backup"))
        version = Obj("version").add("build", cfg.version.build).add("full_version", cfg.version.full) \
            .add("major", cfg.version.major).add("minor", cfg.version.minor).add("revision", cfg.version.revision)
        o.add("product_info", Obj("product_info").add("instance_id", self.rhv.instance_id).add("name", cfg.product_name)
              .add("vendor", cfg.vendor).add("version", version))
        blank = "00000000-0000-0000-0000-000000000000"
        o.add("special_objects", Obj("special_objects").add("blank_template", self.ref("blank_template", "templates", blank))
              .add("root_tag", self.ref("root_tag", "tags", blank)))
        hosts = list(self.inv.hosts.values())
        vms = list(self.inv.vms.values())

        def counts(tag: str, active: int, total: int) -> Obj:
            return Obj(tag).add("active", active).add("total", total)

        summary = Obj("summary")
        summary.add("hosts", counts("hosts", sum(h.status == "up" for h in hosts), len(hosts)))
        summary.add("storage_domains", counts("storage_domains", 0, 0))
        summary.add("users", counts("users", len(self.rhv.sso.sessions), len(self.rhv.sso.users)))
        summary.add("vms", counts("vms", sum(v.running for v in vms), len(vms)))
        o.add("summary", summary)
        o.add("time", Time(self.rhv.clock.now()))
        o.add("authenticated_user", self.ref("authenticated_user", "users", user_id))
        o.add("effective_user", self.ref("effective_user", "users", user_id))
        return o

    def empty(self, kind: str, rel: str) -> Obj | None:
        """The (empty) collection behind a link this simulator shows but does not populate."""
        for r, _attr, tag, item in LINKS.get(kind, []):
            if r == rel:
                return collection(tag, item, [])
        return None
