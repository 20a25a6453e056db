"""Listing 1,000 VMs with ovirtsdk4 (`vms_service().list()`) against the simulated RHV Manager, as
ratios to the same work done with no server.

The lab's RHV Manager is loaded with a generated inventory (tools/gen_rhv_inventory.py, seed 1,
1,000 VMs on 50 hosts in 4 clusters) and served over HTTPS (the lab's default) and over plain HTTP.
One round runs these cases back to back, in an order that rotates from round to round:

  sdk https   `vms_service().list()` through a logged-in `ovirtsdk4.Connection` (insecure TLS)
  sdk http    the same over plain HTTP
  render      what the server does for GET /vms minus HTTP: `Rhv.request` (the resource registry
              builds the `Obj` tree, in one model operation) and `xml_codec.render` (tree -> XML bytes)
  parse       what the SDK does with the reply minus HTTP: `ovirtsdk4.xml.XmlReader` +
              `ovirtsdk4.readers.VmReader.read_many` over the rendered bytes

Each round gives the ratios sdk / render, sdk / parse and sdk / (render + parse); the figures are
their medians over the rounds (which cancels drift and load from other processes), plus the median
times. The SDK client and the server share this process: a list is one request whose reply the SDK
reads whole before parsing, so they take turns rather than compete for the GIL. A WSGI middleware
measures the server's CPU time inside the app per GET /vms.

Checks (a failure exits non-zero): the bytes the server sends are the bytes `xml_codec.render`
produces; the SDK's VMs over both schemes and the parsed VMs have the inventory's ids, names and
statuses, in the same order.

Targets: sdk https <= 1.5 x (render + parse), i.e. HTTP, TLS, auth and Flask add at most half of
the work the two ends cannot avoid; and sdk https <= 1,000 ms for 1,000 VMs.
"""

from __future__ import annotations

import gc
import io
import sys
import tempfile
import time
from pathlib import Path

import _common as c
import yaml

sys.path.insert(0, str(c.ROOT / "tools"))

VMS = 1000
SEED = 1
USER, PASSWORD = "admin@internal", "redhat123"
CASES = ("sdk https", "sdk http", "render", "parse")
TARGET_OVERHEAD = 1.5
TARGET_LIST_MS = 1000.0


def build_lab(tmp: Path):
    """A lab whose RHV Manager holds the generated inventory, served over HTTPS and HTTP."""
    from gen_rhv_inventory import generate

    from simulator.lab import Lab, LabOptions

    inventory = tmp / "rhv-inventory.yaml"
    inventory.write_text(yaml.safe_dump(generate(seed=SEED, vms=VMS), sort_keys=False), encoding="utf-8")
    lab = Lab(LabOptions(rhv_inventory=inventory, rhv_admin_password=PASSWORD))
    https = lab.start_rhv(tls_dir=tmp / "tls")
    http = lab.start_rhv(tls=False)
    timers = [c.time_app(srv.server.app, vms_by_scheme) for srv in (https, http)]
    return lab, https, http, timers


def vms_by_scheme(environ: dict) -> str | None:
    """GET .../vms counts under its URL scheme; nothing else counts."""
    return environ.get("wsgi.url_scheme", "") if environ.get("PATH_INFO", "").endswith("/vms") else None


def make_render(rhv):
    """GET /vms without HTTP: the registry's answer in one model operation, then the XML codec."""
    from simulator.rhv.service import ApiRequest
    from simulator.rhv.wire import xml_codec

    def render() -> tuple[bytes, float, float]:
        start = time.perf_counter()
        obj = rhv.request(ApiRequest("GET", ["vms"])).obj
        built = time.perf_counter()
        body = xml_codec.render(obj)
        return body, built - start, time.perf_counter() - built

    return render


def parse(body: bytes) -> list:
    """What the SDK does with a <vms> reply."""
    from ovirtsdk4 import xml
    from ovirtsdk4.readers import VmReader

    cursor = xml.XmlReader(io.BytesIO(body))
    try:
        cursor.forward()
        return VmReader.read_many(cursor)
    finally:
        cursor.close()


def raw_body(url: str) -> bytes:
    import requests

    with requests.Session() as s:
        s.trust_env = False
        r = s.get(f"{url}/ovirt-engine/api/vms", auth=(USER, PASSWORD), timeout=60,
                  headers={"Version": "4", "Accept": "application/xml"})
        r.raise_for_status()
        return r.content


def summary_of(vms: list) -> list[tuple]:
    return [(vm.id, vm.name, str(vm.status)) for vm in vms]


