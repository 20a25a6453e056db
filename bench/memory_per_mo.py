"""Memory per MO: bytes the tree grows by per managed object, by tracemalloc and by RSS.

Two ways of filling a freshly booted APIC with ~100,000 MOs, each measured in its own fresh process
(so one measurement cannot reuse memory freed by another), once under tracemalloc (Python heap
bytes still allocated afterwards, with the top allocation sites) and once without it (RSS delta):

* store   tenants of 1 fvTenant + 1 fvAp + 49 fvBD + 49 fvAEPg (100 MOs each) created straight
          through `Store.transaction()` / `txn.create`, with the attributes a write stores (name,
          modTs, uid): the cost of the tree itself and its indexes;
* writer  the same tenants posted through `Writer.post` with an fvRsBd under every EPG, so with the
          implicit children APIC adds (fvRsCtx, fvRsCustQosPol, ...) and the relation resolver's
          watch lists: the cost per MO as a real client's writes leave it.

Bytes per MO = growth / MOs added (implicit children included). The figure moves by up to ~25% with
the count, because the big index dicts grow in powers of two (just after a resize they are half
empty); --quick uses 10,000 MOs. Target: under 2 KB per MO.
"""

from __future__ import annotations

import gc
import json
import linecache
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import _common as c

TARGET_BYTES = 2048
PATHS = ("store", "writer")
METERS = ("tracemalloc", "rss")
BDS = EPGS = 49


def _tenant_store(txn, cat, t: int, ts: str) -> None:
    tn, ap, bd, epg = (cat.get(n) for n in ("fvTenant", "fvAp", "fvBD", "fvAEPg"))
    tdn = f"uni/tn-mem{t}"
    txn.create(tn, tdn, {"name": f"mem{t}", "modTs": ts, "uid": "15374"})
    txn.create(ap, f"{tdn}/ap-app", {"name": "app", "modTs": ts, "uid": "15374"})
    for i in range(BDS):
        txn.create(bd, f"{tdn}/BD-bd{i}", {"name": f"bd{i}", "modTs": ts, "uid": "15374"})
    for i in range(EPGS):
        txn.create(epg, f"{tdn}/ap-app/epg-epg{i}", {"name": f"epg{i}", "modTs": ts, "uid": "15374"})


def _tenant_body(t: int) -> str:
    epgs = [
        {
            "fvAEPg": {
                "attributes": {"name": f"epg{i}"},
                "children": [{"fvRsBd": {"attributes": {"tnFvBDName": f"bd{i}"}}}],
            }
        }
        for i in range(EPGS)
    ]
    bds = [{"fvBD": {"attributes": {"name": f"bd{i}"}}} for i in range(BDS)]
    app = {"fvAp": {"attributes": {"name": "app"}, "children": epgs}}
    return json.dumps({"fvTenant": {"attributes": {"name": f"mem{t}"}, "children": bds + [app]}})


def _fill(apic, path: str, mos: int) -> None:
    store = apic.store
    target = len(store) + mos
    t = 0
    if path == "store":
        ts = apic.timestamp()
        while len(store) < target:
            with store.transaction() as txn:
                _tenant_store(txn, apic.catalog, t, ts)
            t += 1
    else:
        from simulator.apic.codec import parse_json_body

        while len(store) < target:
            apic.writer.post("uni", parse_json_body(_tenant_body(t)))
            t += 1


