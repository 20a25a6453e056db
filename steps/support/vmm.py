"""What the Red Hat VMM features share: the configuration an engineer posts for a Red Hat VMM domain and
its EPGs (as curl bodies), the names the APIC gives what it makes (DNs of the controller's inventory, of
vmmEpPD and fvRsDomAtt) and what an RHV host's NICs hear over LLDP. Waiting for the APIC, which reads
the RHV Manager on its own schedule, is steps.support.sim.eventually.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

PROVIDER = "uni/vmmp-Redhat"
INVENTORY = "comp/prov-Redhat"


# --- names ----------------------------------------------------------------------------------------------


def domain_dn(domain: str) -> str:
    return f"{PROVIDER}/dom-{domain}"


def pool_dn(pool: str) -> str:
    return f"uni/infra/vlanns-[{pool}]-dynamic"


def aep_dn(domain: str) -> str:
    return f"uni/infra/attentp-{domain}-aep"


def inventory_dn(domain: str, controller: str) -> str:
    """The controller's inventory: comp/prov-Redhat/ctrlr-[<domain>]-<controller>."""
    return f"{INVENTORY}/ctrlr-[{domain}]-{controller}"


def epg_dn(path: str) -> str:
    """`tenant/ap/epg` → uni/tn-tenant/ap-ap/epg-epg."""
    tenant, ap, epg = path.split("/")
    return f"uni/tn-{tenant}/ap-{ap}/epg-{epg}"


def dom_att_dn(epg_path: str, domain: str) -> str:
    return f"{epg_dn(epg_path)}/rsdomAtt-[{domain_dn(domain)}]"


def eppd_dn(domain: str, epg_path: str) -> str:
    return f"{domain_dn(domain)}/eppd-[{epg_dn(epg_path)}]"


def vlan_number(encap: str) -> int:
    assert encap.startswith("vlan-"), f"not a VLAN encap: {encap!r}"
    return int(encap[len("vlan-"):])


# --- what an engineer posts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RedhatDomain:
    """A Red Hat VMM domain with its dynamic pool, one credential, one controller and an AEP."""

    name: str
    pool: str
    first_vlan: int
    last_vlan: int
    controller: str
    data_center: str

    @property
    def credential(self) -> str:
        return f"{self.controller}-admin"

    def body(self, rhv_url: str, user: str, password: str) -> dict:
        """One curl-style body for uni: the pool, the AEP's binding and the domain with its VLAN pool
        binding, credential and controller (hostOrIp and port of the RHV Manager at `rhv_url`)."""
        engine = urlsplit(rhv_url)
        port = engine.port or (443 if engine.scheme == "https" else 80)
        dom = domain_dn(self.name)
        controller = {"name": self.controller, "hostOrIp": engine.hostname, "rootContName": self.data_center,
                      "mode": "rhev", "scope": "rhev", **({"port": str(port)} if port != 443 else {})}
        return {"polUni": {"attributes": {}, "children": [
            {"infraInfra": {"attributes": {}, "children": [
                {"fvnsVlanInstP": {"attributes": {"name": self.pool, "allocMode": "dynamic"}, "children": [
                    {"fvnsEncapBlk": {"attributes": {"from": f"vlan-{self.first_vlan}",
                                                     "to": f"vlan-{self.last_vlan}"}}}]}},
                {"infraAttEntityP": {"attributes": {"name": f"{self.name}-aep"}, "children": [
                    {"infraRsDomP": {"attributes": {"tDn": dom}}}]}}]}},
            {"vmmProvP": {"attributes": {"vendor": "Redhat"}, "children": [
                {"vmmDomP": {"attributes": {"name": self.name, "mode": "rhev"}, "children": [
                    {"infraRsVlanNs": {"attributes": {"tDn": pool_dn(self.pool)}}},
                    {"vmmUsrAccP": {"attributes": {"name": self.credential, "usr": user, "pwd": password}}},
                    {"vmmCtrlrP": {"attributes": controller, "children": [
                        {"vmmRsAcc": {"attributes": {"tDn": f"{dom}/usracc-{self.credential}"}}}]}}]}}]}}]}}


def tenant_body(tenant: str, ap: str, epgs: list[str]) -> dict:
    """A tenant with one VRF and bridge domain, and the application profile's EPGs on that BD."""
    return {"fvTenant": {"attributes": {"name": tenant}, "children": [
        {"fvCtx": {"attributes": {"name": "vrf"}}},
        {"fvBD": {"attributes": {"name": "bd"}, "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "vrf"}}}]}},
        {"fvAp": {"attributes": {"name": ap}, "children": [
            {"fvAEPg": {"attributes": {"name": epg}, "children": [{"fvRsBd": {"attributes": {"tnFvBDName": "bd"}}}]}}
            for epg in epgs]}}]}}


def dom_att_body(domain: str, resolution: str = "immediate") -> dict:
    return {"fvRsDomAtt": {"attributes": {"tDn": domain_dn(domain), "resImedcy": resolution}}}


# --- what a host NIC hears over LLDP --------------------------------------------------------------------


def lldp_tlvs(nic_service) -> dict[str, str]:
    """TLV name → its first property's value, as `lldpctl` would show what a host NIC hears."""
    elements = nic_service.link_layer_discovery_protocol_elements_service().list()
    return {element.name: element.properties[0].value for element in elements if element.properties}


def ports_facing(rhv_client, host: str) -> set[str]:
    """The path DNs the host's NICs hear in the Port Description TLV: the leaf ports facing the host."""
    nics = rhv_client.system.hosts_service().host_service(rhv_client.host(host).id).nics_service()
    found = {lldp_tlvs(nics.nic_service(nic.id)).get("Port Description") for nic in nics.list()}
    found.discard(None)
    assert found, f"no NIC of the host {host} hears a leaf over LLDP"
    return found
