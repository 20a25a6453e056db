"""One simulated APIC: its tree, the managers that give classes behaviour, and its users.

This is the model the REST layer talks to; it knows nothing of HTTP, so the same object serves
`acisim serve`, the pytest fixture and plain Python tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..clock import OffsetClock, apic_timestamp
from ..fabric.topology import Topology
from .aaa import Aaa, AaaConfig
from .codec import parse_json_body
from .managers.certificates import CertificateDecoder
from .managers.relations import RelationResolver
from .managers.vmm import VmmInventory
from .mit.catalog import Catalog, default_catalog
from .mit.store import Store
from .mit.writes import ProposedMO, Writer
from .query import QueryEngine
from .subscriptions import SubscriptionManager

DEFAULT_TREE = Path(__file__).with_name("default_tree.yaml")
BUILD_TIME = "Thu Jan 01 00:00:00 UTC 2026"


@dataclass
class ApicConfig:
    admin_user: str = "admin"
    admin_password: str = "cisco123"
    topology: Topology = field(default_factory=Topology)
    aaa: AaaConfig = field(default_factory=AaaConfig)
    max_body: int = 1024 * 1024

    @property
    def version(self) -> str:
        return self.topology.version


class Apic:
    def __init__(self, config: ApicConfig | None = None, clock=None, catalog: Catalog | None = None):
        self.config = config or ApicConfig()
        self.clock = clock or OffsetClock()
        self.catalog = catalog or default_catalog()
        self.store = Store(self.catalog)
        self.relations = RelationResolver(self.store)
        self.certificates = CertificateDecoder(self.store)
        self.vmm = VmmInventory(self.store)
        self.writer = Writer(self.store, self.timestamp)
        self.queries = QueryEngine(self.store)
        self.aaa = Aaa(self.store, self.clock, self.config.aaa)
        self.subscriptions = SubscriptionManager(self.store, self.clock, self.timestamp)
        self._boot()

    def reset(self) -> None:
        """Back to a freshly booted controller: default policy universe, topology, admin user.

        The store object stays the same (listeners such as the state-file saver keep watching it);
        its content is replaced and every session ends."""
        with self.store.transaction() as txn:
            for mo in self.store.root.child_list():
                txn.delete(mo.dn)
        for token in list(self.aaa.sessions):
            self.subscriptions.drop_session(token)
        self.aaa.sessions.clear()
        self._boot()

    def class_of(self, dn: str) -> str:
        mo = self.store.get(dn)
        if mo is not None:
            return mo.cls
        meta = self.catalog.class_of_dn(dn)
        return meta.name if meta else ""

    def timestamp(self) -> str:
        return apic_timestamp(self.clock.now())

    def system_post(self, dn: str, body: dict) -> None:
        """A write by the controller itself (boot, discovery): read-only props allowed."""
        self.writer.post(dn, _proposed(body), system=True)

    def _boot(self) -> None:
        with open(DEFAULT_TREE, encoding="utf-8") as f:
            for entry in yaml.safe_load(f):
                self.system_post(entry["dn"], entry["body"])
        for dn, body in self.config.topology.boot_bodies():
            self.system_post(dn, body)
        self.add_user(self.config.admin_user, self.config.admin_password, role="admin")

    def add_user(self, name: str, password: str, role: str = "admin") -> None:
        self.system_post(
            f"uni/userext/user-{name}",
            {
                "aaaUser": {
                    "attributes": {"name": name, "pwd": password, "accountStatus": "active", "unixUserId": "15374"},
                    "children": [
                        {
                            "aaaUserDomain": {
                                "attributes": {"name": "all"},
                                "children": [{"aaaUserRole": {"attributes": {"name": role, "privType": "writePriv"}}}],
                            }
                        }
                    ],
                }
            },
        )

    def load_tree(self, path: str | Path) -> int:
        """Post the objects of a fixture file (a list of {dn, body} or one APIC JSON export)."""
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        entries = data if isinstance(data, list) else data.get("objects", [])
        for entry in entries:
            self.writer.post(entry.get("dn", ""), _proposed(entry["body"]))
        return len(entries)


def _proposed(body: dict) -> ProposedMO:
    return parse_json_body(json.dumps(body))
