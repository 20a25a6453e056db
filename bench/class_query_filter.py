"""A filtered class query over 100,000 fvAEPg, against a plain list comprehension over the same MOs.

The tree is 1,000 tenants x 1 application profile x 100 EPGs (100,000 fvAEPg, 102,000 MOs), built
straight through `Store.transaction()` / `txn.create`, one transaction per tenant (the build time and
rate are reported; the same tree shape posted through the validating `Writer` is measured on a
sample for its rate). Then, interleaved in each repetition, the same selection is timed:

* baseline    `[m for m in mos if m.get("name") == "epg-77"]` over the 100k fvAEPg;
* predicate   the compiled filter alone over `store.of_class("fvAEPg")`;
* count       the engine with `rsp-subtree-include=count` (selection + filter, no rendering);
* engine      `QueryEngine.class_query` with the filter (selection + filter + rendering 1,000 MOs),
              including `Query.from_params`, as the REST layer calls it;
* HTTP        GET /api/class/fvAEPg.json?query-target-filter=... on a local server (no TLS).

Each figure is the median over the repetitions, in ms, and the median of the ratios to the baseline
taken within each repetition (so load from other processes cancels). The max column and the count
of full garbage collections show the occasional pause of a full GC over 100k+ tracked objects.
Target: engine query under 50 ms.
"""

from __future__ import annotations

import gc
import json
import time
from urllib.parse import quote

import _common as c

TENANTS, EPGS_PER_AP = 1000, 100
FILTER = 'eq(fvAEPg.name,"epg-77")'
WANTED = "epg-77"
TARGET_MS = 50.0


def build_tree(apic, tenants: int, epgs: int) -> tuple[float, int]:
    """The tenants/AP/EPG tree through the store's transactions; returns (seconds, MOs created)."""
    store, cat = apic.store, apic.catalog
    tn, ap, epg = cat.get("fvTenant"), cat.get("fvAp"), cat.get("fvAEPg")
    before = len(store)
    start = time.perf_counter()
    for t in range(tenants):
        with store.transaction() as txn:
            tdn = f"uni/tn-bench{t}"
            txn.create(tn, tdn, {"name": f"bench{t}"})
            adn = f"{tdn}/ap-app"
            txn.create(ap, adn, {"name": "app"})
            for e in range(epgs):
                name = f"epg-{e}"
                txn.create(epg, f"{adn}/epg-{name}", {"name": name})
    return time.perf_counter() - start, len(store) - before


def writer_sample(tenants: int, epgs: int) -> tuple[float, int]:
    """The same shape posted through the Writer (validation, implicit children, relation hooks)."""
    from simulator.apic.codec import parse_json_body
    from simulator.lab import Lab

    apic = Lab().apic
    before = len(apic.store)
    bodies = [
        json.dumps(
            {
                "fvTenant": {
                    "attributes": {"name": f"w{t}"},
                    "children": [
                        {
                            "fvAp": {
                                "attributes": {"name": "app"},
                                "children": [
                                    {"fvAEPg": {"attributes": {"name": f"epg-{e}"}}} for e in range(epgs)
                                ],
                            }
                        }
                    ],
                }
            }
        )
        for t in range(tenants)
    ]
    start = time.perf_counter()
    for body in bodies:
        apic.writer.post("uni", parse_json_body(body))
    return time.perf_counter() - start, len(apic.store) - before


