"""A served Kubernetes API for the tests: the facade on a manual clock, rest.py over HTTPS on 127.0.0.1,
a kubeconfig for it in tmp_path, and the real kubectl (never reading or writing ~/.kube)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from simulator.clock import ManualClock
from simulator.k8s.kubeconfig import write_kubeconfig
from simulator.k8s.rest import create_app
from simulator.k8s.service import Kube
from simulator.pytest_plugin import client_tool
from simulator.serving import RunningServer, serve_in_thread
from simulator.tls import ensure_certificate

ACC_INPUT = Path(__file__).resolve().parents[2] / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"


@dataclass
class ServedKube:
    kube: Kube
    clock: ManualClock
    server: RunningServer
    kubeconfig: Path
    ca: Path
    workdir: Path

    @property
    def url(self) -> str:
        return self.server.url

    def kubectl(self, *args: str, input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        kubectl = shutil.which("kubectl")
        if kubectl is None:
            pytest.fail("kubectl is not installed (the lab's Kubernetes tests drive the real kubectl)")
        env = {"HOME": str(self.workdir), "PATH": "/usr/bin:/bin"}
        return subprocess.run([kubectl, f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.workdir / 'cache'}",
                               *args], input=input, capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=self.workdir, check=False)

    def ok(self, *args: str, input: str | None = None) -> str:
        run = self.kubectl(*args, input=input)
        assert run.returncode == 0, run.stdout + run.stderr
        return run.stdout

    def json(self, *args: str) -> dict:
        return json.loads(self.ok(*args, "-o", "json"))

    def http(self) -> requests.Session:
        """A requests session as a client holding the kubeconfig's token and CA."""
        session = requests.Session()
        session.verify = str(self.ca)
        session.trust_env = False
        session.headers["Authorization"] = f"Bearer {self.kube.token}"
        return session


@pytest.fixture
def served_kube(tmp_path) -> ServedKube:
    clock = ManualClock()
    kube = Kube(clock)
    cert, _ = ensure_certificate(tmp_path / "tls")
    server = serve_in_thread(create_app(kube), tls_dir=tmp_path / "tls")
    config = write_kubeconfig(tmp_path / "kubeconfig", server.url, cert, kube.token)
    try:
        yield ServedKube(kube, clock, server, config, cert, tmp_path)
    finally:
        kube.close()
        server.stop()


@pytest.fixture(scope="session")
def aci_manifest(tmp_path_factory) -> Path:
    """The real aci-containers.yaml: acc-provision 6.1.1.7 run offline (no -a: no APIC) on the repo's input."""
    workdir = tmp_path_factory.mktemp("acc-provision-k8s")
    run = subprocess.run([client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", str(ACC_INPUT), "-o",
                          "aci-containers.yaml", "-f", "kubernetes-1.36"],
                         cwd=workdir, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return workdir / "aci-containers.yaml"
