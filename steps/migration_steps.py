"""Step definitions for endpoints and live migration: VMs are driven with ovirtsdk4 (NICs hot-plugged on an
EPG's vNIC profile, migrations, host maintenance) and the endpoints read from the APIC over REST (class
queries on fvCEp and fvIp, the endpoint's relations, the endpoint tracker at /mqapi2).

"The ports facing a host" are the path DNs its NICs hear over LLDP (ovirtsdk4's LLDP elements), so the
leaf a VM's endpoint names is checked against the cabling as the host itself sees it. Waiting for a job,
a host or the APIC lets the lab clock move on in the simulator and waits on real gear (`eventually`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from ovirtsdk4 import types
from pytest_bdd import given, parsers, then, when

from steps.rhv_vmm_steps import step_re
from steps.support.apic import mo_entry
from steps.support.rhv import named, status_of
from steps.support.sim import LAB_STEP_SECONDS, SimControl, eventually
from steps.support.tables import table_rows
from steps.support.vmm import (
    domain_dn,
    epg_dn,
    inventory_dn,
    lldp_tlvs,
    ports_facing,
)

JOB_STEP_SECONDS = 5  # lab time per look at a job or a host (a lab migration takes seconds)


@dataclass
class Endpoints:
    """One scenario's endpoints: the EPG's NICs by VM (MACs), the tracker rows each endpoint had when the
    scenario's own moves began, the endpoint last looked up, and the moves to undo."""

    vmm: object  # rhv_vmm_steps.VmmConversation
    epg: str = ""
    macs: dict[str, list[str]] = field(default_factory=dict)  # VM -> MACs of its NICs on the EPG
    tracker_before: dict[str, set[str]] = field(default_factory=dict)  # fvCEp dn -> row dns
    found: list[dict[str, str]] = field(default_factory=list)
    homes: dict[str, tuple[str, str]] = field(default_factory=dict)  # VM -> (host, cluster) before a cross move
    profiles_to_restore: set[tuple[str, str]] = field(default_factory=set)  # (VM, NIC) moved onto the EPG
    ports: dict[str, set[str]] = field(default_factory=dict)  # host -> ports facing it

    @property
    def rhv(self):
        return self.vmm.rhv

    def facing(self, host: str) -> set[str]:
        if host not in self.ports:
            self.ports[host] = ports_facing(self.rhv.client, host)
        return self.ports[host]

    def endpoint(self, mac: str) -> dict[str, str]:
        """The fvCEp of a MAC (a class query, as an engineer looks one up); exactly one."""
        found = self.vmm.class_query("fvCEp", f'eq(fvCEp.mac,"{mac.upper()}")')
        assert len(found) == 1, f"{len(found)} endpoints with the MAC {mac.upper()}: {[e['dn'] for e in found]}"
        return found[0]

    def endpoint_of(self, vm: str) -> dict[str, str]:
        (mac,) = self.macs[vm]
        return self.endpoint(mac)

    def paths(self, cep_dn: str) -> set[str]:
        return {rel["tDn"] for rel in self.vmm.children(cep_dn, "fvRsCEpToPathEp")}

    def tracker(self, cep_dn: str) -> list[dict[str, str]]:
        """The endpoint tracker's rows of one endpoint, oldest first."""
        rows = [mo_entry(entry)[1]["attributes"]
                for entry in self.vmm.imdata("/mqapi2/troubleshoot.eptracker.json", ep=cep_dn)]
        return sorted(rows, key=lambda row: (row.get("date", ""), int(row.get("id") or 0)))

    def new_moves(self, cep_dn: str) -> list[dict[str, str]]:
        before = self.tracker_before.get(cep_dn, set())
        return [row for row in self.tracker(cep_dn) if row["dn"] not in before]

    def clean_up(self) -> None:
        """Undo what rhv_steps cannot: cross-cluster moves and NICs moved onto the EPG's profile."""
        rhv = self.rhv
        vms = rhv.system.vms_service()
        for vm_name, (host, cluster) in sorted(self.homes.items()):
            vm = rhv.client.vm(vm_name)
            if vm.host is not None and rhv.client.host_name(vm.host.id) != host:
                vms.vm_service(vm.id).migrate(host=types.Host(id=rhv.client.host(host).id),
                                              cluster=types.Cluster(id=rhv.client.cluster(cluster).id))
                eventually(rhv.client.target, lambda vm_name=vm_name, host=host: _runs_on(rhv, vm_name, host),
                           lab_step=JOB_STEP_SECONDS)
        for vm_name, nic_name in sorted(self.profiles_to_restore):
            nics = rhv.client.vm_nics(vm_name)
            nic = named(nics.list(), nic_name, "NIC")
            nics.nic_service(nic.id).update(types.Nic(vnic_profile=types.VnicProfile()))


