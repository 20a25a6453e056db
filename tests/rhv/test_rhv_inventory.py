"""RHV inventories: the YAML fixtures, their mistakes, and the seeded generator for large labs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from simulator import defaults
from simulator.clock import ManualClock
from simulator.rhv.model.entities import stable_id
from simulator.rhv.service import Rhv

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "rhv"


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_rhv_inventory", ROOT / "tools" / "gen_rhv_inventory.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def engine(path: Path | None = None) -> Rhv:
    rhv = Rhv(clock=ManualClock(1_800_000_000))
    if path is not None:
        rhv.load_inventory(path)
    return rhv


@pytest.mark.parametrize("path", [defaults.RHV_INVENTORY, *sorted(FIXTURES.glob("*.yaml"))], ids=lambda p: p.name)
def test_every_fixture_loads(path):
    counts = engine(path).counts()
    assert counts["data_centers"] >= 1 and counts["hosts"] >= 1


def test_a_fresh_engine_has_the_default_data_center():
    rhv = engine()
    assert rhv.counts() == {"data_centers": 1, "clusters": 1, "hosts": 0, "networks": 1, "vms": 0}
    network = rhv.find("networks", "ovirtmgmt")
    cluster = rhv.find("clusters", "Default")
    assert rhv.inventory.management_network(cluster.id) is network
    assert [p.name for p in rhv.inventory.profiles_of(network.id)] == ["ovirtmgmt"]


def test_ids_follow_from_names():
    one, two = engine(defaults.RHV_INVENTORY), engine(defaults.RHV_INVENTORY)
    assert set(one.inventory.vms) == set(two.inventory.vms)
    assert one.find("vms", "vm1").id == stable_id("vm", "vm1")
    assert one.find("hosts", "host1").spm and not one.find("hosts", "host2").spm


def test_host_cabling_is_not_an_rhv_inventory_matter(tmp_path):
    """An old fixture with `uplink:` is refused in one line that says where cabling lives now."""
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump({"data_centers": [{"name": "A", "clusters": [{"name": "c", "hosts": [
        {"name": "h", "nics": [{"name": "eno1", "uplink": {"leaf": 101, "port": "eth1/1"}}]}]}]}]}))
    with pytest.raises(ValueError) as caught:
        engine().load_inventory(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value) == ("host h nic eno1: 'uplink' is no longer read here; host cabling belongs in the "
                                 "fabric file's 'cabling:' list")
    for fixture in [defaults.RHV_INVENTORY, *FIXTURES.glob("*.yaml")]:
        assert "uplink" not in fixture.read_text(), fixture


@pytest.mark.parametrize("mistake, message", [
    ({"data_centers": [{"name": "A"}, {"name": "A"}]}, "data center A: defined twice"),
    ({"data_centers": [{"name": "A", "networks": [{"name": "n", "vlan": 5000}]}]}, "vlan must be 0-4094"),
    ({"data_centers": [{"name": "A", "clusters": [{"name": "c", "networks": ["nope"]}]}]}, "no network 'nope'"),
    ({"data_centers": [{"name": "A", "clusters": [{"name": "c", "vms": [{"name": "v", "status": "up"}]}]}]},
     "has no up host"),
    ({"data_centers": [{"name": "A", "clusters": [{"name": "c", "vms": [{"name": "v", "status": "flying"}]}]}]},
     "status must be one of"),
    ({"data_centers": [{"name": "A", "clusters": [{"name": "c", "hosts": [{"name": "h", "nics": [
        {"uplink": {"leaf": 101}}]}]}]}]}, "host cabling belongs in the fabric file's 'cabling:' list"),
    ({"clusters": []}, "a data_centers list"),
    ({"data_centers": [{"name": "A", "clusters": [{"name": "c", "hosts": [{"name": "h", "unattached": ["web"]}]}]}]},
     "host h: unattached names no network of its cluster: web"),
])
def test_mistakes_are_named_and_change_nothing(tmp_path, mistake, message):
    rhv = engine(defaults.RHV_INVENTORY)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(mistake))
    with pytest.raises(ValueError, match=message):
        rhv.load_inventory(path)
    assert rhv.find("vms", "vm1") is not None


def test_hosts_carry_their_clusters_networks_on_the_management_nic_unless_told_otherwise(tmp_path):
    """The loader's default: a cluster network no NIC names goes where ovirtmgmt is (with its VLAN device);
    a NIC that names it keeps it; a host listing it under `unattached:` does not carry it."""
    path = tmp_path / "nets.yaml"
    path.write_text(yaml.safe_dump({"data_centers": [{"name": "A", "networks": [
        {"name": "ovirtmgmt", "management": True}, {"name": "web", "vlan": 110}, {"name": "db", "vlan": 120}],
        "clusters": [{"name": "c", "networks": ["web", "db"], "hosts": [
            {"name": "h1", "nics": [{"name": "eno1"}, {"name": "eno2", "networks": ["db"]}]},
            {"name": "h2", "nics": [{"name": "eno1"}], "unattached": ["web"]}]}]}]}))
    rhv = engine(path)
    inv = rhv.inventory

    def carried(host_name):
        host = rhv.find("hosts", host_name)
        return sorted((inv.networks[a.network_id].name, inv.find_host_nic(host, a.nic_id).name)
                      for a in host.attachments), sorted(n.name for n in host.nics)

    assert carried("h1") == ([("db", "eno2"), ("ovirtmgmt", "eno1"), ("web", "eno1")],
                             ["eno1", "eno1.110", "eno2", "eno2.120"])
    assert carried("h2") == ([("db", "eno1"), ("ovirtmgmt", "eno1")], ["eno1", "eno1.120"])


def test_reset_returns_to_the_loaded_inventory():
    rhv = engine(defaults.RHV_INVENTORY)
    with rhv.session():
        rhv.lifecycle.stop(rhv.find("vms", "vm1"), rhv.caller())
    assert rhv.find("vms", "vm1").status == "down" and rhv.audit.events
    rhv.reset()
    assert rhv.find("vms", "vm1").status == "up" and rhv.audit.events == [] and rhv.jobs.jobs == {}


def test_generator_is_deterministic_per_seed():
    gen = load_generator()
    assert gen.generate(seed=7, vms=50, hosts=8) == gen.generate(seed=7, vms=50, hosts=8)
    assert gen.generate(seed=7, vms=50, hosts=8) != gen.generate(seed=8, vms=50, hosts=8)


def test_generated_large_lab_loads_with_stable_ids(tmp_path):
    gen = load_generator()
    out = tmp_path / "large.yaml"
    assert gen.main(["--seed", "42", "--data-centers", "2", "--clusters", "4", "--hosts", "50", "--vms", "1000",
                     "-o", str(out)]) == 0
    rhv = engine(out)
    assert rhv.counts() == {"data_centers": 2, "clusters": 4, "hosts": 50, "networks": 8, "vms": 1000}
    again = tmp_path / "again.yaml"
    gen.main(["--seed", "42", "--data-centers", "2", "--clusters", "4", "--hosts", "50", "--vms", "1000",
              "-o", str(again)])
    assert out.read_bytes() == again.read_bytes()
    assert set(engine(again).inventory.vms) == set(rhv.inventory.vms)
    inv = rhv.inventory
    running = [vm for vm in inv.vms.values() if vm.status == "up"]
    assert running and all(inv.hosts[vm.host_id].cluster_id == vm.cluster_id for vm in running)
    assert all(inv.untagged_network(h, h.nics[0]).name == "ovirtmgmt" for h in inv.hosts.values())
    macs = [nic.mac for vm in inv.vms.values() for nic in vm.nics]
    assert len(set(macs)) == len(macs)


def test_generator_refuses_impossible_sizes():
    with pytest.raises(ValueError):
        load_generator().generate(data_centers=2, clusters=1)
