"""DN/RN parsing (simulator.apic.mit.dn) and DN resolution against the class catalog.

Bracketed naming values may hold '/' and further brackets (`rsdomAtt-[uni/vmmp-Redhat/dom-x]`,
`rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]]`); every split must count bracket depth.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.apic.mit.catalog import default_catalog
from simulator.apic.mit.dn import (
    DnError,
    child_dn,
    compile_rn_format,
    decode_dn,
    is_ancestor,
    join_dn,
    parent_dn,
    rn_of,
    split_dn,
)

# --------------------------------------------------------------------------------------------------
# Strategies: RNs as APIC writes them

# characters of plain naming values (no '/', no brackets); dashes, dots and colons included
WORD = st.text(alphabet="abcXYZ019_.:-", min_size=1, max_size=8)
PREFIX = st.text(alphabet="abcdefghijklmnopqrstuvwxyzA", min_size=1, max_size=8)


def _rn(inner_dn: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A plain RN (`tn-a`, `sys`) or one with a bracketed value that may itself be a DN."""
    plain = st.one_of(PREFIX, st.builds(lambda p, w: f"{p}-{w}", PREFIX, WORD))
    bracketed = st.builds(
        lambda p, v, suffix: f"{p}-[{v}]" + (f"-{suffix}" if suffix else ""),
        PREFIX,
        st.one_of(WORD, inner_dn),
        st.one_of(st.none(), WORD),
    )
    return st.one_of(plain, bracketed)


# a DN used as a bracketed value: recursive, so values nest (`pathep-[eth1/1]` inside `rspathAtt-[...]`)
DN_VALUE = st.recursive(
    st.lists(WORD, min_size=1, max_size=4).map(join_dn),
    lambda inner: st.lists(_rn(inner), min_size=1, max_size=4).map(join_dn),
    max_leaves=12,
)
RN = _rn(DN_VALUE)
RNS = st.lists(RN, min_size=1, max_size=6)

REAL_RNS = [
    "uni",
    "tn-a",
    "ap-b",
    "epg-c",
    "rsdomAtt-[uni/vmmp-Redhat/dom-x]",
    "rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]]",
    "vlanns-[pool.1-a]-dynamic",
    "from-[vlan-1]-to-[vlan-9]",
    "subnet-[10.0.0.1/24]",
    "ctrlr-[dom-x]-ctrl.1",
]


# --------------------------------------------------------------------------------------------------
# split / join / parent / rn


@given(RNS)
def test_split_inverts_join(rns):
    assert split_dn(join_dn(rns)) == rns


@given(st.lists(st.sampled_from(REAL_RNS), min_size=1, max_size=6))
def test_split_inverts_join_on_real_rns(rns):
    assert split_dn(join_dn(rns)) == rns


@given(RNS)
def test_parent_and_rn_agree_with_split(rns):
    dn = join_dn(rns)
    assert rn_of(dn) == rns[-1]
    assert parent_dn(dn) == join_dn(rns[:-1])
    assert child_dn(parent_dn(dn), rn_of(dn)) == dn


@given(RNS)
def test_every_prefix_is_an_ancestor(rns):
    dn = join_dn(rns)
    for k in range(1, len(rns)):
        assert is_ancestor(join_dn(rns[:k]), dn)
    assert is_ancestor("", dn)
    assert not is_ancestor(dn, dn)


@given(RNS, RNS)
def test_a_sibling_is_not_an_ancestor(a, b):
    # `uni/tn-a` is no ancestor of `uni/tn-ab`, nor of `uni/x-[uni/tn-a/...]`
    dn_a = join_dn(a)
    dn_b = join_dn(b)
    expected = len(b) > len(a) and b[: len(a)] == a
    assert is_ancestor(dn_a, dn_b) == expected


def test_slash_inside_brackets_is_no_ancestor_separator():
    # the '/' after "uni/x-[uni" sits inside a bracketed value
    assert not is_ancestor("uni/x-[uni", "uni/x-[uni/tn-a]")
    assert not is_ancestor("uni/tn-a", "uni/tn-ab")


def test_nested_brackets_split():
    dn = "uni/tn-a/ap-b/epg-c/rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]]"
    assert split_dn(dn) == [
        "uni",
        "tn-a",
        "ap-b",
        "epg-c",
        "rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]]",
    ]
    assert rn_of(dn) == "rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]]"
    assert parent_dn(dn) == "uni/tn-a/ap-b/epg-c"


def test_top_level_dn_has_empty_parent():
    assert parent_dn("uni") == ""
    assert rn_of("uni") == "uni"
    assert split_dn("") == []
    assert child_dn("", "uni") == "uni"


