"""cisco.aci as a read-only user against a fresh lab: playbooks/rbac.yml has the admin create a read-all user,
which then reads and is refused writes; here the run as a whole is judged, and each refusal is the APIC's."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "rbac"
ERROR_CASES = {"rbac07", "rbac08", "rbac09", "rbac27"}


def text(user: str, cls: str, dn: str) -> str:
    return f"Access denied: user {user} has no write privilege for {cls} {dn} in its security domains"


def test_only_the_refused_writes_fail(family):
    family.assert_clean(ERROR_CASES)


@pytest.mark.parametrize(("task", "cls", "dn"), [
    ("rbac07", "fvTenant", "uni/tn-ans_intruder"),
    ("rbac08", "aaaUserRole", "uni/userext/user-ans_reader/userdomain-all/role-admin"),
    ("rbac09", "fvTenant", "uni/tn-ans_rbac_tenant"),
])
def test_each_refusal_is_the_apics_403(family, task, cls, dn):
    res = family.run.results[task]
    assert res["status"] == 403, family.checks_report()
    assert res["error"] == {"code": "403", "text": text("ans_reader", cls, dn)}, res
    assert res["msg"] == f"APIC Error 403: {text('ans_reader', cls, dn)}", res


def test_the_tenant_admin_is_refused_outside_its_domain(family):
    res = family.run.results["rbac27"]
    assert res["error"] == {"code": "403", "text": text("ans_tadmin", "fvCtx", "uni/tn-ans_rbac_tenant/ctx-ans_vrf")}, res


def test_nothing_is_left(family):
    assert family.imdata("/api/mo/uni/userext/user-ans_reader.json") == []
    assert family.imdata("/api/mo/uni/tn-ans_intruder.json") == []
    assert family.imdata("/api/mo/uni/userext/domain-ans_domain.json") == []
    assert family.imdata("/api/mo/uni/userext/user-ans_tadmin.json") == []
    assert family.imdata("/api/mo/uni/tn-ans_rbac_tenant/ctx-ans_vrf.json") == []
