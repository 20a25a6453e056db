"""What an ACI leaf sends in LLDP on a front-panel port: how a server learns where it is cabled.

The Port Description TLV is the port's path DN and the System Description the leaf's node DN
(vmm-endpoints-contracts.md §A4); on a vPC member port the Port Description is the vPC's path. This
is what the APIC correlates with a hypervisor's reported neighbours before it deploys VLANs there.
"""

from __future__ import annotations

from dataclasses import dataclass

from .nodes import node_name
from .paths import node_dn, path_dn

TTL = 120  # seconds, NX-OS's default LLDP hold time
CISCO_OUI = "00:3a:9c"


def chassis_id(pod: int, leaf: int) -> str:
    """A stable MAC per leaf (a Cisco OUI, then pod and node id): the same leaf is the same neighbour
    in every run."""
    return f"{CISCO_OUI}:{pod:02x}:{leaf >> 8:02x}:{leaf & 0xFF:02x}"


@dataclass(frozen=True)
class LldpIdentity:
    chassis_id: str
    port_id: str
    port_description: str
    system_name: str
    system_description: str
    ttl: int = TTL

    def as_neighbour(self) -> dict[str, str]:
        """The neighbour as plain data for a system that must not import the fabric (the RHV model)."""
        return {
            "chassis_id": self.chassis_id,
            "port_id": self.port_id,
            "port_description": self.port_description,
            "system_name": self.system_name,
            "system_description": self.system_description,
        }


def leaf_port_identity(
    pod: int, leaf: int, interface: str, advertised_path: str | None = None
) -> LldpIdentity:
    """What `leaf` sends on `interface`; `advertised_path` is the vPC path on a vPC member port."""
    return LldpIdentity(
        chassis_id=chassis_id(pod, leaf),
        port_id=interface,
        port_description=advertised_path or path_dn(pod, leaf, interface),
        system_name=node_name("leaf", leaf),
        system_description=node_dn(pod, leaf),
    )
