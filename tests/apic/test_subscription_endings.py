"""What ends a subscription and how long one may live, over the REST API of a served lab, seen through
/api/subscriptionRefresh (400 "unknown or expired subscription" once it is gone): `subscription=no` ends that
session's subscriptions to that query only, not its others nor another session's to the same query; a logout
ends the session's subscriptions, and so does the end of the session by its idle timeout (the lab's tick), even
when the subscriptions' own refresh-timeout is far off. A refresh-timeout is 1 s to a day (86400 s); others
are refused. Found by mutation testing of subscriptions.py (tools/mutation/RESULTS.md)."""

from __future__ import annotations

import json

import pytest
import requests

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TIMEOUT = 30


class Session:
    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        self.http.verify = False
        self.http.trust_env = False
        r = self.http.post(f"{url}/api/aaaLogin.json", timeout=TIMEOUT,
                           data=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}))
        assert r.status_code == 200, r.text

    def subscribe(self, path: str, **params: str) -> str:
        r = self.http.get(f"{self.url}{path}", params={**params, "subscription": "yes"}, timeout=TIMEOUT)
        assert r.status_code == 200, r.text
        return r.json()["subscriptionId"]

    def unsubscribe(self, path: str) -> None:
        r = self.http.get(f"{self.url}{path}", params={"subscription": "no"}, timeout=TIMEOUT)
        assert r.status_code == 200, r.text

    def alive(self, sub_id: str) -> bool:
        """Whether the subscription can still be refreshed."""
        r = self.http.get(f"{self.url}/api/subscriptionRefresh.json", params={"id": sub_id}, timeout=TIMEOUT)
        if r.status_code == 200:
            return True
        assert r.status_code == 400, r.text
        assert "unknown or expired subscription" in r.json()["imdata"][0]["error"]["attributes"]["text"]
        return False

    def logout(self) -> None:
        r = self.http.post(f"{self.url}/api/aaaLogout.json", timeout=TIMEOUT,
                           data=json.dumps({"aaaUser": {"attributes": {"name": "admin"}}}))
        assert r.status_code == 200, r.text


@pytest.fixture
def url(lab):
    return lab.servers[0].url


def test_subscription_no_ends_only_that_query_of_that_session(url):
    mine, theirs = Session(url), Session(url)
    tenants = mine.subscribe("/api/class/fvTenant.json")
    vrfs = mine.subscribe("/api/class/fvCtx.json")
    their_tenants = theirs.subscribe("/api/class/fvTenant.json")
    mine.unsubscribe("/api/class/fvTenant.json")
    assert not mine.alive(tenants)
    assert mine.alive(vrfs)
    assert theirs.alive(their_tenants)


def test_a_logout_ends_the_sessions_subscriptions_only(url):
    leaving, staying = Session(url), Session(url)
    gone = leaving.subscribe("/api/class/fvTenant.json", **{"refresh-timeout": "3600"})
    kept = staying.subscribe("/api/class/fvTenant.json", **{"refresh-timeout": "3600"})
    leaving.logout()
    assert not staying.alive(gone)
    assert staying.alive(kept)


def test_the_end_of_a_session_by_its_idle_timeout_ends_its_subscriptions(lab, url):
    lab.freeze_clock(True)
    idle = lab.apic.aaa.config.refresh_timeout
    session = Session(url)
    sub = session.subscribe("/api/class/fvTenant.json", **{"refresh-timeout": "3600"})
    lab.advance_clock(idle + 1)  # the session is past its idle timeout; its subscription would live on
    assert not Session(url).alive(sub)


@pytest.mark.parametrize("seconds", ["1", "86400", ""])
def test_a_refresh_timeout_from_one_second_to_a_day_is_taken(url, seconds):
    assert Session(url).subscribe("/api/class/fvTenant.json", **{"refresh-timeout": seconds}).isdigit()


@pytest.mark.parametrize("seconds", ["0", "-5", "86401"])
def test_a_refresh_timeout_outside_one_second_to_a_day_is_refused(url, seconds):
    session = Session(url)
    r = session.http.get(f"{url}/api/class/fvTenant.json", timeout=TIMEOUT,
                         params={"subscription": "yes", "refresh-timeout": seconds})
    assert r.status_code == 400
    assert r.json()["imdata"][0]["error"]["attributes"]["text"] == (
        f"Invalid value for refresh-timeout: {seconds} (1..86400 seconds)")
