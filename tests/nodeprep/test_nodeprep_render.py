"""Rendering a node's network configuration from the acc-provision input, through the Python API and
`acisim nodeprep render`; the netplan output is fed to the real `netplan generate`."""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from simulator.nodeprep import ClusterNetwork, NodePrepError, NodeSpec, render_node
from simulator.nodeprep.apply import parse_interfaces, stand_in_mac
from simulator.nodeprep.leases import dhclient_leases, dnsmasq_leases, normalize_client_id

ROOT = Path(__file__).resolve().parents[2]
VXLAN = ROOT / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
SEED_DHCLIENT = """\
send dhcp-client-identifier 01:00:50:56:aa:bb:01;
request subnet-mask, domain-name, domain-name-servers, host-name;
send host-name "node1";
option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
option ms-classless-static-routes code 249 = array of unsigned integer 8;
option wpad code 252 = string;
also request rfc3442-classless-static-routes;
also request ms-classless-static-routes;
also request static-routes;
also request wpad;
also request ntp-servers;
"""


def cluster_from(net: dict, **aci) -> ClusterNetwork:
    base = {"node_subnet": "10.1.0.1/16", "kubeapi_vlan": 4001, "infra_vlan": 3967}
    return ClusterNetwork.from_mapping({"aci_config": {"system_id": "k", **aci}, "net_config": {**base, **net}})


def acisim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture
def cluster() -> ClusterNetwork:
    return ClusterNetwork.from_file(VXLAN)


@pytest.fixture
def plan(cluster):
    return render_node(cluster, NodeSpec.parse(cluster, "node1", "ens192", "00:50:56:AA:BB:01", "10.1.0.101"))


def test_cluster_network_comes_from_net_config(cluster):
    assert (cluster.system_id, cluster.infra_vlan, cluster.node_vlan, str(cluster.node_gateway), str(cluster.node_subnet),
            cluster.mtu, str(cluster.multicast_probe)) == ("mykube", 3967, 4001, "10.1.0.1/16", "10.1.0.0/16", 1600, "225.20.1.1")


def test_every_provisioning_fixture_is_a_valid_cluster():
    vlans = {p.name: ClusterNetwork.from_file(p).node_vlan for p in (ROOT / "fixtures" / "acc-provision").glob("*.yaml")}
    assert len(vlans) == 3 and all(1 <= v <= 4094 for v in vlans.values())


def test_a_larger_container_mtu_widens_the_uplink():
    assert cluster_from({"interface_mtu": 8900}).mtu == 9000
    assert cluster_from({"interface_mtu": 1400}).mtu == 1600
    assert cluster_from({"interface_mtu": 8900, "interface_mtu_headroom": 150}).mtu == 9050


@pytest.mark.parametrize("data, message", [
    ({"aci_config": {}}, "missing key net_config"),
    ({"net_config": {"kubeapi_vlan": 4001, "infra_vlan": 3967}}, "missing key net_config.node_subnet"),
    ({"net_config": {"node_subnet": "10.1.0.1/16", "infra_vlan": 3967}}, "missing key net_config.kubeapi_vlan"),
    ({"net_config": {"node_subnet": "10.1.0.1/16", "kubeapi_vlan": 4001}}, "missing key net_config.infra_vlan"),
    ({"net_config": {"node_subnet": "10.1.0.1/16", "kubeapi_vlan": 4001, "infra_vlan": 5000}}, "infra_vlan 5000 is out of range (1-4094)"),
    ({"net_config": {"node_subnet": "10.1.0.1/16", "kubeapi_vlan": 0, "infra_vlan": 3967}}, "kubeapi_vlan 0 is out of range"),
    ({"net_config": {"node_subnet": "10.1.0.1/16", "kubeapi_vlan": "x", "infra_vlan": 3967}}, "must be a number, not 'x'"),
    ({"net_config": {"node_subnet": "10.1.0.1/16", "kubeapi_vlan": 4001, "infra_vlan": 4001}}, "must differ"),
    ({"net_config": {"node_subnet": "bogus", "kubeapi_vlan": 4001, "infra_vlan": 3967}}, "is not an IPv4 gateway/prefix"),
    ({"net_config": {"node_subnet": "10.1.0.0/16", "kubeapi_vlan": 4001, "infra_vlan": 3967}}, "must name the gateway address"),
    (["not", "a", "mapping"], "expected an acc-provision config"),
])
def test_bad_cluster_config_is_one_clear_line(data, message):
    with pytest.raises(NodePrepError) as error:
        ClusterNetwork.from_mapping(data)
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("field, value, message", [
    ("ip", "10.9.0.1", "node IP 10.9.0.1 is outside the node subnet 10.1.0.0/16"),
    ("ip", "10.1.0.1", "is the node subnet's gateway"),
    ("ip", "10.1.255.255", "network or broadcast address"),
    ("ip", "10.1.0.101/24", "has prefix /24; the node subnet is 10.1.0.0/16"),
    ("ip", "node-one", "is not an IPv4 address"),
    ("mac", "00:50:56:aa:bb", "is malformed"),
    ("mac", "00:50:56:aa:bb:zz", "is malformed"),
    ("mac", "01:00:5e:00:00:01", "is a multicast address"),
    ("uplink", "enp175s0f1np1", "is too long"),
    ("uplink", "ens192.10", "is not an interface name"),
    ("name", "node_1", "is not a valid host name"),
])
def test_bad_node_input_is_one_clear_line(cluster, field, value, message):
    given = {"name": "node1", "uplink": "ens192", "mac": "00:50:56:aa:bb:01", "ip": "10.1.0.101", field: value}
    with pytest.raises(NodePrepError) as error:
        NodeSpec.parse(cluster, **given)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_interfaces_stanza_matches_the_procedure(plan):
    stanzas = {s.name: s for s in parse_interfaces(plan.interfaces)}
    assert list(stanzas) == ["ens192", "ens192.3967", "ens192.4001"] and all(s.auto for s in stanzas.values())
    uplink, infra, node = stanzas.values()
    assert (uplink.method, uplink.options) == ("manual", {"mtu": "1600"})
    assert (infra.method, infra.options, infra.up) == (
        "dhcp", {"mtu": "1600", "vlan-raw-device": "ens192"}, ["ip route replace 224.0.0.0/4 dev ens192.3967"])
    assert (node.method, node.options) == ("static", {"address": "10.1.0.101", "netmask": "255.255.0.0", "mtu": "1600",
                                                      "gateway": "10.1.0.1", "vlan-raw-device": "ens192"})
    assert (infra.vlan_id, infra.raw_device, node.vlan_id) == (3967, "ens192", 4001)


