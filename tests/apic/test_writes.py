"""POST/DELETE semantics of the model (simulator.apic.mit.writes) through `Apic().writer`.

Real-APIC references: ../shared/research/apic-rest.md §3 (status values, implicit creation,
error catalogue) and §5 (defaults, implicit children).
"""

from __future__ import annotations

import pytest

from simulator.apic.errors import ApicError
from simulator.apic.mit.proposed import proposed_mo
from simulator.apic.service import Apic
from simulator.clock import ManualClock
from simulator.persist.document import apic_rows


def tree_rows(store) -> list:
    """The tree as [dn, class, attrs] rows, parents first: what a test compares before and after."""
    with store.lock:
        return apic_rows(store)

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.fixture
def apic() -> Apic:
    return Apic(clock=ManualClock(T0))


def post(apic: Apic, dn: str, body: dict):
    return apic.writer.post(dn, proposed_mo(body))


def tenant(name: str, *children: dict, **attrs: str) -> dict:
    return {"fvTenant": {"attributes": {"name": name, **attrs}, "children": list(children)}}


def mo(cls: str, *children: dict, **attrs: str) -> dict:
    body: dict = {"attributes": attrs}
    if children:
        body["children"] = list(children)
    return {cls: body}


def fails(apic: Apic, dn: str, body: dict) -> ApicError:
    """Post a body that must be rejected; the tree must not change and nobody hears of it."""
    before = tree_rows(apic.store)
    heard: list = []
    apic.store.subscribe(heard.append)
    try:
        with pytest.raises(ApicError) as exc:
            post(apic, dn, body)
    finally:
        apic.store.unsubscribe(heard.append)
    assert tree_rows(apic.store) == before
    assert heard == []
    assert exc.value.http_status == 400
    return exc.value


def kinds(result) -> list[tuple[str, str]]:
    return [(e.kind, e.dn) for e in result.events]


# --------------------------------------------------------------------------------------------------
# status


def test_create_with_status_created(apic):
    result = post(apic, "uni", tenant("a", status="created"))
    assert ("created", "uni/tn-a") in kinds(result)
    assert apic.store.get("uni/tn-a").cls == "fvTenant"


def test_created_on_existing_is_error_103(apic):
    post(apic, "uni", tenant("a"))
    err = fails(apic, "uni", tenant("a", status="created"))
    assert err.code == "103"
    assert "uni/tn-a" in err.text


def test_created_on_existing_child_is_error_103(apic):
    post(apic, "uni", tenant("a", mo("fvBD", name="b")))
    err = fails(apic, "uni", tenant("a", mo("fvBD", name="b", status="created")))
    assert err.code == "103"


def test_modified_on_missing_is_error(apic):
    err = fails(apic, "uni", tenant("nope", descr="x", status="modified"))
    assert err.code == "102"
    assert "uni/tn-nope" in err.text


def test_modified_on_existing_changes_it(apic):
    post(apic, "uni", tenant("a"))
    result = post(apic, "uni", tenant("a", descr="hello", status="modified"))
    assert kinds(result) == [("modified", "uni/tn-a")]
    assert result.events[0].changed["descr"] == "hello"
    assert apic.store.get("uni/tn-a").get("descr") == "hello"


@pytest.mark.parametrize("status", ["created,modified", "created, modified", "modified,created", ""])
def test_upsert_statuses(apic, status):
    attrs = {"status": status} if status else {}
    first = post(apic, "uni", tenant("a", descr="one", **attrs))
    assert ("created", "uni/tn-a") in kinds(first)
    second = post(apic, "uni", tenant("a", descr="two", **attrs))
    assert kinds(second) == [("modified", "uni/tn-a")]
    assert apic.store.get("uni/tn-a").get("descr") == "two"


def test_bad_status_value_is_rejected(apic):
    err = fails(apic, "uni", tenant("a", status="bogus"))
    assert err.code == "120"


