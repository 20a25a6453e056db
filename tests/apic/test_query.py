"""APIC reads (simulator.apic.query) through the model: Query.from_params + QueryEngine.

Real-APIC references: ../shared/research/apic-rest.md §2.2-§2.4.
"""

from __future__ import annotations

import pytest

from simulator.apic.errors import ApicError
from simulator.apic.mit.proposed import proposed_mo
from simulator.apic.query import Query
from simulator.apic.service import Apic

HOUSEKEEPING = {"modTs", "status", "uid", "childAction", "lcOwn", "monPolDn"}


@pytest.fixture(scope="module")
def apic() -> Apic:
    """A controller with one configured tenant `q`; the tests only read it."""
    a = Apic()
    body = {
        "fvTenant": {
            "attributes": {"name": "q", "descr": "query tenant"},
            "children": [
                {"fvCtx": {"attributes": {"name": "v"}}},
                {"fvBD": {"attributes": {"name": "b1", "arpFlood": "yes"}}},
                {"fvBD": {"attributes": {"name": "b3"}}},
                {"fvBD": {"attributes": {"name": "b2", "descr": "second"}}},
                {
                    "fvAp": {
                        "attributes": {"name": "p"},
                        "children": [
                            {
                                "fvAEPg": {
                                    "attributes": {"name": "e1"},
                                    "children": [{"fvRsBd": {"attributes": {"tnFvBDName": "b1"}}}],
                                }
                            },
                            {"fvAEPg": {"attributes": {"name": "e2"}}},
                        ],
                    }
                },
            ],
        }
    }
    a.writer.post("uni", proposed_mo(body))
    return a


def params(**kw: str) -> list[tuple[str, str]]:
    return [(k.replace("_", "-"), v) for k, v in kw.items()]


def mo_query(apic: Apic, dn: str, *extra: tuple[str, str], **kw: str):
    q = Query.from_params(params(**kw) + list(extra), apic.catalog)
    return apic.queries.mo_query(dn, q)


def class_query(apic: Apic, cls: str, *extra: tuple[str, str], scope: str | None = None, **kw: str):
    q = Query.from_params(params(**kw) + list(extra), apic.catalog)
    return apic.queries.class_query(cls, q, scope=scope)


def node(entry: dict) -> tuple[str, dict, list]:
    ((cls, body),) = entry.items()
    return cls, body["attributes"], body.get("children", [])


def dns_of(imdata: list[dict]) -> list[str]:
    return [node(e)[1]["dn"] for e in imdata]


def rns_of(children: list[dict]) -> list[str]:
    return [node(e)[1]["rn"] for e in children]


# --------------------------------------------------------------------------------------------------
# query-target


def test_self(apic):
    imdata, total = mo_query(apic, "uni/tn-q")
    assert total == 1 and len(imdata) == 1
    cls, attrs, children = node(imdata[0])
    assert cls == "fvTenant"
    assert attrs["dn"] == "uni/tn-q"
    assert "rn" not in attrs  # top-level objects carry dn, not rn
    assert attrs["name"] == "q" and attrs["descr"] == "query tenant"
    assert children == []
    assert list(attrs) == sorted(attrs)  # alphabetical, as APIC prints them
    assert all(isinstance(v, str) for v in attrs.values())


def test_absent_dn_is_empty_not_error(apic):
    assert mo_query(apic, "uni/tn-nope") == ([], 0)


def test_children(apic):
    imdata, total = mo_query(apic, "uni/tn-q", query_target="children")
    assert total == len(imdata)
    assert set(dns_of(imdata)) == {
        "uni/tn-q/ctx-v",
        "uni/tn-q/BD-b1",
        "uni/tn-q/BD-b2",
        "uni/tn-q/BD-b3",
        "uni/tn-q/ap-p",
        "uni/tn-q/eptags",
        "uni/tn-q/rsTenantMonPol",
        "uni/tn-q/svcCont",
    }


def test_children_with_target_subtree_class(apic):
    imdata, total = mo_query(apic, "uni/tn-q", query_target="children", target_subtree_class="fvBD")
    assert sorted(dns_of(imdata)) == ["uni/tn-q/BD-b1", "uni/tn-q/BD-b2", "uni/tn-q/BD-b3"]
    assert total == 3
    assert all(node(e)[0] == "fvBD" for e in imdata)


