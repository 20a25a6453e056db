"""Shared setup of the BDD suite.

pytest-bdd finds steps only through fixtures a test module can see, so the step modules are
star-imported here. The suite also leaves its reports for CI: a cucumber JSON and a JUnit XML in
reports/ (paths given with --cucumberjson/--junitxml win). They are set here rather than in
pyproject's addopts because pytest-bdd's writer does not create its folder, which would break a
plain `pytest tests/x.py` in a fresh clone.
"""

from pathlib import Path

import pytest

# step modules are plain modules: let pytest rewrite their asserts so failures show the values compared
pytest.register_assert_rewrite("steps.apic_steps", "steps.provisioning_steps", "steps.rhv_steps", "steps.nodeprep_steps")

from steps.apic_steps import *  # noqa: E402, F403
from steps.nodeprep_steps import *  # noqa: E402, F403
from steps.provisioning_steps import *  # noqa: E402, F403
from steps.rhv_steps import *  # noqa: E402, F403

REPORTS = {"cucumber_json_path": "cucumber.json", "xmlpath": "junit.xml"}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # xdist workers leave reports to the controller
        return
    for option, name in REPORTS.items():
        if getattr(config.option, option, None) is None:
            setattr(config.option, option, str(config.rootpath / "reports" / name))
        Path(getattr(config.option, option)).absolute().parent.mkdir(parents=True, exist_ok=True)
