"""A brute-force reference for the zoning verdict: it reads a small logical policy (plain data, the same the
property test posts to the APIC) and decides a flow by enumerating the EPGs, contracts, subjects, filters,
entries, vzAny, taboos, the preferred group and isolation directly, with the precedence of VEC D3/D4 and
the semantics of VEC D5 (and the choices documented in simulator/apic/zoning). It shares no code with the
simulator: not its rule compiler, not its entry matcher, not its classification.

One tenant, one VRF, one bridge domain, two application profiles, EPGs with two endpoints each, and at most
one external EPG (an L3Out) whose import-security subnets classify outside addresses (0.0.0.0/0 -> class 15).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

PROTO = {"tcp": 6, "udp": 17, "icmp": 1}
ANY_SIDE = "*any*"


@dataclass(frozen=True)
class Entry:
    etherT: str = "unspecified"
    prot: str = "unspecified"
    sport: tuple[int, int] | None = None
    dport: tuple[int, int] | None = None
    tcpRules: str = ""
    stateful: str = "no"

    def wildcard(self) -> bool:
        return self.etherT == "unspecified" and self.prot == "unspecified" and self.sport is None \
            and self.dport is None and not self.tcpRules


@dataclass(frozen=True)
class Att:
    filter: str
    action: str = "permit"
    log: bool = False
    override: str = "default"


@dataclass(frozen=True)
class Subject:
    rev: bool = True
    both: tuple[Att, ...] = ()
    into: tuple[Att, ...] = ()
    out: tuple[Att, ...] = ()


@dataclass(frozen=True)
class Contract:
    name: str
    scope: str
    subjects: tuple[Subject, ...]


@dataclass
class Group:
    name: str
    kind: str = "epg"  # epg | ext
    ap: str = "a1"
    isolated: bool = False
    pref: bool = False
    prov: tuple[str, ...] = ()
    cons: tuple[str, ...] = ()
    intra: tuple[str, ...] = ()
    taboos: tuple[str, ...] = ()
    subnets: tuple[str, ...] = ()


@dataclass
class Policy:
    enforced: bool = True
    pref_enabled: bool = False
    any_prov: tuple[str, ...] = ()
    any_cons: tuple[str, ...] = ()
    groups: list[Group] = field(default_factory=list)
    contracts: dict[str, Contract] = field(default_factory=dict)
    filters: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    taboos: dict[str, tuple[Att, ...]] = field(default_factory=dict)

    def group(self, name: str) -> Group:
        return next(g for g in self.groups if g.name == name)


@dataclass(frozen=True)
class Packet:
    ether: str  # ipv4 | arp
    proto: int | None
    sport: int | None
    dport: int | None
    flags: frozenset[str]


@dataclass(frozen=True)
class End:
    group: str
    default_class: bool = False  # an outside address only 0.0.0.0/0 classifies (class 15)


def packet(proto: str, sport: int | None, dport: int | None, flags: str | None) -> Packet:
    if proto == "arp":
        return Packet("arp", None, None, None, frozenset())
    number = PROTO[proto]
    if number == 6:
        got = frozenset({"ack"} if flags == "est" else {flags} if flags else {"syn"})
    else:
        got = frozenset()
    return Packet("ipv4", number, sport, dport, got)


def reply_of(p: Packet) -> Packet:
    return Packet(p.ether, p.proto, p.dport, p.sport, p.flags | {"ack"} if p.proto == 6 else p.flags)


def classify(policy: Policy, address: str, endpoints: dict[str, str]) -> End | None:
    if address in endpoints:
        return End(endpoints[address])
    best = None
    ip = ipaddress.ip_address(address)
    for g in policy.groups:
        for subnet in g.subnets:
            net = ipaddress.ip_network(subnet)
            if ip in net and (best is None or net.prefixlen > best[0]):
                best = (net.prefixlen, g.name)
    if best is None:
        return None
    return End(best[1], best[0] == 0)


def matches(e: Entry, p: Packet, swap: bool, ack_stateful: bool) -> bool:
    """One entry against one packet, straight from VEC D5's field semantics."""
    sport, dport = (e.dport, e.sport) if swap else (e.sport, e.dport)
    if e.etherT == "ip" and p.ether != "ipv4":
        return False
    if e.etherT == "arp" and p.ether != "arp":
        return False
    if e.prot != "unspecified" and PROTO[e.prot] != p.proto:
        return False
    if p.proto in (6, 17):
        if sport is not None and not (p.sport is not None and sport[0] <= p.sport <= sport[1]):
            return False
        if dport is not None and not (p.dport is not None and dport[0] <= p.dport <= dport[1]):
            return False
    elif sport is not None or dport is not None:
        return False
    if p.proto == 6:
        for rule in filter(None, e.tcpRules.split(",")):
            if rule == "est" and not p.flags & {"ack", "rst"}:
                return False
            if rule != "est" and rule not in p.flags:
                return False
        if ack_stateful and e.stateful == "yes" and "ack" not in p.flags:
            return False
    return True


