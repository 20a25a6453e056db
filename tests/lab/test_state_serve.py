"""`acisim serve --state FILE` as a user runs it: the whole lab across restarts, reset, kill -9, bad files.

Every server is a subprocess on ports the OS picks; it is killed and reaped whatever a test does.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import threading
from pathlib import Path

import ovirtsdk4
import ovirtsdk4.types as otypes
import pycurl
import pytest
import requests
import served
from served import STOP_DEADLINE

KILL_SEED = 20260309
KILL_ROUNDS = 5
APIC_WRITERS = 3
WRITES_PER_WORKER = 120  # an upper bound per worker and round; the kill comes long before
GONE = (ovirtsdk4.Error, pycurl.error)  # what ovirtsdk4 raises once the server is gone


class Served(served.Served):
    """`acisim serve` with the clients these tests talk to it with."""

    @property
    def apic(self) -> str:
        return self.url

    @property
    def rhv(self) -> str:
        return self.rhv_url

    def apic_session(self) -> requests.Session:
        s = requests.Session()
        s.trust_env = False
        r = s.post(f"{self.apic}/api/aaaLogin.json",
                   json={"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}}, timeout=30)
        assert r.status_code == 200, r.text
        s.headers["Cookie"] = "APIC-cookie=" + r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]
        return s

    def rhv_connection(self) -> ovirtsdk4.Connection:
        return ovirtsdk4.Connection(url=self.rhv, username="admin@internal", password="redhat123", timeout=30)

    def sim(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.apic}/_sim{path}", auth=("admin", "cisco123"), timeout=30, **kwargs)


def serve_args(state: Path, *extra: str) -> list[str]:
    return ["--apic-port", "0", "--rhv-port", "0", "--k8s-port", "0", "--http", "--state", str(state), "--tls-dir", str(state.parent), *extra]


def tenants(s: requests.Session, url: str) -> set[str]:
    r = s.get(f"{url}/api/class/fvTenant.json", timeout=30)
    assert r.status_code == 200, r.text
    return {e["fvTenant"]["attributes"]["name"] for e in r.json()["imdata"]}


def post_tenant(s: requests.Session, url: str, name: str, **attrs: str) -> None:
    r = s.post(f"{url}/api/mo/uni.json", json={"fvTenant": {"attributes": {"name": name, **attrs}}}, timeout=30)
    assert r.status_code == 200, r.text


def networks(conn: ovirtsdk4.Connection) -> dict[str, str]:
    return {n.name: n.id for n in conn.system_service().networks_service().list()}


def add_network(conn: ovirtsdk4.Connection, name: str) -> str:
    return conn.system_service().networks_service().add(
        otypes.Network(name=name, data_center=otypes.DataCenter(name="Default"))).id


# --- restart, reset, refusals --------------------------------------------------------------------------
def test_the_whole_lab_comes_back_after_a_restart(tmp_path):
    state = tmp_path / "lab.state"
    with Served(*serve_args(state)) as first:
        s = first.apic_session()
        post_tenant(s, first.apic, "kept", descr="across a restart")
        conn = first.rhv_connection()
        try:
            first_net = add_network(conn, "kept_net")
            last_event = max(int(e.id) for e in conn.system_service().events_service().list())
        finally:
            conn.close()
        assert first.sim("POST", "/clock/freeze", json={"frozen": True}).status_code == 200
        frozen_at = first.sim("POST", "/clock/advance", json={"seconds": 3600}).json()["now"]
        assert first.stop() == 0
        assert f"saved state to {state}" in first.lines
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600

    with Served(*serve_args(state)) as second:
        assert any(line.startswith("restored ") and line.endswith(f"objects from {state}") for line in second.lines)
        s = second.apic_session()
        assert "kept" in tenants(s, second.apic)
        r = s.get(f"{second.apic}/api/mo/uni/tn-kept.json", timeout=30)
        assert r.json()["imdata"][0]["fvTenant"]["attributes"]["descr"] == "across a restart"
        conn = second.rhv_connection()
        try:
            assert networks(conn)["kept_net"] == first_net
            events = conn.system_service().events_service()
            before = {int(e.id) for e in events.list()}
            assert last_event in before  # the engine's audit log came back
            assert add_network(conn, "new_net") != first_net
            logged = {int(e.id) for e in events.list()} - before
            assert logged and min(logged) > last_event  # event ids go on counting: none is used twice
        finally:
            conn.close()
        assert second.sim("GET", "/clock").json() == {"now": frozen_at, "frozen": True}
        assert second.stop() == 0


def test_reset_goes_back_to_boot_and_that_is_what_is_kept(tmp_path):
    state = tmp_path / "lab.state"
    with Served(*serve_args(state)) as first:
        s = first.apic_session()
        post_tenant(s, first.apic, "before-reset")
        conn = first.rhv_connection()
        try:
            add_network(conn, "before_reset")
        finally:
            conn.close()
        assert first.sim("POST", "/reset").status_code == 200
        s = first.apic_session()
        post_tenant(s, first.apic, "after-reset")
        first.kill()  # no orderly stop: what the file holds is what was answered

    with Served(*serve_args(state)) as second:
        s = second.apic_session()
        names = tenants(s, second.apic)
        assert "after-reset" in names and "before-reset" not in names
        assert {"common", "infra", "mgmt"} <= names
        conn = second.rhv_connection()
        try:
            assert "before_reset" not in networks(conn)
        finally:
            conn.close()


def start_refused(state: Path) -> str:
    """Run serve on a file it must refuse; returns its one line of stderr."""
    returncode, out, err = served.refused(*serve_args(state))
    assert returncode == 2
    assert "Traceback" not in err and "APIC" not in out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"acisim serve: error: argument --state: {state}: ")
    return lines[0]


def test_a_foreign_file_is_a_one_line_error_and_is_left_alone(tmp_path):
    state = tmp_path / "state.json"
    state.write_text('{"format": 1, "mos": [["uni/tn-x", "fvTenant", {"name": "x"}]]}')
    before = state.read_bytes()
    assert "not an acisim state file" in start_refused(state)
    assert state.read_bytes() == before


def test_an_unknown_class_in_the_file_is_a_one_line_error_and_the_file_is_kept(tmp_path):
    import sqlite3

    state = tmp_path / "lab.state"
    with Served(*serve_args(state)) as first:
        assert first.stop() == 0
    conn = sqlite3.connect(state)
    conn.execute("INSERT INTO apic_mo (dn, seq, cls, attrs) VALUES ('uni/zz-1', 999999, 'noSuchClass', '{}')")
    conn.commit()
    conn.close()
    before = state.read_bytes()
    assert "APIC object uni/zz-1: unknown class 'noSuchClass'" in start_refused(state)
    assert state.read_bytes() == before


# --- kill -9 at random moments -----------------------------------------------------------------------------
class Ledger:
    """What the clients were told: per name, the last acknowledged outcome, and what was in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.present: dict[str, bool] = {}  # name -> acknowledged present (True) or deleted (False)
        self.in_flight: set[str] = set()
        self.acks = 0
        self.creates = self.deletes = 0
        self.enough = threading.Event()
        self.target = 0
        self.failures: list[str] = []

    def run(self, work, *args) -> threading.Thread:
        """A client thread; what goes wrong in it is reported to the test."""

        def guarded():
            try:
                work(*args)
            except BaseException as exc:  # handed to the test thread, which fails on it
                self.failures.append(f"{work.__name__}: {exc!r}")
                self.enough.set()

        thread = threading.Thread(target=guarded)
        thread.start()
        return thread

    def start(self, name: str) -> None:
        with self.lock:
            self.in_flight.add(name)

    def acknowledged(self, name: str, present: bool) -> None:
        with self.lock:
            self.in_flight.discard(name)
            self.present[name] = present
            self.acks += 1
            self.creates += present
            self.deletes += not present
            if self.acks >= self.target:
                self.enough.set()


