"""APIC 6.0 and later refuse a local user's password it had before (aaaUser, the password history).

Real answers (ansible-aci tests/integration/targets/aci_aaa_user/tasks/main.yml, run on APICs >= 6.0): the
password set again → HTTP 400, error code 1, "Password history check: user ansible should not use previous
5 passwords"; clear_password_history (aaaUser.clearPwdHistory) is accepted and reads back "no". The 5 is
aaaPwdProfile.historyCount of uni/userext/pwdprofile, "5" on a fresh APIC (the aci_aaa_security_default_settings
test reads it).
"""

from __future__ import annotations

import json

import pytest
import requests
from playbooks import ANSIBLE_DIR, run_on_fresh_lab
from rest_session import ApicRest

from simulator.lab import Lab, LabOptions

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

FIRST, SECOND, THIRD = "khsaubf@3ijsdn!!2#%nbsh", "khsaubf@3ijsdn!!2#%nbsh1", "khsaubf@3ijsdn!!2#%nbsh2"


def user(name: str, **attrs: str) -> dict:
    return {"aaaUser": {"attributes": {"name": name, **attrs}}}


def error_of(response: requests.Response) -> tuple[int, str, str]:
    err = response.json()["imdata"][0]["error"]["attributes"]
    return response.status_code, err["code"], err["text"]


def refused(name: str, count: int = 5) -> tuple[int, str, str]:
    return 400, "1", f"Password history check: user {name} should not use previous {count} passwords"


def logs_in(rest: ApicRest, name: str, password: str) -> bool:
    s = requests.Session()
    s.verify = False
    s.trust_env = False
    r = s.post(f"{rest.url}/api/aaaLogin.json",
               data=json.dumps({"aaaUser": {"attributes": {"name": name, "pwd": password}}}), timeout=30)
    return r.status_code == 200


def attrs_of(rest: ApicRest, dn: str) -> dict[str, str]:
    [mo] = rest.imdata(f"/api/mo/{dn}.json")
    return mo["aaaUser"]["attributes"]


def test_the_current_password_again_is_refused_and_nothing_is_written(rest):
    dn = "uni/userext/user-hist1"
    rest.post_ok(dn, user("hist1", pwd=FIRST, descr="first"))
    r = rest.post(dn, user("hist1", pwd=FIRST, descr="changed"))
    assert error_of(r) == refused("hist1")
    # what aci_aaa_user posts for a user that exists: the changed attributes alone, at the user's URL
    assert error_of(rest.post(dn, {"aaaUser": {"attributes": {"pwd": FIRST}}})) == refused("hist1")
    assert attrs_of(rest, dn)["descr"] == "first"
    assert logs_in(rest, "hist1", FIRST)


def test_a_new_password_is_taken_and_the_previous_ones_are_refused(rest):
    dn = "uni/userext/user-hist2"
    rest.post_ok(dn, user("hist2", pwd=FIRST))
    rest.post_ok(dn, user("hist2", pwd=SECOND))
    assert logs_in(rest, "hist2", SECOND)
    assert error_of(rest.post(dn, user("hist2", pwd=FIRST))) == refused("hist2")
    assert error_of(rest.post(dn, user("hist2", pwd=SECOND))) == refused("hist2")
    assert logs_in(rest, "hist2", SECOND)


def test_a_user_posted_inside_its_parent_is_checked_too(rest):
    rest.post_ok("uni/userext/user-hist3", user("hist3", pwd=FIRST))
    body = {"aaaUserEp": {"attributes": {}, "children": [user("hist3", pwd=FIRST)]}}
    assert error_of(rest.post("uni/userext", body)) == refused("hist3")


def test_clearing_the_history_in_the_same_post_lets_the_password_be_set_again(rest):
    dn = "uni/userext/user-hist4"
    rest.post_ok(dn, user("hist4", pwd=FIRST))
    rest.post_ok(dn, user("hist4", pwd=SECOND))
    rest.post_ok(dn, user("hist4", pwd=FIRST, clearPwdHistory="yes"))
    assert logs_in(rest, "hist4", FIRST)
    assert attrs_of(rest, dn)["clearPwdHistory"] == "no"  # an action, never kept
    rest.post_ok(dn, user("hist4", pwd=FIRST, clearPwdHistory="yes"))  # as aci_aaa_user does every run
    # the history starts again from the password set with the clearing
    assert error_of(rest.post(dn, user("hist4", pwd=FIRST))) == refused("hist4")
    rest.post_ok(dn, user("hist4", pwd=SECOND))


