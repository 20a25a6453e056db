"""`acisim`: run the simulator lab from a shell."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from . import __version__
from .apic.errors import ApicError
from .cni import cli as cni_cli
from .nodeprep import cli as nodeprep_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="acisim", description="Offline simulator of a Cisco APIC fabric")
    parser.add_argument("--version", action="version", version=f"acisim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the lab and print where to connect")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--apic-port", type=port, default=8443, help="APIC port (default 8443; 0 picks a free one)")
    serve.add_argument("--rhv-port", type=port, default=8444, help="RHV Manager port (default 8444; 0 picks a free one)")
    serve.add_argument("--no-rhv", action="store_true", help="do not start the RHV Manager")
    serve.add_argument("--k8s-port", type=port, default=6443,
                       help="Kubernetes API port (default 6443; 0 picks a free one)")
    serve.add_argument("--no-k8s", action="store_true", help="do not start the Kubernetes API")
    serve.add_argument("--kubeconfig", type=Path,
                       help="where to write the kubeconfig of the Kubernetes API (default: kubeconfig in --tls-dir, "
                            "else ~/.local/share/acisim/kubeconfig or $ACISIM_HOME/kubeconfig)")
    serve.add_argument("--rhv-inventory", type=Path, help="RHV inventory YAML (fixtures/rhv/*.yaml)")
    serve.add_argument("--rhv-admin-password", default="redhat123", help="password of admin@internal")
    serve.add_argument("--http", action="store_true",
                       help="serve the APIC and the RHV Manager over plain HTTP (the Kubernetes API stays HTTPS)")
    serve.add_argument("--state", type=Path,
                       help="state file of the whole lab (SQLite): restored at start, every change saved before it is answered")
    serve.add_argument("--fixture", type=Path, action="append", default=[], help="APIC objects to load (YAML list of {dn, body}); repeatable")
    serve.add_argument("--scenario", type=Path, help="lab scenario (scenarios/*.yaml): topology + fixtures")
    serve.add_argument("--topology", type=Path, help="fabric size file (pods, spines, leaves, version)")
    serve.add_argument("--admin-user", default="admin")
    serve.add_argument("--admin-password", default="cisco123")
    serve.add_argument("--tls-dir", type=Path, help="where the self-signed certificate is kept")
    nodeprep_cli.add_parser(sub)
    cni_controller = cni_cli.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "serve" and args.no_k8s and args.kubeconfig:
        serve.error("argument --kubeconfig: not allowed with argument --no-k8s")
    if args.command == "serve":
        return serve_command(args)
    if args.command == "nodeprep":
        return nodeprep_cli.run(args)
    if args.command == "cni":
        cni_cli.check_args(cni_controller, args)
        return cni_cli.run(args)
    return 2


def port(text: str) -> int:
    """A TCP port for argparse: 0 (a free one) to 65535, refused as argparse refuses any bad value."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port value: {text!r} (0 to 65535, 0 picks a free one)")
    return number


def kubeconfig_path(args) -> Path:
    """The kubeconfig goes where it is asked for, else beside the certificate it trusts."""
    from .tls import state_dir

    return args.kubeconfig or (args.tls_dir or state_dir()) / "kubeconfig"


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
        # HTTPS even with --http: a real API server has no plain port, and kubectl sends no token over http
        k8s = None if args.no_k8s else lab.start_k8s(args.host, args.k8s_port, tls=True, tls_dir=args.tls_dir)
        kubeconfig = None if k8s is None else lab.write_kubeconfig(kubeconfig_path(args))
    except (OSError, ValueError, ApicError) as exc:
        print(f"acisim: error: {exc}", file=sys.stderr)
        return 1
    print(f"APIC     {server.url}")
    print(f"login    {args.admin_user} / {args.admin_password}")
    if rhv is not None:
        print(f"RHV      {rhv.url}/ovirt-engine/api")
        print(f"login    {lab.rhv.config.admin_user} / {args.rhv_admin_password}")
    if k8s is not None:
        print(f"K8S      {k8s.url}")
        print(f"kubeconfig {kubeconfig}")
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
