"""The endpoint tracker: /mqapi2/troubleshoot.eptracker.json?ep=<fvCEp dn> as troubleshooting scripts read it.

The controller writes the endpoint (fvCEp with fvIp children and its fvRsCEpToPathEp) with system writes, as
the VMM manager does; everything else goes over REST with requests (or Flask's test client where the APIC
needs a setting of its own), the way the EP-history scripts in vmm-endpoints-contracts.md B5 call it.
"""

from __future__ import annotations

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from lxml import etree

from simulator.apic import errors, signing
from simulator.apic import rest as apic_rest
from simulator.apic.managers.ep_tracker import EpTrackerSettings
from simulator.apic.service import Apic, ApicConfig
from simulator.clock import ManualClock, apic_timestamp
from simulator.pytest_plugin import sim_session
from simulator.tls import self_signed

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

EPG = "uni/tn-Heroes/ap-Save_The_Planet/epg-db"
MAC = "43:CD:BB:C0:00:00"
CEP = f"{EPG}/cep-{MAC}"
OLD = "topology/pod-1/paths-101/pathep-[eth1/1]"
NEW = "topology/pod-2/protpaths-201-202/pathep-[esx-3-vpc]"
IPS = ("10.193.101.2", "2222::65:2")
TRACKER = "/mqapi2/troubleshoot.eptracker"
START = 1_695_452_317.194  # 2023-09-23T06:58:37.194+00:00, the date of the recorded reply


def tenant() -> dict:
    epg = {"fvAEPg": {"attributes": {"name": "db"}}}
    return {"fvTenant": {"attributes": {"name": "Heroes"}, "children": [
        {"fvAp": {"attributes": {"name": "Save_The_Planet"}, "children": [epg]}}]}}


def endpoint(mac: str = MAC, ips: tuple[str, ...] = IPS, path: str = OLD) -> dict:
    children = [{"fvIp": {"attributes": {"addr": ip}}} for ip in ips]
    children.append({"fvRsCEpToPathEp": {"attributes": {"tDn": path}}})
    return {"fvCEp": {"attributes": {"mac": mac, "encap": "vlan-202"}, "children": children}}


def move(apic: Apic, old: str, new: str, cep: str = CEP) -> None:
    """One system write: the old path goes and the new one comes, as on a finished live migration."""
    apic.system_post(cep, {"fvCEp": {"attributes": {}, "children": [
        {"fvRsCEpToPathEp": {"attributes": {"tDn": old, "status": "deleted"}}},
        {"fvRsCEpToPathEp": {"attributes": {"tDn": new}}}]}})


def remove(apic: Apic, cep: str = CEP) -> None:
    mac = cep.rpartition("/cep-")[2]
    apic.system_post(cep, {"fvCEp": {"attributes": {"mac": mac, "status": "deleted"}}})


def rows(answer: dict) -> list[dict]:
    return [node["troubleshootEpTransition"]["attributes"] for node in answer["imdata"]]


def summary(answer: dict) -> list[tuple[str, str, str, str]]:
    return [(r["id"], r["action"], r["ip"], r["path"]) for r in rows(answer)]


def session(url: str) -> requests.Session:
    s = requests.Session()
    s.verify = False
    s.trust_env = False
    r = s.post(f"{url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}},
               timeout=30)
    assert r.status_code == 200, r.text
    return s


@pytest.fixture
def tracked(lab):
    """A lab whose endpoint was attached, moved to a vPC in pod 2 a minute later, and removed a minute after."""
    url = lab.servers[0].url
    s = session(url)
    assert s.post(f"{url}/api/mo/uni.json", json=tenant(), timeout=30).status_code == 200
    lab.clock.freeze()
    lab.apic.system_post(EPG, endpoint())
    lab.clock.advance(60)
    move(lab.apic, OLD, NEW)
    lab.clock.advance(60)
    remove(lab.apic)
    return lab, url, s


def test_a_move_and_a_removal_are_tracked_one_row_per_ip(tracked):
    lab, url, s = tracked
    r = s.get(f"{url}{TRACKER}.json", params={"ep": CEP}, timeout=30)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["totalCount"] == "8"
    assert summary(answer) == [
        ("1", "attached", IPS[0], OLD), ("2", "attached", IPS[1], OLD),
        ("3", "detached", IPS[0], OLD), ("4", "detached", IPS[1], OLD),
        ("5", "attached", IPS[0], NEW), ("6", "attached", IPS[1], NEW),
        ("7", "detached", IPS[0], NEW), ("8", "detached", IPS[1], NEW),
    ]
    first = rows(answer)[0]
    attached = lab.clock.now() - 120
    assert first == first | {
        "dn": f"epts-[{CEP}]-1", "rn": f"epts-[{CEP}]-1", "id": "1", "action": "attached",
        "date": apic_timestamp(attached), "ip": IPS[0], "mac": MAC, "encap": "vlan-202", "path": OLD,
        "tenant": "Heroes", "ap": "Save_The_Planet", "epg": "db", "esg": "", "ctx": "", "subj": CEP,
        "lcOwn": "local", "modTs": "never", "status": "created,modified", "childAction": "",
    }
    assert [r["date"] for r in rows(answer)] == [apic_timestamp(attached)] * 2 + [
        apic_timestamp(attached + 60)] * 4 + [apic_timestamp(attached + 120)] * 2