def test_deleted_removes_subtree(apic):
    post(apic, "uni", tenant("a", mo("fvAp", mo("fvAEPg", name="e"), name="p"), mo("fvBD", name="b")))
    result = post(apic, "uni", tenant("a", mo("fvAp", name="p", status="deleted")))
    assert ("deleted", "uni/tn-a/ap-p") in kinds(result)
    assert ("deleted", "uni/tn-a/ap-p/epg-e") in kinds(result)
    for dn in list(apic.store.by_dn):
        assert not dn.startswith("uni/tn-a/ap-p")
    assert "uni/tn-a/BD-b" in apic.store
    assert list(apic.store.of_class("fvAEPg")) == [apic.store.get("uni/tn-infra/ap-access/epg-default")]


def test_deleted_tenant_by_dn_attribute(apic):
    post(apic, "uni", tenant("a", mo("fvBD", name="b")))
    result = post(apic, "", mo("fvTenant", dn="uni/tn-a", status="deleted"))
    assert ("deleted", "uni/tn-a") in kinds(result)
    assert not [dn for dn in apic.store.by_dn if dn.startswith("uni/tn-a")]


def test_deleted_when_absent_is_fine(apic):
    before = tree_rows(apic.store)
    result = post(apic, "uni", tenant("common", mo("fvBD", name="nope", status="deleted")))
    assert result.events == []
    assert tree_rows(apic.store) == before


def test_deleted_when_absent_does_not_create_ancestors(apic):
    # terraform deletes with {"dn": ..., "status": "deleted"} and relies on an absent target being
    # a no-op; the delete must not leave the target's missing parents behind
    before = tree_rows(apic.store)
    result = post(apic, "", mo("fvAp", dn="uni/tn-ghost/ap-p", status="deleted"))
    assert result.events == []
    assert "uni/tn-ghost" not in apic.store
    assert tree_rows(apic.store) == before


def test_delete_then_recreate_in_one_payload(apic):
    post(apic, "uni", tenant("a", mo("fvBD", name="b", arpFlood="yes")))
    post(apic, "uni", tenant("a", mo("fvBD", name="b", status="deleted"), mo("fvBD", name="b")))
    bd = apic.store.get("uni/tn-a/BD-b")
    assert bd is not None
    assert bd.get("arpFlood") == "no"
    assert "uni/tn-a/BD-b/rsctx" in apic.store


def test_writer_delete(apic):
    post(apic, "uni", tenant("a", mo("fvBD", name="b")))
    result = apic.writer.delete("uni/tn-a")
    assert ("deleted", "uni/tn-a") in kinds(result)
    assert ("deleted", "uni/tn-a/BD-b") in kinds(result)
    assert not [dn for dn in apic.store.by_dn if dn.startswith("uni/tn-a")]
    # absent: fine, nothing happens
    assert apic.writer.delete("uni/tn-a").events == []


def test_writer_delete_of_malformed_dn(apic):
    with pytest.raises(ApicError) as exc:
        apic.writer.delete("uni/tn-a/bogus-x")
    assert exc.value.http_status == 400
    assert exc.value.text.startswith("Invalid DN uni/tn-a/bogus-x, wrong rn prefix bogus-x at position")


# --------------------------------------------------------------------------------------------------
# defaults, housekeeping, implicit children, ancestors


def test_defaults_filled_on_create(apic):
    post(
        apic,
        "uni",
        tenant(
            "a", mo("fvBD", name="b"), mo("fvCtx", name="v"), mo("fvAp", mo("fvAEPg", name="e"), name="p")
        ),
    )
    bd = apic.store.get("uni/tn-a/BD-b")
    assert bd.get("arpFlood") == "no"
    assert bd.get("unkMacUcastAct") == "proxy"
    assert bd.get("unicastRoute") == "yes"
    assert bd.get("mac") == "00:22:BD:F8:19:FF"
    assert apic.store.get("uni/tn-a/ctx-v").get("pcEnfPref") == "enforced"
    assert apic.store.get("uni/tn-a/ap-p/epg-e").get("pcEnfPref") == "unenforced"
    assert apic.store.get("uni/tn-a").get("descr") == ""


