"""The fabric a lab boots with: sizes from a fixture, numbering, the infra VLAN acc-provision reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.apic.service import Apic, ApicConfig
from simulator.fabric.topology import Topology

REPO = Path(__file__).resolve().parents[2]
INFRA_BINDING = "uni/infra/attentp-default/provacc/rsfuncToEpg-[uni/tn-infra/ap-access/epg-default]"


def roles(apic: Apic) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in apic.store.of_class("fabricNode"):
        out.setdefault(node.get("role"), []).append(node.get("id"))
    return {role: sorted(ids, key=int) for role, ids in out.items()}


def test_default_fabric():
    apic = Apic()
    assert roles(apic) == {"controller": ["1"], "spine": ["201", "202"], "leaf": ["101", "102", "103", "104"]}
    running = list(apic.store.of_class("firmwareCtrlrRunning"))
    assert [m.dn for m in running] == ["topology/pod-1/node-1/sys/ctrlrfwstatuscont/ctrlrrunning"]
    assert running[0].get("version") == "6.1(4h)"
    binding = apic.store.get(INFRA_BINDING)
    assert (binding.get("encap"), binding.get("state")) == ("vlan-3967", "formed")


def test_fabric_from_fixture_file():
    topo = Topology.from_file(REPO / "fixtures" / "fabric" / "two-pod.yaml")
    apic = Apic(ApicConfig(topology=topo))
    found = roles(apic)
    assert found["controller"] == ["1", "2", "3"]
    assert found["leaf"] == [*map(str, range(101, 109)), *map(str, range(1101, 1109))]
    assert len(found["spine"]) == 8
    assert apic.store.get("topology/pod-2/node-1101/sys").get("podId") == "2"
    assert next(iter(apic.store.of_class("firmwareCtrlrRunning"))).get("version") == "6.0(8e)"


def test_infra_vlan_follows_the_topology():
    apic = Apic(ApicConfig(topology=Topology(infra_vlan=4093)))
    assert apic.store.get(INFRA_BINDING).get("encap") == "vlan-4093"


@pytest.mark.parametrize(
    "text, message",
    [
        ("fabric: {leaves: 0}", "leaves must be a whole number"),
        ("fabric: {infra_vlan: 5000}", "infra_vlan must be between 1 and 4094"),
        ("fabric: {racks: 2}", "unknown fabric settings: racks"),
    ],
)
def test_bad_fabric_files_are_refused(tmp_path, text, message):
    path = tmp_path / "fabric.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        Topology.from_file(path)