def main() -> int:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    c.banner("class query with query-target-filter over 100k fvAEPg", args.quick)
    reps, http_reps, writer_tenants = (5, 3, 10) if args.quick else (31, 15, 100)

    import requests

    from simulator.apic.query import Query
    from simulator.lab import Lab

    lab = Lab()
    apic = lab.apic
    build_s, built = build_tree(apic, TENANTS, EPGS_PER_AP)
    writer_s, writer_mos = writer_sample(writer_tenants, EPGS_PER_AP)

    store, cat, engine = apic.store, apic.catalog, apic.queries
    mos = [m for m in store.of_class("fvAEPg") if m.dn.startswith("uni/tn-bench")]
    candidates = len(store.of_class("fvAEPg"))
    params = [("query-target-filter", FILTER)]
    count_params = params + [("rsp-subtree-include", "count")]
    predicate = Query.from_params(params, cat).target_filter

    def baseline():
        return len([m for m in mos if m.get("name") == WANTED])

    def pred_only():
        return len([m for m in store.of_class("fvAEPg") if predicate(m)])

    def count_only():
        imdata, _ = engine.class_query("fvAEPg", Query.from_params(count_params, cat))
        return int(imdata[0]["moCount"]["attributes"]["count"])

    def full():
        return engine.class_query("fvAEPg", Query.from_params(params, cat))[1]

    server = lab.start(tls=False)
    url = f"{server.url}/api/class/fvAEPg.json?query-target-filter={quote(FILTER, safe='(),')}"
    session = requests.Session()
    session.trust_env = False
    session.headers["Cookie"] = c.login_cookie(server.url)

    http_bytes = 0

    def over_http():
        nonlocal http_bytes
        r = session.get(url, timeout=60)
        r.raise_for_status()
        http_bytes = len(r.content)
        return int(json.loads(r.content)["totalCount"])

    cases = [
        ("baseline list comprehension", baseline),
        ("compiled predicate alone", pred_only),
        ("engine, count only", count_only),
        ("engine class_query (rendered)", full),
    ]
    timings: dict[str, list[float]] = {name: [] for name, _ in cases}
    timings["HTTP GET /api/class"] = []
    hits: dict[str, int] = {}
    full_gcs: list[float] = []  # (seconds) of each full collection during the timed loop
    gc_started = [0.0]

    def gc_watch(phase: str, info: dict) -> None:
        if info.get("generation") == 2:
            if phase == "start":
                gc_started[0] = time.perf_counter()
            else:
                full_gcs.append(time.perf_counter() - gc_started[0])

    try:
        for name, fn in cases:  # warm-up, and the answers must agree
            hits[name] = fn()
        hits["HTTP GET /api/class"] = over_http()
        gc.callbacks.append(gc_watch)
        for rep in range(reps):
            order = cases if rep % 2 == 0 else cases[::-1]
            for name, fn in order:
                start = time.perf_counter()
                fn()
                timings[name].append((time.perf_counter() - start) * 1e3)
            if rep < http_reps:
                # the body is parsed as JSON only to check it; parsing is outside the timing
                start = time.perf_counter()
                r = session.get(url, timeout=60)
                timings["HTTP GET /api/class"].append((time.perf_counter() - start) * 1e3)
                r.raise_for_status()
    finally:
        if gc_watch in gc.callbacks:
            gc.callbacks.remove(gc_watch)
        session.close()
        lab.stop()

    expected = hits["baseline list comprehension"]
    agree = all(v == expected for v in hits.values())
    rows, figures = (
        [],
        {
            "fvAEPg_candidates": candidates,
            "matches": expected,
            "answers_agree": agree,
            "repetitions": reps,
            "http_repetitions": http_reps,
            "http_response_bytes": http_bytes,
            "build": {"mos": built, "seconds": build_s, "mos_per_s": built / build_s},
            "writer_sample": {"mos": writer_mos, "seconds": writer_s, "mos_per_s": writer_mos / writer_s},
            "median_ms": {},
            "max_ms": {},
            "ratio_to_baseline": {},
        },
    )
    baseline_series = timings["baseline list comprehension"]
    for name, series in timings.items():
        ms = c.median(series)
        # each repetition runs every case back to back: the ratio is taken within a repetition
        ratio = c.median(t / b for t, b in zip(series, baseline_series, strict=False))
        figures["median_ms"][name] = ms
        figures["max_ms"][name] = max(series)
        figures["ratio_to_baseline"][name] = ratio
        rows.append((name, ms, c.iqr(series, ".1f"), max(series), f"{ratio:.2f}x", hits[name]))
    figures["full_gc_during_timing"] = {"count": len(full_gcs), "max_ms": max(full_gcs, default=0.0) * 1e3}

    print(
        f"tree: {built:,} MOs built with txn.create in {build_s:.2f} s ({built / build_s:,.0f} MOs/s); "
        f"Writer.post sample: {writer_mos:,} MOs in {writer_s:.2f} s ({writer_mos / writer_s:,.0f} MOs/s, "
        f"implicit children included)"
    )
    print(
        f"class fvAEPg: {candidates:,} candidates, filter {FILTER} -> {expected:,} matches; "
        f"answers agree: {'yes' if agree else 'NO'}\n"
    )
    print(c.table(("selection", "median ms", "IQR ms", "max ms", "vs baseline", "matches"), rows))
    gcs = figures["full_gc_during_timing"]
    print(
        f"\nfull (generation 2) garbage collections during the timed loop: {gcs['count']}"
        + (f", longest {gcs['max_ms']:.0f} ms (the max column)" if gcs["count"] else "")
    )
    engine_ms = figures["median_ms"]["engine class_query (rendered)"]
    targets = [c.target("engine class_query, 100k fvAEPg, filtered", engine_ms, TARGET_MS, "ms", False)]
    c.report_targets(args, "class_query_filter", figures, targets)
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
