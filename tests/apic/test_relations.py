"""Relation resolution (simulator.apic.managers.relations) through `Apic().writer`.

Real-APIC references: ../shared/research/apic-rest.md §3.6 (named relations resolve in the tenant,
then in tenant common; an empty name means `default`; explicit relations carry tDn; `formed` /
`missing-target`; a target appearing later flips the relation in a `modified` event).
"""

from __future__ import annotations

import pytest

from simulator.apic.errors import ApicError
from simulator.apic.mit.proposed import proposed_mo
from simulator.apic.service import Apic

EPG = "uni/tn-t/ap-p/epg-e"
RSBD = EPG + "/rsbd"


@pytest.fixture
def apic() -> Apic:
    a = Apic()
    post(a, "uni", {"fvTenant": {"attributes": {"name": "t"}}})
    return a


def post(apic: Apic, dn: str, body: dict):
    return apic.writer.post(dn, proposed_mo(body))


def mo(cls: str, *children: dict, **attrs: str) -> dict:
    body: dict = {"attributes": attrs}
    if children:
        body["children"] = list(children)
    return {cls: body}


def epg_with_bd(apic: Apic, bd_name: str | None):
    rel = mo("fvRsBd") if bd_name is None else mo("fvRsBd", tnFvBDName=bd_name)
    return post(apic, EPG, mo("fvAEPg", rel, name="e"))


def rel_state(apic: Apic, dn: str) -> dict[str, str]:
    m = apic.store.get(dn)
    assert m is not None, dn
    return {p: m.get(p) for p in ("tDn", "tRn", "tCl", "state", "stateQual") if p in m.meta.props}


def bd_relation(t_dn: str, state: str = "formed", qual: str = "none") -> dict[str, str]:
    """What an fvRsBd shows when it points at the bridge domain `t_dn`."""
    return {"tDn": t_dn, "tRn": t_dn.rsplit("/", 1)[1], "tCl": "fvBD", "state": state, "stateQual": qual}


def events_for(result, dn: str) -> list[tuple[str, dict]]:
    return [(e.kind, e.changed) for e in result.events if e.dn == dn]


def one_modification(result, dn: str) -> dict[str, str]:
    """The changes of the one `modified` event a write reports for `dn`."""
    changes = events_for(result, dn)
    assert len(changes) == 1, changes
    kind, changed = changes[0]
    assert kind == "modified"
    return changed


# --------------------------------------------------------------------------------------------------
# named relations


def test_named_relation_resolves_in_own_tenant(apic):
    post(apic, "uni/tn-t", mo("fvBD", name="b"))
    epg_with_bd(apic, "b")
    assert rel_state(apic, RSBD) == bd_relation("uni/tn-t/BD-b")


def test_named_relation_falls_back_to_common(apic):
    post(apic, "uni/tn-common", mo("fvBD", name="shared"))
    epg_with_bd(apic, "shared")
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-common/BD-shared"
    assert rel_state(apic, RSBD)["state"] == "formed"
    assert rel_state(apic, RSBD)["stateQual"] == "none"


def test_explicit_default_name_resolves_in_common(apic):
    # fvRsProv tnVzBrCPName "default" -> tDn uni/tn-common/brc-default (recorded on a real APIC)
    epg_with_bd(apic, "default")
    assert rel_state(apic, RSBD) == bd_relation("uni/tn-common/BD-default")


def test_own_tenant_wins_over_common(apic):
    post(apic, "uni/tn-common", mo("fvBD", name="x"))
    post(apic, "uni/tn-t", mo("fvBD", name="x"))
    epg_with_bd(apic, "x")
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-t/BD-x"


def test_empty_name_means_default_in_common(apic):
    epg_with_bd(apic, "")
    assert rel_state(apic, RSBD) == bd_relation("uni/tn-common/BD-default", qual="default-target")


def test_omitted_name_means_default_in_common(apic):
    epg_with_bd(apic, None)
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-common/BD-default"
    assert rel_state(apic, RSBD)["stateQual"] == "default-target"


def test_implicit_relations_resolve_to_common_defaults(apic):
    post(apic, "uni/tn-t", mo("fvBD", name="b"))
    epg_with_bd(apic, "b")
    assert rel_state(apic, "uni/tn-t/BD-b/rsctx")["tDn"] == "uni/tn-common/ctx-default"
    assert rel_state(apic, "uni/tn-t/BD-b/rsctx")["stateQual"] == "default-target"
    assert rel_state(apic, EPG + "/rscustQosPol")["tDn"] == "uni/tn-common/qoscustom-default"
    assert rel_state(apic, EPG + "/rscustQosPol")["state"] == "formed"
    assert rel_state(apic, "uni/tn-t/rsTenantMonPol")["tDn"] == "uni/tn-common/monepg-default"


