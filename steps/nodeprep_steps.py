"""Step definitions for node preparation, through the public command only: `acisim nodeprep render`
(the files it writes are read back), `acisim nodeprep lab up | check --json | down`, and what the
lab leaves on the machine (namespaces, processes, DHCP lease files, `ip` on the nodes).

Every lab a scenario builds is taken down afterwards, and the scenario fails if a namespace of its
prefix or a process in one of its namespaces is left. The APIC is read only to compare the
fabric's infra VLAN with the file's, so the feature also runs with --apic-url against a real APIC.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from pytest_bdd import given, parsers, then, when

from simulator.fabric import INFRA_VLAN_BINDING
from steps.support.nodeprep import (
    CliLab,
    acisim,
    addresses,
    config_lines,
    dhclient_lease_options,
    dnsmasq_leases,
    interfaces_stanzas,
    said,
)
from steps.support.tables import names, table_rows

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "fixtures" / "acc-provision"
INTERFACES = "etc/network/interfaces.d/aci-cni"
NETPLAN = "etc/netplan/60-aci-cni.yaml"
INFRA = "ens192.3967"  # the lab's uplink is ens192; the cluster file's infra VLAN is 3967
# how the feature says a preparation mistake, and the lab's name for it (`acisim nodeprep lab up --help`)
MISTAKES = {
    "its leaf port left at MTU 1500": "leaf-port-mtu-1500",
    "no multicast route": "no-multicast-route",
    "a wrong DHCP client identifier": "wrong-client-id",
    "Open vSwitch running": "ovs-running",
}


@dataclass
class NodePrep:
    """One scenario's node preparation: the cluster file, a rendering and its files, a lab and its report."""

    output: Path
    config: Path | None = None
    rendered: subprocess.CompletedProcess | None = None
    lab: CliLab | None = None
    checked: subprocess.CompletedProcess | None = None
    report: dict = field(default_factory=dict)

    def file(self, path: str) -> str:
        target = self.output / path
        assert target.is_file(), f"the rendering wrote no {path}\n{said(self.rendered)}"
        return target.read_text()

    def stanza(self, name: str):
        stanzas = interfaces_stanzas(self.file(INTERFACES))
        assert name in stanzas, f"the interfaces file has no stanza for {name} (it has {', '.join(stanzas)})"
        return stanzas[name]

    def node_checks(self, node: str) -> dict[str, dict]:
        assert node in self.report.get("nodes", {}), f"the report has no node {node}: {self.report}"
        return {check["name"]: check for check in self.report["nodes"][node]}

    def fabric_check(self, name: str) -> dict:
        found = {check["name"]: check for check in self.report["fabric"]}
        assert name in found, f"the report has no fabric check {name!r}: {sorted(found)}"
        return found[name]


@pytest.fixture
def nodeprep(tmp_path):
    """The scenario's node preparation; its lab, if it built one, is taken down and must leave nothing."""
    prep = NodePrep(tmp_path / "rendered")
    yield prep
    lab = prep.lab
    if lab is None:
        return
    if lab.down_run is None:
        lab.down()
    assert lab.down_run.returncode == 0, said(lab.down_run)
    assert lab.leftovers() == [], f"the node-prep lab left behind: {lab.leftovers()}"


# ---------------------------------------------------------------------------------------------- given


@given(parsers.parse('the cluster\'s acc-provision file "{name}"'))
def cluster_file(nodeprep, name):
    nodeprep.config = CONFIGS / name
    assert nodeprep.config.exists(), f"no acc-provision file {nodeprep.config}"


@given("the fabric's infra VLAN on the APIC is the file's infra_vlan")
def infra_vlan_matches(nodeprep, apic):
    infra_vlan = yaml.safe_load(nodeprep.config.read_text())["net_config"]["infra_vlan"]
    found = apic.session.mo(INFRA_VLAN_BINDING)
    assert found is not None, f"the APIC has no infra VLAN binding {INFRA_VLAN_BINDING}"
    encap = found[1]["attributes"]["encap"]
    assert encap == f"vlan-{infra_vlan}", f"the fabric's infra VLAN is {encap}, the file says {infra_vlan}"


@given(parsers.re(r"a lab of (?P<count>\d+) nodes prepared from the cluster's file"
                  r"(, where (?P<node>node\d+) has (?P<mistake>.+))?$"))
def lab_up(nodeprep, tmp_path, count, node, mistake):
    nodeprep.lab = CliLab(f"bdd{os.getpid() % 100000}", tmp_path / "lab")
    run = nodeprep.lab.up(nodeprep.config, int(count), {node: MISTAKES[mistake]} if mistake else {})
    assert run.returncode == 0, said(run)
    assert nodeprep.lab.started, f"the lab is up but no process runs in its namespaces {nodeprep.lab.built}"


# ----------------------------------------------------------------------------------------------- when


@when(parsers.parse('I render the configuration of node "{node}" with uplink "{uplink}", MAC "{mac}" and address "{address}"'))
def render(nodeprep, node, uplink, mac, address):
    nodeprep.rendered = acisim("nodeprep", "render", "-c", str(nodeprep.config), "--node", node, "--uplink", uplink,
                               "--mac", mac, "--ip", address, "--output-dir", str(nodeprep.output))