def test_subtree_includes_self_and_descendants(apic):
    imdata, total = mo_query(apic, "uni/tn-q", query_target="subtree")
    found = set(dns_of(imdata))
    assert "uni/tn-q" in found
    assert "uni/tn-q/ap-p/epg-e1/rsbd" in found
    assert "uni/tn-q/BD-b1/rsctx" in found
    assert found == {mo.dn for mo in apic.store.subtree(apic.store.get("uni/tn-q"))}
    assert total == len(found)


def test_subtree_with_classes(apic):
    imdata, _ = mo_query(apic, "uni/tn-q", query_target="subtree", target_subtree_class="fvAEPg")
    assert sorted(dns_of(imdata)) == ["uni/tn-q/ap-p/epg-e1", "uni/tn-q/ap-p/epg-e2"]
    imdata, _ = mo_query(apic, "uni/tn-q", query_target="subtree", target_subtree_class="fvTenant,fvCtx")
    assert sorted(dns_of(imdata)) == ["uni/tn-q", "uni/tn-q/ctx-v"]


def test_repeated_target_subtree_class_accumulates(apic):
    imdata, _ = mo_query(apic, "uni/tn-q", ("target-subtree-class", "fvRsBd"),
                         ("target-subtree-class", "fvCtx"), query_target="subtree")
    assert sorted(dns_of(imdata)) == ["uni/tn-q/ap-p/epg-e1/rsbd", "uni/tn-q/ctx-v"]


def test_target_subtree_class_matches_superclass(apic):
    assert "fvEPg" in apic.catalog.get("fvAEPg").superclasses
    imdata, _ = mo_query(apic, "uni/tn-q", query_target="subtree", target_subtree_class="fvEPg")
    assert sorted(dns_of(imdata)) == ["uni/tn-q/ap-p/epg-e1", "uni/tn-q/ap-p/epg-e2"]


def test_duplicated_parameter_last_wins(apic):
    imdata, _ = mo_query(apic, "uni/tn-q", ("query-target", "children"), ("query-target", "self"))
    assert dns_of(imdata) == ["uni/tn-q"]


def test_query_target_filter(apic):
    imdata, total = mo_query(apic, "uni/tn-q", query_target="children", target_subtree_class="fvBD",
                             query_target_filter='eq(fvBD.arpFlood,"yes")')
    assert dns_of(imdata) == ["uni/tn-q/BD-b1"]
    assert total == 1


def test_class_query_with_filter(apic):
    imdata, total = class_query(apic, "fvTenant", query_target_filter='eq(fvTenant.name,"q")')
    assert dns_of(imdata) == ["uni/tn-q"]
    assert total == 1
    imdata, _ = class_query(
        apic, "fvBD", query_target_filter='and(wcard(fvBD.dn,"tn-q/"),ne(fvBD.name,"b1"))'
    )
    assert sorted(dns_of(imdata)) == ["uni/tn-q/BD-b2", "uni/tn-q/BD-b3"]


def test_class_query_covers_subclasses_of_abstract_class(apic):
    imdata, _ = class_query(apic, "fvEPg")
    found = set(dns_of(imdata))
    assert {"uni/tn-q/ap-p/epg-e1", "uni/tn-q/ap-p/epg-e2", "uni/tn-infra/ap-access/epg-default"} <= found
    assert {node(e)[0] for e in imdata} == {"fvAEPg"}


def test_scoped_class_query(apic):
    imdata, total = class_query(apic, "fvBD", scope="uni/tn-q")
    assert sorted(dns_of(imdata)) == ["uni/tn-q/BD-b1", "uni/tn-q/BD-b2", "uni/tn-q/BD-b3"]
    assert total == 3
    imdata, _ = class_query(apic, "topSystem", scope="topology/pod-1")
    assert len(imdata) == 7  # controller 1, spines 201-202, leaves 101-104


def test_class_query_with_subtree_target(apic):
    imdata, _ = class_query(apic, "fvAp", query_target="subtree", target_subtree_class="fvRsBd")
    assert "uni/tn-q/ap-p/epg-e1/rsbd" in dns_of(imdata)
    assert all(node(e)[0] == "fvRsBd" for e in imdata)


# --------------------------------------------------------------------------------------------------
# rsp-subtree