def test_order_by_date_and_paging(tracked):
    _lab, url, s = tracked
    newest = s.get(f"{url}{TRACKER}.json?ep={CEP}&order-by=troubleshootEpTransition.date|desc", timeout=30).json()
    assert [r["id"] for r in rows(newest)] == ["8", "7", "6", "5", "4", "3", "2", "1"]
    oldest = s.get(f"{url}{TRACKER}.json?ep={CEP}&order-by=troubleshootEpTransition.date|asc", timeout=30).json()
    assert [r["id"] for r in rows(oldest)] == ["1", "2", "3", "4", "5", "6", "7", "8"]

    page = s.get(f"{url}{TRACKER}.json?ep={CEP}&order-by=troubleshootEpTransition.date|desc&page=1&page-size=3",
                 timeout=30).json()
    assert page["totalCount"] == "8"  # counted before paging, as /api counts
    assert [r["id"] for r in rows(page)] == ["5", "4", "3"]
    last = s.get(f"{url}{TRACKER}.json?ep={CEP}&page=2&page-size=3", timeout=30).json()
    assert (last["totalCount"], [r["id"] for r in rows(last)]) == ("8", ["7", "8"])

    bad = s.get(f"{url}{TRACKER}.json?ep={CEP}&order-by=troubleshootEpTransition.date|sideways", timeout=30)
    assert bad.status_code == 400
    assert bad.json()["imdata"][0]["error"]["attributes"]["code"] == "400"


def test_rows_are_mos_of_the_tree(tracked):
    """They are kept in the MIT (so state files and snapshots keep them) and a class query shows them."""
    _lab, url, s = tracked
    r = s.get(f"{url}/api/class/troubleshootEpTransition.json", timeout=30)
    assert r.status_code == 200 and r.json()["totalCount"] == "8"
    one = s.get(f"{url}/api/mo/epts-[{CEP}]-5.json", timeout=30).json()
    assert one["imdata"][0]["troubleshootEpTransition"]["attributes"]["path"] == NEW


def test_an_unknown_endpoint_has_no_history_and_ep_is_required(tracked):
    _lab, url, s = tracked
    r = s.get(f"{url}{TRACKER}.json?ep={EPG}/cep-00:00:00:00:00:01", timeout=30)
    assert (r.status_code, r.json()) == (200, {"totalCount": "0", "imdata": []})
    r = s.get(f"{url}{TRACKER}.json", timeout=30)
    assert r.status_code == 400
    [error] = r.json()["imdata"]
    assert error["error"]["attributes"]["code"] == "400" and "ep" in error["error"]["attributes"]["text"]