@when("I check the lab")
def check_lab(nodeprep):
    nodeprep.checked, nodeprep.report = nodeprep.lab.check()


@when("I take the lab down")
def lab_down(nodeprep):
    run = nodeprep.lab.down()
    assert run.returncode == 0 and run.stderr == "", said(run)


# ---------------------------------------------------------------------------------- then: rendering


@then(parsers.parse("the rendering wrote the interfaces file, the dhclient file for {interface} and the netplan file"))
def rendering_wrote(nodeprep, interface):
    run = nodeprep.rendered
    assert run.returncode == 0 and run.stderr == "", said(run)
    written = [INTERFACES, f"etc/dhcp/dhclient-{interface}.conf", NETPLAN]
    assert run.stdout.splitlines() == [f"wrote {nodeprep.output / path}" for path in written], said(run)
    assert sorted(str(p.relative_to(nodeprep.output)) for p in nodeprep.output.rglob("*") if p.is_file()) == sorted(written)


@then(parsers.parse("the uplink {uplink} comes up with MTU {mtu:d}"))
def uplink_mtu(nodeprep, uplink, mtu):
    stanza = nodeprep.stanza(uplink)
    assert (stanza.auto, stanza.method, stanza.options) == (True, "manual", {"mtu": str(mtu)}), stanza


@then(parsers.parse("{interface} takes its address by DHCP, with MTU {mtu:d} and the route {route} through it"))
def infra_stanza(nodeprep, interface, mtu, route):
    stanza = nodeprep.stanza(interface)
    assert (stanza.auto, stanza.method, stanza.options.get("mtu")) == (True, "dhcp", str(mtu)), stanza
    assert stanza.up == [f"ip route replace {route} dev {interface}"], stanza


@then(parsers.parse("{interface} has the address {address}, MTU {mtu:d} and the default route via {gateway}"))
def node_stanza(nodeprep, interface, address, mtu, gateway):
    stanza = nodeprep.stanza(interface)
    wanted = ipaddress.IPv4Interface(address)
    assert (stanza.auto, stanza.method) == (True, "static"), stanza
    assert {key: stanza.options.get(key) for key in ("address", "netmask", "mtu", "gateway")} == {
        "address": str(wanted.ip), "netmask": str(wanted.netmask), "mtu": str(mtu), "gateway": gateway}, stanza


@then(parsers.parse("both VLAN subinterfaces are VLANs of {uplink}"))
def subinterfaces_of(nodeprep, uplink):
    stanzas = interfaces_stanzas(nodeprep.file(INTERFACES))
    vlans = {name: stanza for name, stanza in stanzas.items() if name != uplink}
    assert len(vlans) == 2 and all(name.startswith(f"{uplink}.") for name in vlans), sorted(stanzas)
    assert {name: s.options.get("vlan-raw-device") for name, s in vlans.items()} == dict.fromkeys(vlans, uplink)


@then(parsers.parse("the dhclient file for {interface} says exactly:"))
def dhclient_file(nodeprep, interface, datatable):
    written = config_lines(nodeprep.file(f"etc/dhcp/dhclient-{interface}.conf"))
    assert written == [row["statement"] for row in table_rows(datatable)], "\n".join(written)


@then(parsers.parse("the netplan file describes these VLANs on {uplink}, which comes up with MTU {mtu:d}:"))
def netplan_file(nodeprep, uplink, mtu, datatable):
    network = yaml.safe_load(nodeprep.file(NETPLAN))["network"]
    assert network["ethernets"] == {uplink: {"mtu": mtu}}, network["ethernets"]
    described = {}
    for name, vlan in network["vlans"].items():
        address = "DHCP" if vlan.get("dhcp4") else ", ".join(vlan.get("addresses", []))
        routes = ", ".join(f"{r['to']} via {r['via']}" if "via" in r else r["to"] for r in vlan.get("routes", []))
        described[name] = (str(vlan["id"]), vlan["link"], str(vlan["mtu"]), address, routes)
    expected = {row["interface"]: (row["VLAN"], uplink, row["MTU"], row["address"], row["routes"])
                for row in table_rows(datatable)}
    assert described == expected


@then(parsers.parse('the rendering is refused with "{error}"'))
def refused(nodeprep, error):
    done = nodeprep.rendered
    assert done.returncode == 2 and done.stdout == "", said(done)
    assert done.stderr.startswith("acisim nodeprep: error: ") and error in done.stderr, said(done)
    assert done.stderr.count("\n") == 1, said(done)
    assert not nodeprep.output.exists(), "a refused rendering wrote files"


# ---------------------------------------------------------------------------------------- then: lab


@then("every check passes on every node")
def all_pass(nodeprep):
    report = nodeprep.report
    assert nodeprep.checked.returncode == 0 and report["ok"] is True, said(nodeprep.checked)
    assert set(report["nodes"]) == set(nodeprep.lab.nodes), sorted(report["nodes"])
    failing = [f"{node}: {c['name']}: {c['status']} {c['detail']}" for node, checks in report["nodes"].items()
               for c in checks if c["status"] != "pass"]
    failing += [f"fabric: {c['name']}: {c['status']} {c['detail']}" for c in report["fabric"] if c["status"] != "pass"]
    assert failing == []


