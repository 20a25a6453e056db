"""An APIC's configuration as a fixture file: what `acisim serve --fixture FILE` posts back.

Read: `GET /api/mo/uni.json?rsp-subtree=full&rsp-prop-include=config-only` after aaaLogin, the whole policy
universe with the properties a user can set (a real APIC and the lab alike leave secure properties such as
passwords out, so recorded local users come back without one). Kept: each top-level child of uni as one
fixture entry `{dn: uni/<rn>, body: {CLASS: {attributes, children}}}`, with only the classes a client can
post (the simulator's catalog says which: classes it does not know, and objects the controller makes itself,
such as faults and resolved policies, are left out and counted) and without properties that hold their
class's default. Operational state (topology, inventory, faults) is the lab's own and is not recorded.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import requests
import yaml

from ..apic.mit.catalog import Catalog, default_catalog
from . import RecordError

TIMEOUT = 120.0
SKIPPED_ATTRS = ("dn", "rn", "status", "childAction", "modTs", "lcOwn", "uid", "userdom", "extMngdBy")


@dataclass
class ApicRecording:
    entries: list[dict] = field(default_factory=list)
    objects: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # class -> objects left out

    def yaml(self, source: str) -> str:
        head = (f"# Recorded from the APIC at {source} by acisim record apic: {self.objects} objects of uni in "
                f"{len(self.entries)} entries.\n# Load it with: acisim serve --fixture FILE\n")
        if self.skipped:
            head += "# Left out (not configurable here): " + ", ".join(
                f"{cls} x{n}" for cls, n in sorted(self.skipped.items())) + "\n"
        return head + yaml.safe_dump(self.entries, sort_keys=False, default_flow_style=False, width=120)


def record(url: str, user: str, password: str, catalog: Catalog | None = None,
           timeout: float = TIMEOUT) -> ApicRecording:
    """Read the APIC at `url` (scheme://host:port) and return what a fixture holds; RecordError otherwise."""
    base = url.rstrip("/")
    with requests.Session() as http:
        http.trust_env = False  # a lab or an APIC on the bench: no proxy, its own self-signed certificate
        http.verify = False
        warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        login = {"aaaUser": {"attributes": {"name": user, "pwd": password}}}
        _answer(_call(http, "POST", f"{base}/api/aaaLogin.json", json=login, timeout=timeout), "aaaLogin")
        reply = _call(http, "GET", f"{base}/api/mo/uni.json",
                      params={"rsp-subtree": "full", "rsp-prop-include": "config-only"}, timeout=timeout)
        imdata = _answer(reply, "GET /api/mo/uni.json")
    if not imdata or "polUni" not in imdata[0]:
        raise RecordError(f"{base} answered no policy universe (uni) to GET /api/mo/uni.json")
    return convert(imdata[0]["polUni"], catalog or default_catalog())


def convert(uni: dict, catalog: Catalog) -> ApicRecording:
    """The fixture entries of a polUni node of a full config-only read."""
    out = ApicRecording()
    for child in uni.get("children", []):
        ((cls, body),) = child.items()
        kept = _prune(cls, body, catalog, out)
        if kept is not None:
            out.entries.append({"dn": f"uni/{body['attributes']['rn']}", "body": kept})
    return out


def _prune(cls: str, body: dict, catalog: Catalog, out: ApicRecording) -> dict | None:
    if cls not in catalog or not catalog.get(cls).configurable:
        out.skipped[cls] = out.skipped.get(cls, 0) + 1 + _count(body)
        return None
    meta = catalog.get(cls)
    props = meta.props
    attrs = {k: v for k, v in body.get("attributes", {}).items()
             if k not in SKIPPED_ATTRS and k in props and props[k].config
             and (k in meta.naming or v != props[k].default)}
    out.objects += 1
    node: dict[str, Any] = {"attributes": attrs}
    children = [kept for child in body.get("children", []) for c, b in child.items()
                if (kept := _prune(c, b, catalog, out)) is not None]
    if children:
        node["children"] = children
    return {cls: node}


def _count(body: dict) -> int:
    return sum(1 + _count(b) for child in body.get("children", []) for b in child.values())


def _call(http: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
    try:
        return http.request(method, url, **kwargs)
    except requests.RequestException as exc:
        raise RecordError(f"cannot reach the APIC at {url.split('/api/')[0]}: {type(exc).__name__}",
                          unreachable=True) from None


def _answer(reply: requests.Response, what: str) -> list:
    try:
        data = reply.json()
    except ValueError:
        raise RecordError(f"{what}: HTTP {reply.status_code} without an APIC envelope") from None
    if reply.status_code != 200:
        try:
            text = data["imdata"][0]["error"]["attributes"]["text"]
        except (KeyError, IndexError, TypeError):
            text = f"HTTP {reply.status_code}"
        raise RecordError(f"{what}: {text}")
    return data.get("imdata", [])
