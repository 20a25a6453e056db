"""Shared plumbing for the benchmarks: options, tables, JSON output, served labs with the server's CPU
time measured, login, memory readings.

Every benchmark is a standalone script (`python bench/<name>.py [--quick] [--json PATH]`) that
measures what it compares side by side in one run and reports ratios; targets are goals that are
reported as met or missed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

ADMIN = {"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}}


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="smaller run (under ~10 s), for a smoke check")
    p.add_argument("--json", metavar="PATH", help="also write the figures to PATH as JSON")
    return p


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def spread(values: Sequence[float], fmt: str = ".2f") -> str:
    """`min..max` of a series, for showing how stable a median is."""
    return f"{min(values):{fmt}}..{max(values):{fmt}}"


def iqr(values: Sequence[float], fmt: str = ".2f") -> str:
    """`q1..q3` of a series (the middle half), a spread that ignores the odd disturbed sample."""
    ordered = sorted(values)
    if len(ordered) < 4:
        return spread(ordered, fmt)
    q1, _, q3 = statistics.quantiles(ordered, n=4)
    return f"{q1:{fmt}}..{q3:{fmt}}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain fixed-width table; numbers are right-aligned."""
    rows = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in rows) if rows else False for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric, strict=True)
        )

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return "\n".join(s.rstrip() for s in out)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("x%"))
        return True
    except ValueError:
        return False


def target(name: str, value: float, goal: float, unit: str, higher_is_better: bool) -> dict:
    """A goal with its measured value; `met` is reported, never asserted."""
    met = value >= goal if higher_is_better else value <= goal
    return {
        "name": name,
        "value": value,
        "goal": goal,
        "unit": unit,
        "comparison": ">=" if higher_is_better else "<=",
        "met": met,
    }


def fmt_value(value: float, unit: str = "") -> str:
    """A measured figure for a summary line: 3 significant digits, no exponent."""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def print_targets(targets: list[dict]) -> None:
    rows = [
        (
            t["name"],
            fmt_value(t["value"], t["unit"]),
            f"{t['comparison']} {t['goal']:g} {t['unit']}".strip(),
            "met" if t["met"] else "MISSED",
        )
        for t in targets
    ]
    print(table(("target", "measured", "goal", "status"), rows))


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def report_targets(args: argparse.Namespace, benchmark: str, figures: dict, targets: list[dict]) -> None:
    """The end of every benchmark: its targets as a table, and its figures as JSON when asked."""
    print()
    print_targets(targets)
    write_json(args.json, benchmark, args.quick, figures, targets)


def write_json(path: str | None, benchmark: str, quick: bool, figures: dict, targets: list[dict]) -> None:
    if not path:
        return
    doc = {
        "benchmark": benchmark,
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
        "figures": figures,
        "targets": targets,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")


class WsgiCpuTimer:
    """WSGI middleware: the thread CPU time a server spends inside its app (without the socket and
    HTTP parsing), summed per key; `key(environ)` names what a request counts as, None not counted."""

    def __init__(self, inner, key: Callable[[dict], str | None]):
        self.inner, self.key = inner, key
        self.lock = threading.Lock()
        self.totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def __call__(self, environ, start_response):
        start = time.thread_time()
        body = list(self.inner(environ, start_response))
        spent = time.thread_time() - start
        key = self.key(environ)
        if key is not None:
            with self.lock:
                entry = self.totals[key]
                entry[0] += 1
                entry[1] += spent
        return body

    def reset(self) -> None:
        with self.lock:
            self.totals.clear()

    def per_request_s(self, key: str) -> float:
        count, total = self.totals.get(key, (0, 0.0))
        return total / count if count else 0.0


def time_app(app, key: Callable[[dict], str | None]) -> WsgiCpuTimer:
    """Measure a Flask app's CPU time from now on (also when it is being served already: Flask reads
    `wsgi_app` on every request)."""
    timer = WsgiCpuTimer(app.wsgi_app, key)
    app.wsgi_app = timer
    return timer


def serve_timed(app, key: Callable[[dict], str | None], tls: bool = False, tls_dir: Path | None = None):
    """Serve `app` on a free 127.0.0.1 port with its CPU time measured: (server, timer)."""
    from simulator.serving import serve_in_thread

    timer = time_app(app, key)
    return serve_in_thread(app, tls=tls, tls_dir=tls_dir), timer


def in_client_process(worker: Callable, *args):
    """Run `worker(*args, out)` in a spawned process (so that the client does not share the servers'
    GIL) and return the one object it sends on `out`."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=worker, args=(*args, send), daemon=True)
    proc.start()
    send.close()
    result = recv.recv()
    proc.join(timeout=30)
    return result


def login_cookie(base_url: str) -> str:
    """Log in as admin; returns the `Cookie` header value to send.

    The simulator marks APIC-cookie `Secure` (as APIC does), so a cookie jar would not send it back
    over plain http; the benchmarks therefore send the header themselves.
    """
    import requests

    with requests.Session() as s:
        s.trust_env = False
        r = s.post(f"{base_url}/api/aaaLogin.json", json=ADMIN, timeout=10)
        r.raise_for_status()
        token = r.json()["imdata"][0]["aaaLogin"]["attributes"]["token"]
    return f"APIC-cookie={token}"


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            resident_pages = int(f.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def banner(title: str, quick: bool) -> None:
    mode = "quick" if quick else "full"
    print(f"== {title} ({mode}; Python {platform.python_version()}, {os.cpu_count()} CPUs)")
    sys.stdout.flush()
