"""The container image for real: built on a Docker engine from a debootstrapped Debian base and the host's
wheels (no network in the build), run with its ports published on random ports of 127.0.0.1, used once its
health check says healthy, and driven by the real clients: curl, acc-provision 6.1.1.7, ovirtsdk4 and
kubectl. Then the pytest plugin's `--acisim-image` runs existing target tests of the suite against a
container of the same image. Everything is removed afterwards (the base image is kept by its tag).

One module, so one xdist worker runs it all (--dist loadscope) and a single engine is started."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import yaml

from simulator.pytest_plugin import client_tool

pytestmark = [pytest.mark.image, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

REPO = Path(__file__).resolve().parents[2]
ACC_INPUT = REPO / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
PREREQS = REPO / "fixtures" / "apic" / "kube-fabric-prereqs.yaml"
LOGIN = '{"aaaUser":{"attributes":{"name":"admin","pwd":"cisco123"}}}'


def curl(*args: str) -> subprocess.CompletedProcess:
    """The real curl, certificate unchecked (the lab's is self-signed), no proxy for 127.0.0.1."""
    return subprocess.run(["curl", "-sS", "-k", "--noproxy", "*", "--max-time", "30", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def admin(lab) -> requests.Session:
    session = requests.Session()
    session.verify = False
    session.trust_env = False
    answer = session.post(f"{lab.apic_url}/api/aaaLogin.json", data=LOGIN, timeout=30)
    assert answer.status_code == 200, answer.text
    return session


def test_the_image_documents_its_ports_volumes_user_and_health_check(docker_client, acisim_image):
    config = docker_client.images.get(acisim_image).attrs["Config"]
    assert config["User"] == "acisim"
    assert set(config["ExposedPorts"]) == {"8443/tcp", "8444/tcp", "6443/tcp"}
    assert set(config["Volumes"]) == {"/var/lib/acisim", "/etc/acisim/tls"}
    assert config["Entrypoint"] == ["acisim"]
    assert config["Cmd"][:3] == ["serve", "--host", "0.0.0.0"]
    assert "--state" in config["Cmd"] and "--tls-dir" in config["Cmd"]
    assert config["Healthcheck"]["Test"][0] == "CMD"


def test_the_container_is_healthy_and_publishes_only_on_loopback(lab_container):
    lab_container.container.reload()
    state = lab_container.container.attrs["State"]
    assert state["Health"]["Status"] == "healthy", state
    assert state["Health"]["Log"][-1]["Output"].strip() == "healthy"
    ports = lab_container.container.attrs["NetworkSettings"]["Ports"]
    published = {key: bindings for key, bindings in ports.items() if bindings}  # the EXPOSEd 8443... stay unused
    assert {binding["HostIp"] for bindings in published.values() for binding in bindings} == {"127.0.0.1"}
    # each server's port is the same number inside and out: an address handed to the lab names it from both sides
    assert {key: [b["HostPort"] for b in bindings] for key, bindings in published.items()} == {
        f"{port}/tcp": [str(port)] for port in lab_container.ports.values()}
    top = lab_container.container.top(ps_args="-o pid,user,args")["Processes"]
    servers = [user for _pid, user, args in top if "acisim serve" in args]
    assert servers and set(servers) <= {"acisim", "10001"}, top  # the host's ps may know the uid only


def test_curl_logs_in_and_queries_a_class(lab_container, tmp_path):
    jar = tmp_path / "jar"
    login = curl("-c", str(jar), "-X", "POST", f"{lab_container.apic_url}/api/aaaLogin.json", "-d", LOGIN)
    assert login.returncode == 0, login.stderr
    token = yaml.safe_load(login.stdout)["imdata"][0]["aaaLogin"]["attributes"]["token"]
    assert token and "APIC-cookie" in jar.read_text()
    leaves = curl("-b", str(jar), f"{lab_container.apic_url}/api/class/fabricNode.json"
                  '?query-target-filter=eq(fabricNode.role,"leaf")')
    assert leaves.returncode == 0, leaves.stderr
    body = yaml.safe_load(leaves.stdout)
    assert body["totalCount"] == "4"
    assert sorted(n["fabricNode"]["attributes"]["id"] for n in body["imdata"]) == ["101", "102", "103", "104"]
    refused = curl("-o", "/dev/null", "-w", "%{http_code}", f"{lab_container.apic_url}/api/class/fvTenant.json")
    assert refused.stdout == "403"


def test_acc_provision_provisions_the_containers_apic(lab_container, tmp_path):
    session = admin(lab_container)
    for entry in yaml.safe_load(PREREQS.read_text()):  # what the fabric team prepares, posted as a client does
        answer = session.post(f"{lab_container.apic_url}/api/mo/{entry['dn']}.json", json=entry["body"], timeout=30)
        assert answer.status_code == 200, answer.text
    config = yaml.safe_load(ACC_INPUT.read_text())
    config["aci_config"]["apic_hosts"] = [f"127.0.0.1:{lab_container.ports['apic']}"]
    (tmp_path / "input.yaml").write_text(yaml.safe_dump(config))
    run = subprocess.run([client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", "input.yaml", "-o",
                          "aci-containers.yaml", "-f", "kubernetes-1.36", "-a", "-u", "admin", "-p", "cisco123"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "aci-containers.yaml").stat().st_size > 0
    domain = session.get(f"{lab_container.apic_url}/api/mo/uni/vmmp-Kubernetes/dom-mykube.json", timeout=30).json()
    assert domain["totalCount"] == "1", domain
    epgs = session.get(f"{lab_container.apic_url}/api/class/fvAEPg.json", timeout=30,
                       params={"query-target-filter": 'wcard(fvAEPg.dn,"tn-mykube/")'}).json()
    assert {e["fvAEPg"]["attributes"]["name"] for e in epgs["imdata"]} >= {"aci-containers-default",
                                                                          "aci-containers-system",
                                                                          "aci-containers-nodes"}


def test_ovirtsdk4_lists_the_containers_hosts_and_vms(lab_container):
    connection = lab_container.rhv_target().connection()
    try:
        system = connection.system_service()
        hosts = system.hosts_service().list()
        vms = system.vms_service().list()
        assert sorted(h.name for h in hosts) == ["host1", "host2"]
        assert {str(h.status) for h in hosts} == {"up"}
        assert sorted(v.name for v in vms) == ["vm1", "vm2"]
        assert {connection.follow_link(v.host).name for v in vms if v.host is not None} <= {"host1", "host2"}
    finally:
        connection.close()


def test_kubectl_lists_the_containers_nodes(lab_container, tmp_path):
    kube = lab_container.k8s_target(tmp_path)
    run = kube.kubectl("get", "nodes", "-o", "name")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["node/k8s-node1", "node/k8s-node2"]


def test_the_plugin_runs_target_tests_against_the_image(docker_engine, docker_client, acisim_image, tmp_path):
    """`pytest --acisim-image`: the APIC, RHV and RHV-VMM features of the suite pass against a container of the
    image (the VMM one has the container's APIC reach its RHV Manager at the URL the steps give it), which the
    plugin removes at the end of its session."""
    env = {**docker_engine.env, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_ADDOPTS", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--acisim-image", acisim_image,
         "--junitxml", str(tmp_path / "junit.xml"), "--cucumberjson", str(tmp_path / "cucumber.json"),
         "steps/test_apic_basics.py", "steps/test_rhv_inventory.py", "steps/test_rhv_vmm.py", str(Path(__file__).with_name("image_target_probe.py"))],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary and "failed" not in summary, summary
    # the plugin's container carries its pytest's pid; this module's own lab container carries ours
    left = docker_client.containers.list(all=True, filters={"label": "org.acisim.pytest"})
    assert [c.labels["org.acisim.pytest"] for c in left if c.image.tags == [acisim_image]] in ([], [str(os.getpid())])


def compose_command() -> list[str]:
    """Docker Compose: the CLI plugin (`docker compose`) where the engine's CLI has it, else Debian's
    docker-compose; neither fails naming the package (the suite never skips what it exercises)."""
    if subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("Docker Compose is not installed (Debian: apt-get install -y docker-compose)")


def test_the_compose_lab_keeps_its_state_across_down_and_up(docker_engine, docker_client, acisim_image):
    """compose.yaml with the image: healthy, its APIC on a published loopback port, and a tenant written
    before `down` is there after `up` (the state volume); `down -v` leaves no container, network or volume."""
    from simulator.pytest_plugin import wait_healthy

    project = f"acisimtest{os.getpid()}"
    compose = [*compose_command(), "-f", str(REPO / "compose.yaml"), "-p", project]
    env = {**docker_engine.env, "ACISIM_IMAGE": acisim_image, "ACISIM_APIC_PORT": "", "ACISIM_RHV_PORT": "",
           "ACISIM_K8S_PORT": ""}  # empty: the engine picks free ports

    def up():
        since = time.time() - 1
        done = subprocess.run([*compose, "up", "-d", "--no-build"], env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        (container,) = docker_client.containers.list(filters={"label": f"com.docker.compose.project={project}"})
        wait_healthy(docker_client, container, since)
        container.reload()
        bindings = container.attrs["NetworkSettings"]["Ports"]["8443/tcp"]
        assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]
        return SimpleNamespace(apic_url=f"https://127.0.0.1:{bindings[0]['HostPort']}")

    try:
        lab = up()
        answer = admin(lab).post(f"{lab.apic_url}/api/mo/uni.json", timeout=30,
                                 json={"fvTenant": {"attributes": {"name": "kept-by-the-volume"}}})
        assert answer.status_code == 200, answer.text
        done = subprocess.run([*compose, "down"], env=env, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        lab = up()
        tenant = admin(lab).get(f"{lab.apic_url}/api/mo/uni/tn-kept-by-the-volume.json", timeout=30).json()
        assert tenant["totalCount"] == "1", tenant
    finally:
        done = subprocess.run([*compose, "down", "-v"], env=env, capture_output=True, text=True, timeout=300,
                              check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    label = {"label": f"com.docker.compose.project={project}"}
    assert not docker_client.containers.list(all=True, filters=label)
    assert not docker_client.volumes.list(filters=label) and not docker_client.networks.list(filters=label)
