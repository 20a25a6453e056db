"""Cabling: every server NIC to a leaf port or a vPC pair, loaded from a fabric file, refused when wrong."""

from __future__ import annotations

import pytest
import yaml

from simulator.fabric import Fabric, LeafPort, Port

TWO_PODS = {"pods": 2, "leaves": 4}


def fabric_file(tmp_path, cabling, fabric=None):
    path = tmp_path / "fabric.yaml"
    path.write_text(yaml.safe_dump({"fabric": fabric or TWO_PODS, "cabling": cabling}))
    return path


def test_a_server_with_single_ports_and_a_vpc_bond(tmp_path):
    path = fabric_file(
        tmp_path,
        [
            {"server": "host1", "nic": "eno1", "leaf": 101, "port": "eth1/1"},
            {
                "server": "host1",
                "nic": "bond0",
                "vpc": [1101, 1102],
                "port": "eth1/10",
                "members": ["eno3", "eno4"],
                "policy_group": "host1_vpc",
            },
            {"server": "host2", "nic": "eno1", "leaf": 1103, "port": "eth1/48"},
        ],
    )
    fabric = Fabric.from_file(path)
    ports = fabric.cabling.for_server("host1")
    assert ports == {
        "eno1": Port(1, (101,), "eth1/1"),
        "bond0": Port(2, (1101, 1102), "eth1/10", "host1_vpc"),
    }
    assert ports["eno1"].path_dn == "topology/pod-1/paths-101/pathep-[eth1/1]" and not ports["eno1"].vpc
    assert (
        ports["bond0"].path_dn == "topology/pod-2/protpaths-1101-1102/pathep-[host1_vpc]"
        and ports["bond0"].vpc
    )
    assert ports["bond0"].member_ports == (LeafPort(2, 1101, "eth1/10"), LeafPort(2, 1102, "eth1/10"))
    assert ports["bond0"].member_ports[1].path_dn == "topology/pod-2/paths-1102/pathep-[eth1/10]"
    assert fabric.cabling.servers() == ["host1", "host2"]
    assert fabric.cabling.for_server("nobody") == {}
    assert [(link.server, link.nic, link.port.leaf) for link in fabric.cabling.links()] == [
        ("host1", "eno1", 101),
        ("host1", "eno3", 1101),
        ("host1", "eno4", 1102),
        ("host2", "eno1", 1103),
    ]


def test_a_file_without_cabling_has_none(tmp_path):
    path = tmp_path / "fabric.yaml"
    path.write_text("fabric: {leaves: 2}\n")
    fabric = Fabric.from_file(path)
    assert fabric.cabling.servers() == [] and fabric.lldp_neighbours() == {}


GOOD = {"server": "host1", "nic": "eno1", "leaf": 101, "port": "eth1/1"}


def vpc(**changes) -> dict:
    """db1's bond0 on the vPC pair 101-102 (eth1/10, members eno3 and eno4), with `changes` over it."""
    return {"server": "db1", "nic": "bond0", "vpc": [101, 102], "port": "eth1/10", "members": ["eno3", "eno4"],
            **changes}


