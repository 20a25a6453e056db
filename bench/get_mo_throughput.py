"""GET /api/mo/uni/tn-common.json throughput as a ratio to a bare JSON endpoint on the same server.

One werkzeug server serves the APIC app with one extra route, `/_bench/bare`, that returns a fixed
small JSON body through Flask and nothing else. A client in a separate process (so that it does not
share the server's GIL) runs short blocks of requests against the two endpoints back to back, in
alternating order (A B, B A, ...), with one client thread and with two. Each adjacent pair of blocks
gives a ratio of request rates; the figure is the median of those ratios (the pooled ratio of all
requests over all time is shown too), which cancels the machine's speed, drift and load from other
processes. Two clients are measured: `requests` (what most tools use) and the lighter
`http.client`, which leaves more of the time to the server and so shows its cost better.

Diagnostics: the server's CPU time per request inside the WSGI app (thread CPU time, excluding the
socket and HTTP parsing), and whether the server keeps connections alive.

Target: GET mo rate >= 0.6 x bare rate.
"""

from __future__ import annotations

import http.client
import threading
import time

import _common as c

MO_PATH = "/api/mo/uni/tn-common.json"
BARE_PATH = "/_bench/bare"
BARE_BODY = '{"totalCount":"1","imdata":[{"benchBare":{"attributes":{"dn":"bench/bare","status":""}}}]}'
TARGET_RATIO = 0.6
CLIENTS = ("requests", "http.client")


def build_server():
    """The lab's APIC app with the bare route beside its own, served over plain HTTP."""
    from flask import Response

    from simulator.lab import Lab

    lab = Lab()
    app = lab.apic_app()

    @app.route(BARE_PATH)
    def bench_bare():
        return Response(BARE_BODY, mimetype="application/json")

    server, timer = c.serve_timed(app, lambda environ: environ.get("PATH_INFO", ""))
    return lab, server, timer


# --- the client process ----------------------------------------------------------------------------
def _requests_loop(base: str, cookie: str, path: str, n: int, ready: threading.Barrier, errors: list[int]):
    import requests

    session = requests.Session()
    session.trust_env = False
    session.headers["Cookie"] = cookie
    url = base + path
    bad = 0
    ready.wait()
    for _ in range(n):
        r = session.get(url, timeout=30)
        if r.status_code != 200:
            bad += 1
    session.close()
    errors.append(bad)


def _http_client_loop(base: str, cookie: str, path: str, n: int, ready: threading.Barrier, errors: list[int]):
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Cookie": cookie}
    bad = 0
    ready.wait()
    for _ in range(n):
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            bad += 1
    conn.close()
    errors.append(bad)


def client_worker(base: str, cookie: str, schedule: list[tuple], out) -> None:
    """Runs the schedule [(client, path, threads, n), ...]; sends back [(elapsed_s, errors), ...]."""
    loops = {"requests": _requests_loop, "http.client": _http_client_loop}
    results = []
    for client, path, threads, n in schedule:
        ready = threading.Barrier(threads + 1)
        errors: list[int] = []
        workers = [
            threading.Thread(target=loops[client], args=(base, cookie, path, n, ready, errors))
            for _ in range(threads)
        ]
        for w in workers:
            w.start()
        ready.wait()
        start = time.perf_counter()
        for w in workers:
            w.join()
        results.append((time.perf_counter() - start, sum(errors) + (threads - len(errors)) * n))
    out.send(results)
    out.close()


