"""A client of the APIC's REST API as an engineer's script is one: requests, the APIC-cookie
session, bodies sent as text without a JSON content type (as acc-provision and a pasted curl do),
answers read through APIC's `{"totalCount", "imdata"}` envelope."""

from __future__ import annotations

import json
from collections.abc import Iterator

import requests
import urllib3

from simulator.apic import signing

# the simulator's certificate is self-signed, and a real APIC's often is too
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

TIMEOUT = 30

Tree = dict[str, tuple[str, dict[str, str]]]  # dn -> (class, attributes without dn/rn)


def mo_entry(entry: dict) -> tuple[str, dict]:
    """The class name and body of one `{class: {attributes, children}}` entry of an answer."""
    ((cls, body),) = entry.items()
    return cls, body


def flatten(entry: dict, parent_dn: str = "") -> Iterator[tuple[str, str, dict[str, str]]]:
    """(dn, class, attributes) of an answer's entry and its nested children: nested children carry
    their rn, only the top object carries a dn."""
    cls, body = mo_entry(entry)
    attributes = dict(body["attributes"])
    dn = attributes.pop("dn", None) or f"{parent_dn}/{attributes['rn']}"
    attributes.pop("rn", None)
    yield dn, cls, attributes
    for child in body.get("children", []):
        yield from flatten(child, dn)


def signed_cookies(key_pem: bytes, cert_dn: str, method: str, uri: str, body: bytes = b"") -> str:
    """The Cookie header of a certificate-signed request (RSA PKCS#1 v1.5, SHA-256 over METHOD + path?query
    exactly as sent + body), made by the client-side signer simulator.apic.signing offers."""
    return signing.cookie_header(signing.sign_request(key_pem, cert_dn, method, uri, body))


def describe(answer: requests.Response) -> str:
    return f"{answer.request.method} {answer.request.path_url}: HTTP {answer.status_code} {answer.text[:500]}"


class ApicSession:
    """One logged-in (or not yet logged-in) conversation with an APIC target (`apic_target`)."""

    def __init__(self, target) -> None:
        self.target = target
        self.http = requests.Session()
        self.http.verify = target.verify
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify=False

    def url(self, path: str) -> str:
        return f"{self.target.url}{path}"

    # --- the wire ---------------------------------------------------------------------------------
    def login(self, password: str | None = None) -> requests.Response:
        body = {"aaaUser": {"attributes": {"name": self.target.user,
                                           "pwd": self.target.password if password is None else password}}}
        return self.http.post(self.url("/api/aaaLogin.json"), data=json.dumps(body), timeout=TIMEOUT)

    def logged_in(self) -> dict[str, str]:
        """Log in as the target's user; the aaaLogin attributes (token, refreshTimeoutSeconds, ...)."""
        answer = self.login()
        assert answer.status_code == 200, f"login failed: {describe(answer)}"
        return answer.json()["imdata"][0]["aaaLogin"]["attributes"]

    def get(self, path: str, **params: str) -> requests.Response:
        return self.http.get(self.url(path), params=params or None, timeout=TIMEOUT)

    def post(self, path: str, body: dict | str) -> requests.Response:
        """POST the body as text, with no Content-Type."""
        text = body if isinstance(body, str) else json.dumps(body)
        return self.http.post(self.url(path), data=text.encode(), timeout=TIMEOUT)

    def delete(self, path: str) -> requests.Response:
        return self.http.delete(self.url(path), timeout=TIMEOUT)

    def signed_get(self, uri: str, key_pem: bytes, cert_dn: str) -> requests.Response:
        """GET `uri` (path?query exactly as sent) signed as aci-containers-controller signs it."""
        cookies = signed_cookies(key_pem, cert_dn, "GET", uri)
        return self.http.get(self.url(uri), headers={"Cookie": cookies}, timeout=TIMEOUT)

    # --- reading the tree -------------------------------------------------------------------------
    def imdata(self, path: str, **params: str) -> list[dict]:
        answer = self.get(path, **params)
        assert answer.status_code == 200, describe(answer)
        return answer.json()["imdata"]

    def mo(self, dn: str) -> tuple[str, dict] | None:
        """The object at `dn` as (class, body), None where APIC answers an empty imdata."""
        found = self.imdata(f"/api/mo/{dn}.json")
        return mo_entry(found[0]) if found else None

    def children(self, dn: str, cls: str, **params: str) -> list[dict[str, str]]:
        """The attributes of `dn`'s children of class `cls`."""
        found = self.imdata(f"/api/mo/{dn}.json", **{"query-target": "children", "target-subtree-class": cls},
                            **params)
        return [mo_entry(entry)[1]["attributes"] for entry in found]

    def class_query(self, cls: str, **params: str) -> list[dict[str, str]]:
        return [mo_entry(entry)[1]["attributes"] for entry in self.imdata(f"/api/class/{cls}.json", **params)]

    def subtree(self, dn: str) -> Tree:
        return {found_dn: (cls, attributes)
                for entry in self.imdata(f"/api/mo/{dn}.json", **{"rsp-subtree": "full"})
                for found_dn, cls, attributes in flatten(entry)}

    def post_ok(self, path: str, body: dict | str) -> None:
        answer = self.post(path, body)
        assert answer.status_code == 200, describe(answer)

    def tenant_exists(self, name: str) -> bool:
        return self.mo(f"uni/tn-{name}") is not None