def test_housekeeping_on_create(apic):
    post(apic, "uni", tenant("a"))
    t = apic.store.get("uni/tn-a")
    assert t.get("modTs") == "2026-01-01T00:00:00.000+00:00"
    assert t.get("uid") == "15374"
    assert t.get("name") == "a"
    assert t.get("dn") == "uni/tn-a"


def test_modts_moves_on_change_only(apic):
    post(apic, "uni", tenant("a"))
    apic.clock.advance(60)
    post(apic, "uni", tenant("a"))
    assert apic.store.get("uni/tn-a").get("modTs") == "2026-01-01T00:00:00.000+00:00"
    post(apic, "uni", tenant("a", descr="x"))
    assert apic.store.get("uni/tn-a").get("modTs") == "2026-01-01T00:01:00.000+00:00"


def test_implicit_children_of_a_tenant(apic):
    result = post(apic, "uni", tenant("a"))
    children = {c.rn: c.cls for c in apic.store.children("uni/tn-a")}
    assert children == {"eptags": "fvEpTags", "rsTenantMonPol": "fvRsTenantMonPol", "svcCont": "vnsSvcCont"}
    created = {dn for kind, dn in kinds(result) if kind == "created"}
    assert {"uni/tn-a", "uni/tn-a/eptags", "uni/tn-a/rsTenantMonPol", "uni/tn-a/svcCont"} <= created


def test_implicit_children_of_bd_and_epg(apic):
    post(apic, "uni", tenant("a", mo("fvBD", name="b"), mo("fvAp", mo("fvAEPg", name="e"), name="p")))
    rsctx = apic.store.get("uni/tn-a/BD-b/rsctx")
    assert rsctx is not None and rsctx.cls == "fvRsCtx"
    assert rsctx.get("tnFvCtxName") == ""
    qos = apic.store.get("uni/tn-a/ap-p/epg-e/rscustQosPol")
    assert qos is not None
    assert qos.get("tDn") == "uni/tn-common/qoscustom-default"
    assert qos.get("state") == "formed"


def test_explicit_child_wins_over_implicit_default(apic):
    post(
        apic, "uni", tenant("a", mo("fvCtx", name="v"), mo("fvBD", mo("fvRsCtx", tnFvCtxName="v"), name="b"))
    )
    assert apic.store.get("uni/tn-a/BD-b/rsctx").get("tnFvCtxName") == "v"
    assert apic.store.get("uni/tn-a/BD-b/rsctx").get("tDn") == "uni/tn-a/ctx-v"


def test_implicit_children_not_recreated_on_repost(apic):
    post(apic, "uni", tenant("a"))
    apic.writer.delete("uni/tn-a/svcCont")
    result = post(apic, "uni", tenant("a"))
    assert result.events == []
    assert "uni/tn-a/svcCont" not in apic.store


def test_missing_ancestors_are_created(apic):
    result = post(apic, "uni/tn-new/ap-p/epg-e", mo("fvAEPg", name="e"))
    assert apic.store.get("uni/tn-new").cls == "fvTenant"
    assert apic.store.get("uni/tn-new").get("name") == "new"
    assert apic.store.get("uni/tn-new/ap-p").get("name") == "p"
    assert apic.store.get("uni/tn-new/ap-p/epg-e").cls == "fvAEPg"
    # the created ancestors get their own implicit children
    assert "uni/tn-new/rsTenantMonPol" in apic.store
    created = [dn for kind, dn in kinds(result) if kind == "created"]
    assert (
        created.index("uni/tn-new")
        < created.index("uni/tn-new/ap-p")
        < created.index("uni/tn-new/ap-p/epg-e")
    )


def test_missing_ancestors_with_bracketed_names(apic):
    post(
        apic,
        "uni/infra/vlanns-[pool]-dynamic/from-[vlan-1]-to-[vlan-9]",
        mo("fvnsEncapBlk", allocMode="inherit"),
    )
    pool = apic.store.get("uni/infra/vlanns-[pool]-dynamic")
    assert pool.cls == "fvnsVlanInstP"
    assert (pool.get("name"), pool.get("allocMode")) == ("pool", "dynamic")
    blk = apic.store.get("uni/infra/vlanns-[pool]-dynamic/from-[vlan-1]-to-[vlan-9]")
    assert (blk.get("from"), blk.get("to")) == ("vlan-1", "vlan-9")


