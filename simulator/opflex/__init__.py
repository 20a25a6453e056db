"""The fabric's side of OpFlex: node preparation meets the leaves.

    preparation.py  each Kubernetes node's preparation (scenario, node-prep lab report, plain verdict)
                    and its infra address (its TEP lease)
    devices.py      the opflexODev, compHv and logical switch a connected agent gives the APIC
    peer.py         OpflexPeer: the lab part whose tick connects running host agents and writes the result

Cross-system code: it reads Kubernetes through the Kube facade and writes the APIC through its system
write path, as the fabric itself would; neither system knows it.
"""

from .peer import OpflexPeer
from .preparation import NodePreparation, PreparationError, Preparations

__all__ = ["NodePreparation", "OpflexPeer", "PreparationError", "Preparations"]
