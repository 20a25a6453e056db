"""The controller's configuration, as acc-provision renders it into the manifest.

The ConfigMap `aci-containers-config` holds `controller-config` (JSON); the key it names with
apic-private-key-path comes from the Secret `aci-user-cert` (user.key). A missing key stops the
controller with a message naming it, as the real controller refuses to start without it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED = ("apic-hosts", "apic-username", "aci-prefix", "aci-vmm-domain", "aci-vmm-controller", "aci-vrf",
            "aci-vrf-tenant", "aci-policy-tenant", "aci-podbd-dn", "aci-nodebd-dn")


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which key or file."""


@dataclass(frozen=True)
class ControllerConfig:
    apic_hosts: list[str]
    username: str
    prefix: str
    vmm_domain: str
    vmm_controller: str
    vrf: str
    vrf_tenant: str
    policy_tenant: str
    pod_bd_dn: str
    node_bd_dn: str
    vrf_dn: str
    private_key_path: str = ""
    service_phys_dom: str = ""
    service_encap: str = ""
    l3out: str = ""
    node_service_subnets: list[str] = field(default_factory=list)
    ext_networks: list[str] = field(default_factory=list)
    service_ip_pool: list[tuple[str, str]] = field(default_factory=list)
    static_service_ip_pool: list[tuple[str, str]] = field(default_factory=list)
    node_service_ip_pool: list[tuple[str, str]] = field(default_factory=list)
    pod_subnets: list[str] = field(default_factory=list)
    refresh_time: int = 1800
    refresh_adjust: int = 210
    raw: dict = field(default_factory=dict)

    @property
    def cert_dn(self) -> str:
        """The aaaUserCert acc-provision created for the controller's user (research §A1)."""
        return f"uni/userext/user-{self.username}/usercert-{self.username}.crt"

    @property
    def injcont(self) -> str:
        return f"comp/prov-Kubernetes/ctrlr-[{self.vmm_domain}]-{self.vmm_controller}/injcont"


def parse(text: str) -> ControllerConfig:
    """The configuration from the controller-config JSON text."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"controller-config is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError("controller-config is not a JSON object")
    missing = [key for key in REQUIRED if not data.get(key)]
    if missing:
        raise ConfigError(f"controller-config lacks {', '.join(missing)}")
    vrf_dn = data.get("aci-vrf-dn") or f"uni/tn-{data['aci-vrf-tenant']}/ctx-{data['aci-vrf']}"
    return ControllerConfig(
        apic_hosts=list(data["apic-hosts"]), username=data["apic-username"], prefix=data["aci-prefix"],
        vmm_domain=data["aci-vmm-domain"], vmm_controller=data["aci-vmm-controller"], vrf=data["aci-vrf"],
        vrf_tenant=data["aci-vrf-tenant"], policy_tenant=data["aci-policy-tenant"],
        pod_bd_dn=data["aci-podbd-dn"], node_bd_dn=data["aci-nodebd-dn"], vrf_dn=vrf_dn,
        private_key_path=data.get("apic-private-key-path", ""),
        service_phys_dom=data.get("aci-service-phys-dom", ""), service_encap=data.get("aci-service-encap", ""),
        l3out=data.get("aci-l3out", ""), node_service_subnets=list(data.get("node-service-subnets") or []),
        ext_networks=list(data.get("aci-ext-networks") or []), service_ip_pool=_ranges(data, "service-ip-pool"),
        static_service_ip_pool=_ranges(data, "static-service-ip-pool"),
        node_service_ip_pool=_ranges(data, "node-service-ip-pool"),
        pod_subnets=list(data.get("pod-subnet") or []), refresh_time=int(data.get("apic-refreshtime") or 1800),
        refresh_adjust=int(data.get("apic-refreshticker-adjust") or 210), raw=data)


def _ranges(data: dict, key: str) -> list[tuple[str, str]]:
    """An ipam.IpRange list ([{"start": a, "end": b}]) as (start, end) pairs."""
    ranges = data.get(key) or []
    if not isinstance(ranges, list) or not all(isinstance(r, dict) and r.get("start") and r.get("end") for r in ranges):
        raise ConfigError(f"controller-config {key} is not a list of {{start, end}} ranges")
    return [(r["start"], r["end"]) for r in ranges]


def load(path: Path) -> ControllerConfig:
    """The configuration from a controller-config file (the ConfigMap's key, as mounted)."""
    try:
        return parse(Path(path).read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


def from_manifest(documents: list[dict]) -> tuple[ControllerConfig, bytes]:
    """The configuration and the private key from the manifest's ConfigMap and Secret."""
    def find(kind: str, name: str) -> dict:
        for doc in documents:
            if doc and doc.get("kind") == kind and doc.get("metadata", {}).get("name") == name:
                return doc
        raise ConfigError(f"the manifest has no {kind} {name}")

    config_map = find("ConfigMap", "aci-containers-config")
    text = config_map.get("data", {}).get("controller-config")
    if text is None:
        raise ConfigError("ConfigMap aci-containers-config lacks controller-config")
    key = find("Secret", "aci-user-cert").get("data", {}).get("user.key")
    if key is None:
        raise ConfigError("Secret aci-user-cert lacks user.key")
    return parse(text), base64.b64decode(key)
