"""The HTTP server's cost: a small APIC GET against a bare WSGI endpoint served by the same server stack.

Two servers of the lab's kind (`simulator.serving.serve_in_thread`, one HTTPS, one plain HTTP) serve a
dispatcher built here: `/_bench/bare` answers straight from WSGI (no Flask, no lab) the very bytes the APIC
GET answers (its status, headers and body, taken from the app once at the start), so the two differ only in
the work the APIC does, not in what crosses the wire; `/_bench/tiny` answers a fixed 90-byte JSON body with
two headers (information: what a reply of the APIC's size and headers costs the server and the client on top),
`/_bench/apic-only/...` to the APIC app alone (no lab around it: no tick of the whole lab before
each request), everything else to the lab's APIC app (`Lab.apic_app()`, as served). A client in a separate process (so that it does
not share the servers' GIL) runs blocks of requests against the two endpoints back to back, in
alternating order, for every combination of scheme (https, http), connection (keep-alive, a new
connection per request) and client (`requests`, what the tools use; `http.client`, a lean client that
leaves more of the time to the server). Each pair of blocks gives a ratio of request rates (app rate /
bare rate); the figure is the median ratio, which cancels the machine's speed and drift.

Targets (issue 13): with keep-alive, the APIC GET's rate >= 0.8 x the bare endpoint's (lean client);
with `requests` over HTTPS keep-alive, the APIC GET takes at most 2x the bare endpoint's time.
With `--profile`, the server side of the APIC GET is profiled (cProfile) and its hot spots printed.
"""

from __future__ import annotations

import http.client
import ssl
import time

import _common as c

APP_PATH = "/api/mo/uni/tn-common.json"
BARE_PATH = "/_bench/bare"
TINY_PATH = "/_bench/tiny"
APIC_ONLY_PREFIX = "/_bench/apic-only"
APIC_ONLY_PATH = APIC_ONLY_PREFIX + APP_PATH
BARE_BODY = b'{"totalCount":"1","imdata":[{"benchBare":{"attributes":{"dn":"bench/bare","status":""}}}]}'
PATHS = (BARE_PATH, APP_PATH, APIC_ONLY_PATH, TINY_PATH)
CLIENTS = ("requests", "http.client")
SCHEMES = ("https", "http")
MODES = ("keep-alive", "new-connection")
RATIO_GOAL = 0.8
REQUESTS_HTTPS_GOAL = 2.0


def dispatcher(lab_app, apic_only_app, cookie: str):
    """The bare endpoints beside the lab's APIC app, and the APIC app alone (no lab: no tick of the whole lab
    before each request) under /_bench/apic-only, in one WSGI callable (the bench's own, no product route).
    The bare endpoint replays the APIC GET's answer, taken once through the APIC app alone."""
    tiny_headers = [("Content-Type", "application/json"), ("Content-Length", str(len(BARE_BODY)))]
    replay = _answer(apic_only_app, APP_PATH, cookie)

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == BARE_PATH:
            start_response(replay[0], replay[1])
            return [replay[2]]
        if path == TINY_PATH:
            start_response("200 OK", tiny_headers)
            return [BARE_BODY]
        if path.startswith(APIC_ONLY_PREFIX):
            environ["PATH_INFO"] = path[len(APIC_ONLY_PREFIX):]
            environ["RAW_URI"] = environ["REQUEST_URI"] = environ["RAW_URI"][len(APIC_ONLY_PREFIX):]
            return apic_only_app(environ, start_response)
        return lab_app(environ, start_response)

    return app