def test_a_bad_clearing_value_is_refused_as_a_bad_value_not_as_history(rest):
    dn = "uni/userext/user-hist7"
    rest.post_ok(dn, user("hist7", pwd=FIRST))
    status, code, text = error_of(rest.post(dn, user("hist7", pwd=FIRST, clearPwdHistory="maybe")))
    assert (status, code) == (400, "120") and "clearPwdHistory" in text
    assert error_of(rest.post(dn, user("hist7", pwd=FIRST))) == refused("hist7")


def test_a_refused_post_clears_nothing(rest):
    dn = "uni/userext/user-hist5"
    rest.post_ok(dn, user("hist5", pwd=FIRST))
    rest.post_ok(dn, user("hist5", pwd=SECOND))
    body = {"aaaUserEp": {"attributes": {}, "children": [
        user("hist5", clearPwdHistory="yes"), user("hist5b", pwd=FIRST)]}}
    rest.post_ok("uni/userext/user-hist5b", user("hist5b", pwd=FIRST))
    assert error_of(rest.post("uni/userext", body)) == refused("hist5b")
    assert error_of(rest.post(dn, user("hist5", pwd=FIRST))) == refused("hist5")


def test_a_user_deleted_and_created_again_has_no_history(rest):
    dn = "uni/userext/user-hist6"
    rest.post_ok(dn, user("hist6", pwd=FIRST))
    rest.delete_ok(dn)
    rest.post_ok(dn, user("hist6", pwd=FIRST))
    assert logs_in(rest, "hist6", FIRST)


def test_the_password_profile_sets_how_many_passwords_are_remembered(tmp_path):
    lab = Lab(LabOptions(admin_password="secret"))  # a lab of its own: the profile is the whole APIC's
    srv = lab.start(tls_dir=tmp_path / "tls")
    try:
        rest = ApicRest(srv.url)
        dn = "uni/userext/user-hist7"
        rest.post_ok("uni/userext/pwdprofile", {"aaaPwdProfile": {"attributes": {"historyCount": "2"}}})
        for password in (FIRST, SECOND, THIRD):
            rest.post_ok(dn, user("hist7", pwd=password))
        assert error_of(rest.post(dn, user("hist7", pwd=SECOND))) == refused("hist7", 2)
        rest.post_ok(dn, user("hist7", pwd=FIRST))  # three passwords back: forgotten
    finally:
        lab.stop()


def test_the_current_password_is_refused_after_a_restart_from_the_state_file(tmp_path):
    state = tmp_path / "lab.state"
    first = Lab(LabOptions(admin_password="secret"))
    first.keep_state(state)
    srv = first.start(tls_dir=tmp_path / "tls")
    ApicRest(srv.url).post_ok("uni/userext/user-hist8", user("hist8", pwd=FIRST))
    first.stop()
    first.state.close()
    again = Lab(LabOptions(admin_password="secret"))
    again.keep_state(state)
    srv = again.start(tls_dir=tmp_path / "tls2")
    try:
        rest = ApicRest(srv.url)
        assert error_of(rest.post("uni/userext/user-hist8", user("hist8", pwd=FIRST))) == refused("hist8")
        assert logs_in(rest, "hist8", FIRST)
    finally:
        again.stop()
        again.state.close()


@pytest.mark.slow
def test_aci_aaa_user_meets_the_password_history(tmp_path):
    """The real cisco.aci.aci_aaa_user (tests/ansible/password_history.yml): the module's msg carries the
    APIC's error as on a real APIC >= 6.0 ("APIC Error 1: Password history check: ..."); with
    clear_password_history its POST is accepted."""
    run = run_on_fresh_lab(tmp_path, "password_history", ANSIBLE_DIR / "password_history.yml")
    assert list(run.results) == ["01", "02", "03"], run.summary()
    first, again, cleared = (run.results[key] for key in ("01", "02", "03"))
    assert first.get("changed") and not first.get("failed"), run.summary()
    assert again.get("failed"), run.summary()
    assert again["msg"] == ("APIC Error 1: Password history check: user ans_user should not use previous "
                            "5 passwords"), run.summary()
    assert cleared.get("changed") and not cleared.get("failed"), run.summary()
    assert cleared["sent"]["aaaUser"]["attributes"]["clearPwdHistory"] == "yes", run.summary()
