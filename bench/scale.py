"""A fabric at the verified-scalability size: load time, memory per MO, indexed queries, growth 10% -> 100%.

For each fraction of the verified size (200 leaves, 3,000 tenants, 3,000 VRFs, 15,000 BDs and EPGs, 1,000
contracts with 10,000 filter entries, 100,000 endpoints; simulator/apic/scale.py, seed 7) a fresh process
boots an APIC on a fabric of that many leaves and loads the generated tree with `load_scale`, the function
the lab runs for a `scale:` scenario. It reports:

* load      wall and CPU seconds, MOs added, MOs per CPU second;
* memory    RSS growth per MO added, measured after the queries below built their value indexes (so it
            includes every index); and, at one fraction, the Python heap per MO by tracemalloc with its
            top allocation sites (a separate process: tracemalloc slows the load down three times);
* queries   `QueryEngine.class_query` as the REST layer calls it (with `Query.from_params` and rendering):
            eq(fvCEp.mac) over 10% .. 100% of 100,000 endpoints, its first run (which builds the index)
            and the median of later runs; the same filter where no index applies (`or(eq(..),false)`, every
            fvCEp evaluated); eq(fvTenant.name); and, in the same loop, a plain dict lookup (`by_dn.get`)
            and the DN query of the same endpoint (`mo_query`), for ratios taken in the same run;
* subtree   `rsp-subtree=full` over a page of tenants that renders ~10,000 objects.

Growth 10% -> 100%: load CPU per MO (1.0 is linear), indexed query time (1.0 is constant; its ratio to
the DN query of the same run is the figure that resists load from other processes), subtree per object.
Targets: memory per MO (RSS, at the largest fraction) under 1 KB; indexed eq query under 20 ms; growths.
"""

from __future__ import annotations

import gc
import json
import linecache
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import _common as c

FRACTIONS = (0.1, 0.25, 0.5, 1.0)
QUICK_FRACTIONS = (0.01, 0.025, 0.05, 0.1)
TRACED = {False: 0.25, True: 0.05}  # the fraction measured under tracemalloc
SEED = 7
REPS = 41
SUBTREE_OBJECTS = 10_000
TARGET_BYTES = 1024
TARGET_MS = 20.0


def _boot(fraction: float):
    from simulator.apic.scale import VERIFIED
    from simulator.apic.service import Apic, ApicConfig

    spec = VERIFIED.at(fraction)
    topology = spec.topology()
    apic = Apic(ApicConfig(topology=topology))
    for dn, body in topology.path_bodies():
        apic.system_post(dn, body)
    return apic, spec, topology


