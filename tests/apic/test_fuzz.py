"""A fixed-seed sample of the APIC fuzz (bench/fuzz_apic.py's grammar and oracle) in the suite.

Every generated request (paths, methods, query options, bodies and cookies, valid and broken) must be answered
below 500 in the APIC's envelope, in the format its URL asks for. The sample goes through Flask's test client
for numbers, and a smaller one through a lab served over plain HTTP, where the server's own handling of
targets and bodies is part of the answer. On a violation hypothesis shrinks the request and the assertion
names it; the bench runs the same grammar at 20,000 requests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import fuzz_apic  # noqa: E402

from simulator.lab import Lab, LabOptions  # noqa: E402

SEED = 13


@pytest.fixture
def fuzz_lab():
    lab = Lab(LabOptions(admin_password=fuzz_apic.PASSWORD))
    yield lab
    lab.stop()


def test_a_seeded_sample_of_bad_requests_gets_only_apic_envelopes(fuzz_lab):
    tally = fuzz_apic.fuzz(fuzz_apic.TestClientTarget(fuzz_lab).send, 600, SEED, raise_on_violation=True)
    assert tally.total == 600
    assert tally.violations == {}
    assert tally.by_class["4xx"] > 0 and tally.by_class["2xx"] > 0  # the grammar reaches both


def test_a_served_sample_over_http_gets_only_apic_envelopes(fuzz_lab):
    server = fuzz_lab.start(tls=False)
    target = fuzz_apic.HttpTarget("127.0.0.1", server.port)
    tally = fuzz_apic.fuzz(target.send, 200, SEED + 1, raise_on_violation=True)
    assert tally.total == 200
    assert tally.violations == {}


def test_the_oracle_tells_a_framework_page_and_a_500_from_an_envelope():
    req = fuzz_apic.FuzzRequest("GET", "/api/mo/uni.xml")
    assert fuzz_apic.violation(req, 500, "application/xml", b'<imdata totalCount="0"/>') == "status 500"
    assert fuzz_apic.violation(req, 308, "text/html", b"<html/>").startswith("content type")
    assert fuzz_apic.violation(req, 400, "application/xml", b'<imdata totalCount="0"/>') is not None
    assert fuzz_apic.violation(req, 400, "application/xml",
                               b'<imdata totalCount="1"><error code="400" text="x"/></imdata>') is None
    assert fuzz_apic.violation(req, 200, "application/xml", b"<imdata") == "unparsable XML: XMLSyntaxError"
    req = fuzz_apic.FuzzRequest("POST", "/api/mo/uni.json")
    assert fuzz_apic.violation(req, 200, "application/json", b'{"totalCount":"0","imdata":[]}') is None
    assert fuzz_apic.violation(req, 400, "application/json", b'{"totalCount":"0","imdata":[]}') is not None
    assert fuzz_apic.violation(req, 200, "application/json", b'{"totalCount":0,"imdata":[]}') is not None
