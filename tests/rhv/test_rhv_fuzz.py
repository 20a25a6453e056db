"""A fixed-seed sample of the property-based fuzz (tests/rhv/rhv_fuzz.py) against the RHV Manager served
over HTTPS: every answer has a status under 500 and the engine's own shape. bench/fuzz_rhv.py runs the
same grammar for 20,000+ requests."""

from __future__ import annotations

import requests
import rhv_fuzz as fz

REQUESTS = 800
SEED = 13
RELOAD_EVERY = 200


class HttpSender:
    """Generated requests over real HTTP(S), with a bearer token from the engine's own SSO endpoint."""

    def __init__(self, engine, inventory):
        self.engine = engine
        self.inventory = inventory
        engine.rhv.load_inventory(inventory)
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = str(engine.ca_file)
        self.token = ""
        self.login()

    def login(self) -> None:
        resp = self.http.post(f"{self.engine.url}/ovirt-engine/sso/oauth/token", data={
            "grant_type": "password", "scope": "ovirt-app-api", "username": fz.ADMIN[0], "password": fz.ADMIN[1]})
        self.token = resp.json()["access_token"]

    def get(self, path: str) -> bytes:
        url = f"{self.engine.url}{fz.API}/{path}" if path else f"{self.engine.url}{fz.API}"
        return self.http.get(url, headers={"Authorization": f"Bearer {self.token}"}).content

    def reload(self, total: int) -> None:
        if total and total % RELOAD_EVERY == 0:
            self.engine.rhv.load_inventory(self.inventory)
            self.login()

    def __call__(self, req: fz.Req) -> fz.Answer:
        headers = {k: v.replace(fz.TOKEN, self.token).encode("utf-8").decode("latin-1") for k, v in req.headers.items()}
        url = self.engine.url + req.path + (f"?{req.query}" if req.query else "")
        prepared = requests.Request(req.method, url, headers=headers, data=req.body).prepare()
        prepared.url = url  # as generated: requests must not re-quote the path or the query
        resp = self.http.send(prepared, allow_redirects=False)
        return fz.Answer(resp.status_code, resp.headers.get("Content-Type", ""), resp.content, dict(resp.headers))


def test_a_seeded_fuzz_of_the_served_api_gets_only_the_engines_answers(engine, tmp_path):
    sender = HttpSender(engine, fz.inventory_with_users(tmp_path / "inventory.yaml"))
    surface = fz.crawl(sender.get)
    assert len(surface.collections) > 50 and surface.actions
    guids = sorted({part for path in surface.entities for part in path.split("/") if len(part) == 36})
    tally = fz.run(sender, surface, guids, REQUESTS, SEED, fz.Tally(), before=sender.reload)
    assert tally.total >= REQUESTS * 0.9
    assert tally.by_class.get("2xx", 0) > 50, tally.by_class
    report = {why: [e[:1000] for e in examples[:3]] for why, examples in tally.violations.items()}
    assert not report, report


def test_the_oracle_refuses_what_the_engine_never_answers():
    req = fz.Req("GET", f"{fz.API}/vms")
    html = fz.Answer(308, "text/html; charset=utf-8", b"<!doctype html>", {})
    assert fz.violation(req, html) == "HTML answer (308)"
    assert fz.violation(req, fz.Answer(500, "application/xml", b"<fault/>", {})) == "status 500"
    assert fz.violation(req, fz.Answer(400, "application/xml", b"<vm/>", {})).startswith("XML error is not a fault")
    assert fz.violation(req, fz.Answer(400, "application/json", b'{"x": 1}', {})).startswith("JSON error")
    assert fz.violation(req, fz.Answer(200, "application/xml", b"<vms><vm>\x01</vm></vms>", {})).startswith(
        "XML answer does not parse")
    assert fz.violation(req, fz.Answer(404, "application/xml", b"", {})) is None
    assert fz.violation(req, fz.Answer(401, "application/xml", b"", {"WWW-Authenticate": "Bearer"})) is None
