"""Filter entry ports and IP protocols as the APIC answers them, over the REST API (the tables and their
sources are in simulator/apic/mit/normalise.py): a well-known port or protocol given by number reads back by
its name, zero in any spelling reads "unspecified", the highest port 65535 and the highest protocol 255 are
kept as numbers and the next ones are refused with 120, nothing written. Found by mutation testing of
mit/normalise.py (tools/mutation/RESULTS.md): the number-to-name answers were asserted only by the Ansible
tests, the ends of the ranges by none."""

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


@pytest.mark.parametrize(("given", "answered"), [("6", "tcp"), ("17", "udp"), ("1", "icmp"), ("255", "255"),
                                                 ("254", "254"), ("0", "unspecified")])
def test_an_ip_protocol_by_number_reads_back_as_the_apic_answers_it(tenant, given, answered):
    dn = f"{FILTER}/e-prot{given}"
    tenant.post_ok(dn, {"vzEntry": {"attributes": {"name": f"prot{given}", "etherT": "ip", "prot": given}}})
    [found] = tenant.imdata(f"/api/mo/{dn}.json")
    assert found["vzEntry"]["attributes"]["prot"] == answered


@pytest.mark.parametrize("given", ["256", "1000", "tcpx"])
def test_what_is_not_an_ip_protocol_is_refused(tenant, given):
    dn = f"{FILTER}/e-protbad"
    r = tenant.post(dn, {"vzEntry": {"attributes": {"name": "protbad", "etherT": "ip", "prot": given}}})
    err = r.json()["imdata"][0]["error"]["attributes"]
    assert (r.status_code, err["code"]) == (400, "120")
    assert err["text"] == f"unknown property value {given}, name prot, class vzEntry [(Dn0)] Dn0={dn}, "
    assert tenant.imdata(f"/api/mo/{dn}.json") == []
