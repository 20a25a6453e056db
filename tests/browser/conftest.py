"""The browser tests keep a screenshot of the page as it was when a test failed (beside the other screenshots:
$ACISIM_ARTIFACTS, else a pytest temporary folder), so a failure in CI can be seen, not only read; the run's
summary lists every screenshot taken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    driver = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and report.failed and driver is not None:
        try:
            driver.take(re.sub(r"[^A-Za-z0-9_.-]+", "-", item.name) + "-failed")
        except Exception as exc:  # the browser may be what failed: the test's own failure is the one to report
            print(f"no screenshot of the failure: {exc}")


SCREENSHOTS: list[str] = []


def pytest_runtest_logreport(report):
    if report.when == "call" or report.failed:
        SCREENSHOTS.extend(value for key, value in report.user_properties if key == "screenshot")


def pytest_terminal_summary(terminalreporter):
    shots = list(dict.fromkeys(SCREENSHOTS))
    if shots:
        terminalreporter.section("visore screenshots")
        folders = sorted({str(Path(p).parent) for p in shots})
        terminalreporter.line(f"{len(shots)} screenshots in {', '.join(folders)}")
        for path in shots:
            terminalreporter.line(path)
