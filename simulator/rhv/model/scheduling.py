"""The engine's scheduling policies and the policy units they are made of, as data.

Every engine ships the same built-in policies (ovirt-engine 4.5.3.5's InternalClusterPolicies) and
policy units (InternalPolicyUnits' enabled units, each with its @SchedulingUnit guid, name, type,
description and parameters; PolicyUnitParameter gives each parameter's validation regex). The ids
are fixed in the engine's code, so clients and saved cluster definitions can name them; a cluster
uses the default policy, `none`, unless told otherwise. Nothing here changes at run time: the engine
keeps user-defined policies too, this one offers only the built-in ones.
"""

from __future__ import annotations

from dataclasses import dataclass

# PolicyUnitParameter: the name a policy's properties use, and the regex a value must match
PARAMETERS = {
    "SCALE_DOWN": ("ScaleDown", "(100|[1-9]|[1-9][0-9])$"),
    "HIGH_VM_COUNT": ("HighVmCount", "^([0-9]|[1-9][0-9]+)$"),
    "MIGRATION_THRESHOLD": ("MigrationThreshold", "^([2-9]|[1-9][0-9]+)$"),
    "SPM_VM_GRACE": ("SpmVmGrace", "^([0-9]|[1-9][0-9]+)$"),
    "CPU_OVERCOMMIT_DURATION_MINUTES": ("CpuOverCommitDurationMinutes", "^([1-9][0-9]*)$"),
    "HIGH_UTILIZATION": ("HighUtilization", "^([5-9][0-9])$"),
    "LOW_UTILIZATION": ("LowUtilization", "^([0-9]|[1-4][0-9])$"),
    "VCPU_TO_PHYSICAL_CPU_RATIO": ("VCpuToPhysicalCpuRatio", "^([0-2](\\.([0-9]+))?)$"),
    "HOSTS_IN_RESERVE": ("HostsInReserve", "^[0-9][0-9]*$"),
    "ENABLE_AUTOMATIC_HOST_POWER_MANAGEMENT": ("EnableAutomaticHostPowerManagement", "^(true|false)$"),
    "LOW_MEMORY_LIMIT_FOR_OVER_UTILIZED": ("MaxFreeMemoryForOverUtilized", "^([1-9][0-9]*)$"),
    "HIGH_MEMORY_LIMIT_FOR_UNDER_UTILIZED": ("MinFreeMemoryForUnderUtilized", "^([1-9][0-9]*)$"),
    "HE_SPARES_COUNT": ("HeSparesCount", "^([0-9][0-9]*)$"),
    "MAX_ALLOWED_SWAP_USAGE": ("MaximumAllowedSwapUsage", "^1?[0-9]?[0-9]$"),
}


@dataclass(frozen=True)
class PolicyUnit:
    """A filter, weight, load balancer or selector. The REST API knows no `selector` type (its
    mapper has no case for it), so a selector shows without one."""

    id: str
    name: str
    type: str  # filter, weight, load_balancing, selector
    description: str = ""
    parameters: tuple[str, ...] = ()

    @property
    def api_type(self) -> str | None:
        return None if self.type == "selector" else self.type

    def properties(self) -> list[tuple[str, str]]:
        return [PARAMETERS[p] for p in self.parameters]


def _unit(unit_id: str, name: str, type_: str, description: str = "", *parameters: str) -> PolicyUnit:
    return PolicyUnit(unit_id, name, type_, description, parameters)


_AFFINITY = "Enables Affinity Groups {} enforcement for VMs; VMs in group are {} to run either on the same " \
            "hypervisor host (positive) or on independent hypervisor hosts (negative)"
_HOST_AFFINITY = "Enables Affinity Groups {} enforcement for VMs to hosts; VMs in group are {} to run either on " \
                 "one of the hosts in group (positive) or on independent hosts which are excluded from the hosts " \
                 "in group (negative){}"

