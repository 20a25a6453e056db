"""The fabric's cabling as the clients see it: what each RHV host NIC hears over LLDP (through the real
ovirtsdk4) names a path the APIC holds (through its REST API), for the default lab and the two-pod one."""

from __future__ import annotations

from pathlib import Path

import ovirtsdk4 as sdk
import pytest
import requests

from simulator.lab import Lab, LabOptions

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LABS = {
    "default": LabOptions(),
    "two-pod": LabOptions(topology=FIXTURES / "fabric" / "two-pod.yaml",
                          rhv_inventory=FIXTURES / "rhv" / "two-clusters.yaml"),
}


@pytest.fixture(params=sorted(LABS))
def served(request):
    lab = Lab(LABS[request.param])
    apic, rhv = lab.start(tls=False), lab.start_rhv(tls=False)
    yield lab, apic.url, rhv.url
    lab.stop()


def _lldp(connection: sdk.Connection) -> dict[tuple[str, str], dict[str, str]]:
    """Host name and NIC name -> {TLV name: value} for every host NIC, as a script reads them."""
    hosts_service = connection.system_service().hosts_service()
    heard = {}
    for host in hosts_service.list():
        nics_service = hosts_service.host_service(host.id).nics_service()
        for nic in nics_service.list():
            elements = nics_service.nic_service(nic.id).link_layer_discovery_protocol_elements_service().list()
            heard[(host.name, nic.name)] = {e.name: e.properties[0].value for e in elements}
    return heard


def test_every_cabled_host_nic_hears_a_leaf_port_the_apic_has(served):
    lab, apic_url, rhv_url = served
    connection = sdk.Connection(url=f"{rhv_url}/ovirt-engine/api", username="admin@internal",
                                password="redhat123", insecure=True)
    try:
        heard = _lldp(connection)
    finally:
        connection.close()
    apic = requests.Session()
    apic.trust_env = False
    apic.post(f"{apic_url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}})
    paths = {mo["fabricPathEp"]["attributes"]["dn"]
             for mo in apic.get(f"{apic_url}/api/class/fabricPathEp.json").json()["imdata"]}
    nodes = {mo["fabricNode"]["attributes"]["dn"]
             for mo in apic.get(f"{apic_url}/api/class/fabricNode.json").json()["imdata"]}

    cabled = {key: tlvs for key, tlvs in heard.items() if tlvs}
    assert cabled, "no host NIC hears a leaf"
    assert set(cabled) == set(lab.fabric.lldp_neighbours()) & set(heard)
    for (host, nic), tlvs in cabled.items():
        assert tlvs["Port Description"] in paths, f"{host} {nic} hears {tlvs['Port Description']}, not a path"
        assert tlvs["System Description"] in nodes, f"{host} {nic}: {tlvs['System Description']} is no node"
        assert tlvs["System Name"].startswith("leaf-")
