"""Step definitions for Kubernetes provisioning: the real acc-provision against the APIC.

acc-provision runs as a subprocess, exactly as an engineer runs it, in a scratch directory of its
own (it writes its key and certificate into the current directory). What it built is then read
back over the APIC's REST API, the way an engineer checks it in the GUI's object browser. Nothing
here needs the simulator's own powers: the same scenarios run against a real APIC (--apic-url).

Whatever a scenario adds to the policy universe is deleted again when it ends: the scenario's
configuration step saves the tree first, and the teardown removes every object that was not there
(and takes acc-provision's annotation off the prepared objects it re-posted).
"""

from __future__ import annotations

import base64
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from pytest_bdd import given, parsers, then, when

from simulator.fabric import INFRA_VLAN_BINDING
from simulator.pytest_plugin import client_tool
from steps.support.apic import ApicSession, Tree, describe
from steps.support.tables import names, table_rows

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "fixtures" / "acc-provision"
PREREQUISITES = REPO / "fixtures" / "apic"
FLAVOR = "kubernetes-1.36"
MANIFEST = "aci-containers.yaml"
ACC_PROVISION_TIMEOUT = 180


def _under(dn: str, roots: list[str]) -> str | None:
    """The root among `roots` that dn is or lies under (DNs never end inside brackets, so a prefix test is exact)."""
    return next((root for root in roots if dn == root or dn.startswith(root + "/")), None)