@pytest.fixture
def endpoints(vmm):
    tracked = Endpoints(vmm)
    yield tracked
    tracked.clean_up()


def _runs_on(rhv, vm: str, host: str) -> None:
    found = rhv.client.vm(vm)
    assert status_of(found) == "up", f"{vm} is {status_of(found)}"
    assert found.host is not None and rhv.client.host_name(found.host.id) == host, f"{vm} is not on {host}"


def _host_of(rhv, vm: str) -> str:
    found = rhv.client.vm(vm)
    assert found.host is not None, f"{vm} runs on no host"
    return rhv.client.host_name(found.host.id)


def _epg_profile(vmm, epg: str) -> types.VnicProfile:
    network = vmm.rhv.client.network_named(vmm.network_name(epg))
    profiles = vmm.rhv.system.networks_service().network_service(network.id).vnic_profiles_service().list()
    return named(profiles, network.name, "vNIC profile")


# ---------------------------------------------------------------------------------------------- given


@given(step_re("these VMs have a NIC on the vNIC profile of the EPG {}:", "epg"))
def vms_with_nics(endpoints, epg, datatable):
    endpoints.epg = epg
    profile = _epg_profile(endpoints.vmm, epg)
    for row in table_rows(datatable):
        added = endpoints.vmm.add_nic(row["vm"], row["nic"], profile.id)
        endpoints.macs.setdefault(row["vm"], []).append(added.mac.address)


@given(step_re("the EPG {} has an endpoint for each of those NICs", "epg"))
def endpoint_per_nic(endpoints, epg):
    def check():
        found = {vm: [endpoints.endpoint(mac) for mac in macs] for vm, macs in endpoints.macs.items()}
        for vm, ceps in found.items():
            for cep in ceps:
                assert cep["dn"].startswith(epg_dn(epg) + "/"), f"{vm}: {cep['dn']}"
        return found
    found = endpoints.vmm.eventually(check)
    for ceps in found.values():
        for cep in ceps:
            endpoints.tracker_before[cep["dn"]] = {row["dn"] for row in endpoints.tracker(cep["dn"])}


@given(step_re("the NIC {} of the VM {} is moved onto the vNIC profile of the EPG {}", "nic", "vm", "epg"))
def nic_onto_epg(endpoints, nic, vm, epg):
    profile = _epg_profile(endpoints.vmm, epg)
    nics = endpoints.rhv.client.vm_nics(vm)
    found = named(nics.list(), nic, "NIC")
    nics.nic_service(found.id).update(types.Nic(vnic_profile=types.VnicProfile(id=profile.id)))
    endpoints.profiles_to_restore.add((vm, nic))
    endpoints.macs[vm] = [found.mac.address]


@given(step_re("the next migration of the VM {} fails with {}", "vm", "error"))
def migration_will_fail(endpoints, vm, error):
    SimControl(endpoints.rhv.client.target).fail_next_migration(vm, error)


# ----------------------------------------------------------------------------------------------- when


@when(parsers.re(r"I look up the endpoint of the VM " + '"(?P<vm>[^"]+)"' + r" by its (?P<key>name|MAC)"))
def look_up(endpoints, vm, key):
    if key == "name":
        endpoints.found = endpoints.vmm.class_query("fvCEp", f'eq(fvCEp.contName,"{vm}")')
    else:
        (mac,) = endpoints.macs[vm]
        endpoints.found = endpoints.vmm.class_query("fvCEp", f'eq(fvCEp.mac,"{mac.upper()}")')


