"""A websocket subscriber watches the real acc-provision create the cluster's EPGs.

This is how the aci-containers controller (and any monitoring tool) learns of objects: a class
subscription on fvAEPg, events pushed over wss://<apic>/socket<token> while acc-provision posts.
"""

from __future__ import annotations

import json
import ssl
import subprocess
from pathlib import Path

import requests
import websocket
import yaml

from simulator.lab import Lab, LabOptions
from simulator.pytest_plugin import client_tool

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
PREREQS = REPO / "fixtures" / "apic" / "kube-fabric-prereqs.yaml"




def test_class_subscription_sees_acc_provision_create_the_epgs(tmp_path):
    lab = Lab(LabOptions(admin_password="secret", fixtures=[PREREQS]))
    server = lab.start(tls_dir=tmp_path / "tls")
    ws = None
    try:
        http = requests.Session()
        http.verify = False
        http.trust_env = False
        r = http.post(f"{server.url}/api/aaaLogin.json",
                      data=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}))
        token = r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]
        ws = websocket.create_connection(server.url.replace("https://", "wss://") + "/socket" + token,
                                         sslopt={"cert_reqs": ssl.CERT_NONE}, timeout=30)
        r = http.get(f"{server.url}/api/class/fvAEPg.json?subscription=yes")
        sub = r.json()["subscriptionId"]

        config = yaml.safe_load(CONFIG.read_text())
        config["aci_config"]["apic_hosts"] = [f"127.0.0.1:{server.port}"]
        (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(config))
        run = subprocess.run(
            [client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", "cfg.yaml", "-o", "aci-containers.yaml", "-f", "kubernetes-1.36",
             "-a", "-u", "admin", "-p", "secret"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr

        tenant = config["aci_config"]["system_id"]
        r = http.get(f"{server.url}/api/class/fvAEPg.json",
                     params={"query-target-filter": f'wcard(fvAEPg.dn,"^uni/tn-{tenant}/")'})
        expected = {mo["fvAEPg"]["attributes"]["dn"] for mo in r.json()["imdata"]}
        assert len(expected) == 4, expected  # default, system, nodes, istio
        created = set()
        while created != expected:
            message = json.loads(ws.recv())
            assert message["subscriptionId"] == [sub]
            attrs = message["imdata"][0]["fvAEPg"]["attributes"]
            if attrs["status"] == "created":
                created.add(attrs["dn"])
        assert created == expected
    finally:
        if ws is not None:
            ws.close()
        lab.stop()
