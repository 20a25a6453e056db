"""XML request bodies, over the REST API (the format is the URL's suffix, whatever the Content-Type): a POST to
`/api/mo/<dn>.xml` writes the elements' MOs with their nested children, as the JSON form of the same body
does; comments are no MOs; a login posts `<aaaUser name=... pwd=.../>`; a body that is not XML (or empty) is
refused with the APIC's 400 "XML parsing failed" in an XML error envelope, and nothing is written. Found by
mutation testing of codec.py (tools/mutation/RESULTS.md): no test posted an XML body."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TIMEOUT = 30


def post_xml(rest, path: str, body: str) -> requests.Response:
    return rest.http.post(f"{rest.url}{path}", data=body.encode(), timeout=TIMEOUT,
                          headers={"Content-Type": "text/xml"})


def xml_error(r: requests.Response) -> tuple[int, str, str]:
    root = etree.fromstring(r.content)
    assert root.tag == "imdata" and root.get("totalCount") == "1"
    [error] = root
    assert error.tag == "error"
    return r.status_code, error.get("code"), error.get("text")


def test_an_xml_body_writes_its_mos_with_their_children(rest):
    r = post_xml(rest, "/api/mo/uni.xml", """<?xml version="1.0" encoding="UTF-8"?>
        <fvTenant name="xmlbody" descr="from xml">
          <!-- a comment is no MO -->
          <fvCtx name="v"/>
          <fvAp name="app"><fvAEPg name="web" descr="nested"/></fvAp>
        </fvTenant>""")
    assert r.status_code == 200, r.text
    assert etree.fromstring(r.content).tag == "imdata"
    [tenant] = rest.imdata("/api/mo/uni/tn-xmlbody.json")
    assert tenant["fvTenant"]["attributes"]["descr"] == "from xml"
    [epg] = rest.imdata("/api/mo/uni/tn-xmlbody/ap-app/epg-web.json")
    assert epg["fvAEPg"]["attributes"]["descr"] == "nested"
    assert len(rest.imdata("/api/mo/uni/tn-xmlbody/ctx-v.json")) == 1


def test_an_xml_body_posted_to_the_mo_itself_modifies_it(rest):
    assert post_xml(rest, "/api/mo/uni.xml", '<fvTenant name="xmlmod"/>').status_code == 200
    r = post_xml(rest, "/api/mo/uni/tn-xmlmod.xml", '<fvTenant descr="edited"/>')
    assert r.status_code == 200, r.text
    [tenant] = rest.imdata("/api/mo/uni/tn-xmlmod.json")
    assert tenant["fvTenant"]["attributes"]["descr"] == "edited"


def test_an_xml_login_answers_in_xml_with_a_usable_token(rest):
    r = requests.post(f"{rest.url}/api/aaaLogin.xml", data=b'<aaaUser name="admin" pwd="secret"/>',
                      verify=False, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    [login] = etree.fromstring(r.content)
    assert login.tag == "aaaLogin" and login.get("userName") == "admin"
    r = requests.get(f"{rest.url}/api/class/fvTenant.json", verify=False, timeout=TIMEOUT,
                     headers={"Cookie": f"APIC-cookie={login.get('token')}"})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("body", ['<fvTenant name="xmlbad">', "not xml at all", "", "   "],
                         ids=["unclosed", "text", "empty", "blank"])
def test_a_body_that_is_not_xml_is_refused_in_xml(rest, body):
    status, code, text = xml_error(post_xml(rest, "/api/mo/uni.xml", body))
    assert (status, code) == (400, "400")
    assert text.startswith("XML parsing failed - ")
    assert rest.imdata("/api/mo/uni/tn-xmlbad.json") == []
