"""APIC write throughput with a state file (`--state`) as a ratio to the same lab without one.

Two labs are served side by side from this process over plain HTTP: one keeps its state in an SQLite
file (WAL, synchronous=FULL: one fsync per write, made before the write is answered), the other keeps
nothing. A client in a separate process (so that it does not share the servers' GIL) posts one new
tenant per request (`POST /api/mo/uni.json`, a single object; the APIC adds its implicit children in
the same write) in short blocks, alternating the two labs (A B, B A, ...), with one client thread and
with two, through `http.client` (a new connection per request, as werkzeug answers `Connection:
close`). Each adjacent pair of blocks gives one rate ratio; the figure is the median of those ratios,
which cancels the machine's speed, drift and load from other processes.

Diagnostics: MOs written per POST, the server's time per write inside the state file (the SQLite
transaction and its fsync), and the state file's size at the end.

Target: write rate with a state file >= 0.5 x without.
"""

from __future__ import annotations

import http.client
import json
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import _common as c

TARGET_RATIO = 0.5
LABS = ("off", "on")


class TimedWrites:
    """Wraps a state file's write_apic: how long the durable part of each write takes."""

    def __init__(self, inner):
        self.inner = inner
        self.count = 0
        self.seconds = 0.0
        self.lock = threading.Lock()

    def __call__(self, events, files=None):
        start = time.perf_counter()
        self.inner(events, files)
        spent = time.perf_counter() - start
        with self.lock:
            self.count += 1
            self.seconds += spent


def build_labs(state: Path):
    from simulator.lab import Lab
    from simulator.serving import serve_in_thread

    off, on = Lab(), Lab()
    on.keep_state(state)
    timer = TimedWrites(on.state.file.write_apic)
    on.state.file.write_apic = timer
    servers = {"off": serve_in_thread(off.apic_app(), tls=False), "on": serve_in_thread(on.apic_app(), tls=False)}
    return {"off": off, "on": on}, servers, timer


# --- the client process ----------------------------------------------------------------------------
def _post_loop(base: str, cookie: str, names: list[str]) -> int:
    """POST one tenant per name, a connection each; returns how many were not answered 200."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    headers = {"Cookie": cookie, "Content-Type": "application/json"}
    bad = 0
    for name in names:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("POST", "/api/mo/uni.json", json.dumps({"fvTenant": {"attributes": {"name": name}}}), headers)
        resp = conn.getresponse()
        resp.read()
        conn.close()
        bad += resp.status != 200
    return bad


def client_worker(targets: dict[str, tuple[str, str]], schedule: list[tuple], out) -> None:
    """Runs the schedule [(lab, threads, n, tag), ...]; sends back [(elapsed_s, errors), ...]."""
    results = []
    for lab, threads, n, tag in schedule:
        base, cookie = targets[lab]
        names = [[f"{tag}t{t}n{i}" for i in range(n)] for t in range(threads)]
        with ThreadPoolExecutor(threads) as pool:
            start = time.perf_counter()
            bad = sum(pool.map(_post_loop, [base] * threads, [cookie] * threads, names))
            results.append((time.perf_counter() - start, bad))
    out.send(results)
    out.close()


# --- the benchmark ---------------------------------------------------------------------------------
def main() -> int:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    c.banner("APIC write throughput with a state file vs without", args.quick)
    rounds, per_thread = (7, 20) if args.quick else (20, 40)
    warmup = 20 if args.quick else 60

    with tempfile.TemporaryDirectory(prefix="acisim-bench-state-") as tmp:
        state = Path(tmp) / "lab.state"
        labs, servers, timer = build_labs(state)
        try:
            targets = {name: (servers[name].url, c.login_cookie(servers[name].url)) for name in LABS}
            before = {name: len(labs[name].apic.store) for name in LABS}
            schedule: list[tuple] = []
            cells: list[tuple[int, int, str]] = []  # threads, round, lab
            for name in LABS:
                schedule.append((name, 1, warmup, f"w{name}"))
                cells.append((0, -1, name))
            for r in range(rounds):
                for threads in (1, 2):
                    order = LABS if r % 2 == 0 else LABS[::-1]
                    for name in order:
                        schedule.append((name, threads, per_thread, f"r{r}x{threads}{name}"))
                        cells.append((threads, r, name))
            timer.count, timer.seconds = 0, 0.0
            started = time.perf_counter()
            results = c.in_client_process(client_worker, targets, schedule)
            wall = time.perf_counter() - started
            posts = sum(threads * n for _l, threads, n, _t in schedule) // 2
            mos_per_post = (len(labs["off"].apic.store) - before["off"]) / posts
            file_bytes = sum(p.stat().st_size for p in Path(tmp).iterdir())
        finally:
            for server in servers.values():
                server.stop()
            labs["on"].state.close()

    segments: dict[tuple[int, int, str], tuple[int, float]] = {}
    errors = 0
    for cell, (_l, threads, n, _t), (elapsed, bad) in zip(cells, schedule, results, strict=True):
        errors += bad
        if cell[0]:
            segments[cell] = (threads * n, elapsed)

    figures: dict = {
        "pairs_per_cell": rounds,
        "posts_per_thread_per_segment": per_thread,
        "mos_per_post": mos_per_post,
        "durable_write_us": timer.seconds / timer.count * 1e6 if timer.count else 0.0,
        "state_file_bytes": file_bytes,
        "errors": errors,
        "wall_s": wall,
        "cells": {},
    }
    rows = []
    for threads in (1, 2):
        off = [segments[(threads, r, "off")] for r in range(rounds)]
        on = [segments[(threads, r, "on")] for r in range(rounds)]
        ratios = [(nn / tn) / (no / to) for (nn, tn), (no, to) in zip(on, off, strict=True)]
        off_rps = sum(n for n, _ in off) / sum(t for _, t in off)
        on_rps = sum(n for n, _ in on) / sum(t for _, t in on)
        figures["cells"][f"{threads}t"] = {"off_rps": off_rps, "on_rps": on_rps, "ratio": c.median(ratios),
                                            "pooled_ratio": on_rps / off_rps, "ratio_per_pair": ratios}
        rows.append((threads, off_rps, on_rps, f"{c.median(ratios):.2f}", f"{on_rps / off_rps:.2f}", c.iqr(ratios)))

    print(c.table(("threads", "no state POST/s", "--state POST/s", "ratio (median)", "ratio (pooled)",
                   "ratio IQR"), rows))
    print(f"\nMOs per POST: {mos_per_post:.1f}; durable part of a write (SQLite transaction + fsync): "
          f"{figures['durable_write_us']:.0f} us; state file {file_bytes / 1024:.0f} KiB; errors: {errors}; "
          f"client wall time {wall:.1f} s")
    targets_met = [
        c.target("write rate with --state / without, 1 thread", figures["cells"]["1t"]["ratio"], TARGET_RATIO, "x", True),
        c.target("write rate with --state / without, 2 threads", figures["cells"]["2t"]["ratio"], TARGET_RATIO, "x", True),
    ]
    print()
    c.print_targets(targets_met)
    c.write_json(args.json, "state_writes", args.quick, figures, targets_met)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
