"""The node-preparation lab: a leaf and N Kubernetes nodes as network namespaces, built with real
Linux networking (root needed).

    leaf namespace                      node namespace (one per node)
    br0 (bridge) ── swpN ══ veth ══ ens192 (uplink, the node's NIC)
    ├─ vlan<infra>: OpFlex peer .30 of the TEP pool, dnsmasq (the fabric's infra DHCP: each node's
    │               TEP address kept for its client identifier, classless routes in options 121/249)
    └─ vlan<node>:  node subnet gateway

Each node gets the configuration `render_node` writes, applied from the written files. Real 802.1Q
devices are used where the kernel has them, macvlan stand-ins otherwise (`subif_kind` says which).
The first node runs a stand-in API server on its node-subnet address. Every process the lab starts
is recorded by PID in the lab's state file, and `down` stops them and removes every namespace, also
after a failed `up`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from ..fabric import DEFAULT_TEP_POOL
from .apply import (
    InterfacesApplier,
    add_subinterface,
    dhclient_conf_path,
    dhclient_lease_path,
    parse_interfaces,
    stand_in_mac,
)
from .checks import CheckResult
from .config import ClusterNetwork, NodePrepError
from .leases import dnsmasq_leases, latest_lease
from .render import NodeSpec, render_node
from .system import in_netns, ip, netns_list, netns_pids, process_alive, run, stop_process

TEP_POOL = DEFAULT_TEP_POOL  # the fabric's default TEP pool: the leaf holds its OpFlex peer address
UPLINK = "ens192"
APISERVER_PORT = 6443
FAULTS = {
    "leaf-port-mtu-1500": "the node's leaf port is left at MTU 1500",
    "no-multicast-route": "the interfaces file lacks the multicast route",
    "wrong-client-id": "the dhclient file carries a MAC that is not the infra interface's",
    "ovs-running": "Open vSwitch is running on the node",
}
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def python_env() -> dict[str, str]:
    """The environment for this package's helpers run in a namespace: they import `simulator` too."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])))


def default_workdir(prefix: str) -> Path:
    return Path(tempfile.gettempdir()) / f"acisim-nodeprep-{prefix}"


@dataclass
class LabNode:
    name: str
    netns: str
    leaf_port: str
    uplink_mac: str
    infra_mac: str
    ip: str
    tep: str = ""  # the TEP address the fabric's DHCP keeps for this node's client identifier
    faults: list[str] = field(default_factory=list)


@dataclass
class LabState:
    prefix: str
    config: str
    subif_kind: str = ""
    leaf: str = ""
    namespaces: list[str] = field(default_factory=list)
    nodes: list[LabNode] = field(default_factory=list)
    pids: dict[str, int] = field(default_factory=dict)
    apiserver: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def save(self, workdir: Path) -> None:
        tmp = workdir / "lab.json.tmp"
        tmp.write_text(json.dumps(asdict(self), indent=2))
        os.replace(tmp, workdir / "lab.json")

    @classmethod
    def load(cls, workdir: Path) -> LabState:
        try:
            data = json.loads((workdir / "lab.json").read_text())
        except OSError:
            raise NodePrepError(f"no lab in {workdir} (run `acisim nodeprep lab up` first)") from None
        data["nodes"] = [LabNode(**node) for node in data["nodes"]]
        return cls(**data)


@dataclass
class LabReport:
    subif_kind: str
    nodes: dict[str, list[CheckResult]]
    fabric: list[CheckResult]
    # node -> {"ip": its node-subnet address, "tep": the TEP address its infra DHCP lease holds}: what the
    # simulator's /_sim/k8s/preparation matches its Kubernetes nodes by, and their OpFlex devices' address
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(r.ok for results in self.nodes.values() for r in results) and all(r.ok for r in self.fabric)

    def failures(self) -> list[str]:
        found = [f"{node}: {r.name}: {r.detail}" for node, results in self.nodes.items() for r in results if not r.ok]
        return found + [f"fabric: {r.name}: {r.detail}" for r in self.fabric if not r.ok]

    def text(self) -> str:
        lines = [f"sub-interfaces: {self.subif_kind}"]
        for node, results in self.nodes.items():
            lines.append(f"-- {node}")
            lines += [f"  {r.status.upper():4}  {r.name}: {r.detail}" for r in results]
        lines.append("-- fabric")
        lines += [f"  {r.status.upper():4}  {r.name}: {r.detail}" for r in self.fabric]
        count = sum(len(r) for r in self.nodes.values()) + len(self.fabric)
        lines.append(f"{count - len(self.failures())} of {count} checks passed")
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps({"subif_kind": self.subif_kind, "ok": self.ok,
                           "nodes": {n: [asdict(r) for r in rs] for n, rs in self.nodes.items()},
                           "fabric": [asdict(r) for r in self.fabric], "addresses": self.addresses}, indent=2)


