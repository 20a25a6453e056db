"""Zoning at size: a generated policy of 1,000 EPGs, 500 contracts and 10,000 filter entries over 3 VRFs on 20 leaves.

The policy (seeded, so one seed always gives the same tree) is one tenant per VRF, each with ten bridge domains
and its share of the EPGs; every EPG has a static path on a seeded leaf (so the VRF is deployed there, and each
leaf holds the rules of the VRFs deployed on it); every contract (scope context) has one subject with one filter
of 20 entries (tcp, seeded ports, some ranges), one provider and two consumers drawn from its VRF's EPGs. It is
written through the APIC's Writer, one tenant per write, as any client's write is (validation, implicit children,
relation resolution, and the zoning manager reacting).

Then, in one run and side by side:

* verdicts per second: `flow_verdict` for seeded flows between EPGs (the contract's port, a random port, the
  reply), each answered from the leaves' rules;
* one contract change: a filter entry's port of one contract changed by a write, timed with the zoning
  manager's recompute it triggers, as a ratio to a full recompute of every VRF on every leaf in the same run
  (the ratio says whether a change recomputes only what it touches);
* rules per leaf: actrlRule objects under each leaf (min / median / max), and the total.

Targets (reported, never asserted): one contract change costs at most a tenth of a full recompute; at least
1,000 verdicts per second.
"""

from __future__ import annotations

import gc
import random
import time

import _common as c

SEED = 14
FULL = {"epgs": 1000, "contracts": 500, "entries": 10000, "vrfs": 3, "leaves": 20}
QUICK = {"epgs": 100, "contracts": 50, "entries": 1000, "vrfs": 3, "leaves": 20}
BDS_PER_VRF = 10
CONSUMERS = 2
CHANGE_TARGET = 0.1  # one contract change: at most a tenth of a full recompute
VERDICTS_TARGET = 1000.0


def _mo(cls: str, children=None, **attrs: str):
    from simulator.apic.mit.proposed import ProposedMO

    return ProposedMO(cls, attrs, children or [])


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


class Policy:
    """The generated policy: per VRF, its tenant's write body; the EPG DNs and the contracts (name, provider,
    consumers, the ports of its entries) for the flows the bench asks."""

    def __init__(self, size: dict, seed: int, leaves: list[tuple[int, int]]):
        self.size = size
        self.rng = random.Random(seed)
        self.leaves = leaves  # (pod, node)
        self.epgs: list[list[str]] = []  # per VRF
        self.contracts: list[dict] = []
        self.bodies: list[tuple[str, object]] = []
        epg_no = contract_no = entry_no = 0
        for v in range(size["vrfs"]):
            tenant = f"zb{v + 1}"
            n_epgs = _share(size["epgs"], size["vrfs"], v)
            n_contracts = _share(size["contracts"], size["vrfs"], v)
            epgs = [f"uni/tn-{tenant}/ap-app/epg-e{epg_no + k + 1}" for k in range(n_epgs)]
            self.epgs.append(epgs)
            provides: dict[str, list[str]] = {dn: [] for dn in epgs}
            consumes: dict[str, list[str]] = {dn: [] for dn in epgs}
            children = [_mo("fvCtx", name="vrf", pcEnfPref="enforced")]
            children += [_mo("fvBD", [_mo("fvRsCtx", tnFvCtxName="vrf")], name=f"bd{b + 1}") for b in range(BDS_PER_VRF)]
            for k in range(n_contracts):
                name = f"c{contract_no + k + 1}"
                count = _share(size["entries"], size["contracts"], contract_no + k)
                entries, ports = [], []
                for n in range(count):
                    low = self.rng.randrange(1024, 60000)
                    high = low + (self.rng.choice((0, 0, 0, 10, 100)))
                    ports.append((low, high))
                    entries.append(_mo("vzEntry", name=f"e{entry_no + n + 1}", etherT="ip", prot="tcp",
                                       dFromPort=str(low), dToPort=str(high)))
                entry_no += count
                children.append(_mo("vzFilter", entries, name=f"f-{name}"))
                children.append(_mo("vzBrCP", [_mo("vzSubj", [_mo("vzRsSubjFiltAtt", tnVzFilterName=f"f-{name}")],
                                                   name="s", revFltPorts="yes")], name=name, scope="context"))
                provider, *consumers = self.rng.sample(epgs, 1 + CONSUMERS)
                provides[provider].append(name)
                for dn in consumers:
                    consumes[dn].append(name)
                self.contracts.append({"tenant": tenant, "name": name, "provider": provider, "consumers": consumers,
                                       "ports": ports, "filter": f"uni/tn-{tenant}/flt-f-{name}"})
            contract_no += n_contracts
            app = []
            for k, dn in enumerate(epgs):
                pod, node = self.leaves[self.rng.randrange(len(self.leaves))]
                path = f"topology/pod-{pod}/paths-{node}/pathep-[eth1/{1 + (epg_no + k) % 48}]"
                rels = [_mo("fvRsBd", tnFvBDName=f"bd{1 + k % BDS_PER_VRF}"),
                        _mo("fvRsPathAtt", tDn=path, encap=f"vlan-{100 + (epg_no + k) % 3000}",
                            instrImedcy="immediate")]
                rels += [_mo("fvRsProv", tnVzBrCPName=name) for name in provides[dn]]
                rels += [_mo("fvRsCons", tnVzBrCPName=name) for name in consumes[dn]]
                app.append(_mo("fvAEPg", rels, name=dn.rsplit("-", 1)[1]))
            epg_no += n_epgs
            children.append(_mo("fvAp", app, name="app"))
            self.bodies.append((f"uni/tn-{tenant}", _mo("fvTenant", children, name=tenant)))

    def flows(self, count: int) -> list[tuple[str, str, int]]:
        """Seeded flows: a contract's consumer to its provider on one of its ports (permitted), the reverse, and
        two EPGs of one VRF on a random port (mostly denied)."""
        out = []
        for n in range(count):
            contract = self.contracts[self.rng.randrange(len(self.contracts))]
            consumer = self.rng.choice(contract["consumers"])
            low, high = self.rng.choice(contract["ports"])
            kind = n % 3
            if kind == 0:
                out.append((consumer, contract["provider"], self.rng.randint(low, high)))
            elif kind == 1:
                out.append((contract["provider"], consumer, self.rng.randint(low, high)))
            else:
                vrf = self.epgs[self.rng.randrange(len(self.epgs))]
                a, b = self.rng.sample(vrf, 2)
                out.append((a, b, self.rng.randrange(1, 65536)))
        return out


