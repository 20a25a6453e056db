"""The engine's length limits on names and descriptions, and the faults it answers when one is passed.

Sizes are ovirt-engine's own (BusinessEntitiesDefinitions, as the entities' `@Size` constraints use
them): a network's name at most NETWORK_NAME_SIZE (256) characters and its description
GENERAL_MAX_SIZE (4000); a vNIC profile's name 256 (VnicProfile uses NETWORK_NAME_SIZE); a VM's
name 1-255 (VmStatic, VM_NAME_SIZE) and its description 255 (VM_DESCRIPTION_SIZE); a VM NIC's name
1-50 (NetworkInterface, NETWORK_INTERFACE_NAME_SIZE); a host's name 1-255 (VdsStatic, HOST_NAME_SIZE)
and its address 255 (HOST_HOSTNAME_SIZE); a data center's and a cluster's name 40.

A violated `@Size` is found by CommandBase.validateInputs before the command's own checks:
ValidationUtils.validateInputs adds the constraint's message (Hibernate Validator's default "size must
be between {min} and {max}") and ACTION_TYPE_FAILED_ATTRIBUTE_PATH ("Attribute: ${path}", the property
path in the command's parameters, e.g. `network.name`), both BAD_PARAMETERS: HTTP 400, `Operation
Failed`, the messages in brackets. On top of its `@Size`, a VM's name has the configurable
MaxVmNameLength (64 in a default install, packaging/dbscripts/.../0000_config.sql), checked by
Add/UpdateVmCommand with ACTION_TYPE_FAILED_NAME_LENGTH_IS_TOO_LONG.
"""

from __future__ import annotations

from .errors import RhvFault, rejected

NETWORK_NAME_SIZE = 256
GENERAL_MAX_SIZE = 4000
VM_NAME_SIZE = 255
VM_DESCRIPTION_SIZE = 255
NETWORK_INTERFACE_NAME_SIZE = 50
HOST_NAME_SIZE = 255
HOST_HOSTNAME_SIZE = 255
DATACENTER_NAME_SIZE = 40
CLUSTER_NAME_SIZE = 40
MAX_VM_NAME_LENGTH = 64  # ConfigValues.MaxVmNameLength, default install

# (the parameters' property path, field) -> (min, max) of its @Size
SIZES: dict[tuple[str, str], tuple[int, int]] = {
    ("network", "name"): (0, NETWORK_NAME_SIZE),
    ("network", "description"): (0, GENERAL_MAX_SIZE),
    ("vnicProfile", "name"): (0, NETWORK_NAME_SIZE),
    ("vmStatic", "name"): (1, VM_NAME_SIZE),
    ("vmStatic", "description"): (0, VM_DESCRIPTION_SIZE),
    ("nic", "name"): (1, NETWORK_INTERFACE_NAME_SIZE),
    ("vdsStatic", "name"): (1, HOST_NAME_SIZE),
    ("vdsStatic", "hostName"): (0, HOST_HOSTNAME_SIZE),
    ("storagePool", "name"): (1, DATACENTER_NAME_SIZE),
    ("cluster", "name"): (1, CLUSTER_NAME_SIZE),
}


def size_violation(path: str, minimum: int, maximum: int) -> RhvFault:
    return RhvFault(400, "Operation Failed", f"[size must be between {minimum} and {maximum}, Attribute: {path}]")


def check_sizes(entity: str, **values: str | None) -> None:
    """Raise the engine's 400 for the first value (None: not given) outside its field's @Size."""
    for field, value in values.items():
        minimum, maximum = SIZES[(entity, field)]
        if value is not None and not minimum <= len(value) <= maximum:
            raise size_violation(f"{entity}.{field}", minimum, maximum)


def check_vm_name(name: str | None, action: str) -> None:
    """A VM's name against MaxVmNameLength, after its @Size (AddVmCommand/UpdateVmCommand.validate)."""
    check_sizes("vmStatic", name=name)
    if name is not None and len(name) > MAX_VM_NAME_LENGTH:
        raise rejected("ACTION_TYPE_FAILED_NAME_LENGTH_IS_TOO_LONG", action, "VM", status=400)