@pytest.mark.parametrize(
    "cabling, message",
    [
        ({"server": "host1"}, "'cabling:' is a list of entries"),
        ([["host1", "eno1"]], "cabling entry 1: is ['host1', 'eno1'], not a mapping"),
        ([{**GOOD, "switch": 101}], "cabling entry 1: unknown keys: switch"),
        ([{"nic": "eno1", "leaf": 101, "port": "eth1/1"}], "cabling entry 1: needs 'server:'"),
        ([{"server": "host1", "leaf": 101, "port": "eth1/1"}], "cabling entry 1: needs 'nic:'"),
        (
            [{"server": "host1", "nic": "eno1", "port": "eth1/1"}],
            "cabling entry 1 (host1 eno1): needs either 'leaf: N' (one port) or 'vpc: [N, M]' (a vPC pair), "
            "not neither",
        ),
        ([{**GOOD, "vpc": [101, 102]}], "not both"),
        (
            [{**GOOD, "leaf": 105}],
            "cabling entry 1 (host1 eno1): leaf 105 is not in the fabric (its leaves: 101-104, 1101-1104)",
        ),
        ([{**GOOD, "leaf": 201}], "node 201 is a spine, not a leaf"),
        ([{**GOOD, "leaf": "leaf-101"}], "leaf 'leaf-101' is not a node id such as 101"),
        (
            [{**GOOD, "port": "Ethernet1/1"}],
            "cabling entry 1 (host1 eno1): port 'Ethernet1/1' is not a leaf interface such as eth1/1",
        ),
        ([{**GOOD, "port": "1/1"}], "port '1/1' is not a leaf interface"),
        (
            [{**GOOD, "port": "eth1/55"}],
            "leaf 101 (N9K-C93180YC-FX) has no eth1/55: its ports are eth1/1 to eth1/54",
        ),
        ([{**GOOD, "port": "eth2/1"}], "has no eth2/1"),
        (
            [GOOD, {**GOOD, "server": "host2"}],
            "cabling entry 2 (host2 eno1): leaf 101 eth1/1 is already cabled to host1 eno1 (entry 1)",
        ),
        (
            [GOOD, {**GOOD, "port": "eth1/2"}],
            "cabling entry 2 (host1 eno1): host1 eno1 is already cabled by entry 1",
        ),
        ([{**GOOD, "members": ["eno3", "eno4"]}], "'members:' belongs to a vPC entry"),
        (
            [vpc(vpc=[101, 1101])],
            "cabling entry 1 (db1 bond0): vpc leaves 101 and 1101 are in pods 1 and 2: "
            "a vPC pair is two leaves of one pod",
        ),
        (
            [vpc(vpc=[101, 101])],
            "vpc names leaf 101 twice: a vPC pair is two different leaves",
        ),
        (
            [{"server": "db1", "nic": "bond0", "vpc": [101], "port": "eth1/10", "members": ["eno3", "eno4"]}],
            "vpc [101] is not a pair of leaves such as [101, 102]",
        ),
        (
            [vpc(vpc=[101, 109])],
            "leaf 109 is not in the fabric",
        ),
        (
            [{"server": "db1", "nic": "bond0", "vpc": [101, 102], "port": "eth1/10"}],
            "members None must name the bond's two physical NICs",
        ),
        (
            [vpc(members=["eno3", "eno3"])],
            "members ['eno3', 'eno3'] must name",
        ),
        (
            [vpc(policy_group="db 1")],
            "policy_group 'db 1' is not an APIC name",
        ),
        (
            [
                vpc(port="eth1/1"),
                GOOD,
            ],
            "cabling entry 2 (host1 eno1): leaf 101 eth1/1 is already cabled to db1 eno3 (entry 1)",
        ),
        (
            [
                vpc(),
                {"server": "db1", "nic": "eno4", "leaf": 103, "port": "eth1/1"},
            ],
            "db1 eno4 is already cabled by entry 1",
        ),
        (
            [
                vpc(),
                vpc(server="db2", vpc=[102, 103], port="eth1/11"),
            ],
            "cabling entry 2 (db2 bond0): leaf 102 is already in vPC pair 101-102: a leaf has one vPC peer",
        ),
        (
            [
                vpc(policy_group="shared"),
                vpc(server="db2", port="eth1/11", policy_group="shared"),
            ],
            "vPC path topology/pod-1/protpaths-101-102/pathep-[shared] is already cabled by entry 1",
        ),
    ],
)
def test_bad_cabling_is_refused_with_one_line_naming_the_file_and_the_entry(tmp_path, cabling, message):
    path = fabric_file(tmp_path, cabling)
    with pytest.raises(ValueError) as refused:
        Fabric.from_file(path)
    text = str(refused.value)
    assert text.startswith(f"{path}: ") and message in text, text
    assert "\n" not in text


def test_two_vpcs_may_share_a_pair(tmp_path):
    path = fabric_file(
        tmp_path,
        [
            vpc(),
            vpc(server="db2", vpc=[102, 101], port="eth1/11"),
        ],
    )
    fabric = Fabric.from_file(path)
    container = dict(fabric.path_bodies())["topology/pod-1/protpaths-101-102"]["fabricProtPathEpCont"]
    assert [c["fabricPathEp"]["attributes"]["name"] for c in container["children"]] == [
        "db1-bond0-vpc",
        "db2-bond0-vpc",
    ]
