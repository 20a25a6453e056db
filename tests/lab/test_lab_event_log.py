"""The lab's event log (GET /_sim/events): every change asked of the lab through its control API, done or
refused, with who asked and when in lab time; reads are not in it."""

from __future__ import annotations

import pytest
import requests

from simulator.lab import Lab, LabOptions
from simulator.lab_log import MAX_DETAIL, MAX_ENTRIES, LabLog

ADMIN = ("admin", "Admin-pass-1")
TRAINEE = ("trainee", "Trainee-pass-1")


def plain() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


@pytest.fixture
def served():
    lab = Lab(LabOptions(admin_user=ADMIN[0], admin_password=ADMIN[1]))
    url = lab.start(tls=False).url
    trainee = {"aaaUser": {"attributes": {"name": TRAINEE[0], "pwd": TRAINEE[1]}, "children": [
        {"aaaUserDomain": {"attributes": {"name": "all"}, "children": [
            {"aaaUserRole": {"attributes": {"name": "read-all", "privType": "readPriv"}}}]}}]}}
    s = plain()
    assert s.post(f"{url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {
        "name": ADMIN[0], "pwd": ADMIN[1]}}}).status_code == 200
    assert s.post(f"{url}/api/mo/uni/userext.json", json=trainee).status_code == 200
    yield lab, url
    lab.stop()


def events(url: str, since: int = 0) -> dict:
    r = plain().get(f"{url}/_sim/events", params={"since": since}, auth=ADMIN)
    assert r.status_code == 200, r.text
    return r.json()


def test_changes_are_logged_with_who_asked_and_the_lab_time_and_reads_are_not(served):
    lab, url = served
    start = events(url)["last"]
    assert plain().post(f"{url}/_sim/clock/freeze", json={"frozen": True}, auth=ADMIN).status_code == 200
    assert plain().post(f"{url}/_sim/clock/advance", json={"seconds": 30}, auth=ADMIN).status_code == 200
    assert plain().get(f"{url}/_sim/info", auth=ADMIN).status_code == 200  # a read: not logged
    got = events(url, start)
    assert [(e["action"], e["status"], e["user"]) for e in got["events"]] == [
        ("POST /_sim/clock/freeze", 200, "admin"), ("POST /_sim/clock/advance", 200, "admin")]
    assert got["events"][1]["detail"] == '{"seconds": 30}'
    assert got["last"] == got["events"][-1]["id"] == start + 2
    assert got["events"][1]["time"].endswith("Z") and got["events"][1]["time"] > got["events"][0]["time"]


def test_a_trainee_trying_to_reset_the_lab_is_refused_and_the_log_says_so(served):
    lab, url = served
    start = events(url)["last"]
    assert plain().post(f"{url}/_sim/reset", auth=TRAINEE).status_code == 403
    assert plain().post(f"{url}/_sim/reset", auth=("admin", "wrong")).status_code == 401
    assert [(e["action"], e["status"], e["user"]) for e in events(url, start)["events"]] == [
        ("POST /_sim/reset", 403, "trainee"), ("POST /_sim/reset", 401, "")]


def test_a_reset_keeps_the_log_and_is_in_it(served):
    lab, url = served
    assert plain().post(f"{url}/_sim/clock/advance", json={"seconds": 1}, auth=ADMIN).status_code == 200
    before = events(url)["events"]
    assert plain().post(f"{url}/_sim/reset", auth=ADMIN).status_code == 200
    after = events(url)["events"]
    assert after[: len(before)] == before and after[-1]["action"] == "POST /_sim/reset"


@pytest.mark.parametrize("since", ["-1", "x", "1.5", "9" * 19])
def test_since_must_be_an_id(served, since):
    _, url = served
    r = plain().get(f"{url}/_sim/events", params={"since": since}, auth=ADMIN)
    assert r.status_code == 400 and "since must be" in r.json()["error"]


def test_the_log_keeps_the_newest_entries_and_the_start_of_each_body():
    log = LabLog(lambda: 0.0)
    for n in range(MAX_ENTRIES + 5):
        log.add(f"POST /_sim/x{n}", 200, "admin", "y" * (MAX_DETAIL + 10))
    kept = log.since()
    assert len(kept) == MAX_ENTRIES and kept[0]["id"] == 6 and log.last == MAX_ENTRIES + 5
    assert kept[0]["detail"] == "y" * MAX_DETAIL + "…" and kept[0]["time"] == "1970-01-01T00:00:00.000Z"
    assert [e["id"] for e in log.since(MAX_ENTRIES + 3)] == [MAX_ENTRIES + 4, MAX_ENTRIES + 5]