def test_missing_target_points_at_would_be_local_dn(apic):
    epg_with_bd(apic, "nope")
    assert rel_state(apic, RSBD) == bd_relation("uni/tn-t/BD-nope", state="missing-target")


def test_target_created_later_flips_to_formed_in_same_write(apic):
    epg_with_bd(apic, "late")
    heard: list = []
    apic.store.subscribe(heard.append)
    result = post(apic, "uni/tn-t", mo("fvBD", name="late"))
    assert rel_state(apic, RSBD)["state"] == "formed"
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-t/BD-late"
    # the write that created the target carries the relation's change
    changed = one_modification(result, RSBD)
    assert changed["state"] == "formed"
    assert "tnFvBDName" not in changed
    # and listeners (subscriptions) hear both in one batch
    assert len(heard) == 1
    assert {e.dn for e in heard[0]} >= {"uni/tn-t/BD-late", RSBD}


def test_target_deleted_flips_back_to_missing(apic):
    post(apic, "uni/tn-t", mo("fvBD", name="b"))
    epg_with_bd(apic, "b")
    result = apic.writer.delete("uni/tn-t/BD-b")
    assert rel_state(apic, RSBD)["state"] == "missing-target"
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-t/BD-b"
    changes = events_for(result, RSBD)
    assert [k for k, _ in changes] == ["modified"]
    assert changes[0][1]["state"] == "missing-target"


def test_flip_back_and_forth(apic):
    epg_with_bd(apic, "b")
    for _ in range(2):
        post(apic, "uni/tn-t", mo("fvBD", name="b"))
        assert rel_state(apic, RSBD)["state"] == "formed"
        post(apic, "uni/tn-t", mo("fvBD", name="b", status="deleted"))
        assert rel_state(apic, RSBD)["state"] == "missing-target"


def test_local_target_appearing_takes_over_from_common(apic):
    post(apic, "uni/tn-common", mo("fvBD", name="x"))
    epg_with_bd(apic, "x")
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-common/BD-x"
    result = post(apic, "uni/tn-t", mo("fvBD", name="x"))
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-t/BD-x"
    assert events_for(result, RSBD)[0][1]["tDn"] == "uni/tn-t/BD-x"
    apic.writer.delete("uni/tn-t/BD-x")
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-common/BD-x"
    assert rel_state(apic, RSBD)["state"] == "formed"
    apic.writer.delete("uni/tn-common/BD-x")
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-t/BD-x"
    assert rel_state(apic, RSBD)["state"] == "missing-target"


def test_changing_the_name_re_resolves(apic):
    post(apic, "uni/tn-t", mo("fvBD", name="b1"))
    post(apic, "uni/tn-t", mo("fvBD", name="b2"))
    epg_with_bd(apic, "b1")
    result = epg_with_bd(apic, "b2")
    assert rel_state(apic, RSBD)["tDn"] == "uni/tn-t/BD-b2"
    # the write reports the new name and the newly resolved target
    # one event per MO and write: the new name and the newly resolved target together
    changed = one_modification(result, RSBD)
    assert changed["tnFvBDName"] == "b2"
    assert changed["tDn"] == "uni/tn-t/BD-b2"
    # the old target no longer affects the relation
    result = apic.writer.delete("uni/tn-t/BD-b1")
    assert events_for(result, RSBD) == []
    assert rel_state(apic, RSBD)["state"] == "formed"


def test_relation_and_target_in_one_payload(apic):
    # the relation comes first in the payload, its target after it
    result = post(
        apic,
        "uni/tn-t",
        mo(
            "fvTenant",
            mo("fvAp", mo("fvAEPg", mo("fvRsBd", tnFvBDName="b"), name="e"), name="p"),
            mo("fvBD", name="b"),
            name="t",
        ),
    )
    assert rel_state(apic, RSBD)["state"] == "formed"
    changes = events_for(result, RSBD)
    assert len(changes) == 1
    assert changes[0][0] == "created"
    assert changes[0][1]["state"] == "formed"
    assert changes[0][1]["tDn"] == "uni/tn-t/BD-b"


