"""What a flow's two ends are: an endpoint, an EPG, an external EPG or an external address, with its class.

Confirmed (VEC B1, B2, D5): endpoints are fvCEp under their EPG (ip, mac, contName = the VM's name, fvIp
children for more addresses, fvRsCEpToPathEp to the leaf ports); an external address is classified by the
import-security l3extSubnet prefixes of the VRF's external EPGs, 0.0.0.0/0 giving class 15 (VEC D2).
Inferred (VEC D5): the lookup is longest-prefix match within the VRF. Chosen here: an external address is
looked up in the VRF of the flow's other end; an EPG named by its DN is "at" the first leaf it is deployed
on (its first endpoint's, else its first static path's, else its first VMM binding's leaf); an external
EPG is at its L3Out's first border leaf; an endpoint behind a vPC is at the lower leaf of the pair.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from ..managers.access_policy import leaf_pods, path_leaves
from ..mit.dn import parent_dn
from ..mit.store import MO, Store
from . import model

MAC = re.compile(r"^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$")


class ZoningError(ValueError):
    """A flow that cannot be asked: an unknown or ambiguous end, a bad protocol, port or flag."""


@dataclass
class Side:
    kind: str  # endpoint | epg | external
    group: str  # the EPG or external EPG DN
    tag: str
    vrf: str
    leaf: str  # the node DN traffic of this side enters the fabric at ('' when deployed nowhere)
    name: str
    address: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "epg" if self.kind != "external" else "instP": self.group, "pcTag": self.tag,
                "vrf": self.vrf, "leaf": self.leaf or None, "name": self.name, "address": self.address or None}


@dataclass
class Pending:
    """An address no endpoint has: classified once the other end's VRF is known."""

    address: str


def resolve(store: Store, text: str) -> Side | Pending:
    text = (text or "").strip()
    if not text:
        raise ZoningError("an end of the flow is empty")
    if text.startswith(("uni/", "topology/")):
        return _by_dn(store, text)
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        ceps = _ceps(store, "ip", text) + [store.get(parent_dn(ip.dn)) for ip in store.lookup("fvIp", "addr", text)]
        ceps = _distinct(ceps)
        return _one(store, ceps, text) if ceps else Pending(text)
    if MAC.match(text):
        mac = text.replace("-", ":").upper()
        ceps = _distinct(_ceps(store, "mac", mac) + _ceps(store, "mac", mac.lower()))
        if not ceps:
            raise ZoningError(f"no endpoint has MAC {text}")
        return _one(store, ceps, text)
    ceps = _distinct(_ceps(store, "contName", text))
    if not ceps:
        raise ZoningError(f"{text!r} is no endpoint IP or MAC, VM name, EPG or external EPG DN")
    return _one(store, ceps, text)


def _ceps(store: Store, prop: str, value: str) -> list[MO]:
    return [mo for mo in store.lookup("fvCEp", prop, value) if mo.cls == "fvCEp"]


def _distinct(ceps: list[MO | None]) -> list[MO]:
    seen: dict[str, MO] = {}
    for cep in ceps:
        if cep is not None and cep.cls == "fvCEp":
            seen.setdefault(cep.dn, cep)
    return list(seen.values())


def _one(store: Store, ceps: list[MO], text: str) -> Side:
    groups = {parent_dn(c.dn) for c in ceps}
    if len(groups) > 1:
        raise ZoningError(f"{text!r} is ambiguous: endpoints of it are in {', '.join(sorted(groups))}")
    cep = ceps[0]
    epg = parent_dn(cep.dn)
    mo = store.get(epg)
    if mo is None or mo.cls not in model.GROUP_CLASSES:
        raise ZoningError(f"endpoint {cep.dn} is not in an EPG")
    leaves = sorted({leaf for c in ceps for leaf in endpoint_leaves(c)})
    name = cep.get("contName") or cep.get("ip") or cep.get("mac")
    return Side("endpoint", epg, mo.get("pcTag"), model.vrf_of(store, epg), node_dn(store, leaves[0]) if leaves else "",
                name, cep.get("ip"))


def endpoint_leaves(cep: MO) -> list[int]:
    paths = [rel.get("tDn") for rel in cep.child_list() if rel.cls == "fvRsCEpToPathEp"] or [cep.get("fabricPathDn")]
    return sorted({leaf for path in paths if path for leaf in path_leaves(path)})


