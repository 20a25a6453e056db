"""A read-only property changed on an MO that already exists, over the REST API: the APIC refuses the whole
POST with its read-only error (400, code 400, naming the class, the property and the DN) and nothing of the
body is written, not the property and not the other attributes or objects posted with it. Posting back the
value the APIC shows (GET, edit, POST) is no change and passes."""

from __future__ import annotations

import pytest
from rest_session import ApicRest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TENANT = "uni/tn-ro"
CTX = f"{TENANT}/ctx-v"
BD = f"{TENANT}/BD-b"
EPG = f"{TENANT}/ap-app/epg-web"


def mo(cls: str, children: list[dict] | None = None, **attrs: str) -> dict:
    body: dict = {"attributes": attrs}
    if children:
        body["children"] = children
    return {cls: body}


def attrs_of(rest: ApicRest, dn: str) -> dict[str, str]:
    [found] = rest.imdata(f"/api/mo/{dn}.json")
    return next(iter(found.values()))["attributes"]


def error_of(response) -> tuple[int, str, str]:
    err = response.json()["imdata"][0]["error"]["attributes"]
    return response.status_code, err["code"], err["text"]


def refused(cls: str, prop: str, dn: str) -> tuple[int, str, str]:
    return 400, "400", f"Read-only props cannot be modified, class={cls}, prop={prop}, dn={dn}"


@pytest.fixture(scope="module")
def tenant(rest):
    rest.post_ok("uni", mo("fvTenant", [
        mo("fvCtx", name="v"),
        mo("fvBD", [mo("fvRsCtx", tnFvCtxName="v")], name="b"),
        mo("fvAp", [mo("fvAEPg", [mo("fvRsBd", tnFvBDName="b")], name="web")], name="app"),
    ], name="ro"))
    return rest


def other(value: str) -> str:
    """A value of the same form that is not `value`."""
    return str(int(value) + 1) if value.isdigit() else value + "x"


@pytest.mark.parametrize(("dn", "cls", "prop"), [
    (CTX, "fvCtx", "pcTag"), (CTX, "fvCtx", "seg"), (BD, "fvBD", "mtu"), (EPG, "fvAEPg", "pcTag"),
    (EPG, "fvAEPg", "configSt"),
])
def test_a_changed_read_only_property_of_an_existing_mo_is_refused_and_nothing_changes(tenant, dn, cls, prop):
    before = attrs_of(tenant, dn)
    r = tenant.post(dn, mo(cls, descr="changed with it", **{prop: other(before[prop])}))
    assert error_of(r) == refused(cls, prop, dn)
    assert attrs_of(tenant, dn) == before


def test_the_refusal_of_a_nested_read_only_change_writes_nothing_of_the_body(tenant):
    tenant_before, ctx_before = attrs_of(tenant, TENANT), attrs_of(tenant, CTX)
    r = tenant.post("uni", mo("fvTenant", [
        mo("fvCtx", name="v", descr="new", pcTag=other(ctx_before["pcTag"])),
        mo("fvBD", name="b2"),
    ], name="ro", descr="edited"))
    assert error_of(r) == refused("fvCtx", "pcTag", CTX)
    assert attrs_of(tenant, TENANT) == tenant_before
    assert attrs_of(tenant, CTX) == ctx_before
    assert tenant.imdata(f"/api/mo/{TENANT}/BD-b2.json") == []


def test_the_value_read_posted_back_is_no_change(tenant):
    before = attrs_of(tenant, CTX)
    tenant.post_ok(CTX, mo("fvCtx", pcTag=before["pcTag"], seg=before["seg"], descr="kept"))
    after = attrs_of(tenant, CTX)
    assert (after["pcTag"], after["seg"], after["descr"]) == (before["pcTag"], before["seg"], "kept")
