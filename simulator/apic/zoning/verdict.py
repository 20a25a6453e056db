""""May A talk to B": the verdict of the rules the enforcing leaf holds, with the rule that decides it.

Confirmed (VEC D3, D6 and "What a simulator should do" D2): classify both ends to pcTags, take the rules
of the VRF scope of the leaf that enforces the flow (ingress enforcement, fvCtx.pcEnfDir ingress), keep
those whose source and destination classes and filter entries match (any/unspecified wildcards,
inclusive ranges, TCP flags), and sort by priority, then action (deny,log > deny > redirect > permit),
then specificity (a specific filter entry beats the any entry, a destination port beats a source port);
the answer names the rule like contract_parser's line `[prio:id] [vrf:...] action proto src dst
[contract:...]`.

Chosen here (documented, VEC D5 leaves them open): the enforcing leaf is the source's leaf; for traffic
from an external EPG it is the destination's leaf (with ingress enforcement the non-border leaf applies
policy to L3Out traffic); traffic between two VRFs is enforced in the consumer's VRF (a shared-service
provider carries a global tag), at the leaf of the end in that VRF, and traffic between two VRFs with no
shared contract is denied with no rule of any leaf (reported as default_action, not on a leaf: no route
leaks, the packet meets no zoning rule); traffic inside one class
meets no zoning rule unless the EPG is isolated or has intra-EPG contracts, and is then reported as the
class-eq-allow (3) default; a flow whose ends carry IPv6 addresses is ethertype ipv6, otherwise ipv4.
"""

from __future__ import annotations

import ipaddress

from ..mit.store import Store
from . import model
from .endpoints import Pending, Side, ZoningError, classify_external, resolve
from .entries import BadValue, Entry, Packet, packet_of
from .ids import ids_of
from .priorities import action_rank, permits
from .rules import ANY, IMPLICIT, Rule, Scope, compile_scope


def flow_verdict(store: Store, src: str, dst: str, proto: str = "tcp", port: int | None = None,
                 sport: int | None = None, tcp_flags: str | None = None) -> dict:
    """The verdict for the first packet of a flow from `src` to `dst` and for its reply."""
    with store.lock:
        a, b = _sides(store, src, dst)
        ethertype = "ipv6" if any(_v6(s.address) for s in (a, b)) else "ipv4"
        try:
            packet = packet_of(proto, sport, port, tcp_flags, ethertype)
        except BadValue as e:
            raise ZoningError(str(e)) from None
        scopes: dict[str, Scope | None] = {}
        forward = _decide(store, scopes, a, b, packet)
        reply = _decide(store, scopes, b, a, packet.reply())
    return {**forward, "from": a.as_dict(), "to": b.as_dict(),
            "flow": {"proto": proto, "port": port, "sport": sport, "tcpFlags": sorted(packet.flags) or None,
                     "ethertype": ethertype},
            "reply": {"verdict": reply["verdict"], "rule": reply["rule"], "leaf": reply["leaf"]}}


def _v6(address: str) -> bool:
    try:
        return bool(address) and ipaddress.ip_address(address).version == 6
    except ValueError:
        return False


def _sides(store: Store, src: str, dst: str) -> tuple[Side, Side]:
    a, b = resolve(store, src), resolve(store, dst)
    if isinstance(a, Pending) and isinstance(b, Pending):
        raise ZoningError(f"neither {src!r} nor {dst!r} is an endpoint or an EPG: one end must be inside the fabric")
    if isinstance(a, Pending):
        a = classify_external(store, a.address, b.vrf)
    if isinstance(b, Pending):
        b = classify_external(store, b.address, a.vrf)
    for side in (a, b):
        if not side.vrf:
            raise ZoningError(f"{side.group} is in no VRF (its bridge domain or L3Out does not resolve to one)")
        if not side.tag:
            raise ZoningError(f"{side.group} has no pcTag yet")
    return a, b


def _scope(store: Store, scopes: dict[str, Scope | None], vrf: str) -> Scope:
    if vrf not in scopes:
        ids = ids_of(store)
        if ids.hooked:
            ids.settle()
        scope = ids.scopes.get(vrf) if ids.hooked else None
        if scope is None:
            scope = compile_scope(store, vrf, ids)
            if ids.hooked and scope is not None:
                ids.scopes[vrf] = scope
        scopes[vrf] = scope
    scope = scopes[vrf]
    if scope is None:
        raise ZoningError(f"VRF {vrf} has no VNID")
    return scope


def _is_global(tag: str) -> bool:
    return tag.isdigit() and 16 <= int(tag) <= 16385


