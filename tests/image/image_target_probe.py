"""Run by test_container_image.py under `pytest --acisim-image IMAGE` (not collected by the suite itself: its
name is no test_*.py): the session's targets are the container's, reached on published loopback ports."""

from urllib.parse import urlsplit

from simulator.pytest_plugin import ContainerLab


def test_the_targets_are_the_containers(request, apic_target, rhv_target, k8s_target):
    lab = apic_target.lab
    assert isinstance(lab, ContainerLab) and rhv_target.lab is lab and k8s_target.lab is lab
    lab.container.reload()
    assert lab.container.status == "running"
    assert lab.container.image.tags == [request.config.getoption("--acisim-image")]
    assert {urlsplit(t.url).hostname for t in (apic_target, rhv_target, k8s_target)} == {"127.0.0.1"}
    assert urlsplit(apic_target.url).port == lab.ports["apic"]
    assert apic_target.session().get(f"{apic_target.url}/api/class/fvTenant.json", timeout=30).status_code == 200
    with apic_target.sim_session() as http:
        assert http.get(f"{apic_target.sim_url}/_sim/info", timeout=30).status_code == 200
    assert k8s_target.kubectl("get", "nodes", "-o", "name").stdout.split() == ["node/k8s-node1", "node/k8s-node2"]