# --- the benchmark ---------------------------------------------------------------------------------
def main() -> int:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    c.banner("GET /api/mo throughput vs a bare endpoint on the same server", args.quick)
    rounds, per_thread = (9, 30) if args.quick else (30, 60)
    warmup = 30 if args.quick else 100

    lab, server, timer = build_server()
    try:
        base = server.url
        cookie = c.login_cookie(base)

        import requests

        with requests.Session() as s:
            s.trust_env = False
            probe = s.get(base + MO_PATH, headers={"Cookie": cookie}, timeout=10)
            probe.raise_for_status()
            assert '"fvTenant"' in probe.text, probe.text[:200]
            keep_alive = probe.headers.get("Connection", "").lower() != "close"
            bare = s.get(base + BARE_PATH, timeout=10)
            bare.raise_for_status()
        mo_bytes, bare_bytes = len(probe.content), len(bare.content)

        # interleaved schedule: each (client, threads) cell alternates the endpoint order per round
        schedule: list[tuple] = []
        cells: list[tuple[str, int, int, str]] = []  # client, threads, round, path -> schedule index
        for client in CLIENTS:
            for path in (BARE_PATH, MO_PATH):
                schedule.append((client, path, 1, warmup))
                cells.append((client, 0, -1, path))
        for r in range(rounds):
            for client in CLIENTS:
                for threads in (1, 2):
                    order = (BARE_PATH, MO_PATH) if r % 2 == 0 else (MO_PATH, BARE_PATH)
                    for path in order:
                        schedule.append((client, path, threads, per_thread))
                        cells.append((client, threads, r, path))
        timer.reset()
        started = time.perf_counter()
        results = c.in_client_process(client_worker, base, cookie, schedule)
        wall = time.perf_counter() - started
    finally:
        lab.stop()
        server.stop()

    # per segment: (requests, seconds); a pair is the two endpoints run back to back in one round
    segments: dict[tuple[str, int, int, str], tuple[int, float]] = {}
    errors = 0
    for cell, (_c, _p, threads, n), (elapsed, bad) in zip(cells, schedule, results, strict=True):
        errors += bad
        if cell[1]:  # not a warm-up segment
            segments[cell] = (threads * n, elapsed)

    rows = []
    figures: dict = {
        "pairs_per_cell": rounds,
        "requests_per_thread_per_segment": per_thread,
        "server_keep_alive": keep_alive,
        "response_bytes": {"mo": mo_bytes, "bare": bare_bytes},
        "errors": errors,
        "wall_s": wall,
        "cells": {},
        "server_cpu_us_per_request": {
            "mo": timer.per_request_s(MO_PATH) * 1e6,
            "bare": timer.per_request_s(BARE_PATH) * 1e6,
        },
    }
    for client in CLIENTS:
        for threads in (1, 2):
            bare = [segments[(client, threads, r, BARE_PATH)] for r in range(rounds)]
            mo = [segments[(client, threads, r, MO_PATH)] for r in range(rounds)]
            ratios = [(mn / mt) / (bn / bt) for (mn, mt), (bn, bt) in zip(mo, bare, strict=True)]
            bare_rps = sum(n for n, _ in bare) / sum(t for _, t in bare)
            mo_rps = sum(n for n, _ in mo) / sum(t for _, t in mo)
            key = f"{client}/{threads}t"
            figures["cells"][key] = {
                "bare_rps": bare_rps,
                "mo_rps": mo_rps,
                "ratio": c.median(ratios),
                "pooled_ratio": mo_rps / bare_rps,
                "ratio_per_pair": ratios,
            }
            rows.append(
                (
                    client,
                    threads,
                    bare_rps,
                    mo_rps,
                    f"{c.median(ratios):.2f}",
                    f"{mo_rps / bare_rps:.2f}",
                    c.iqr(ratios),
                )
            )

    print(
        c.table(
            (
                "client",
                "threads",
                "bare req/s",
                "GET mo req/s",
                "ratio (median)",
                "ratio (pooled)",
                "ratio IQR",
            ),
            rows,
        )
    )
    cpu = figures["server_cpu_us_per_request"]
    print()
    print(
        c.table(
            ("server CPU inside the WSGI app", "us/request"),
            [
                ("GET " + MO_PATH, cpu["mo"]),
                ("GET " + BARE_PATH, cpu["bare"]),
                ("bare/mo, as a rate ratio", f"{cpu['bare'] / cpu['mo']:.2f}" if cpu["mo"] else "-"),
            ],
        )
    )
    print(
        f"\nresponse sizes: mo {mo_bytes} B, bare {bare_bytes} B; errors: {errors}; "
        f"server keep-alive: {'yes' if keep_alive else 'NO (werkzeug answers Connection: close)'}; "
        f"client wall time {wall:.1f} s"
    )

    headline = figures["cells"]["requests/1t"]["ratio"]
    targets = [
        c.target("GET mo / bare rate, requests, 1 thread", headline, TARGET_RATIO, "x", True),
        c.target(
            "GET mo / bare rate, requests, 2 threads",
            figures["cells"]["requests/2t"]["ratio"],
            TARGET_RATIO,
            "x",
            True,
        ),
        c.target(
            "GET mo / bare rate, http.client, 1 thread",
            figures["cells"]["http.client/1t"]["ratio"],
            TARGET_RATIO,
            "x",
            True,
        ),
    ]
    c.report_targets(args, "get_mo_throughput", figures, targets)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
