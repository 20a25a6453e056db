"""`acisim`: run the simulator lab from a shell."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from . import __version__
from .apic.errors import ApicError
from .nodeprep import cli as nodeprep_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="acisim", description="Offline simulator of a Cisco APIC fabric")
    parser.add_argument("--version", action="version", version=f"acisim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the lab and print where to connect")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--apic-port", type=int, default=8443, help="APIC port (default 8443; 0 picks a free one)")
    serve.add_argument("--rhv-port", type=int, default=8444, help="RHV Manager port (default 8444; 0 picks a free one)")
    serve.add_argument("--no-rhv", action="store_true", help="do not start the RHV Manager")
    serve.add_argument("--rhv-inventory", type=Path, help="RHV inventory YAML (fixtures/rhv/*.yaml)")
    serve.add_argument("--rhv-admin-password", default="redhat123", help="password of admin@internal")
    serve.add_argument("--http", action="store_true", help="serve plain HTTP instead of HTTPS")
    serve.add_argument("--state", type=Path,
                       help="state file of the whole lab (SQLite): restored at start, every change saved before it is answered")
    serve.add_argument("--fixture", type=Path, action="append", default=[], help="APIC objects to load (YAML list of {dn, body}); repeatable")
    serve.add_argument("--scenario", type=Path, help="lab scenario (scenarios/*.yaml): topology + fixtures")
    serve.add_argument("--topology", type=Path, help="fabric size file (pods, spines, leaves, version)")
    serve.add_argument("--admin-user", default="admin")
    serve.add_argument("--admin-password", default="cisco123")
    serve.add_argument("--tls-dir", type=Path, help="where the self-signed certificate is kept")
    nodeprep_cli.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve_command(args)
    if args.command == "nodeprep":
        return nodeprep_cli.run(args)
    return 2


def serve_command(args) -> int:
    from .lab import Lab, LabOptions

    for path in [*args.fixture, *(p for p in (args.topology, args.scenario, args.rhv_inventory) if p)]:
        if not path.exists():
            print(f"acisim: error: no such file: {path}", file=sys.stderr)
            return 2
    try:
        options = LabOptions(args.admin_user, args.admin_password, args.topology, list(args.fixture),
                             rhv_inventory=args.rhv_inventory, rhv_admin_password=args.rhv_admin_password)
        if args.scenario:
            options.apply_scenario(args.scenario)
        lab = Lab(options)
        if args.state:
            restored = lab.keep_state(args.state)
            if restored:
                print(f"restored {restored} objects from {args.state}")
        server = lab.start(args.host, args.apic_port, tls=not args.http, tls_dir=args.tls_dir)
        rhv = None if args.no_rhv else lab.start_rhv(args.host, args.rhv_port, tls=not args.http, tls_dir=args.tls_dir)
    except (OSError, ValueError, ApicError) as exc:
        print(f"acisim: error: {exc}", file=sys.stderr)
        return 1
    print(f"APIC     {server.url}")
    print(f"login    {args.admin_user} / {args.admin_password}")
    if rhv is not None:
        print(f"RHV      {rhv.url}/ovirt-engine/api")
        print(f"login    {lab.rhv.config.admin_user} / {args.rhv_admin_password}")
    print(f"try      curl -sk -X POST {server.url}/api/aaaLogin.json "
          f"-d '{{\"aaaUser\":{{\"attributes\":{{\"name\":\"{args.admin_user}\",\"pwd\":\"{args.admin_password}\"}}}}}}'")
    stop = threading.Event()  # handlers first: a client may send Ctrl-C as soon as it reads the line below
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("Ctrl-C stops", flush=True)
    while not stop.wait(0.5):
        pass
    lab.stop()
    if args.state:
        lab.state.close()
        print(f"saved state to {args.state}")
    print("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