def _answer(wsgi_app, path: str, cookie: str) -> tuple[str, list, bytes]:
    """(status line, headers, body) of a GET of `path` through `wsgi_app`, called directly."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(method="GET", path=path, headers={"Cookie": cookie}).get_environ()
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"], got["headers"] = status, list(headers)

    body = b"".join(wsgi_app(environ, start_response))
    assert got["status"].startswith("200"), got["status"]
    return got["status"], got["headers"], body


# --- the client process ----------------------------------------------------------------------------
def _requests_block(url: str, cookie: str, n: int, keep_alive: bool) -> tuple[float, int]:
    import requests

    session = requests.Session()
    session.trust_env = False
    session.verify = False
    headers = {"Cookie": cookie}
    if not keep_alive:
        headers["Connection"] = "close"
    bad = 0
    start = time.perf_counter()
    for _ in range(n):
        if session.get(url, headers=headers, timeout=30).status_code != 200:
            bad += 1
    elapsed = time.perf_counter() - start
    session.close()
    return elapsed, bad


def _lean_block(url: str, cookie: str, n: int, keep_alive: bool) -> tuple[float, int]:
    scheme, rest = url.split("://", 1)
    hostport, _, path = rest.partition("/")
    host, port = hostport.rsplit(":", 1)
    context = ssl._create_unverified_context()

    def connect():
        if scheme == "https":
            return http.client.HTTPSConnection(host, int(port), timeout=30, context=context)
        return http.client.HTTPConnection(host, int(port), timeout=30)

    headers = {"Cookie": cookie}
    bad = 0
    conn = connect()
    start = time.perf_counter()
    for _ in range(n):
        if not keep_alive:
            conn = connect()
        conn.request("GET", "/" + path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            bad += 1
        if not keep_alive:
            conn.close()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, bad


def client_worker(schedule: list[tuple], out) -> None:
    """Runs [(client, url, cookie, n, keep_alive), ...]; sends back [(elapsed_s, errors), ...]."""
    import warnings

    warnings.filterwarnings("ignore")  # InsecureRequestWarning: the lab's certificate is self-signed
    blocks = {"requests": _requests_block, "http.client": _lean_block}
    out.send([blocks[client](url, cookie, n, keep_alive) for client, url, cookie, n, keep_alive in schedule])
    out.close()


# --- the server side's profile ---------------------------------------------------------------------
def profile_app_get(app, base: str, cookie: str, n: int) -> str:
    """cProfile of the APIC GET inside the server's worker (the dispatcher wrapped), top functions."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()

    def profiled(environ, start_response):
        profiler.enable()
        try:
            return list(app(environ, start_response))
        finally:
            profiler.disable()

    from simulator.serving import serve_in_thread

    server = serve_in_thread(profiled, tls=False)
    try:
        results = c.in_client_process(client_worker, [("http.client", server.url + APP_PATH, cookie, n, True)])
        assert results[0][1] == 0
    finally:
        server.stop()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    return text.getvalue()


