"""On random small policies and random flows, the simulator's verdict (from the rules the leaves hold) equals
a brute-force reference that reads the logical model directly (zoning_reference.py), both ways of the flow."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zoning_builders import Fabric, mo, path
from zoning_reference import (
    Att,
    Contract,
    End,
    Entry,
    Group,
    Policy,
    Subject,
    classify,
    decide,
    packet,
    reply_of,
)

from simulator.apic.zoning import ZoningError

T = "uni/tn-prop"
PORTS = [22, 80, 443, 1000, 1500, 8080]
RANGES = [(80, 80), (443, 443), (1000, 2000), (8080, 8080), (22, 22)]
OUTSIDE = ["192.168.1.5", "192.168.7.7", "8.8.8.8"]
SUBNETS = ["0.0.0.0/0", "192.168.1.0/24", "192.168.0.0/16"]


@st.composite
def entries(draw) -> Entry:
    prot = draw(st.sampled_from(["unspecified", "tcp", "tcp", "udp"]))
    ether = "ip" if prot != "unspecified" else draw(st.sampled_from(["unspecified", "ip", "arp"]))
    ports = prot in ("tcp", "udp")
    dport = draw(st.sampled_from([None, *RANGES])) if ports else None
    sport = draw(st.sampled_from([None, None, None, (1000, 2000), (40000, 65535)])) if ports else None
    tcp_rules = draw(st.sampled_from(["", "", "est", "syn"])) if prot == "tcp" else ""
    stateful = draw(st.sampled_from(["no", "yes"])) if prot == "tcp" else "no"
    return Entry(ether, prot, sport, dport, tcp_rules, stateful)


@st.composite
def atts(draw, filters: list[str]) -> Att:
    action = draw(st.sampled_from(["permit", "permit", "permit", "deny"]))
    override = draw(st.sampled_from(["default", "default", "level1", "level2", "level3"])) if action == "deny" else "default"
    return Att(draw(st.sampled_from(filters)), action, draw(st.booleans()), override)


@st.composite
def policies(draw) -> Policy:
    filters = {f"f{i}": tuple(draw(st.lists(entries(), min_size=1, max_size=3))) for i in range(draw(st.integers(1, 3)))}
    names = list(filters)
    contracts = {}
    for i in range(draw(st.integers(1, 3))):
        subjects = []
        for _ in range(draw(st.integers(1, 2))):
            if draw(st.booleans()):
                subjects.append(Subject(draw(st.booleans()), tuple(draw(st.lists(atts(names), min_size=1, max_size=2,
                                                                                      unique_by=lambda a: a.filter)))))
            else:
                subjects.append(Subject(True, (), tuple(draw(st.lists(atts(names), max_size=2, unique_by=lambda a: a.filter))),
                                        tuple(draw(st.lists(atts(names), max_size=2, unique_by=lambda a: a.filter)))))
        scope = draw(st.sampled_from(["context", "application-profile", "tenant", "global"]))
        contracts[f"c{i}"] = Contract(f"c{i}", scope, tuple(subjects))
    cnames = list(contracts)
    some = st.lists(st.sampled_from(cnames), max_size=2, unique=True).map(tuple)
    taboos = {"tb": tuple(Att(f, "deny", draw(st.booleans())) for f in draw(st.lists(st.sampled_from(names), min_size=1,
                                                                                         max_size=2, unique=True)))}
    groups = []
    for i in range(draw(st.integers(2, 4))):
        groups.append(Group(f"e{i}", "epg", draw(st.sampled_from(["a1", "a2"])), draw(st.booleans()), draw(st.booleans()),
                            draw(some), draw(some), draw(st.lists(st.sampled_from(cnames), max_size=1).map(tuple)),
                            ("tb",) if draw(st.integers(0, 4)) == 0 else ()))
    if draw(st.booleans()):
        groups.append(Group("ext", "ext", "", False, draw(st.booleans()), draw(some), draw(some), (), (),
                            tuple(draw(st.lists(st.sampled_from(SUBNETS), min_size=1, max_size=2, unique=True)))))
    any_rels = st.lists(st.sampled_from(cnames), max_size=1).map(tuple)
    return Policy(draw(st.sampled_from([True, True, True, False])), draw(st.booleans()), draw(any_rels), draw(any_rels),
                  groups, contracts, filters, taboos)


def body(policy: Policy) -> dict:
    def port(span, side):
        return {} if span is None else {f"{side}FromPort": str(span[0]), f"{side}ToPort": str(span[1])}

    def entry_mo(i: int, e: Entry) -> dict:
        attrs = {"etherT": e.etherT, "prot": e.prot, "stateful": e.stateful, **port(e.sport, "s"), **port(e.dport, "d")}
        if e.tcpRules:
            attrs["tcpRules"] = e.tcpRules
        return mo("vzEntry", name=f"n{i}", **attrs)

    def att(cls: str, a: Att) -> dict:
        extra = {"directives": "log"} if a.log else {}
        if a.action == "deny":
            extra["priorityOverride"] = a.override
        return mo(cls, tnVzFilterName=a.filter, action=a.action, **extra)

    kids = [mo("fvCtx", mo("vzAny", *[mo("vzRsAnyToProv", tnVzBrCPName=c) for c in policy.any_prov],
                           *[mo("vzRsAnyToCons", tnVzBrCPName=c) for c in policy.any_cons],
                           name="", prefGrMemb="enabled" if policy.pref_enabled else "disabled"),
               name="v", pcEnfPref="enforced" if policy.enforced else "unenforced"),
            mo("fvBD", mo("fvRsCtx", tnFvCtxName="v"), name="b")]
    kids += [mo("vzFilter", *[entry_mo(i, e) for i, e in enumerate(es)], name=n) for n, es in policy.filters.items()]
    for c in policy.contracts.values():
        subjects = []
        for i, s in enumerate(c.subjects):
            terms = [att("vzRsSubjFiltAtt", a) for a in s.both]
            if s.into:
                terms.append(mo("vzInTerm", *[att("vzRsFiltAtt", a) for a in s.into]))
            if s.out:
                terms.append(mo("vzOutTerm", *[att("vzRsFiltAtt", a) for a in s.out]))
            subjects.append(mo("vzSubj", *terms, name=f"s{i}", revFltPorts="yes" if s.rev else "no"))
        kids.append(mo("vzBrCP", *subjects, name=c.name, scope=c.scope))
    kids += [mo("vzTaboo", mo("vzTSubj", *[mo("vzRsDenyRule", tnVzFilterName=a.filter, **({"directives": "log"} if a.log else {}))
                                           for a in atts_], name="ts"), name=n) for n, atts_ in policy.taboos.items()]

    def rels(g: Group) -> list[dict]:
        return ([mo("fvRsProv", tnVzBrCPName=c) for c in g.prov] + [mo("fvRsCons", tnVzBrCPName=c) for c in g.cons]
                + [mo("fvRsIntraEpg", tnVzBrCPName=c) for c in g.intra] + [mo("fvRsProtBy", tnVzTabooName=t) for t in g.taboos])

    for ap_name in ("a1", "a2"):
        kids.append(mo("fvAp", *[mo("fvAEPg", mo("fvRsBd", tnFvBDName="b"), *rels(g), name=g.name,
                                    pcEnfPref="enforced" if g.isolated else "unenforced",
                                    prefGrMemb="include" if g.pref else "exclude")
                                 for g in policy.groups if g.kind == "epg" and g.ap == ap_name], name=ap_name))
    for g in policy.groups:
        if g.kind == "ext":
            kids.append(mo("l3extOut", mo("l3extRsEctx", tnFvCtxName="v"),
                           mo("l3extLNodeP", mo("l3extRsNodeL3OutAtt", tDn="topology/pod-1/node-104", rtrId="1.1.1.1"),
                              name="np"),
                           mo("l3extInstP", *[mo("l3extSubnet", ip=s) for s in g.subnets], *rels(g), name=g.name,
                              prefGrMemb="include" if g.pref else "exclude"), name="out"))
    return mo("fvTenant", *kids, name="prop")


def endpoints_of(policy: Policy) -> dict[str, str]:
    found = {}
    for i, g in enumerate(policy.groups):
        if g.kind == "epg":
            for k in (1, 2):
                found[f"10.{i}.0.{k}"] = g.name
    return found


@pytest.fixture(scope="module")
def fabric() -> Fabric:
    return Fabric()


def load(fabric: Fabric, policy: Policy) -> dict[str, str]:
    if fabric.store.get(T) is not None:
        fabric.delete(T)
    fabric.post(body(policy))
    eps = endpoints_of(policy)
    for n, (ip, name) in enumerate(eps.items()):
        g = policy.group(name)
        fabric.endpoint(f"{T}/ap-{g.ap}/epg-{name}", f"00:00:00:00:{n // 256:02x}:{n % 256:02x}", ip, path(101 + n % 3))
    return eps


flows = st.tuples(st.integers(0, 30), st.integers(0, 30), st.sampled_from(["tcp", "tcp", "udp", "icmp", "arp"]),
                  st.sampled_from(PORTS), st.sampled_from([None, 1500, 50000]), st.sampled_from([None, None, "ack", "syn"]))


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(policy=policies(), picks=st.lists(flows, min_size=4, max_size=8))
def test_the_verdict_equals_the_reference(fabric, policy, picks):
    eps = load(fabric, policy)
    inside = list(eps)
    outside = OUTSIDE if any(g.kind == "ext" for g in policy.groups) else []
    for i, j, proto, port, sport, flags in picks:
        src = inside[i % len(inside)]
        everything = inside + outside
        dst = everything[j % len(everything)]
        if proto in ("tcp", "udp"):
            kw = {"port": port, "sport": sport, "tcp_flags": flags if proto == "tcp" else None}
        else:
            kw = {"port": None, "sport": None, "tcp_flags": None}
        if j % 2 and dst in outside:  # the outside end first, too
            src, dst = dst, src
        a, b = classify(policy, src, eps), classify(policy, dst, eps)
        if a is None or b is None:
            with pytest.raises(ZoningError):
                fabric.verdict(src, dst, proto, **kw)
            continue
        forward = packet(proto, kw["sport"], kw["port"], kw["tcp_flags"])
        got = fabric.verdict(src, dst, proto, **kw)
        want = decide(policy, a, b, forward)
        assert got["verdict"] == want, (src, dst, proto, kw, got["rule"]["text"], policy)
        want_reply = decide(policy, b, a, reply_of(forward))
        assert got["reply"]["verdict"] == want_reply, ("reply", src, dst, proto, kw, got["reply"]["rule"]["text"], policy)


def test_the_reference_sees_what_the_verdict_sees_on_a_known_policy(fabric):
    """The reference itself is checked on one hand-written policy (so a bug shared by both is not silent)."""
    policy = Policy(groups=[Group("e0", cons=("c0",)), Group("e1", prov=("c0",))],
                    contracts={"c0": Contract("c0", "context", (Subject(True, (Att("f0"),)),))},
                    filters={"f0": (Entry("ip", "tcp", None, (443, 443)),)}, taboos={})
    load(fabric, policy)
    a, b = End("e0"), End("e1")
    assert decide(policy, a, b, packet("tcp", None, 443, None)) == "permit"
    assert decide(policy, a, b, packet("tcp", None, 80, None)) == "deny"
    assert decide(policy, b, a, reply_of(packet("tcp", 5000, 443, None))) == "permit"
    assert fabric.says("10.0.0.1", "10.1.0.1", "tcp", 443) == "permit"
    assert fabric.says("10.0.0.1", "10.1.0.1", "tcp", 80) == "deny"
