"""Step definitions for segmentation: the three-tier policy of workflows.md §2 posted to the APIC over REST as an
engineer's script posts it (a physical domain and a static path for the bare-metal database, an L3Out with an
external EPG, filters, contracts with one subject each, who provides and consumes them, intra-EPG isolation),
and the verdicts of flows asked of the lab.

A verdict ("may A talk to B on this port, and which rule says so") is the simulator's own power: the lab's
control API computes it from the zoning rules its leaves hold (POST /_sim/fabric/flow, the same question
`acisim fabric flow` asks). A real fabric answers it only by sending traffic, so against real gear those steps
fail with one line saying so rather than skipping: the feature's point is the verdict. The VMs, their NICs,
endpoints and migrations are migration_steps' and rhv_vmm_steps' (the `vmm` and `endpoints` fixtures).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field

import pytest
from pytest_bdd import given, parsers, then, when

from steps.migration_steps import _epg_profile
from steps.rhv_vmm_steps import step_re
from steps.support.apic import ApicSession, describe
from steps.support.tables import table_rows
from steps.support.vmm import epg_dn

REAL_GEAR = ("a verdict needs the simulator's control API (POST /_sim/fabric/flow): a real APIC answers "
             "\"may A talk to B\" only by sending traffic; run this feature against the simulator")
FLOW = r"(?P<proto>[a-z0-9]+)/(?P<port>\d+)"
BD = "bd"  # the bridge domain of steps.support.vmm.tenant_body
VRF = "vrf"


@dataclass
class Segmentation:
    """One scenario's segmentation work: the VMM conversation (its APIC session, tenants and domains), the
    endpoints of the VMs' NICs, the EPG of each VM, and what it made outside the tenant (domains) to delete."""

    vmm: object  # rhv_vmm_steps.VmmConversation
    endpoints: object  # migration_steps.Endpoints
    epg_of: dict[str, str] = field(default_factory=dict)  # VM -> EPG path (tenant/ap/epg)
    fabric_dns: set[str] = field(default_factory=set)  # physical and routed domains made by the scenario
    command: subprocess.CompletedProcess | None = None  # the last `acisim fabric flow` run

    @property
    def target(self):
        return self.vmm.apic_target

    def post_ok(self, dn: str, body: dict) -> None:
        self.vmm.post_ok(dn, body)

    def verdict(self, source: str, destination: str, proto: str, port: int) -> dict:
        """The lab's verdict of one flow; fails in one line against real gear."""
        if not self.target.simulated:
            pytest.fail(REAL_GEAR, pytrace=False)
        with self.target.sim_session() as http:
            answer = http.post(f"{self.target.sim_url}/_sim/fabric/flow", timeout=30,
                               json={"from": source, "to": destination, "proto": proto, "port": port})
        assert answer.status_code == 200, f"the lab refused the flow {source} -> {destination} {proto}/{port}: " \
                                          f"HTTP {answer.status_code} {answer.text[:300]}"
        return answer.json()

    def ask_command(self, source: str, destination: str, proto: str, port: int) -> subprocess.CompletedProcess:
        """`acisim fabric flow --json` as a user runs it, with the lab admin's credentials."""
        if not self.target.simulated:
            pytest.fail(REAL_GEAR, pytrace=False)
        command = [sys.executable, "-m", "simulator", "fabric", "flow", "--apic-url", self.target.url,
                   "--user", self.target.user, "--password", self.target.password, "--from", source,
                   "--to", destination, "--proto", proto, "--port", str(port), "--json"]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    def clean_up(self) -> None:
        cleaner = ApicSession(self.target)
        cleaner.logged_in()
        for dn in sorted(self.fabric_dns):
            cleaner.delete(f"/api/mo/{dn}.json")


@pytest.fixture
def segmentation(vmm, endpoints):
    """Torn down before `endpoints` and `vmm` (which remove the NICs, the tenant and the VMM domain)."""
    work = Segmentation(vmm, endpoints)
    yield work
    work.clean_up()