def test_xml(tracked):
    _lab, url, s = tracked
    r = s.get(f"{url}{TRACKER}.xml?ep={CEP}&page=0&page-size=2", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/xml")
    doc = etree.fromstring(r.content)
    assert doc.tag == "imdata" and doc.get("totalCount") == "8"
    assert [(el.tag, el.get("id"), el.get("ip")) for el in doc] == [
        ("troubleshootEpTransition", "1", IPS[0]), ("troubleshootEpTransition", "2", IPS[1])]
    missing = s.get(f"{url}{TRACKER}.xml", timeout=30)
    assert missing.status_code == 400 and etree.fromstring(missing.content)[0].tag == "error"


def test_without_a_cookie_the_tracker_refuses(tracked):
    _lab, url, _s = tracked
    anonymous = requests.Session()
    anonymous.verify = False
    anonymous.trust_env = False
    r = anonymous.get(f"{url}{TRACKER}.json?ep={CEP}", timeout=30)
    assert r.status_code == 403
    assert r.json()["imdata"][0]["error"]["attributes"]["text"].startswith("Need a valid webtoken cookie")


def test_a_signed_request_reads_the_tracker(tracked):
    _lab, url, s = tracked
    key, cert = self_signed("tracker")
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    r = s.post(f"{url}/api/mo/uni/userext/user-tracker.json", json={"aaaUser": {
        "attributes": {"name": "tracker", "accountStatus": "active", "pwd": "NotUsed1!"},
        "children": [{"aaaUserCert": {"attributes": {"name": "tracker.crt", "data": pem}}}]}}, timeout=30)
    assert r.status_code == 200, r.text
    target = f"{TRACKER}.json?ep={CEP}&page=0&page-size=25"
    cookies = signing.sign_request(key, "uni/userext/user-tracker/usercert-tracker.crt", "GET", target)
    plain = requests.Session()
    plain.verify = False
    plain.trust_env = False
    r = plain.get(url + target, headers={"Cookie": signing.cookie_header(cookies)}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["totalCount"] == "8"


def test_a_snapshot_restore_and_a_reset_record_no_moves(tracked):
    lab, url, s = tracked
    sim = sim_session(lab)
    lab.apic.system_post(EPG, endpoint(path=OLD))  # the endpoint is back: rows 9 and 10
    assert sim.post(f"{url}/_sim/snapshots", json={"name": "back"}, timeout=30).status_code == 201
    move(lab.apic, OLD, NEW)  # rows 11-14
    assert sim.post(f"{url}/_sim/snapshots/back/restore", timeout=30).status_code == 200

    answer = s.get(f"{url}{TRACKER}.json?ep={CEP}", timeout=30).json()
    assert [r["id"] for r in rows(answer)] == [str(n) for n in range(1, 11)]
    move(lab.apic, OLD, NEW)
    answer = s.get(f"{url}{TRACKER}.json?ep={CEP}&page=2&page-size=5", timeout=30).json()
    assert summary(answer) == [("11", "detached", IPS[0], OLD), ("12", "detached", IPS[1], OLD),
                               ("13", "attached", IPS[0], NEW), ("14", "attached", IPS[1], NEW)]

    assert sim.post(f"{url}/_sim/reset", timeout=30).status_code == 200
    s = session(url)  # a reset ends every session
    assert s.get(f"{url}/api/class/troubleshootEpTransition.json", timeout=30).json()["totalCount"] == "0"


# --- behaviour that needs an APIC of its own (a bound, a manual clock) --------------------------------
@pytest.fixture
def client():
    apic = Apic(ApicConfig(admin_password="secret", ep_tracker=EpTrackerSettings(history_per_endpoint=3)),
                clock=ManualClock(START))
    apic.system_post("uni", tenant())
    http = apic_rest.create_app(apic).test_client()
    r = http.post("/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}})
    assert r.status_code == 200
    return apic, http


def test_the_history_of_each_endpoint_is_bounded(client):
    apic, http = client
    other = f"{EPG}/cep-00:50:56:00:00:02"
    apic.system_post(EPG, endpoint(ips=()))  # no IP: one row with an empty ip
    apic.system_post(EPG, endpoint(mac="00:50:56:00:00:02", ips=("10.0.0.2",)))
    move(apic, OLD, NEW)
    move(apic, NEW, OLD)

    answer = http.get(f"{TRACKER}.json?ep={CEP}").get_json()
    assert answer["totalCount"] == "3"  # 5 rows were written, the oldest 2 went
    assert summary(answer) == [("3", "attached", "", NEW), ("4", "detached", "", NEW), ("5", "attached", "", OLD)]
    assert summary(http.get(f"{TRACKER}.json?ep={other}").get_json()) == [("1", "attached", "10.0.0.2", OLD)]
    assert http.get("/api/class/troubleshootEpTransition.json").get_json()["totalCount"] == "4"


def test_a_path_written_again_in_place_is_no_move(client):
    apic, http = client
    apic.system_post(EPG, endpoint(ips=("10.0.0.1",)))
    move(apic, OLD, OLD)  # deleted and created again in one write: the endpoint did not move
    apic.system_post(CEP, {"fvCEp": {"attributes": {"contName": "vm-1"}}})  # not a path change either
    assert summary(http.get(f"{TRACKER}.json?ep={CEP}").get_json()) == [("1", "attached", "10.0.0.1", OLD)]


def test_a_write_a_later_manager_refuses_leaves_no_row_and_no_gap(client):
    """The rows are part of the write: when a manager after the tracker refuses it, they go with it."""
    apic, http = client
    apic.system_post(EPG, endpoint(ips=("10.0.0.1",)))

    def refuse_pod_2(txn, events):
        if any(e.cls == "fvRsCEpToPathEp" and "pod-2" in e.dn for e in events):
            raise errors.bad_request("refused")

    apic.store.hooks.append(refuse_pod_2)
    with pytest.raises(errors.ApicError):
        move(apic, OLD, NEW)
    apic.store.hooks.remove(refuse_pod_2)
    assert summary(http.get(f"{TRACKER}.json?ep={CEP}").get_json()) == [("1", "attached", "10.0.0.1", OLD)]
    move(apic, OLD, NEW)
    assert [r[:2] for r in summary(http.get(f"{TRACKER}.json?ep={CEP}").get_json())] == [
        ("1", "attached"), ("2", "detached"), ("3", "attached")]
