"""Snapshots: the lab's named snapshots (/_sim/snapshots) and the APIC's own configuration snapshots and
rollback (configExportP / configImportP), through REST."""

from __future__ import annotations

import ovirtsdk4
import ovirtsdk4.types as otypes
import pytest
import requests

from simulator.apic import rest as apic_rest
from simulator.apic.service import Apic
from simulator.lab import Lab
from simulator.pytest_plugin import sim_session
from simulator.serving import serve_in_thread

ADMIN = {"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}}


def apic_session(url: str) -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    r = s.post(f"{url}/api/aaaLogin.json", json=ADMIN, timeout=30)
    assert r.status_code == 200, r.text
    s.headers["Cookie"] = "APIC-cookie=" + r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]
    return s


def post(s: requests.Session, url: str, dn: str, body: dict) -> requests.Response:
    return s.post(f"{url}/api/mo/{dn}.json", json=body, timeout=30)


def tenants(s: requests.Session, url: str) -> dict[str, dict]:
    r = s.get(f"{url}/api/class/fvTenant.json", timeout=30)
    assert r.status_code == 200, r.text
    return {e["fvTenant"]["attributes"]["name"]: e["fvTenant"]["attributes"] for e in r.json()["imdata"]}


# --- /_sim/snapshots -------------------------------------------------------------------------------------
@pytest.fixture
def served_lab():
    lab = Lab()
    apic = lab.start(tls=False)
    rhv = lab.start_rhv(tls=False)
    sim = sim_session(lab)
    conn = ovirtsdk4.Connection(url=f"{rhv.url}/ovirt-engine/api", username="admin@internal", password="redhat123")
    yield lab, apic.url, sim, conn
    conn.close()
    lab.stop()
    lab.state.close()


def network_names(conn: ovirtsdk4.Connection) -> set[str]:
    return {n.name for n in conn.system_service().networks_service().list()}


def test_a_snapshot_brings_back_the_whole_lab(served_lab):
    lab, url, sim, conn = served_lab
    s = apic_session(url)
    assert post(s, url, "uni", {"fvTenant": {"attributes": {"name": "kept", "descr": "before"}}}).status_code == 200
    frozen = sim.post(f"{url}/_sim/clock/freeze", json={"frozen": True}).json()["now"]
    r = sim.post(f"{url}/_sim/snapshots", json={"name": "base-line_1.0"})
    assert r.status_code == 201, r.text
    assert r.json() == {"name": "base-line_1.0", "taken": frozen}

    assert post(s, url, "uni", {"fvTenant": {"attributes": {"name": "later"}}}).status_code == 200
    assert post(s, url, "uni/tn-kept", {"fvTenant": {"attributes": {"descr": "after"}}}).status_code == 200
    conn.system_service().networks_service().add(otypes.Network(name="later_net", data_center=otypes.DataCenter(name="Default")))
    sim.post(f"{url}/_sim/clock/advance", json={"seconds": 300})  # under the APIC token's idle timeout (600 s)

    r = sim.post(f"{url}/_sim/snapshots/base-line_1.0/restore")
    assert r.status_code == 200, r.text
    assert r.json()["restored"] is True
    names = tenants(s, url)
    assert "later" not in names and names["kept"]["descr"] == "before"
    assert "later_net" not in network_names(conn)
    assert sim.get(f"{url}/_sim/clock").json() == {"now": frozen, "frozen": True}
    assert sim.get(f"{url}/_sim/snapshots").json() == {"snapshots": [{"name": "base-line_1.0", "taken": frozen}]}

    r = sim.delete(f"{url}/_sim/snapshots/base-line_1.0")
    assert (r.status_code, r.json()) == (200, {"name": "base-line_1.0", "deleted": True})
    assert sim.get(f"{url}/_sim/snapshots").json() == {"snapshots": []}


@pytest.mark.parametrize("name", ["", "../etc", "-x", "a b", "x" * 65, 7, None])
def test_a_bad_snapshot_name_is_400(served_lab, name):
    _lab, url, sim, _conn = served_lab
    r = sim.post(f"{url}/_sim/snapshots", json={"name": name})
    assert r.status_code == 400
    assert "snapshot name" in r.json()["error"]


