"""Binds features/migration.feature; the steps live in migration_steps.py (shared through conftest.py).

The feature runs on its own lab, scenarios/rhv-two-pod.yaml (two pods, a stretched cluster and a cluster
per pod), which these module fixtures serve instead of the session's default lab; with --apic-url and
--rhv-url it runs against that gear, which must be built like the scenario.
"""

from pathlib import Path

import pytest
from pytest_bdd import scenarios

from simulator.pytest_plugin import ApicTarget, RhvTarget

# the simulator's certificate is self-signed, and a real APIC's or engine's often is too
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "rhv-two-pod.yaml"

scenarios("migration.feature")


@pytest.fixture(scope="module")
def two_pod_lab(tmp_path_factory):
    """The two-pod lab on free ports of 127.0.0.1 (HTTPS), for this feature only."""
    from simulator.lab import Lab, LabOptions

    options = LabOptions()
    options.apply_scenario(SCENARIO)
    lab = Lab(options)
    tls_dir = tmp_path_factory.mktemp("two-pod-tls")
    lab.start(tls_dir=tls_dir)
    lab.start_rhv(tls_dir=tls_dir)
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def apic_target(request, apic_target) -> ApicTarget:
    """The plugin's target when it is real gear; else the two-pod lab's APIC."""
    if not apic_target.simulated:
        return apic_target
    lab = request.getfixturevalue("two_pod_lab")
    return ApicTarget(lab.apic_server.url, lab.options.admin_user, lab.options.admin_password, lab=lab,
                      sim_url=lab.apic_server.url)


@pytest.fixture(scope="module")
def rhv_target(request, rhv_target) -> RhvTarget:
    """The plugin's target when it is real gear; else the two-pod lab's RHV Manager."""
    if not rhv_target.simulated:
        return rhv_target
    lab = request.getfixturevalue("two_pod_lab")
    return RhvTarget(lab.rhv_server.url + "/ovirt-engine/api", lab.rhv.config.admin_user,
                     lab.options.rhv_admin_password, lab=lab, sim_url=lab.apic_server.url)