def apic_writer(served: Served, ledger: Ledger, rng: random.Random, prefix: str) -> None:
    try:
        s = served.apic_session()
    except requests.RequestException:
        return
    mine: list[str] = []
    for i in range(WRITES_PER_WORKER):
        if ledger.enough.is_set() and served.proc.poll() is not None:
            return
        delete = bool(mine) and rng.random() < 0.3
        name = mine.pop(rng.randrange(len(mine))) if delete else f"{prefix}-{i}"
        ledger.start(name)
        try:
            if delete:
                r = s.delete(f"{served.apic}/api/mo/uni/tn-{name}.json", timeout=30)
            else:
                r = s.post(f"{served.apic}/api/mo/uni.json", json={"fvTenant": {"attributes": {"name": name}}},
                           timeout=30)
        except requests.RequestException:
            return  # the server is gone: this write stays in flight
        assert r.status_code == 200, r.text
        ledger.acknowledged(name, not delete)
        if not delete:
            mine.append(name)


def rhv_writer(served: Served, ledger: Ledger, rng: random.Random, prefix: str) -> None:
    conn = served.rhv_connection()
    mine: dict[str, str] = {}
    try:
        for i in range(WRITES_PER_WORKER):
            delete = bool(mine) and rng.random() < 0.3
            name = rng.choice(sorted(mine)) if delete else f"{prefix}_{i}"
            ledger.start(name)
            try:
                if delete:
                    conn.system_service().networks_service().network_service(mine.pop(name)).remove()
                else:
                    mine[name] = add_network(conn, name)
            except GONE:
                return  # the server is gone: this write stays in flight
            ledger.acknowledged(name, not delete)
    finally:
        try:
            conn.close()
        except GONE:
            pass  # no one left to log out from


