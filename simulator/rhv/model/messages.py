"""The engine's own texts, as data: validation messages (AppErrors), audit log types and job titles.

Written in the engine's own properties format (one `KEY=text` line each, `\\n` for a newline),
copied from ovirt-engine's AppErrors.properties, AuditLogType/AuditLogMessages.properties and
ExecutionMessages.properties, so faults, events and jobs read exactly like a real engine's and a
new text is one pasted line.
"""

from __future__ import annotations

import re

VAR_TYPES = {
    "VM": "VM",
    "HOST": "Host",
    "NETWORK": "Network",
    "NETWORKS": "Networks",
    "VNIC_PROFILE": "VM network interface profile",
    "INTERFACE": "Interface",
    "LABEL": "Label",
}


def properties(text: str) -> dict[str, str]:
    """`KEY=value` lines (Java properties, already one line each) to a dict; `\\n` is a newline."""
    out = {}
    for line in text.strip().splitlines():
        key, _, value = line.partition("=")
        out[key.strip()] = value.replace("\\n", "\n")
    return out


def audit_types(text: str) -> dict[str, tuple[int, str, str]]:
    """`NAME CODE SEVERITY=template` lines: AuditLogType's code and severity with the message."""
    out = {}
    for head, template in properties(text).items():
        name, code, severity = head.split()
        out[name] = (int(code), severity, template)
    return out