def _end(segmentation: Segmentation, text: str) -> str:
    """`VM NAME`, `MAC of VM NAME`, `EPG tenant/ap/epg` or `address A.B.C.D` as the verdict takes it (a VM name,
    an endpoint's MAC, an EPG DN, an address)."""
    kind, _, value = text.strip().partition(" ")
    if kind == "VM":
        return value
    if kind == "MAC" and value.startswith("of VM "):  # the MAC of the VM's NIC on its EPG, as the APIC learned it
        (mac,) = segmentation.endpoints.macs[value[len("of VM "):]]
        return mac.upper()
    if kind == "EPG":
        return epg_dn(value)
    if kind == "address":
        return value
    raise AssertionError(f"a flow's end is 'VM NAME', 'MAC of VM NAME', 'EPG TENANT/AP/EPG' or 'address IP', "
                         f"not {text!r}")


def _contract_dn(tenant: str, contract: str) -> str:
    return f"uni/tn-{tenant}/brc-{contract}"


def _leaf_of_path(path: str) -> str:
    """topology/pod-1/paths-101/pathep-[eth1/11] -> topology/pod-1/node-101."""
    found = re.match(r"(topology/pod-\d+)/paths-(\d+)/", path)
    assert found, f"not a leaf port's path: {path}"
    return f"{found.group(1)}/node-{found.group(2)}"


def _decided_by(rule: dict, by: str) -> str | None:
    """What is wrong with `rule` as the decider named by `by` (None when it is that rule)."""
    contract = rule.get("contract") or ""
    if by.startswith("contract "):
        name = by[len("contract "):]
        return None if contract == name or contract.endswith(f"/brc-{name}") else f"not the contract {name}"
    if by == "the default rule":
        return None if rule.get("default") and not contract else "not the VRF's default rule"
    if by == "intra-EPG isolation":
        same = rule.get("sPcTag") == rule.get("dPcTag")
        deny = "deny" in str(rule.get("action", "")).split(",")
        return None if same and deny and rule.get("prioName") == "class-eq-deny" else "not the EPG's isolation rule"
    raise AssertionError(f"'by' is 'contract NAME', 'the default rule' or 'intra-EPG isolation', not {by!r}")


# ---------------------------------------------------------------------------------------------- given


@given(step_re("the bridge domain of the tenant {} has the subnet {}", "tenant", "gateway"))
def bd_subnet(segmentation, tenant, gateway):
    segmentation.post_ok(f"uni/tn-{tenant}/BD-{BD}",
                         {"fvBD": {"attributes": {"name": BD}, "children": [
                             {"fvSubnet": {"attributes": {"ip": gateway, "scope": "private"}}}]}})


@given(step_re("the EPG {} isolates its endpoints from each other", "epg"))
def intra_epg_isolation(segmentation, epg):
    segmentation.post_ok(epg_dn(epg), {"fvAEPg": {"attributes": {"pcEnfPref": "enforced"}}})


@given(step_re(r"the EPG {} is on the physical domain {} with a static path to {} on VLAN (?P<vlan>\d+)",
               "epg", "domain", "path"))
def static_path(segmentation, epg, domain, path, vlan):
    dom = f"uni/phys-{domain}"
    segmentation.fabric_dns.add(dom)
    segmentation.post_ok("uni", {"physDomP": {"attributes": {"dn": dom, "name": domain}}})
    segmentation.post_ok(epg_dn(epg), {"fvAEPg": {"attributes": {}, "children": [
        {"fvRsDomAtt": {"attributes": {"tDn": dom}}},
        {"fvRsPathAtt": {"attributes": {"tDn": path, "encap": f"vlan-{vlan}", "mode": "untagged",
                                        "instrImedcy": "immediate"}}}]}})


@given(step_re("the tenant {} has the L3Out {} with the external EPG {} for the subnet {}",
               "tenant", "l3out", "external", "subnet"))
def l3out(segmentation, tenant, l3out, external, subnet):
    routed = f"uni/l3dom-{tenant}-routed"
    segmentation.fabric_dns.add(routed)
    segmentation.post_ok("uni", {"l3extDomP": {"attributes": {"dn": routed, "name": f"{tenant}-routed"}}})
    segmentation.post_ok(f"uni/tn-{tenant}/out-{l3out}", {"l3extOut": {"attributes": {"name": l3out}, "children": [
        {"l3extRsEctx": {"attributes": {"tnFvCtxName": VRF}}},
        {"l3extRsL3DomAtt": {"attributes": {"tDn": routed}}},
        {"l3extInstP": {"attributes": {"name": external}, "children": [
            {"l3extSubnet": {"attributes": {"ip": subnet, "scope": "import-security"}}}]}}]}})