def test_unknown_and_duplicate_snapshots(served_lab):
    _lab, url, sim, _conn = served_lab
    assert sim.post(f"{url}/_sim/snapshots", json={"name": "one"}).status_code == 201
    r = sim.post(f"{url}/_sim/snapshots", json={"name": "one"})
    assert (r.status_code, r.json()) == (409, {"error": "a snapshot named 'one' exists"})
    for r in (sim.post(f"{url}/_sim/snapshots/two/restore"), sim.delete(f"{url}/_sim/snapshots/two")):
        assert (r.status_code, r.json()) == (404, {"error": "no snapshot named 'two'"})


def test_snapshots_live_in_the_state_file(tmp_path):
    """With a state file, a snapshot survives the lab; restoring it is saved like any change."""
    state = tmp_path / "lab.state"
    first = Lab()
    first.keep_state(state)
    first.apic.add_user("snapper", "Pass-1234", role="admin")
    first.state.take("with-user")
    first.apic.writer.delete("uni/userext/user-snapper")
    first.state.close()

    second = Lab()
    assert second.keep_state(state) > 0
    assert "uni/userext/user-snapper" not in second.apic.store
    assert [s["name"] for s in second.state.snapshots()] == ["with-user"]
    second.state.restore("with-user")
    assert second.apic.aaa.login("snapper", "Pass-1234").user == "snapper"
    second.state.close()

    third = Lab()
    third.keep_state(state)
    assert "uni/userext/user-snapper" in third.apic.store
    third.state.close()


# --- the APIC's configuration snapshots and rollback ---------------------------------------------------
@pytest.fixture
def apic_url():
    apic = Apic()
    server = serve_in_thread(apic_rest.create_app(apic), tls=False)
    yield server.url
    server.stop()


def export(s: requests.Session, url: str, policy: str, **attrs: str) -> requests.Response:
    """What Ansible's aci_config_snapshot posts."""
    body = {"configExportP": {"attributes": {"name": policy, "snapshot": "yes", "adminSt": "triggered", **attrs}}}
    return post(s, url, f"uni/fabric/configexp-{policy}", body)


def snapshots(s: requests.Session, url: str, policy: str) -> list[dict]:
    r = s.get(f"{url}/api/mo/uni/backupst/snapshots-[uni/fabric/configexp-{policy}].json",
              params={"query-target": "children", "target-subtree-class": "configSnapshot"}, timeout=30)
    assert r.status_code == 200, r.text
    return [e["configSnapshot"]["attributes"] for e in r.json()["imdata"]]


def roll_back(s: requests.Session, url: str, policy: str, snapshot: str, import_type: str = "replace"):
    """What Ansible's aci_config_rollback posts."""
    file_name = f"ce2_{policy}-{snapshot.removeprefix('run-')}.tar.gz"
    body = {"configImportP": {"attributes": {"name": "rollback", "fileName": file_name, "snapshot": "yes",
                                             "importType": import_type, "importMode": "atomic",
                                             "adminSt": "triggered"}}}
    return post(s, url, "uni/fabric/configimp-rollback", body)


def test_an_export_policy_takes_a_snapshot_and_goes_back_to_untriggered(apic_url):
    s = apic_session(apic_url)
    r = export(s, apic_url, "nightly", descr="before the change window")
    assert r.status_code == 200, r.text
    [snap] = snapshots(s, apic_url, "nightly")
    assert snap["name"].startswith("run-") and len(snap["name"]) == len("run-2017-08-28T06-24-01")
    assert snap["descr"] == "before the change window" and snap["retire"] in ("", "no")
    policy = s.get(f"{apic_url}/api/mo/uni/fabric/configexp-nightly.json", timeout=30).json()["imdata"][0]
    assert policy["configExportP"]["attributes"]["adminSt"] == "untriggered"
    assert export(s, apic_url, "nightly").status_code == 200
    assert len(snapshots(s, apic_url, "nightly")) == 2