@when(step_re("I look up the endpoint by the IP address the guest of the VM {} reports on its NIC {}", "vm", "nic"))
def look_up_by_ip(endpoints, vm, nic):
    nics = endpoints.rhv.client.vm_nics(vm)
    found = named(nics.list(), nic, "NIC")
    devices = nics.nic_service(found.id).reported_devices_service().list()
    addresses = [ip.address for device in devices for ip in device.ips or [] if ip.version == types.IpVersion.V4]
    assert addresses, f"the guest of {vm} reports no IPv4 address on {nic}"

    def check():
        ips = endpoints.vmm.class_query("fvIp", f'eq(fvIp.addr,"{addresses[0]}")')
        assert ips, f"no fvIp {addresses[0]}"
        return ips
    ips = endpoints.vmm.eventually(check)
    endpoints.found = [endpoints.vmm.attributes(ip["dn"].rsplit("/ip-[", 1)[0]) for ip in ips]


@when(step_re("I migrate the VM {} to the host {}, into the cluster {}", "vm", "host", "cluster"))
def migrate_into_cluster(endpoints, vm, host, cluster):
    rhv = endpoints.rhv
    found = rhv.client.vm(vm)
    endpoints.homes.setdefault(vm, (_host_of(rhv, vm), rhv.system.clusters_service().cluster_service(
        found.cluster.id).get().name))
    rhv.events_from = rhv.client.last_event_id()
    rhv.jobs_before = rhv.client.job_ids()
    rhv.attempt(lambda: rhv.system.vms_service().vm_service(found.id).migrate(
        host=types.Host(id=rhv.client.host(host).id), cluster=types.Cluster(id=rhv.client.cluster(cluster).id)))


def _migration_job(rhv) -> types.Job:
    new = [job for job in rhv.system.jobs_service().list()
           if job.id not in rhv.jobs_before and job.description.startswith("Migrating VM")]
    assert len(new) == 1, f"{len(new)} migration jobs since the migration: {[j.description for j in new]}"
    return new[0]


@when("the migration's job ends")
def migration_ends(endpoints):
    rhv = endpoints.rhv
    rhv.accepted()

    def ended():
        job = _migration_job(rhv)
        assert status_of(job) != "started", f"{job.description} is still {status_of(job)}"
    eventually(rhv.client.target, ended, lab_step=JOB_STEP_SECONDS)


@when(step_re("I put the host {} into maintenance", "host"))
def into_maintenance(endpoints, host):
    rhv = endpoints.rhv
    found = rhv.client.host(host)
    for vm in rhv.system.vms_service().list(search=f"host={host}"):
        rhv.vm_homes.setdefault(vm.name, host)
    rhv.hosts_to_activate.add(host)
    rhv.system.hosts_service().host_service(found.id).deactivate()


@when(step_re("the host {} reaches maintenance", "host"))
def reaches_maintenance(endpoints, host):
    def check():
        assert status_of(endpoints.rhv.client.host(host)) == "maintenance", status_of(endpoints.rhv.client.host(host))
    eventually(endpoints.rhv.client.target, check, lab_step=JOB_STEP_SECONDS)


# ----------------------------------------------------------------------------------------------- then


@then(step_re("the host NICs hear these leaves over LLDP:"))
def hosts_hear_leaves(endpoints, datatable):
    rhv = endpoints.rhv
    for row in table_rows(datatable):
        nics = rhv.system.hosts_service().host_service(rhv.client.host(row["host"]).id).nics_service()
        heard = lldp_tlvs(nics.nic_service(named(nics.list(), row["nic"], "host NIC").id))
        expected = {"System Name": row["system name"], "Port ID": row["port id"],
                    "Port Description": row["port description"]}
        assert {tlv: heard.get(tlv) for tlv in expected} == expected, f"{row['host']} {row['nic']}: {heard}"


@then(step_re("the controller {} of the domain {} records for every host the leaf ports its NICs hear over LLDP",
              "controller", "domain"))
def adjacencies(endpoints, controller, domain):
    for hv in endpoints.vmm.children(inventory_dn(domain, controller), "compHv"):
        recorded = {adj["portDesc"] for adj in endpoints.vmm.children(hv["dn"], "hvsAdj")}
        assert recorded == endpoints.facing(hv["name"]), f"{hv['name']}: {sorted(recorded)}"


