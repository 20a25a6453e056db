"""What every engine has from its installation, read with the real ovirtsdk4: the Default MAC pool (the
range VM NICs get their addresses from), the built-in scheduling policies with their fixed ids, and the
policy units their filters, weights and balance name."""

from __future__ import annotations

import ovirtsdk4.types as types
from rhv_support import by_name

BUILT_IN = {
    "none": "b4ed2332-a7ac-4d5f-9596-99a439cb2812",
    "cluster_maintenance": "7677771e-5eab-422e-83fa-dc04080d21b7",
    "evenly_distributed": "20d25257-b4bd-4589-92a6-c4c5c5d3fd1a",
    "power_saving": "5a2b0939-7d46-4b73-a469-e9c2c7fc6a53",
    "vm_evenly_distributed": "8d5d7bec-68de-4a67-b53e-0ac54686d579",
}


def test_the_default_mac_pool_is_where_data_centers_and_clusters_point(engine, connection):
    system = connection.system_service()
    pools = system.mac_pools_service().list()
    assert [(p.name, p.description, p.allow_duplicates, p.default_pool) for p in pools] == [
        ("Default", "Default MAC pool", False, True)]
    start = engine.rhv.config.mac_pool_start
    assert [(r.from_, r.to) for r in pools[0].ranges] == [(start, start[:-5] + "ff:ff")]
    dc = connection.follow_link(system.data_centers_service().list()[0].mac_pool)
    cluster = connection.follow_link(system.clusters_service().list()[0].mac_pool)
    assert dc.id == cluster.id == pools[0].id
    assert system.mac_pools_service().mac_pool_service(pools[0].id).get().name == "Default"
    assert connection.follow_link(pools[0].permissions) == []


def test_a_nic_added_without_a_mac_gets_one_from_the_pools_range(connection):
    vms = connection.system_service().vms_service()
    pool = connection.system_service().mac_pools_service().list()[0]
    nic = vms.vm_service(by_name(vms, "vm2").id).nics_service().add(types.Nic(name="nic9"))
    first, last = pool.ranges[0].from_, pool.ranges[0].to
    assert int(first.replace(":", ""), 16) <= int(nic.mac.address.replace(":", ""), 16) <= int(last.replace(":", ""), 16)


def test_the_built_in_scheduling_policies_with_their_fixed_ids(connection):
    system = connection.system_service()
    policies = system.scheduling_policies_service().list()
    assert {p.name: p.id for p in policies} == BUILT_IN
    assert [p.name for p in policies if p.default_policy] == ["none"] and all(p.locked for p in policies)
    power = next(p for p in policies if p.name == "power_saving")
    assert {p.name: p.value for p in power.properties} == {
        "HeSparesCount": "0", "CpuOverCommitDurationMinutes": "2", "HighUtilization": "80", "LowUtilization": "20"}
    cluster_policy = connection.follow_link(system.clusters_service().list()[0].scheduling_policy)
    assert (cluster_policy.id, cluster_policy.name) == (BUILT_IN["none"], "none")


def test_a_policy_is_made_of_filters_weights_and_a_balance_of_known_units(connection):
    system = connection.system_service()
    policy = system.scheduling_policies_service().policy_service(BUILT_IN["vm_evenly_distributed"])
    units = system.scheduling_policy_units_service()
    filters = policy.filters_service().list()
    assert [f.position for f in filters] == [-1] + [0] * (len(filters) - 2) + [1]
    names = [connection.follow_link(f.scheduling_policy_unit).name for f in filters]
    assert names[:3] == ["CPU", "CPUOverloaded", "Emulated-Machine"] and names[-1] == "Host-hooks"
    weights = {connection.follow_link(w.scheduling_policy_unit).name: w.factor for w in policy.weights_service().list()}
    assert weights["OptimalForEvenGuestDistribution"] == 2 and weights["PreferredHosts"] == 99
    [balance] = policy.balances_service().list()
    unit = units.unit_service(balance.scheduling_policy_unit.id).get()
    assert (unit.name, unit.type, unit.internal, unit.enabled) == (
        "OptimalForEvenGuestDistribution", types.PolicyUnitType.LOAD_BALANCING, True, True)
    assert {p.name for p in unit.properties} == {"SpmVmGrace", "HighVmCount", "MigrationThreshold"}
    listed = units.list()
    assert len(listed) == 37 and len({u.id for u in listed}) == 37
    assert {u.name for u in listed if u.type is None} == {"BasicWeighting", "RankSelector"}  # selectors have no API type


def test_the_installation_is_read_only_here(engine):
    s = engine.session()
    base = f"{engine.url}/ovirt-engine/api"
    for method, path in (("POST", "/macpools"), ("PUT", "/schedulingpolicies/" + BUILT_IN["none"]),
                         ("DELETE", "/schedulingpolicyunits/38440000-8cf0-14bd-c43e-10b96e4ef00a")):
        r = s.request(method, base + path, data="<x/>", headers={"Content-Type": "application/xml"})
        assert r.status_code == 405 and b"<fault>" in r.content, (method, path)
    assert s.get(base + "/schedulingpolicies/00000000-0000-0000-0000-000000000001").status_code == 404
