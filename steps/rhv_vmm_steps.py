"""Step definitions for the Red Hat VMM domain: its configuration posted to the APIC over REST (or by
Ansible's cisco.aci), what the APIC shows over REST, and what the RHV Manager shows through ovirtsdk4.

The `vmm` fixture joins the APIC conversation of apic_steps and the RHV one of rhv_steps; afterwards it
deletes the tenants (their associations) and the domains it made, before rhv_steps puts RHV back
(moves VMs home, removes the NICs and the logical networks that are left).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from ovirtsdk4 import types
from pytest_bdd import given, parsers, then, when

from steps.support.ansible import PlaybookRun, run_playbook
from steps.support.apic import ApicSession, describe, mo_entry
from steps.support.rhv import named
from steps.support.sim import eventually
from steps.support.vmm import (
    RedhatDomain,
    aep_dn,
    dom_att_body,
    dom_att_dn,
    domain_dn,
    epg_dn,
    eppd_dn,
    inventory_dn,
    pool_dn,
    tenant_body,
    vlan_number,
)

Q = r'"(?P<{}>[^"]+)"'  # one quoted step argument
QUOTED_LIST = r'(?P<{}>"[^"]+"(?:(?:, | and )"[^"]+")*)'  # "a", "b" and "c"


def step_re(text: str, *names: str):
    """A regex step parser: `{}` in `text` stands for the next quoted argument in `names`."""
    return parsers.re(text.format(*(Q.format(name) for name in names)))


def quoted(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


@dataclass
class VmmConversation:
    """One scenario's Red Hat VMM work: the APIC and RHV conversations, what it created on the APIC, the
    domain each EPG is associated with, and what it saw (faults, playbook runs) for later steps."""

    apic: object  # apic_steps.ApicConversation
    rhv: object  # rhv_steps.RhvConversation
    workdir: Path
    domains: dict[str, RedhatDomain] = field(default_factory=dict)
    to_remove: set[str] = field(default_factory=set)  # domain names
    tenants: set[str] = field(default_factory=set)
    associations: dict[str, str] = field(default_factory=dict)  # EPG path -> domain name
    network_names: dict[str, str] = field(default_factory=dict)  # EPG path -> its logical network
    faults_before: dict[str, set[str]] = field(default_factory=dict)  # EPG path -> fault codes it had
    faults_raised: dict[str, set[str]] = field(default_factory=dict)  # EPG path -> codes raised since
    nics_added: set[tuple[str, str]] = field(default_factory=set)  # (VM, NIC) hot-plugged by the scenario
    playbook: PlaybookRun | None = None

    @property
    def session(self) -> ApicSession:
        return self.apic.session

    @property
    def apic_target(self):
        return self.apic.target

    @property
    def rhv_target(self):
        return self.rhv.client.target

    # --- the APIC over REST ---------------------------------------------------------------------------
    def imdata(self, path: str, **params: str) -> list[dict]:
        """An answer's imdata; a session the lab's moving clock let expire logs in again first."""
        answer = self.session.get(path, **params)
        if answer.status_code == 403:
            self.session.logged_in()
            answer = self.session.get(path, **params)
        assert answer.status_code == 200, describe(answer)
        return answer.json()["imdata"]

    def attributes(self, dn: str) -> dict[str, str] | None:
        found = self.imdata(f"/api/mo/{dn}.json")
        return mo_entry(found[0])[1]["attributes"] if found else None

    def children(self, dn: str, cls: str) -> list[dict[str, str]]:
        found = self.imdata(f"/api/mo/{dn}.json", **{"query-target": "children", "target-subtree-class": cls})
        return [mo_entry(entry)[1]["attributes"] for entry in found]

    def subtree_of_class(self, dn: str, cls: str) -> list[dict[str, str]]:
        found = self.imdata(f"/api/mo/{dn}.json", **{"query-target": "subtree", "target-subtree-class": cls})
        return [mo_entry(entry)[1]["attributes"] for entry in found]

    def class_query(self, cls: str, flt: str) -> list[dict[str, str]]:
        return [mo_entry(entry)[1]["attributes"]
                for entry in self.imdata(f"/api/class/{cls}.json", **{"query-target-filter": flt})]

    def post(self, dn: str, body: dict) -> None:
        self.apic.keep(self.session.post(f"/api/mo/{dn}.json", body))

    def post_ok(self, dn: str, body: dict) -> None:
        self.post(dn, body)
        assert self.apic.answer.status_code == 200, describe(self.apic.answer)

    def delete(self, dn: str) -> None:
        self.apic.keep(self.session.delete(f"/api/mo/{dn}.json"))

    def eventually(self, check):
        return eventually(self.apic_target, check)

    # --- what the APIC made ---------------------------------------------------------------------------
    def controller(self, domain: str, controller: str) -> dict[str, str]:
        found = self.attributes(inventory_dn(domain, controller))
        assert found is not None, f"no inventory {inventory_dn(domain, controller)}"
        return found

    def eppd(self, epg: str) -> dict[str, str]:
        """The vmmEpPD of an associated EPG (its VLAN and its logical network's name)."""
        domain = self.associations.get(epg)
        assert domain, f"the EPG {epg} was not associated with a domain in this scenario"
        found = self.attributes(eppd_dn(domain, epg))
        assert found is not None, f"the domain {domain} records nothing for the EPG {epg} ({eppd_dn(domain, epg)})"
        return found

    def network_name(self, epg: str) -> str:
        name = self.eppd(epg).get("name", "")
        assert name, f"the vmmEpPD of {epg} names no logical network"
        return name

    def fault_codes(self, dn: str) -> dict[str, dict[str, str]]:
        return {fault["code"]: fault for fault in self.children(dn, "faultInst")}

    def associate(self, epg: str, domain: str) -> None:
        self.associations[epg] = domain
        self.post(epg_dn(epg), dom_att_body(domain))

    def remember_network(self, epg: str, data_center: str) -> str:
        """The EPG's network name; rhv_steps removes what is left of it after the scenario."""
        name = self.network_names[epg] = self.network_name(epg)
        self.rhv.networks_to_remove.add((data_center, name))
        return name

    # --- putting things back --------------------------------------------------------------------------
    def remove_domain(self, name: str, session: ApicSession | None = None) -> None:
        """The domain, its AEP and (when this scenario made it) its VLAN pool."""
        made = self.domains.get(name)
        for dn in (domain_dn(name), aep_dn(name), *([pool_dn(made.pool)] if made else [])):
            (session or self.session).delete(f"/api/mo/{dn}.json")

    def add_nic(self, vm: str, nic: str, profile_id: str) -> types.Nic:
        """Hot-plug a NIC on a profile; rhv_steps removes it after the scenario, once `clean_up` unplugged it."""
        self.rhv.nics_to_remove.add((vm, nic))
        self.nics_added.add((vm, nic))
        return self.rhv.client.vm_nics(vm).add(types.Nic(name=nic, interface=types.NicInterface.VIRTIO,
                                                         vnic_profile=types.VnicProfile(id=profile_id)))

    def unplug_nics(self) -> None:
        """The engine removes no NIC plugged into a running VM: unplug the scenario's NICs first."""
        for vm, name in sorted(self.nics_added):
            nics = self.rhv.client.vm_nics(vm)
            for nic in nics.list():
                if nic.name == name and nic.plugged:
                    nics.nic_service(nic.id).deactivate()

    def clean_up(self) -> None:
        self.unplug_nics()
        cleaner = ApicSession(self.apic_target)  # a fresh login: the scenario's may have expired
        cleaner.logged_in()
        for tenant in sorted(self.tenants):
            cleaner.delete(f"/api/mo/uni/tn-{tenant}.json")
        for name in sorted(self.to_remove):
            self.remove_domain(name, cleaner)


@pytest.fixture
def vmm(apic, rhv, tmp_path):
    conversation = VmmConversation(apic, rhv, tmp_path)
    yield conversation
    conversation.clean_up()


def _dc_hosts(rhv, data_center: str) -> list[types.Host]:
    return rhv.system.hosts_service().list(search=f"datacenter={data_center}")


def _dc_vms(rhv, data_center: str) -> list[types.Vm]:
    return rhv.system.vms_service().list(search=f"datacenter={data_center}")


# ---------------------------------------------------------------------------------------------- given


@given(step_re("the APIC has no Red Hat VMM domain {}", "domain"))
def no_domain(vmm, domain):
    vmm.to_remove.add(domain)
    if vmm.attributes(domain_dn(domain)) is not None:  # left over from an interrupted run
        vmm.remove_domain(domain)
    assert vmm.attributes(domain_dn(domain)) is None, f"the domain {domain} is still there"


DOMAIN_STEP = (r"the Red Hat VMM domain {} with the VLAN pool {} from VLAN (?P<first>\d+) to (?P<last>\d+) "
               r"and the controller {}")


def _create_domain(vmm, domain, pool, first, last, controller, dc, password=None) -> RedhatDomain:
    made = RedhatDomain(domain, pool, int(first), int(last), controller, dc)
    vmm.domains[domain] = made
    vmm.to_remove.add(domain)
    target = vmm.rhv_target
    vmm.post("uni", made.body(target.url, target.user, target.password if password is None else password))
    return made


@when(parsers.re(
    "I create " + DOMAIN_STEP.format(Q.format("domain"), Q.format("pool"), Q.format("controller"))
    + " on the RHV Manager for the data center " + Q.format("dc") + "(?:, with the password " + Q.format("password")
    + ")?"))
def create_domain(vmm, domain, pool, first, last, controller, dc, password):
    _create_domain(vmm, domain, pool, first, last, controller, dc, password)
    assert vmm.apic.answer.status_code == 200, describe(vmm.apic.answer)


@given(step_re(DOMAIN_STEP + " online for the data center {}", "domain", "pool", "controller", "dc"))
def domain_online(vmm, domain, pool, first, last, controller, dc):
    _create_domain(vmm, domain, pool, first, last, controller, dc)
    assert vmm.apic.answer.status_code == 200, describe(vmm.apic.answer)
    controller_state(vmm, controller, domain, "online")


@given(step_re("the tenant {} with the application profile {} and the EPGs " + QUOTED_LIST.format("epgs"),
               "tenant", "ap"))
def tenant_with_epgs(vmm, tenant, ap, epgs):
    vmm.tenants.add(tenant)
    vmm.apic.tenants_to_remove.add(tenant)
    vmm.session.delete(f"/api/mo/uni/tn-{tenant}.json")  # left over from an interrupted run
    vmm.post_ok(f"uni/tn-{tenant}", tenant_body(tenant, ap, quoted(epgs)))


@given(step_re("the EPG {} is associated with the domain {} and its logical network is in the data center {}",
               "epg", "domain", "dc"))
def epg_associated(vmm, epg, domain, dc):
    vmm.associate(epg, domain)
    assert vmm.apic.answer.status_code == 200, describe(vmm.apic.answer)
    network_with_apic_vlan(vmm, dc, epg)


@given(step_re("the VM {} has a NIC {} on the vNIC profile of the EPG {}", "vm", "nic", "epg"))
def vm_nic_on_epg(vmm, vm, nic, epg):
    network = vmm.rhv.client.network_named(vmm.network_name(epg))
    profiles = vmm.rhv.system.networks_service().network_service(network.id).vnic_profiles_service().list()
    profile = named(profiles, network.name, "vNIC profile")
    vmm.faults_before[epg] = set(vmm.fault_codes(epg_dn(epg)))
    vmm.add_nic(vm, nic, profile.id)


# ----------------------------------------------------------------------------------------------- when


@when(step_re("I give the credential of the domain {} the RHV Manager's admin password", "domain"))
def fix_credential(vmm, domain):
    made = vmm.domains[domain]
    vmm.post_ok(f"{domain_dn(domain)}/usracc-{made.credential}",
                {"vmmUsrAccP": {"attributes": {"pwd": vmm.rhv_target.password}}})


@when(step_re("I unplug the NIC {} from the VM {} and remove it", "nic", "vm"))
def unplug_and_remove(vmm, nic, vm):
    nics = vmm.rhv.client.vm_nics(vm)
    service = nics.nic_service(named(nics.list(), nic, "NIC").id)
    service.deactivate()
    service.remove()


@when(step_re("I post the association of the EPG {} with the domain {}", "epg", "domain"))
def post_association(vmm, epg, domain):
    vmm.associate(epg, domain)


@when(step_re("I delete the association of the EPG {} with the domain {}", "epg", "domain"))
def delete_association(vmm, epg, domain):
    vmm.faults_before.setdefault(epg, set(vmm.fault_codes(epg_dn(epg))))
    vmm.delete(dom_att_dn(epg, domain))


@when(step_re("I run aci_epg_to_domain for the EPG {} and the Red Hat domain {}", "epg", "domain"))
def run_epg_to_domain(vmm, epg, domain):
    tenant, ap, name = epg.split("/")
    target = vmm.apic_target
    url = target.url.split("://", 1)[1]
    host, _, port = url.partition(":")
    vmm.associations[epg] = domain
    vmm.playbook = run_playbook(vmm.workdir, "epg_to_domain.yml", {
        "aci_host": host, "aci_port": int(port or 443), "aci_user": target.user, "aci_password": target.password,
        "tenant": tenant, "ap": ap, "epg": name, "domain": domain})


# ----------------------------------------------------------------------------------------------- then


@then(step_re("the controller {} of the domain {} becomes (?P<state>online|offline)", "controller", "domain"))
def controller_state(vmm, controller, domain, state):
    def check():
        found = vmm.controller(domain, controller)
        assert found.get("operSt") == state, f"the controller is {found.get('operSt')!r}, not {state}"
    vmm.eventually(check)


@then(step_re("the controller {} of the domain {} names the RHV Manager's product as its vendor",
              "controller", "domain"))
def controller_vendor(vmm, controller, domain):
    product = vmm.rhv.system.get().product_info
    found = vmm.controller(domain, controller)
    assert (found.get("vendor"), found.get("model")) == (product.vendor, product.name), found
    assert found.get("rev", "").startswith(f"{product.version.major}.{product.version.minor}"), found


@then(step_re("the inventory of the controller {} of the domain {} lists every host of the data center {} "
              "with its NICs", "controller", "domain", "dc"))
def inventory_hosts(vmm, controller, domain, dc):
    hosts = {host.id: host for host in _dc_hosts(vmm.rhv, dc)}
    hvs = {hv["oid"]: hv for hv in vmm.children(inventory_dn(domain, controller), "compHv")}
    assert {oid: hv["name"] for oid, hv in hvs.items()} == {h.id: h.name for h in hosts.values()}
    for oid, hv in hvs.items():
        sdk_nics = vmm.rhv.system.hosts_service().host_service(oid).nics_service().list()
        listed = {nic["name"] for nic in vmm.children(hv["dn"], "compHpNic")}
        assert listed == {nic.name for nic in sdk_nics}, f"{hv['name']}: {sorted(listed)}"


def _vm_hosts_in_inventory(vmm, domain: str, controller: str) -> dict[str, str]:
    inventory = inventory_dn(domain, controller)
    hv_names = {hv["dn"]: hv["name"] for hv in vmm.children(inventory, "compHv")}
    found = {}
    for vm in vmm.children(inventory, "compVm"):
        relations = [rel["tDn"] for rel in vmm.children(vm["dn"], "compRsHv")]
        found[vm["name"]] = hv_names.get(relations[0], relations[0]) if relations else ""
    return found


@then(step_re("the inventory of the controller {} of the domain {} lists every VM of the data center {} "
              "on the host it runs on", "controller", "domain", "dc"))
def inventory_vms(vmm, controller, domain, dc):
    hosts = {host.id: host.name for host in vmm.rhv.system.hosts_service().list()}
    expected = {vm.name: hosts[vm.host.id] if vm.host else "" for vm in _dc_vms(vmm.rhv, dc)}
    assert _vm_hosts_in_inventory(vmm, domain, controller) == expected


@then(step_re("the inventory of the controller {} of the domain {} lists every VM NIC of the data center {} "
              "by its MAC", "controller", "domain", "dc"))
def inventory_vnics(vmm, controller, domain, dc):
    vms = vmm.rhv.system.vms_service()
    expected = {nic.mac.address.upper() for vm in _dc_vms(vmm.rhv, dc) for nic in vms.vm_service(vm.id).nics_service().list()}
    listed = {vnic["mac"] for vnic in vmm.subtree_of_class(inventory_dn(domain, controller), "compVNic")}
    assert listed == expected


@then(step_re("the controller {} of the domain {} carries the fault {} with cause {} and severity {}",
              "controller", "domain", "code", "cause", "severity"))
def controller_fault(vmm, controller, domain, code, cause, severity):
    faults = vmm.fault_codes(inventory_dn(domain, controller))
    assert code in faults, f"faults of the controller: {sorted(faults)}"
    fault = faults[code]
    assert (fault["cause"], fault["severity"], fault["lc"]) == (cause, severity, "raised"), fault
    assert fault["descr"] and fault["created"], fault


@then(step_re("the controller {} of the domain {} carries no fault {} any more", "controller", "domain", "code"))
def controller_fault_cleared(vmm, controller, domain, code):
    def check():
        faults = vmm.fault_codes(inventory_dn(domain, controller))
        assert code not in faults, faults.get(code)
    vmm.eventually(check)


@then(step_re("a class query of faultInst with the code {} (?P<finds>finds|no longer finds) the fault of the "
              "controller {} of the domain {}", "code", "controller", "domain"))
def fault_class_query(vmm, code, finds, controller, domain):
    found = {fault["dn"] for fault in vmm.class_query("faultInst", f'eq(faultInst.code,"{code}")')}
    fault = f"{inventory_dn(domain, controller)}/fault-{code}"
    assert (fault in found) == (finds == "finds"), sorted(found)


@then(step_re(r"the APIC gives the EPG {} a VLAN from (?P<first>\d+) to (?P<last>\d+) in the domain {}",
              "epg", "domain"), converters={"first": int, "last": int})
def epg_vlan(vmm, epg, first, last, domain):
    assert vmm.associations.get(epg) == domain, vmm.associations
    found = vmm.eventually(lambda: vmm.eppd(epg))
    assert found.get("epgPKey") == epg_dn(epg), found
    assert first <= vlan_number(found.get("encap", "")) <= last, found


@then(step_re("the data center {} gets the logical network of the EPG {} with the VLAN the APIC gave it", "dc", "epg"))
def network_with_apic_vlan(vmm, dc, epg):
    vlan = vlan_number(vmm.eventually(lambda: vmm.eppd(epg))["encap"])
    name = vmm.remember_network(epg, dc)

    def check():
        network = vmm.rhv.client.network(dc, name)
        assert network.vlan is not None and network.vlan.id == vlan, f"{name}: VLAN {network.vlan and network.vlan.id}"
    vmm.eventually(check)


@then(step_re("the logical network of the EPG {} is attached to every cluster of the data center {}", "epg", "dc"))
def network_on_clusters(vmm, epg, dc):
    name = vmm.network_name(epg)
    service = vmm.rhv.system.data_centers_service().data_center_service(vmm.rhv.client.data_center(dc).id)
    for cluster in service.clusters_service().list():
        listed = {n.name for n in vmm.rhv.client.cluster_networks(cluster.name)}
        assert name in listed, f"the cluster {cluster.name} lists {sorted(listed)}"


@then(step_re("the logical network of the EPG {} has a vNIC profile of its own name", "epg"))
def network_profile(vmm, epg):
    network = vmm.rhv.client.network_named(vmm.network_name(epg))
    profiles = vmm.rhv.system.networks_service().network_service(network.id).vnic_profiles_service().list()
    assert named(profiles, network.name, "vNIC profile").network.id == network.id


@then(step_re("the EPGs {} and {} have different VLANs in the domain {}", "one", "other", "domain"))
def different_vlans(vmm, one, other, domain):
    assert vmm.eppd(one)["encap"] != vmm.eppd(other)["encap"], vmm.eppd(one)["encap"]


@then(step_re("the domain {} no longer records a VLAN for the EPG {}", "domain", "epg"))
def no_eppd(vmm, domain, epg):
    vmm.eventually(lambda: _absent(vmm.attributes(eppd_dn(domain, epg))))


def _absent(found) -> None:
    assert found is None, found


@then(step_re("the logical network of the EPG {} leaves the data center {}", "epg", "dc"))
def network_leaves(vmm, epg, dc):
    name = _remembered(vmm, epg, dc)
    vmm.eventually(lambda: _absent(vmm.rhv.client.networks_named(dc, name) or None))


def _remembered(vmm, epg: str, dc: str) -> str:
    """The EPG's network name as the APIC gave it while it was associated (its vmmEpPD may be gone)."""
    assert epg in vmm.network_names, f"no logical network of {epg} was seen in {dc}"
    return vmm.network_names[epg]


@then(step_re("the data center {} still has the logical network of the EPG {}", "dc", "epg"))
def network_still_there(vmm, dc, epg):
    vmm.rhv.client.network(dc, _remembered(vmm, epg, dc))


@then(step_re("no cluster of the data center {} lists the logical network of the EPG {}", "dc", "epg"))
def network_off_clusters(vmm, dc, epg):
    name = _remembered(vmm, epg, dc)
    service = vmm.rhv.system.data_centers_service().data_center_service(vmm.rhv.client.data_center(dc).id)
    for cluster in service.clusters_service().list():
        assert name not in {n.name for n in vmm.rhv.client.cluster_networks(cluster.name)}, cluster.name


@then(step_re("no vNIC profile of the logical network of the EPG {} is left", "epg"))
def no_profile_left(vmm, epg):
    name = _remembered(vmm, epg, "")
    assert name not in {p.name for p in vmm.rhv.system.vnic_profiles_service().list()}


@then(step_re("the EPG {} raises a fault about its logical network", "epg"))
def epg_fault(vmm, epg):
    before = vmm.faults_before.get(epg, set())

    def check():
        new = {code: fault for code, fault in vmm.fault_codes(epg_dn(epg)).items() if code not in before}
        assert new, f"the EPG {epg} has no new fault (it had {sorted(before)})"
        return new
    new = vmm.eventually(check)
    for fault in new.values():
        assert fault["lc"] in ("raised", "soaking"), fault
        assert fault["descr"], fault
    vmm.faults_raised[epg] = set(new)


@then(step_re("the EPG {} no longer carries that fault", "epg"))
def epg_fault_cleared(vmm, epg):
    raised = vmm.faults_raised.get(epg, set())
    assert raised, "no fault of the EPG was seen raised in this scenario"
    vmm.eventually(lambda: _none_of(raised, vmm.fault_codes(epg_dn(epg))))


def _none_of(codes: set[str], faults: dict) -> None:
    left = codes & set(faults)
    assert not left, {code: faults[code] for code in left}


@then(parsers.re("the playbook succeeds and reports (?P<change>a|no) change"))
def playbook_result(vmm, change):
    run = vmm.playbook
    assert run is not None, "no playbook ran"
    results = run.tasks
    assert run.rc == 0 and results and not any(r.get("failed") for r in results.values()), run.said()
    assert all(bool(r.get("changed")) == (change == "a") for r in results.values()), run.said()