def build(size: dict):
    """A fresh APIC on a fabric of `size["leaves"]` leaves with the policy written: (apic, policy, seconds)."""
    from simulator.apic.service import Apic, ApicConfig
    from simulator.fabric.topology import Topology

    topology = Topology(pods=1, controllers=3, spines=2, leaves=size["leaves"])
    apic = Apic(ApicConfig(topology=topology))
    policy = Policy(size, SEED, [(node.pod, node.id) for node in topology.leaf_nodes().values()])
    start = time.perf_counter()
    for _dn, body in policy.bodies:
        apic.writer.post("uni", body, system=True)
    return apic, policy, time.perf_counter() - start


def vrfs(apic) -> dict[str, None]:
    return dict.fromkeys(mo.dn for mo in apic.store.of_class("fvCtx") if mo.dn.startswith("uni/tn-zb"))


def rules_per_leaf(apic, leaves: int) -> list[int]:
    """actrlRule objects under each leaf of the fabric (0 for a leaf no VRF is deployed on)."""
    counts = {node: 0 for node in range(101, 101 + leaves)}
    for rule in apic.store.of_class("actrlRule"):
        node = int(rule.dn.split("/node-", 1)[1].split("/", 1)[0])
        counts[node] = counts.get(node, 0) + 1
    return sorted(counts.values())


def full_recompute(apic, all_vrfs: dict[str, None]) -> float:
    """Every VRF compiled again and every leaf's objects compared with it (the zoning manager's own render, in one
    store transaction): the cost a change would pay if it recomputed everything."""
    start = time.perf_counter()
    with apic.store.transaction() as txn:
        apic.zoning.leaves.render(txn, all_vrfs)
    return time.perf_counter() - start


def one_contract_change(apic, policy: Policy, n: int) -> float:
    """The first entry of one contract's filter moved to another port, written as a client writes it; the zoning
    manager recomputes what the write touches before the write returns."""
    from simulator.apic.mit.proposed import ProposedMO

    contract = policy.contracts[n % len(policy.contracts)]
    port = str(2000 + n % 1000)
    body = ProposedMO("vzEntry", {"dFromPort": port, "dToPort": port}, [])
    entry = f"{contract['filter']}/e-{_first_entry(apic, contract['filter'])}"
    start = time.perf_counter()
    apic.writer.post(entry, body, system=True)
    return time.perf_counter() - start


def _first_entry(apic, filter_dn: str) -> str:
    flt = apic.store.get(filter_dn)
    return next(kid.get("name") for kid in flt.child_list() if kid.cls == "vzEntry")