def check_round(served: Served, ledger: Ledger) -> None:
    """Every acknowledged write and delete is there; a write in flight at the kill went either way."""
    names = tenants(served.apic_session(), served.apic)
    conn = served.rhv_connection()
    try:
        names |= set(networks(conn))
    finally:
        conn.close()
    lost = {n for n, present in ledger.present.items() if present and n not in ledger.in_flight and n not in names}
    undone = {n for n, present in ledger.present.items() if not present and n not in ledger.in_flight and n in names}
    assert not lost, f"acknowledged writes lost: {sorted(lost)}"
    assert not undone, f"acknowledged deletes undone: {sorted(undone)}"
    for name in ledger.in_flight:
        ledger.present[name] = name in names
    ledger.in_flight.clear()


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_write(tmp_path):
    rng = random.Random(KILL_SEED)
    state = tmp_path / "lab.state"
    ledger = Ledger()
    in_flight_at_kills = 0
    for round_no in range(KILL_ROUNDS):
        with Served(*serve_args(state)) as served:
            if round_no:
                check_round(served, ledger)
            ledger.enough.clear()
            ledger.target = ledger.acks + rng.randint(20, 80)  # the kill comes after this many acknowledged writes
            workers = [ledger.run(apic_writer, served, ledger, random.Random(rng.random()), f"r{round_no}w{w}")
                       for w in range(APIC_WRITERS)]
            workers.append(ledger.run(rhv_writer, served, ledger, random.Random(rng.random()), f"r{round_no}net"))
            try:
                assert ledger.enough.wait(timeout=120), f"only {ledger.acks} writes acknowledged"
                served.proc.send_signal(signal.SIGKILL)
                served.proc.wait(timeout=STOP_DEADLINE)
            finally:
                served.kill()
                for worker in workers:
                    worker.join(timeout=STOP_DEADLINE)
            assert not any(w.is_alive() for w in workers)
            assert not ledger.failures, ledger.failures
            in_flight_at_kills += len(ledger.in_flight)
    with Served(*serve_args(state)) as last:
        check_round(last, ledger)
        assert last.stop() == 0
    print(f"\nkill -9: {KILL_ROUNDS} rounds, {ledger.creates} acknowledged creates and {ledger.deletes} deletes "
          f"all found after restart; {in_flight_at_kills} writes were in flight at the kills")
