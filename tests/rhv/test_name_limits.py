"""The engine's length limits on names and descriptions (BusinessEntitiesDefinitions, MaxVmNameLength),
answered with its own faults, through the real ovirtsdk4 and plain HTTP."""

from __future__ import annotations

import ovirtsdk4 as sdk
import pytest
from lxml import etree

API = "/ovirt-engine/api"


def add_network(connection, name: str, description: str | None = None):
    return connection.system_service().networks_service().add(sdk.types.Network(
        name=name, description=description, data_center=sdk.types.DataCenter(name="Default")))


def test_a_network_name_of_256_characters_is_accepted(connection):
    assert add_network(connection, "n" * 256).name == "n" * 256


def test_a_network_name_over_256_characters_is_the_size_violation(connection, engine):
    with pytest.raises(sdk.Error) as err:
        add_network(connection, "n" * 257)
    assert err.value.code == 400
    assert "size must be between 0 and 256, Attribute: network.name" in str(err.value)
    assert engine.rhv.find("networks", "n" * 257) is None


def test_a_9mb_network_name_is_refused_and_not_kept(engine):
    with engine.session() as s:
        body = b"<network><name>" + b"n" * 9_000_000 + b"</name><data_center><name>Default</name></data_center></network>"
        resp = s.post(f"{engine.url}{API}/networks", data=body, headers={"Content-Type": "application/xml"})
    assert resp.status_code == 400
    root = etree.fromstring(resp.content)
    assert root.findtext("reason") == "Operation Failed"
    assert root.findtext("detail") == "[size must be between 0 and 256, Attribute: network.name]"
    assert len(engine.rhv.inventory.networks) == 1


def test_a_network_description_over_4000_characters_is_refused(connection):
    with pytest.raises(sdk.Error) as err:
        add_network(connection, "described", "d" * 4001)
    assert "size must be between 0 and 4000, Attribute: network.description" in str(err.value)
    assert add_network(connection, "described", "d" * 4000).description == "d" * 4000


def test_a_vm_name_over_max_vm_name_length_is_too_long(connection, engine):
    vms = connection.system_service().vms_service()
    vm = vms.vm_service(engine.rhv.find("vms", "vm2").id)
    assert vm.update(sdk.types.Vm(name="v" * 64)).name == "v" * 64
    with pytest.raises(sdk.Error) as err:
        vm.update(sdk.types.Vm(name="v" * 65))
    assert err.value.code == 400
    assert "Cannot update VM. The given name is too long." in str(err.value)
    with pytest.raises(sdk.Error) as err:
        vm.update(sdk.types.Vm(name="v" * 256))
    assert "size must be between 1 and 255, Attribute: vmStatic.name" in str(err.value)


def test_a_vm_description_over_255_characters_is_refused(connection, engine):
    vm = connection.system_service().vms_service().vm_service(engine.rhv.find("vms", "vm2").id)
    with pytest.raises(sdk.Error) as err:
        vm.update(sdk.types.Vm(description="d" * 256))
    assert "size must be between 0 and 255, Attribute: vmStatic.description" in str(err.value)


def test_a_vm_nic_name_over_50_characters_is_refused(connection, engine):
    nics = connection.system_service().vms_service().vm_service(engine.rhv.find("vms", "vm2").id).nics_service()
    with pytest.raises(sdk.Error) as err:
        nics.add(sdk.types.Nic(name="x" * 51))
    assert "size must be between 1 and 50, Attribute: nic.name" in str(err.value)
