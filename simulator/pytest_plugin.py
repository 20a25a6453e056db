"""pytest plugin: a simulated lab on free ports, or a real APIC / RHV Manager when given their URLs.

    def test_tenants(apic_target):
        s = apic_target.session()          # logged-in requests.Session
        s.get(apic_target.url + "/api/class/fvTenant.json")

    def test_hosts(rhv_target):
        connection = rhv_target.connection()   # ovirtsdk4.Connection, logs in on first use
        connection.system_service().hosts_service().list()

`--apic-url/--apic-user/--apic-password` and `--rhv-url/--rhv-user/--rhv-password` point the same
tests at real gear; tests that need the simulator's own powers (clock, reset) use
`require_sim()` or the `sim` marker, and are skipped when either target is real. Both targets have
one shape (`Target`: url, user, password, verify, and the simulated `lab` with its /_sim `sim_url`,
both None against real gear). /_sim needs the lab's admin credentials: `target.sim_session()` (or
`sim_session(lab)` for a lab of a test's own) is a requests.Session that sends them.

`--acisim-image IMAGE` runs the same tests against a container of an acisim image (the Dockerfile's) started
through the Docker SDK (DOCKER_HOST is honoured): its servers on free ports published on 127.0.0.1, used once
the image's health check says healthy, removed with its volumes at the end of the session. Its targets are
simulated ones (`lab` is the `ContainerLab`, /_sim is on its APIC port): so a CI pipeline runs the
conformance suite against the image it ships.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("acisim")
    group.addoption("--apic-url", default=None, help="run against this real APIC instead of the simulator")
    group.addoption("--apic-user", default="admin")
    group.addoption("--apic-password", default=None)
    group.addoption("--apic-verify", action="store_true", help="verify the real APIC's TLS certificate")
    group.addoption("--rhv-url", default=None,
                    help="run against this real RHV Manager (https://engine/ovirt-engine/api) instead of the simulator")
    group.addoption("--rhv-user", default="admin@internal")
    group.addoption("--rhv-password", default=None)
    group.addoption("--kubeconfig", default=None,
                    help="run against the Kubernetes cluster of this kubeconfig instead of the simulator's")
    group.addoption("--acisim-image", default=None, metavar="IMAGE",
                    help="run the simulated lab as a container of this acisim image (Docker SDK; DOCKER_HOST is "
                         "honoured) instead of in this process")


def pytest_configure(config):
    config.addinivalue_line("markers", "sim: needs simulator-only powers; skipped against real gear")
    config.addinivalue_line("markers", "rhv: RHV Manager scenarios")


def pytest_collection_modifyitems(config, items):
    real = [name for name, option in (("APIC", "--apic-url"), ("RHV Manager", "--rhv-url")) if config.getoption(option)]
    if not real:
        return
    skip = pytest.mark.skip(reason=f"needs the simulator's /_sim API (running against a real {' and '.join(real)})")
    for item in items:
        if "sim" in item.keywords:
            item.add_marker(skip)


def client_tool(name: str, pin: str) -> str:
    """The path of a real client's command (acc-provision, ansible-playbook) installed with this
    Python; a missing client fails the test: the suite never skips what it is meant to exercise."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: the test extras pin {pin} (pip install -e .[test])")
    return found