@given(step_re("the L3Out {} of the tenant {} has the external EPG {} for the subnet {}",
               "l3out", "tenant", "external", "subnet"))
def external_epg(segmentation, l3out, tenant, external, subnet):
    segmentation.post_ok(f"uni/tn-{tenant}/out-{l3out}/instP-{external}", {"l3extInstP": {
        "attributes": {"name": external}, "children": [
            {"l3extSubnet": {"attributes": {"ip": subnet, "scope": "import-security"}}}]}})


def _group(segmentation: Segmentation, tenant: str, name: str) -> tuple[str, str]:
    """(class, DN) of `external EPG NAME` (an l3extInstP) or of the EPG `NAME`, found in the tenant by name."""
    cls, name = ("l3extInstP", name[len("external EPG "):]) if name.startswith("external EPG ") else ("fvAEPg", name)
    found = [mo["dn"] for mo in segmentation.vmm.subtree_of_class(f"uni/tn-{tenant}", cls) if mo["name"] == name]
    assert len(found) == 1, f"{len(found)} {cls} named {name} in the tenant {tenant}: {found}"
    return cls, found[0]


@given(step_re("the tenant {} has these contracts, each with one subject applied both ways with reverse filter "
               "ports:", "tenant"))
def contracts(segmentation, tenant, datatable):
    for row in table_rows(datatable):
        name, flt = row["contract"], row["filter"]
        entry = {"name": f"{row['protocol']}-{row['port']}", "etherT": "ip", "prot": row["protocol"],
                 "dFromPort": row["port"], "dToPort": row["port"]}
        segmentation.post_ok(f"uni/tn-{tenant}", {"fvTenant": {"attributes": {"name": tenant}, "children": [
            {"vzFilter": {"attributes": {"name": flt}, "children": [{"vzEntry": {"attributes": entry}}]}},
            {"vzBrCP": {"attributes": {"name": name, "scope": "context"}, "children": [
                {"vzSubj": {"attributes": {"name": flt, "revFltPorts": "yes"}, "children": [
                    {"vzRsSubjFiltAtt": {"attributes": {"tnVzFilterName": flt}}}]}}]}}]}})
        for role, relation in (("consumer", "fvRsCons"), ("provider", "fvRsProv")):
            cls, group = _group(segmentation, tenant, row[role])
            segmentation.post_ok(group, {cls: {"attributes": {}, "children": [
                {relation: {"attributes": {"tnVzBrCPName": name}}}]}})


@given("these VMs have a NIC on the vNIC profile of their EPG:")
def vms_with_nics_on_their_epg(segmentation, datatable):
    endpoints = segmentation.endpoints
    for row in table_rows(datatable):
        profile = _epg_profile(segmentation.vmm, row["epg"])
        added = segmentation.vmm.add_nic(row["vm"], row["nic"], profile.id)
        endpoints.macs.setdefault(row["vm"], []).append(added.mac.address)
        segmentation.epg_of[row["vm"]] = row["epg"]
        endpoints.epg = row["epg"]  # the VMM domain of the VMs' EPGs (one domain for all of them)


@given("each of those NICs has an endpoint under its EPG")
def endpoint_under_its_epg(segmentation):
    endpoints = segmentation.endpoints

    def check():
        for vm, macs in endpoints.macs.items():
            for mac in macs:
                cep = endpoints.endpoint(mac)
                assert cep["dn"].startswith(epg_dn(segmentation.epg_of[vm]) + "/"), f"{vm}: {cep['dn']}"
    segmentation.vmm.eventually(check)


# ----------------------------------------------------------------------------------------------- when


@when(step_re("I remove the filter {} from the subject of the contract {} of the tenant {}",
              "flt", "contract", "tenant"))
def remove_subject_filter(segmentation, flt, contract, tenant):
    subjects = segmentation.vmm.children(_contract_dn(tenant, contract), "vzSubj")
    assert len(subjects) == 1, f"the contract {contract} has the subjects {[s['name'] for s in subjects]}"
    relation = f"{subjects[0]['dn']}/rssubjFiltAtt-{flt}"
    assert segmentation.vmm.attributes(relation) is not None, f"the subject has no filter {flt}"
    segmentation.vmm.delete(relation)
    assert segmentation.vmm.apic.answer.status_code == 200, describe(segmentation.vmm.apic.answer)