def test_deleting_relation_and_target_together_emits_no_modify(apic):
    post(apic, "uni/tn-t", mo("fvBD", name="b"))
    epg_with_bd(apic, "b")
    result = apic.writer.delete("uni/tn-t")
    assert {e.kind for e in result.events} == {"deleted"}
    assert "uni/tn-t" not in apic.store


def test_deleted_relation_stops_watching(apic):
    epg_with_bd(apic, "b")
    apic.writer.delete(EPG)
    result = post(apic, "uni/tn-t", mo("fvBD", name="b"))
    assert not [e for e in result.events if e.dn.startswith(EPG)]
    assert all(RSBD not in rels for rels in apic.relations.watchers.values())
    assert RSBD not in apic.relations.watching


def test_relation_in_other_tenant_is_not_affected(apic):
    post(apic, "uni", mo("fvTenant", name="u"))
    post(apic, "uni/tn-u/ap-p/epg-e", mo("fvAEPg", mo("fvRsBd", tnFvBDName="b"), name="e"))
    post(apic, "uni/tn-t", mo("fvBD", name="b"))
    assert rel_state(apic, "uni/tn-u/ap-p/epg-e/rsbd")["state"] == "missing-target"
    assert rel_state(apic, "uni/tn-u/ap-p/epg-e/rsbd")["tDn"] == "uni/tn-u/BD-b"


def test_named_relation_rn_carries_name(apic):
    # fvRsCons: the name is also the RN suffix
    post(apic, "uni/tn-t", mo("vzBrCP", name="web"))
    post(
        apic,
        EPG,
        mo("fvAEPg", mo("fvRsCons", tnVzBrCPName="web"), mo("fvRsProv", tnVzBrCPName="default"), name="e"),
    )
    assert rel_state(apic, EPG + "/rscons-web")["tDn"] == "uni/tn-t/brc-web"
    assert rel_state(apic, EPG + "/rscons-web")["state"] == "formed"
    assert rel_state(apic, EPG + "/rsprov-default")["tDn"] == "uni/tn-common/brc-default"
    assert rel_state(apic, EPG + "/rsprov-default")["tCl"] == "vzBrCP"


# --------------------------------------------------------------------------------------------------
# explicit relations


def test_explicit_relation_to_existing_domain(apic):
    post(apic, "uni", mo("physDomP", name="phys"))
    dn = "uni/infra/attentp-aep/rsdomP-[uni/phys-phys]"
    post(apic, "uni/infra", mo("infraAttEntityP", mo("infraRsDomP", tDn="uni/phys-phys"), name="aep"))
    state = rel_state(apic, dn)
    assert state["state"] == "formed"
    assert state["tCl"] == "physDomP"  # asserted by the cisco.aci integration tests on a real APIC
    assert state["tDn"] == "uni/phys-phys"


def test_explicit_relation_missing_then_formed_then_missing(apic):
    dn = EPG + "/rsdomAtt-[uni/vmmp-Redhat/dom-rhv]"
    post(apic, EPG, mo("fvAEPg", mo("fvRsDomAtt", tDn="uni/vmmp-Redhat/dom-rhv"), name="e"))
    assert rel_state(apic, dn)["state"] == "missing-target"
    assert rel_state(apic, dn)["tDn"] == "uni/vmmp-Redhat/dom-rhv"

    result = post(apic, "uni/vmmp-Redhat", mo("vmmDomP", name="rhv"))
    assert rel_state(apic, dn)["state"] == "formed"
    assert rel_state(apic, dn)["tCl"] == "vmmDomP"
    assert [k for k, _ in events_for(result, dn)] == ["modified"]

    result = apic.writer.delete("uni/vmmp-Redhat/dom-rhv")
    assert rel_state(apic, dn)["state"] == "missing-target"
    assert [k for k, _ in events_for(result, dn)] == ["modified"]


def test_explicit_relation_target_removed_with_its_ancestor(apic):
    post(apic, "uni/vmmp-Redhat", mo("vmmDomP", name="rhv"))
    dn = EPG + "/rsdomAtt-[uni/vmmp-Redhat/dom-rhv]"
    post(apic, EPG, mo("fvAEPg", mo("fvRsDomAtt", tDn="uni/vmmp-Redhat/dom-rhv"), name="e"))
    assert rel_state(apic, dn)["state"] == "formed"
    apic.writer.delete("uni/vmmp-Redhat")
    assert rel_state(apic, dn)["state"] == "missing-target"