@then(step_re("I find one endpoint, under the EPG {}, learned from the VMM domain with the EPG's VLAN", "epg"))
def found_one(endpoints, epg):
    assert len(endpoints.found) == 1, [cep and cep.get("dn") for cep in endpoints.found]
    (cep,) = endpoints.found
    assert cep is not None and cep["dn"].startswith(epg_dn(epg) + "/cep-"), cep
    assert "vmm" in cep["lcC"].split(","), cep
    assert cep["encap"] == endpoints.vmm.eppd(epg)["encap"], cep


@then(step_re("it names the VM {}, the host {} and the controller {}", "vm", "host", "controller"))
def names_vm_host_controller(endpoints, vm, host, controller):
    (cep,) = endpoints.found
    assert (cep["contName"], cep["hostingServer"], cep["reportingControllerName"]) == (vm, host, controller), cep


def _hv_dn(endpoints, domain: str, controller: str, host: str) -> str:
    hvs = endpoints.vmm.children(inventory_dn(domain, controller), "compHv")
    return named_hv(hvs, host)["dn"]


def named_hv(hvs: list[dict[str, str]], host: str) -> dict[str, str]:
    found = [hv for hv in hvs if hv["name"] == host]
    assert len(found) == 1, f"compHv {host}: {len(found)} among {sorted(hv['name'] for hv in hvs)}"
    return found[0]


@then(step_re("its hypervisor relation points at the host {} in the inventory of the controller {} of the "
              "domain {}", "host", "controller", "domain"))
def hypervisor_relation(endpoints, host, controller, domain):
    (cep,) = endpoints.found
    relations = {rel["tDn"] for rel in endpoints.vmm.children(cep["dn"], "fvRsHyper")}
    assert relations == {_hv_dn(endpoints, domain, controller, host)}, relations


@then(step_re("its leaf paths are the ports facing the host {}", "host"))
def leaf_paths(endpoints, host):
    (cep,) = endpoints.found
    assert endpoints.paths(cep["dn"]) == endpoints.facing(host)


def _follows(endpoints, vm: str, host: str) -> None:
    vmm = endpoints.vmm
    domain = vmm.associations[endpoints.epg]
    controller = vmm.domains[domain].controller
    hv = _hv_dn(endpoints, domain, controller, host)

    def check():
        cep = endpoints.endpoint_of(vm)
        assert cep["hostingServer"] == host, f"{vm}'s endpoint names the host {cep['hostingServer']!r}"
        relations = {rel["tDn"] for rel in vmm.children(cep["dn"], "fvRsHyper")}
        assert relations == {hv}, f"{vm}'s endpoint: fvRsHyper {sorted(relations)}"
        assert endpoints.paths(cep["dn"]) == endpoints.facing(host), f"{vm}: paths {endpoints.paths(cep['dn'])}"
    vmm.eventually(check)


@then(step_re("the endpoint of the VM {} follows it to the host {}", "vm", "host"))
def endpoint_follows(endpoints, vm, host):
    _follows(endpoints, vm, host)


@then(step_re("the endpoint of the VM {} follows it to the host it runs on now", "vm"))
def endpoint_follows_anywhere(endpoints, vm):
    _follows(endpoints, vm, _host_of(endpoints.rhv, vm))


@then(parsers.re("(?P<after>after the controller's next look at the RHV Manager )?the endpoint of the VM "
                 '"(?P<vm>[^"]+)" is still on the host "(?P<host>[^"]+)"'))
def endpoint_stays(endpoints, after, vm, host):
    if after and endpoints.rhv.client.target.simulated:
        SimControl(endpoints.rhv.client.target).advance_clock(LAB_STEP_SECONDS)
    cep = endpoints.endpoint_of(vm)
    assert cep["hostingServer"] == host, cep
    assert endpoints.paths(cep["dn"]) == endpoints.facing(host)