# InternalPolicyUnits' enabled units, in the order it lists them (mandatory filters never show in the API)
UNITS = [
    _unit("0bd8fef9-bcb4-4250-9998-410f01608d9b", "ClusterInMaintenance", "filter",
          "Prevents any VM start except for highly available VMs"),
    _unit("98842bc5-4094-4b83-8224-7b50f86a94c9", "CPUOverloaded", "filter", "Filters out CPU overloaded hosts.",
          "HIGH_UTILIZATION", "CPU_OVERCOMMIT_DURATION_MINUTES"),
    _unit("6d636bf6-a35c-4f9d-b68d-0731f720cddc", "CPU", "filter", "Filters out hosts with less CPUs than VM's CPUs"),
    _unit("58894b5b-d55d-4f85-8f82-5bf217e640b0", "Emulated-Machine", "filter",
          "Runs VMs only on hosts with a proper emulated machine support"),
    _unit("7db4ab05-81ab-42e8-868a-aee2df483ed2", "OptimalForEvenDistribution", "load_balancing",
          "Load balancing VMs in cluster according to hosts CPU load, striving cluster's hosts CPU load to be "
          "under 'HighUtilization'", "HIGH_UTILIZATION", "LOW_MEMORY_LIMIT_FOR_OVER_UTILIZED",
          "HIGH_MEMORY_LIMIT_FOR_UNDER_UTILIZED", "CPU_OVERCOMMIT_DURATION_MINUTES", "VCPU_TO_PHYSICAL_CPU_RATIO"),
    _unit("7db4ab05-81ab-42e8-868a-aee2df483edb", "OptimalForCpuEvenDistribution", "weight",
          "Gives hosts with lower CPU usage, lower weight (means that hosts with lower CPU usage are more likely "
          "to be selected)", "VCPU_TO_PHYSICAL_CPU_RATIO"),
    _unit("4134247a-9c58-4b9a-8593-530bb9e37c59", "OptimalForMemoryEvenDistribution", "weight",
          "Gives hosts with higher available memory, lower weight (means that hosts with more available memory "
          "are more likely to be selected)"),
    _unit("d58c8e32-44e1-418f-9222-52cd887bf9e0", "OptimalForEvenGuestDistribution", "load_balancing", "",
          "SPM_VM_GRACE", "HIGH_VM_COUNT", "MIGRATION_THRESHOLD"),
    _unit("3ba8c988-f779-42c0-90ce-caa8243edee7", "OptimalForEvenGuestDistribution", "weight", "", "SPM_VM_GRACE"),
    _unit("7f262d70-6cac-11e3-981f-0800200c9a66", "OptimalForHaReservation", "weight",
          "Weights hosts according to their HA score regardless of hosted engine", "SCALE_DOWN"),
    _unit("e659c871-0bf1-4ccc-b748-f28f5d08dffd", "HA", "filter",
          "Runs the hosted engine VM only on hosts with a positive score"),
    _unit("98e92667-6161-41fb-b3fa-34f820ccbc4b", "HA", "weight", "Weights hosts according to their HA score"),
    _unit("53bff075-8306-446f-a53b-9c872a29d197", "HostedEngineSpares", "filter",
          "Reserve space for starting the hosted engine VM on different hosts in case the current one crashes.",
          "HE_SPARES_COUNT"),
    _unit("23e07b34-66dd-4735-bc45-bcddded02c05", "HugePages", "filter",
          "Filters out hosts that do not have enough free huge pages"),
    _unit("c9ddbb34-0e1d-4061-a8d7-b0893fa80932", "Memory", "filter",
          "Filters out hosts that have insufficient memory to run the VM"),
    _unit("fcbfe4b1-b83e-4428-b9d3-b3d348b93be6", "NUMA", "filter", "Filters out hosts that have incompatible NUMA nodes."),
    _unit("f58c1cb9-d91f-48a6-a196-c6d22fb10c4e", "Fit VM to single host NUMA node", "weight",
          "Prefers hosts where a VM without vNUMA can fit in a single host NUMA node."),
    _unit("e659c871-0bf1-4ccc-b748-f28f5d08ddda", "Migration", "filter", "Prevent migration to the same host."),
    _unit("72163d1c-9468-4480-99d9-0888664eb143", "Network", "filter",
          "Filters out hosts that are missing networks required by VM NICs, or missing cluster's display network"),
    _unit("38440000-8cf0-14bd-c43e-10b96e4ef00a", "None", "load_balancing", "No load balancing operation"),
    _unit("736999d0-1023-46a4-9a75-1316ed50e151", "OptimalForPowerSaving", "load_balancing",
          "Load balancing VMs in cluster according to hosts CPU load, striving cluster's hosts CPU load to be over "
          "'LowUtilization' and under 'HighUtilization'", "HIGH_UTILIZATION", "LOW_MEMORY_LIMIT_FOR_OVER_UTILIZED",
          "HIGH_MEMORY_LIMIT_FOR_UNDER_UTILIZED", "CPU_OVERCOMMIT_DURATION_MINUTES", "LOW_UTILIZATION",
          "ENABLE_AUTOMATIC_HOST_POWER_MANAGEMENT", "HOSTS_IN_RESERVE"),
    _unit("736999d0-1023-46a4-9a75-1316ed50e15b", "OptimalForCpuPowerSaving", "weight",
          "Gives hosts with higher CPU usage, lower weight (means that hosts with higher CPU usage are more likely "
          "to be selected)", "HIGH_UTILIZATION"),
    _unit("9dfe6086-646d-43b8-8eef-4d94de8472c8", "OptimalForMemoryPowerSaving", "weight",
          "Gives hosts with lower available memory, lower weight (means that hosts with lower available memory are "
          "more likely to be selected)", "LOW_MEMORY_LIMIT_FOR_OVER_UTILIZED", "HIGH_MEMORY_LIMIT_FOR_UNDER_UTILIZED"),
    _unit("591cdb81-ba67-45b4-9642-e28f61a97d57", "PreferredHosts", "weight",
          "Prioritize preferred hosts during VM startup."),
    _unit("43b9e654-337f-4b0d-a896-cbb22ce5a7fc", "Swap", "filter", "Filters out hosts that are swapping",
          "MAX_ALLOWED_SWAP_USAGE"),
    _unit("84e6ddee-ab0d-42dd-82f0-c297779db566", "VmAffinityGroups", "filter", _AFFINITY.format("hard", "required")),
    _unit("84e6ddee-ab0d-42dd-82f0-c297779db567", "VmAffinityGroups", "weight",
          _AFFINITY.format("soft", "most likely")),
    _unit("e69808a9-8a41-40f1-94ba-dd5d385d82d8", "VmToHostsAffinityGroups", "filter",
          _HOST_AFFINITY.format("hard", "required", ".")),
    _unit("427aed70-dae3-48ba-8fe9-a902a9d563c8", "VmToHostsAffinityGroups", "weight",
          _HOST_AFFINITY.format("soft", "most likely", "")),
    _unit("84e6ddee-ab0d-42dd-82f0-c298889db567", "InClusterUpgrade", "filter",
          "Filter out all hosts which run an older OS version than the host the vm is currently running on."),
    _unit("84e6ddee-ab0d-42dd-82f0-c298889db568", "InClusterUpgrade", "weight",
          "Penalize hosts with older OS version more than hosts with the same OS version where a vm is currently "
          "running on. Newer OS versions are not penalized"),
    _unit("0c89f215-9c4f-4bbb-8419-31a2d43ae7ea", "BasicWeighting", "selector",
          "The host with lowest accumulated weight wins. No ranking or scaling is performed."),
    _unit("b280e7de-5df8-401e-b004-a1414d79a687", "RankSelector", "selector",
          "The host with lowest accumulated rank wins."),
    _unit("71931e14-f0e6-4f91-a7c8-d494a26e3a09", "CPU for high performance VMs", "weight",
          "Prefers hosts that have more or equal number of sockets, cores and threads."),
    _unit("1b14ac11-20e9-4593-a149-2eb83c60a330", "CPU and NUMA pinning compatibility", "weight",
          "Prefers hosts where CPU pinning is compatible with NUMA node pinning"),
    _unit("47ea3cd0-8a2f-438d-9f63-49534178882a", "Migration-Tsc-Frequency", "filter",
          "High-Performance VMs can only be migrated to hosts with the same TSC frequency"),
    _unit("aae8c702-4756-4934-b84c-8daf59efc134", "Host-hooks", "filter",
          "Runs VMs only on hosts with a hooks required by VM's configuration"),
]
POLICY_UNITS: dict[str, PolicyUnit] = {u.id: u for u in UNITS}
_BY_NAME = {(u.name, u.type): u.id for u in UNITS}


