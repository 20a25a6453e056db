"""A session's two limits, seen over HTTPS as a client sees them: the idle timeout a refresh or any request
resets (refreshTimeoutSeconds), and the maximum lifetime nothing resets (maximumLifetimeSeconds). A token
kept busy past its lifetime is refused as the APIC refuses an expired token, 403 "Token timeout", and the
user logs in again for a new one. The lab clock is frozen and moved by hand: no test here waits."""

from __future__ import annotations

import json

import pytest
import requests

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TIMEOUT = 30
TIMED_OUT = (403, "403", "Token was invalid (Error: Token timeout)")


class Session:
    """A client that keeps its token itself and sends it as the APIC-cookie header of every request."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        self.http.verify = False
        self.http.trust_env = False
        self.login = self.log_in()
        self.token = self.login["token"]

    def log_in(self) -> dict[str, str]:
        r = self.http.post(f"{self.url}/api/aaaLogin.json", timeout=TIMEOUT,
                           data=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}))
        assert r.status_code == 200, r.text
        self.http.cookies.clear()  # the token goes only in the header below
        return r.json()["imdata"][0]["aaaLogin"]["attributes"]

    def request(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        return self.http.request(method, f"{self.url}{path}", headers={"Cookie": f"APIC-cookie={self.token}"},
                                 data=json.dumps(body) if body is not None else None, timeout=TIMEOUT)

    def refresh(self) -> dict[str, str]:
        r = self.request("GET", "/api/aaaRefresh.json")
        assert r.status_code == 200, r.text
        return r.json()["imdata"][0]["aaaLogin"]["attributes"]


def error_of(r: requests.Response) -> tuple[int, str, str]:
    err = r.json()["imdata"][0]["error"]["attributes"]
    return r.status_code, err["code"], err["text"]


@pytest.fixture
def frozen(lab):
    """The served lab with its clock stopped, so that only the test moves time (`clock.advance` between
    requests; `advance_clock`, which also runs the lab's tick and its session expiry, for the last steps)."""
    lab.freeze_clock(True)
    # a lifetime of a few idle timeouts, as an APIC admin may set it (the default, a day, would take 145
    # refreshes over HTTPS); the client reads it from the login reply as it reads the default
    lab.apic.aaa.config.maximum_lifetime = 4 * lab.apic.aaa.config.refresh_timeout
    return lab


def test_refreshes_keep_a_token_alive_only_up_to_its_maximum_lifetime(frozen):
    client = Session(frozen.servers[0].url)
    idle = int(client.login["refreshTimeoutSeconds"])
    lifetime = int(client.login["maximumLifetimeSeconds"])
    created = int(client.login["creationTime"])
    assert idle < lifetime

    step = idle - 1  # always just inside the idle timeout
    elapsed = 0
    ways = ["refresh", "GET", "POST"]
    n = 0
    while elapsed + step < lifetime - 1:
        frozen.clock.advance(step)
        elapsed += step
        way = ways[n % len(ways)]
        n += 1
        if way == "refresh":
            again = client.refresh()
            # a refresh keeps the same token and its creation time: it resets only the idle timer
            assert (again["token"], again["creationTime"]) == (client.token, str(created))
        elif way == "GET":
            assert client.request("GET", "/api/class/fvTenant.json").status_code == 200
        else:
            r = client.request("POST", "/api/mo/uni.json", {"fvTenant": {"attributes": {"name": f"busy{n}"}}})
            assert r.status_code == 200, r.text

    frozen.advance_clock(lifetime - 1 - elapsed)  # one second before the end of its life: still good
    assert client.request("GET", "/api/class/fvTenant.json").status_code == 200

    frozen.advance_clock(2)  # past the maximum lifetime, two seconds after its last use
    assert error_of(client.request("GET", "/api/class/fvTenant.json")) == TIMED_OUT
    assert error_of(client.request("POST", "/api/mo/uni.json",
                                   {"fvTenant": {"attributes": {"name": "too-late"}}})) == TIMED_OUT
    assert error_of(client.request("GET", "/api/aaaRefresh.json")) == TIMED_OUT
    assert client.http.get(f"{client.url}/api/mo/uni/tn-too-late.json", timeout=TIMEOUT,
                           headers={"Cookie": f"APIC-cookie={client.log_in()['token']}"}).json()["imdata"] == []


def test_an_expired_token_stays_refused_and_a_new_login_starts_a_new_lifetime(frozen):
    client = Session(frozen.servers[0].url)
    lifetime = int(client.login["maximumLifetimeSeconds"])
    step = int(client.login["refreshTimeoutSeconds"]) - 1
    elapsed = 0
    while elapsed + step < lifetime:
        frozen.clock.advance(step)
        elapsed += step
        client.refresh()
    frozen.advance_clock(lifetime - elapsed)  # exactly its lifetime: over
    assert error_of(client.request("GET", "/api/aaaRefresh.json")) == TIMED_OUT
    frozen.advance_clock(1)
    assert error_of(client.request("GET", "/api/class/fvTenant.json")) == TIMED_OUT  # it never comes back

    old = client.token
    fresh = client.log_in()
    assert fresh["token"] != old
    assert int(fresh["creationTime"]) == int(frozen.clock.now())
    client.token = fresh["token"]
    assert client.request("GET", "/api/class/fvTenant.json").status_code == 200
