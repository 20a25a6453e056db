"""The controller emulator against a lab APIC that the real acc-provision provisioned."""

from __future__ import annotations

import json

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from simulator.cni.apic import ApicError
from simulator.cni.config import from_manifest
from simulator.cni.controller import Controller

VIEW = {
    "nodes": [{"name": "node-1", "internalIP": "10.1.0.101", "os": "Ubuntu 22.04", "kernel": "5.15.0"},
              {"name": "node-2", "internalIP": "10.1.0.102", "os": "Ubuntu 22.04", "kernel": "5.15.0"}],
    "namespaces": [{"name": "default"}, {"name": "shop"}],
    "deployments": [{"namespace": "shop", "name": "web", "uid": "d-1", "replicas": 1}],
    "replicasets": [{"namespace": "shop", "name": "web-5d9", "uid": "r-1", "deployment": "web"}],
    "pods": [{"namespace": "shop", "name": "web-5d9-abc", "uid": "p-1", "node": "node-1", "replicaset": "web-5d9"}],
    "services": [{"namespace": "shop", "name": "web", "uid": "s-1", "type": "ClusterIP", "clusterIP": "10.96.0.20",
                  "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}], "endpoints": ["web-5d9-abc"]}],
}


def admin(lab) -> requests.Session:
    http = requests.Session()
    http.verify = False
    http.trust_env = False
    r = http.post(f"{lab.url}/api/aaaLogin.json",
                  data=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}))
    assert r.status_code == 200
    return http


def mo(http, lab, dn: str) -> dict | None:
    imdata = http.get(f"{lab.url}/api/mo/{dn}.json").json()["imdata"]
    return next(iter(imdata[0].values()))["attributes"] if imdata else None


@pytest.fixture
def controller(vrf_associated):
    config, key = from_manifest(vrf_associated.manifest)
    ctrl = Controller(config, key)
    yield ctrl
    ctrl.stop()


def test_startup_runs_in_the_real_order(vrf_associated, controller):
    mark = vrf_associated.mark()
    controller.start()
    paths = [path for _, path in vrf_associated.since(mark)]
    cfg = controller.config
    assert paths[0] == "/api/webtokenSession.json"
    assert paths[1] == "/api/node/class/firmwareCtrlrRunning.json?&"
    assert paths[2] == f"/api/mo/{cfg.vrf_dn}.json?query-target=subtree&target-subtree-class=fvRtCtx,fvRtEctx"
    assert paths[3] == f"/socket{controller.apic.token}"
    assert all("subscription=yes" in p for p in paths[4:]) and len(paths[4:]) == len(controller.subscriptions) >= 3
    mark = vrf_associated.mark()
    controller.refresh()
    assert [p for _, p in vrf_associated.since(mark)] == [
        f"/api/subscriptionRefresh.json?id={sub}" for sub in controller.subscriptions]


def test_sync_writes_the_desired_objects_then_nothing_and_follows_the_view(vrf_associated, controller):
    controller.start()
    cfg = controller.config
    controller.sync(VIEW)
    http = admin(vrf_associated)
    inj = cfg.injcont
    for dn in (f"{inj}/host-[node-1]", f"{inj}/host-[node-2]", f"{inj}/ns-[shop]", f"{inj}/ns-[shop]/depl-[web]",
               f"{inj}/ns-[shop]/rs-[web-5d9]", f"{inj}/ns-[shop]/grp-[web-5d9-abc]", f"{inj}/ns-[shop]/svc-[web]",
               f"{inj}/ns-[shop]/svc-[web]/ep-web-5d9-abc", f"{inj}/ns-[shop]/svc-[web]/p-http-prot-tcp-t-8080"):
        found = mo(http, vrf_associated, dn)
        assert found is not None, dn
        assert found["annotation"] == "orchestrator:aci-containers-controller", dn
        tag = mo(http, vrf_associated, f"{dn}/annotationKey-[aci-containers-controller-tag]")
        assert tag is not None and tag["value"].startswith(f"{cfg.prefix}-"), dn
    assert mo(http, vrf_associated, f"{inj}/ns-[shop]/grp-[web-5d9-abc]")["computeNodeName"] == "node-1"
    device = f"uni/tn-{cfg.vrf_tenant}/lDevVip-{cfg.prefix}_svc_global"
    path = mo(http, vrf_associated, f"{device}/cDev-node-1/cIf-[interface]/rsCIfPathAtt")
    assert path["tDn"] == "topology/pod-1/paths-103/pathep-[eth1/1]"
    assert mo(http, vrf_associated, f"{device}/cDev-node-2") is None  # no opflexODev, no device
    assert mo(http, vrf_associated, f"uni/tn-{cfg.policy_tenant}/pol-{cfg.prefix}_node_node-1") is not None
    assert mo(http, vrf_associated, f"uni/tn-{cfg.vrf_tenant}/AbsGraph-{cfg.prefix}_svc_global") is not None

    mark = vrf_associated.mark()
    again = controller.sync(VIEW)
    assert (again.posted, again.deleted) == ([], [])
    assert [m for m, _ in vrf_associated.since(mark) if m != "GET"] == []

    smaller = dict(VIEW, namespaces=[{"name": "default"}], deployments=[], replicasets=[], pods=[], services=[])
    gone = controller.sync(smaller)
    assert gone.deleted == [f"{inj}/ns-[shop]"]
    assert mo(http, vrf_associated, f"{inj}/ns-[shop]") is None


def test_an_object_deleted_behind_its_back_is_restored(vrf_associated, controller):
    controller.start()
    controller.sync(VIEW)
    http = admin(vrf_associated)
    dn = f"{controller.config.injcont}/host-[node-2]"
    assert http.delete(f"{vrf_associated.url}/api/mo/{dn}.json").status_code == 200
    restored: list[str] = []
    while dn not in restored:
        restored += controller.handle_push()
    assert mo(http, vrf_associated, dn)["name"] == "node-2"


def test_a_wrong_key_is_refused_with_the_apics_403_and_nothing_is_written(vrf_associated):
    config, _ = from_manifest(vrf_associated.manifest)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    mark = vrf_associated.mark()
    with pytest.raises(ApicError) as refused:
        Controller(config, other).start()
    assert refused.value.status == 403
    assert [m for m, _ in vrf_associated.since(mark)] == ["GET"]
