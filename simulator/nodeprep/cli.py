"""`acisim nodeprep render | check | lab up|check|down`."""

from __future__ import annotations

import sys
from pathlib import Path

from .checks import NodeUnderCheck, report, run_checks
from .config import ClusterNetwork, NodePrepError
from .netns_lab import FAULTS, NodePrepLab, default_workdir
from .render import NodeSpec, render_node
from .system import ip_json


def add_parser(sub) -> None:
    nodeprep = sub.add_parser("nodeprep", help="prepare Kubernetes nodes' networking for ACI, check it, run a lab")
    commands = nodeprep.add_subparsers(dest="nodeprep_command", required=True)

    render = commands.add_parser("render", help="render a node's /etc/network/interfaces, dhclient and netplan files")
    render.add_argument("-c", "--config", type=Path, required=True, help="the acc-provision input file")
    render.add_argument("--node", required=True, help="the node's host name")
    render.add_argument("--uplink", required=True, help="the NIC cabled to the leaf, e.g. ens192")
    render.add_argument("--mac", required=True, help="MAC of the infra-VLAN interface (the uplink's)")
    render.add_argument("--ip", required=True, help="the node's address in the node subnet")
    render.add_argument("--format", choices=("all", "interfaces", "dhclient", "netplan"), default="all")
    render.add_argument("--output-dir", type=Path, help="write the files under this root instead of printing")

    check = commands.add_parser("check", help="check this node (or namespace) is prepared; exit 1 if not")
    check.add_argument("-c", "--config", type=Path, required=True, help="the acc-provision input file")
    check.add_argument("--uplink", help="the NIC cabled to the leaf (default: the parent of <IF>.<infra_vlan>)")
    check.add_argument("--dhclient-conf", type=Path, help="default /etc/dhcp/dhclient-<uplink>.<infra_vlan>.conf")
    check.add_argument("--lease-file", type=Path, help="default: the newest lease in dhclient's usual folders")
    check.add_argument("--apiserver", help="the Kubernetes API server, e.g. https://10.1.0.101:6443")
    check.add_argument("--json", action="store_true")

    lab = commands.add_parser("lab", help="a leaf and N nodes in network namespaces (root)")
    actions = lab.add_subparsers(dest="lab_command", required=True)
    up = actions.add_parser("up", help="build the lab and prepare every node")
    up.add_argument("-c", "--config", type=Path, required=True, help="the acc-provision input file")
    up.add_argument("--nodes", type=int, default=2)
    up.add_argument("--fault", action="append", default=[], metavar="NODE=FAULT",
                    help=f"prepare a node wrongly; FAULT is one of {', '.join(FAULTS)}")
    up.add_argument("--subif", choices=("auto", "vlan", "macvlan"), default="auto")
    lab_check = actions.add_parser("check", help="run every check in every node; exit 1 if one fails")
    lab_check.add_argument("--json", action="store_true")
    down = actions.add_parser("down", help="stop the lab's processes and remove its namespaces")
    for action in (up, lab_check, down):
        action.add_argument("--prefix", default="acinp", help="namespace name prefix (default acinp)")
        action.add_argument("--workdir", type=Path, help="the lab's files (default: a folder in the temp dir)")


def run(args) -> int:
    try:
        if args.nodeprep_command == "render":
            return _render(args)
        if args.nodeprep_command == "check":
            return _check(args)
        return _lab(args)
    except NodePrepError as exc:
        print(f"acisim nodeprep: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file that cannot be written, a folder that cannot be made
        print(f"acisim nodeprep: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2


def _render(args) -> int:
    cluster = ClusterNetwork.from_file(args.config)
    plan = render_node(cluster, NodeSpec.parse(cluster, args.node, args.uplink, args.mac, args.ip))
    chosen = {"interfaces": plan.interfaces_path, "dhclient": plan.dhclient_path, "netplan": plan.netplan_path}
    files = plan.files() if args.format == "all" else {chosen[args.format]: plan.files()[chosen[args.format]]}
    if args.output_dir:
        for path, text in files.items():
            target = args.output_dir / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            if path == plan.netplan_path:
                target.chmod(0o600)  # netplan warns about configs others can read
            print(f"wrote {target}")
        return 0
    for number, (path, text) in enumerate(files.items()):
        if args.format == "all":
            print(("\n" if number else "") + f"# ==> {path} <==")
        print(text, end="")
    return 0


def _check(args) -> int:
    cluster = ClusterNetwork.from_file(args.config)
    uplink = args.uplink or _find_uplink(cluster)
    results = run_checks(NodeUnderCheck(cluster, uplink, args.dhclient_conf, args.lease_file, args.apiserver))
    print(report(results, args.json))
    return 0 if all(r.ok for r in results) else 1


def _find_uplink(cluster: ClusterNetwork) -> str:
    suffix = f".{cluster.infra_vlan}"
    for link in ip_json(None, "link", "show"):
        if link["ifname"].endswith(suffix) and link.get("link"):
            return link["link"]
    raise NodePrepError(f"no infra VLAN interface (*{suffix}) here; give --uplink")


def _lab(args) -> int:
    workdir = args.workdir or default_workdir(args.prefix)
    if args.lab_command == "up":
        faults: dict[str, list[str]] = {}
        for item in args.fault:
            node, sep, fault = item.partition("=")
            if not sep:
                raise NodePrepError(f"--fault {item!r}: expected NODE=FAULT, e.g. node2=leaf-port-mtu-1500")
            faults.setdefault(node, []).append(fault)
        lab = NodePrepLab(args.config, args.nodes, args.prefix, workdir, faults, args.subif)
        state = lab.up()
        print(f"lab up in {state.timings['up']:.2f} s: {len(state.nodes)} nodes, sub-interfaces: {state.subif_kind}")
        print(f"  leaf namespace {state.leaf}; API server {state.apiserver}")
        for node in state.nodes:
            print(f"  {node.name}: namespace {node.netns}, {node.ip}, infra MAC {node.infra_mac}"
                  + (f", faults: {', '.join(node.faults)}" if node.faults else ""))
        print(f"  files in {workdir}; next: acisim nodeprep lab check --workdir {workdir}")
        return 0
    lab = NodePrepLab.attach(workdir)
    if args.lab_command == "check":
        result = lab.check()
        print(result.as_json() if args.json else result.text())
        return 0 if result.ok else 1
    problems = lab.down()
    for problem in problems:
        print(f"left behind: {problem}", file=sys.stderr)
    print(f"lab down in {lab.state.timings['down']:.2f} s" + ("" if not problems else f", {len(problems)} problems"))
    return 1 if problems else 0
