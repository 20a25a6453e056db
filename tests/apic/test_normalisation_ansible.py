"""The APIC's value rules through the real cisco.aci 2.13.0 modules (tests/ansible/normalisation_modules.yml).

The modules compare what they send with what they read back (aci.py get_diff), so each second run of a
task reporting no change is the proof that the lab stores a value as a real APIC answers it; the error
messages are the ones ansible-aci's integration tests recorded from real APICs.
"""

from __future__ import annotations

import pytest
from playbooks import ANSIBLE_DIR, PlaybookRun, run_on_fresh_lab

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

PLAYBOOK = ANSIBLE_DIR / "normalisation_modules.yml"
TASKS = [f"{n:02d}" for n in range(1, 22)]
UPLINK_TWICE = "APIC Error 120: Invalid Configuration. Uplink Id entered more than once or delimiter was  misused."
UPLINK_33 = "APIC Error 120: Invalid Configuration. Uplink Id can not be higher than 32."


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> PlaybookRun:
    return run_on_fresh_lab(tmp_path_factory.mktemp("normalisation"), "normalisation", PLAYBOOK)


def current(run: PlaybookRun, task: str, cls: str) -> dict[str, str]:
    return run.results[task]["current"][0][cls]["attributes"]


def test_every_task_ran(run):
    assert list(run.results) == TASKS, run.summary()
    failed = {k for k, r in run.results.items() if r.get("failed")}
    assert failed == {"09", "10"}, run.summary()


def test_scope_list_answered_sorted_and_a_rerun_changes_nothing(run):
    assert run.results["02"]["changed"] is True, run.summary()
    assert current(run, "02", "l3extSubnet")["scope"] == "export-rtctrl,import-security"
    assert run.results["03"]["changed"] is False, run.summary()


def test_filter_entry_port_start_alone(run):
    src = current(run, "04", "vzEntry")
    assert (src["sFromPort"], src["sToPort"]) == ("ftpData", "ftpData")
    dst = current(run, "06", "vzEntry")
    assert (dst["dFromPort"], dst["dToPort"]) == ("8080", "8080")
    assert (run.results["05"]["changed"], run.results["07"]["changed"]) == (False, False), run.summary()


def test_uplink_order_refusals(run):
    [uplinks] = [c["fvUplinkOrderCont"]["attributes"] for c in current_children(run, "08")
                 if "fvUplinkOrderCont" in c]
    assert (uplinks["active"], uplinks["standby"]) == ("1,2", "3,4")
    assert run.results["09"]["msg"] == UPLINK_TWICE
    assert run.results["10"]["msg"] == UPLINK_33


def current_children(run: PlaybookRun, task: str) -> list[dict]:
    return run.results[task]["current"][0]["fvRsDomAtt"]["children"]


def test_clearing_password_history_changes_every_time(run):
    assert (run.results["12"]["changed"], run.results["13"]["changed"]) == (True, True), run.summary()
    assert current(run, "13", "aaaUser")["clearPwdHistory"] == "no"


def test_aci_rest_bracketed_dns_and_page_none(run):
    assert run.results["14"]["imdata"][0]["fvTenant"]["attributes"]["dn"] == "uni/tn-norm_tn"
    assert len(run.results["15"]["imdata"]) == 1, run.summary()
    top = run.results["16"]["imdata"][0]["fvTenant"]["attributes"]
    assert (top["dn"], top["rn"], top["status"]) == ("uni/tn-norm_rest", "", "created")
    assert run.results["17"]["changed"] is False and run.results["17"]["imdata"] == []
    gone = run.results["20"]["imdata"][0]["fvTenant"]["attributes"]
    assert (gone["rn"], gone["status"], gone["descr"]) == ("", "deleted", "bracketed")


def test_tag_rerun_changes_nothing(run):
    assert (run.results["18"]["changed"], run.results["19"]["changed"]) == (True, False), run.summary()
    assert "annotation" not in current(run, "18", "tagTag")