def node_dn(store: Store, leaf: int) -> str:
    pod = leaf_pods(store).get(leaf, 1)
    return f"topology/pod-{pod}/node-{leaf}"


def _by_dn(store: Store, dn: str) -> Side:
    mo = store.get(dn)
    if mo is None:
        raise ZoningError(f"no object {dn}")
    if mo.cls == "fvCEp":
        return _one(store, [mo], dn)
    if mo.cls == "fvAEPg":
        leaves = epg_leaves(store, dn)
        return Side("epg", dn, mo.get("pcTag"), model.vrf_of(store, dn), node_dn(store, leaves[0]) if leaves else "",
                    mo.get("name"))
    if mo.cls == "l3extInstP":
        group = model.read_group(store, dn)
        tag = mo.get("pcTag")
        if group is not None and group.subnets and all(
                ipaddress.ip_network(s, strict=False).prefixlen == 0 for s in group.subnets):
            tag = model.EXTERNAL_ANY_TAG
        leaves = border_leaves(store, parent_dn(dn))
        return Side("external", dn, tag, model.vrf_of(store, dn), node_dn(store, leaves[0]) if leaves else "",
                    mo.get("name"))
    raise ZoningError(f"{dn} is a {mo.cls}: name an endpoint, an EPG (fvAEPg) or an external EPG (l3extInstP)")


def epg_leaves(store: Store, epg: str) -> list[int]:
    """The leaves an EPG is deployed on, its endpoints' first (see the module docstring)."""
    found: dict[int, None] = {}
    mo = store.get(epg)
    kids = mo.child_list() if mo is not None else []
    for cep in kids:
        if cep.cls == "fvCEp":
            found.update(dict.fromkeys(endpoint_leaves(cep)))
    for rel in kids:
        if rel.cls == "fvRsPathAtt":
            found.update(dict.fromkeys(path_leaves(rel.get("tDn"))))
        elif rel.cls == "fvRsNodeAtt":
            found.update(dict.fromkeys(_node_id(rel.get("tDn"))))
    for locale in store.children(f"uni/epp/fv-[{epg}]"):
        if locale.cls == "fvLocale" and locale.rn.removeprefix("node-").isdigit():
            found[int(locale.rn.removeprefix("node-"))] = None
    return list(found)


def border_leaves(store: Store, l3out: str) -> list[int]:
    found: dict[int, None] = {}
    for profile in store.children(l3out):
        if profile.cls == "l3extLNodeP":
            for rel in profile.child_list():
                if rel.cls == "l3extRsNodeL3OutAtt":
                    found.update(dict.fromkeys(_node_id(rel.get("tDn"))))
    return list(found)


def _node_id(dn: str) -> list[int]:
    match = re.fullmatch(r"topology/pod-\d+/node-(\d+)", dn or "")
    return [int(match[1])] if match else []


def classify_external(store: Store, address: str, vrf: str) -> Side:
    """Longest-prefix match of an address over the import-security subnets of the VRF's external EPGs."""
    ip = ipaddress.ip_address(address)
    best: tuple[int, str, str] | None = None
    for out in model.l3outs_of_vrf(store, vrf):
        for inst in store.children(out):
            if inst.cls != "l3extInstP":
                continue
            for sub in inst.child_list():
                if sub.cls != "l3extSubnet" or "import-security" not in sub.get("scope").split(","):
                    continue
                try:
                    net = ipaddress.ip_network(sub.get("ip"), strict=False)
                except ValueError:
                    continue
                if net.version == ip.version and ip in net and (best is None or net.prefixlen > best[0]):
                    best = (net.prefixlen, inst.dn, sub.get("ip"))
    if best is None:
        raise ZoningError(f"no endpoint has address {address}, and no external EPG of {vrf or 'its VRF'} classifies it")
    length, inst, _ = best
    mo = store.get(inst)
    tag = model.EXTERNAL_ANY_TAG if length == 0 else mo.get("pcTag")
    leaves = border_leaves(store, parent_dn(inst))
    return Side("external", inst, tag, vrf, node_dn(store, leaves[0]) if leaves else "", mo.get("name"), address)
