"""The APIC imports the inventory of the RHV Manager a Red Hat vmmCtrlrP names, over the oVirt REST API.

Everything goes through the interfaces users have: the domain, credential and controller are created over
the APIC's REST API with requests, the lab clock moves through /_sim, RHV is driven with the real ovirtsdk4,
and the result is read back over REST: the controller online with the engine's product info, a compHv per
host, a compVm per VM with compRsHv to its host, its compVNics; a wrong password makes the controller
offline with F0130, a fixed one brings it back and clears the fault; a started and a migrated VM are
followed on the next resync, and a migration already on the next poll of the engine's events.
"""

from __future__ import annotations

from vmm_lab import (
    DOMAIN,
    EVENT_POLL,
    INVENTORY,
    RESYNC,
)
from vmm_lab import advance as _advance
from vmm_lab import children as _children
from vmm_lab import controller as _controller
from vmm_lab import domain as _domain
from vmm_lab import get as _get
from vmm_lab import post as _post
from vmm_lab import sdk_connection as _sdk
from vmm_lab import sdk_vm_hosts as _sdk_vm_hosts
from vmm_lab import vm_hosts as _vm_hosts


def test_the_controller_comes_online_with_the_engines_inventory(lab_apic_rhv):
    s, url, rhv = lab_apic_rhv
    _domain(s, url, rhv)
    _advance(s, url, 1)

    ctrlr = _controller(s, url)["attributes"]
    assert (ctrlr["operSt"], ctrlr["vendor"]) == ("online", "Red Hat")
    assert ctrlr["model"] == "Red Hat Virtualization Manager"
    assert ctrlr["rev"].startswith("4.5")
    connection = _sdk(rhv)
    try:
        system = connection.system_service()
        sdk_hosts = {h.id: h.name for h in system.hosts_service().list()}
        sdk_nics = {nic.mac.address.upper() for vm in system.vms_service().list()
                    for nic in system.vms_service().vm_service(vm.id).nics_service().list()}
    finally:
        connection.close()
    hvs = _children(s, url, "compHv")
    assert {h["attributes"]["oid"]: h["attributes"]["name"] for h in hvs} == sdk_hosts
    assert all(any("compHpNic" in c for c in h["children"]) for h in hvs)
    assert _vm_hosts(s, url) == _sdk_vm_hosts(rhv)
    vnics = [mo["compVNic"]["attributes"] for mo in _get(s, url, "/api/class/compVNic.json")]
    assert {v["mac"] for v in vnics} == sdk_nics
    vm1 = next(v for v in vnics if v["mac"] == "56:6F:1A:2B:00:01")
    assert (vm1["name"], vm1["ip"]) == ("nic1", "192.168.10.101")


def test_a_wrong_password_raises_f0130_until_it_is_fixed(lab_apic_rhv):
    s, url, rhv = lab_apic_rhv
    _domain(s, url, rhv, password="wrong")
    _advance(s, url, 1)

    ctrlr = _controller(s, url, **{"rsp-subtree-include": "faults"})
    assert ctrlr["attributes"]["operSt"] == "offline"
    (fault,) = [c["faultInst"]["attributes"] for c in ctrlr["children"]]
    assert (fault["code"], fault["cause"]) == ("F0130", "connect-failed")
    assert (fault["severity"], fault["lc"]) == ("major", "raised")
    assert fault["changeSet"] == "operSt (Old: unknown, New: offline)"
    assert fault["descr"].startswith(
        "Connection to VMM controller: 127.0.0.1 with name engine in datacenter Default in domain: rhv "
        "is failing repeatedly with error: [SSO login failed: Cannot authenticate user 'admin@internal'")
    assert fault["created"] == fault["lastTransition"] and fault["created"].startswith("2027-01-15T")
    faults = [mo["faultInst"]["attributes"]["dn"] for mo in _get(s, url, "/api/class/faultInst.json")]
    assert f"{INVENTORY}/fault-F0130" in faults

    _post(s, url, f"{DOMAIN}/usracc-cred", {"vmmUsrAccP": {"attributes": {"pwd": "redhat123"}}})
    _advance(s, url, 1)
    ctrlr = _controller(s, url, **{"rsp-subtree-include": "faults"})
    assert ctrlr["attributes"]["operSt"] == "online"
    assert "children" not in ctrlr
    f0130 = {"query-target-filter": 'eq(faultInst.code,"F0130")'}
    assert _get(s, url, "/api/class/faultInst.json", **f0130) == []


def test_a_started_and_a_migrated_vm_are_followed_on_the_next_resync(lab_apic_rhv):
    s, url, rhv = lab_apic_rhv
    _domain(s, url, rhv)
    _advance(s, url, 1)
    before = _vm_hosts(s, url)
    assert before["vm2"] == "" and before["vm1"]

    connection = _sdk(rhv)
    try:
        vms = connection.system_service().vms_service()
        vms.vm_service(vms.list(search="name=vm2")[0].id).start()
        vms.vm_service(vms.list(search="name=vm1")[0].id).migrate()
    finally:
        connection.close()
    _advance(s, url, RESYNC)

    after = _vm_hosts(s, url)
    assert after == _sdk_vm_hosts(rhv)
    assert after["vm1"] not in ("", before["vm1"])
    assert after["vm2"]
    (vm2,) = [v["attributes"] for v in _children(s, url, "compVm") if v["attributes"]["name"] == "vm2"]
    assert vm2["state"] == "poweredOn"


def test_a_migration_is_followed_on_the_next_event_poll(lab_apic_rhv):
    s, url, rhv = lab_apic_rhv
    _domain(s, url, rhv)
    _advance(s, url, 1)
    before = _vm_hosts(s, url)["vm1"]

    connection = _sdk(rhv)
    try:
        vms = connection.system_service().vms_service()
        vms.vm_service(vms.list(search="name=vm1")[0].id).migrate()
    finally:
        connection.close()
    _advance(s, url, EVENT_POLL)

    after = _vm_hosts(s, url)["vm1"]
    assert after == _sdk_vm_hosts(rhv)["vm1"] != before
