"""Proposed MOs (simulator.apic.mit.proposed): the controller's own writes are Python mappings turned
into MOs directly, read by the same rules as a JSON request body, and never go through the codec."""

from __future__ import annotations

import json

import pytest

from simulator.apic import codec
from simulator.apic.errors import ApicError
from simulator.apic.mit.proposed import ProposedMO, proposed_mo
from simulator.apic.service import Apic

BODIES = [
    {"fvTenant": {"attributes": {"name": "a", "descr": "x"}}},
    {"fvBD": {"attributes": {"name": "b", "arpFlood": True, "unicastRoute": False, "mtu": 9000, "descr": None}}},
    {"fvTenant": {"attributes": {"name": "a"}, "children": [
        {"fvAp": {"attributes": {"name": "p"}, "children": [{"fvAEPg": {"attributes": {"name": "e"}}}]}},
        {"fvCtx": {}}]}},
]


@pytest.mark.parametrize("body", BODIES)
def test_a_mapping_reads_as_its_json_text_would(body):
    assert proposed_mo(body) == codec.parse_json_body(json.dumps(body))


def test_values_become_apic_strings():
    mo = proposed_mo(BODIES[1])
    assert mo == ProposedMO("fvBD", {"name": "b", "arpFlood": "yes", "unicastRoute": "no", "mtu": "9000",
                                     "descr": ""})


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"fvTenant": {"children": [], "attributes": {"name": "a"}}}, "tag 'attributes' must be specified first"),
        ({"fvTenant": {"attributes": {}}, "fvBD": {"attributes": {}}}, "incomplete node at line 1"),
        ({"fvTenant": {"attributes": {}, "children": {"fvAp": {}}}}, "incomplete node at line 1"),
        ({"fvTenant": {"attributes": {"name": ["a"]}}}, "incomplete attribute value"),
        ({"fvTenant": "a"}, "incomplete node at line 1"),
    ],
)
def test_malformed_mappings_get_the_codecs_errors(body, text):
    with pytest.raises(ApicError, match=text) as mapping:
        proposed_mo(body)
    with pytest.raises(ApicError) as wire:
        codec.parse_json_body(json.dumps(body))
    assert (mapping.value.code, mapping.value.text) == (wire.value.code, wire.value.text)


def test_a_json_array_where_an_object_belongs_is_a_parse_error_not_a_crash():
    with pytest.raises(ApicError, match="incomplete node"):
        codec.parse_json_body('{"fvTenant": [1, 2]}')
    with pytest.raises(ApicError, match="incomplete node"):
        codec.parse_json_body('{"fvTenant": {"attributes": [1, 2]}}')


def test_boot_users_fixtures_and_facade_writes_never_use_the_json_codec(monkeypatch, tmp_path):
    def refuse(*_args, **_kwargs):
        raise AssertionError("an internal write went through the JSON wire codec")

    monkeypatch.setattr(codec, "parse_json_body", refuse)
    monkeypatch.setattr(codec, "parse_body", refuse)
    monkeypatch.setattr(json, "dumps", refuse)
    apic = Apic()
    apic.add_user("operator", "s3cret!", role="read-all")
    fixture = tmp_path / "tree.yaml"
    fixture.write_text("- dn: uni/tn-fx\n  body: {fvTenant: {attributes: {name: fx, descr: from a fixture}}}\n")
    assert apic.load_tree(fixture) == 1
    assert apic.store.get("uni/tn-fx").get("descr") == "from a fixture"
    assert apic.store.get("uni/userext/user-operator/userdomain-all/role-read-all") is not None
    assert "topology/pod-1" in apic.store
