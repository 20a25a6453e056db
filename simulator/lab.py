"""The composition root: one lab is an APIC (and, later, an RHV Manager) on one clock.

Built from options or a scenario; served by `acisim serve` and by the pytest fixture alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask import Flask

from .apic import rest as apic_rest
from .apic.service import Apic, ApicConfig
from .clock import OffsetClock
from .control import bp as control_bp
from .fabric.topology import Topology
from .web import RunningServer, serve_in_thread


@dataclass
class LabOptions:
    admin_user: str = "admin"
    admin_password: str = "cisco123"
    topology: Path | None = None
    fixtures: list[Path] = field(default_factory=list)
    refresh_timeout: int = 600

    def apply_scenario(self, path: Path) -> None:
        """Take the topology and fixtures a scenario file names (paths relative to the file)."""
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
        self.fixtures = [base / f for f in data.get("fixtures", [])] + self.fixtures
        self.admin_password = data.get("admin_password", self.admin_password)
        for p in [self.topology, *self.fixtures]:
            if p is not None and not Path(p).exists():
                raise ValueError(f"{path}: no such file: {p}")


SCENARIO_KEYS = {"name", "description", "topology", "fixtures", "admin_password"}


class Lab:
    def __init__(self, options: LabOptions | None = None, clock=None):
        self.options = options or LabOptions()
        self.clock = clock or OffsetClock()
        topology = Topology.from_file(self.options.topology) if self.options.topology else Topology()
        config = ApicConfig(
            admin_user=self.options.admin_user, admin_password=self.options.admin_password, topology=topology
        )
        config.aaa.refresh_timeout = self.options.refresh_timeout
        self.apic = Apic(config, self.clock)
        self._load_fixtures()
        self.servers: list[RunningServer] = []

    def _load_fixtures(self) -> None:
        for path in self.options.fixtures:
            self.apic.load_tree(path)

    def reset(self) -> None:
        self.apic.reset()
        self._load_fixtures()

    def apic_app(self) -> Flask:
        app = apic_rest.create_app(self.apic)
        app.config["LAB"] = self
        app.register_blueprint(control_bp)
        return app

    def start(self, host: str = "127.0.0.1", apic_port: int = 0, tls: bool = True, tls_dir=None) -> RunningServer:
        server = serve_in_thread(self.apic_app(), host, apic_port, tls, tls_dir)
        self.servers.append(server)
        return server

    def stop(self) -> None:
        while self.servers:
            self.servers.pop().stop()
