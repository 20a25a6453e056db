"""`acisim`: run the simulator lab from a shell.

Exit status: 0 once stopped (Ctrl-C); 2 for an invalid option value or a file that cannot be read or used,
said in one line on stderr that names the option and the file (`acisim serve: error: argument --fixture:
FILE: ...`), found before anything is served; 1 for a failure no option explains (the lab's own error, a
controller that cannot reach its cluster).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

import yaml

from . import __version__, fabric_cli, training_cli
from .apic.errors import ApicError
from .cni import cli as cni_cli
from .nodeprep import cli as nodeprep_cli


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a refused value said in one line (`acisim serve: error: argument --x: ...`, status 2)
    instead of the usage block before it; `--help` still shows the usage. Subcommands inherit it."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="acisim", description="Offline simulator of a Cisco APIC fabric")
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
    fabric_cli.add_parser(sub)
    training_cli.add_parser(sub)
    cni_controller = cni_cli.add_parser(sub)
    from . import record_cli  # acisim record (simulator/record_cli.py)

    record_cli.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "serve" and args.no_k8s and args.kubeconfig:
        serve.error("argument --kubeconfig: not allowed with argument --no-k8s")
    if args.command == "serve":
        return serve_command(args)
    if args.command == "fabric":
        return fabric_cli.run(args)
    if args.command == "lab":
        return training_cli.run(args)
    if args.command == "nodeprep":
        return nodeprep_cli.run(args)
    if args.command == "record":
        return record_cli.run(args)
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
    """`acisim serve`: every option and file is checked before anything is served, so a bad one is one line
    naming it and status 2, with nothing left running; a failure no option explains is status 1."""
    try:
        lab, servers = _start_lab(args)
    except OptionError as exc:
        print(f"acisim serve: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except LabFailure as exc:
        print(f"acisim serve: error: {_one_line(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C while the lab starts: what had started is stopped already
        print("stopped", file=sys.stderr)
        return 130
    server, rhv, k8s, kubeconfig = servers
    try:
        spec = _attach_training(args.scenario, lab)
    except ValueError as exc:  # a bad lab file or a setup step the lab refuses
        lab.stop()
        print(f"acisim serve: error: argument --scenario: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    if spec is not None:
        print(f"Lab      {spec.name}: {spec.title} (acisim lab status | check | hint)")
    print(f"APIC     {server.url}")
    print(f"login    {args.admin_user} / {args.admin_password}")
    print(f"browser  {server.url}/visore.html")
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


def _attach_training(scenario: Path | None, lab):
    """A scenario that is a training lab (it has goals) is served as `acisim lab start` serves it: its training
    routes answer and its setup steps run once the servers are up. Returns its LabSpec, or None."""
    if scenario is None:
        return None
    from .training import Training, is_training, load_lab
    from .training.steps import StepFailed

    if not is_training(yaml.safe_load(scenario.read_text(encoding="utf-8"))):
        return None
    spec = load_lab(scenario)  # TrainingSchemaError is a ValueError naming the file, key and problem
    lab.training = Training(spec, lab)
    try:
        lab.training.start()
    except StepFailed as exc:
        raise ValueError(f"{scenario}: setup: {exc}") from None
    return spec


def _start_lab(args):
    """The lab of `args`, served: (lab, (APIC, RHV or None, Kubernetes or None, kubeconfig or None)). On any
    error what was started is stopped again before it is raised."""
    from .lab import LabOptions

    check_serve_args(args)
    options = LabOptions(args.admin_user, args.admin_password, args.topology, list(args.fixture),
                         rhv_inventory=args.rhv_inventory, rhv_admin_password=args.rhv_admin_password)
    files = LabFiles(args)
    files.check(options)  # what the command line names, before a scenario adds its own
    if args.scenario:
        files.read(args.scenario)
        try:
            options.apply_scenario(args.scenario)
        except Exception as exc:  # noqa: BLE001 (any problem of the file is the option's, in one line)
            raise OptionError("--scenario", _about(args.scenario, exc)) from None
        files.check(options)
    lab = files.build_lab(options)
    try:
        if args.state:
            try:
                restored = lab.keep_state(args.state)
            except (OSError, ValueError, ApicError) as exc:
                raise OptionError("--state", _about(args.state, exc)) from None
            if restored:
                print(f"restored {restored} objects from {args.state}")
        tls = not args.http
        server = _serve("--apic-port", args, lambda: lab.start(args.host, args.apic_port, tls=tls, tls_dir=args.tls_dir))
        rhv = None if args.no_rhv else _serve(
            "--rhv-port", args, lambda: lab.start_rhv(args.host, args.rhv_port, tls=tls, tls_dir=args.tls_dir))
        # HTTPS even with --http: a real API server has no plain port, and kubectl sends no token over http
        k8s = None if args.no_k8s else _serve(
            "--k8s-port", args, lambda: lab.start_k8s(args.host, args.k8s_port, tls=True, tls_dir=args.tls_dir))
        kubeconfig = None
        if k8s is not None:
            try:
                kubeconfig = lab.write_kubeconfig(kubeconfig_path(args))
            except OSError as exc:
                raise OptionError("--kubeconfig", _about(kubeconfig_path(args), exc)) from None
    except BaseException:
        lab.stop()
        if args.state:
            lab.state.close()
        raise
    return lab, (server, rhv, k8s, kubeconfig)


class OptionError(Exception):
    """An invalid option value or a file that cannot be used: `acisim serve: error: argument OPTION: ...`,
    status 2, as argparse answers a value it refuses."""

    def __init__(self, option: str, problem: str):
        super().__init__(f"argument {option}: {problem}")


class LabFailure(Exception):
    """The lab failed for a reason no option explains (status 1)."""


SERVERS = (("--apic-port", "apic_port", None), ("--rhv-port", "rhv_port", "no_rhv"), ("--k8s-port", "k8s_port", "no_k8s"))


def check_serve_args(args) -> None:
    """What can be told wrong before any file is read: names, ports (distinct, free), the host, the folders."""
    if not args.admin_user or any(c.isspace() or c in "/[]" for c in args.admin_user):
        raise OptionError("--admin-user", f"{args.admin_user!r} is not a name an APIC user can have")
    for option, value in (("--admin-password", args.admin_password), ("--rhv-admin-password", args.rhv_admin_password)):
        if not value:
            raise OptionError(option, "a password cannot be empty")
    ports = [(option, getattr(args, name)) for option, name, off in SERVERS if not (off and getattr(args, off))]
    for i, (option, number) in enumerate(ports):
        for other, taken in ports[:i]:
            if number and number == taken:
                raise OptionError(option, f"port {number} is also {other}'s: each server needs its own port "
                                          "(0 picks a free one)")
    _check_listen("--host", args.host, 0)
    for option, number in ports:
        if number:
            _check_listen(option, args.host, number)
    _check_folder("--tls-dir", args.tls_dir)
    if args.state is not None:
        _check_state(args.state)
    if args.kubeconfig is not None and args.kubeconfig.is_dir():
        raise OptionError("--kubeconfig", f"{args.kubeconfig}: is a directory, not a file")


def _check_listen(option: str, host: str, number: int) -> None:
    """Bind host:port as the server will (and let go at once): a host this machine does not have, or a port
    another program holds, is the option's error before anything starts."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.getaddrinfo(host, number, family, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OptionError("--host", f"cannot resolve {host!r}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        socket.create_server((host, number), family=family).close()
    except OSError as exc:
        what = f"cannot listen on {host}" if option == "--host" else f"port {number} on {host} cannot be served"
        raise OptionError(option, f"{what}: {_bind_problem(exc)}") from None


