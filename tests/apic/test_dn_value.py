"""The `Dn` value (simulator.apic.mit.dn.Dn): a DN parsed once, its naming values by class and property."""

from __future__ import annotations

import pytest

from simulator.apic.mit.catalog import default_catalog
from simulator.apic.mit.dn import Dn, DnError

CAT = default_catalog()
EPG = "uni/tn-a/ap-b/epg-c"
PATH_ATT = "uni/tn-a/ap-b/epg-c/rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]]"


def test_rns_classes_and_naming_values_of_each_level():
    dn = Dn.parse(EPG, CAT)
    assert dn.text == str(dn) == EPG
    assert dn.rns == ("uni", "tn-a", "ap-b", "epg-c")
    assert (dn.rn, dn.cls) == ("epg-c", "fvAEPg")
    assert dn.naming() == {"name": "c"}
    assert dn.naming("fvAEPg")["name"] == "c"
    assert dn.naming("fvAp") == {"name": "b"}
    assert dn.naming("fvTenant") == {"name": "a"}
    assert dn.naming("polUni") == {}


def test_naming_values_of_a_superclass_and_of_several_properties():
    pool = Dn.parse("uni/infra/vlanns-[pool-1]-dynamic/from-[vlan-1]-to-[vlan-9]", CAT)
    assert pool.naming() == {"from": "vlan-1", "to": "vlan-9"}
    assert pool.naming("fvnsVlanInstP") == {"name": "pool-1", "allocMode": "dynamic"}
    # fvTenant is a polDom: asking by the superclass finds the tenant
    assert Dn.parse(EPG, CAT).naming("polDom") == {"name": "a"}


def test_a_bracketed_value_holding_a_dn_is_one_naming_value():
    dn = Dn.parse(PATH_ATT, CAT)
    assert dn.cls == "fvRsPathAtt"
    assert dn.naming() == {"tDn": "topology/pod-1/paths-101/pathep-[eth1/1]"}
    assert dn.parent == Dn.parse(EPG, CAT)


def test_parents_up_to_the_root():
    dn = Dn.parse(EPG, CAT)
    chain = []
    while dn is not None:
        chain.append((dn.text, dn.cls))
        dn = dn.parent
    assert chain == [(EPG, "fvAEPg"), ("uni/tn-a/ap-b", "fvAp"), ("uni/tn-a", "fvTenant"), ("uni", "polUni"),
                     ("", "topRoot")]


def test_ancestor_by_class():
    dn = Dn.parse(PATH_ATT, CAT)
    assert dn.ancestor("fvTenant") == Dn.parse("uni/tn-a", CAT)
    assert dn.ancestor("fvRsPathAtt") == dn  # the DN itself counts
    assert dn.ancestor("vmmDomP") is None
    with pytest.raises(KeyError):
        dn.naming("vmmDomP")


def test_children_are_built_from_naming_values_by_the_catalog_formats():
    root = Dn.root(CAT)
    assert root.text == "" and root.cls == "topRoot" and root.parent is None
    ctrlr = root.child("compUni").child("compProv", name="Redhat").child("compCtrlr", domName="rhv", name="rhvm")
    assert ctrlr.text == "comp/prov-Redhat/ctrlr-[rhv]-rhvm"
    assert ctrlr == Dn.parse(ctrlr.text, CAT)
    assert ctrlr.naming() == Dn.parse(ctrlr.text, CAT).naming()
    assert Dn.parse("uni/tn-a", CAT).child("fvBD", name="b").text == "uni/tn-a/BD-b"


def test_a_child_the_parent_cannot_hold_or_without_its_name_is_refused():
    tenant = Dn.parse("uni/tn-a", CAT)
    with pytest.raises(DnError, match="cannot be contained"):
        tenant.child("fvAEPg", name="x")
    with pytest.raises(DnError, match="needs a value for name"):
        tenant.child("fvBD")


def test_an_rn_that_fits_no_class_is_refused_with_apics_text():
    with pytest.raises(DnError, match="wrong rn prefix epgx-c"):
        Dn.parse("uni/tn-a/ap-b/epgx-c", CAT)
    assert CAT.dn(EPG) == Dn.parse(EPG, CAT)


def test_equal_dns_hash_alike():
    assert {Dn.parse(EPG, CAT), Dn.parse(EPG, CAT)} == {Dn.parse(EPG, CAT)}
    assert Dn.parse(EPG, CAT) != EPG