@dataclass(frozen=True)
class SchedulingPolicy:
    id: str
    name: str
    balance: str  # the load-balancing unit's id
    filters: tuple[str, ...]
    weights: tuple[tuple[str, int], ...]  # (unit id, factor)
    properties: tuple[tuple[str, str], ...]  # (parameter name, value)
    default: bool = False
    locked: bool = True

    def filter_position(self, unit_id: str) -> int:
        """PolicyBuilder.addFilters: the first filter runs first (-1), the last one last (1), the rest anywhere."""
        index = self.filters.index(unit_id)
        return -1 if index == 0 else 1 if index == len(self.filters) - 1 else 0


def _ids(type_: str, *names: str) -> tuple[str, ...]:
    return tuple(_BY_NAME[(name, type_)] for name in names)


_FILTERS = _ids("filter", "CPU", "CPUOverloaded", "Emulated-Machine", "HA", "Swap", "Memory", "NUMA", "HugePages",
                "Migration", "VmAffinityGroups", "VmToHostsAffinityGroups", "Network", "HostedEngineSpares",
                "Migration-Tsc-Frequency", "Host-hooks")
_COMMON_WEIGHTS = (("PreferredHosts", 99), ("HA", 1), ("OptimalForHaReservation", 1), ("VmAffinityGroups", 1),
                   ("VmToHostsAffinityGroups", 20), ("CPU for high performance VMs", 4),
                   ("CPU and NUMA pinning compatibility", 5))