RANK = {"deny,log": 0, "deny": 1, "permit": 3, "permit,log": 3}


def _action(att: Att) -> str:
    return att.action + (",log" if att.log else "")


def _prio(s_any: bool, d_any: bool, wildcard: bool, att: Att) -> int:
    if att.action == "deny" and att.override != "default":
        return {"level1": 7, "level2": 13, "level3": 17}[att.override]
    if not s_any and not d_any:
        return 9 if wildcard else 7
    if not s_any:
        return 15 if wildcard else 13
    if not d_any:
        return 16 if wildcard else 14
    return 17


def decide(policy: Policy, a: End, b: End, p: Packet) -> str:
    """permit or deny for a packet from a to b."""
    if not policy.enforced:
        return "permit"
    ga, gb = policy.group(a.group), policy.group(b.group)
    same_class = a.group == b.group and a.default_class == b.default_class
    if same_class:
        if not (ga.isolated or ga.intra):
            return "permit"
        found = []
        for name in ga.intra:
            for subj in policy.contracts[name].subjects:
                uses = [(t, False, False) for t in subj.both + subj.into] + [(t, False, True) for t in subj.out]
                uses += [(t, subj.rev, True) for t in subj.both]
                for att, swap, ack in uses:
                    if any(matches(e, p, swap, ack) for e in policy.filters[att.filter]):
                        found.append(RANK[_action(att)])
        return "deny" if not found or min(found) < 3 else "permit"
    candidates: list[tuple[int, int]] = [(21, 0)]  # the implicit deny
    if p.ether == "arp":
        candidates.append((17, 3))
    if b.default_class:
        candidates.append((22, 0))
    for name in gb.taboos:
        for att in policy.taboos[name]:
            if any(matches(e, p, False, False) for e in policy.filters[att.filter]):
                candidates.append((5, 0 if att.log else 1))
    if policy.pref_enabled:
        candidates.append((20, 3))
        if not ga.pref:
            candidates.append((18, 0))
        if not gb.pref:
            candidates.append((19, 0))
    for contract in policy.contracts.values():
        name = contract.name
        forward = [(c, pv) for c in ([ga] if name in ga.cons else []) + ([ANY_SIDE] if name in policy.any_cons else [])
                   for pv in ([gb] if name in gb.prov else []) + ([ANY_SIDE] if name in policy.any_prov else [])]
        backward = [(pv, c) for pv in ([ga] if name in ga.prov else []) + ([ANY_SIDE] if name in policy.any_prov else [])
                    for c in ([gb] if name in gb.cons else []) + ([ANY_SIDE] if name in policy.any_cons else [])]
        for direction, pairs in (("forward", forward), ("backward", backward)):
            for src, dst in pairs:
                if contract.scope == "application-profile" and src != ANY_SIDE and dst != ANY_SIDE and not (
                        src.kind == dst.kind == "epg" and src.ap == dst.ap):
                    continue
                for subj in contract.subjects:
                    if direction == "forward":
                        uses = [(t, False, False) for t in subj.both + subj.into]
                    else:
                        uses = [(t, subj.rev, True) for t in subj.both] + [(t, False, True) for t in subj.out]
                    for att, swap, ack in uses:
                        entries = policy.filters[att.filter]
                        if any(matches(e, p, swap, ack) for e in entries):
                            wildcard = any(e.wildcard() for e in entries)
                            prio = _prio(src == ANY_SIDE, dst == ANY_SIDE, wildcard, att)
                            candidates.append((prio, RANK[_action(att)]))
    return "deny" if min(candidates)[1] < 3 else "permit"
