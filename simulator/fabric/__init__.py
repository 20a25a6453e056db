"""The fabric owns the fabric: nodes, pods, the TEP pool, path DNs, LLDP identity and cabling.

    nodes.py     node ids, names and models (controllers 1.., leaves 101.., spines 201..)
    tep.py       the TEP pool and the addresses derived from it (the OpFlex peer .30, node TEPs)
    paths.py     path DNs (paths-N/pathep-[eth1/X], protpaths-N-M/pathep-[name]) and their MOs
    lldp.py      what a leaf sends in LLDP on each port
    infra.py     the infra VLAN's binding on the default AEP
    topology.py  the sizes of a fabric and the APIC topology tree it boots with
    cabling.py   server NIC -> leaf port or vPC pair, validated at load
    fabric.py    topology + cabling from one fabric file; LLDP neighbours as plain data

Imports nothing of ours but the clock, so every system may use it and it knows none of them.
"""

from .cabling import Attachment, Cabling, LeafPort, Link, Port
from .fabric import Fabric
from .infra import INFRA_VLAN_BINDING
from .lldp import LldpIdentity
from .paths import path_dn, vpc_path_dn
from .tep import DEFAULT_TEP_POOL, TepPool
from .topology import Topology

__all__ = [
    "DEFAULT_TEP_POOL",
    "INFRA_VLAN_BINDING",
    "Attachment",
    "Cabling",
    "Fabric",
    "LeafPort",
    "Link",
    "LldpIdentity",
    "Port",
    "TepPool",
    "Topology",
    "path_dn",
    "vpc_path_dn",
]