def _weights(*pairs: tuple[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple((_BY_NAME[(name, "weight")], factor) for name, factor in (*pairs, *_COMMON_WEIGHTS))


def _properties(*names_values: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((PARAMETERS[name][0], value) for name, value in names_values)


def _policy(policy_id: str, name: str, balance: str, weights, properties, filters=_FILTERS, default=False):
    return SchedulingPolicy(policy_id, name, _BY_NAME[(balance, "load_balancing")], filters, weights, properties,
                            default)


_EVEN = _weights(("OptimalForCpuEvenDistribution", 2), ("OptimalForMemoryEvenDistribution", 1))
_BASE_PROPERTIES = (("CPU_OVERCOMMIT_DURATION_MINUTES", "2"), ("HIGH_UTILIZATION", "80"))

# InternalClusterPolicies, in the order it registers them
POLICIES = [
    _policy("b4ed2332-a7ac-4d5f-9596-99a439cb2812", "none", "None", _EVEN, _properties(*_BASE_PROPERTIES),
            default=True),
    _policy("7677771e-5eab-422e-83fa-dc04080d21b7", "cluster_maintenance", "None", _EVEN,
            _properties(*_BASE_PROPERTIES), filters=(_BY_NAME[("ClusterInMaintenance", "filter")], *_FILTERS)),
    _policy("20d25257-b4bd-4589-92a6-c4c5c5d3fd1a", "evenly_distributed", "OptimalForEvenDistribution", _EVEN,
            _properties(("HE_SPARES_COUNT", "0"), *_BASE_PROPERTIES, ("VCPU_TO_PHYSICAL_CPU_RATIO", "0"))),
    _policy("5a2b0939-7d46-4b73-a469-e9c2c7fc6a53", "power_saving", "OptimalForPowerSaving",
            _weights(("OptimalForCpuPowerSaving", 2), ("OptimalForMemoryPowerSaving", 1)),
            _properties(("HE_SPARES_COUNT", "0"), *_BASE_PROPERTIES, ("LOW_UTILIZATION", "20"))),
    _policy("8d5d7bec-68de-4a67-b53e-0ac54686d579", "vm_evenly_distributed", "OptimalForEvenGuestDistribution",
            _weights(("OptimalForEvenGuestDistribution", 2)),
            _properties(("HE_SPARES_COUNT", "0"), *_BASE_PROPERTIES, ("HIGH_VM_COUNT", "10"),
                        ("MIGRATION_THRESHOLD", "5"), ("SPM_VM_GRACE", "5"))),
]
SCHEDULING_POLICIES: dict[str, SchedulingPolicy] = {p.id: p for p in POLICIES}
DEFAULT_SCHEDULING_POLICY_ID = next(p.id for p in POLICIES if p.default)