def ansible_playbook(workdir: Path, playbook: Path, extra: dict, inventory: str = "localhost,",
                     tags: str | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the real ansible-playbook hermetically, as the suite runs it against a lab: no inherited
    ANSIBLE_* settings (the collections bundled with the pinned ansible package answer), no user config,
    temp dirs under `workdir`, this Python as the interpreter, and the `ansible.posix.json` stdout
    callback so each task's result can be read from stdout."""
    home = workdir / "ansible-home"
    for folder in (home / "local-tmp", home / "remote-tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(HOME=str(home), ANSIBLE_LOCAL_TEMP=str(home / "local-tmp"), ANSIBLE_REMOTE_TEMP=str(home / "remote-tmp"),
               ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_RETRY_FILES_ENABLED="False", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
    command = [client_tool("ansible-playbook", "ansible==12.3.0"), "-i", inventory, str(playbook),
               "-e", json.dumps({**extra, "ansible_python_interpreter": sys.executable})]
    if tags:
        command += ["--tags", tags]
    return subprocess.run(command, cwd=home, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@dataclass
class Target:
    """A system the tests talk to: the simulated lab's or real gear's. `lab` is the simulated lab
    (None against real gear) and `sim_url` the base of its /_sim control API."""

    url: str
    user: str
    password: str
    verify: bool | str = False
    lab: object | None = None
    sim_url: str | None = None

    @property
    def simulated(self) -> bool:
        return self.lab is not None

    def require_sim(self) -> None:
        if not self.simulated:
            pytest.skip("needs the simulator's /_sim API")

    def sim_session(self):
        """A requests.Session for the lab's /_sim API (at `sim_url`), with the lab's admin credentials; skips
        the test against real gear."""
        self.require_sim()
        return sim_session(self.lab)


def sim_session(lab):
    """A requests.Session that sends `lab`'s admin credentials (HTTP Basic with the APIC admin's user and
    password, which outlive any session a reset or the clock ends), for its /_sim control API."""
    import requests

    s = requests.Session()
    s.verify = False
    s.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify=False
    s.auth = (lab.options.admin_user, lab.options.admin_password)
    return s


class ApicTarget(Target):
    """An APIC: `url` is its base (https://host:port)."""

    def session(self):
        """A requests.Session logged in as the target's user."""
        import requests

        s = requests.Session()
        s.verify = self.verify
        # REQUESTS_CA_BUNDLE in the environment would override verify=False (a requests quirk)
        s.trust_env = False
        r = s.post(f"{self.url}/api/aaaLogin.json",
                   json={"aaaUser": {"attributes": {"name": self.user, "pwd": self.password}}}, timeout=30)
        r.raise_for_status()
        return s


@dataclass
class K8sTarget(Target):
    """A Kubernetes API: `kubeconfig` names it (and its credentials) for the real kubectl."""

    kubeconfig: Path | None = None
    cache_dir: Path | None = None

    def kubectl(self, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        """The real kubectl with this target's kubeconfig and a cache of its own (nothing under ~/.kube)."""
        kubectl = shutil.which("kubectl")
        if not kubectl:
            pytest.fail("kubectl is not installed (Debian: apt-get install kubernetes-client)")
        command = [kubectl, f"--kubeconfig={self.kubeconfig}", *([f"--cache-dir={self.cache_dir}"] if self.cache_dir
                                                                  else []), *args]
        return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)


class RhvTarget(Target):
    """An RHV Manager's API: `url` ends in /ovirt-engine/api."""

    def connection(self, **kwargs):
        """An ovirtsdk4.Connection as the target's user; it logs in (SSO) on its first request.
        The simulator's certificate is self-signed, and a real engine's often is too."""
        import ovirtsdk4

        return ovirtsdk4.Connection(url=self.url, username=self.user, password=self.password,
                                    insecure=not self.verify, **kwargs)


def start_lab(tls_dir: Path, options=None):
    """A lab (the default one, or `options`') serving its APIC, RHV Manager and Kubernetes API over HTTPS on
    free ports of 127.0.0.1, with its certificate in `tls_dir`; `lab.stop()` ends it."""
    from simulator.lab import Lab

    lab = Lab(options)
    lab.start(tls_dir=tls_dir)
    lab.start_rhv(tls_dir=tls_dir)
    lab.start_k8s(tls_dir=tls_dir)
    return lab


def lab_apic_target(lab) -> ApicTarget:
    """The target of a simulated lab's APIC."""
    return ApicTarget(lab.apic_server.url, lab.options.admin_user, lab.options.admin_password, lab=lab,
                      sim_url=lab.apic_server.url)


def lab_k8s_target(lab, workdir: Path) -> K8sTarget:
    """The target of a simulated lab's Kubernetes API: a kubeconfig for it and kubectl's cache in `workdir`."""
    return K8sTarget(lab.k8s_server.url, "", "", lab=lab, sim_url=lab.apic_server.url,
                     kubeconfig=lab.write_kubeconfig(Path(workdir) / "kubeconfig"), cache_dir=Path(workdir) / "cache")


def lab_rhv_target(lab) -> RhvTarget:
    """The target of a simulated lab's RHV Manager (its /_sim is on the APIC's port)."""
    return RhvTarget(lab.rhv_server.url + "/ovirt-engine/api", lab.rhv.config.admin_user,
                     lab.options.rhv_admin_password, lab=lab, sim_url=lab.apic_server.url)


def free_ports(count: int) -> list[int]:
    """`count` distinct ports of 127.0.0.1 free at the moment of asking."""
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_healthy(client, container, since: int, deadline: float = 180) -> None:
    """Until `container`'s health check (its image's HEALTHCHECK) says healthy, read on the engine's event
    stream from `since` (a time before the container started, so no report is missed); a container that
    dies or turns unhealthy, or no verdict within `deadline` seconds, fails with the container's log."""
    if not container.attrs["Config"].get("Healthcheck"):
        raise RuntimeError(f"{container.image}: the image has no HEALTHCHECK to wait on")
    events = client.events(since=since, until=int(time.time() + deadline), decode=True,
                           filters={"container": container.id, "event": ["health_status", "die"]})
    seen = []
    try:
        for event in events:
            status = event.get("status") or event.get("Action", "")
            seen.append(status)
            if status == "health_status: healthy":
                return
            if status in ("die", "health_status: unhealthy"):
                break
    finally:
        events.close()
    container.reload()
    state = container.attrs["State"]
    log = container.logs(tail=40).decode(errors="replace")
    raise RuntimeError(f"the acisim container {container.name} is not healthy (state {state.get('Status')}, health "
                       f"{state.get('Health', {}).get('Status')}, events {seen}); its log:\n{log}")


class ContainerLab:
    """A lab served by a container of an acisim image, reached through ports published on 127.0.0.1.

    The container runs the image's own command (`acisim serve --host 0.0.0.0`, the default lab and logins:
    admin / cisco123, admin@internal / redhat123) with three free ports of the host as its APIC, RHV and
    Kubernetes ports, each published on 127.0.0.1 under its own number: an address a test hands to the lab
    (the RHV Manager's URL in a VMM controller, the APIC's in a CNI manifest) then names the same server from
    inside the container as from the host. It is ready when the image's HEALTHCHECK (told these ports)
    reports healthy, waited for on the engine's event stream. `stop()` removes it with its volumes.
    `options` carries the logins as `Lab.options` does, for `sim_session`."""

    KUBECONFIG = "/etc/acisim/tls/kubeconfig"
    ATTEMPTS = 3  # a free port taken by another process between the pick and the publish: pick again

    def __init__(self, image: str, network: str | None = None, deadline: float = 180, client=None):
        try:
            import docker
        except ImportError:
            pytest.fail("--acisim-image needs the Docker SDK: pip install docker (in the test extras)")
        self.options = SimpleNamespace(admin_user="admin", admin_password="cisco123",
                                       rhv_admin_user="admin@internal", rhv_admin_password="redhat123")
        self.client = client or docker.from_env()
        command = self.client.images.get(image).attrs["Config"]["Cmd"] or ["serve", "--host", "0.0.0.0"]
        for attempt in range(self.ATTEMPTS):
            self.ports = dict(zip(("apic", "rhv", "k8s"), free_ports(3), strict=True))
            since = time.time() - 1
            self.container = self.client.containers.create(
                image, [*command, "--apic-port", str(self.ports["apic"]), "--rhv-port", str(self.ports["rhv"]),
                        "--k8s-port", str(self.ports["k8s"])],
                network=network, labels={"org.acisim.pytest": str(os.getpid())},
                environment={f"ACISIM_HEALTH_{name.upper()}": f"https://127.0.0.1:{port}"
                             for name, port in self.ports.items()},
                ports={f"{port}/tcp": ("127.0.0.1", port) for port in self.ports.values()})
            try:
                self.container.start()
                break
            except docker.errors.APIError as exc:
                self.container.remove(v=True, force=True)
                if attempt + 1 == self.ATTEMPTS or "allocated" not in str(exc) and "in use" not in str(exc):
                    raise
        try:
            wait_healthy(self.client, self.container, since, deadline)
        except BaseException:
            self.stop()
            raise
        self.apic_url = f"https://127.0.0.1:{self.ports['apic']}"
        self.rhv_url = f"https://127.0.0.1:{self.ports['rhv']}"
        self.k8s_url = f"https://127.0.0.1:{self.ports['k8s']}"

    def apic_target(self) -> ApicTarget:
        return ApicTarget(self.apic_url, self.options.admin_user, self.options.admin_password, lab=self,
                          sim_url=self.apic_url)

    def rhv_target(self) -> RhvTarget:
        return RhvTarget(self.rhv_url + "/ovirt-engine/api", self.options.rhv_admin_user,
                         self.options.rhv_admin_password, lab=self, sim_url=self.apic_url)

    def k8s_target(self, workdir: Path) -> K8sTarget:
        return K8sTarget(self.k8s_url, "", "", lab=self, sim_url=self.apic_url,
                         kubeconfig=self.write_kubeconfig(Path(workdir) / "kubeconfig"), cache_dir=Path(workdir) / "cache")

    def write_kubeconfig(self, path: Path) -> Path:
        """The container's kubeconfig (its CA and token), its server the published port; mode 0600."""
        import yaml

        stream, _ = self.container.get_archive(self.KUBECONFIG)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
            config = yaml.safe_load(archive.extractfile(archive.getmembers()[0]).read())
        for cluster in config.get("clusters", []):
            cluster["cluster"]["server"] = self.k8s_url
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(yaml.safe_dump(config))
        return path

    def stop(self) -> None:
        """Stop and remove the container and its anonymous volumes (state and TLS)."""
        try:
            self.container.stop(timeout=20)
        finally:
            self.container.remove(v=True, force=True)


@pytest.fixture(scope="session")
def acisim_container(request):
    """The session's lab container of `--acisim-image` (None without the option)."""
    image = request.config.getoption("--acisim-image")
    if not image:
        yield None
        return
    lab = ContainerLab(image)
    yield lab
    lab.stop()


@pytest.fixture(scope="session")
def acisim_lab(tmp_path_factory):
    """A simulated lab for the whole session: the APIC and the RHV Manager served over HTTPS on
    127.0.0.1, each on a free port."""
    lab = start_lab(tmp_path_factory.mktemp("tls"))
    yield lab
    lab.stop()


@pytest.fixture(scope="session")
def apic_target(request) -> ApicTarget:
    url = request.config.getoption("--apic-url")
    if url:
        return ApicTarget(url.rstrip("/"), request.config.getoption("--apic-user"),
                          request.config.getoption("--apic-password") or "", request.config.getoption("--apic-verify"))
    if request.config.getoption("--acisim-image"):
        return request.getfixturevalue("acisim_container").apic_target()
    return lab_apic_target(request.getfixturevalue("acisim_lab"))


@pytest.fixture(scope="session")
def rhv_target(request) -> RhvTarget:
    url = request.config.getoption("--rhv-url")
    if url:
        return RhvTarget(url.rstrip("/"), request.config.getoption("--rhv-user"),
                         request.config.getoption("--rhv-password") or "")
    if request.config.getoption("--acisim-image"):
        return request.getfixturevalue("acisim_container").rhv_target()
    return lab_rhv_target(request.getfixturevalue("acisim_lab"))


@pytest.fixture(scope="session")
def k8s_target(request, tmp_path_factory) -> K8sTarget:
    """The Kubernetes API the tests talk to: the cluster of `--kubeconfig`, else the session lab's."""
    kubeconfig = request.config.getoption("--kubeconfig")
    workdir = tmp_path_factory.mktemp("kube")
    if kubeconfig:
        return K8sTarget("", "", "", kubeconfig=Path(kubeconfig), cache_dir=workdir / "cache")
    if request.config.getoption("--acisim-image"):
        return request.getfixturevalue("acisim_container").k8s_target(workdir)
    return lab_k8s_target(request.getfixturevalue("acisim_lab"), workdir)


@pytest.fixture
def nodeprep_lab(tmp_path):
    """Build node-preparation labs (needs root): `nodeprep_lab(config, nodes=2, faults={"node2":
    ["leaf-port-mtu-1500"]})` returns a lab that is up. Each is torn down after the test, and the
    test fails if a namespace or process of it is left."""
    from simulator.nodeprep.netns_lab import NodePrepLab

    labs: list[NodePrepLab] = []

    def make(config, nodes: int = 2, faults: dict[str, list[str]] | None = None) -> NodePrepLab:
        prefix = f"apt{os.getpid() % 100000}n{len(labs)}"
        lab = NodePrepLab(Path(config), nodes, prefix, tmp_path / prefix, faults)
        labs.append(lab)
        lab.up()
        return lab

    yield make
    problems = []
    for lab in labs:
        problems += lab.down() + lab.leftovers()
    assert not problems, f"the node-prep lab left behind: {problems}"
