"""The composition root: one lab is an APIC, an RHV Manager and a Kubernetes API server on one clock.

Built from options or a scenario; served by `acisim serve` and by the pytest fixture alike. The
lab's tick settles every system in one order (RHV, then Kubernetes, then the reactions that join
the systems, then the APIC), on every request and whenever /_sim moves the clock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Protocol

import yaml
from flask import Flask

from . import defaults
from .adapters.ovirt_client import OvirtInventorySource
from .apic import http_limits as apic_limits
from .apic import rest as apic_rest
from .apic.managers.vmm_redhat import RedhatVmm, RedhatVmmSettings
from .apic.scale import ScaleSetting, load_scale
from .apic.service import Apic, ApicConfig
from .clock import LabClock, OffsetClock
from .cni.in_lab import LabCni
from .control import bp as control_bp
from .defaults.kubernetes import KubeCluster, KubeNode, node_status
from .defaults.kubernetes import read as read_kubernetes
from .fabric import Fabric
from .faults import FaultRule, Faults, parse_rules
from .faults import install as install_faults
from .k8s import http_limits as k8s_limits
from .k8s import rest as k8s_rest
from .k8s.controllers import WorkloadControllers
from .k8s.kubeconfig import write_kubeconfig
from .k8s.service import Kube
from .lab_log import LabLog
from .opflex import OpflexPeer
from .persist import LabState
from .reactions import Reactions
from .rhv import http_limits as rhv_limits
from .rhv import rest as rhv_rest
from .rhv.service import Rhv, RhvConfig
from .serving import STREAMING, RunningServer, serve_in_thread
from .tls import ensure_certificate


@dataclass
class LabOptions:
    admin_user: str = "admin"
    admin_password: str = "cisco123"
    topology: Path | None = None
    fixtures: list[Path] = field(default_factory=list)
    refresh_timeout: int = 600
    rhv_inventory: Path | None = None
    rhv_admin_password: str = "redhat123"
    # the APIC's Red Hat VMM integration: resync and event-poll periods, network naming, VLAN order
    redhat_vmm: RedhatVmmSettings = field(default_factory=RedhatVmmSettings)
    # the Kubernetes cluster's node subnet and nodes; None: the default lab's (simulator/defaults/kubernetes.yaml)
    kubernetes: KubeCluster | None = None
    # the CNI controller emulator for each Pod running aci-containers-controller (kubectl apply of the manifest)
    cni_controller: bool = True
    # a generated fabric at (a fraction of) the verified-scalability size, on the topology's leaves
    # (simulator/apic/scale.py; scenarios/verified-scale.yaml)
    scale: ScaleSetting | None = None
    # fault rules the lab starts with (a scenario's `faults:`, simulator/faults/rules.py)
    faults: list[FaultRule] = field(default_factory=list)

    def apply_scenario(self, path: Path) -> None:
        """Take what a scenario file names: topology, fixtures, RHV inventory (paths relative to the file),
        the APIC's admin password, the Red Hat VMM settings, and the Kubernetes cluster, e.g.

            kubernetes:
              node_subnet: 10.1.0.1/16
              nodes:
                - {name: k8s-node1, address: 10.1.0.101, labels: {node-role.kubernetes.io/control-plane: ""}}
                - {name: k8s-node2, address: 10.1.0.102, mac: "00:50:56:aa:bb:02", uplink: ens192,
                   prepared: false, failure: "infra MTU path: 1572 B DF ping failed"}

        (format: simulator/defaults/kubernetes.py). A scenario without `kubernetes:` keeps the default
        lab's two nodes; `kubernetes: {nodes: []}` has none. `scale: {fraction: 0.1, seed: 7}` generates
        tenants, EPGs, contracts and endpoints at that fraction of the verified-scalability size."""
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a scenario is a mapping with topology/fixtures keys")
        unknown = sorted(set(data) - SCENARIO_KEYS)
        if unknown:
            raise ValueError(f"{path}: unknown scenario keys: {', '.join(unknown)}")
        base = Path(path).parent
        if data.get("topology"):
            self.topology = base / data["topology"]
        if data.get("rhv_inventory"):
            self.rhv_inventory = base / data["rhv_inventory"]
        self.fixtures = [base / f for f in data.get("fixtures", [])] + self.fixtures
        self.admin_password = data.get("admin_password", self.admin_password)
        self.redhat_vmm = _settings(path, RedhatVmmSettings, data.get("redhat_vmm") or {})
        if "kubernetes" in data:
            self.kubernetes = KubeCluster.parse(data["kubernetes"], str(path))
        if "scale" in data:
            self.scale = ScaleSetting.parse(data["scale"], str(path))
        if "faults" in data:
            self.faults = parse_rules(data["faults"], f"{path}: faults")
        for p in [self.topology, self.rhv_inventory, *self.fixtures]:
            if p is not None and not Path(p).exists():
                raise ValueError(f"{path}: no such file: {p}")


SCENARIO_KEYS = {"name", "description", "topology", "fixtures", "admin_password", "rhv_inventory", "redhat_vmm",
                 "kubernetes", "scale", "faults"}
SCENARIO_KEYS |= {"title", "story", "setup", "goals", "solution"}  # a training lab's (simulator/training/schema.py)


def _settings(path: Path, kind: type, given: object):
    """A settings dataclass from a scenario's mapping; an unknown key or a value of the wrong type is an
    error naming the file."""
    if not isinstance(given, dict):
        raise ValueError(f"{path}: redhat_vmm is a mapping of settings")
    defaults = kind()
    unknown = sorted(set(given) - set(vars(defaults)))
    if unknown:
        raise ValueError(f"{path}: unknown redhat_vmm settings: {', '.join(unknown)}")
    for key, value in given.items():
        expected = type(getattr(defaults, key))
        if not isinstance(value, (int, float) if expected is float else expected) or isinstance(value, bool):
            raise ValueError(f"{path}: redhat_vmm.{key} must be a {expected.__name__}, not {value!r}")
    try:
        return kind(**given)
    except ValueError as exc:
        raise ValueError(f"{path}: redhat_vmm: {exc}") from None


class Settles(Protocol):
    """A part of the lab that has work the clock makes due: it applies it in `tick()` and says how much."""

    def tick(self) -> int: ...


class Lab:
    def __init__(self, options: LabOptions | None = None, clock: LabClock | None = None):
        self.options = options or LabOptions()
        self.clock: LabClock = clock or OffsetClock()
        self.log = LabLog(self.clock.now)  # what was done to the lab through its control API
        self.reactions = Reactions()
        self._tick_lock = threading.RLock()  # a reaction that moves the clock ticks again within its tick
        self.fabric = Fabric.from_file(self.options.topology or defaults.FABRIC)
        config = ApicConfig(
            admin_user=self.options.admin_user, admin_password=self.options.admin_password,
            topology=self.fabric.topology,
        )
        config.aaa.refresh_timeout = self.options.refresh_timeout
        self.apic = Apic(config, self.clock)
        self.rhv = Rhv(RhvConfig(admin_password=self.options.rhv_admin_password), self.clock)
        # the APIC's Red Hat VMM controllers read their RHV Managers over the oVirt REST API, in reactions;
        # an address on the port of this lab's RHV Manager served without TLS is reached over plain http
        self.redhat_vmm = RedhatVmm(self.apic, OvirtInventorySource(plain_http=lambda host, port: any(
            s.scheme == "http" and s.port == port for s in [self.rhv_server] if s)), self.reactions.queue,
            self.options.redhat_vmm)
        self.k8s = Kube(self.clock)
        # kube-controller-manager, scheduler and kubelets: Deployments get ReplicaSets and Pods, DaemonSets a Pod
        # per node, Services Endpoints; each client write is settled before it is answered
        self.k8s_controllers = WorkloadControllers(self.k8s)
        self.k8s_controllers.listen()
        self.kube_nodes = self._kube_nodes()
        # the leaves' OpFlex peer: prepared, cabled nodes running the host agent get their opflexODev and compHv
        self.opflex = OpflexPeer(self.apic, self.k8s, self.fabric, self.kube_nodes, self.k8s_controllers.events)
        self._load_fixtures()
        # the order of the lab's tick: RHV, Kubernetes, the integrations (OpFlex, resyncs, reactions), the APIC
        self.settling: list[Settles] = [self.rhv, self.k8s, self.k8s_controllers, self.opflex, self.redhat_vmm,
                                        self.reactions, self.apic]
        # the CNI controller of an applied manifest: an HTTP client of this lab's APIC and API server, settled
        # on the tick right after the Kubernetes control plane
        self.cni = LabCni.attach(self) if self.options.cni_controller else None
        self.servers: list[RunningServer] = []
        self.apic_server: RunningServer | None = None
        self.rhv_server: RunningServer | None = None
        self.k8s_server: RunningServer | None = None
        self._k8s_ca: Path | None = None
        # fault rules (simulator/faults): the scenario's are applied once every system is up
        self.faults = Faults(self)
        self.faults.load([replace(rule) for rule in self.options.faults])

    def _kube_nodes(self) -> list[KubeNode]:
        """The Kubernetes nodes, each with its uplink: the NIC the fabric cables for it (a node the fabric does
        not cable is a node without a leaf, as a mis-cabled server is); an uplink named but not cabled is refused."""
        cluster, self.kube_node_template = read_kubernetes()
        nodes = []
        for node in (self.options.kubernetes or cluster).nodes:
            cabled = list(self.fabric.cabling.for_server(node.name))
            if node.uplink and cabled and node.uplink not in cabled:
                raise ValueError(f"kubernetes node {node.name}: uplink {node.uplink} is not cabled in the fabric "
                                 f"(its cabled NICs: {', '.join(cabled)})")
            nodes.append(node.with_uplink(cabled))
        return nodes

    def _load_fixtures(self) -> None:
        """What the lab adds to freshly booted systems: the fabric's paths (every leaf port, the cabled
        vPCs), the APIC fixtures, the generated scale fabric, the RHV inventory and what each RHV host NIC
        hears over LLDP."""
        for dn, body in self.fabric.path_bodies():
            self.apic.system_post(dn, body)
        self.rhv.set_lldp_neighbours(self.fabric.lldp_neighbours())
        for path in self.options.fixtures:
            self.apic.load_tree(path)
        if self.options.scale is not None:
            load_scale(self.apic, self.options.scale.spec(), self.options.scale.seed, self.fabric.topology)
        self.rhv.load_inventory(self.options.rhv_inventory or defaults.RHV_INVENTORY)
        for node in self.kube_nodes:
            # as a kubelet does: register the Node, then report its status (capacity, node info, conditions)
            self.k8s.add_node(node.name, [{"type": "InternalIP", "address": node.address},
                                          {"type": "Hostname", "address": node.name}],
                              node.labels, self.kube_node_template.get("annotations", {}))
            self.k8s.patch("nodes", "", node.name, "merge",
                           {"status": node_status(self.kube_node_template, node, self.clock.now())},
                           subresource="status", field_manager="kubelet")

    def reset(self) -> None:
        """Every system back to its boot state with the lab's fixtures. The Kubernetes API server starts
        afresh on the same port and token (open watches end, as when an API server restarts) and its
        resourceVersions go on from where they were, so no client's resourceVersion names two states.
        Fault rules are removed."""
        self.faults.clear(undo=False)
        self.apic.reset()
        self.rhv.reset()
        self.k8s.reset()
        self.opflex.reset()
        self._load_fixtures()

    # --- time ---------------------------------------------------------------------------------------
    def tick(self, wait: bool = True) -> int:
        """Settle every system at the clock's now, in the lab's order; returns how much was applied.

        Requests tick without waiting: while another thread's tick runs (which may itself be making a
        request to this lab, as an integration calling the RHV Manager over REST does), they go on, and
        each system's own entry point still applies what is due to it."""
        if not self._tick_lock.acquire(blocking=wait):
            return 0
        try:
            return sum(part.tick() for part in self.settling)
        finally:
            self._tick_lock.release()

    def advance_clock(self, seconds: float) -> float:
        now = self.clock.advance(seconds)
        self.tick()
        return now

    def freeze_clock(self, frozen: bool) -> float:
        now = self.clock.freeze() if frozen else self.clock.thaw()
        self.tick()
        return now

    # --- the lab's state: a state file (--state) and named snapshots (/_sim/snapshots) ----------------
    @cached_property
    def state(self) -> LabState:
        """Named snapshots of the whole lab, kept in memory until `keep_state` gives the lab a state file."""
        return LabState(self)

    def keep_state(self, path: Path) -> int:
        """Keep the whole lab (APIC, RHV, Kubernetes, clock) in a state file from now on, every change saved before
        it is answered; restores the lab the file holds. Call it before serving; returns the APIC
        objects restored (0 for a new file). `self.state.close()` stops it."""
        return self.state.keep_in(path)

    def info(self) -> dict:
        return {"apic": {"version": self.apic.config.version, "objects": len(self.apic.store)},
                "rhv": self.rhv.counts(), "k8s": self.k8s_counts(), "clock": self.clock.now()}

    def k8s_counts(self) -> dict:
        """What the Kubernetes API holds: its version, its objects of every kind, its nodes and namespaces."""
        counts = {kind.key: len(self.k8s.list(kind.key)[0]) for kind in self.k8s.kinds.all()}
        return {"version": self.k8s.server_version, "objects": sum(counts.values()),
                "nodes": counts.get("nodes", 0), "namespaces": counts.get("namespaces", 0)}

    def _tick_before_request(self) -> None:
        self.tick(wait=False)

    def apic_app(self) -> Flask:
        app = apic_rest.create_app(self.apic)
        app.config["LAB"] = self
        apic_rest.before_every_request(app, self._tick_before_request)
        app.register_blueprint(control_bp)
        install_faults(app, self.faults, "apic", self.apic)
        return app

    def start(self, host: str = "127.0.0.1", apic_port: int = 0, tls: bool = True, tls_dir=None) -> RunningServer:
        """Serve the APIC (the lab's first server)."""
        self.apic_server = serve_in_thread(self.apic_app(), host, apic_port, tls, tls_dir,
                                           error_page=apic_limits.error_page)
        self.servers.append(self.apic_server)
        return self.apic_server

    def rhv_app(self, ca_file=None) -> Flask:
        app = rhv_rest.create_app(self.rhv, ca_file)
        app.config["LAB"] = self
        app.before_request(self._tick_before_request)
        install_faults(app, self.faults, "rhv")
        return app

    def start_rhv(self, host: str = "127.0.0.1", port: int = 0, tls: bool = True, tls_dir=None) -> RunningServer:
        """Serve the RHV Manager on its own port, as a real engine is its own host."""
        ca_file = ensure_certificate(tls_dir, hosts=(host,) if host not in ("0.0.0.0", "::") else ())[0] if tls else None
        self.rhv_server = serve_in_thread(self.rhv_app(ca_file), host, port, tls, tls_dir,
                                          error_page=rhv_limits.error_page)
        self.servers.append(self.rhv_server)
        return self.rhv_server

    def k8s_app(self) -> Flask:
        app = k8s_rest.create_app(self.k8s)
        app.config["LAB"] = self
        app.before_request(self._tick_before_request)
        install_faults(app, self.faults, "k8s")
        return app

    def start_k8s(self, host: str = "127.0.0.1", port: int = 0, tls: bool = True, tls_dir=None) -> RunningServer:
        """Serve the Kubernetes API on its own port, HTTPS with the lab's certificate (kubectl sends its token
        only over HTTPS; `tls=False` is for clients that need no kubeconfig)."""
        self._k8s_ca = ensure_certificate(tls_dir, hosts=(host,) if host not in ("0.0.0.0", "::") else ())[0]
        self.k8s_server = serve_in_thread(self.k8s_app(), host, port, tls, tls_dir,
                                          error_page=k8s_limits.error_page, limits=STREAMING)
        self.servers.append(self.k8s_server)
        return self.k8s_server

    def write_kubeconfig(self, path: Path) -> Path:
        """A kubeconfig for the served Kubernetes API (mode 0600: it holds the token); returns its path."""
        if self.k8s_server is None or self._k8s_ca is None:
            raise RuntimeError("the lab's Kubernetes API is not served: start_k8s first")
        return write_kubeconfig(Path(path), self.k8s_server.url, self._k8s_ca, self.k8s.token)

    def stop(self) -> None:
        if self.cni is not None:  # the emulators are clients of the servers stopped below
            self.cni.stop()
        self.k8s.close()  # open watches end, so their streams let the server stop
        while self.servers:
            self.servers.pop().stop()
        self.redhat_vmm.source.close()  # the sessions the APIC keeps with RHV Managers
