"""A subscription asked in XML, over the REST API: the `imdata` element carries the subscriptionId attribute
beside totalCount, as the JSON answer carries the key, and the id refreshes like any other. Found by mutation
testing of codec.py (tools/mutation/RESULTS.md): no test subscribed with `.xml`."""

from __future__ import annotations

import pytest
from lxml import etree

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def test_an_xml_subscription_answers_its_id_on_imdata(rest):
    r = rest.get("/api/class/fvTenant.xml", subscription="yes")
    assert r.status_code == 200, r.text
    root = etree.fromstring(r.content)
    assert root.tag == "imdata"
    sub_id = root.get("subscriptionId")
    assert sub_id is not None and sub_id.isdigit() and len(sub_id) == 17
    assert root.get("totalCount") == str(len(root))
    assert {el.tag for el in root} == {"fvTenant"}
    assert rest.get("/api/subscriptionRefresh.json", id=sub_id).status_code == 200