def test_rsp_subtree_children(apic):
    imdata, total = mo_query(apic, "uni/tn-q", rsp_subtree="children")
    assert total == 1
    _, attrs, children = node(imdata[0])
    assert attrs["dn"] == "uni/tn-q"
    assert set(rns_of(children)) == {
        "ctx-v",
        "BD-b1",
        "BD-b2",
        "BD-b3",
        "ap-p",
        "eptags",
        "rsTenantMonPol",
        "svcCont",
    }
    for child in children:
        _, cattrs, grandchildren = node(child)
        assert "dn" not in cattrs  # nested objects carry rn, not dn
        assert grandchildren == []  # children only, no deeper


def test_rsp_subtree_children_with_class(apic):
    imdata, _ = mo_query(apic, "uni/tn-q", rsp_subtree="children", rsp_subtree_class="fvBD")
    _, _, children = node(imdata[0])
    assert sorted(rns_of(children)) == ["BD-b1", "BD-b2", "BD-b3"]


def test_rsp_subtree_full(apic):
    imdata, _ = mo_query(apic, "uni/tn-q/ap-p", rsp_subtree="full")
    _, attrs, children = node(imdata[0])
    assert attrs["dn"] == "uni/tn-q/ap-p"
    epgs = {node(c)[1]["rn"]: node(c) for c in children}
    assert set(epgs) == {"epg-e1", "epg-e2"}
    e1_children = rns_of(epgs["epg-e1"][2])
    assert set(e1_children) == {"rsbd", "rscustQosPol"}


def test_rsp_subtree_full_with_class_keeps_only_branches_leading_to_it(apic):
    imdata, _ = mo_query(apic, "uni/tn-q", rsp_subtree="full", rsp_subtree_class="fvRsBd")
    _, _, children = node(imdata[0])
    assert rns_of(children) == ["ap-p"]
    (ap,) = children
    assert rns_of(node(ap)[2]) == ["epg-e1"]
    (epg,) = node(ap)[2]
    assert rns_of(node(epg)[2]) == ["rsbd"]
    _, rsbd, _ = node(node(epg)[2][0])
    assert rsbd["tnFvBDName"] == "b1"


def test_rsp_subtree_filter(apic):
    # ansible looks an EPG up this way: rsp-subtree-filter on the nested objects
    imdata, _ = mo_query(apic, "uni/tn-q", rsp_subtree="children", rsp_subtree_filter='eq(fvBD.name,"b2")')
    _, _, children = node(imdata[0])
    assert rns_of(children) == ["BD-b2"]
    assert node(children[0])[1]["descr"] == "second"


def test_rsp_subtree_children_under_class_query(apic):
    imdata, _ = class_query(apic, "fvTenant", query_target_filter='eq(fvTenant.name,"q")',
                            rsp_subtree="children", rsp_subtree_class="fvCtx")
    _, attrs, children = node(imdata[0])
    assert attrs["dn"] == "uni/tn-q"
    assert rns_of(children) == ["ctx-v"]


# --------------------------------------------------------------------------------------------------
# rsp-subtree-include


def test_include_count(apic):
    imdata, total = class_query(apic, "fvBD", rsp_subtree_include="count")
    assert total == 1
    cls, attrs, _ = node(imdata[0])
    assert cls == "moCount"
    assert attrs["count"] == str(len(list(apic.store.of_class("fvBD"))))
    imdata, _ = class_query(
        apic, "fvBD", query_target_filter='wcard(fvBD.dn,"uni/tn-q/")', rsp_subtree_include="count"
    )
    assert node(imdata[0])[1]["count"] == "3"


def test_include_count_of_children(apic):
    imdata, _ = mo_query(
        apic, "uni/tn-q", query_target="children", target_subtree_class="fvBD", rsp_subtree_include="count"
    )
    assert node(imdata[0])[1]["count"] == "3"


def test_include_required(apic):
    # only tenants that really hold a BD: common, infra and q (not mgmt)
    imdata, total = class_query(
        apic, "fvTenant", rsp_subtree="children", rsp_subtree_class="fvBD", rsp_subtree_include="required"
    )
    assert sorted(dns_of(imdata)) == ["uni/tn-common", "uni/tn-infra", "uni/tn-q"]
    assert total == 3
    for entry in imdata:
        assert {node(c)[0] for c in node(entry)[2]} == {"fvBD"}