# --------------------------------------------------------------------------------------------------
# validation errors: APIC's code and text, and nothing changes


def test_unknown_class_122(apic):
    err = fails(apic, "uni", mo("fvFoobar", name="x"))
    assert (err.code, err.text) == ("122", "unknown managed object class fvFoobar")


def test_unknown_class_in_child_122(apic):
    err = fails(apic, "uni", tenant("a", mo("fvFoobar", name="x")))
    assert (err.code, err.text) == ("122", "unknown managed object class fvFoobar")


def test_unknown_attribute(apic):
    err = fails(apic, "uni", tenant("ansible_test", description="x"))
    assert (err.code, err.text) == ("400", "unknown attribute 'description' in element 'fvTenant'")


def test_bad_enum_value_120(apic):
    err = fails(apic, "uni", tenant("a", mo("fvBD", name="b", arpFlood="maybe")))
    assert err.code == "120"
    assert err.text == "unknown property value maybe, name arpFlood, class fvBD [(Dn0)] Dn0=uni/tn-a/BD-b, "


def test_regex_validation_801(apic):
    # the real controller's answer, recorded by the cisco.aci integration tests
    err = fails(apic, "uni", tenant("ansible_test", descr="This is an [invalid] description"))
    assert err.code == "801"
    assert (
        err.text
        == "property descr of uni/tn-ansible_test failed validation for value 'This is an [invalid] description'"
    )


def test_length_validation_801(apic):
    err = fails(apic, "uni", tenant("a", descr="x" * 129))
    assert err.code == "801"


def test_bad_naming_value_is_rejected(apic):
    # naming values are validated like any other property (fvTenant.name: ^[a-zA-Z0-9_.-]+$, 1..63)
    err = fails(apic, "uni", tenant("bad name!"))
    assert "failed validation for value 'bad name!'" in err.text or err.text.startswith("Invalid RN")
    err = fails(apic, "uni", tenant("x" * 64))
    assert "failed validation" in err.text or err.text.startswith("Invalid RN")


def test_too_long_naming_value_real_text(apic):
    # terraform-provider-aci acceptance test against a real APIC (aci_contract_subject, 65-char name,
    # posted to /api/node/mo.json with attributes.dn):
    #   "property name of subj-<name> failed validation for value '<name>'"
    post(apic, "uni", tenant("a", mo("vzBrCP", name="c")))
    long = "N" * 65
    err = fails(apic, "", mo("vzSubj", dn=f"uni/tn-a/brc-c/subj-{long}", name=long))
    assert err.text == f"property name of subj-{long} failed validation for value '{long}'"


def test_dn_not_valid_for_class_real_text(apic):
    # terraform-provider-aci acceptance test against a real APIC (contract subject given a tenant as
    # its parent): "Invalid request. dn '<dn>' is not valid for class vzSubj"
    post(apic, "uni", tenant("a"))
    err = fails(apic, "", mo("vzSubj", dn="uni/tn-a/subj-s", name="s"))
    assert err.text == "Invalid request. dn 'uni/tn-a/subj-s' is not valid for class vzSubj"


def test_read_only_property(apic):
    err = fails(apic, "uni", tenant("a", mo("fvCtx", name="v", pcTag="49153")))
    assert err.code == "400"
    assert err.text == "Read-only props cannot be modified, class=fvCtx, prop=pcTag, dn=uni/tn-a/ctx-v"


def test_echoed_read_only_value_is_accepted(apic):
    # a client may post back what it read (GET → edit → POST): unchanged read-only values pass
    post(apic, "uni", tenant("a", mo("fvBD", name="b")))
    apic.clock.advance(1)
    bd = apic.store.get("uni/tn-a/BD-b")
    body = {"fvBD": {"attributes": {**bd.values(), "descr": "edited"}}}
    for secure in [p for p, spec in bd.meta.props.items() if spec.secure]:
        body["fvBD"]["attributes"].pop(secure)
    result = post(apic, "uni/tn-a/BD-b", body)
    assert kinds(result) == [("modified", "uni/tn-a/BD-b")]
    assert set(result.events[0].changed) == {"descr", "modTs"}


