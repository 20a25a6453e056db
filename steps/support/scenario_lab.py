"""A feature served by a lab scenario of its own instead of the session's default lab.

`served_by(SCENARIO, label)` in a step binding module gives its module fixtures: `scenario_lab` (the scenario's
lab on free ports of 127.0.0.1, HTTPS) and the `apic_target`/`rhv_target` overrides that point at it, unless the
run was given real gear (--apic-url/--rhv-url), which stays the target.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.pytest_plugin import ApicTarget, RhvTarget, lab_apic_target, lab_rhv_target, start_lab


def served_by(scenario: Path, label: str):
    @pytest.fixture(scope="module")
    def scenario_lab(tmp_path_factory):
        """The scenario's lab, for this feature only."""
        from simulator.lab import LabOptions

        options = LabOptions()
        options.apply_scenario(scenario)
        lab = start_lab(tmp_path_factory.mktemp(f"{label}-tls"), options)
        yield lab
        lab.stop()

    @pytest.fixture(scope="module")
    def apic_target(request, apic_target) -> ApicTarget:
        """The plugin's target when it is real gear; else the scenario lab's APIC."""
        return apic_target if not apic_target.simulated else lab_apic_target(request.getfixturevalue("scenario_lab"))

    @pytest.fixture(scope="module")
    def rhv_target(request, rhv_target) -> RhvTarget:
        """The plugin's target when it is real gear; else the scenario lab's RHV Manager."""
        return rhv_target if not rhv_target.simulated else lab_rhv_target(request.getfixturevalue("scenario_lab"))

    return scenario_lab, apic_target, rhv_target