def test_include_no_scoped(apic):
    imdata, total = mo_query(
        apic, "uni/tn-q", rsp_subtree="children", rsp_subtree_class="fvBD", rsp_subtree_include="no-scoped"
    )
    assert sorted(dns_of(imdata)) == ["uni/tn-q/BD-b1", "uni/tn-q/BD-b2", "uni/tn-q/BD-b3"]
    assert total == 3


def test_include_relations(apic):
    imdata, _ = mo_query(apic, "uni/tn-q/ap-p/epg-e1", rsp_subtree_include="relations")
    found = dns_of(imdata)
    assert found[0] == "uni/tn-q/ap-p/epg-e1"
    assert "uni/tn-q/BD-b1" in found  # fvRsBd target
    assert "uni/tn-common/qoscustom-default" in found  # fvRsCustQosPol default target
    assert len(found) == len(set(found))


def test_unknown_include_is_rejected(apic):
    with pytest.raises(ApicError) as exc:
        mo_query(apic, "uni/tn-q", rsp_subtree_include="bogus")
    assert exc.value.http_status == 400


# --------------------------------------------------------------------------------------------------
# rsp-prop-include


def test_prop_include_all_has_housekeeping(apic):
    imdata, _ = mo_query(apic, "uni/tn-q/BD-b1")
    _, attrs, _ = node(imdata[0])
    assert HOUSEKEEPING - {"monPolDn"} <= set(attrs)
    assert attrs["status"] == ""
    assert attrs["lcOwn"] == "local"
    assert attrs["arpFlood"] == "yes"
    assert attrs["unkMacUcastAct"] == "proxy"


def test_prop_include_naming_only(apic):
    imdata, _ = mo_query(
        apic, "uni/tn-q", rsp_subtree="children", rsp_subtree_class="fvBD", rsp_prop_include="naming-only"
    )
    _, attrs, children = node(imdata[0])
    assert attrs == {"dn": "uni/tn-q", "name": "q"}
    for child in children:
        _, cattrs, _ = node(child)
        assert set(cattrs) == {"rn", "name"}


def test_prop_include_config_only(apic):
    imdata, _ = mo_query(
        apic, "uni/tn-q", rsp_subtree="children", rsp_subtree_class="fvBD", rsp_prop_include="config-only"
    )
    _, attrs, children = node(imdata[0])
    assert attrs["dn"] == "uni/tn-q"
    assert attrs["name"] == "q" and attrs["descr"] == "query tenant"
    assert not HOUSEKEEPING & set(attrs)
    assert "rn" not in attrs
    for child in children:
        _, cattrs, _ = node(child)
        assert "rn" in cattrs and "dn" not in cattrs
        assert not HOUSEKEEPING & set(cattrs)
        assert "arpFlood" in cattrs
        assert "configIssues" not in cattrs  # operational


def test_secure_properties_never_shown(apic):
    imdata, _ = mo_query(apic, "uni/userext/user-admin")
    _, attrs, _ = node(imdata[0])
    assert attrs["name"] == "admin"
    assert "pwd" not in attrs


# --------------------------------------------------------------------------------------------------
# order-by and paging


def test_order_by(apic):
    imdata, _ = class_query(apic, "fvBD", scope="uni/tn-q", order_by="fvBD.name|asc")
    assert dns_of(imdata) == ["uni/tn-q/BD-b1", "uni/tn-q/BD-b2", "uni/tn-q/BD-b3"]
    imdata, _ = class_query(apic, "fvBD", scope="uni/tn-q", order_by="fvBD.name|desc")
    assert dns_of(imdata) == ["uni/tn-q/BD-b3", "uni/tn-q/BD-b2", "uni/tn-q/BD-b1"]
    imdata, _ = class_query(apic, "fvBD", scope="uni/tn-q", order_by="fvBD.name")
    assert dns_of(imdata) == ["uni/tn-q/BD-b1", "uni/tn-q/BD-b2", "uni/tn-q/BD-b3"]