def _timed(fn, reps: int) -> tuple[float, list[float]]:
    """(first run, later runs) in seconds."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    runs = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return first, runs


def _objects(node: dict) -> int:
    body = next(iter(node.values()))
    return 1 + sum(_objects(child) for child in body.get("children", ()))


def worker_load(fraction: float) -> dict:
    """Runs in a fresh process: load the fraction, run the queries, report."""
    from simulator.apic.query import Query
    from simulator.apic.scale import load_scale

    apic, spec, topology = _boot(fraction)
    store, cat, engine = apic.store, apic.catalog, apic.queries
    gc.collect()
    rss0 = c.rss_bytes()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    added = load_scale(apic, spec, SEED, topology)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    out: dict = {"fraction": fraction, "spec": spec.__dict__, "mos": added, "load_wall_s": wall, "load_cpu_s": cpu,
                 "rss_after_load": c.rss_bytes() - rss0}

    ceps = list(store.of_class("fvCEp"))
    target = ceps[len(ceps) // 2]
    mac, dn = target.get("mac"), target.dn
    tenant = f"scale{spec.tenants // 2 + 1:04d}"
    eq_mac = [("query-target-filter", f'eq(fvCEp.mac,"{mac}")')]
    scan_mac = [("query-target-filter", f'or(eq(fvCEp.mac,"{mac}"),false)')]
    eq_tenant = [("query-target-filter", f'eq(fvTenant.name,"{tenant}")')]

    def indexed():
        imdata, total = engine.class_query("fvCEp", Query.from_params(eq_mac, cat))
        assert total == 1 and imdata[0]["fvCEp"]["attributes"]["dn"] == dn, imdata
        return imdata

    def scanned():
        imdata, total = engine.class_query("fvCEp", Query.from_params(scan_mac, cat))
        assert total == 1, imdata

    def by_tenant():
        imdata, total = engine.class_query("fvTenant", Query.from_params(eq_tenant, cat))
        assert total == 1, imdata

    def mo_query():
        imdata, total = engine.mo_query(dn, Query.from_params([], cat))
        assert total == 1

    by_dn = store.by_dn

    def dict_lookup():
        return by_dn.get(dn)

    first_indexed, _ = _timed(indexed, 0)
    first_tenant, _ = _timed(by_tenant, 0)
    samples: dict[str, list[float]] = {k: [] for k in ("indexed", "tenant", "mo", "dict")}
    ratios_dict, ratios_mo = [], []
    for _ in range(REPS):  # interleaved, so that load from other processes falls on all alike
        t_idx = _timed(indexed, 0)[0]
        t_ten = _timed(by_tenant, 0)[0]
        t_mo = _timed(mo_query, 0)[0]
        start = time.perf_counter()
        for _ in range(1000):
            dict_lookup()
        t_dict = (time.perf_counter() - start) / 1000
        samples["indexed"].append(t_idx)
        samples["tenant"].append(t_ten)
        samples["mo"].append(t_mo)
        samples["dict"].append(t_dict)
        ratios_dict.append(t_idx / t_dict)
        ratios_mo.append(t_idx / t_mo)
    _, scans = _timed(scanned, 5)

    # a page of tenants whose whole subtrees come to ~10,000 objects
    per_tenant = sum(1 for _ in store.subtree(store.get(f"uni/tn-{tenant}")))
    page = max(1, round(SUBTREE_OBJECTS / per_tenant))
    full = [("query-target-filter", 'wcard(fvTenant.name,"^scale")'), ("rsp-subtree", "full"),
            ("page-size", str(page))]
    rendered = [0]

    def subtree():
        imdata, _ = engine.class_query("fvTenant", Query.from_params(full, cat))
        rendered[0] = sum(_objects(node) for node in imdata)

    _, subtrees = _timed(subtree, 7)
    gc.collect()
    med = statistics.median
    out.update({
        "rss_bytes": c.rss_bytes() - rss0,
        "value_indexes": store.value_indexes(),
        "indexed_first_ms": first_indexed * 1e3, "indexed_ms": med(samples["indexed"]) * 1e3,
        "indexed_iqr_ms": c.iqr([s * 1e3 for s in samples["indexed"]], ".3f"),
        "tenant_first_ms": first_tenant * 1e3, "tenant_ms": med(samples["tenant"]) * 1e3,
        "mo_query_ms": med(samples["mo"]) * 1e3, "dict_lookup_us": med(samples["dict"]) * 1e6,
        "indexed_to_dict": med(ratios_dict), "indexed_to_mo_query": med(ratios_mo),
        "scan_ms": med(scans) * 1e3, "candidates": len(ceps),
        "subtree_ms": med(subtrees) * 1e3, "subtree_objects": rendered[0], "subtree_tenants": page,
    })
    out["bytes_per_mo"] = out["rss_bytes"] / added
    return out


def worker_traced(fraction: float) -> dict:
    """Runs in a fresh process: the Python heap the load leaves, per MO, with its top allocation sites."""
    import tracemalloc

    from simulator.apic.scale import load_scale

    apic, spec, topology = _boot(fraction)
    gc.collect()
    tracemalloc.start(1)
    before, _ = tracemalloc.get_traced_memory()
    added = load_scale(apic, spec, SEED, topology)
    gc.collect()
    after, peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    root = str(c.ROOT) + "/"
    sites = [{"site": f"{s.traceback[0].filename.replace(root, '')}:{s.traceback[0].lineno}",
              "code": linecache.getline(s.traceback[0].filename, s.traceback[0].lineno).strip()[:60],
              "bytes_per_mo": s.size / added} for s in snapshot.statistics("lineno")[:10]]
    store = apic.store
    classes = Counter(mo.cls for mo in store.by_dn.values() if mo.dn.startswith("uni/tn-scale"))
    return {"fraction": fraction, "mos": added, "bytes_per_mo": (after - before) / added,
            "peak_per_mo": (peak - before) / added, "sites": sites, "classes": dict(classes.most_common())}


def run(kind: str, fraction: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", f"{kind}:{fraction}"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {kind}:{fraction} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--fractions", type=float, nargs="+", help="fractions of the verified size to load")
    p.add_argument("--_worker", help=__import__("argparse").SUPPRESS)
    args = p.parse_args()
    if args._worker:
        kind, fraction = args._worker.split(":")
        worker = worker_load if kind == "load" else worker_traced
        print(json.dumps(worker(float(fraction))))
        return 0
    fractions = tuple(args.fractions or (QUICK_FRACTIONS if args.quick else FRACTIONS))
    c.banner(f"verified-scale fabric at {', '.join(f'{f:g}' for f in fractions)} of its size", args.quick)
    results = []
    for fraction in fractions:
        results.append(run("load", fraction))
        r = results[-1]
        print(f"  {fraction:g}: {r['mos']:,} MOs in {r['load_wall_s']:.1f} s ({r['load_cpu_s']:.1f} s CPU)", flush=True)
    traced = run("traced", TRACED[args.quick])

    print()
    print(c.table(
        ("fraction", "endpoints", "MOs", "load s", "load CPU s", "MOs/CPU s", "RSS B/MO"),
        [(f"{r['fraction']:g}", r["spec"]["endpoints"], r["mos"], r["load_wall_s"], r["load_cpu_s"],
          r["mos"] / r["load_cpu_s"], r["bytes_per_mo"]) for r in results]))
    print()
    print(c.table(
        ("fraction", "eq mac 1st ms", "eq mac ms", "IQR ms", "x dict.get", "x mo query", "scan ms",
         "eq tenant ms", "subtree ms", "objects", "us/object"),
        [(f"{r['fraction']:g}", r["indexed_first_ms"], r["indexed_ms"], r["indexed_iqr_ms"], r["indexed_to_dict"],
          r["indexed_to_mo_query"], r["scan_ms"], r["tenant_ms"], r["subtree_ms"], r["subtree_objects"],
          r["subtree_ms"] * 1e3 / r["subtree_objects"]) for r in results]))
    small, large = results[0], results[-1]
    growth = {
        "size": large["mos"] / small["mos"],
        "load_cpu_per_mo": (large["load_cpu_s"] / large["mos"]) / (small["load_cpu_s"] / small["mos"]),
        "indexed_query": large["indexed_ms"] / small["indexed_ms"],
        "indexed_to_mo_query": large["indexed_to_mo_query"] / small["indexed_to_mo_query"],
        "scan": large["scan_ms"] / small["scan_ms"],
        "subtree_per_object": (large["subtree_ms"] / large["subtree_objects"])
        / (small["subtree_ms"] / small["subtree_objects"]),
    }
    print(f"\ngrowth {small['fraction']:g} -> {large['fraction']:g} ({growth['size']:.1f}x the MOs): "
          f"load CPU per MO {growth['load_cpu_per_mo']:.2f}x (1 = linear), indexed eq query "
          f"{growth['indexed_query']:.2f}x (1 = constant; {growth['indexed_to_mo_query']:.2f}x relative to the DN "
          f"query), unindexed scan {growth['scan']:.2f}x, subtree per object {growth['subtree_per_object']:.2f}x")
    print(f"\ntracemalloc at {traced['fraction']:g} ({traced['mos']:,} MOs): {traced['bytes_per_mo']:.0f} B/MO "
          f"(peak {traced['peak_per_mo']:.0f})")
    print(c.table(("top allocation sites", "B/MO", "code"),
                  [(s["site"], s["bytes_per_mo"], s["code"]) for s in traced["sites"]]))
    print("\nMOs of the generated tenants by class: "
          + ", ".join(f"{k} {v:,}" for k, v in traced["classes"].items()))

    figures = {"fractions": results, "traced": traced, "growth": growth}
    targets = [
        c.target(f"memory per MO at {large['fraction']:g} (RSS, with indexes)", large["bytes_per_mo"],
                 TARGET_BYTES, "B", False),
        c.target(f"memory per MO at {traced['fraction']:g} (tracemalloc)", traced["bytes_per_mo"],
                 TARGET_BYTES, "B", False),
        c.target(f"indexed eq class query at {large['fraction']:g} (engine)", large["indexed_ms"], TARGET_MS,
                 "ms", False),
        c.target("load CPU per MO growth (1 = linear)", growth["load_cpu_per_mo"], 1.5, "x", False),
        c.target("indexed eq query growth, relative to the DN query (1 = constant)", growth["indexed_to_mo_query"],
                 2.0, "x", False),
    ]
    c.report_targets(args, "scale", figures, targets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