@then("the report says which kind of VLAN subinterface was used")
def subif_kind(nodeprep):
    kind = nodeprep.lab.subif_kind
    assert kind in ("vlan", "macvlan") and nodeprep.report["subif_kind"] == kind, nodeprep.report["subif_kind"]
    expected = "802.1Q VLAN 3967" if kind == "vlan" else "macvlan stand-in for VLAN 3967"
    for node in nodeprep.lab.nodes:
        assert expected in nodeprep.node_checks(node)["infra subinterface"]["detail"]


@then("each node holds the TEP address the fabric's DHCP keeps for its own client identifier:")
def tep_addresses(nodeprep, datatable):
    lab = nodeprep.lab
    served = dnsmasq_leases((lab.workdir / "dnsmasq.leases").read_text())
    rows = table_rows(datatable)
    assert sorted(row["node"] for row in rows) == sorted(lab.nodes)
    for row in rows:
        node = lab.nodes[row["node"]]
        tep = row["TEP address"]
        assert served.get(f"01:{node.infra_mac}") == tep, f"{row['node']}: the leaf's DHCP served {served}"
        assert tep in addresses(node.netns, INFRA), f"{row['node']}: {INFRA} has {addresses(node.netns, INFRA)}"
        assert _lease(nodeprep, row["node"])["fixed-address"] == tep
        assert nodeprep.node_checks(row["node"])["infra DHCP lease"]["status"] == "pass"


def _lease(nodeprep, node: str) -> dict[str, str]:
    files = sorted((nodeprep.lab.workdir / node).glob("*.leases"))
    leases = [lease for path in files if (lease := dhclient_lease_options(path.read_text(), INFRA))]
    assert leases, f"{node}: no dhclient lease for {INFRA} in {files}"
    return leases[-1]


@then(parsers.parse("each node's lease carries {options}, and no routers"))
def lease_options(nodeprep, options):
    for node in nodeprep.lab.nodes:
        lease = _lease(nodeprep, node)
        assert set(names(options)) <= set(lease), f"{node}: {sorted(lease)}"
        assert "routers" not in lease, f"{node}: a router on the infra VLAN ({lease['routers']})"


@then(parsers.parse("on the infra VLAN a DF ping of {ok:d} bytes reaches the OpFlex peer {peer} "
                    "and one of {too_big:d} bytes does not"))
def df_ping(nodeprep, ok, peer, too_big):
    for node in nodeprep.lab.nodes:
        assert nodeprep.node_checks(node)["infra MTU path"]["detail"] == \
            f"DF ping {ok} B to OpFlex peer {peer} passes, {too_big} B is refused"


@then(parsers.parse("multicast sent by {sender} reaches {receiver} over the infra VLAN"))
def multicast(nodeprep, sender, receiver):
    found = nodeprep.fabric_check(f"multicast {sender} → {receiver}")
    assert found["status"] == "pass" and found["detail"].endswith("received on the infra VLAN"), found


@then(parsers.parse("each node's default route goes via the node subnet gateway {gateway} on {interface}"))
def default_route(nodeprep, gateway, interface):
    for node in nodeprep.lab.nodes:
        assert nodeprep.node_checks(node)["default route"]["detail"] == f"via {gateway} dev {interface}"


@then(parsers.parse("{node} reaches the API server on {server} over the node VLAN {interface}"))
def apiserver(nodeprep, node, server, interface):
    address = nodeprep.lab.nodes[server].ip
    assert nodeprep.lab.apiserver == f"https://{address}:6443", nodeprep.lab.apiserver
    found = nodeprep.node_checks(node)["API server"]
    assert found["status"] == "pass" and found["detail"].startswith(f"{address}:6443 answers /version"), found
    assert found["detail"].endswith(f"via {interface}"), found


@then("no namespace or process of the lab is left")
def nothing_left(nodeprep):
    assert nodeprep.lab.leftovers() == []


@then(parsers.parse('{node}\'s check "{check}" fails saying "{reason}"'))
def check_fails(nodeprep, node, check, reason):
    found = nodeprep.node_checks(node)[check]
    assert found["status"] == "fail" and reason in found["detail"], found


@then(parsers.parse("every other check of {node} passes"))
def others_pass(nodeprep, node):
    not_passing = [name for name, check in nodeprep.node_checks(node).items() if check["status"] != "pass"]
    assert len(not_passing) == 1, not_passing


@then(parsers.parse("every check of {node} passes"))
def node_passes(nodeprep, node):
    assert [f"{n}: {c['detail']}" for n, c in nodeprep.node_checks(node).items() if c["status"] != "pass"] == []


@then(parsers.parse("the lab check exits {code:d}"))
def lab_check_exit(nodeprep, code):
    assert nodeprep.checked.returncode == code and nodeprep.report["ok"] is (code == 0), said(nodeprep.checked)