def _bind_problem(exc: OSError) -> str:
    """The reason a bind failed, without the address socket.create_server appends (the option names it)."""
    return (exc.strerror or str(exc)).split(" (while attempting to bind")[0]


def _check_folder(option: str, folder: Path | None) -> None:
    """A folder the lab writes into (made if missing): it must be one, and writable."""
    import tempfile

    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except FileExistsError:
        raise OptionError(option, f"{folder}: is not a directory") from None
    except OSError as exc:
        raise OptionError(option, f"{folder}: cannot be written ({exc.strerror or exc})") from None


def _check_state(path: Path) -> None:
    import os

    if path.is_dir():
        raise OptionError("--state", f"{path}: is a directory, not a state file")
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise OptionError("--state", f"{path}: cannot be read and written (permission denied)")
    elif not path.parent.is_dir():
        raise OptionError("--state", f"{path}: its folder {path.parent} does not exist")


def _serve(option: str, args, start):
    """Start one server; a port or a host it cannot take is its option's error."""
    try:
        return start()
    except OSError as exc:
        if exc.filename:  # the certificate in --tls-dir
            raise OptionError("--tls-dir", _about(Path(exc.filename), exc)) from None
        raise OptionError(option, f"port {getattr(args, option[2:].replace('-', '_'))} on {args.host} cannot be "
                                  f"served: {_bind_problem(exc)}") from None


