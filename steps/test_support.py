"""The support clients on their own: the /_sim control client against a lab of its own (so its powers
never disturb the features' shared lab), and the table readers."""

from __future__ import annotations

import pytest

from simulator.pytest_plugin import ApicTarget, RhvTarget
from steps.support.rhv import RhvClient, status_of
from steps.support.sim import SimControl
from steps.support.tables import names, table_rows


@pytest.fixture
def own_lab():
    from simulator.lab import Lab

    lab = Lab()
    apic = lab.start(tls=False)
    rhv = lab.start_rhv(tls=False)
    yield (ApicTarget(apic.url, lab.options.admin_user, lab.options.admin_password, lab=lab, sim_url=apic.url),
           RhvTarget(rhv.url + "/ovirt-engine/api", lab.rhv.config.admin_user, lab.options.rhv_admin_password,
                     lab=lab, sim_url=apic.url))
    lab.stop()


def test_the_clock_freezes_and_moves_only_when_advanced(own_lab):
    sim = SimControl(own_lab[0])
    sim.freeze_clock(True)
    try:
        frozen = sim.clock()
        assert frozen["frozen"] is True
        assert sim.advance_clock(20) == frozen["now"] + 20 == sim.clock()["now"]
    finally:
        sim.freeze_clock(False)
    assert sim.clock()["frozen"] is False


def test_rhv_powers_act_on_what_they_name_and_reset_undoes_them(own_lab):
    apic, rhv = own_lab
    sim = SimControl(rhv)
    client = RhvClient(rhv)
    try:
        sim.set_host_status("host2", "non_operational")
        assert status_of(client.host("host2")) == "non_operational"
        sim.fail_next_migration("vm1", "the destination refused")
        sim.expire_rhv_tokens()
        assert sim.info()["rhv"]["hosts"] == 2
        sim.reset()
        assert status_of(RhvClient(rhv).host("host2")) == "up"
    finally:
        client.close()
    with pytest.raises(AssertionError, match="no VM named 'no-such-vm'"):
        SimControl(apic).fail_next_migration("no-such-vm")


def test_against_real_gear_the_control_client_skips():
    real = ApicTarget("https://apic.example", "admin", "secret")
    with pytest.raises(pytest.skip.Exception, match="needs the simulator's /_sim API"):
        SimControl(real).advance_clock(1)


def test_table_rows_are_keyed_by_the_header_and_a_missing_column_is_named():
    rows = table_rows([[" node ", "TEP address"], ["node1 ", " 10.0.0.101"]])
    assert rows == [{"node": "node1", "TEP address": "10.0.0.101"}]
    with pytest.raises(AssertionError, match="the table has no column 'address' \\(its columns: node, TEP address\\)"):
        rows[0]["address"]


def test_names_reads_a_list_as_a_feature_writes_it():
    assert names("a, b and c") == ["a", "b", "c"]
    assert names(" - ") == [] == names("")