@when(parsers.re(r'I ask acisim fabric flow from the VM "(?P<source>[^"]+)" to the VM "(?P<destination>[^"]+)" on '
                 + FLOW))
def ask_the_command(segmentation, source, destination, proto, port):
    segmentation.command = segmentation.ask_command(source, destination, proto, int(port))


# ----------------------------------------------------------------------------------------------- then


@then(parsers.re(r"it exits with (?P<status>\d) for (?P<verdict>permit|deny), by (?P<by>.+)"))
def command_verdict(segmentation, status, verdict, by):
    run = segmentation.command
    assert run is not None, "acisim fabric flow was not run"
    assert run.returncode == int(status), f"exit {run.returncode}: {run.stdout} {run.stderr}"
    found = json.loads(run.stdout)
    assert found["verdict"] == verdict, found
    named = by.replace('"', "")  # 'the contract "NAME"' reads as the table's 'contract NAME'
    wrong = _decided_by(found["rule"], named.removeprefix("the ") if named.startswith("the contract ") else named)
    assert wrong is None, f"{found['rule'].get('text')}: {wrong}"


@given("these flows are decided so:")
@then("these flows are decided so:")
def flows_decided(segmentation, datatable):
    problems = []
    for row in table_rows(datatable):
        proto, _, port = row["flow"].partition("/")
        found = segmentation.verdict(_end(segmentation, row["from"]), _end(segmentation, row["to"]), proto, int(port))
        rule, reply = found.get("rule") or {}, (found.get("reply") or {})
        wrong = []
        if found.get("verdict") != row["verdict"]:
            wrong.append(f"verdict {found.get('verdict')}")
        if (why := _decided_by(rule, row["by"])) is not None:
            wrong.append(f"decided by {rule.get('text') or rule.get('dn')} ({why})")
        if rule.get("dn") and (why := _not_on_leaf(segmentation, rule)) is not None:
            wrong.append(why)
        if reply.get("verdict") != row["reply"]:
            wrong.append(f"reply {reply.get('verdict')} by {(reply.get('rule') or {}).get('text')}")
        if wrong:
            problems.append(f"{row['from']} -> {row['to']} {row['flow']}: expected {row['verdict']} by {row['by']}, "
                            f"reply {row['reply']}; got {'; '.join(wrong)}")
    assert not problems, "\n".join(problems)


def _not_on_leaf(segmentation: Segmentation, rule: dict) -> str | None:
    """What is wrong with the leaf's own actrlRule of the deciding rule, read over REST (None: it is there, with
    the verdict's priority, action and classes), as `show zoning-rule` on that leaf would list it."""
    found = segmentation.vmm.attributes(rule["dn"])
    if found is None:
        return f"the enforcing leaf holds no {rule['dn']}"
    held = {key: found.get(key) for key in ("id", "prio", "action", "sPcTag", "dPcTag", "fltId")}
    told = {"id": str(rule["id"]), "prio": rule["prioName"], "action": rule["action"], "sPcTag": rule["sPcTag"],
            "dPcTag": rule["dPcTag"], "fltId": rule["fltId"]}
    return None if held == told else f"the leaf's {rule['dn']} is {held}, the verdict says {told}"


@given(parsers.re(r'the flow from the VM "(?P<vm>[^"]+)" to the EPG "(?P<epg>[^"]+)" on ' + FLOW
                  + r' is enforced on the leaf facing the host "(?P<host>[^"]+)"'))
@then(parsers.re(r'the flow from the VM "(?P<vm>[^"]+)" to the EPG "(?P<epg>[^"]+)" on ' + FLOW
                 + r' is enforced on the leaf facing the host "(?P<host>[^"]+)"'))
def enforced_on_leaf(segmentation, vm, epg, proto, port, host):
    leaves = {_leaf_of_path(path) for path in segmentation.endpoints.facing(host)}
    found = segmentation.verdict(vm, epg_dn(epg), proto, int(port))
    assert found.get("leaf") in leaves, f"{vm} -> {epg} {proto}/{port} is enforced on {found.get('leaf')}, " \
                                        f"not on the leaf facing {host} ({', '.join(sorted(leaves))})"
