"""`acisim record apic|rhv`: read a running APIC or RHV Manager (the lab or real gear) over its REST API and write
the file the lab serves again, as vcsim serves what `govc object.save` recorded:

    acisim record apic --url https://apic:443 --user admin --password PW --out tenant.yaml
    acisim serve --fixture tenant.yaml
    acisim record rhv --url https://engine:443 --user admin@internal --password PW --out inventory.yaml
    acisim serve --rhv-inventory inventory.yaml

The APIC's configurable policy universe becomes a fixture file (simulator/recording/apic.py), the engine's inventory
an RHV inventory file with its ids (simulator/recording/rhv.py). Certificates are not verified (labs and benches use
self-signed ones) and proxies from the environment are not used.

Exit status: 0 written (one line says what); 2 an invalid option, a login the system refused or an answer that
cannot be read (one line); 3 a system that cannot be reached (one line naming the URL).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

WRITTEN, REFUSED, UNREACHABLE = 0, 2, 3
DEFAULTS = {"apic": ("https://127.0.0.1:8443", "admin", "cisco123"),
            "rhv": ("https://127.0.0.1:8444", "admin@internal", "redhat123")}  # acisim serve's


def add_parser(sub):
    record = sub.add_parser("record", help="record a running APIC or RHV Manager into a file the lab serves again")
    systems = record.add_subparsers(dest="record_system", required=True)
    for system, (url, user, password) in DEFAULTS.items():
        what = "fixture file (acisim serve --fixture)" if system == "apic" else \
            "RHV inventory file (acisim serve --rhv-inventory)"
        one = systems.add_parser(system, help=f"read the {system.upper()} over REST and write a {what}",
                                 description="Exit status: 0 written, 2 an invalid option or a refusal, 3 unreachable.")
        one.add_argument("--url", default=url, help=f"scheme://host:port (default {url}, acisim serve's)")
        one.add_argument("--user", default=user, help=f"user to log in as (default {user})")
        one.add_argument("--password", default=password, help="password (default: acisim serve's)")
        one.add_argument("--out", type=Path, required=True, help=f"the {what} to write")
    return record


def run(args) -> int:
    from .recording import RecordError

    try:
        if args.record_system == "apic":
            from .recording import apic

            recording = apic.record(args.url, args.user, args.password)
            text, summary = recording.yaml(args.url), f"{recording.objects} objects in {len(recording.entries)} entries"
        else:
            from .recording import rhv

            inventory = rhv.record(args.url, args.user, args.password)
            text, summary = rhv.to_yaml(inventory, args.url), _rhv_summary(inventory)
    except RecordError as exc:
        print(f"acisim record {args.record_system}: error: {exc}", file=sys.stderr)
        return UNREACHABLE if exc.unreachable else REFUSED
    try:
        _write(args.out, text)
    except OSError as exc:
        print(f"acisim record {args.record_system}: error: argument --out: {args.out}: {exc.strerror or exc}",
              file=sys.stderr)
        return REFUSED
    print(f"recorded {summary} from {args.url} to {args.out}")
    return WRITTEN


def _rhv_summary(inventory: dict) -> str:
    dcs = inventory["data_centers"]
    clusters = [c for dc in dcs for c in dc["clusters"]]
    return (f"{len(dcs)} data centers, {len(clusters)} clusters, {sum(len(c['hosts']) for c in clusters)} hosts, "
            f"{sum(len(c['vms']) for c in clusters)} VMs")


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a temporary file beside it, renamed over it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