APP_ERRORS = properties(r"""
ACTION_TYPE_FAILED_CANNOT_ADD_VNIC_PROFILE_TO_NON_VM_NETWORK=Cannot ${action} ${type}. VM network interface profiles cannot be added to a non-VM network. Please make sure the network is a VM network.
ACTION_TYPE_FAILED_CANNOT_CHANGE_VNIC_PROFILE_NETWORK=Cannot ${action} ${type}. VM network interface profile's network cannot be changed.
ACTION_TYPE_FAILED_CANNOT_REMOVE_ACTIVE_DEVICE=Cannot ${action} ${type}. The VM Network Interface is plugged to a running VM.
ACTION_TYPE_FAILED_DEDICATED_VDS_DOES_NOT_EXIST=Cannot ${action} ${type}. VM is pinned to a specific host. The required host doesn't exist.
ACTION_TYPE_FAILED_DEDICATED_VDS_NOT_IN_SAME_CLUSTER=Cannot ${action} ${type}. VM is pinned to a specific host. The host's cluster must be the same as the selected VM cluster.
ACTION_TYPE_FAILED_DESTINATION_HOST_NOT_IN_DESTINATION_CLUSTER=Cannot ${action} ${type}. Destination host is not present in destination cluster.
ACTION_TYPE_FAILED_INVALID_VNIC_PROFILE_NETWORK_FILTER_ID=Cannot ${action} ${type}. vNIC profile '${VAR_VNIC_PROFILE_NAME}' has an invalid network filter id '${VAR_NETWORK_FILTER_ID}'.
ACTION_TYPE_FAILED_MIGRATE_BETWEEN_TWO_CLUSTERS=Cannot ${action} ${type}. If target Cluster is not specified VM can be migrated only between Hosts in the same Cluster.\n-Please select target Host in the same Cluster to run the VM or specify a target Cluster.
ACTION_TYPE_FAILED_MIGRATION_IN_PROGRESS=Cannot ${action} ${type}. VM migration is in progress
ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST=Cannot ${action} ${type}. source and destination is the same.
USER_NOT_AUTHORIZED_TO_PERFORM_ACTION=User is not authorized to perform this action.
ACTION_TYPE_FAILED_NAME_LENGTH_IS_TOO_LONG=Cannot ${action} ${type}. The given name is too long.
ACTION_TYPE_FAILED_NAME_ALREADY_USED=Cannot ${action} ${type}. The ${type} name is already in use, please choose a unique name and try again.
ACTION_TYPE_FAILED_NETWORK_ALREADY_LABELED=Cannot ${action} ${type}. The specified network is already labeled.
ACTION_TYPE_FAILED_NETWORK_ATTACHMENTS_REFERENCES_SAME_NETWORK_DUPLICATELY=Cannot ${action} ${type}. Multiple network attachments (${ACTION_TYPE_FAILED_NETWORK_ATTACHMENTS_REFERENCES_SAME_NETWORK_DUPLICATELY_LIST}) references same network (${ACTION_TYPE_FAILED_NETWORK_ATTACHMENTS_REFERENCES_SAME_NETWORK_DUPLICATELY_ENTITY}).
ACTION_TYPE_FAILED_NETWORK_FROM_DIFFERENT_DC=Cannot ${action} ${type}. Network belongs to a different data-center.
ACTION_TYPE_FAILED_NETWORK_IN_MANY_USES=Cannot ${action} ${type}. This logical network is used by ${entities}: (${COUNTER}): ${LIST}\n - Please detach ${entities} using this logical network and try again.
ACTION_TYPE_FAILED_NETWORK_IN_ONE_USE=Cannot ${action} ${type}. This logical network is used by ${entities}: ${ENTITY}\n - Please remove it from this ${entities} and try again.
ACTION_TYPE_FAILED_NETWORK_NAME_IN_USE=Cannot ${action} ${type}. The name of the logical network '${NetworkName}' is already used by an existing logical network in the same data-center.\n-Please choose a different name.
ACTION_TYPE_FAILED_NETWORK_NOT_IN_CLUSTER=Failed ${action} ${type}. The following networks (${networks}) are not defined in the cluster.
ACTION_TYPE_FAILED_PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES=Cannot ${action} ${type}. 'Port Mirroring,'Qos' and 'Network Filter' are not supported on passthrough profiles.
ACTION_TYPE_FAILED_PINNED_VM_NOT_RUNNING_ON_DEDICATED_HOST=Cannot ${action} ${type}. Running VM is hosted on ${hostName}. Include ${hostName} in dedicated hosts, or migrate VM to dedicated host prior to pinning.
ACTION_TYPE_FAILED_UNLINKING_OF_PASSTHROUGH_VNIC_IS_NOT_SUPPORTED=Cannot ${action} ${type}. Unlinking of 'passthrough' vm network interface is not supported.
ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL=Cannot ${action} ${type}. Operation can be performed only when Host status is ${hostStatus}.
ACTION_TYPE_FAILED_VM_CLUSTER_DIFFERENT_ARCHITECTURES=Cannot ${action} ${type}. The VM and the destination cluster architectures do not match.
ACTION_TYPE_FAILED_VM_INTERFACE_TYPE_NOT_MATCH_PROFILE=Cannot ${action} ${type}. The network interface type doesn't match the profile. Virtual machine interface of type 'PCI Passthrough' should have 'Passthrough' profile and vice versa.
ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING=Cannot ${action} ${type}. VM is not running.
ACTION_TYPE_FAILED_VM_IS_RUNNING=Cannot ${action} ${type}. VM is running.
ACTION_TYPE_FAILED_VM_STATUS_ILLEGAL=Cannot ${action} ${type} because the VM is in ${vmStatus} status.
ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES=Cannot ${action} ${type}. This VM network interface profile is used by ${entities} (${COUNTER}): ${ENTITIES}\n - Please detach ${entities} using this profile and try again.
ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE=Cannot ${action} ${type}. This VM network interface profile is used by ${entities}:  ${ENTITIES}.\n - Please remove it from this ${entities} and try again.
ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE=Cannot ${action} ${type}. The VM network interface profile's name is already used by an existing profile for the same network.\n-Please choose a different name.
ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS=Cannot ${action} ${type}. The specified VM network interface profile doesn't exist.
ACTIVATE_DEACTIVATE_NETWORK_NOT_IN_VDS=The Network does not exist on the host the VM is running on.\n Either add the Network to the Host, migrate the VM to a Host that has this Network, or add the vNic as unplugged.
CANNOT_MAINTENANCE_VDS_RUN_VMS_NO_OTHER_RUNNING_VDS=The following Hosts have running VMs and cannot be switched to maintenance mode: ${HostsList}.Please ensure that the following Clusters have at least one Host in UP state: ${ClustersList}.
CANNOT_PERFORM_HOT_UPDATE=Cannot ${action} ${type}. Updating some of the properties is not supported while the interface is plugged into a running virtual machine. Please un-plug the interface, update the properties, and then plug it back.
CANNOT_PERFORM_HOT_UPDATE_WITH_PORT_MIRRORING=Cannot ${action} ${type}. Update is not possible when 'Port Mirroring' is set on the interface of a running virtual machine.
MAC_POOL_NOT_ENOUGH_MAC_ADDRESSES=Cannot ${action} ${type}. Not enough MAC addresses left in MAC Address Pool.
MOVE_VM_CLUSTER_MISSING_NETWORK=Cannot ${action} ${type}. Selected Cluster is missing one or more networks ${networks} that is used by VM.
NETWORK_ALREADY_ATTACHED_TO_CLUSTER=Logical Network is already attached to Cluster.
NETWORK_CANNOT_ADD_INTERFACE_WHEN_VM_STATUS_NOT_UP_DOWN_LOCKED=Cannot ${action} a Network Interface when VM is not Down, Up or Image-Locked.
NETWORK_CANNOT_DETACH_NETWORK_USED_BY_VMS=Cannot ${action} ${type}. The following Logical Network: '${networkName}' is being used by the following VM(s): '${vmNames}' . Please stop the VM(s) and try again.
NETWORK_CANNOT_REMOVE_MANAGEMENT_NETWORK=The Management Network ('${NetworkName}') is mandatory and cannot be removed.
NETWORK_CLUSTER_NETWORK_IN_USE=Cannot ${action} ${type}. Network is being used by at least one Cluster.
NETWORK_INTERFACE_IN_USE_BY_VM=Cannot ${action} ${type}. There is at least one running VM that uses this Network.
NETWORK_INTERFACE_NAME_ALREADY_IN_USE=Network interface is already in use.
NETWORK_LABEL_FORMAT_INVALID=Network label must be formed only from: English letters, numbers, hyphen or underscore.
NETWORK_MAC_ADDRESS_IN_USE=MAC Address is already in use.
NETWORK_NOT_EXISTS_IN_CURRENT_CLUSTER=The specified Logical Network doesn't exist in the current Cluster.
NETWORK_VLAN_OUT_OF_RANGE=VLAN ID must be a number between 0 and 4094.
SCHEDULING_ALL_HOSTS_FILTERED_OUT=Cannot ${action} ${type}. There is no host that satisfies current scheduling constraints. See below for details:
SCHEDULING_HOST_FILTERED_REASON_WITH_DETAIL=The host ${hostName} did not satisfy ${filterType} filter ${filterName} because ${detailMessage}.
SCHEDULING_NO_HOSTS=There are no hosts to use. Check that the cluster contains at least one host in Up state.
VALIDATION_VM_NETWORK_MAC_ADDRESS_INVALID=MAC address must be in format "HH:HH:HH:HH:HH:HH" where H is a hexadecimal character (either a digit or A-F, case is insignificant).
VAR__DETAIL__NETWORK_MISSING=network(s) ${networkNames} are missing
VAR__DETAIL__SAME_HOST=it currently hosts the VM.
VDS_ALREADY_UP=Cannot ${action} ${type}. Host in Up status.
VDS_CANNOT_MAINTENANCE_VDS_IS_IN_MAINTENANCE=Cannot switch Host to Maintenance mode. Host is already in Maintenance mode.
VDS_CLUSTER_IS_NOT_VALID=Cannot ${action} ${type}. Cluster ID is not valid.
VDS_INVALID_SERVER_ID=Cannot ${action} ${type}. Invalid Host Id.
VDS_STATUS_NOT_VALID_FOR_UPDATE=Cannot ${action} ${type}. Host parameters cannot be modified while Host is operational.\nPlease switch Host to Maintenance mode first.
VM_CANNOT_CANCEL_MIGRATION_WHEN_VM_IS_NOT_MIGRATING=Cannot cancel migration for non migrating VM.
VM_CANNOT_MOVE_TO_CLUSTER_IN_OTHER_STORAGE_POOL=VM can be moved only to a Cluster in the same Data Center.
""")

