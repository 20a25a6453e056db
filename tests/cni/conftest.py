"""A lab APIC provisioned by the real acc-provision, whose served app records every request it gets, and the
lab's Kubernetes API beside it (`kubeconfig`, and `kubectl` the real client with its own cache).

The APIC keeps the VRF's back-references to its BDs (fvRtCtx), which the controller's VRF check reads;
`vrf_associated` checks they are there after provisioning and writes node-1's opflexODev as a leaf does
(node preparation meeting the fabric will derive it).
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
import yaml

from simulator.apic.mit.proposed import proposed_mo
from simulator.lab import Lab, LabOptions
from simulator.pytest_plugin import client_tool
from simulator.serving import serve_in_thread

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
PREREQS = REPO / "fixtures" / "apic" / "kube-fabric-prereqs.yaml"
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"


class Recorded:
    def __init__(self, lab: Lab, workdir: Path):
        self.lab = lab
        self.workdir = workdir
        self.requests: list[tuple[str, str]] = []
        self.manifest: list[dict] = []
        self._admin: requests.Session | None = None

    def mark(self) -> int:
        return len(self.requests)

    def since(self, mark: int) -> list[tuple[str, str]]:
        return self.requests[mark:]

    def read(self, dn: str) -> dict | None:
        """An object's attributes as admin reads them over REST (None: not there)."""
        if self._admin is None:
            self._admin = requests.Session()
            self._admin.verify = False
            self._admin.trust_env = False
            r = self._admin.post(f"{self.url}/api/aaaLogin.json",
                                 json={"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}})
            assert r.status_code == 200, r.text
        imdata = self._admin.get(f"{self.url}/api/mo/{dn}.json").json()["imdata"]
        return next(iter(imdata[0].values()))["attributes"] if imdata else None

    def admin_delete(self, dn: str) -> None:
        self.read("uni")
        assert self._admin.delete(f"{self.url}/api/mo/{dn}.json").status_code == 200

    def kubectl(self, *args: str) -> subprocess.CompletedProcess:
        """The real kubectl against the lab's Kubernetes API; a failure fails the test with its output."""
        run = subprocess.run([KUBECTL, f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.workdir / 'kcache'}",
                              *args], capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        return run

    def system_post(self, dn: str, body: dict) -> None:
        result = self.lab.apic.writer.post(dn, proposed_mo(body), system=True)
        assert not getattr(result, "error", None), result


@pytest.fixture(scope="module")
def apic_lab(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cni")
    lab = Lab(LabOptions(admin_password="secret", fixtures=[PREREQS], cni_controller=False))  # tests run their own
    recorded = Recorded(lab, workdir)
    app = lab.apic_app()

    served = app.wsgi_app  # the APIC's reads are answered before Flask's hooks run: record at the WSGI door

    def record(environ, start_response):
        query = environ.get("QUERY_STRING", "")
        recorded.requests.append((environ["REQUEST_METHOD"], environ["PATH_INFO"] + (f"?{query}" if query else "")))
        return served(environ, start_response)

    app.wsgi_app = record

    server = serve_in_thread(app, tls_dir=workdir / "tls")
    lab.apic_server = server
    lab.servers.append(server)
    recorded.url = server.url
    recorded.host = f"localhost:{server.port}"
    lab.start_k8s(tls_dir=workdir / "tls")
    recorded.kubeconfig = lab.write_kubeconfig(workdir / "kubeconfig")
    yield recorded
    lab.stop()


@pytest.fixture(scope="module")
def provisioned(apic_lab):
    """acc-provision has run against the lab: the manifest's controller-config and key."""
    config = yaml.safe_load(CONFIG.read_text())
    config["aci_config"]["apic_hosts"] = [apic_lab.host]
    (apic_lab.workdir / "cfg.yaml").write_text(yaml.safe_dump(config))
    run = subprocess.run(
        [client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", "cfg.yaml", "-o", "aci-containers.yaml",
         "-f", "kubernetes-1.36", "-a", "-u", "admin", "-p", "secret"],
        cwd=apic_lab.workdir, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    apic_lab.manifest = [d for d in yaml.safe_load_all((apic_lab.workdir / "aci-containers.yaml").read_text()) if d]
    return apic_lab


@pytest.fixture(scope="module")
def vrf_associated(provisioned):
    from simulator.cni.config import from_manifest

    config, _ = from_manifest(provisioned.manifest)
    back = {mo.get("tDn") for mo in provisioned.lab.apic.store.children(config.vrf_dn) if mo.cls == "fvRtCtx"}
    assert {config.pod_bd_dn, config.node_bd_dn} <= back, back  # the APIC's own, from the BDs' fvRsCtx
    provisioned.system_post("topology/pod-1/node-103/sys/br-[eth1/1]/odev-167837797", {"opflexODev": {"attributes": {
        "hostName": "node-1", "domName": config.vmm_domain, "devType": "k8s", "state": "connected",
        "fabricPathDn": "topology/pod-1/paths-103/pathep-[eth1/1]", "ip": "10.0.0.101"}}})
    return provisioned


def key_of(manifest: list[dict]) -> bytes:
    secret = next(d for d in manifest if d.get("kind") == "Secret" and d["metadata"]["name"] == "aci-user-cert")
    return base64.b64decode(secret["data"]["user.key"])
