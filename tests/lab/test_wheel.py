"""A built wheel, installed (not editable) in a fresh venv, serves exactly the lab the README describes.

The checkout is installed editable on this machine, so the test proves that the venv's interpreter
imports `simulator` from the wheel and runs from a directory outside the checkout: a file the default
lab loads from the checkout instead of the package would show up as a missing file or a different lab.
"""

from __future__ import annotations

import collections
import importlib.util
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import ovirtsdk4
import pytest
import requests
import urllib3
from served import Served

REPO = Path(__file__).resolve().parents[2]
BUILD_DEADLINE = 300.0


def run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=BUILD_DEADLINE)
    assert out.returncode == 0, f"{cmd}: {out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A venv with the wheel built from this checkout installed in it; returns the venv's directory."""
    if importlib.util.find_spec("wheel") is None and tuple(map(int, version("setuptools").split(".")[:2])) < (70, 1):
        pytest.fail("building a wheel without build isolation needs the 'wheel' package (or setuptools >= 70.1)")
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # the build writes build/ and *.egg-info beside its sources: not in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "simulator", source / "simulator", ignore=shutil.ignore_patterns("__pycache__"))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", work / "dist", source,
        cwd=work)
    [wheel] = (work / "dist").glob("acisim-*.whl")
    env = work / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", env, cwd=work)
    run(env / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", "--no-index", wheel,
        cwd=work)
    return env


def test_the_venv_imports_simulator_from_the_wheel(venv, tmp_path):
    where = run(venv / "bin" / "python", "-c", "import simulator, sys; print(simulator.__file__); print(sys.prefix)",
                cwd=tmp_path).split()
    assert Path(where[0]).is_relative_to(venv / "lib"), where
    assert not Path(where[0]).is_relative_to(REPO)
    assert Path(where[1]) == venv
    assert (venv / "bin" / "acisim").read_text().startswith(f"#!{venv / 'bin' / 'python'}")


def test_acisim_serve_from_the_wheel_gives_the_readme_lab(venv, tmp_path):
    env = {**os.environ, "ACISIM_HOME": str(tmp_path / "home")}  # the certificate is made here, not in ~
    env.pop("PYTHONPATH", None)
    with Served("--apic-port", "0", "--rhv-port", "0", "--k8s-port", "0", command=[venv / "bin" / "acisim"], cwd=tmp_path,
                env=env) as server:
        apic, rhv = server.url, server.rhv_url
        assert apic.startswith("https://") and rhv.startswith("https://")
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        s = requests.Session()
        s.trust_env = False
        s.verify = False
        r = s.post(f"{apic}/api/aaaLogin.json", json={"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}},
                   timeout=30)
        assert r.status_code == 200, r.text
        s.headers["Cookie"] = "APIC-cookie=" + r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]

        def names(cls: str, prop: str) -> list[str]:
            r = s.get(f"{apic}/api/class/{cls}.json", timeout=30)
            assert r.status_code == 200, r.text
            return [e[cls]["attributes"][prop] for e in r.json()["imdata"]]

        assert len(names("fabricPod", "dn")) == 1
        assert collections.Counter(names("fabricNode", "role")) == {"controller": 1, "spine": 2, "leaf": 4}
        assert sorted(names("fvTenant", "name")) == ["common", "infra", "mgmt"]

        conn = ovirtsdk4.Connection(url=rhv, username="admin@internal", password="redhat123", insecure=True, timeout=30)
        try:
            system = conn.system_service()
            assert len(system.data_centers_service().list()) == 1
            assert len(system.clusters_service().list()) == 1
            assert sorted(h.name for h in system.hosts_service().list()) == ["host1", "host2"]
        finally:
            conn.close()
        assert server.stop() == 0
        assert (tmp_path / "home" / "tls" / "acisim.crt").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]  # nothing else written where it ran