def test_rollback_replace_puts_the_configuration_back(apic_url):
    s = apic_session(apic_url)
    assert post(s, apic_url, "uni", {"fvTenant": {"attributes": {"name": "prod", "descr": "v1"}}}).status_code == 200
    assert export(s, apic_url, "nightly").status_code == 200
    [snap] = snapshots(s, apic_url, "nightly")
    assert post(s, apic_url, "uni", {"fvTenant": {"attributes": {"name": "oops"}}}).status_code == 200
    assert post(s, apic_url, "uni/tn-prod", {"fvTenant": {"attributes": {"descr": "v2"}}}).status_code == 200
    assert s.delete(f"{apic_url}/api/mo/uni/tn-common.json", timeout=30).status_code == 200

    r = roll_back(s, apic_url, "nightly", snap["name"])
    assert r.status_code == 200, r.text
    names = tenants(s, apic_url)
    assert "oops" not in names and names["prod"]["descr"] == "v1" and "common" in names
    assert snapshots(s, apic_url, "nightly") == [snap]  # the snapshot list itself is not rolled back
    imp = s.get(f"{apic_url}/api/mo/uni/fabric/configimp-rollback.json", timeout=30).json()["imdata"][0]
    assert imp["configImportP"]["attributes"]["adminSt"] == "untriggered"


def test_rollback_merge_adds_and_changes_but_removes_nothing(apic_url):
    s = apic_session(apic_url)
    assert post(s, apic_url, "uni", {"fvTenant": {"attributes": {"name": "prod", "descr": "v1"}}}).status_code == 200
    assert export(s, apic_url, "nightly").status_code == 200
    [snap] = snapshots(s, apic_url, "nightly")
    assert post(s, apic_url, "uni", {"fvTenant": {"attributes": {"name": "new"}}}).status_code == 200
    assert post(s, apic_url, "uni/tn-prod", {"fvTenant": {"attributes": {"descr": "v2"}}}).status_code == 200
    assert roll_back(s, apic_url, "nightly", snap["name"], import_type="merge").status_code == 200
    names = tenants(s, apic_url)
    assert names["prod"]["descr"] == "v1" and "new" in names


def test_retire_removes_a_snapshot_and_max_count_keeps_the_newest(apic_url):
    s = apic_session(apic_url)
    for _ in range(3):
        assert export(s, apic_url, "rolling", maxSnapshotCount="2").status_code == 200
    kept = snapshots(s, apic_url, "rolling")
    assert len(kept) == 2
    dn = f"uni/backupst/snapshots-[uni/fabric/configexp-rolling]/snapshot-{kept[0]['name']}"
    r = post(s, apic_url, dn, {"configSnapshot": {"attributes": {"name": kept[0]["name"], "retire": "yes"}}})
    assert r.status_code == 200, r.text
    assert [snap["name"] for snap in snapshots(s, apic_url, "rolling")] == [kept[1]["name"]]
    r = roll_back(s, apic_url, "rolling", kept[0]["name"])
    assert r.status_code == 400
    assert "not found" in r.json()["imdata"][0]["error"]["attributes"]["text"]


def test_configuration_snapshots_survive_a_restart_and_travel_in_lab_snapshots(tmp_path):
    state = tmp_path / "lab.state"
    first = Lab()
    first.keep_state(state)
    server = first.start(tls=False)
    s = apic_session(server.url)
    assert post(s, server.url, "uni", {"fvTenant": {"attributes": {"name": "prod"}}}).status_code == 200
    assert export(s, server.url, "nightly").status_code == 200
    [snap] = snapshots(s, server.url, "nightly")
    first.state.take("lab-with-config-snapshot")
    first.stop()
    first.state.close()

    second = Lab()
    second.keep_state(state)
    server = second.start(tls=False)
    try:
        s = apic_session(server.url)
        assert s.delete(f"{server.url}/api/mo/uni/tn-prod.json", timeout=30).status_code == 200
        assert roll_back(s, server.url, "nightly", snap["name"]).status_code == 200  # the file came back too
        assert "prod" in tenants(s, server.url)
        dn = f"uni/backupst/snapshots-[uni/fabric/configexp-nightly]/snapshot-{snap['name']}"
        r = post(s, server.url, dn, {"configSnapshot": {"attributes": {"retire": "yes"}}})
        assert r.status_code == 200 and snapshots(s, server.url, "nightly") == []
        second.state.restore("lab-with-config-snapshot")
        assert snapshots(s, server.url, "nightly") == [snap]
        assert s.delete(f"{server.url}/api/mo/uni/tn-prod.json", timeout=30).status_code == 200
        assert roll_back(s, server.url, "nightly", snap["name"]).status_code == 200
        assert "prod" in tenants(s, server.url)
    finally:
        second.stop()
        second.state.close()
