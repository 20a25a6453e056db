"""`acisim cni controller`: the controller emulator against a cluster and an APIC, from a shell.

Its configuration and key come from the manifest acc-provision wrote (ConfigMap aci-containers-config,
Secret aci-user-cert) or from the two files as the controller's pod mounts them. Every failure is one
line on stderr, as an operator reads it in the pod's log: exit 2 for an option value or a file that cannot be
used (`acisim cni: error: argument --manifest: ...`), exit 1 for what the APIC or the cluster answers.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
import warnings
from pathlib import Path

import yaml
from urllib3.exceptions import InsecureRequestWarning

from .apic import ApicError
from .config import ConfigError, from_manifest, load
from .controller import Controller
from .kube import KubeClient, KubeError, KubeView
from .reconcile import SyncResult
from .runner import Runner


def add_parser(sub):
    """The `cni` command; returns its `controller` parser (check_args refuses through it)."""
    cni = sub.add_parser("cni", help="the aci-containers controller emulator")
    commands = cni.add_subparsers(dest="cni_command", required=True)
    ctrl = commands.add_parser("controller", help="sync the APIC to a Kubernetes cluster as aci-containers-controller does")
    ctrl.add_argument("--kubeconfig", type=Path, required=True, help="the cluster's kubeconfig")
    ctrl.add_argument("--manifest", type=Path, help="aci-containers.yaml (its ConfigMap and Secret hold config and key)")
    ctrl.add_argument("--config", type=Path, help="the controller-config JSON (instead of --manifest)")
    ctrl.add_argument("--key", type=Path, help="the user's private key, user.key (with --config)")
    ctrl.add_argument("--ca-file", help="CA bundle to verify the APIC's certificate (default: not verified)")
    ctrl.add_argument("--once", action="store_true", help="one full sync, print what was posted and deleted, exit")
    ctrl.add_argument("--debounce", type=debounce_seconds, default=0.2,
                      help="seconds of quiet before a sync after a change (0 to 60)")
    return ctrl


def debounce_seconds(text: str) -> float:
    """A debounce for argparse: a finite number of seconds from 0 to 60."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= 60:
        raise argparse.ArgumentTypeError(f"invalid seconds value: {text!r} (0 to 60)")
    return value


class OptionError(Exception):
    """An option's value or file that cannot be used: `argument OPTION: problem`, exit status 2."""

    def __init__(self, option: str, problem: object):
        super().__init__(f"argument {option}: {problem}")


def check_args(parser, args) -> None:
    """--manifest, or --config with --key: refused as argparse refuses any bad combination."""
    if args.manifest and (args.config or args.key):
        parser.error("argument --manifest: not allowed with --config or --key")
    if not args.manifest and not (args.config and args.key):
        parser.error("the controller needs --manifest, or --config and --key")


def run(args) -> int:
    if not args.ca_file:  # no CA: the APIC is not verified, as the controller skips verification without one
        warnings.filterwarnings("ignore", category=InsecureRequestWarning)
    try:
        config, key = _configuration(args)
        kube = KubeView(_kube_client(args.kubeconfig))
        if args.ca_file:
            _readable("--ca-file", Path(args.ca_file))
    except OptionError as exc:
        print(f"acisim cni: error: {exc}", file=sys.stderr)
        return 2
    try:
        controller = Controller(config, key, args.ca_file, kube=kube.client)
        if args.once:
            return _once(controller, kube)
        return _forever(controller, kube, args.debounce)
    except (ApicError, KubeError, ConfigError, ValueError, OSError) as exc:
        print(f"acisim cni: error: {exc}", file=sys.stderr)
        return 1


def _configuration(args):
    """The controller's configuration and key, each file refused as its option's error."""
    if args.manifest:
        try:
            documents = [d for d in yaml.safe_load_all(args.manifest.read_text()) if isinstance(d, dict)]
            return from_manifest(documents)
        except OSError as exc:
            raise OptionError("--manifest", f"cannot read {args.manifest}: {exc.strerror}") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise OptionError("--manifest", f"{args.manifest} is not YAML: {str(exc).splitlines()[0]}") from None
        except (ConfigError, ValueError) as exc:
            raise OptionError("--manifest", f"{args.manifest}: {exc}") from None
    try:
        key = args.key.read_bytes()
    except OSError as exc:
        raise OptionError("--key", f"cannot read {args.key}: {exc.strerror}") from None
    try:
        return load(args.config), key
    except OSError as exc:
        raise OptionError("--config", f"cannot read {args.config}: {exc.strerror}") from None
    except (ConfigError, ValueError) as exc:
        raise OptionError("--config", exc if str(args.config) in str(exc) else f"{args.config}: {exc}") from None


def _kube_client(path: Path) -> KubeClient:
    try:
        return KubeClient.from_kubeconfig(path)
    except OSError as exc:  # the tokenFile it names
        raise OptionError("--kubeconfig", f"{path}: cannot read {exc.filename}: {exc.strerror}") from None
    except (KubeError, ValueError) as exc:  # unreadable, not YAML, not a kubeconfig
        raise OptionError("--kubeconfig", exc) from None


def _readable(option: str, path: Path) -> None:
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise OptionError(option, f"cannot read {path}: {exc.strerror}") from None


def _report(result: SyncResult) -> None:
    for dn in result.posted:
        print(f"posted  {dn}")
    for dn in result.deleted:
        print(f"deleted {dn}")
    print(f"synced: {len(result.posted)} posted, {len(result.deleted)} deleted", flush=True)


def _once(controller: Controller, kube: KubeView) -> int:
    try:
        kube.load()
        controller.start()
        _report(controller.sync(kube.view()))
    finally:
        controller.stop()
        kube.client.close()
    return 0


def _forever(controller: Controller, kube: KubeView, debounce: float) -> int:
    stop = threading.Event()  # handlers first: Ctrl-C may come as soon as the first sync is printed
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    runner = Runner(controller, kube, debounce, on_sync=_report,
                    on_error=lambda exc: print(f"acisim cni: {exc}", file=sys.stderr, flush=True))
    try:
        runner.start()
        print("Ctrl-C stops", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        runner.stop()
    print("stopped")
    return 0
