"""Numeric properties with a range in the APIC's model, over the REST API: a value at either end of the range
is stored as sent; one outside it is refused with the APIC's 801 "failed validation", one that is not a
number with its 120 "unknown property value", and a refused POST writes nothing. lacpLagPol.maxLinks and
minLinks are 1..16 (the port-channel policy aci_interface_policy_port_channel sets), fabricHIfPol.linkDebounce
0..5000. Found by mutation testing of mit/normalise.py (tools/mutation/RESULTS.md): no test wrote a number."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def mo(cls: str, **attrs: str) -> dict:
    return {cls: {"attributes": attrs}}


def error_of(response) -> tuple[int, str, str]:
    err = response.json()["imdata"][0]["error"]["attributes"]
    return response.status_code, err["code"], err["text"]


def stored(rest, dn: str, prop: str) -> str | None:
    found = rest.imdata(f"/api/mo/{dn}.json")
    return next(iter(found[0].values()))["attributes"][prop] if found else None


CASES = [  # class, DN prefix (the name follows), property, lowest, highest
    ("lacpLagPol", "uni/infra/lacplagp-", "maxLinks", 1, 16),
    ("lacpLagPol", "uni/infra/lacplagp-", "minLinks", 1, 16),
    ("fabricHIfPol", "uni/infra/hintfpol-", "linkDebounce", 0, 5000),
]


@pytest.mark.parametrize(("cls", "prefix", "prop", "low", "high"), CASES, ids=[c[2] for c in CASES])
def test_the_ends_of_the_range_are_stored(rest, cls, prefix, prop, low, high):
    for value in (low, high):
        name = f"num-{prop}-{value}"
        rest.post_ok(prefix + name, mo(cls, name=name, **{prop: str(value)}))
        assert stored(rest, prefix + name, prop) == str(value)


@pytest.mark.parametrize(("cls", "prefix", "prop", "low", "high"), CASES, ids=[c[2] for c in CASES])
def test_a_value_outside_the_range_is_refused_and_nothing_written(rest, cls, prefix, prop, low, high):
    for value in (low - 1, high + 1):
        name = f"num-{prop}-out"
        at = prefix + name
        r = rest.post(at, mo(cls, name=name, **{prop: str(value)}))
        assert error_of(r) == (400, "801", f"property {prop} of {at} failed validation for value '{value}'")
        assert stored(rest, at, prop) is None


@pytest.mark.parametrize("value", ["many", "", "0x10", "1,2"])
def test_a_value_that_is_not_a_number_is_refused_with_120(rest, value):
    at = "uni/infra/lacplagp-numbad"
    r = rest.post(at, mo("lacpLagPol", name="numbad", maxLinks=value))
    assert error_of(r) == (
        400, "120", f"unknown property value {value}, name maxLinks, class lacpLagPol [(Dn0)] Dn0={at}, ")
    assert stored(rest, at, "maxLinks") is None


def test_an_existing_policy_keeps_its_number_when_a_bad_one_is_posted(rest):
    at = "uni/infra/lacplagp-numkeep"
    rest.post_ok(at, mo("lacpLagPol", name="numkeep", maxLinks="8", descr="before"))
    r = rest.post(at, mo("lacpLagPol", maxLinks="17", descr="after"))
    assert error_of(r)[1] == "801"
    assert (stored(rest, at, "maxLinks"), stored(rest, at, "descr")) == ("8", "before")
