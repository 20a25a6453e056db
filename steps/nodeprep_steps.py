"""Step definitions for node preparation: `acisim nodeprep render` as an engineer runs it, and the
network-namespace lab (through the `nodeprep_lab` fixture, which takes every lab down afterwards and
fails the scenario if a namespace or process of it is left).

The APIC is read only to compare the fabric's infra VLAN with the file's, so the feature also runs
with --apic-url against a real APIC."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from pytest_bdd import given, parsers, then, when

from simulator.nodeprep import ClusterNetwork
from simulator.nodeprep.apply import parse_interfaces
from simulator.nodeprep.leases import dnsmasq_leases, latest_lease
from simulator.nodeprep.netns_lab import LabReport, NodePrepLab
from simulator.nodeprep.render import DHCLIENT_OPTIONS
from simulator.nodeprep.system import netns_list, process_alive
from steps.apic_steps import TIMEOUT
from steps.provisioning_steps import INFRA_VLAN_BINDING

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "fixtures" / "acc-provision"
MISTAKES = {
    "its leaf port left at MTU 1500": "leaf-port-mtu-1500",
    "no multicast route": "no-multicast-route",
    "a wrong DHCP client identifier": "wrong-client-id",
    "Open vSwitch running": "ovs-running",
}


@dataclass
class NodePrep:
    config: Path | None = None
    rendered: subprocess.CompletedProcess | None = None
    files: dict[str, str] = field(default_factory=dict)
    lab: NodePrepLab | None = None
    report: LabReport | None = None

    @property
    def cluster(self) -> ClusterNetwork:
        return ClusterNetwork.from_file(self.config)

    def stanza(self, name: str):
        found = [s for s in parse_interfaces(self.files["/etc/network/interfaces.d/aci-cni"]) if s.name == name]
        assert found, f"the interfaces file has no stanza for {name}"
        return found[0]

    def node_check(self, node: str, name: str):
        return next(r for r in self.report.nodes[node] if r.name == name)


@pytest.fixture
def nodeprep():
    return NodePrep()


# ---------------------------------------------------------------------------------------------- given


@given(parsers.parse('the cluster\'s acc-provision file "{name}"'))
def cluster_file(nodeprep, name):
    nodeprep.config = CONFIGS / name
    assert nodeprep.config.exists(), f"no acc-provision file {nodeprep.config}"


@given("the fabric's infra VLAN on the APIC is the file's infra_vlan")
def infra_vlan_matches(nodeprep, apic):
    answer = apic.http.get(apic.url(f"/api/mo/{INFRA_VLAN_BINDING}.json"), timeout=TIMEOUT)
    assert answer.status_code == 200, f"HTTP {answer.status_code}: {answer.text[:300]}"
    imdata = answer.json()["imdata"]
    assert imdata, f"the APIC has no infra VLAN binding {INFRA_VLAN_BINDING}"
    encap = imdata[0]["infraRsFuncToEpg"]["attributes"]["encap"]
    assert encap == f"vlan-{nodeprep.cluster.infra_vlan}", f"the fabric's infra VLAN is {encap}, the file says {nodeprep.cluster.infra_vlan}"


@given(parsers.re(r"a lab of (?P<count>\d+) nodes prepared from the cluster's file(, where (?P<node>node\d+) has (?P<mistake>.+))?$"))
def lab_up(nodeprep, nodeprep_lab, count, node, mistake):
    faults = {node: [MISTAKES[mistake]]} if mistake else None
    nodeprep.netns_lab = nodeprep_lab(nodeprep.config, nodes=int(count), faults=faults)


# ----------------------------------------------------------------------------------------------- when


@when(parsers.parse('I render the configuration of node "{node}" with uplink "{uplink}", MAC "{mac}" and address "{address}"'))
def render(nodeprep, node, uplink, mac, address):
    nodeprep.rendered = subprocess.run(
        [sys.executable, "-m", "simulator", "nodeprep", "render", "-c", str(nodeprep.config), "--node", node,
         "--uplink", uplink, "--mac", mac, "--ip", address], capture_output=True, text=True, timeout=60)
    current = None
    for line in nodeprep.rendered.stdout.splitlines(keepends=True):
        if line.startswith("# ==> "):
            current = line.strip()[6:-4]
            nodeprep.files[current] = ""
        elif current:
            nodeprep.files[current] += line


@when("I check the lab")
def check_lab(nodeprep):
    nodeprep.report = nodeprep.netns_lab.check()


@when("I take the lab down")
def lab_down(nodeprep):
    assert nodeprep.netns_lab.down() == []


# ----------------------------------------------------------------------------------------------- then


@then(parsers.parse("the uplink {uplink} comes up with MTU {mtu:d}"))
def uplink_mtu(nodeprep, uplink, mtu):
    assert nodeprep.rendered.returncode == 0, nodeprep.rendered.stderr
    stanza = nodeprep.stanza(uplink)
    assert (stanza.auto, stanza.method, stanza.options.get("mtu")) == (True, "manual", str(mtu))


@then(parsers.parse("{interface} takes its address by DHCP, with MTU {mtu:d} and the route {route} through it"))
def infra_stanza(nodeprep, interface, mtu, route):
    stanza = nodeprep.stanza(interface)
    assert (stanza.auto, stanza.method, stanza.options.get("mtu")) == (True, "dhcp", str(mtu))
    assert stanza.up == [f"ip route replace {route} dev {interface}"]


@then(parsers.parse("{interface} has the address {address}, MTU {mtu:d} and the default route via {gateway}"))
def node_stanza(nodeprep, interface, address, mtu, gateway):
    stanza = nodeprep.stanza(interface)
    wanted = ipaddress.IPv4Interface(address)
    assert (stanza.method, stanza.options["address"], stanza.options["netmask"]) == ("static", str(wanted.ip), str(wanted.netmask))
    assert (stanza.options["mtu"], stanza.options["gateway"]) == (str(mtu), gateway)


@then(parsers.parse('the dhclient file for {interface} sends the client identifier "{client_id}" and the seed workflow\'s options'))
def dhclient_file(nodeprep, interface, client_id):
    lines = nodeprep.files[f"/etc/dhcp/dhclient-{interface}.conf"].splitlines()
    assert lines[0] == f"send dhcp-client-identifier {client_id};"
    assert [line for line in lines if line and not line.startswith("send ")] == list(DHCLIENT_OPTIONS)


@then(parsers.parse("the netplan file describes the same two VLANs on {uplink}"))
def netplan_file(nodeprep, uplink):
    cluster = nodeprep.cluster
    vlans = yaml.safe_load(nodeprep.files["/etc/netplan/60-aci-cni.yaml"])["network"]["vlans"]
    assert {name: (v["id"], v["link"], v["mtu"]) for name, v in vlans.items()} == {
        f"{uplink}.{cluster.infra_vlan}": (cluster.infra_vlan, uplink, cluster.mtu),
        f"{uplink}.{cluster.node_vlan}": (cluster.node_vlan, uplink, cluster.mtu)}


@then(parsers.parse('the rendering is refused with "{error}"'))
def refused(nodeprep, error):
    done = nodeprep.rendered
    assert done.returncode == 2 and done.stdout == "", done.stdout
    assert done.stderr.startswith("acisim nodeprep: error: ") and error in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


@then("every check passes on every node")
def all_pass(nodeprep):
    assert nodeprep.report.failures() == []
    assert all(r.status == "pass" for results in nodeprep.report.nodes.values() for r in results)


@then("the report says which kind of VLAN subinterface was used")
def subif_kind(nodeprep):
    kind = nodeprep.report.subif_kind
    assert kind in ("vlan", "macvlan")
    expected = "802.1Q VLAN" if kind == "vlan" else "macvlan stand-in"
    assert expected in nodeprep.node_check("node1", "infra subinterface").detail
    assert nodeprep.report.text().startswith(f"sub-interfaces: {kind}")


@then("each node holds a DHCP lease on the infra VLAN with every requested option, given to its own client identifier")
def leases(nodeprep):
    lab = nodeprep.netns_lab
    served = {lease.client_id: lease.address for lease in dnsmasq_leases(lab.workdir / "dnsmasq.leases")}
    for node in lab.state.nodes:
        lease = latest_lease(lab.lease_file(node), lab.infra)
        assert lease is not None, f"{node.name} has no lease"
        assert served.get(f"01:{node.infra_mac}") == lease.address == node.tep, f"{node.name}: {lease.address}, served {served}"
        assert {"subnet-mask", "domain-name", "domain-name-servers", "ntp-servers", "wpad", "rfc3442-classless-static-routes",
                "ms-classless-static-routes"} <= set(lease.options)
        assert nodeprep.node_check(node.name, "infra DHCP lease").status == "pass"


@then(parsers.parse("on the infra VLAN a DF ping of {ok:d} bytes reaches the OpFlex peer and one of {too_big:d} bytes does not"))
def df_ping(nodeprep, ok, too_big):
    for node in nodeprep.report.nodes:
        assert nodeprep.node_check(node, "infra MTU path").detail == \
            f"DF ping {ok} B to OpFlex peer 10.0.0.30 passes, {too_big} B is refused"


@then(parsers.parse("multicast sent by {sender} reaches {receiver} over the infra VLAN"))
def multicast(nodeprep, sender, receiver):
    found = {r.name: r for r in nodeprep.report.fabric}[f"multicast {sender} → {receiver}"]
    assert found.status == "pass" and found.detail.endswith("received on the infra VLAN"), found.detail


@then(parsers.parse("each node's default route goes via the node subnet gateway {gateway}"))
def default_route(nodeprep, gateway):
    for node in nodeprep.report.nodes:
        assert nodeprep.node_check(node, "default route").detail == f"via {gateway} dev ens192.{nodeprep.cluster.node_vlan}"


@then(parsers.parse("{node} reaches the API server on {server} over the node VLAN"))
def apiserver(nodeprep, node, server):
    address = next(n.ip for n in nodeprep.netns_lab.state.nodes if n.name == server)
    found = nodeprep.node_check(node, "API server")
    assert found.status == "pass" and found.detail.startswith(f"{address}:6443 answers /version")
    assert found.detail.endswith(f"via ens192.{nodeprep.cluster.node_vlan}"), found.detail


@then("no namespace or process of the lab is left")
def nothing_left(nodeprep):
    lab = nodeprep.netns_lab
    assert not [n for n in netns_list() if n.startswith(f"{lab.prefix}-")]
    assert lab.state.pids and not any(process_alive(pid) for pid in lab.state.pids.values())


@then(parsers.parse('{node}\'s check "{check}" fails saying "{reason}"'))
def check_fails(nodeprep, node, check, reason):
    found = nodeprep.node_check(node, check)
    assert found.status == "fail" and reason in found.detail, f"{found.status}: {found.detail}"


@then(parsers.parse("every other check of {node} passes"))
def others_pass(nodeprep, node):
    failing = [r.name for r in nodeprep.report.nodes[node] if not r.ok]
    assert len(failing) == 1, failing


@then(parsers.parse("every check of {node} passes"))
def node_passes(nodeprep, node):
    assert [f"{r.name}: {r.detail}" for r in nodeprep.report.nodes[node] if not r.ok] == []