@given(RNS)
def test_percent_encoded_dn_decodes(rns):
    dn = join_dn(rns)
    assert decode_dn(quote(dn, safe="")) == dn
    assert decode_dn(quote(dn, safe="/")) == dn
    assert decode_dn(dn) == dn  # raw brackets come through unchanged


def test_percent_encoded_brackets():
    assert (
        decode_dn("uni/tn-a/ap-b/epg-c/rsdomAtt-%5Buni%2Fvmmp-Redhat%2Fdom-x%5D")
        == "uni/tn-a/ap-b/epg-c/rsdomAtt-[uni/vmmp-Redhat/dom-x]"
    )


@pytest.mark.parametrize(
    "dn",
    [
        "uni/rsdomAtt-[uni/vmmp-Redhat/dom-x",
        "uni/rsdomAtt-uni/vmmp-Redhat/dom-x]",
        "uni/tn-a]",
        "uni/x-[[a]",
        "uni/x-[a]]/y-[b",
        "uni/tn-a/rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]",
    ],
)
def test_unbalanced_brackets_raise(dn):
    with pytest.raises(DnError):
        split_dn(dn)


@pytest.mark.parametrize("dn", ["uni//tn-a", "/uni", "uni/", "uni/tn-a/"])
def test_empty_rn_raises(dn):
    with pytest.raises(DnError):
        split_dn(dn)


# --------------------------------------------------------------------------------------------------
# RN formats

# values for a bracketed slot: plain words or DNs (with '/', dashes, dots, nested brackets)
BRACKET_VALUE = st.one_of(WORD, DN_VALUE)


@given(name=BRACKET_VALUE, mode=WORD)
def test_vlanns_round_trip(name, mode):
    fmt = compile_rn_format("vlanns-[{name}]-{allocMode}")
    rn = fmt.format({"name": name, "allocMode": mode})
    assert rn == f"vlanns-[{name}]-{mode}"
    assert fmt.parse(rn) == {"name": name, "allocMode": mode}
    assert fmt.format(fmt.parse(rn)) == rn


@given(lo=BRACKET_VALUE, hi=BRACKET_VALUE)
def test_encap_block_round_trip(lo, hi):
    fmt = compile_rn_format("from-[{from}]-to-[{to}]")
    rn = fmt.format({"from": lo, "to": hi})
    parsed = fmt.parse(rn)
    assert parsed is not None
    assert fmt.format(parsed) == rn


@given(lo=WORD, hi=WORD)
def test_encap_block_values_round_trip(lo, hi):
    fmt = compile_rn_format("from-[{from}]-to-[{to}]")
    assert fmt.parse(fmt.format({"from": lo, "to": hi})) == {"from": lo, "to": hi}


@given(tdn=DN_VALUE)
def test_rsdomatt_round_trip(tdn):
    fmt = compile_rn_format("rsdomAtt-[{tDn}]")
    rn = fmt.format({"tDn": tdn})
    assert fmt.parse(rn) == {"tDn": tdn}
    assert fmt.format(fmt.parse(rn)) == rn


@given(dom=BRACKET_VALUE, name=WORD)
def test_comp_ctrlr_round_trip(dom, name):
    fmt = compile_rn_format("ctrlr-[{domName}]-{name}")
    rn = fmt.format({"domName": dom, "name": name})
    assert fmt.parse(rn) == {"domName": dom, "name": name}
    assert fmt.format(fmt.parse(rn)) == rn


@given(name=WORD)
def test_tenant_round_trip(name):
    fmt = compile_rn_format("tn-{name}")
    assert fmt.parse(f"tn-{name}") == {"name": name}
    assert fmt.format({"name": name}) == f"tn-{name}"


def test_rn_format_metadata():
    fmt = compile_rn_format("vlanns-[{name}]-{allocMode}")
    assert fmt.props == ("name", "allocMode")
    assert fmt.literal_prefix == "vlanns-"
    assert compile_rn_format("from-[{from}]-to-[{to}]").literal_prefix == "from-"
    assert compile_rn_format("tn-{name}").literal_prefix == "tn-"
    fixed = compile_rn_format("rsctx")
    assert fixed.props == ()
    assert fixed.parse("rsctx") == {}
    assert fixed.parse("rsctx2") is None


@pytest.mark.parametrize(
    "text, rn",
    [
        ("tn-{name}", "tn-"),  # empty naming value
        ("tn-{name}", "ap-x"),
        ("vlanns-[{name}]-{allocMode}", "vlanns-[p]"),
        ("vlanns-[{name}]-{allocMode}", "vlanns-[]-static"),
        ("from-[{from}]-to-[{to}]", "from-[vlan-1]-to-vlan-2"),
        ("rsdomAtt-[{tDn}]", "rsdomAtt-uni/phys-x"),
    ],
)
def test_rn_that_does_not_fit_parses_to_none(text, rn):
    assert compile_rn_format(text).parse(rn) is None


