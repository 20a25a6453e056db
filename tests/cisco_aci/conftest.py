"""The cisco.aci module families against a fresh lab each: one ansible-playbook run per test module.

A family's playbook (playbooks/<family>.yml) drives its modules through present (check mode), present,
present again, query, absent (check mode), absent, absent again and the modules' own error cases, and checks
the answers with `assert` tasks. Those checks carry `ignore_errors`, so one run reports every failed check
instead of stopping at the first; the pytest side then requires that the only failed tasks are the error
cases the family expects to fail, and reads the APIC's final state over REST. A test module names its
playbook in `FAMILY` (and may give `extra_vars(tmp_path) -> dict` for what its playbook needs besides the
lab's port); the run is shared by the module's tests (pytest-xdist `--dist loadscope` keeps a module on one
worker, so each family is run once).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playbooks import PlaybookRun, run_playbook

from simulator.lab import Lab, LabOptions

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
PASSWORD = "secret"


@dataclass
class FamilyRun:
    """A family's playbook run and a REST session on the lab it ran against."""

    run: PlaybookRun
    url: str
    session: requests.Session

    def imdata(self, path: str) -> list[dict]:
        """The imdata of a GET on the lab (path starts with /api/)."""
        r = self.session.get(self.url + path, timeout=30)
        assert r.status_code == 200, f"GET {path} -> {r.status_code} {r.text}"
        return r.json()["imdata"]

    def failed(self) -> set[str]:
        """Keys of the tasks that failed (error cases the play expects, and any check that did not hold)."""
        return {key for key, res in self.run.results.items() if res.get("failed") or res.get("unreachable")}

    def checks_report(self) -> str:
        """Each failed check task with the condition that did not hold, for assertion messages."""
        lines = []
        for res in self.run.results.values():
            if not res.get("failed"):
                continue
            items = [i for i in res.get("results", []) if i.get("failed")] or [res]
            for item in items:
                detail = {k: item.get(k) for k in ("assertion", "msg", "item") if item.get(k)}
                lines.append(f"{res['_name']}: {json.dumps(detail, default=str)[:1500]}")
        return "\n".join(lines) + "\n" + self.run.summary()

    def assert_descr_refused(self, task: str, dn: str) -> None:
        """The task's description with brackets was refused with the APIC's 801, surfaced by the module."""
        res = self.run.results[task]
        assert res["status"] == 400, self.checks_report()
        assert res["error"] == {"code": "801", "text": f"property descr of {dn} failed validation for value "
                                                      "'bad [brackets] description'"}, res

    def assert_clean(self, expected_failures: set[str]) -> None:
        """The play ran to its end and only the expected error cases failed."""
        assert self.run.rc == 0 and self.run.results, self.run.summary()
        assert self.failed() == expected_failures, self.checks_report()


def login(url: str) -> requests.Session:
    """A REST session on the lab logged in as admin (no proxy or CA bundle from the environment)."""
    s = requests.Session()
    s.verify = False
    s.trust_env = False
    r = s.post(f"{url}/api/aaaLogin.json",
               json={"aaaUser": {"attributes": {"name": "admin", "pwd": PASSWORD}}}, timeout=30)
    assert r.status_code == 200, r.text
    return s


@pytest.fixture(scope="module")
def family(request, tmp_path_factory) -> Iterator[FamilyRun]:
    """A fresh HTTPS lab and one run of the test module's playbook (`FAMILY`) against it."""
    name = request.module.FAMILY
    tmp_path = tmp_path_factory.mktemp(name)
    lab = Lab(LabOptions(admin_password=PASSWORD))
    srv = lab.start(tls_dir=tmp_path / "tls")
    try:
        extra = getattr(request.module, "extra_vars", lambda _: {})(tmp_path)
        run = run_playbook(tmp_path, name, PLAYBOOKS / f"{name}.yml", {"aci_port": srv.port, **extra})
        yield FamilyRun(run, srv.url, login(srv.url))
    finally:
        lab.stop()
