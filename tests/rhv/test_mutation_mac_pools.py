"""The MAC pool's range end to end: the Default pool's start must leave room for its 65,536 addresses (the
highest start ends at ff:ff:ff:ff:ff:ff, one more is refused), every address of a range is handed out, the last
one included, and a pool with none left refuses a NIC with the engine's fault.

Found by mutation testing (tools/mutation/RESULTS.md, simulator/rhv/model/mac_pools.py): no test took a pool's
last address or gave the engine a start its range cannot follow."""

from __future__ import annotations

import dataclasses

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest
from rhv_support import START, by_name

from simulator import defaults
from simulator.clock import ManualClock
from simulator.rhv.model.mac_pools import DEFAULT_MAC_POOL_ID
from simulator.rhv.service import Rhv, RhvConfig


def engine_with_pool_start(start: str) -> Rhv:
    return Rhv(RhvConfig(mac_pool_start=start), ManualClock(START))


@pytest.mark.parametrize("start", ["ff:ff:ff:ff:00:00", "00:00:00:00:00:00", "56:6F:1A:2B:00:00"])
def test_a_start_whose_range_fits_is_taken(start):
    rhv = engine_with_pool_start(start)
    (pool,) = rhv.engine.mac_pools.values()
    first, last = pool.ranges[0]
    assert first == start.lower()
    assert int(last.replace(":", ""), 16) - int(first.replace(":", ""), 16) == 65535
    assert (pool.name, pool.description, pool.default_pool, pool.allow_duplicates) == (
        "Default", "Default MAC pool", True, False)


@pytest.mark.parametrize("start", ["ff:ff:ff:ff:00:01", "ff:ff:ff:ff:ff:ff", "56:6f:1a:2b:00", "", "nonsense",
                                   "56:6f:1a:2b:00:0g"])
def test_a_start_that_is_no_mac_or_leaves_no_room_is_refused(start):
    with pytest.raises(ValueError, match="mac_pool_start .* is not a MAC address a 65536-address range can start at"):
        engine_with_pool_start(start)


def test_the_pool_hands_out_every_address_of_its_ranges_in_order():
    pool = engine_with_pool_start("56:6f:1a:2b:00:00").engine.mac_pools[DEFAULT_MAC_POOL_ID]
    small = dataclasses.replace(pool, ranges=(("00:1a:4a:00:00:fe", "00:1a:4a:00:01:00"),
                                              ("00:1a:4a:00:09:00", "00:1a:4a:00:09:00")))
    assert list(small.addresses()) == ["00:1a:4a:00:00:fe", "00:1a:4a:00:00:ff", "00:1a:4a:00:01:00",
                                       "00:1a:4a:00:09:00"]
    addresses = list(pool.addresses())
    assert len(addresses) == 65536 and len(set(addresses)) == 65536
    assert (addresses[0], addresses[-1]) == pool.ranges[0]


def test_the_last_address_is_handed_out_and_then_the_pool_is_exhausted(engine, connection):
    """A pool of two free addresses (the Default pool narrowed): two NICs get them, the third is refused."""
    pools = engine.rhv.engine.mac_pools
    default = pools[DEFAULT_MAC_POOL_ID]
    used = engine.rhv.engine.inventory.macs_in_use()
    free = [mac for mac in default.addresses() if mac not in used][:2]
    pools[DEFAULT_MAC_POOL_ID] = dataclasses.replace(default, ranges=((free[0], free[0]), (free[1], free[1])))
    try:
        vms = connection.system_service().vms_service()
        nics = vms.vm_service(by_name(vms, "vm2").id).nics_service()
        got = [nics.add(types.Nic(name=f"pool{i}", plugged=False)).mac.address for i in range(2)]
        assert got == free
        with pytest.raises(sdk.Error) as caught:
            nics.add(types.Nic(name="pool2", plugged=False))
        assert caught.value.code == 409
        assert "Not enough MAC addresses left in MAC Address Pool" in str(caught.value)
    finally:
        pools[DEFAULT_MAC_POOL_ID] = default
        engine.rhv.load_inventory(defaults.RHV_INVENTORY)
