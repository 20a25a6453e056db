"""A generated fabric at the APIC's verified-scalability size: tenants, VRFs, bridge domains, EPGs,
contracts with their filter entries, and learned endpoints on the leaves' ports.

Cisco's verified-scalability guide is the size a real fabric is tested at: 200 leaves, 3,000 tenants,
3,000 VRFs, 15,000 EPGs, 1,000 contracts with 10,000 filter entries and 100,000 endpoints. A lab at
that size (or any fraction of it) shows what a client's queries cost against a production-sized tree.
Every count scales with the fraction; the objects are spread evenly (tenant t gets its share of VRFs,
EPGs and contracts, EPG e its share of endpoints), and what is not a count (MAC addresses, the leaf
port of each endpoint, filter ports) comes from a seeded generator, so one (fraction, seed) always
gives the same tree.

The tree is written as the controller writes what it learns (system writes through the `Writer`, one
tenant per write, so validation, implicit children and relation resolution apply as to any write); the
leaves themselves come from the lab's fabric topology (fixtures/fabric/verified-scale.yaml has 200).
"""

from __future__ import annotations

import gc
import math
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields

from ..fabric.paths import path_dn
from ..fabric.topology import Topology
from .mit.dn import rn_of
from .mit.proposed import ProposedMO
from .mit.writes import MONITORING_POLICIES

LEAVES_PER_POD = 50  # 4 pods of 50 at full size (a pod holds at most 99 leaves, fabric/nodes.py)
MAX_ENDPOINTS_PER_EPG = 250  # one /24 per bridge domain: .1 is the gateway, .2-.251 endpoints