@when("I trigger an inventory sync of the controller")
def trigger_inventory_sync(endpoints):
    """The GUI's "trigger inventory sync": inventoryTrigSt=triggered on every controller of the EPG's
    domains; the APIC reads the engine at once (whatever the lab clock does) and says untriggered again."""
    vmm = endpoints.vmm
    for name in sorted(set(vmm.associations.values())):
        domain = vmm.domains[name]
        ctrlr = f"{domain_dn(name)}/ctrlr-{domain.controller}"
        vmm.post_ok(ctrlr, {"vmmCtrlrP": {"attributes": {"inventoryTrigSt": "triggered"}}})

        def synced(ctrlr: str = ctrlr) -> None:
            (mo,) = vmm.imdata(f"/api/mo/{ctrlr}.json")
            assert mo_entry(mo)[1]["attributes"]["inventoryTrigSt"] == "untriggered", mo

        eventually(vmm.rhv.client.target, synced, lab_step=0)


def _moves(rows: list[dict[str, str]], sizes: list[int]) -> list[set[tuple[str, str]]]:
    """The tracker's rows (oldest first) cut into moves of the expected sizes: the rows of one move come
    from one transaction, so their order within it says nothing."""
    pairs = [(row["action"], row["path"]) for row in rows]
    moves, at = [], 0
    for size in sizes:
        moves.append(set(pairs[at:at + size]))
        at += size
    return moves + ([set(pairs[at:])] if pairs[at:] else [])


def _expected_moves(endpoints, rows: list[tuple[str, str]]) -> list[set[tuple[str, str]]]:
    """(action, host) rows as moves of (action, path): a move detaches from the ports facing one host
    and attaches to the ports facing the next; a `detached` after an `attached` begins the next move."""
    moves: list[set[tuple[str, str]]] = []
    previous = ""
    for action, host in rows:
        if not moves or (action == "detached" and previous == "attached"):
            moves.append(set())
        moves[-1] |= {(action, path) for path in endpoints.facing(host)}
        previous = action
    return moves


def _moves_are(endpoints, vm: str, expected: list[tuple[str, str]]) -> None:
    want = _expected_moves(endpoints, expected)

    def check():
        cep = endpoints.endpoint_of(vm)
        rows = endpoints.new_moves(cep["dn"])
        told = [(row.get("id"), row.get("date"), row["action"], row["path"]) for row in rows]
        assert _moves(rows, [len(move) for move in want]) == want, f"tracker rows of {cep['dn']} since the scenario began (id, date, action, path): {told}"
    endpoints.vmm.eventually(check)


@then(step_re("the endpoint tracker shows the endpoint of the VM {} detached from the ports facing {} and "
              "attached to the ports facing {}", "vm", "source", "destination"))
def tracker_one_move(endpoints, vm, source, destination):
    _moves_are(endpoints, vm, [("detached", source), ("attached", destination)])


@then(step_re("the endpoint tracker of the VM {} ends with these moves, oldest first:", "vm"))
def tracker_moves(endpoints, vm, datatable):
    _moves_are(endpoints, vm, [(row["action"], row["ports facing"]) for row in table_rows(datatable)])


@then(step_re("the endpoint tracker shows no move of the endpoint of the VM {} since the migration began", "vm"))
def tracker_no_move(endpoints, vm):
    cep = endpoints.endpoint_of(vm)
    assert endpoints.new_moves(cep["dn"]) == []


@then(parsers.re(r"the migration's job has (?P<status>finished|failed)"))
def migration_job_status(endpoints, status):
    job = _migration_job(endpoints.rhv)
    assert status_of(job) == status, f"{job.description}: {status_of(job)}"


@then(step_re("no VM runs on the host {}", "host"))
def no_vm_on(endpoints, host):
    host_id = endpoints.rhv.client.host(host).id
    left = [vm.name for vm in endpoints.rhv.system.vms_service().list() if vm.host is not None and vm.host.id == host_id]
    assert not left, f"{host} still runs {left}"


@then(step_re("no endpoint of the EPG {} is on the ports facing {}", "epg", "host"))
def no_endpoint_on(endpoints, epg, host):
    facing = endpoints.facing(host)
    on = [rel["dn"] for rel in endpoints.vmm.subtree_of_class(epg_dn(epg), "fvRsCEpToPathEp") if rel["tDn"] in facing]
    assert not on, on
