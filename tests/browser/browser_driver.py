"""Headless Chromium for the browser tests: Debian's `chromium` driven through Debian's `chromedriver` by
Selenium (the driver Debian builds with the browser, so their versions always match; nothing is downloaded).

Each browser gets a fresh profile directory, and the flags keep it from reaching out (no background networking,
component updates, sync or first-run pages). Screenshots go to the folder named by ACISIM_ARTIFACTS (CI keeps
it as the run's artifacts), else to a pytest temporary folder; each path is printed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--disable-component-update", "--disable-sync", "--window-size=1500,1100")
WAIT_SECONDS = 30  # how long a page condition may take before the test fails (a wait ends as soon as it holds)
PACKAGES = "apt-get install -y chromium chromium-driver"


def executables() -> tuple[str, str]:
    """(chromium, chromedriver); fails the test, naming the Debian packages, when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/lib/chromium/chromedriver"
                                              if os.access("/usr/lib/chromium/chromedriver", os.X_OK) else None)
    if browser is None or driver is None:
        missing = [name for name, found in (("chromium", browser), ("chromedriver", driver)) if found is None]
        pytest.fail(f"the browser tests need headless Chromium and its driver ({', '.join(missing)} not found): "
                    f"install Debian's packages with `{PACKAGES}`", pytrace=False)
    return browser, driver


def start_chromium(profile: Path, accept_insecure_certs: bool = False):
    """A headless Chromium session (a Selenium WebDriver) with a fresh profile in `profile`."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("the browser tests drive Chromium with Selenium: install the test extra "
                    "(pip install '.[test]', which names selenium)", pytrace=False)
    browser, driver = executables()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    if accept_insecure_certs:  # the lab's self-signed certificate, for https:// and wss://
        options.accept_insecure_certs = True
        options.add_argument("--ignore-certificate-errors")
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def artifacts_dir(tmp_path_factory) -> Path:
    given = os.environ.get("ACISIM_ARTIFACTS")
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("visore-screenshots")


def screenshot_taker(driver, folder: Path, node=None) -> Callable[[str], Path]:
    """`take(name)` saves the page as folder/visore-NAME.png, prints its path and records it on the test's
    report (`node.user_properties`, which reach the controller under xdist too) for the run's summary."""
    def take(name: str) -> Path:
        path = folder / f"visore-{name}.png"
        assert driver.save_screenshot(str(path)), f"no screenshot {path}"
        print(f"screenshot: {path}")
        if node is not None:
            node.user_properties.append(("screenshot", str(path)))
        return path
    return take
