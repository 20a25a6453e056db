"""An engineer's requests session with the lab's APIC over its REST API, logged in as admin: the one the
API tests share (posting a body to an object's URL as Ansible's modules and curl do, deleting, reading)."""

from __future__ import annotations

import json

import requests

TIMEOUT = 30


class ApicRest:
    def __init__(self, url: str, password: str = "secret", user: str = "admin"):
        self.url = url
        self.http = requests.Session()
        self.http.verify = False
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=False
        r = self.http.post(f"{url}/api/aaaLogin.json",
                           data=json.dumps({"aaaUser": {"attributes": {"name": user, "pwd": password}}}))
        assert r.status_code == 200, r.text
        self.token = r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]

    def get(self, path: str, **params: str) -> requests.Response:
        return self.http.get(f"{self.url}{path}", params=params, timeout=TIMEOUT)

    def post(self, dn: str, body: dict) -> requests.Response:
        """POST the body to /api/mo/<dn>.json; the answer, whatever it is."""
        return self.http.post(f"{self.url}/api/mo/{dn}.json", data=json.dumps(body), timeout=TIMEOUT)

    def post_ok(self, dn: str, body: dict) -> None:
        r = self.post(dn, body)
        assert r.status_code == 200, r.text

    def delete_ok(self, dn: str) -> None:
        r = self.http.delete(f"{self.url}/api/mo/{dn}.json", timeout=TIMEOUT)
        assert r.status_code == 200, r.text

    def imdata(self, path: str, **params: str) -> list[dict]:
        r = self.get(path, **params)
        assert r.status_code == 200, r.text
        return r.json()["imdata"]

    def objects(self, cls: str) -> list[dict]:
        """The attributes of every object of a class (a class query)."""
        return [mo[cls]["attributes"] for mo in self.imdata(f"/api/class/{cls}.json")]
