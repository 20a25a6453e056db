"""Shared setup of the BDD suite.

The step modules are registered as plugins (as `pytest_plugins` would, but also when this conftest
is found late, as by `pytest .`, where pytest refuses `pytest_plugins`), so pytest rewrites their
asserts and every feature sees every step. Two definitions competing for one step would be resolved
silently by registration order; `steps.support.registry` finds them when the suite is collected
and the run stops, naming both modules.

The suite also leaves its reports for CI: a cucumber JSON and a JUnit XML in reports/ (paths
given with --cucumberjson/--junitxml win). They are set here rather than in pyproject's addopts
because pytest-bdd's writer does not create its folder, which would break a plain
`pytest tests/x.py` in a fresh clone.
"""

from pathlib import Path

import pytest

# the support package is imported by the step modules: its asserts are rewritten too
pytest.register_assert_rewrite("steps.support")

from steps.support.registry import check_collection  # noqa: E402

STEP_MODULES = ["steps.apic_steps", "steps.nodeprep_steps", "steps.provisioning_steps", "steps.rhv_steps",
                "steps.rhv_vmm_steps", "steps.migration_steps", "steps.cni_steps", "steps.segmentation_steps"]

REPORTS = {"cucumber_json_path": "cucumber.json", "xmlpath": "junit.xml"}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for name in STEP_MODULES:
        config.pluginmanager.import_plugin(name)
    if hasattr(config, "workerinput"):  # xdist workers leave reports to the controller
        return
    for option, name in REPORTS.items():
        if getattr(config.option, option, None) is None:
            setattr(config.option, option, str(config.rootpath / "reports" / name))
        Path(getattr(config.option, option)).absolute().parent.mkdir(parents=True, exist_ok=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    check_collection(STEP_MODULES, items)