@dataclass(frozen=True)
class ScaleSpec:
    """How many of each object: the verified-scalability figures by default (`at(fraction)` scales them)."""

    leaves: int = 200
    tenants: int = 3000
    vrfs: int = 3000
    epgs: int = 15000  # each with a bridge domain of its own (the guide's 15,000 BDs)
    contracts: int = 1000
    filter_entries: int = 10000
    endpoints: int = 100000

    def at(self, fraction: float) -> ScaleSpec:
        """Every count times `fraction` (0 < fraction <= 1), rounded, at least one of each."""
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not math.isfinite(fraction) \
                or not 0 < fraction <= 1:
            raise ValueError(f"scale fraction must be a number above 0 and at most 1, not {fraction!r}")
        return ScaleSpec(**{f.name: max(1, round(getattr(self, f.name) * fraction)) for f in fields(self)})

    def validate(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"scale {f.name} must be a whole number of at least 1, not {value!r}")
        if self.epgs < self.tenants:
            raise ValueError(f"scale: {self.epgs} EPGs cannot give each of {self.tenants} tenants one")
        if self.contracts > self.tenants:
            raise ValueError(f"scale: {self.contracts} contracts are more than one per tenant ({self.tenants})")
        if self.epgs > 256 * 256:
            raise ValueError(f"scale: {self.epgs} EPGs are more than the 10.0.0.0/8 plan's 65,536 subnets")
        if -(-self.endpoints // self.epgs) > MAX_ENDPOINTS_PER_EPG:
            raise ValueError(f"scale: more than {MAX_ENDPOINTS_PER_EPG} endpoints per EPG do not fit its /24")

    def topology(self) -> Topology:
        """A fabric with this many leaves, in pods of 50 (the verified-scale fabric file has 4 such pods)."""
        pods = -(-self.leaves // LEAVES_PER_POD)
        if self.leaves % pods:
            raise ValueError(f"scale: {self.leaves} leaves do not split evenly into {pods} pods")
        return Topology(pods=pods, controllers=3, spines=2, leaves=self.leaves // pods)


VERIFIED = ScaleSpec()


@dataclass(frozen=True)
class ScaleSetting:
    """A lab's `scale:` (scenario key): which fraction of the verified size, from which seed."""

    fraction: float = 1.0
    seed: int = 7

    @classmethod
    def parse(cls, given: object, source: str) -> ScaleSetting:
        """From a scenario's mapping, e.g. `scale: {fraction: 0.1, seed: 7}`; a one-line error naming the
        file otherwise."""
        if not isinstance(given, dict):
            raise ValueError(f"{source}: scale is a mapping such as {{fraction: 0.1, seed: 7}}")
        unknown = sorted(map(str, set(given) - {"fraction", "seed"}))
        if unknown:
            raise ValueError(f"{source}: unknown scale settings: {', '.join(unknown)} (known: fraction, seed)")
        setting = cls(**given)
        seed = setting.seed
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise ValueError(f"{source}: scale seed must be a whole number of at least 0, not {seed!r}")
        try:
            setting.spec()
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
        return setting

    def spec(self) -> ScaleSpec:
        return VERIFIED.at(self.fraction)


def leaf_ports(topology: Topology) -> list[str]:
    """The path DN of every front-panel port of every leaf, in node order (where endpoints are learned)."""
    interfaces = topology.leaf_interfaces()
    return [path_dn(leaf.pod, leaf.id, name) for leaf in topology.leaf_nodes().values() for name in interfaces]


def _share(total: int, parts: int, index: int) -> int:
    """Part `index` of `total` split as evenly as whole numbers allow (the first parts get one more)."""
    return total // parts + (1 if index < total % parts else 0)


def _start(total: int, parts: int, index: int) -> int:
    """How many of `total` the parts before `index` hold."""
    return index * (total // parts) + min(index, total % parts)


def _mo(cls: str, children: list[ProposedMO] | None = None, **attrs: str) -> ProposedMO:
    return ProposedMO(cls, attrs, children or [])


class ScaleTree:
    """The generated tenants, one write body each; `tenants()` yields (dn, body) in tenant order."""

    def __init__(self, spec: ScaleSpec, seed: int, ports: Sequence[str]):
        spec.validate()
        if not ports:
            raise ValueError("scale: the fabric has no leaf ports to learn endpoints on")
        self.spec = spec
        self.seed = seed
        self.ports = list(ports)
        rng = random.Random(seed)
        # MAC n is a bijection of n over 24 bits (an odd multiplier), so no two endpoints share one
        self._mac_mul = rng.randrange(1, 1 << 24) | 1
        self._mac_add = rng.randrange(1 << 24)
        self._rng = rng

    def tenant_names(self) -> list[str]:
        return [self._tenant_name(t) for t in range(self.spec.tenants)]

    @staticmethod
    def _tenant_name(t: int) -> str:
        return f"scale{t + 1:04d}"

    def tenants(self) -> Iterator[GeneratedTenant]:
        for t in range(self.spec.tenants):
            yield self._tenant(t)

    def _tenant(self, t: int) -> GeneratedTenant:
        s = self.spec
        name = self._tenant_name(t)
        dn = f"uni/tn-{name}"
        children: list[ProposedMO] = []
        vrfs = [f"vrf{k + 1}" for k in range(_share(s.vrfs, s.tenants, t))] or ["default"]
        children += [_mo("fvCtx", name=v) for v in vrfs if v != "default"]
        contracts = self._contracts(t)
        for c, entries in contracts:
            children.append(_mo("vzFilter", [self._entry(k) for k in range(entries)], name=f"flt{c + 1}"))
            subject = _mo("vzSubj", [_mo("vzRsSubjFiltAtt", tnVzFilterName=f"flt{c + 1}")], name="subj")
            children.append(_mo("vzBrCP", [subject], name=f"ct{c + 1}"))
        first = _start(s.epgs, s.tenants, t)
        epgs = []
        endpoints: list[Endpoint] = []
        for k in range(_share(s.epgs, s.tenants, t)):
            e = first + k
            bd = f"bd{k + 1}"
            gateway = f"10.{e >> 8}.{e & 255}.1/24"
            children.append(_mo("fvBD", [_mo("fvRsCtx", tnFvCtxName=vrfs[k % len(vrfs)]),
                                         _mo("fvSubnet", ip=gateway)], name=bd))
            epgs.append(self._epg(e, k, bd, contracts))
            endpoints += self._endpoints(f"{dn}/ap-app/epg-epg{k + 1}", e)
        children.append(_mo("fvAp", epgs, name="app"))
        return GeneratedTenant(dn, _mo("fvTenant", children, name=name), endpoints)

    def _contracts(self, t: int) -> list[tuple[int, int]]:
        """(contract number, its filter's entry count) of the contracts tenant t holds."""
        s = self.spec
        first = _start(s.contracts, s.tenants, t)
        return [(c, _share(s.filter_entries, s.contracts, c))
                for c in range(first, first + _share(s.contracts, s.tenants, t))]

    def _entry(self, k: int) -> ProposedMO:
        port = str(self._rng.randrange(1024, 65536))
        return _mo("vzEntry", name=f"e{k + 1}", etherT="ip", prot="tcp", dFromPort=port, dToPort=port)

    @staticmethod
    def _epg(e: int, k: int, bd: str, contracts: list[tuple[int, int]]) -> ProposedMO:
        """EPG k of its tenant (EPG e of the fabric): its BD, and the tenant's contracts (the first EPG
        provides them, the others consume them)."""
        rel = "fvRsProv" if k == 0 else "fvRsCons"
        return _mo("fvAEPg", [_mo("fvRsBd", tnFvBDName=bd), *(_mo(rel, tnVzBrCPName=f"ct{c + 1}") for c, _ in contracts)],
                   name=f"epg{k + 1}")

    def _endpoints(self, epg_dn: str, e: int) -> list[Endpoint]:
        """EPG e's share of the endpoints: each a MAC of its own, learned on a seeded leaf port, with an IP
        of the EPG's subnet."""
        s = self.spec
        encap = f"vlan-{2 + e % 3000}"
        first = _start(s.endpoints, s.epgs, e)
        out = []
        for n in range(first, first + _share(s.endpoints, s.epgs, e)):
            m = (n * self._mac_mul + self._mac_add) & 0xFFFFFF
            mac = f"00:50:56:{m >> 16:02X}:{(m >> 8) & 255:02X}:{m & 255:02X}"
            port = self.ports[self._rng.randrange(len(self.ports))]
            out.append(Endpoint(epg_dn, mac, f"10.{e >> 8}.{e & 255}.{2 + n - first}", encap, port))
        return out


@dataclass(frozen=True)
class Endpoint:
    """A learned endpoint: fvCEp `epg/cep-<mac>` with its fvIp and its fvRsCEpToPathEp to the leaf port."""

    epg: str
    mac: str
    ip: str
    encap: str
    port: str

    @property
    def dn(self) -> str:
        return f"{self.epg}/cep-{self.mac}"

    def body(self) -> ProposedMO:
        """The endpoint as a write body (what `load_scale` creates directly is the same tree)."""
        return _mo("fvCEp", [_mo("fvIp", addr=self.ip), _mo("fvRsCEpToPathEp", tDn=self.port)],
                   mac=self.mac, ip=self.ip, encap=self.encap, lcC="learned", fabricPathDn=self.port)


@dataclass(frozen=True)
class GeneratedTenant:
    dn: str
    body: ProposedMO  # the tenant with its VRFs, BDs, filters, contracts, application profile and EPGs
    endpoints: list[Endpoint]


def load_scale(apic, spec: ScaleSpec, seed: int, topology: Topology) -> int:
    """Write the generated fabric into the APIC; returns the MOs added.

    Each tenant is one system write through the `Writer` (validated, with its implicit children and its
    relations resolved). Its endpoints are what the leaves learned: the controller creates them in one
    store transaction per tenant, as the Writer would for their bodies (the same classes, DNs and
    values, tests/apic/test_scale.py compares them) without planning ~300,000 known-good MOs one by
    one, and with the relation resolver and every other manager reacting as to any write. The endpoint
    tracker is left out of that transaction: the generated endpoints are the state the lab boots with,
    not moves it saw (as for a restored state, ep_tracker.py); so are the leaves' zoning rules (they would
    double the tree: a VRF's rules are rendered on its leaves by the next change of its policy, zoning/leaves.py)."""
    tree = ScaleTree(spec, seed, leaf_ports(topology))
    store = apic.store
    catalog = apic.catalog
    cep, ip, path = catalog.get("fvCEp"), catalog.get("fvIp"), catalog.get("fvRsCEpToPathEp")
    uid = apic.writer.uid
    before = len(store)
    with _bulk():
        for tenant in tree.tenants():
            apic.writer.post("uni", tenant.body, system=True)
            ts = apic.timestamp()
            policy = _monitoring_policy(tenant.dn)
            with store.transaction(without=(apic.ep_tracker, apic.zoning.leaves)) as txn:
                for ep in tenant.endpoints:
                    dn = ep.dn
                    txn.create(cep, dn, {"mac": ep.mac, "ip": ep.ip, "encap": ep.encap, "lcC": "learned",
                                         "fabricPathDn": ep.port, "modTs": ts, "uid": uid, "monPolDn": policy})
                    txn.create(ip, f"{dn}/ip-[{ep.ip}]", {"addr": ep.ip, "modTs": ts, "uid": uid, "monPolDn": policy})
                    # resolved as the relation resolver resolves it (it still checks it in this transaction)
                    txn.create(path, f"{dn}/rscEpToPathEp-[{ep.port}]",
                               {"tDn": ep.port, "tRn": rn_of(ep.port), "state": "formed", "modTs": ts, "uid": uid})
    return len(store) - before


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while the tree is built, and none over it afterwards.

    The tree holds no reference cycles (an MO points at its children, never back), but every full
    collection walks every object: a third of the load's time at 10% and more at full size. Once built,
    the objects are moved to the collector's permanent generation (`gc.freeze`), so that the lab's later
    requests do not pay a full walk over half a million MOs either (they are freed by reference counting
    as always when deleted)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.freeze()
        if enabled:
            gc.enable()


def _monitoring_policy(dn: str) -> str:
    """The monitoring policy an MO under `dn` reports (as the Writer sets monPolDn)."""
    return next((pol for prefix, pol in MONITORING_POLICIES if dn.startswith(prefix)), "")