# AuditLogType name, code and severity, then the AuditLogMessages template
AUDIT_LOG = audit_types(r"""
VDS_FAILURE 12 error=Host ${VdsName} is non responsive.
VDS_DETECTED 13 normal=Status of host ${VdsName} was set to ${HostStatus}.
VDS_ACTIVATE 16 normal=Activation of host ${VdsName} initiated by ${UserName}.
USER_VDC_LOGIN 30 normal=User ${UserName} connecting from '${SourceIP}' using session '${SessionID}' logged in.
USER_VDC_LOGOUT 31 normal=User ${UserName} connected from '${SourceIP}' using session '${SessionID}' logged out.
USER_RUN_VM 32 normal=VM ${VmName} started on Host ${VdsName}
USER_STOP_VM 33 normal=VM ${VmName} powered off by ${UserName} (Host: ${VdsName})${OptionalReason}.
USER_UPDATE_VM 35 normal=VM ${VmName} configuration was updated by ${UserName}.
USER_UPDATE_VDS 43 normal=Host ${VdsName} configuration was updated by ${UserName}.
VM_DOWN 61 normal=VM ${VmName} is down. ${ExitMessage}
VM_MIGRATION_START 62 normal=Migration started (VM: ${VmName}, Source: ${VdsName}, Destination: ${DestinationVdsName}, User: ${UserName}). ${OptionalReason}
VM_MIGRATION_DONE 63 normal=Migration completed (VM: ${VmName}, Source: ${VdsName}, Destination: ${DestinationVdsName}, Duration: ${Duration}, Total: ${TotalDuration}, Actual downtime: ${ActualDowntime})
VM_MIGRATION_FAILED 65 error=Migration failed${DueToMigrationError} (VM: ${VmName}, Source: ${VdsName}).
VM_MIGRATION_START_SYSTEM_INITIATED 67 normal=Migration initiated by system (VM: ${VmName}, Source: ${VdsName}, Destination: ${DestinationVdsName}, Reason: ${OptionalReason}).
USER_INITIATED_SHUTDOWN_VM 73 normal=VM shutdown initiated by ${UserName} on VM ${VmName} (Host: ${VdsName}).
VM_MIGRATION_TO_SERVER_FAILED 120 error=Migration failed${DueToMigrationError} (VM: ${VmName}, Source: ${VdsName}, Destination: ${DestinationVdsName}).
VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE 140 error=Migration failed${DueToMigrationError} while Host is in 'preparing for maintenance' state.\n  Consider manual intervention: stopping/migrating Vms as Host's state will not\n  turn to maintenance while VMs are still running on it.(VM: ${VmName}, Source: ${VdsName}, Destination: ${DestinationVdsName}).
USER_STARTED_VM 153 normal=VM ${VmName} was started by ${UserName} (Host: ${VdsName}).
USER_REBOOT_VM 157 normal=VM ${VmName} is rebooting. Rebooted by: ${UserName}
VM_CANCEL_MIGRATION 161 normal=Migration cancelled (VM: ${VmName}, Source: ${VdsName}, User: ${UserName}).
USER_UPDATE_VM_CLUSTER_DEFAULT_HOST_CLEARED 250 normal=${VmName} cluster was updated by ${UserName}, Default host was reset to auto assign.
VDS_SET_NONOPERATIONAL 517 normal=Host ${VdsName} moved to Non-Operational state.
USER_VDS_MAINTENANCE 600 normal=Host ${VdsName} was switched to Maintenance mode by ${UserName} (Reason: ${Reason}).
USER_VDS_MAINTENANCE_WITHOUT_REASON 620 normal=Host ${VdsName} was switched to Maintenance mode by ${UserName}.
NETWORK_REMOVE_VM_INTERFACE 930 normal=Interface ${InterfaceName} (${InterfaceType}) was removed from VM ${VmName}. (User: ${UserName})
NETWORK_ADD_VM_INTERFACE 932 normal=Interface ${InterfaceName} (${InterfaceType}) was added to VM ${VmName}. (User: ${UserName})
NETWORK_ADD_VM_INTERFACE_FAILED 933 error=Failed to add Interface ${InterfaceName} (${InterfaceType}) to VM ${VmName}. (User: ${UserName})
NETWORK_UPDATE_VM_INTERFACE 934 normal=Interface ${InterfaceName} (${InterfaceType}) was updated for VM ${VmName}. ${LinkState} (User: ${UserName})
NETWORK_UPDATE_VM_INTERFACE_FAILED 935 error=Failed to update Interface ${InterfaceName} (${InterfaceType}) for VM ${VmName}. (User: ${UserName})
NETWORK_ADD_NETWORK 942 normal=Finished adding Network ${NetworkName} to Data Center: ${StoragePoolName}
NETWORK_REMOVE_NETWORK 944 normal=Finished Network ${NetworkName} removal from Data Center: ${StoragePoolName}
NETWORK_ATTACH_NETWORK_TO_CLUSTER 946 normal=Network ${NetworkName} attached to Cluster ${ClusterName}
NETWORK_DETACH_NETWORK_TO_CLUSTER 948 normal=Network ${NetworkName} detached from Cluster ${ClusterName}
NETWORK_ACTIVATE_VM_INTERFACE_SUCCESS 1012 normal=Network Interface ${InterfaceName} (${InterfaceType}) was plugged to VM ${VmName}. (User: ${UserName})
NETWORK_DEACTIVATE_VM_INTERFACE_SUCCESS 1014 normal=Network Interface ${InterfaceName} (${InterfaceType}) was unplugged from VM ${VmName}. (User: ${UserName})
NETWORK_COMMINT_NETWORK_CHANGES 1104 normal=Network changes were saved on host ${VdsName}
VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE_NO_DESTINATION_VDS 1111 error=Migration failed${DueToMigrationError} while Source Host is in 'preparing for maintenance' state.\n  Consider manual intervention: stopping/migrating Vms as Host's state will not\n  turn to maintenance while VMs are still running on it.(VM: ${VmName}, Source: ${VdsName}).
NETWORK_UPDATE_VM_INTERFACE_LINK_UP 1116 normal=Link State is UP.
NETWORK_UPDATE_VM_INTERFACE_LINK_DOWN 1117 normal=Link State is DOWN.
ADD_VNIC_PROFILE 1122 normal=VM network interface profile ${VnicProfileName} was added to network ${NetworkName} in Data Center: ${DataCenterName}. (User: ${UserName})
UPDATE_VNIC_PROFILE 1124 normal=VM network interface profile ${VnicProfileName} was updated for network ${NetworkName} in Data Center: ${DataCenterName}. (User: ${UserName})
REMOVE_VNIC_PROFILE 1126 normal=VM network interface profile ${VnicProfileName} was removed from network ${NetworkName} in Data Center: ${DataCenterName}. (User: ${UserName})
""")

