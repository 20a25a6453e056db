"""Filter entry ports as the APIC answers them, over the REST API (the table and its sources are in
simulator/apic/mit/normalise.py): a well-known port given by number reads back by its name, zero in any
spelling reads "unspecified", the highest port 65535 is a port and 65536 is not (refused with 120, nothing
written). Found by mutation testing of mit/normalise.py (tools/mutation/RESULTS.md): the number-to-name
answers were asserted only by the Ansible tests, the ends of the port range by none."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

FILTER = "uni/tn-ports/flt-f"


def entry(name: str, **attrs: str) -> dict:
    return {"vzEntry": {"attributes": {"name": name, "etherT": "ip", "prot": "tcp", **attrs}}}


def ports_of(rest, dn: str) -> tuple[str, str]:
    [found] = rest.imdata(f"/api/mo/{dn}.json")
    attrs = found["vzEntry"]["attributes"]
    return attrs["dFromPort"], attrs["dToPort"]


@pytest.fixture(scope="module")
def tenant(rest):
    rest.post_ok("uni", {"fvTenant": {"attributes": {"name": "ports"}, "children": [
        {"vzFilter": {"attributes": {"name": "f"}}}]}})
    return rest


@pytest.mark.parametrize(("given", "answered"), [
    ("80", "http"), ("443", "https"), ("53", "dns"), ("20", "ftpData"), ("0", "unspecified"),
    ("00", "unspecified"), ("000", "unspecified"), ("65535", "65535"), ("8443", "8443"),
])
def test_a_port_by_number_reads_back_as_the_apic_answers_it(tenant, given, answered):
    dn = f"{FILTER}/e-p{given}"
    tenant.post_ok(dn, entry(f"p{given}", dFromPort=given, dToPort=given))
    assert ports_of(tenant, dn) == (answered, answered)


@pytest.mark.parametrize("given", ["65536", "99999", "-1", "http2"])
def test_what_is_not_a_port_is_refused_and_nothing_written(tenant, given):
    dn = f"{FILTER}/e-bad"
    r = tenant.post(dn, entry("bad", dFromPort="80", dToPort=given))
    err = r.json()["imdata"][0]["error"]["attributes"]
    assert (r.status_code, err["code"]) == (400, "120")
    assert err["text"] == f"unknown property value {given}, name dToPort, class vzEntry [(Dn0)] Dn0={dn}, "
    assert tenant.imdata(f"/api/mo/{dn}.json") == []
