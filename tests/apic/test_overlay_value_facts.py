"""Two value facts of the core overlay, over REST: an external subnet's aggregate is a bitmask (given as a list in
any order, answered normalised), and a tagAnnotation has only its key and value (no annotation of its own)."""

from __future__ import annotations

import pytest
from rest_session import ApicRest

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

SUBNET = "uni/tn-t1/out-o1/instP-e1/extsubnet-[0.0.0.0/0]"


@pytest.fixture
def apic(lab) -> ApicRest:
    return ApicRest(lab.apic_server.url)


def subnet(apic: ApicRest, aggregate: str):
    return apic.post("uni/tn-t1", {"fvTenant": {"attributes": {"name": "t1"}, "children": [
        {"l3extOut": {"attributes": {"name": "o1"}, "children": [
            {"l3extInstP": {"attributes": {"name": "e1"}, "children": [
                {"l3extSubnet": {"attributes": {"ip": "0.0.0.0/0", "aggregate": aggregate,
                                                "scope": "export-rtctrl,import-security"}}},
            ]}},
        ]}},
    ]}})


def test_an_external_subnet_aggregate_list_is_answered_normalised(apic):
    r = subnet(apic, "import-rtctrl,export-rtctrl")
    assert r.status_code == 200, r.text
    [mo] = apic.imdata(f"/api/mo/{SUBNET}.json")
    assert mo["l3extSubnet"]["attributes"]["aggregate"] == "export-rtctrl,import-rtctrl"
    assert mo["l3extSubnet"]["attributes"]["scope"] == "export-rtctrl,import-security"


def test_an_unknown_aggregate_flag_is_refused_and_nothing_is_written(apic):
    r = subnet(apic, "export-rtctrl,none")
    assert r.status_code == 400
    error = r.json()["imdata"][0]["error"]["attributes"]
    assert error["code"] == "120" and "aggregate" in error["text"]
    assert apic.imdata(f"/api/mo/{SUBNET}.json") == []


def test_a_tag_annotation_has_only_its_key_and_value(apic):
    apic.post_ok("uni/tn-t1", {"fvTenant": {"attributes": {"name": "t1"}, "children": [
        {"tagAnnotation": {"attributes": {"key": "owner", "value": "team-a"}}},
    ]}})
    [mo] = apic.imdata("/api/mo/uni/tn-t1/annotationKey-[owner].json")
    attrs = mo["tagAnnotation"]["attributes"]
    assert attrs["value"] == "team-a"
    assert not {"annotation", "descr", "nameAlias", "ownerKey", "ownerTag"} & set(attrs)
    r = apic.post("uni/tn-t1/annotationKey-[owner]", {"tagAnnotation": {"attributes": {"annotation": "x"}}})
    assert r.status_code == 400, r.text