def test_create_only_property(apic):
    post(apic, "uni", mo("physDomP", name="phys"))
    epg = "uni/tn-a/ap-p/epg-e"
    post(apic, epg, mo("fvAEPg", mo("fvRsDomAtt", tDn="uni/phys-phys", delimiter="|"), name="e"))
    post(
        apic, epg, mo("fvAEPg", mo("fvRsDomAtt", tDn="uni/phys-phys", delimiter="|"), name="e")
    )  # same value: fine
    err = fails(apic, epg, mo("fvAEPg", mo("fvRsDomAtt", tDn="uni/phys-phys", delimiter="@"), name="e"))
    assert (
        err.text
        == "Create-only and naming props cannot be modified after creation, class=fvRsDomAtt, prop=delimiter"
    )


def test_wrong_parent(apic):
    err = fails(apic, "uni", tenant("a", mo("fvAEPg", name="e")))
    assert err.text == "Invalid request. Can not contain child 'epg-e' under parent 'uni/tn-a'"


def test_wrong_parent_at_top(apic):
    err = fails(apic, "uni/tn-a", mo("fvAEPg", name="e"))
    assert "epg-e" in err.text


def test_naming_property_contradicting_url_dn(apic):
    err = fails(apic, "uni/tn-x", tenant("y"))
    assert err.code == "104"


def test_dn_attribute_contradicting_url_dn(apic):
    fails(apic, "uni/tn-x", mo("fvTenant", dn="uni/tn-y"))


def test_missing_naming_property(apic):
    err = fails(apic, "uni", mo("fvTenant", descr="no name"))
    assert err.code == "104"
    assert err.text.startswith("Invalid RN")


def test_malformed_url_dn(apic):
    err = fails(apic, "uni/tn-a/bogus-x", mo("fvBD", name="b"))
    assert err.text.startswith("Invalid DN uni/tn-a/bogus-x, wrong rn prefix bogus-x")


def test_user_cannot_create_non_configurable_class(apic):
    # fvEpPCont (uni/epp) is written by the controller only
    assert not apic.catalog.get("fvEpPCont").configurable
    err = fails(apic, "uni", mo("fvEpPCont"))
    assert "fvEpPCont" in err.text


def test_system_write_may_create_non_configurable_class(apic):
    apic.system_post("uni", {"fvEpPCont": {"attributes": {}}})
    assert apic.store.get("uni/epp").cls == "fvEpPCont"


# --------------------------------------------------------------------------------------------------
# atomicity and idempotency


def test_invalid_last_child_leaves_tree_untouched(apic):
    post(apic, "uni", tenant("a", mo("fvBD", name="old")))
    body = tenant(
        "a",
        mo("fvBD", name="old", arpFlood="yes"),
        mo("fvBD", name="b"),
        mo("fvCtx", name="v"),
        mo("fvAp", name="old", status="deleted"),
        mo("fvAp", mo("fvAEPg", mo("fvRsBd", tnFvBDName="b"), name="e"), name="p"),
        mo("fvCtx", name="bad", pcEnfPref="sometimes"),
        descr="changed",
    )
    err = fails(apic, "uni", body)
    assert err.code == "120"


def test_invalid_deep_child_leaves_new_tenant_uncreated(apic):
    body = tenant("fresh", mo("fvAp", mo("fvAEPg", mo("fvRsBd", bogus="1"), name="e"), name="p"))
    fails(apic, "uni", body)
    assert "uni/tn-fresh" not in apic.store