def worker(path: str, meter: str, mos: int) -> dict:
    """Runs in a fresh process: boot a lab, fill it, report the growth."""
    from simulator.lab import Lab

    lab = Lab()
    apic = lab.apic
    store = apic.store
    n0 = len(store)
    gc.collect()
    out: dict = {"path": path, "meter": meter}
    if meter == "tracemalloc":
        import tracemalloc

        tracemalloc.start(1)
        before, _ = tracemalloc.get_traced_memory()
        start = time.perf_counter()
        _fill(apic, path, mos)
        out["seconds"] = time.perf_counter() - start
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        added = len(store) - n0
        stats = snapshot.statistics("lineno")
        root = str(c.ROOT) + "/"
        out["top_sites"] = [
            {
                "site": f"{s.traceback[0].filename.replace(root, '')}:{s.traceback[0].lineno}",
                "code": linecache.getline(s.traceback[0].filename, s.traceback[0].lineno).strip()[:64],
                "bytes_per_mo": s.size / added,
                "blocks_per_mo": s.count / added,
            }
            for s in stats[:8]
        ]
        out["bytes"] = after - before
        out["peak_bytes"] = peak - before
    else:
        before = c.rss_bytes()
        start = time.perf_counter()
        _fill(apic, path, mos)
        out["seconds"] = time.perf_counter() - start
        gc.collect()
        out["bytes"] = c.rss_bytes() - before
        added = len(store) - n0
    out["mos"] = added
    out["bytes_per_mo"] = out["bytes"] / added
    classes = Counter(m.cls for m in list(store.by_dn.values())[n0 + 1 :])
    out["classes"] = dict(classes.most_common())
    out["class_index_entries_per_mo"] = (
        sum(len(v) for v in store.by_class.values())
        - sum(len(apic.catalog.lineage(m.cls)) for m in list(store.by_dn.values())[: n0 + 1])
    ) / added
    return out


def run_worker(path: str, meter: str, mos: int) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", f"{path}:{meter}", "--mos", str(mos)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {path}:{meter} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--mos", type=int, default=None, help="MOs to add (default 100,000; 10,000 with --quick)")
    p.add_argument("--_worker", help=argparse_suppress())
    args = p.parse_args()
    mos = args.mos or (10_000 if args.quick else 100_000)
    if args._worker:
        path, meter = args._worker.split(":")
        print(json.dumps(worker(path, meter, mos)))
        return 0

    c.banner(f"memory per MO, {mos:,} MOs per measurement", args.quick)
    results = {(path, meter): run_worker(path, meter, mos) for path in PATHS for meter in METERS}

    rows = []
    for path in PATHS:
        tm, rss = results[(path, "tracemalloc")], results[(path, "rss")]
        rows.append(
            (
                path,
                f"{tm['mos']:,}",
                tm["bytes_per_mo"],
                tm["peak_bytes"] / tm["mos"],
                rss["bytes_per_mo"],
                f"{rss['bytes_per_mo'] / tm['bytes_per_mo']:.2f}",
                f"{tm['class_index_entries_per_mo']:.1f}",
                f"{rss['mos'] / rss['seconds']:,.0f}",
            )
        )
    print(
        c.table(
            (
                "fill",
                "MOs",
                "B/MO traced",
                "B/MO peak",
                "B/MO RSS",
                "RSS/traced",
                "class-index keys/MO",
                "MOs/s (untraced)",
            ),
            rows,
        )
    )
    for path in PATHS:
        tm = results[(path, "tracemalloc")]
        print(f"\n{path}: MOs added by class: " + ", ".join(f"{k} {v:,}" for k, v in tm["classes"].items()))
        print(
            c.table(
                ("top allocation sites (" + path + ")", "B/MO", "blocks/MO", "code"),
                [
                    (s["site"], s["bytes_per_mo"], f"{s['blocks_per_mo']:.2f}", s["code"])
                    for s in tm["top_sites"]
                ],
            )
        )
    print(
        "\nA site is where a block was first allocated: big dicts show up where they last grew (few blocks,\n"
        "many bytes), and small dict key tables that CPython recycles from a free list show up where the\n"
        "table was first made (MO.values() for the event hands its table on to the next MO's attrs)."
    )

    figures = {f"{path}/{meter}": results[(path, meter)] for path in PATHS for meter in METERS}
    targets = [
        c.target(
            "bytes per MO, store fill (tracemalloc)",
            results[("store", "tracemalloc")]["bytes_per_mo"],
            TARGET_BYTES,
            "B",
            False,
        ),
        c.target(
            "bytes per MO, writer fill (tracemalloc)",
            results[("writer", "tracemalloc")]["bytes_per_mo"],
            TARGET_BYTES,
            "B",
            False,
        ),
        c.target(
            "bytes per MO, writer fill (RSS)",
            results[("writer", "rss")]["bytes_per_mo"],
            TARGET_BYTES,
            "B",
            False,
        ),
    ]
    c.report_targets(args, "memory_per_mo", figures, targets)
    return 0


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    raise SystemExit(main())