# --- the benchmark ---------------------------------------------------------------------------------
def main() -> int:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--profile", action="store_true", help="also profile the APIC GET on the server side")
    args = p.parse_args()
    c.banner("serving: small APIC GET vs a bare WSGI endpoint on the same server", args.quick)
    rounds = 5 if args.quick else 15
    per_block = {"keep-alive": 40 if args.quick else 150, "new-connection": 10 if args.quick else 40}

    import tempfile
    from pathlib import Path

    from simulator.lab import Lab, LabOptions
    from simulator.serving import serve_in_thread

    tmp = tempfile.TemporaryDirectory(prefix="acisim-bench-serving-")
    from simulator.apic import rest as apic_rest

    options = LabOptions()
    lab = Lab(options)
    cookie = f"APIC-cookie={lab.apic.login(options.admin_user, options.admin_password).token}"
    served = dispatcher(lab.apic_app(), apic_rest.create_app(lab.apic), cookie)
    servers = {scheme: serve_in_thread(served, tls=scheme == "https", tls_dir=Path(tmp.name) / "tls")
               for scheme in SCHEMES}
    try:
        schedule, cells = [], []
        for scheme in SCHEMES:
            for mode in MODES:
                for client in CLIENTS:
                    for path in PATHS:  # warm-up
                        schedule.append((client, servers[scheme].url + path, cookie, 10, mode == "keep-alive"))
                        cells.append(None)
                    for r in range(rounds):
                        for path in PATHS if r % 2 == 0 else PATHS[::-1]:
                            schedule.append((client, servers[scheme].url + path, cookie, per_block[mode],
                                             mode == "keep-alive"))
                            cells.append((scheme, mode, client, r, path))
        started = time.perf_counter()
        results = c.in_client_process(client_worker, schedule)
        wall = time.perf_counter() - started
        profile = profile_app_get(served, servers["http"].url, cookie, 300 if args.quick else 1000) \
            if args.profile else None
    finally:
        for server in servers.values():
            server.stop()
        lab.stop()
        tmp.cleanup()

    segments, errors = {}, 0
    for cell, entry, (elapsed, bad) in zip(cells, schedule, results, strict=True):
        errors += bad
        if cell is not None:
            segments[cell] = (entry[3], elapsed)

    rows, figures = [], {"rounds": rounds, "requests_per_block": per_block, "errors": errors, "wall_s": wall,
                         "cells": {}}
    for scheme in SCHEMES:
        for mode in MODES:
            for client in CLIENTS:
                bare = [segments[(scheme, mode, client, r, BARE_PATH)] for r in range(rounds)]
                got = [segments[(scheme, mode, client, r, APP_PATH)] for r in range(rounds)]
                alone = [segments[(scheme, mode, client, r, APIC_ONLY_PATH)] for r in range(rounds)]
                tiny = [segments[(scheme, mode, client, r, TINY_PATH)] for r in range(rounds)]
                ratios = [(an / at) / (bn / bt) for (an, at), (bn, bt) in zip(got, bare, strict=True)]
                alone_ratios = [(an / at) / (bn / bt) for (an, at), (bn, bt) in zip(alone, bare, strict=True)]
                tiny_ratios = [(an / at) / (bn / bt) for (an, at), (bn, bt) in zip(got, tiny, strict=True)]
                bare_ms, app_ms, alone_ms, tiny_ms = (1000 * sum(t for _, t in blocks) / sum(n for n, _ in blocks)
                                                      for blocks in (bare, got, alone, tiny))
                key = f"{scheme}/{mode}/{client}"
                figures["cells"][key] = {"bare_ms": bare_ms, "app_ms": app_ms, "apic_only_ms": alone_ms,
                                         "tiny_ms": tiny_ms, "ratio": c.median(ratios),
                                         "apic_only_ratio": c.median(alone_ratios), "tiny_ratio": c.median(tiny_ratios),
                                         "slowdown": app_ms / bare_ms, "ratio_per_pair": ratios}
                rows.append((scheme, mode, client, bare_ms, app_ms, alone_ms, f"{c.median(ratios):.2f}",
                             c.iqr(ratios), f"{c.median(alone_ratios):.2f}", f"{app_ms / bare_ms:.2f}x", tiny_ms,
                             f"{c.median(tiny_ratios):.2f}"))
    print(c.table(("scheme", "connection", "client", "bare ms/req", "lab APIC GET ms/req", "APIC alone ms/req",
                   "rate ratio", "ratio IQR", "alone ratio", "APIC/bare time", "tiny ms/req", "ratio to tiny"), rows))
    print("(bare: the APIC GET's own answer replayed from WSGI; rate ratio: the lab's APIC GET rate / the bare "
          "endpoint's; alone: the APIC app without the lab's per-request tick; tiny: a 90-byte answer with two "
          "headers, whose ratio adds what the APIC's larger answer and its eight headers cost to send and parse)")
    if errors:
        print(f"\n{errors} requests did not answer 200")
    if profile:
        print("\nserver side of the APIC GET, by cumulative time:\n" + profile)

    cells_ = figures["cells"]
    targets = [
        c.target("keep-alive small GET, lean client, https: APIC rate / bare rate",
                 cells_["https/keep-alive/http.client"]["ratio"], RATIO_GOAL, "x", True),
        c.target("keep-alive small GET, lean client, http: APIC rate / bare rate",
                 cells_["http/keep-alive/http.client"]["ratio"], RATIO_GOAL, "x", True),
        c.target("keep-alive small GET, requests, https: APIC rate / bare rate",
                 cells_["https/keep-alive/requests"]["ratio"], RATIO_GOAL, "x", True),
        c.target("requests over https keep-alive: APIC GET time / bare time",
                 cells_["https/keep-alive/requests"]["slowdown"], REQUESTS_HTTPS_GOAL, "x", False),
    ]
    c.report_targets(args, "serving", figures, targets)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