def _decide(store: Store, scopes: dict[str, Scope | None], a: Side, b: Side, packet: Packet) -> dict:
    """One direction: the scope and leaf that enforce it, and the winning rule."""
    leaf_side = b if a.kind == "external" and b.kind != "external" else a
    vrf = a.vrf
    foreign = None
    if a.vrf != b.vrf:
        if _is_global(b.tag):
            vrf, leaf_side, foreign = a.vrf, a, b
        elif _is_global(a.tag):
            vrf, leaf_side, foreign = b.vrf, b, a
    scope = _scope(store, scopes, vrf)
    leaf = leaf_side.leaf
    if a.vrf != b.vrf and (foreign is None or foreign.group not in scope.groups):
        # no shared-service contract joins the two: no route leaks, the packet never meets a zoning rule
        drop = Rule(scope.vnid, a.tag, b.tag, IMPLICIT, "default_action", "deny", "uni-dir", "tenant", id=0)
        return _answer(store, scope, leaf, drop, None, a, b, note="no route between the VRFs", on_leaf=False)
    by_pair = scope.by_pair()
    if a.tag == b.tag and not by_pair.get((a.tag, a.tag)):
        allow = Rule(scope.vnid, a.tag, b.tag, IMPLICIT, "class-eq-allow", "permit", "uni-dir", "tenant", id=0)
        return _answer(store, scope, leaf, allow, None, a, b, note="traffic inside one class", on_leaf=False)
    best = None
    pairs = dict.fromkeys([(a.tag, b.tag), (a.tag, ANY), (ANY, b.tag), (ANY, ANY)])
    for rule in (r for pair in pairs for r in by_pair.get(pair, ())):
        flt = scope.filters[rule.flt]
        for index, entry in enumerate(flt.entries):
            if entry.matches(packet, flt.ack):
                key = (rule.prio_number, action_rank(rule.action), tuple(-x for x in entry.specificity()), rule.id)
                if best is None or key < best[0]:
                    best = (key, rule, flt.entry_names()[index], entry)
    if best is None:  # the implicit deny matches every packet; a VRF without one is unenforced
        raise ZoningError(f"no rule of scope {scope.vnid} matches")
    _, rule, entry_name, entry = best
    return _answer(store, scope, leaf, rule, (entry_name, entry), a, b)


def _answer(store: Store, scope: Scope, leaf: str, rule: Rule, entry: tuple[str, Entry] | None, a: Side, b: Side,
            note: str = "", on_leaf: bool = True) -> dict:
    flt = scope.filters.get(rule.flt)
    vz_entry = ""
    if entry is not None and flt is not None and flt.source:
        index = flt.entry_names().index(entry[0])
        names = [e.name for e in flt.entries]
        vz_entry = names[index]
    contract = rule.contract or None
    dn = f"{leaf}/sys/actrl/scope-{scope.vnid}/{rule.rn}" if leaf and on_leaf else None
    taboo = rule.owners_of("taboo")
    result = {
        "dn": dn, "id": rule.id, "prio": rule.prio_number, "prioName": rule.prio, "action": rule.action,
        "direction": rule.direction, "scopeId": scope.vnid, "sPcTag": rule.s, "dPcTag": rule.d, "fltId": rule.flt,
        "contract": contract, "contracts": rule.owners_of("contract"), "taboo": taboo[0] if taboo else None,
        "subject": rule.subject or None, "filter": rule.filter or None, "entry": vz_entry or (entry[0] if entry else None),
        "default": rule.default, "type": rule.type,
    }
    if note:
        result["note"] = note
    result["text"] = _text(scope, rule, entry[1] if entry else None, a, b, contract or (taboo[0] if taboo else None))
    return {"verdict": "permit" if permits(rule.action) else "deny", "rule": result, "leaf": leaf or None}


def _text(scope: Scope, rule: Rule, entry: Entry | None, a: Side, b: Side, owner: str | None) -> str:
    """contract_parser's line (VEC D6): [prio:id] [vrf:tenant:vrf] action proto src(tag) dst(tag) [contract:dn]."""
    tenant = model.tenant_of(scope.vrf).removeprefix("uni/tn-")
    vrf_name = scope.vrf.rsplit("/ctx-", 1)[-1]
    src = _label(rule.s, a)
    dst = _label(rule.d, b)
    proto = _proto(entry)
    text = f"[{rule.prio_number}:{rule.id}] [vrf:{tenant}:{vrf_name}] {rule.action} {proto} {src} {dst}"
    if owner:
        text += f" [contract:{owner}]"
    return text


def _label(tag: str, side: Side) -> str:
    if tag == ANY:
        return "any"
    if tag == side.tag:
        return f"{side.group.removeprefix('uni/')}({tag})"
    return f"({tag})"


def _proto(entry: Entry | None) -> str:
    if entry is None or entry.is_any():
        return "any" if entry is None or entry.etherT in ("", "unspecified") else entry.etherT
    parts = [entry.prot if entry.prot not in ("", "unspecified") else entry.etherT]
    for label, lo, hi in (("sport", entry.sFromPort, entry.sToPort), ("dport", entry.dFromPort, entry.dToPort)):
        if lo not in ("", "unspecified") or hi not in ("", "unspecified"):
            lo = lo if lo not in ("", "unspecified") else hi
            hi = hi if hi not in ("", "unspecified") else lo
            parts.append(f"{label} {lo}" if lo == hi else f"{label} {lo}-{hi}")
    if entry.tcpRules:
        parts.append(f"[{entry.tcpRules}]")
    return " ".join(parts)