def probe_subif_kind(prefix: str) -> str:
    """`vlan` if this kernel makes 802.1Q devices, else `macvlan` (see research: no CONFIG_VLAN_8021Q)."""
    netns = f"{prefix}-probe"
    run(["ip", "netns", "add", netns])
    try:
        ip(netns, "link", "add", "probe0", "type", "dummy", check=False)
        done = ip(netns, "link", "add", "link", "probe0", "name", "probe0.9", "type", "vlan", "id", "9", check=False)
        return "vlan" if done.returncode == 0 else "macvlan"
    finally:
        run(["ip", "netns", "del", netns], check=False)


class NodePrepLab:
    def __init__(self, config: Path, nodes: int = 2, prefix: str = "acinp", workdir: Path | None = None,
                 faults: dict[str, list[str]] | None = None, subif_kind: str = "auto"):
        self.config = Path(config).resolve()
        self.cluster  # noqa: B018 - read and validate the config now, not halfway through `up`
        if not 1 <= nodes <= 64:
            raise NodePrepError(f"a lab has 1 to 64 nodes, not {nodes}")
        if subif_kind not in ("auto", "vlan", "macvlan"):
            raise NodePrepError(f"sub-interface kind {subif_kind!r} is not auto, vlan or macvlan")
        last = self.cluster.node_subnet.network_address + 100 + nodes
        if last not in self.cluster.node_subnet or last == self.cluster.node_subnet.broadcast_address:
            raise NodePrepError(f"{nodes} nodes from .101 do not fit the node subnet {self.cluster.node_subnet}")
        self.count, self.prefix, self.subif_kind = nodes, prefix, subif_kind
        self.workdir = Path(workdir or default_workdir(prefix)).resolve()
        self.faults = faults or {}
        names = {f"node{i}" for i in range(1, nodes + 1)}
        for node, wanted in self.faults.items():
            if node not in names:
                raise NodePrepError(f"fault for unknown node {node!r} (the lab has {', '.join(sorted(names))})")
            for fault in wanted:
                if fault not in FAULTS:
                    raise NodePrepError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        self.state = LabState(prefix, str(self.config))
        self._children: list[subprocess.Popen] = []

    @classmethod
    def attach(cls, workdir: Path) -> NodePrepLab:
        """The lab whose state is in `workdir`, as `up` left it. Taking it down needs nothing else,
        so `down` works even when the config file has gone since."""
        state = LabState.load(Path(workdir))
        lab = cls.__new__(cls)
        lab.config, lab.prefix, lab.workdir, lab.state = Path(state.config), state.prefix, Path(workdir).resolve(), state
        lab.count, lab.subif_kind = len(state.nodes), state.subif_kind or "auto"
        lab.faults = {n.name: n.faults for n in state.nodes if n.faults}
        lab._children = []
        return lab

    @cached_property
    def cluster(self) -> ClusterNetwork:
        return ClusterNetwork.from_file(self.config)

    # -- up ---------------------------------------------------------------------------------------
    def up(self) -> LabState:
        if os.geteuid() != 0:
            raise NodePrepError("the node-prep lab needs root (network namespaces, veth, dnsmasq)")
        for tool in ("ip", "dnsmasq", "dhclient", "ping", "unshare"):
            if shutil.which(tool) is None:
                raise NodePrepError(f"`{tool}` is not installed (apt-get install iproute2 dnsmasq isc-dhcp-client iputils-ping)")
        taken = {n for n in netns_list() if n.startswith(f"{self.prefix}-")}
        if taken:
            raise NodePrepError(f"namespaces {', '.join(sorted(taken))} exist: another lab with prefix {self.prefix!r} is up")
        if self.workdir.exists() and any(self.workdir.iterdir()):
            if not (self.workdir / "lab.json").exists():
                raise NodePrepError(f"{self.workdir} is not empty and holds no earlier lab; choose another --workdir")
            earlier = LabState.load(self.workdir)
            if set(earlier.namespaces) & netns_list():
                raise NodePrepError(f"{self.workdir} holds lab {earlier.prefix!r}, which is still up; take it down first")
            shutil.rmtree(self.workdir)  # an earlier lab's files; that lab is down
        self.workdir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        try:
            self._build()
        except BaseException:
            self.down()
            raise
        self.state.timings["up"] = round(time.monotonic() - started, 3)
        self.state.save(self.workdir)
        return self.state

    def _build(self) -> None:
        kind = self.subif_kind if self.subif_kind != "auto" else probe_subif_kind(self.prefix)
        self.state.subif_kind = kind
        self.state.save(self.workdir)
        self._build_leaf(kind)
        appliers = [self._build_node(index, kind) for index in range(1, self.count + 1)]
        self._start_dhcp_server()
        pairs = list(zip(appliers, self.state.nodes, strict=True))
        for applier, node in pairs:
            applier.start_dhcp(self.workdir / node.name)
        deadline = time.monotonic() + 20
        try:
            for applier, _ in pairs:
                applier.wait_dhcp(deadline)
        finally:
            for applier, node in pairs:
                for number, pid in enumerate(applier.dhcp_pids()):
                    self.state.pids[f"dhclient-{node.name}-{number}"] = pid
            self.state.save(self.workdir)
        for applier, _ in pairs:
            applier.run_up_commands()
        self._start_apiserver()
        for node in self.state.nodes:
            if "ovs-running" in node.faults:
                self._start_ovs(node)

    def _add_netns(self, name: str) -> None:
        run(["ip", "netns", "add", name])
        self.state.namespaces.append(name)
        self.state.save(self.workdir)
        # dhclient-script writes resolv.conf; `ip netns exec` mounts this one over the host's.
        Path(f"/etc/netns/{name}").mkdir(parents=True, exist_ok=True)
        Path(f"/etc/netns/{name}/resolv.conf").write_text("")
        ip(name, "link", "set", "lo", "up")

    def _build_leaf(self, kind: str) -> None:
        leaf = self.state.leaf = f"{self.prefix}-leaf"
        self._add_netns(leaf)
        ip(leaf, "link", "add", "br0", "type", "bridge")
        ip(leaf, "link", "set", "br0", "mtu", str(self.cluster.mtu), "up")
        self._leaf_vlans(kind)

    def _leaf_vlans(self, kind: str) -> None:
        leaf, mtu = self.state.leaf, str(self.cluster.mtu)
        gateway = self.cluster.node_gateway
        for vlan, address in ((self.cluster.infra_vlan, TEP_POOL.opflex_peer_interface), (self.cluster.node_vlan, gateway)):
            name = f"vlan{vlan}"
            add_subinterface(leaf, "br0", name, vlan, kind)
            ip(leaf, "link", "set", name, "mtu", mtu, "up")
            ip(leaf, "addr", "add", str(address), "dev", name)

    def _build_node(self, index: int, kind: str) -> InterfacesApplier:
        name = f"node{index}"
        netns, port = f"{self.prefix}-{name}", f"swp{index}"
        uplink_mac = f"02:ac:00:00:{index >> 8:02x}:{index & 0xff:02x}"
        infra_mac = uplink_mac if kind == "vlan" else stand_in_mac(uplink_mac, self.cluster.infra_vlan)
        address = self.cluster.node_subnet.network_address + 100 + index
        tep = TEP_POOL.network.network_address + 100 + index
        node = LabNode(name, netns, port, uplink_mac, infra_mac, str(address), str(tep), list(self.faults.get(name, [])))
        self.state.nodes.append(node)
        self._add_netns(netns)
        ip(None, "link", "add", UPLINK, "netns", netns, "address", uplink_mac, "type", "veth",
           "peer", "name", port, "netns", self.state.leaf)
        ip(self.state.leaf, "link", "set", port, "mtu", str(self.cluster.mtu), "master", "br0", "up")
        if "leaf-port-mtu-1500" in node.faults:
            ip(self.state.leaf, "link", "set", port, "mtu", "1500")
        given_mac = infra_mac
        if "wrong-client-id" in node.faults:  # the classic slip: the uplink's MAC, or a typo
            given_mac = uplink_mac if uplink_mac != infra_mac else uplink_mac[:-2] + f"{int(uplink_mac[-2:], 16) ^ 0x80:02x}"
        plan = render_node(self.cluster, NodeSpec.parse(self.cluster, name, UPLINK, given_mac, str(address)))
        root = self.workdir / name / "root"
        for path, text in plan.files().items():
            if path == plan.interfaces_path and "no-multicast-route" in node.faults:
                text = "\n".join(line for line in text.splitlines() if str(self.cluster.multicast_subnet) not in line) + "\n"
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        stanzas = parse_interfaces((root / plan.interfaces_path.lstrip("/")).read_text())
        applier = InterfacesApplier(netns, stanzas, root, kind)
        applier.configure_links()
        return applier

    def _spawn(self, label: str, argv: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
        with open(log, "ab") as out:
            child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, env=env)
        self._children.append(child)
        self.state.pids[label] = child.pid
        self.state.save(self.workdir)
        return child

    def _wait_for(self, what: str, ready, child: subprocess.Popen | None, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while not ready():
            if child is not None and child.poll() is not None:
                raise NodePrepError(f"{what} exited with status {child.returncode} (see {self.workdir})")
            if time.monotonic() > deadline:
                raise NodePrepError(f"{what} did not start in {seconds:g} s (see {self.workdir})")
            time.sleep(0.01)

    def _start_dhcp_server(self) -> None:
        peer, route = TEP_POOL.opflex_peer, TEP_POOL.fabric_route
        pool = TEP_POOL.network
        pidfile = self.workdir / "dnsmasq.pid"
        argv = in_netns(self.state.leaf, [
            "dnsmasq", "--keep-in-foreground", "-C", "/dev/null", "--port=0", "--user=root", "--group=root",
            f"--interface=vlan{self.cluster.infra_vlan}", "--except-interface=lo", "--bind-interfaces",
            f"--dhcp-range={pool.network_address + 64},{pool.network_address + 250},{pool.netmask},1h",
            "--dhcp-authoritative", "--no-ping",
            "--dhcp-option=3",  # no router: a second default route on the infra VLAN would be wrong
            f"--dhcp-option=121,{route},{peer}", f"--dhcp-option=249,{route},{peer}",
            "--dhcp-option=option:domain-name,fabric.aci.sim", f"--dhcp-option=option:dns-server,{peer}",
            f"--dhcp-option=option:ntp-server,{peer}", f"--dhcp-option=252,http://{peer}/wpad.dat",
            *(f"--dhcp-host=id:01:{node.infra_mac},{node.tep},{node.name}" for node in self.state.nodes),
            f"--dhcp-leasefile={self.workdir / 'dnsmasq.leases'}", f"--pid-file={pidfile}",
            f"--log-facility={self.workdir / 'dnsmasq.log'}", "--log-dhcp"])
        child = self._spawn("dnsmasq", argv, self.workdir / "dnsmasq.out")
        self._wait_for("dnsmasq", lambda: pidfile.exists() and pidfile.read_text().strip(), child)

    def _start_apiserver(self) -> None:
        first = self.state.nodes[0]
        ready = self.workdir / "apiserver.ready"
        argv = in_netns(first.netns, [sys.executable, "-m", "simulator.nodeprep.apiserver", "--bind", first.ip,
                                      "--port", str(APISERVER_PORT), "--tls-dir", str(self.workdir / "tls"),
                                      "--ready", str(ready)])
        child = self._spawn("apiserver", argv, self.workdir / "apiserver.log", python_env())
        self._wait_for("the stand-in API server", ready.exists, child)
        self.state.apiserver = f"https://{first.ip}:{APISERVER_PORT}"

    def _start_ovs(self, node: LabNode) -> None:
        if shutil.which("ovsdb-server") is None:
            raise NodePrepError("fault ovs-running needs Open vSwitch (apt-get install openvswitch-switch)")
        rundir = self.workdir / node.name / "ovs"
        rundir.mkdir(parents=True)
        env = dict(os.environ, OVS_RUNDIR=str(rundir), OVS_LOGDIR=str(rundir), OVS_DBDIR=str(rundir))
        run(["ovsdb-tool", "create", str(rundir / "conf.db"), "/usr/share/openvswitch/vswitch.ovsschema"])
        for daemon, target in (("ovsdb-server", [str(rundir / "conf.db"), f"--remote=punix:{rundir / 'db.sock'}"]),
                               ("ovs-vswitchd", [f"unix:{rundir / 'db.sock'}"])):
            pidfile = rundir / f"{daemon}.pid"
            argv = in_netns(node.netns, [daemon, *target, "--no-chdir", f"--pidfile={pidfile}",
                                         f"--unixctl={rundir / daemon}.ctl", f"--log-file={rundir / daemon}.log"])
            child = self._spawn(f"{daemon}-{node.name}", argv, rundir / f"{daemon}.out", env)
            self._wait_for(daemon, pidfile.exists, child)

    # -- check ------------------------------------------------------------------------------------
    @property
    def infra(self) -> str:
        return f"{UPLINK}.{self.cluster.infra_vlan}"

    def dhclient_conf(self, node: LabNode) -> Path:
        return dhclient_conf_path(self.workdir / node.name / "root", self.infra)

    def lease_file(self, node: LabNode) -> Path:
        return dhclient_lease_path(self.workdir / node.name, self.infra)

    def check(self) -> LabReport:
        state = self.state
        env = python_env()
        running = {}
        for node in state.nodes:
            argv = in_netns(node.netns, [
                sys.executable, "-m", "simulator", "nodeprep", "check", "-c", state.config, "--uplink", UPLINK,
                "--dhclient-conf", str(self.dhclient_conf(node)), "--lease-file", str(self.lease_file(node)),
                "--apiserver", state.apiserver, "--json"])
            running[node.name] = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        results = {}
        for name, child in running.items():
            out, err = child.communicate(timeout=120)
            if child.returncode not in (0, 1):
                raise NodePrepError(f"nodeprep check on {name} failed: {err.strip() or out.strip()}")
            results[name] = [CheckResult(**r) for r in json.loads(out)]
        addresses = {node.name: {"ip": node.ip, "tep": self._tep(node) or node.tep} for node in state.nodes}
        return LabReport(state.subif_kind, results, self._fabric_checks(), addresses)

    def _tep(self, node: LabNode) -> str | None:
        """The TEP address the node's dhclient holds (its lease), which may differ from the one kept for it."""
        lease = latest_lease(self.lease_file(node), self.infra)
        return lease.address if lease else None

    def _fabric_checks(self) -> list[CheckResult]:
        results = []
        served = {lease.client_id: lease for lease in dnsmasq_leases(self.workdir / "dnsmasq.leases")}
        log = (self.workdir / "dnsmasq.log").read_text() if (self.workdir / "dnsmasq.log").exists() else ""
        for node in self.state.nodes:
            lease = served.get(f"01:{node.infra_mac}")
            name = f"leaf DHCP lease for {node.name}"
            if lease is None:
                others = ", ".join(f"{other.client_id} → {other.address}" for other in served.values()) or "none"
                results.append(CheckResult(name, "fail", f"no lease keyed by client id 01:{node.infra_mac} (leases: {others})"))
            elif lease.address != node.tep:
                results.append(CheckResult(name, "fail", f"{node.name} got {lease.address}, not its TEP {node.tep}"))
            elif f"client provides name: {node.name}" not in log:
                results.append(CheckResult(name, "fail", f"{node.name} did not send its host name"))
            else:
                results.append(CheckResult(name, "pass", f"{lease.address} to client id 01:{node.infra_mac}, host name {node.name}"))
        if len(self.state.nodes) > 1:
            teps = {node.name: self._tep(node) for node in self.state.nodes}
            results += self._tep_pings(teps) + self._multicast(teps)
        return results

    def _pairs(self) -> list[tuple[LabNode, LabNode]]:
        nodes = self.state.nodes
        return [(nodes[i], nodes[(i + 1) % len(nodes)]) for i in range(len(nodes) if len(nodes) > 2 else 1)]

    def _tep_pings(self, teps: dict[str, str | None]) -> list[CheckResult]:
        results = []
        size = self.cluster.mtu - 28
        for sender, receiver in self._pairs():
            name = f"TEP path {sender.name} → {receiver.name}"
            target = teps[receiver.name]
            if target is None:
                results.append(CheckResult(name, "fail", f"{receiver.name} has no TEP address"))
                continue
            done = run(in_netns(sender.netns, ["ping", "-c1", "-W1", "-q", "-M", "do", "-s", str(size), target]), check=False)
            results.append(CheckResult(name, "pass", f"DF ping {size} B to {target} answered") if done.returncode == 0
                           else CheckResult(name, "fail", f"DF ping {size} B to {target} lost: the path is narrower than {self.cluster.mtu}"))
        return results

    def _multicast(self, teps: dict[str, str | None]) -> list[CheckResult]:
        group = str(self.cluster.multicast_probe)
        env = python_env()
        receivers = []
        for number, (sender, receiver) in enumerate(self._pairs()):
            local, ready = teps[receiver.name], self.workdir / f"mcast-{number}.ready"
            ready.unlink(missing_ok=True)
            if local is None:
                receivers.append((sender, receiver, None, None))
                continue
            argv = in_netns(receiver.netns, [sys.executable, "-m", "simulator.nodeprep.mcast", "recv", group,
                                             str(5400 + number), local, str(ready), "3"])
            child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            self._wait_for("multicast receiver", ready.exists, child)
            receivers.append((sender, receiver, child, number))
        results = []
        for sender, receiver, child, number in receivers:
            name = f"multicast {sender.name} → {receiver.name}"
            if child is None:
                results.append(CheckResult(name, "fail", f"{receiver.name} has no TEP address to join {group} on"))
                continue
            run(in_netns(sender.netns, [sys.executable, "-m", "simulator.nodeprep.mcast", "send", group, str(5400 + number)]))
            out, _ = child.communicate(timeout=30)
            got = json.loads(out or "{}")
            sender_tep = teps[sender.name]
            if not got.get("received"):
                results.append(CheckResult(name, "fail", f"{receiver.name} did not receive {group}"))
            elif got["source"] != sender_tep:
                results.append(CheckResult(name, "fail", f"{group} arrived from {got['source']}, not {sender.name}'s TEP {sender_tep}: it left by the wrong interface"))
            else:
                results.append(CheckResult(name, "pass", f"{group} from {sender_tep} received on the infra VLAN"))
        return results

    # -- down -------------------------------------------------------------------------------------
    def down(self) -> list[str]:
        """Stop every process the lab started and remove its namespaces; returns what could not be removed."""
        started = time.monotonic()
        ours = {self._netns_inode(n) for n in self.state.namespaces} - {None}
        pids = [pid for pid in self.state.pids.values() if process_alive(pid) and self._pid_netns(pid) in ours]
        for pid in pids:
            stop_process(pid)
        self._reap(pids)
        for netns in self.state.namespaces:
            leftover = netns_pids(netns) if netns in netns_list() else []
            for pid in leftover:  # children of what we started (dhclient-script, hooks)
                stop_process(pid)
            self._reap(leftover)
        problems = []
        for netns in self.state.namespaces:
            if netns in netns_list():
                done = run(["ip", "netns", "del", netns], check=False)
                if done.returncode != 0:
                    problems.append(f"namespace {netns}: {done.stderr.strip()}")
            shutil.rmtree(f"/etc/netns/{netns}", ignore_errors=True)
        try:
            Path("/etc/netns").rmdir()  # only if no one else uses it
        except OSError:
            pass
        problems += [f"process {label} (pid {pid}) still running" for label, pid in self.state.pids.items()
                     if pid in pids and process_alive(pid)]
        self.state.timings["down"] = round(time.monotonic() - started, 3)
        if self.workdir.exists():
            self.state.namespaces = [n for n in self.state.namespaces if n in netns_list()]
            self.state.save(self.workdir)
        return problems

    def leftovers(self) -> list[str]:
        """What of this lab is still there: its namespaces, its processes (empty after `down`)."""
        present = netns_list()
        found = [f"namespace {n}" for n in sorted(present) if n.startswith(f"{self.prefix}-")]
        return found + [f"process {label} (pid {pid})" for label, pid in self.state.pids.items()
                        if process_alive(pid) and self._pid_netns(pid) not in (None, self._host_netns())]

    @staticmethod
    def _host_netns() -> int | None:
        return NodePrepLab._pid_netns(1)

    def _reap(self, pids: list[int]) -> None:
        deadline = time.monotonic() + 5
        for child in self._children:
            if child.pid in pids:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        killed = False
        while any(process_alive(p) for p in pids):
            if time.monotonic() > deadline:
                if killed:
                    return  # down() reports what is still running
                for pid in pids:
                    if process_alive(pid):
                        os.kill(pid, signal.SIGKILL)
                killed, deadline = True, time.monotonic() + 5
            time.sleep(0.01)

    @staticmethod
    def _netns_inode(name: str) -> int | None:
        try:
            return os.stat(f"/run/netns/{name}").st_ino
        except OSError:
            return None

    @staticmethod
    def _pid_netns(pid: int) -> int | None:
        try:
            return int(os.readlink(f"/proc/{pid}/ns/net").split("[")[1].rstrip("]"))
        except (OSError, IndexError, ValueError):
            return None
