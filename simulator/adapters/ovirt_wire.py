"""Shapes of the engine's JSON wire both halves of the client read: how it says no (an error status with a
fault, bare or inside a failed action's reply; the client turns it into one ControllerError quoting the
engine's own words) and what a host NIC hears over LLDP."""

from __future__ import annotations

import requests

from ..apic.managers.vmm_ports import ControllerError


class EngineRefusal(ControllerError):
    """The engine answered a request with an error status; `detail` is its fault's words (brackets gone)."""

    def __init__(self, message: str, status: int, detail: str):
        super().__init__(message)
        self.status = status
        self.detail = detail


def fault_words(reply: requests.Response) -> str:
    """The detail (else the reason) of the engine's fault, without the brackets the engine puts around
    validation messages; "" when the reply carries no fault (a bare 404)."""
    try:
        body = reply.json() if reply.content else {}
    except ValueError:
        return ""
    fault = body.get("fault", body) if isinstance(body, dict) else {}
    words = str(fault.get("detail") or fault.get("reason") or "") if isinstance(fault, dict) else ""
    return words[1:-1] if words.startswith("[") and words.endswith("]") else words


def lldp_tlvs(nic: dict) -> dict[str, str]:
    """A host NIC's LLDP TLVs (followed as `nics.link_layer_discovery_protocol_elements`): name -> value."""
    tlvs = {}
    elements = nic.get("link_layer_discovery_protocol_elements", {})
    for element in elements.get("link_layer_discovery_protocol_element", []):
        values = [p.get("value", "") for p in element.get("properties", {}).get("property", [])]
        tlvs[element.get("name", "")] = values[0] if values else ""
    return tlvs