def test_order_by_numeric_values(apic):
    imdata, _ = class_query(apic, "fabricNode", order_by="fabricNode.id|asc")
    ids = [node(e)[1]["id"] for e in imdata]
    assert ids == ["1", "101", "102", "103", "104", "201", "202"]
    imdata, _ = class_query(apic, "fabricNode", order_by="fabricNode.id|desc")
    assert [node(e)[1]["id"] for e in imdata] == ["202", "201", "104", "103", "102", "101", "1"]


def test_order_by_two_keys(apic):
    imdata, _ = class_query(apic, "fabricNode", order_by="fabricNode.role|asc,fabricNode.id|desc")
    pairs = [(node(e)[1]["role"], node(e)[1]["id"]) for e in imdata]
    assert pairs == [
        ("controller", "1"),
        ("leaf", "104"),
        ("leaf", "103"),
        ("leaf", "102"),
        ("leaf", "101"),
        ("spine", "202"),
        ("spine", "201"),
    ]


def test_paging_counts_before_paging(apic):
    full, total = class_query(apic, "fabricNode", order_by="fabricNode.id|asc")
    assert total == 7
    pages = []
    for page in range(4):
        imdata, ptotal = class_query(
            apic, "fabricNode", order_by="fabricNode.id|asc", page=str(page), page_size="2"
        )
        assert ptotal == 7  # totalCount is the total before paging
        pages.append(imdata)
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert [e for p in pages for e in p] == full
    beyond, btotal = class_query(apic, "fabricNode", order_by="fabricNode.id|asc", page="9", page_size="2")
    assert beyond == [] and btotal == 7


def test_page_size_alone_is_first_page(apic):
    imdata, total = class_query(apic, "fabricNode", order_by="fabricNode.id|asc", page_size="3")
    assert [node(e)[1]["id"] for e in imdata] == ["1", "101", "102"]
    assert total == 7


def test_paging_after_filter(apic):
    imdata, total = class_query(apic, "fabricNode", query_target_filter='eq(fabricNode.role,"leaf")',
                                order_by="fabricNode.id|asc", page="1", page_size="3")
    assert [node(e)[1]["id"] for e in imdata] == ["104"]
    assert total == 4


@pytest.mark.parametrize(
    "kw",
    [
        {"page": "0"},  # page without page-size
        {"page_size": "0"},
        {"page_size": "x"},
        {"page": "-1", "page_size": "2"},
        {"query_target": "everything"},
        {"rsp_subtree": "some"},
        {"rsp_prop_include": "most"},
        {"order_by": "fabricNode.id|sideways"},
        {"order_by": "fabricNode"},
    ],
)
def test_bad_option_values_are_400(apic, kw):
    with pytest.raises(ApicError) as exc:
        class_query(apic, "fabricNode", **kw)
    assert exc.value.http_status == 400


# --------------------------------------------------------------------------------------------------
# errors


def test_unknown_class_in_class_query(apic):
    with pytest.raises(ApicError) as exc:
        class_query(apic, "fvTenantt")
    assert exc.value.http_status == 400
    assert exc.value.text == "Request failed, unresolved class for fvTenantt"


@pytest.mark.parametrize(
    "kw",
    [
        {"query_target": "subtree", "target_subtree_class": "fvBDx"},
        {"rsp_subtree": "children", "rsp_subtree_class": "fvBDx"},
        {"order_by": "fvBDx.name|asc"},
    ],
)
def test_unknown_class_in_options(apic, kw):
    with pytest.raises(ApicError) as exc:
        mo_query(apic, "uni/tn-q", **kw)
    assert exc.value.http_status == 400
    assert exc.value.text == "Request failed, unresolved class for fvBDx"


@pytest.mark.parametrize(
    "flt",
    ['eq(fvBD.name,"b1"', "eq(fvBD.name)", 'bogus(fvBD.name,"x")', 'eq(name,"x")', "", "and("],
)
def test_bad_filter_is_apic_error(apic, flt):
    if not flt:
        # an empty filter means no filter
        imdata, _ = mo_query(apic, "uni/tn-q", query_target_filter=flt)
        assert dns_of(imdata) == ["uni/tn-q"]
        return
    with pytest.raises(ApicError) as exc:
        mo_query(apic, "uni/tn-q", query_target="children", query_target_filter=flt)
    assert exc.value.http_status == 400
    with pytest.raises(ApicError):
        mo_query(apic, "uni/tn-q", rsp_subtree="children", rsp_subtree_filter=flt)
