"""pytest plugin: a simulated lab on a free port, or a real APIC when given its URL.

    def test_tenants(apic_target):
        s = apic_target.session()          # logged-in requests.Session
        s.get(apic_target.url + "/api/class/fvTenant.json")

`--apic-url/--apic-user/--apic-password` point the same tests at real gear; tests that need the
simulator's own powers (clock, reset) use `apic_target.require_sim()` or the `sim` marker.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("acisim")
    group.addoption("--apic-url", default=None, help="run against this real APIC instead of the simulator")
    group.addoption("--apic-user", default="admin")
    group.addoption("--apic-password", default=None)
    group.addoption("--apic-verify", action="store_true", help="verify the real APIC's TLS certificate")


def pytest_configure(config):
    config.addinivalue_line("markers", "sim: needs simulator-only powers; skipped against real gear")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--apic-url"):
        return
    skip = pytest.mark.skip(reason="needs the simulator's /_sim API (running against a real APIC)")
    for item in items:
        if "sim" in item.keywords:
            item.add_marker(skip)


def client_tool(name: str, pin: str) -> str:
    """The path of a real client's command (acc-provision, ansible-playbook) installed with this
    Python; a missing client fails the test: the suite never skips what it is meant to exercise."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: the test extras pin {pin} (pip install -e .[test])")
    return found


@dataclass
class ApicTarget:
    url: str
    user: str
    password: str
    verify: bool | str = False
    lab: object | None = None

    @property
    def simulated(self) -> bool:
        return self.lab is not None

    def require_sim(self) -> None:
        if not self.simulated:
            pytest.skip("needs the simulator's /_sim API")

    def session(self):
        """A requests.Session logged in as the admin user."""
        import requests

        s = requests.Session()
        s.verify = self.verify
        # REQUESTS_CA_BUNDLE in the environment would override verify=False (a requests quirk)
        s.trust_env = False
        r = s.post(f"{self.url}/api/aaaLogin.json",
                   json={"aaaUser": {"attributes": {"name": self.user, "pwd": self.password}}}, timeout=30)
        r.raise_for_status()
        return s


@pytest.fixture(scope="session")
def acisim_lab(tmp_path_factory):
    """A simulated lab served over HTTPS on 127.0.0.1 and a free port, for the whole session."""
    from simulator.lab import Lab

    lab = Lab()
    lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    yield lab
    lab.stop()


@pytest.fixture(scope="session")
def apic_target(request) -> ApicTarget:
    url = request.config.getoption("--apic-url")
    if url:
        return ApicTarget(url.rstrip("/"), request.config.getoption("--apic-user"),
                          request.config.getoption("--apic-password") or "",
                          request.config.getoption("--apic-verify"))
    lab = request.getfixturevalue("acisim_lab")
    return ApicTarget(lab.servers[0].url, lab.options.admin_user, lab.options.admin_password, False, lab)
