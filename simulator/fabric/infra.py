"""The infrastructure VLAN as fabric bring-up leaves it: enabled on the default AEP.

acc-provision learns the infra VLAN from this relation's encap (acc-provision.md §4, apic-rest.md §5
infraAttEntityP row), and steps and tests read the same object, so its DN is named here once.
"""

from __future__ import annotations

INFRA_AEP = "uni/infra/attentp-default"
INFRA_EPG = "uni/tn-infra/ap-access/epg-default"
INFRA_VLAN_BINDING = f"{INFRA_AEP}/provacc/rsfuncToEpg-[{INFRA_EPG}]"


def infra_vlan_body(vlan: int) -> tuple[str, dict]:
    """The default AEP with its infra-VLAN binding, as the controller writes it at start."""
    return (
        INFRA_AEP,
        {
            "infraAttEntityP": {
                "attributes": {"name": "default"},
                "children": [
                    {
                        "infraProvAcc": {
                            "attributes": {"name": "provacc"},
                            "children": [
                                {
                                    "infraRsFuncToEpg": {
                                        "attributes": {
                                            "tDn": INFRA_EPG,
                                            "encap": f"vlan-{vlan}",
                                            "mode": "regular",
                                        }
                                    }
                                }
                            ],
                        }
                    }
                ],
            }
        },
    )