def main() -> int:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    c.banner(f"ovirtsdk4 list of {VMS:,} VMs vs rendering and parsing the same XML with no server", args.quick)
    rounds = 3 if args.quick else 11

    import ovirtsdk4 as sdk

    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="acisim-bench-rhv-") as tmp:
        started = time.perf_counter()
        lab, https, http, timers = build_lab(Path(tmp))
        setup_s = time.perf_counter() - started
        connections = {
            "sdk https": sdk.Connection(url=https.url + "/ovirt-engine/api", username=USER, password=PASSWORD,
                                        insecure=True),
            "sdk http": sdk.Connection(url=http.url + "/ovirt-engine/api", username=USER, password=PASSWORD),
        }
        try:
            render = make_render(lab.rhv)
            body, _, _ = render()
            expected = sorted(((vm.id, vm.name, vm.status) for vm in lab.rhv.inventory.vms.values()),
                              key=lambda row: row[1])
            if raw_body(http.url) != body:
                errors.append("the server's GET /vms body differs from xml_codec.render's")
            if summary_of(parse(body)) != expected:
                errors.append("the parsed VMs are not the inventory's")
            services = {name: conn.system_service().vms_service() for name, conn in connections.items()}
            for name, service in services.items():  # warm-up: SSO login, first TLS handshake
                if summary_of(service.list()) != expected:
                    errors.append(f"{name}: the listed VMs are not the inventory's")

            def run_case(name: str) -> tuple[float, tuple[float, float] | None]:
                gc.collect()
                if name in services:
                    start = time.perf_counter()
                    listed = services[name].list()
                    elapsed = time.perf_counter() - start
                    if len(listed) != VMS:
                        errors.append(f"{name}: listed {len(listed)} VMs")
                    return elapsed, None
                if name == "render":
                    start = time.perf_counter()
                    _, views_s, codec_s = render()
                    return time.perf_counter() - start, (views_s, codec_s)
                start = time.perf_counter()
                parsed = parse(body)
                elapsed = time.perf_counter() - start
                if len(parsed) != VMS:
                    errors.append(f"parse: {len(parsed)} VMs")
                return elapsed, None

            for timer in timers:
                timer.reset()
            samples: dict[str, list[float]] = {name: [] for name in CASES}
            parts: dict[str, list[float]] = {"views": [], "codec": []}
            wall_start = time.perf_counter()
            for r in range(rounds):
                order = CASES[r % len(CASES):] + CASES[:r % len(CASES)]
                for name in order:
                    elapsed, split = run_case(name)
                    samples[name].append(elapsed)
                    if split:
                        parts["views"].append(split[0])
                        parts["codec"].append(split[1])
            wall = time.perf_counter() - wall_start
        finally:
            for conn in connections.values():
                conn.close()
            lab.stop()

    ms = {name: c.median(values) * 1e3 for name, values in samples.items()}
    both = [rd + pa for rd, pa in zip(samples["render"], samples["parse"], strict=True)]
    ratios = {
        "sdk https / render": [s / b for s, b in zip(samples["sdk https"], samples["render"], strict=True)],
        "sdk https / parse": [s / b for s, b in zip(samples["sdk https"], samples["parse"], strict=True)],
        "sdk https / (render + parse)": [s / b for s, b in zip(samples["sdk https"], both, strict=True)],
        "sdk http / (render + parse)": [s / b for s, b in zip(samples["sdk http"], both, strict=True)],
        "sdk https / sdk http": [s / b for s, b in zip(samples["sdk https"], samples["sdk http"], strict=True)],
    }
    server_ms = {"https": timers[0].per_request_s("https") * 1e3, "http": timers[1].per_request_s("http") * 1e3}
    figures = {
        "vms": VMS,
        "seed": SEED,
        "rounds": rounds,
        "setup_s": setup_s,
        "wall_s": wall,
        "response_bytes": len(body),
        "median_ms": ms,
        "render_parts_median_ms": {k: c.median(v) * 1e3 for k, v in parts.items()},
        "server_app_cpu_ms_per_request": server_ms,
        "ratios": {k: c.median(v) for k, v in ratios.items()},
        "ratios_per_round": ratios,
        "errors": errors,
    }

    print(c.table(("case", "median ms", "spread ms"),
                  [(name, ms[name], c.spread([v * 1e3 for v in samples[name]], ".0f")) for name in CASES]))
    print()
    print(c.table(("ratio", "median", "IQR"), [(k, f"{c.median(v):.2f}", c.iqr(v)) for k, v in ratios.items()]))
    print()
    views_ms, codec_ms = figures["render_parts_median_ms"]["views"], figures["render_parts_median_ms"]["codec"]
    print(c.table(("where the time goes", "ms"), [
        ("render: the registry builds the Obj tree (Rhv.request)", views_ms),
        ("render: xml_codec.render (tree -> bytes)", codec_ms),
        ("server CPU inside the app per GET /vms, https", server_ms["https"]),
        ("server CPU inside the app per GET /vms, http", server_ms["http"]),
    ]))
    print(f"\nreply: {len(body):,} B ({len(body) / VMS:,.0f} B per VM); setup {setup_s:.1f} s; "
          f"{rounds} rounds in {wall:.1f} s; errors: {len(errors)}")
    for error in errors:
        print(f"  ERROR {error}")

    targets = [
        c.target("sdk list (https) / (render + parse)", figures["ratios"]["sdk https / (render + parse)"],
                 TARGET_OVERHEAD, "x", False),
        c.target(f"sdk list of {VMS:,} VMs (https)", ms["sdk https"], TARGET_LIST_MS, "ms", False),
    ]
    c.report_targets(args, "rhv_list_vms", figures, targets)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