def test_explicit_relation_with_bracketed_target(apic):
    post(apic, "uni/infra", mo("fvnsVlanInstP", name="pool", allocMode="static"))
    post(apic, "uni", mo("physDomP", mo("infraRsVlanNs", tDn="uni/infra/vlanns-[pool]-static"), name="phys"))
    state = rel_state(apic, "uni/phys-phys/rsvlanNs")
    assert state["state"] == "formed"
    assert state["tCl"] == "fvnsVlanInstP"  # asserted by the cisco.aci integration tests on a real APIC
    assert state["tDn"] == "uni/infra/vlanns-[pool]-static"


def test_changing_explicit_tdn_re_resolves(apic):
    post(apic, "uni/infra", mo("fvnsVlanInstP", name="a", allocMode="static"))
    post(apic, "uni", mo("physDomP", mo("infraRsVlanNs", tDn="uni/infra/vlanns-[a]-static"), name="phys"))
    result = post(
        apic,
        "uni/phys-phys",
        mo("physDomP", mo("infraRsVlanNs", tDn="uni/infra/vlanns-[b]-static"), name="phys"),
    )
    assert rel_state(apic, "uni/phys-phys/rsvlanNs")["state"] == "missing-target"
    assert rel_state(apic, "uni/phys-phys/rsvlanNs")["tDn"] == "uni/infra/vlanns-[b]-static"
    merged = {k: v for _, changed in events_for(result, "uni/phys-phys/rsvlanNs") for k, v in changed.items()}
    assert merged["tDn"] == "uni/infra/vlanns-[b]-static"
    assert merged["state"] == "missing-target"
    # the old target no longer matters; the new one does
    assert events_for(apic.writer.delete("uni/infra/vlanns-[a]-static"), "uni/phys-phys/rsvlanNs") == []
    post(apic, "uni/infra", mo("fvnsVlanInstP", name="b", allocMode="static"))
    assert rel_state(apic, "uni/phys-phys/rsvlanNs")["state"] == "formed"


def _back_refs(apic: Apic, vrf: str) -> list[tuple[str, str]]:
    return sorted((m.get("tDn"), m.get("tCl")) for m in apic.store.children(vrf) if m.cls == "fvRtCtx")


def test_a_vrf_holds_a_back_reference_to_every_bd_in_it(apic):
    post(apic, "uni/tn-t", mo("fvTenant", mo("fvCtx", name="v"), mo("fvCtx", name="w"),
                              mo("fvBD", mo("fvRsCtx", tnFvCtxName="v"), name="b1"),
                              mo("fvBD", mo("fvRsCtx", tnFvCtxName="v"), name="b2")))
    assert _back_refs(apic, "uni/tn-t/ctx-v") == [("uni/tn-t/BD-b1", "fvBD"), ("uni/tn-t/BD-b2", "fvBD")]
    assert apic.store.get("uni/tn-t/ctx-v/rtctx-[uni/tn-t/BD-b1]") is not None

    post(apic, "uni/tn-t/BD-b2/rsctx", mo("fvRsCtx", tnFvCtxName="w"))  # the BD moves to another VRF
    assert _back_refs(apic, "uni/tn-t/ctx-v") == [("uni/tn-t/BD-b1", "fvBD")]
    assert _back_refs(apic, "uni/tn-t/ctx-w") == [("uni/tn-t/BD-b2", "fvBD")]

    apic.writer.delete("uni/tn-t/BD-b1")
    assert _back_refs(apic, "uni/tn-t/ctx-v") == []

    apic.writer.delete("uni/tn-t/ctx-w")  # the target goes (with its back-references); the BD's relation waits
    assert apic.store.get("uni/tn-t/BD-b2/rsctx").get("state") == "missing-target"
    post(apic, "uni/tn-t", mo("fvTenant", mo("fvCtx", name="w")))
    assert _back_refs(apic, "uni/tn-t/ctx-w") == [("uni/tn-t/BD-b2", "fvBD")]


def test_a_back_reference_is_the_apics_own(apic):
    post(apic, "uni/tn-t", mo("fvTenant", mo("fvCtx", name="v")))
    with pytest.raises(ApicError, match="Cannot create object of non-configurable class fvRtCtx"):
        post(apic, "uni/tn-t/ctx-v", mo("fvCtx", mo("fvRtCtx", tDn="uni/tn-t/BD-x")))