class LabFiles:
    """The files a lab is built from, each read and checked as its option names it: YAML that parses, in the
    shape its loader takes; what only loading shows (an unknown class, a bad DN, a bad inventory) is found
    by loading each file alone when the lab as a whole refuses to build."""

    def __init__(self, args):
        self.args = args
        self.checked: set[Path] = set()

    def option(self, path: Path) -> tuple[str, str]:
        """The option a file came from and how to name the file: a scenario's files are the scenario's."""
        a = self.args
        if path == a.scenario:
            return "--scenario", str(path)
        if path in a.fixture:
            return "--fixture", str(path)
        for option, given in (("--topology", a.topology), ("--rhv-inventory", a.rhv_inventory)):
            if given is not None and path == given:
                return option, str(path)
        return "--scenario", f"{a.scenario}: {path}"

    def check(self, options) -> None:
        named = [(p, "fixture") for p in options.fixtures]
        named += [(p, kind) for p, kind in ((options.topology, "topology"), (options.rhv_inventory, "inventory")) if p]
        for path, kind in named:
            if path in self.checked:
                continue
            self.checked.add(path)
            data = self.read(path)
            if kind == "fixture":
                problem = fixture_problem(data)
                if problem:
                    self.refuse(path, problem)
            elif not isinstance(data, dict) and not (kind == "topology" and data is None):
                self.refuse(path, f"{'a fabric file' if kind == 'topology' else 'an RHV inventory'} is a YAML mapping, "
                                  f"not {_kind(data)}")

    def refuse(self, path: Path, problem: str):
        option, name = self.option(path)
        raise OptionError(option, f"{name}: {problem.removeprefix(f'{path}: ')}")

    def read(self, path: Path) -> object:
        import yaml

        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.refuse(path, "is not UTF-8 text")
        except OSError as exc:
            self.refuse(path, _os_problem(exc))
        try:
            return yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            self.refuse(path, f"not valid YAML (line {mark.line + 1}: {exc.problem or exc.context})")
        except (yaml.YAMLError, RecursionError) as exc:
            self.refuse(path, f"not valid YAML ({type(exc).__name__})")

    def build_lab(self, options):
        """The lab of `options`; when it refuses to build, the file (or option) that makes it refuse."""
        from .lab import Lab

        try:
            return Lab(options)
        except Exception as exc:  # noqa: BLE001 (a file's content: found below, and said in one line)
            self._blame(options, exc)
            if self.args.scenario:
                raise OptionError("--scenario", _about(self.args.scenario, exc)) from None
            raise LabFailure(f"the lab cannot start: {_about(None, exc)}") from None

    def _blame(self, options, exc: Exception) -> None:
        """Load each file of `options` alone, in the lab's order: the first that fails is refused."""
        from . import defaults
        from .apic.service import Apic, ApicConfig
        from .clock import OffsetClock
        from .fabric import Fabric
        from .rhv.service import Rhv, RhvConfig

        try:
            fabric = Fabric.from_file(options.topology or defaults.FABRIC)
        except Exception as problem:  # noqa: BLE001
            self.refuse(options.topology, _about(options.topology, problem))
        try:
            apic = Apic(ApicConfig(admin_user=options.admin_user, admin_password=options.admin_password,
                                   topology=fabric.topology))
        except Exception as problem:  # noqa: BLE001
            raise OptionError("--admin-user", f"{options.admin_user!r}: {_about(None, problem)}") from None
        for path in options.fixtures:
            try:
                apic.load_tree(path)
            except Exception as problem:  # noqa: BLE001
                self.refuse(path, _about(path, problem))
        if options.rhv_inventory:
            try:
                Rhv(RhvConfig(admin_password=options.rhv_admin_password), OffsetClock()).load_inventory(
                    options.rhv_inventory)
            except Exception as problem:  # noqa: BLE001
                self.refuse(options.rhv_inventory, _about(options.rhv_inventory, problem))


def fixture_problem(data: object) -> str | None:
    """What is wrong with an APIC fixture's shape (a list of {dn, body: {CLASS: {attributes, children}}}, or
    an export's {"objects": [...]}), or None."""
    entries = data.get("objects") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return f"a fixture is a YAML list of {{dn, body}} (or {{objects: [...]}}), not {_kind(data)}"
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("body"), dict):
            return f"entry {number} is not a mapping with a body: {{CLASS: {{attributes: ...}}}}"
        if not isinstance(entry.get("dn", ""), str):
            return f"entry {number}: dn is a text, not {_kind(entry['dn'])}"
        body = entry["body"]
        if len(body) != 1 or not isinstance(next(iter(body.values())), dict | None):
            return f"entry {number}: a body is one class: {{CLASS: {{attributes: ..., children: [...]}}}}"
    return None


def _kind(value: object) -> str:
    return "an empty file" if value is None else f"a {type(value).__name__}"


def _os_problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, PermissionError):
        return "cannot be read (permission denied)"
    return f"cannot be read ({exc.strerror or exc})"


def _about(path: Path | None, exc: BaseException) -> str:
    """`path: problem` in one line, without the path twice when the problem already starts with it."""
    problem = _os_problem(exc) if isinstance(exc, OSError) and path is not None and exc.filename else str(exc)
    problem = problem or type(exc).__name__
    if path is None or problem.startswith(str(path)):
        return problem
    return f"{path}: {problem}"


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


if __name__ == "__main__":
    sys.exit(main())
