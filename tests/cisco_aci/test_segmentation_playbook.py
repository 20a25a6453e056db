"""The segmentation lab of RHV on ACI built by tests/ansible/segmentation.yml with the real cisco.aci modules,
run twice against one fresh lab: the first run creates everything, the second changes nothing, and the lab's
verdicts are the design's (workflows.md §2): the outside reaches only the frontend on tcp/443, the frontend
the web tier on tcp/8080, the web tier the database on tcp/5432, nothing else, and web endpoints not each other.
The verdicts are asked of the lab's control API (POST /_sim/fabric/flow), as `acisim fabric flow` asks them."""

from __future__ import annotations

import pytest
import requests
from playbooks import ANSIBLE_DIR, run_playbook

from simulator.lab import Lab, LabOptions

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

PLAYBOOK = ANSIBLE_DIR / "segmentation.yml"
PASSWORD = "secret"
TASKS = ["d01", "d02", "d03", "t01", "t02", "t03", "t04", "t05", "t06", "t07", "e01", "e02", "e03",
         "c01", "c02", "c03", "c04", "c05", "c06", "l01", "l02", "l03", "l04"]
EPG = "uni/tn-seg/ap-shop/epg-{}"
OUTSIDE = "198.51.100.7"  # any address outside: 0.0.0.0/0 is the external EPG's import-security subnet


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One lab, the playbook run twice against it: (first run, second run, lab, its URL)."""
    tmp_path = tmp_path_factory.mktemp("segmentation")
    lab = Lab(LabOptions(admin_password=PASSWORD))
    srv = lab.start(tls_dir=tmp_path / "tls")
    try:
        first = run_playbook(tmp_path, "first", PLAYBOOK, {"aci_port": srv.port})
        second = run_playbook(tmp_path, "second", PLAYBOOK, {"aci_port": srv.port})
        yield first, second, lab, srv.url
    finally:
        lab.stop()


def verdict(url: str, source: str, destination: str, port: int) -> dict:
    s = requests.Session()
    s.trust_env = False
    answer = s.post(f"{url}/_sim/fabric/flow", json={"from": source, "to": destination, "proto": "tcp", "port": port},
                    auth=("admin", PASSWORD), verify=False, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_first_run_creates_every_task(built):
    first, _, _, _ = built
    first.assert_ok(TASKS)
    assert first.changed() == set(TASKS), first.summary()


def test_the_second_run_changes_nothing(built):
    _, second, _, _ = built
    second.assert_ok(TASKS)
    assert second.changed() == set(), second.summary()
    assert second.stats.get("changed") == 0, second.stats


def test_what_the_modules_stored(built):
    lab = built[2]
    store = lab.apic.store
    web = store.get(EPG.format("web"))
    assert web is not None and web.get("pcEnfPref") == "enforced"
    path = store.get(f"{EPG.format('db')}/rspathAtt-[topology/pod-1/paths-102/pathep-[eth1/20]]")
    assert (path.get("encap"), path.get("mode"), path.get("instrImedcy")) == ("vlan-2020", "untagged", "immediate")
    for epg in ("frontend", "web"):
        att = store.get(f"{EPG.format(epg)}/rsdomAtt-[uni/vmmp-Redhat/dom-seg-rhv]")
        assert (att.get("resImedcy"), att.get("instrImedcy")) == ("immediate", "immediate"), epg
    subject = store.get("uni/tn-seg/brc-frontend-to-web/subj-web-8080")
    assert subject.get("revFltPorts") == "yes"
    entry = store.get("uni/tn-seg/flt-web-8080/e-tcp-8080")
    assert (entry.get("prot"), entry.get("dFromPort"), entry.get("dToPort")) == ("tcp", "8080", "8080")
    assert store.get("uni/tn-seg/out-internet").get("enforceRtctrl") == "export"
    assert store.get("uni/tn-seg/out-internet/instP-internet/rscons-internet-to-frontend") is not None
    assert store.get(f"{EPG.format('db')}/rsdomAtt-[uni/phys-seg-baremetal]") is not None
    subnet = store.get("uni/tn-seg/out-internet/instP-internet/extsubnet-[0.0.0.0/0]")
    assert subnet is not None and subnet.get("scope") == "import-security"


PERMITTED = [(OUTSIDE, "frontend", 443, "internet-to-frontend"), ("frontend", "web", 8080, "frontend-to-web"),
             ("web", "db", 5432, "web-to-db")]
DENIED = [(OUTSIDE, "web", 8080), (OUTSIDE, "db", 5432), (OUTSIDE, "frontend", 80), ("frontend", "db", 5432),
          ("web", "frontend", 443), ("frontend", "web", 443), ("db", "web", 8080), ("web", "web", 8080)]


def _end(name: str) -> str:
    return name if name == OUTSIDE else EPG.format(name)


@pytest.mark.parametrize("source, destination, port, contract", PERMITTED)
def test_the_designed_flows_are_permitted_by_their_contract(built, source, destination, port, contract):
    found = verdict(built[3], _end(source), _end(destination), port)
    assert found["verdict"] == "permit", found
    assert found["rule"]["contract"] == f"uni/tn-seg/brc-{contract}", found["rule"]
    assert found["reply"]["verdict"] == "permit", found["reply"]


@pytest.mark.parametrize("source, destination, port", DENIED)
def test_everything_else_is_denied(built, source, destination, port):
    found = verdict(built[3], _end(source), _end(destination), port)
    assert found["verdict"] == "deny", found
    assert not found["rule"].get("contract"), found["rule"]
