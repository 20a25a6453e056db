"""The browser tests keep a screenshot of the page as it was when a test failed (beside the other screenshots:
$ACISIM_ARTIFACTS, else a pytest temporary folder), so a failure in CI can be seen, not only read."""

from __future__ import annotations

import re

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