# --------------------------------------------------------------------------------------------------
# Resolution against the catalog


@pytest.fixture(scope="module")
def catalog():
    return default_catalog()


def _classes(path):
    return [meta.name for meta, _rn, _values in path]


def test_resolve_epg_domain_attachment(catalog):
    path = catalog.resolve_dn("uni/tn-a/ap-b/epg-c/rsdomAtt-[uni/vmmp-Redhat/dom-x]")
    assert _classes(path) == ["polUni", "fvTenant", "fvAp", "fvAEPg", "fvRsDomAtt"]
    assert path[1][2] == {"name": "a"}
    assert path[-1][1] == "rsdomAtt-[uni/vmmp-Redhat/dom-x]"
    assert path[-1][2] == {"tDn": "uni/vmmp-Redhat/dom-x"}


def test_resolve_static_path(catalog):
    path = catalog.resolve_dn("uni/tn-a/ap-b/epg-c/rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]]")
    assert _classes(path)[-1] == "fvRsPathAtt"
    assert path[-1][2] == {"tDn": "topology/pod-1/paths-101/pathep-[eth1/1]"}


def test_resolve_vlan_pool_block(catalog):
    path = catalog.resolve_dn("uni/infra/vlanns-[pool]-dynamic/from-[vlan-1]-to-[vlan-9]")
    assert _classes(path) == ["polUni", "infraInfra", "fvnsVlanInstP", "fvnsEncapBlk"]
    assert path[2][2] == {"name": "pool", "allocMode": "dynamic"}
    assert path[3][2] == {"from": "vlan-1", "to": "vlan-9"}


def test_resolve_fabric_node_system(catalog):
    path = catalog.resolve_dn("topology/pod-1/node-101/sys")
    assert _classes(path) == ["fabricTopology", "fabricPod", "fabricNode", "topSystem"]
    assert path[1][2] == {"id": "1"}
    assert path[2][2] == {"id": "101"}
    assert path[3][2] == {}


def test_resolve_comp_controller(catalog):
    path = catalog.resolve_dn("comp/prov-Redhat/ctrlr-[rhv-dom]-rhvm")
    assert _classes(path) == ["compUni", "compProv", "compCtrlr"]
    assert path[-1][2] == {"domName": "rhv-dom", "name": "rhvm"}


def test_class_of_dn(catalog):
    assert catalog.class_of_dn("uni/tn-a").name == "fvTenant"
    assert catalog.class_of_dn("").name == "topRoot"
    assert catalog.class_of_dn("uni/tn-a/bogus-x") is None


def test_wrong_rn_prefix_text(catalog):
    with pytest.raises(DnError) as exc:
        catalog.resolve_dn("uni/tn-a/ap-b/epgx-c")
    assert str(exc.value).startswith("Invalid DN uni/tn-a/ap-b/epgx-c, wrong rn prefix epgx-c at position ")


def test_wrong_rn_prefix_position_of_last_rn(catalog):
    # Real DME text (NX-OS, same object framework as APIC):
    #   "Invalid DN sys/isis/inst, wrong rn prefix inst at position 13"
    # i.e. for a bad last RN the position is the offset just past it (len("sys/isis/inst") == 13),
    # not where it starts (9).
    with pytest.raises(DnError) as exc:
        catalog.resolve_dn("uni/tn-a/xyz-b")
    assert str(exc.value) == "Invalid DN uni/tn-a/xyz-b, wrong rn prefix xyz-b at position 14"


def test_wrong_rn_prefix_with_bracketed_value(catalog):
    with pytest.raises(DnError) as exc:
        catalog.resolve_dn("uni/tn-a/ap-b/epg-c/rsdomAttx-[uni/phys-x]")
    assert "wrong rn prefix rsdomAttx-[uni/phys-x] at position" in str(exc.value)


def test_is_a_uses_superclasses(catalog):
    assert catalog.is_a("fvTenant", "fvTenant")
    assert catalog.is_a("fvTenant", "polDom")
    assert catalog.is_a("vmmDomP", "infraDomP")
    assert not catalog.is_a("fvTenant", "fvBD")
    assert not catalog.is_a("polDom", "fvTenant")


def test_child_for_rn(catalog):
    uni = catalog.get("polUni")
    meta, values = uni.child_for_rn("tn-x")
    assert meta.name == "fvTenant" and values == {"name": "x"}
    infra = catalog.get("infraInfra")
    meta, values = infra.child_for_rn("vlanns-[p]-static")
    assert meta.name == "fvnsVlanInstP" and values == {"name": "p", "allocMode": "static"}
    assert uni.child_for_rn("nosuch-x") is None
