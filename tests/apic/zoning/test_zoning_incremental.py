"""Incremental recompute: after writes that change only a contract's subjects, filters or entries (recompiled as
that contract's part) and writes that change groups, the leaves hold exactly what a full recompute gives, and
the verdict (from kept compiled scopes) is the one a fresh compilation gives."""

from __future__ import annotations

import pytest
from zoning_builders import (
    Fabric,
    ap,
    bd,
    cons,
    contract,
    entry,
    epg,
    filt,
    mo,
    path,
    prov,
    subj,
    tcp,
    tenant,
    vrf,
)

from simulator.apic.zoning.ids import ids_of

T = "uni/tn-t"
A, B, C = f"{T}/ap-a/epg-a", f"{T}/ap-a/epg-b", f"{T}/ap-a/epg-c"
CHANGES = [
    ("an entry's port", f"{T}/flt-web/e-http", mo("vzEntry", dFromPort="8080", dToPort="8080")),
    ("a new entry", f"{T}/flt-web", mo("vzEntry", name="ssh", etherT="ip", prot="tcp", dFromPort="22", dToPort="22")),
    ("a deny filter", f"{T}/brc-k/subj-s", mo("vzRsSubjFiltAtt", tnVzFilterName="all", action="deny")),
    ("reverse ports off", f"{T}/brc-k/subj-s", mo("vzSubj", revFltPorts="no")),
    ("a one-way subject", f"{T}/brc-k", mo("vzSubj", mo("vzInTerm", mo("vzRsFiltAtt", tnVzFilterName="dns")), name="one")),
    ("a stateful entry", f"{T}/flt-web/e-http", mo("vzEntry", stateful="yes")),
    ("a new consumer", C, mo("fvRsCons", tnVzBrCPName="k")),
    ("an intra-EPG contract", B, mo("fvRsIntraEpg", tnVzBrCPName="k")),
    ("the contract's scope", f"{T}/brc-k", mo("vzBrCP", scope="application-profile")),
]


def leaf_state(f: Fabric) -> dict[str, dict[str, str]]:
    return {dn: dict(m.attrs) for dn, m in f.store.by_dn.items() if "/sys/actrl" in dn}


@pytest.fixture
def fabric() -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf(), bd(), filt("web", tcp("http", "80")), filt("all", entry("any")),
                  filt("dns", mo("vzEntry", name="d", etherT="ip", prot="udp", dFromPort="53", dToPort="53")),
                  contract("k", subj("s", "web")),
                  ap("a", epg("a", cons("k")), epg("b", prov("k")), epg("c"))))
    for n, epg_dn in enumerate((A, B, C)):
        f.endpoint(epg_dn, f"00:00:00:00:00:0{n}", f"10.0.0.{n + 1}", path(101 + n))
    return f


def test_after_each_change_the_leaves_hold_what_a_full_recompute_gives(fabric):
    leaves = fabric.apic.zoning.leaves
    for what, dn, body in CHANGES:
        fabric.post(body, dn)
        after_change = leaf_state(fabric)
        with fabric.store.transaction() as txn:
            leaves.render(txn, {f"{T}/ctx-v": None})
            events = [e for e in txn.events]
        assert events == [], (what, events[:3])
        assert leaf_state(fabric) == after_change, what


def test_after_each_change_the_kept_verdict_is_a_fresh_compilations(fabric):
    flows = [(A, B, "tcp", 80), (A, B, "tcp", 8080), (B, A, "tcp", 80), (C, B, "tcp", 80), (B, B, "tcp", 80),
             (A, B, "udp", 53), (A, B, "tcp", 22)]
    for what, dn, body in CHANGES:
        fabric.post(body, dn)
        kept = [fabric.verdict(*flow) for flow in flows]
        ids_of(fabric.store).scopes.clear()
        fresh = [fabric.verdict(*flow) for flow in flows]
        assert kept == fresh, what


def test_a_contract_body_change_recompiles_only_that_contracts_part(fabric):
    leaves = fabric.apic.zoning.leaves
    fabric.post(contract("other", subj("s", "dns")), T)
    fabric.post(cons("other"), C)
    fabric.post(prov("other"), A)
    fabric.post(mo("fvTenant", descr="settle"), T)  # the next write makes the last one's scope the kept one
    before = leaves.compiled[f"{T}/ctx-v"]
    fabric.post(mo("vzEntry", dFromPort="8080", dToPort="8080"), f"{T}/flt-web/e-http")
    fabric.post(mo("fvTenant", descr="settled"), T)
    after = leaves.compiled[f"{T}/ctx-v"]
    assert after is not before
    assert after.parts[f"{T}/brc-other"] is before.parts[f"{T}/brc-other"]
    assert after.parts["base"] is before.parts["base"]
    assert after.parts[f"{T}/brc-k"] is not before.parts[f"{T}/brc-k"]