@dataclass
class Provisioning:
    """One scenario's cluster: its acc-provision config and scratch directory, runs, saved trees."""

    apic: ApicSession
    workdir: Path
    config: dict = field(default_factory=dict)
    run: subprocess.CompletedProcess | None = None
    saved: dict[str, Tree] = field(default_factory=dict)
    baseline: Tree | None = None

    @property
    def target(self):
        return self.apic.target

    def configuration(self) -> Tree:
        """The policy universe (uni), which provisioning configures, and the VMM inventory (comp) the
        controller derives from it."""
        tree = self.apic.subtree("uni")
        tree.update(self.apic.subtree("comp"))
        return tree

    # --- acc-provision ---
    @property
    def system_id(self) -> str:
        return self.config["aci_config"]["system_id"]

    @property
    def apic_host(self) -> str:
        return urlsplit(self.target.url).netloc

    def write_config(self) -> Path:
        path = self.workdir / "acc-provision-input.yaml"
        path.write_text(yaml.safe_dump(self.config, sort_keys=False))
        return path

    def acc_provision(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
        command = [client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", str(self.write_config()), "-f", FLAVOR, *args,
                   "-u", self.target.user, "-p", self.target.password if password is None else password]
        self.run = subprocess.run(command, cwd=self.workdir, capture_output=True, text=True,
                                  timeout=ACC_PROVISION_TIMEOUT, check=False)
        return self.run

    def output(self) -> str:
        assert self.run is not None, "acc-provision has not run"
        return self.run.stdout + self.run.stderr

    def report(self) -> str:
        return f"acc-provision exited {self.run.returncode}; its output:\n{self.output()}"

    # --- teardown ---
    def restore(self) -> None:
        """Delete what the scenario added; give back their annotation to the objects acc-provision
        re-posted with its own (the prepared AEP), so the next scenario starts from the same tree."""
        if self.baseline is None:
            return
        now = self.configuration()
        for dn in set(now) & set(self.baseline):
            cls, before = self.baseline[dn]
            if now[dn][1].get("annotation") != before.get("annotation"):
                self.apic.post(f"/api/mo/{dn}.json", {cls: {"attributes": {"annotation": before.get("annotation", "")}}})
        added = sorted(set(now) - set(self.baseline), key=len)
        tops: list[str] = []
        for dn in added:
            if _under(dn, tops) is None:
                tops.append(dn)
        for dn in reversed(tops):
            self.apic.delete(f"/api/mo/{dn}.json")
        self.apic.delete(f"/api/mo/{cluster_info_dn(self.system_id)}.json")


def cluster_info_dn(system_id: str) -> str:
    return f"comp/prov-Kubernetes/ctrlr-[{system_id}]-{system_id}/injcont/info"


@pytest.fixture
def provisioning(apic_target, tmp_path):
    session = ApicSession(apic_target)
    session.logged_in()
    cluster = Provisioning(session, tmp_path)
    yield cluster
    # a fresh login: acc-provision may have run for a while
    session.logged_in()
    cluster.restore()


# ---------------------------------------------------------------------------------------------- given


@given(parsers.parse('the fabric team has prepared the AEP, VRF and L3Out of "{name}"'))
def prerequisites(provisioning, name):
    for entry in yaml.safe_load((PREREQUISITES / name).read_text()):
        provisioning.apic.post_ok(f"/api/mo/{entry['dn']}.json", entry["body"])


def _use_config(provisioning: Provisioning, name: str, settings: list[list[str]] | None = None) -> None:
    config = yaml.safe_load((CONFIGS / name).read_text())
    config["aci_config"]["apic_hosts"] = [provisioning.apic_host]
    for row in table_rows(settings) if settings else []:
        *parents, leaf = row["setting"].split(".")
        node = config
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = yaml.safe_load(row["value"])
    provisioning.config = config
    provisioning.baseline = provisioning.configuration()


@given(parsers.parse('the acc-provision configuration "{name}"'))
def acc_provision_config(provisioning, name):
    _use_config(provisioning, name)


@given(parsers.parse('the acc-provision configuration "{name}" with these settings:'))
def acc_provision_config_with(provisioning, name, datatable):
    _use_config(provisioning, name, datatable)


@given(parsers.parse('I have saved the APIC\'s configuration as "{label}"'))
def save_configuration(provisioning, label):
    provisioning.saved[label] = provisioning.configuration()


# ----------------------------------------------------------------------------------------------- when


@when("I provision the APIC with acc-provision")
def provision(provisioning):
    provisioning.acc_provision("-o", MANIFEST, "-a")


@when(parsers.parse('I provision the APIC with acc-provision and the admin password "{password}"'))
def provision_with_password(provisioning, password):
    provisioning.acc_provision("-o", MANIFEST, "-a", password=password)


@when("I unprovision the APIC with acc-provision")
def unprovision(provisioning):
    provisioning.acc_provision("-d")


@when(parsers.parse('the fabric team creates the VRF "{name}" in tenant "{tenant}"'))
def create_vrf(provisioning, name, tenant):
    provisioning.apic.post_ok(f"/api/mo/uni/tn-{tenant}/ctx-{name}.json", {"fvCtx": {"attributes": {"name": name}}})


# ----------------------------------------------------------------------------------- then: the tool


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ERR:")]


@then("acc-provision succeeds")
def succeeds(provisioning):
    assert provisioning.run.returncode == 0 and not _errors(provisioning.output()), provisioning.report()


@then("acc-provision succeeds with these warnings:")
def succeeds_with_warnings(provisioning, docstring):
    succeeds(provisioning)
    warnings = [line.strip() for line in provisioning.output().splitlines() if line.startswith("WARN:")]
    for expected in docstring.splitlines():
        assert expected.strip() in warnings, provisioning.report()


@then("acc-provision fails")
def fails(provisioning):
    assert provisioning.run.returncode != 0, provisioning.report()


@then("acc-provision reports:")
def reports(provisioning, docstring):
    lines = [line.strip() for line in provisioning.output().splitlines()]
    for expected in docstring.splitlines():
        assert expected.strip() in lines, f"missing {expected.strip()!r}\n{provisioning.report()}"


@then(parsers.parse('acc-provision reports the APIC\'s login refusal: error {code} "{text}"'))
def reports_login_refusal(provisioning, code, text):
    refusals = [line for line in provisioning.output().splitlines() if line.startswith("Login failed - ")]
    assert refusals, provisioning.report()
    body = json.loads(refusals[0].removeprefix("Login failed - "))
    assert body["totalCount"] == "1", body
    assert body["imdata"][0]["error"]["attributes"] == {"code": code, "text": text}


@then(parsers.parse("acc-provision wrote {files}"))
def wrote_files(provisioning, files):
    for name in names(files):
        path = provisioning.workdir / name
        assert path.is_file() and path.stat().st_size > 0, f"{name} missing\n{provisioning.report()}"


@then(parsers.parse('the manifest\'s Secret "aci-user-cert" holds "{key}" and "{cert}"'))
def manifest_secret(provisioning, key, cert):
    secret = _manifest_object(provisioning, "Secret", "aci-user-cert")
    assert base64.b64decode(secret["data"]["user.key"]) == (provisioning.workdir / key).read_bytes()
    assert base64.b64decode(secret["data"]["user.crt"]) == (provisioning.workdir / cert).read_bytes()


@then("the manifest's controller configuration names this APIC and:")
def manifest_controller(provisioning, datatable):
    config_map = _manifest_object(provisioning, "ConfigMap", "aci-containers-config")
    controller = json.loads(config_map["data"]["controller-config"])
    assert controller["apic-hosts"] == [provisioning.apic_host], controller["apic-hosts"]
    _, *rows = datatable
    for key, value in rows:
        assert controller.get(key.strip()) == value.strip(), f"{key}: {controller.get(key.strip())!r}"


def _manifest_object(provisioning: Provisioning, kind: str, name: str) -> dict:
    documents = yaml.safe_load_all((provisioning.workdir / MANIFEST).read_text())
    found = [d for d in documents if d and d.get("kind") == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind} {name}: {len(found)} in {MANIFEST}"
    return found[0]


# ----------------------------------------------------------------------------------- then: the APIC


def _children_by(provisioning: Provisioning, dn: str, cls: str, prop: str) -> dict[str, dict]:
    return {attributes[prop]: attributes for attributes in provisioning.apic.children(dn, cls)}


def _relation(provisioning: Provisioning, dn: str) -> dict[str, str]:
    found = provisioning.apic.mo(dn)
    assert found is not None, f"no relation {dn}"
    return found[1]["attributes"]


@then(parsers.parse('the tenant "{tenant}" holds the application profile "{ap}" with exactly these EPGs:'))
def epgs(provisioning, tenant, ap, datatable):
    ap_dn = f"uni/tn-{tenant}/ap-{ap}"
    assert provisioning.apic.mo(ap_dn) is not None, f"no application profile {ap_dn}"
    rows = table_rows(datatable)
    listed = set(_children_by(provisioning, ap_dn, "fvAEPg", "name"))
    assert listed == {row["EPG"] for row in rows}, sorted(listed)
    for row in rows:
        epg_dn = f"{ap_dn}/epg-{row['EPG']}"
        bd = _relation(provisioning, f"{epg_dn}/rsbd")
        expected_bd = f"uni/tn-{tenant}/BD-{row['bridge domain']}"
        assert (bd["state"], bd["tDn"]) == ("formed", expected_bd), f"{epg_dn}: {bd['state']} {bd['tDn']}"
        domains = _children_by(provisioning, epg_dn, "fvRsDomAtt", "tDn")
        expected = {}
        for cell in names(row["domains"]):
            kind, _, rest = cell.partition(" ")
            name, _, encap = rest.partition(" on ")
            dn = f"uni/vmmp-Kubernetes/dom-{name}" if kind == "VMM" else f"uni/phys-{name}"
            expected[dn] = encap or None
        assert set(domains) == set(expected), f"{epg_dn} domains: {sorted(domains)}"
        for dn, encap in expected.items():
            assert domains[dn]["state"] == "formed", f"{epg_dn} → {dn}: {domains[dn]['state']}"
            if encap:
                assert domains[dn]["encap"] == encap, f"{epg_dn} → {dn}: encap {domains[dn]['encap']}"


@then(parsers.parse('in tenant "{tenant}" the EPGs of "{ap}" provide and consume exactly these contracts:'))
def epg_contracts(provisioning, tenant, ap, datatable):
    for row in table_rows(datatable):
        epg_dn = f"uni/tn-{tenant}/ap-{ap}/epg-{row['EPG']}"
        for cls, title in (("fvRsProv", "provides"), ("fvRsCons", "consumes")):
            relations = _children_by(provisioning, epg_dn, cls, "tnVzBrCPName")
            assert set(relations) == set(names(row[title])), f"{epg_dn} {title}: {sorted(relations)}"
            for name, attributes in relations.items():
                # formed: the contract exists, in the tenant or in common
                assert attributes["state"] == "formed", f"{epg_dn} {title} {name}: {attributes['state']}"
                assert attributes["tDn"] in (f"uni/tn-{tenant}/brc-{name}", f"uni/tn-common/brc-{name}")


@then(parsers.parse('the tenant "{tenant}" holds exactly these bridge domains:'))
def bridge_domains(provisioning, tenant, datatable):
    rows = table_rows(datatable)
    listed = set(_children_by(provisioning, f"uni/tn-{tenant}", "fvBD", "name"))
    assert listed == {row["bridge domain"] for row in rows}, sorted(listed)
    for row in rows:
        bd_dn = f"uni/tn-{tenant}/BD-{row['bridge domain']}"
        vrf_tenant, _, vrf = row["VRF"].partition("/")
        ctx = _relation(provisioning, f"{bd_dn}/rsctx")
        assert (ctx["tnFvCtxName"], ctx["state"], ctx["tDn"]) == (vrf, "formed", f"uni/tn-{vrf_tenant}/ctx-{vrf}"), bd_dn
        subnets = set(_children_by(provisioning, bd_dn, "fvSubnet", "ip"))
        assert subnets == set(names(row["subnets"])), f"{bd_dn} subnets: {sorted(subnets)}"
        outs = _children_by(provisioning, bd_dn, "fvRsBDToOut", "tnL3extOutName")
        assert set(outs) == set(names(row["L3Out"])), f"{bd_dn} L3Outs: {sorted(outs)}"


def _bridge_domain_vrfs(provisioning: Provisioning, tenant: str) -> dict[str, dict[str, str]]:
    """Each bridge domain of the tenant → its VRF relation (rsctx)."""
    bds = [attributes["dn"] for attributes in provisioning.apic.children(f"uni/tn-{tenant}", "fvBD")]
    assert bds, f"tenant {tenant} has no bridge domain"
    return {dn: _relation(provisioning, f"{dn}/rsctx") for dn in bds}


@then(parsers.parse('the bridge domains of tenant "{tenant}" point at the VRF "{vrf}", which is missing'))
def bridge_domains_dangling(provisioning, tenant, vrf):
    for dn, ctx in _bridge_domain_vrfs(provisioning, tenant).items():
        assert (ctx["tnFvCtxName"], ctx["state"]) == (vrf, "missing-target"), dn


@then(parsers.parse('the bridge domains of tenant "{tenant}" are in the VRF "{vrf_dn}"'))
def bridge_domains_formed(provisioning, tenant, vrf_dn):
    for dn, ctx in _bridge_domain_vrfs(provisioning, tenant).items():
        assert (ctx["state"], ctx["tDn"]) == ("formed", vrf_dn), dn


@then("the APIC holds these objects:")
def holds_objects(provisioning, datatable):
    for row in table_rows(datatable):
        dn = row["object"]
        found = provisioning.apic.mo(dn)
        assert found is not None, f"no object {dn}"
        cls, body = found
        assert cls == row["class"], f"{dn} is a {cls}"
        for pair in names(row["properties"]):
            prop, _, value = pair.partition("=")
            assert body["attributes"].get(prop.strip()) == value.strip(), \
                f"{dn} {prop}: {body['attributes'].get(prop.strip())!r}"


@then(parsers.parse('the APIC holds no object "{dn}"'))
def holds_no_object(provisioning, dn):
    assert provisioning.apic.mo(dn) is None, f"{dn} exists"


@then(parsers.parse('no AEP is associated with the domain "{dn}"'))
def no_aep_for_domain(provisioning, dn):
    found = provisioning.apic.class_query("infraRsDomP", **{"query-target-filter": f'eq(infraRsDomP.tDn,"{dn}")'})
    assert found == [], [attributes["dn"] for attributes in found]


@then(parsers.parse('the AEP "{aep}" carries these VLANs to these EPGs:'))
def aep_vlans(provisioning, aep, datatable):
    for row in table_rows(datatable):
        epg, encap = row["EPG"], row["encap"]
        if encap == "the fabric's infra VLAN":
            found = provisioning.apic.mo(INFRA_VLAN_BINDING)
            assert found is not None, f"the fabric has no infra VLAN binding {INFRA_VLAN_BINDING}"
            encap = found[1]["attributes"]["encap"]
        via = "provacc" if epg == "uni/tn-infra/ap-access/epg-default" else "gen-default"
        dn = f"uni/infra/attentp-{aep}/{via}/rsfuncToEpg-[{epg}]"
        found = provisioning.apic.mo(dn)
        assert found is not None, f"no binding {dn}"
        attributes = found[1]["attributes"]
        assert (attributes["encap"], attributes["state"]) == (encap, "formed"), f"{dn}: {attributes['encap']} {attributes['state']}"


@then(parsers.parse('the APIC has the user "{user}" with the admin role and the certificate in "{cert_file}"'))
def user_with_certificate(provisioning, user, cert_file):
    user_dn = f"uni/userext/user-{user}"
    tree = provisioning.apic.subtree(user_dn)
    assert user_dn in tree, f"no user {user}"
    assert tree[user_dn][1]["accountStatus"] == "active", tree[user_dn]
    role = tree.get(f"{user_dn}/userdomain-all/role-admin")
    assert role is not None and role[1]["privType"] == "writePriv", sorted(tree)
    certificates = {dn: attrs for dn, (cls, attrs) in tree.items() if cls == "aaaUserCert"}
    assert list(certificates) == [f"{user_dn}/usercert-{user}.crt"], sorted(certificates)
    (stored,) = certificates.values()
    generated = (provisioning.workdir / cert_file).read_text()
    assert stored["data"].split() == generated.split(), "the APIC's certificate is not the generated one"


@then(parsers.parse('the APIC has no user "{user}"'))
def no_user(provisioning, user):
    assert provisioning.apic.mo(f"uni/userext/user-{user}") is None


@then(parsers.parse('the APIC holds the cluster information of "{system_id}" with the generated key and certificate'))
def cluster_info(provisioning, system_id):
    info = cluster_info_dn(system_id)
    tree = provisioning.apic.subtree(info)
    assert tree.get(info, ("",))[0] == "vmmInjectedClusterInfo", sorted(tree)
    (details,) = [attrs for cls, attrs in tree.values() if cls == "vmmInjectedClusterDetails"]
    assert details["userCert"].split() == (provisioning.workdir / f"user-{system_id}.crt").read_text().split()
    assert details["userKey"].split() == (provisioning.workdir / f"user-{system_id}.key").read_text().split()
    assert f"system_id: {system_id}" in details["accProvisionInput"]


@then(parsers.parse('the APIC holds no cluster information of "{system_id}"'))
def no_cluster_info(provisioning, system_id):
    assert provisioning.apic.mo(cluster_info_dn(system_id)) is None


@then(parsers.parse('the APIC\'s configuration is as it was "{label}"'))
def configuration_unchanged(provisioning, label):
    _compare(provisioning.saved[label], provisioning.configuration(), [])


@then(parsers.parse('the APIC\'s configuration is as it was "{label}", except:'))
def configuration_unchanged_except(provisioning, label, datatable):
    allowed = [(row["object"], row["change"]) for row in table_rows(datatable)]
    _compare(provisioning.saved[label], provisioning.configuration(), allowed)


def _compare(before: Tree, after: Tree, allowed: list[tuple[str, str]]) -> None:
    """Every difference must be one the table allows; every allowance must be used.

    Changes: `left behind` (the object and its subtree are new), `recreated` (the same objects, any
    attribute may differ), `attribute <name>` (that attribute of that one object may differ).
    """
    subtrees = [dn for dn, change in allowed if change in ("left behind", "recreated")]
    attributes = {dn: change.removeprefix("attribute ").strip() for dn, change in allowed if change.startswith("attribute ")}
    unknown = [change for _, change in allowed if change not in ("left behind", "recreated") and not change.startswith("attribute ")]
    assert not unknown, f"unknown changes {unknown}"
    used: set[str] = set()
    problems = []
    for dn in sorted(set(before) - set(after)):
        problems.append(f"gone: {dn}")
    for dn in sorted(set(after) - set(before)):
        root = _under(dn, [d for d, change in allowed if change == "left behind"])
        if root is None:
            problems.append(f"new: {dn} ({after[dn][0]})")
        else:
            used.add(root)
    for dn in sorted(set(before) & set(after)):
        if before[dn] == after[dn]:
            continue
        changed = {k for k in set(before[dn][1]) | set(after[dn][1]) if before[dn][1].get(k) != after[dn][1].get(k)}
        changed.discard("modTs")
        root = _under(dn, subtrees)
        if root is not None:
            used.add(root)
        elif dn in attributes and changed <= {attributes[dn]}:
            used.add(dn)
        elif changed:
            problems.append(f"changed: {dn} " + ", ".join(
                f"{k}: {before[dn][1].get(k)!r} → {after[dn][1].get(k)!r}" for k in sorted(changed)))
    assert not problems, "\n".join(problems)
    unused = [dn for dn, _ in allowed if dn not in used]
    assert not unused, f"expected changes that did not happen: {unused}"


# ------------------------------------------------------------------------------- then: signed requests


@then(parsers.parse('requests signed with "{key_file}" as the controller of "{system_id}" signs them are accepted'))
def signed_requests_accepted(provisioning, key_file, system_id):
    controller = ApicSession(provisioning.target)  # no login: every request carries its signature
    key_pem = (provisioning.workdir / key_file).read_bytes()
    cert_dn = f"uni/userext/user-{system_id}/usercert-{system_id}.crt"
    answer = controller.signed_get("/api/webtokenSession.json", key_pem, cert_dn)
    assert answer.status_code == 200, describe(answer)
    (session,) = answer.json()["imdata"]
    assert session["webtokenSession"]["attributes"]["token"]
    answer = controller.signed_get(f"/api/mo/uni/tn-{system_id}.json?query-target=children&target-subtree-class=fvAp",
                                   key_pem, cert_dn)
    assert answer.status_code == 200, describe(answer)
    assert answer.json()["totalCount"] == "1", answer.text[:500]