def unrelated_write(apic, n: int) -> float:
    """A write of the same size the zoning does not read (a tenant's description): the Writer's own cost."""
    from simulator.apic.mit.proposed import ProposedMO

    start = time.perf_counter()
    apic.writer.post("uni/tn-zb1", ProposedMO("fvTenant", {"descr": f"bench {n}"}, []), system=True)
    return time.perf_counter() - start


def verdicts(apic, flows: list[tuple[str, str, int]]) -> tuple[float, dict[str, int], list[str]]:
    """(seconds for all flows, verdicts by kind, wrong answers): a consumer to its provider on one of the
    contract's ports must be permitted by a contract rule."""
    from simulator.apic.zoning import flow_verdict

    answers = []
    start = time.perf_counter()
    for src, dst, port in flows:
        answers.append(flow_verdict(apic.store, src, dst, "tcp", port))
    spent = time.perf_counter() - start
    counts = {"permit": 0, "deny": 0}
    wrong = []
    for n, ((src, dst, port), answer) in enumerate(zip(flows, answers, strict=True)):
        counts[answer["verdict"]] += 1
        if n % 3 == 0 and (answer["verdict"] != "permit" or not answer["rule"].get("contract")):
            wrong.append(f"{src} -> {dst} tcp/{port}: {answer['verdict']} by {answer['rule'].get('text')}")
    return spent, counts, wrong


def main() -> int:
    p = c.parser(__doc__.splitlines()[0])
    args = p.parse_args()
    size = QUICK if args.quick else FULL
    reps = 3 if args.quick else 7
    flow_count = 60 if args.quick else 120
    c.banner(f"zoning: {size['epgs']:,} EPGs, {size['contracts']:,} contracts, {size['entries']:,} filter entries, "
             f"{size['vrfs']} VRFs, {size['leaves']} leaves", args.quick)
    gc.collect()
    apic, policy, built = build(size)
    all_vrfs = vrfs(apic)
    per_leaf = rules_per_leaf(apic, size["leaves"])
    print(f"policy written in {built:.2f} s ({len(apic.store):,} MOs); "
          f"{sum(per_leaf):,} actrlRule on the leaves")

    flows = policy.flows(flow_count)
    spent, counts, wrong = verdicts(apic, flows)
    rate = len(flows) / spent
    full, change, plain, ratios = [], [], [], []
    for n in range(reps):  # interleaved: load from other processes touches all three alike
        full.append(full_recompute(apic, all_vrfs))
        change.append(one_contract_change(apic, policy, n))
        plain.append(unrelated_write(apic, n))
        ratios.append(change[-1] / full[-1])
    ratio = c.median(ratios)

    print(c.table(("measure", "median ms", "spread ms"), [
        ("full recompute (every VRF, every leaf)", c.median(full) * 1e3, c.spread([x * 1e3 for x in full])),
        ("one contract change (a filter entry's port)", c.median(change) * 1e3, c.spread([x * 1e3 for x in change])),
        ("unrelated write of the same size", c.median(plain) * 1e3, c.spread([x * 1e3 for x in plain])),
    ]))
    print(f"one contract change / full recompute: {ratio:.3f} (median of {reps} side-by-side ratios, "
          f"{c.spread(ratios, '.3f')})")
    print(f"verdicts: {len(flows)} in {spent:.2f} s = {rate:,.0f}/s ({counts['permit']} permit, {counts['deny']} deny)")
    print(f"rules per leaf: min {per_leaf[0]:,}, median {c.median(per_leaf):,.0f}, max {per_leaf[-1]:,} "
          f"over {len(per_leaf)} leaves")
    for line in wrong[:5]:
        print(f"WRONG {line}")
    figures = {"size": size, "seed": SEED, "build_s": built, "mos": len(apic.store),
               "full_recompute_ms": c.median(full) * 1e3, "contract_change_ms": c.median(change) * 1e3,
               "unrelated_write_ms": c.median(plain) * 1e3, "change_to_full_ratio": ratio,
               "verdicts_per_s": rate, "verdicts": counts, "wrong": len(wrong),
               "rules_per_leaf": {"min": per_leaf[0], "median": c.median(per_leaf), "max": per_leaf[-1],
                                  "total": sum(per_leaf)}}
    targets = [c.target("one contract change / full recompute", ratio, CHANGE_TARGET, "x", higher_is_better=False),
               c.target("verdicts per second", rate, VERDICTS_TARGET, "/s", higher_is_better=True)]
    c.report_targets(args, "zoning", figures, targets)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
