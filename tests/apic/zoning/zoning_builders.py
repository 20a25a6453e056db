"""Small builders of APIC bodies for the zoning tests, and an in-process APIC posted to as admin through its
facade (the calls the REST layer makes), with the verdict of simulator.apic.zoning."""

from __future__ import annotations

from typing import Any

from simulator.apic.service import Apic
from simulator.apic.zoning import flow_verdict

Body = dict[str, Any]


def mo(cls: str, *children: Body, **attrs: str) -> Body:
    return {cls: {"attributes": attrs, "children": list(children)}}


def tenant(name: str, *children: Body) -> Body:
    return mo("fvTenant", *children, name=name)


def vrf(name: str = "v", *children: Body, **attrs: str) -> Body:
    return mo("fvCtx", *children, name=name, **attrs)


def bd(name: str = "b", ctx: str = "v") -> Body:
    return mo("fvBD", mo("fvRsCtx", tnFvCtxName=ctx), name=name)


def ap(name: str, *epgs: Body) -> Body:
    return mo("fvAp", *epgs, name=name)


def epg(name: str, *rels: Body, bd_name: str = "b", **attrs: str) -> Body:
    return mo("fvAEPg", mo("fvRsBd", tnFvBDName=bd_name), *rels, name=name, **attrs)


def prov(contract: str) -> Body:
    return mo("fvRsProv", tnVzBrCPName=contract)


def cons(contract: str) -> Body:
    return mo("fvRsCons", tnVzBrCPName=contract)


def entry(name: str, **attrs: str) -> Body:
    return mo("vzEntry", name=name, **attrs)


def tcp(name: str, port: str, **attrs: str) -> Body:
    return entry(name, etherT="ip", prot="tcp", dFromPort=port, dToPort=attrs.pop("to", port), **attrs)


def filt(name: str, *entries: Body) -> Body:
    return mo("vzFilter", *entries, name=name)


def subj(name: str, *filters: str | Body, **attrs: str) -> Body:
    rels = [mo("vzRsSubjFiltAtt", tnVzFilterName=f) if isinstance(f, str) else f for f in filters]
    return mo("vzSubj", *rels, name=name, **attrs)


def contract(name: str, *subjects: Body, **attrs: str) -> Body:
    return mo("vzBrCP", *subjects, name=name, **attrs)


def l3out(name: str, ctx: str, *inst: Body, leaf: str = "topology/pod-1/node-104") -> Body:
    node = mo("l3extLNodeP", mo("l3extRsNodeL3OutAtt", tDn=leaf, rtrId="1.1.1.1"), name="nodes")
    return mo("l3extOut", mo("l3extRsEctx", tnFvCtxName=ctx), node, *inst, name=name)


def instp(name: str, *subnets: str, rels: tuple[Body, ...] = (), **attrs: str) -> Body:
    return mo("l3extInstP", *[mo("l3extSubnet", ip=s) for s in subnets], *rels, name=name, **attrs)


class Fabric:
    """One APIC; `post` writes as the admin does, `endpoint` as the controller learns an endpoint."""

    def __init__(self):
        self.apic = Apic()
        token = self.apic.login("admin", "cisco123").token
        self.caller = self.apic.authenticate({"APIC-cookie": token}, "POST", ["/api/mo/uni.json"], b"")

    @property
    def store(self):
        return self.apic.store

    def post(self, body: Body, dn: str = "uni") -> None:
        self.apic.post(dn, body, self.caller)

    def delete(self, dn: str) -> None:
        self.apic.delete(dn, self.caller)

    def endpoint(self, epg_dn: str, mac: str, ip: str, path: str, vm: str = "") -> None:
        attrs = {"mac": mac, "ip": ip, "encap": "vlan-100", "lcC": "learned"}
        if vm:
            attrs["contName"] = vm
        self.apic.system_post(f"{epg_dn}/cep-{mac}", {"fvCEp": {"attributes": attrs, "children": [
            {"fvRsCEpToPathEp": {"attributes": {"tDn": path}}}]}})

    def tag(self, dn: str) -> str:
        return self.store.get(dn).get("pcTag")

    def verdict(self, src: str, dst: str, proto: str = "tcp", port: int | None = None, **kw) -> dict:
        return flow_verdict(self.store, src, dst, proto, port, **kw)

    def says(self, src: str, dst: str, proto: str = "tcp", port: int | None = None, **kw) -> str:
        return self.verdict(src, dst, proto, port, **kw)["verdict"]


def path(leaf: int, port: str = "eth1/1", pod: int = 1) -> str:
    return f"topology/pod-{pod}/paths-{leaf}/pathep-[{port}]"