def test_dhclient_file_is_the_seed_with_the_nodes_mac_and_name(plan):
    assert plan.dhclient_path == "/etc/dhcp/dhclient-ens192.3967.conf"
    assert plan.dhclient == SEED_DHCLIENT


def test_netplan_says_the_same(plan):
    network = yaml.safe_load(plan.netplan)["network"]
    assert network["ethernets"] == {"ens192": {"mtu": 1600}}
    infra, node = network["vlans"]["ens192.3967"], network["vlans"]["ens192.4001"]
    assert (infra["id"], infra["link"], infra["mtu"], infra["dhcp4"], infra["dhcp-identifier"], infra["routes"]) == (
        3967, "ens192", 1600, True, "mac", [{"to": "224.0.0.0/4", "scope": "link"}])
    assert (node["id"], node["addresses"], node["routes"]) == (4001, ["10.1.0.101/16"], [{"to": "default", "via": "10.1.0.1"}])


def test_real_netplan_generates_the_networkd_units(plan, tmp_path):
    netplan = shutil.which("netplan")
    assert netplan, "netplan is not installed (tools/run-tests installs netplan.io)"
    target = tmp_path / plan.netplan_path.lstrip("/")
    target.parent.mkdir(parents=True)
    target.write_text(plan.netplan)
    target.chmod(0o600)
    done = subprocess.run([netplan, "generate", "--root-dir", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    units = tmp_path / "run" / "systemd" / "network"
    infra_dev = (units / "10-netplan-ens192.3967.netdev").read_text()
    infra_net = (units / "10-netplan-ens192.3967.network").read_text()
    node_net = (units / "10-netplan-ens192.4001.network").read_text()
    assert all(line in infra_dev for line in ("Kind=vlan", "Id=3967", "MTUBytes=1600"))
    assert all(line in infra_net for line in ("DHCP=ipv4", "ClientIdentifier=mac", "Destination=224.0.0.0/4"))
    assert all(line in node_net for line in ("Address=10.1.0.101/16", "Gateway=10.1.0.1", "MTUBytes=1600"))
    assert "VLAN=ens192.3967" in (units / "10-netplan-ens192.network").read_text()


def test_stand_in_mac_is_per_vlan_and_unicast():
    assert stand_in_mac("02:ac:00:00:00:01", 3967) == "02:ac:0f:7f:00:01"
    assert stand_in_mac("00:50:56:aa:bb:01", 4001) == "02:50:0f:a1:bb:01"


def test_lease_files_are_read_as_dhclient_and_dnsmasq_write_them():
    text = """lease {
  interface "ens192.3967";
  fixed-address 10.0.0.161;
  option subnet-mask 255.255.0.0;
  option rfc3442-classless-static-routes 8,10,10,0,0,30;
  option domain-name "fabric.aci.sim";
  renew 1 2026/11/23 13:47:51;
}
lease {
  interface "ens192.3967";
  fixed-address 10.0.0.170;
}
"""
    leases = dhclient_leases(text)
    assert [(lease.interface, lease.address) for lease in leases] == [("ens192.3967", "10.0.0.161"), ("ens192.3967", "10.0.0.170")]
    assert leases[0].options == {"subnet-mask": "255.255.0.0", "rfc3442-classless-static-routes": "8,10,10,0,0,30",
                                 "domain-name": "fabric.aci.sim"}
    assert normalize_client_id("1:2:ac:f:7f:0:1") == "01:02:ac:0f:7f:00:01"


def test_dnsmasq_lease_database(tmp_path):
    db = tmp_path / "dnsmasq.leases"
    db.write_text("1795446000 02:ac:0f:7f:00:01 10.0.0.161 node1 01:02:ac:0f:7f:00:01\n")
    [lease] = dnsmasq_leases(db)
    assert (lease.mac, lease.address, lease.hostname, lease.client_id) == (
        "02:ac:0f:7f:00:01", "10.0.0.161", "node1", "01:02:ac:0f:7f:00:01")


# -- the command line ---------------------------------------------------------------------------
NODE_ARGS = ("--node", "node1", "--uplink", "ens192", "--mac", "00:50:56:aa:bb:01", "--ip", "10.1.0.101")


def test_cli_prints_all_three_files():
    done = acisim("nodeprep", "render", "-c", str(VXLAN), *NODE_ARGS)
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stdout.splitlines() if line.startswith("# ==>")] == [
        "# ==> /etc/network/interfaces.d/aci-cni <==", "# ==> /etc/dhcp/dhclient-ens192.3967.conf <==",
        "# ==> /etc/netplan/60-aci-cni.yaml <=="]
    assert SEED_DHCLIENT in done.stdout


def test_cli_writes_files_under_a_root(tmp_path):
    done = acisim("nodeprep", "render", "-c", str(VXLAN), *NODE_ARGS, "--output-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "etc/dhcp/dhclient-ens192.3967.conf").read_text() == SEED_DHCLIENT
    assert "iface ens192.4001 inet static" in (tmp_path / "etc/network/interfaces.d/aci-cni").read_text()
    assert (tmp_path / "etc/netplan/60-aci-cni.yaml").stat().st_mode & 0o777 == 0o600


def test_cli_one_format_only():
    done = acisim("nodeprep", "render", "-c", str(VXLAN), *NODE_ARGS, "--format", "dhclient")
    assert done.stdout == SEED_DHCLIENT


@pytest.mark.parametrize("change, message", [
    (("--ip", "192.168.1.5"), "node IP 192.168.1.5 is outside the node subnet 10.1.0.0/16 (net_config.node_subnet)"),
    (("--mac", "00:50:56:aa:bb"), "MAC address '00:50:56:aa:bb' is malformed; expected six hex pairs such as 00:50:56:aa:bb:01"),
])
def test_cli_bad_input_exits_non_zero_with_one_line(change, message):
    args = list(NODE_ARGS)
    args[args.index(change[0]) + 1] = change[1]
    done = acisim("nodeprep", "render", "-c", str(VXLAN), *args)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"acisim nodeprep: error: {message}\n"


def test_cli_config_problems(tmp_path):
    missing = acisim("nodeprep", "render", "-c", str(tmp_path / "nope.yaml"), *NODE_ARGS)
    assert (missing.returncode, missing.stderr.count("\n")) == (2, 1) and "cannot read" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("net_config: [\n")
    done = acisim("nodeprep", "render", "-c", str(broken), *NODE_ARGS)
    assert (done.returncode, done.stderr.count("\n")) == (2, 1) and "is not valid YAML" in done.stderr
    vlan = tmp_path / "vlan.yaml"
    vlan.write_text(yaml.safe_dump({"net_config": {"node_subnet": "10.1.0.1/16", "kubeapi_vlan": 4001, "infra_vlan": 4095}}))
    done = acisim("nodeprep", "render", "-c", str(vlan), *NODE_ARGS)
    assert (done.returncode, done.stderr) == (2, f"acisim nodeprep: error: {vlan}: net_config.infra_vlan 4095 is out of range (1-4094)\n")


def test_check_without_a_prepared_uplink_says_so():
    done = acisim("nodeprep", "check", "-c", str(VXLAN))
    assert (done.returncode, done.stderr) == (2, "acisim nodeprep: error: no infra VLAN interface (*.3967) here; give --uplink\n")


def test_node_ip_helper_accepts_the_subnet_prefix(cluster):
    assert NodeSpec.parse(cluster, "Node1", "ens192", "00-50-56-AA-BB-01", "10.1.0.101/16") == NodeSpec(
        "node1", "ens192", "00:50:56:aa:bb:01", ipaddress.IPv4Address("10.1.0.101"))


def test_cli_output_dir_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = acisim("nodeprep", "render", "-c", str(VXLAN), *NODE_ARGS, "--output-dir", str(blocker / "root"))
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1)
    assert done.stderr.startswith("acisim nodeprep: error: Not a directory") and "Traceback" not in done.stderr
