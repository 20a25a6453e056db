"""A small policy for the verdict tests, posted over REST as an engineer posts it: the tenant "flows" with one
enforced VRF and bridge domain, the EPGs web and db each with a static path (so leaves 101 and 102 deploy the
VRF), and the contract web-to-db (one subject, both directions, reverse filter ports) permitting tcp/5432 from
web to db. Nothing else is permitted: any other flow between them meets the VRF's default rule."""

from __future__ import annotations

import requests

TENANT = "uni/tn-flows"
WEB = f"{TENANT}/ap-app/epg-web"
DB = f"{TENANT}/ap-app/epg-db"
CONTRACT = f"{TENANT}/brc-web-to-db"
PATHS = {"web": "topology/pod-1/paths-101/pathep-[eth1/30]", "db": "topology/pod-1/paths-102/pathep-[eth1/30]"}


def epg(name: str, vlan: int, relation: str) -> dict:
    return {"fvAEPg": {"attributes": {"name": name}, "children": [
        {"fvRsBd": {"attributes": {"tnFvBDName": "bd"}}},
        {relation: {"attributes": {"tnVzBrCPName": "web-to-db"}}},
        {"fvRsPathAtt": {"attributes": {"tDn": PATHS[name], "encap": f"vlan-{vlan}", "instrImedcy": "immediate"}}}]}}


POLICY = {"fvTenant": {"attributes": {"name": "flows"}, "children": [
    {"fvCtx": {"attributes": {"name": "vrf", "pcEnfPref": "enforced"}}},
    {"fvBD": {"attributes": {"name": "bd"}, "children": [
        {"fvRsCtx": {"attributes": {"tnFvCtxName": "vrf"}}},
        {"fvSubnet": {"attributes": {"ip": "10.30.0.1/24"}}}]}},
    {"vzFilter": {"attributes": {"name": "pgsql"}, "children": [
        {"vzEntry": {"attributes": {"name": "tcp-5432", "etherT": "ip", "prot": "tcp", "dFromPort": "5432",
                                    "dToPort": "5432"}}}]}},
    {"vzBrCP": {"attributes": {"name": "web-to-db", "scope": "context"}, "children": [
        {"vzSubj": {"attributes": {"name": "pgsql", "revFltPorts": "yes"}, "children": [
            {"vzRsSubjFiltAtt": {"attributes": {"tnVzFilterName": "pgsql"}}}]}}]}},
    {"fvAp": {"attributes": {"name": "app"}, "children": [epg("web", 3001, "fvRsCons"), epg("db", 3002, "fvRsProv")]}},
]}}


def post_policy(url: str, user: str, password: str) -> None:
    """Log in as the admin and post the policy (verify off: the lab's certificate is self-signed)."""
    with requests.Session() as s:
        s.trust_env = False
        s.verify = False
        r = s.post(f"{url}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": user, "pwd": password}}})
        assert r.status_code == 200, r.text
        r = s.post(f"{url}/api/mo/{TENANT}.json", json=POLICY)
        assert r.status_code == 200, r.text
