"""A bitmask value is accepted only if every flag in it is one of the property's flags, over the REST API: one
unknown flag among valid ones, wherever it stands in the list, refuses the POST with the APIC's 120 error
naming the value as posted, on create and on modify, and nothing is written (not the MO, not its other
attributes). A list of valid flags is stored sorted, as the APIC answers it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

BD = "uni/tn-bitmask/BD-b"


def mo(cls: str, children: list[dict] | None = None, **attrs: str) -> dict:
    body: dict = {"attributes": attrs}
    if children:
        body["children"] = children
    return {cls: body}


def error_of(response) -> tuple[int, str, str]:
    err = response.json()["imdata"][0]["error"]["attributes"]
    return response.status_code, err["code"], err["text"]


def unknown(value: str, prop: str, cls: str, dn: str) -> tuple[int, str, str]:
    return 400, "120", f"unknown property value {value}, name {prop}, class {cls} [(Dn0)] Dn0={dn}, "


def attrs_of(rest, dn: str) -> dict[str, str]:
    [found] = rest.imdata(f"/api/mo/{dn}.json")
    return next(iter(found.values()))["attributes"]


@pytest.fixture(scope="module")
def bd(rest):
    rest.post_ok("uni", mo("fvTenant", [mo("fvBD", name="b")], name="bitmask"))
    return rest


MIXED = ["public,bogus", "bogus,public", "private,public,bogus", "public, bogus", "public,,bogus"]


@pytest.mark.parametrize("scope", MIXED)
def test_a_new_subnet_with_one_unknown_scope_flag_is_refused_and_not_created(bd, scope):
    dn = f"{BD}/subnet-[10.3.0.1/24]"
    r = bd.post(dn, mo("fvSubnet", ip="10.3.0.1/24", scope=scope))
    assert error_of(r) == unknown(scope, "scope", "fvSubnet", dn)
    assert bd.imdata(f"/api/mo/{dn}.json") == []


@pytest.mark.parametrize("scope", MIXED)
def test_an_existing_subnet_keeps_its_scope_when_a_mixed_value_is_posted(bd, scope):
    dn = f"{BD}/subnet-[10.4.0.1/24]"
    bd.post_ok(dn, mo("fvSubnet", ip="10.4.0.1/24", scope="shared,public", descr="before"))
    before = attrs_of(bd, dn)
    assert before["scope"] == "public,shared"
    r = bd.post(dn, mo("fvSubnet", scope=scope, descr="after"))
    assert error_of(r) == unknown(scope, "scope", "fvSubnet", dn)
    assert attrs_of(bd, dn) == before


def test_a_mixed_value_nested_in_a_larger_post_writes_nothing(bd):
    subnet = f"{BD}/subnet-[10.5.0.1/24]"
    before = attrs_of(bd, BD)
    r = bd.post("uni", mo("fvTenant", [mo("fvBD", [
        mo("fvSubnet", ip="10.5.0.1/24", ctrl="querier,nd,bogus")], name="b", descr="edited")], name="bitmask"))
    assert error_of(r) == unknown("querier,nd,bogus", "ctrl", "fvSubnet", subnet)
    assert attrs_of(bd, BD) == before
    assert bd.imdata(f"/api/mo/{subnet}.json") == []


@pytest.mark.parametrize(("scope", "stored"), [
    ("public", "public"), ("shared,public", "public,shared"), ("private,shared", "private,shared"),
])
def test_valid_flags_only_are_accepted_and_stored_sorted(bd, scope, stored):
    dn = f"{BD}/subnet-[10.6.0.1/24]"
    bd.post_ok(dn, mo("fvSubnet", ip="10.6.0.1/24", scope=scope))
    assert attrs_of(bd, dn)["scope"] == stored