def test_noop_repost_emits_no_events(apic):
    body = tenant(
        "a",
        mo("fvCtx", name="v"),
        mo(
            "fvBD", mo("fvRsCtx", tnFvCtxName="v"), mo("fvSubnet", ip="10.0.0.1/24"), name="b", arpFlood="yes"
        ),
        mo("fvAp", mo("fvAEPg", mo("fvRsBd", tnFvBDName="b"), name="e"), name="p"),
        descr="d",
    )
    first = post(apic, "uni", body)
    assert first.events
    before = tree_rows(apic.store)
    heard: list = []
    apic.store.subscribe(heard.append)
    apic.clock.advance(5)
    second = post(apic, "uni", body)
    assert second.events == []
    assert heard == []
    assert tree_rows(apic.store) == before


def test_noop_repost_with_status_and_defaults(apic):
    post(apic, "uni", tenant("a", mo("fvBD", name="b")))
    # re-posting default values explicitly changes nothing either
    result = post(apic, "uni", tenant("a", mo("fvBD", name="b", arpFlood="no", status="created,modified")))
    assert result.events == []


@pytest.mark.parametrize(
    "url, body",
    [
        ("uni/tn-a", mo("fvBD", name="b", arpFlood="yes")),  # child of the URL
        ("uni/tn-a/BD-b", mo("fvBD", name="b", arpFlood="yes")),  # the URL object itself
        ("uni/tn-a/BD-b", mo("fvBD", arpFlood="yes")),  # naming taken from the URL
        ("", mo("fvBD", dn="uni/tn-a/BD-b", arpFlood="yes")),  # /api/node/mo/.json with dn
        ("uni", mo("fvBD", dn="uni/tn-a/BD-b", arpFlood="yes")),  # dn below the URL
        (
            "uni/tn-a/BD-b",
            mo("fvBD", dn="uni/tn-a/BD-b", rn="BD-b", arpFlood="yes", status="created, modified"),
        ),
        ("uni", tenant("a", mo("fvBD", name="b", arpFlood="yes"))),  # nested in the parent
        ("uni", tenant("a", mo("fvBD", rn="BD-b", arpFlood="yes"))),  # child rn instead of naming
        ("uni", tenant("a", mo("fvBD", dn="uni/tn-a/BD-b", arpFlood="yes"))),  # child dn
        ("", {"polUni": {"attributes": {}, "children": [tenant("a", mo("fvBD", name="b", arpFlood="yes"))]}}),
    ],
)
def test_all_addressing_forms_land_on_the_same_dn(url, body):
    reference = Apic(clock=ManualClock(T0))
    post(reference, "uni", tenant("a"))
    post(reference, "uni/tn-a", mo("fvBD", name="b", arpFlood="yes"))
    expected = tree_rows(reference.store)

    apic = Apic(clock=ManualClock(T0))
    post(apic, "uni", tenant("a"))
    post(apic, url, body)
    assert apic.store.get("uni/tn-a/BD-b").get("arpFlood") == "yes"
    assert tree_rows(apic.store) == expected


def test_url_form_of_explicit_relation_takes_naming_from_url(apic):
    # ansible posts fvRsDomAtt without tDn to .../rsdomAtt-[uni/phys-phys1].json
    post(apic, "uni", mo("physDomP", name="phys1"))
    post(apic, "uni", tenant("a", mo("fvAp", mo("fvAEPg", name="e"), name="p")))
    dn = "uni/tn-a/ap-p/epg-e/rsdomAtt-[uni/phys-phys1]"
    post(apic, dn, mo("fvRsDomAtt", resImedcy="immediate"))
    rel = apic.store.get(dn)
    assert rel.get("tDn") == "uni/phys-phys1"
    assert rel.get("resImedcy") == "immediate"


def test_terraform_style_post(apic):
    body = {
        "physDomP": {
            "attributes": {"dn": "uni/phys-PhyDom", "rn": "phys-PhyDom", "status": "created, modified"}
        }
    }
    post(apic, "", body)
    assert apic.store.get("uni/phys-PhyDom").get("name") == "PhyDom"
    assert post(apic, "", body).events == []
    post(apic, "", {"physDomP": {"attributes": {"dn": "uni/phys-PhyDom", "status": "deleted"}}})
    assert "uni/phys-PhyDom" not in apic.store