# ExecutionMessages.properties: the job descriptions of monitored commands (job.<Command>)
JOBS = properties(r"""
RunVm=Launching VM ${VM}
StopVm=Stopping VM ${VM}
ShutdownVm=Shutting down VM ${VM}
MigrateVm=Migrating VM ${VM}
MigrateVmToServer=Migrating VM ${VM} to Host ${VDS}
CancelMigrateVm=Canceling migration of VM ${VM}
MaintenanceNumberOfVdss=Moving Host(s) ${VDS} to Maintenance
ActivateVds=Invoking Activate Host ${VDS}
AddNetwork=Adding network ${Network} to Data Center: ${StoragePool}
RemoveNetwork=Removing network ${Network} from Data Center: ${StoragePool}
RebootVm=Rebooting VM ${VM}
UpdateVm=Editing VM ${VM} properties
UpdateVds=Editing Host ${VDS}
HostSetupNetworks=Configuring networks on host ${VDS}
CommitNetworkChanges=Applying saved network configuration to Host ${VDS}
""")

_VAR = re.compile(r"\$\{([A-Za-z_]+)\}")


def fill(template: str, values: dict) -> str:
    """Substitute ${Name} placeholders; an unknown one stays visible, as the engine leaves it."""
    return _VAR.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def app_error(key: str, action: str = "", type_: str = "", **values) -> str:
    """One validation message, with the action verb (`migrate`) and type (`VM`) filled in."""
    return fill(APP_ERRORS[key], {"action": action, "type": VAR_TYPES.get(type_, type_), **values})


def job_title(command: str, **values) -> str:
    return fill(JOBS[command], values)
