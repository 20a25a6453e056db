"""One simulated APIC and its facade: one method per operation a client can ask for.

The REST and websocket layers only translate HTTP to these calls and their `Reply` back to an
envelope, so the same object serves `acisim serve`, the pytest fixture, in-process callers (other
systems of the lab, a CNI emulator under test) and plain Python tests, none of which need HTTP.
Writes the controller makes itself (boot tree, topology, users, fixtures) are Python mappings
turned into proposed MOs directly, never through the JSON codec.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from ..clock import OffsetClock, apic_timestamp
from ..fabric.topology import Topology
from . import errors
from .aaa import Aaa, AaaConfig, Caller, Session
from .managers.certificates import CertificateDecoder
from .managers.config_snapshots import ConfigSnapshots
from .managers.encap_pools import EncapBlockRules
from .managers.ep_tracker import EpTracker, EpTrackerSettings
from .managers.node_registration import NodeRegistration
from .managers.relations import RelationResolver
from .managers.service_graph import ServiceGraphRenderer
from .managers.vmm import VmmInventory
from .managers.vmm_deploy import LeafDeployment
from .mit.catalog import Catalog, default_catalog
from .mit.proposed import ProposedMO, proposed_mo
from .mit.store import MO, Store
from .mit.writes import Writer, WriteResult, check_lengths
from .modified import modified_tree
from .query import Query, QueryEngine
from .rbac import SYSTEM, Grant, Rbac
from .subscriptions import SubscriptionManager
from .zoning import Zoning

DEFAULT_TREE = Path(__file__).with_name("default_tree.yaml")
BUILD_TIME = "Thu Jan 01 00:00:00 UTC 2026"
Params = Sequence[tuple[str, str]]


@dataclass
class ApicConfig:
    admin_user: str = "admin"
    admin_password: str = "cisco123"
    topology: Topology = field(default_factory=Topology)
    aaa: AaaConfig = field(default_factory=AaaConfig)
    max_body: int = 1024 * 1024
    ep_tracker: EpTrackerSettings = field(default_factory=EpTrackerSettings)

    @property
    def version(self) -> str:
        return self.topology.version


class Reply(NamedTuple):
    """What an operation answers: the `imdata` objects, the count before paging (None: as many as
    imdata holds), extra envelope attributes (`subscriptionId`), and, after a login or a refresh,
    the session token the client keeps as its APIC-cookie."""

    imdata: list[dict[str, Any]]
    total: int | None = None
    extra: dict[str, str] | None = None
    token: str | None = None


class Apic:
    def __init__(self, config: ApicConfig | None = None, clock=None, catalog: Catalog | None = None):
        self.config = config or ApicConfig()
        self.clock = clock or OffsetClock()
        self.catalog = catalog or default_catalog()
        self.store = Store(self.catalog)
        self.relations = RelationResolver(self.store)
        self.certificates = CertificateDecoder(self.store)
        self.vmm = VmmInventory(self.store)
        self.node_registration = NodeRegistration(self.store, self.config.topology)  # fabric membership
        self.encap_blocks = EncapBlockRules(self.store)  # what a pool's encap blocks may span
        self.leaf_deployment = LeafDeployment(self.store)  # VMM EPGs' VLANs on the leaf ports facing hosts
        self.zoning = Zoning(self.store)  # pcTags and VNIDs, the leaves' zoning rules (simulator/apic/zoning)
        self.service_graphs = ServiceGraphRenderer(self.store, self.timestamp)  # deployed graph instances
        self.config_snapshots = ConfigSnapshots(self.store, self.timestamp)
        self.ep_tracker = EpTracker(self.store, self.timestamp, self.config.ep_tracker)
        self.writer = Writer(self.store, self.timestamp)
        self.queries = QueryEngine(self.store)
        self.aaa = Aaa(self.store, self.clock, self.config.aaa)
        self.rbac = Rbac(self.store, self.catalog)  # who may read and write what
        self.subscriptions = SubscriptionManager(self.store, self.clock, self.timestamp)
        self._boot()

    # --- sessions ----------------------------------------------------------------------------------
    def login(self, name: str, password: str) -> Reply:
        """aaaLogin: a new session for a local user's password; 401 with APIC's text otherwise."""
        return self._login_reply(self.aaa.login(name, password))

    def refresh(self, token: str | None) -> Reply:
        """aaaRefresh: the session of `token` lives on (its idle timer starts again)."""
        return self._login_reply(self.aaa.refresh(token))

    def logout(self, token: str | None) -> Reply:
        """aaaLogout: the session ends, and its subscriptions with it."""
        self.aaa.logout(token)
        self.subscriptions.drop_session(token)
        return Reply([])

    def authenticate(self, cookies: Mapping[str, str], method: str, targets: Sequence[str], body: bytes) -> Caller:
        """Who sends a request: cookies by lower-cased name, `targets` the path?query forms the
        client may have signed (as sent, and percent-decoded), `body` the raw body."""
        return self.aaa.authenticate(cookies, method, targets, body)

    def is_admin(self, user: str) -> bool:
        """Whether a local user holds the admin role with write privilege in the `all` security domain
        (the lab's control API and user management are theirs alone)."""
        role = self.store.get(f"{self.aaa.user_dn(user)}/userdomain-all/role-admin")
        return role is not None and role.get("privType") == "writePriv"

    def webtoken(self, caller: Caller) -> Reply:
        """webtokenSession: a signed caller gets a session token for the websocket."""
        session = caller.session or self.aaa.webtoken_session(caller)
        return Reply([{"webtokenSession": {"attributes": {"token": session.token}}}])

    def _login_reply(self, session: Session) -> Reply:
        """The aaaLogin object with the user's security domains and roles, as the tree holds them now."""
        attrs = self.aaa.login_attributes(session, self.config.version, BUILD_TIME)
        children = self.rbac.login_children(self.rbac.grant(session.user, roles=True))
        return Reply([{"aaaLogin": {"attributes": attrs, "children": children}}], token=session.token)

    def _grant(self, caller: Caller) -> Grant:
        return SYSTEM if caller.system else self.rbac.grant(caller.user)

    # --- the tree ----------------------------------------------------------------------------------
    def get(self, kind: str, dn: str, cls: str, params: Params, caller: Caller) -> Reply:
        """A DN query (`kind` "mo") or a class query (`kind` "class", under `dn` when given) with
        APIC's query options; `subscription=yes` also subscribes the caller's web token session.
        A bracketed naming value in `dn` names what the bare one does (`uni/tn-[web]` is `uni/tn-web`)."""
        dn = self.catalog.canonical_dn(dn)
        query = Query.from_params(params, self.catalog)
        grant = self._grant(caller)
        view = None
        subscribed = query
        if not grant.superuser:
            # only what the caller may read, counted and paged as such; a subscription keeps checking
            # later events against the tree as it is then (no memo)
            view = self.rbac.view(grant)
            subscribed = replace(query, target_filter=_both(self.rbac.view(grant, memo=False).readable,
                                                            query.target_filter))
            query = replace(query, target_filter=_both(view.readable, query.target_filter),
                            rsp_filter=_both(view.readable, query.rsp_filter))
        if kind == "mo":
            imdata, total = self.queries.mo_query(dn, query)
        else:
            imdata, total = self.queries.class_query(cls, query, scope=dn or None)
        if view is not None:
            imdata = view.prune(imdata)
        return Reply(imdata, total, self._subscription(caller, params, kind, dn, cls, subscribed))

    def post(self, dn: str, body: ProposedMO | Mapping[str, Any], caller: Caller, params: Params = ()) -> Reply:
        """Write one body (a proposed MO, or its `{cls: {"attributes", "children"}}` mapping) at `dn`;
        `rsp-subtree=modified` answers with what changed. `caller` is the proof of authentication."""
        proposed = _proposed(body)
        # an over-long DN or naming value is refused before the password check takes the store's lock
        check_lengths(self.catalog, dn, proposed)
        grant = self._grant(caller)

        def write() -> WriteResult:
            # every MO the body would create, change or delete is checked before anything is written
            allow = None if grant.superuser else self.rbac.view(grant).check_steps
            return self.writer.post(dn, proposed, allow=allow)

        # a local user's password passes the APIC's history check before anything is written
        result = self.aaa.passwords.post(dn, proposed, write)
        return self._write_reply(result, params)

    def delete(self, dn: str, caller: Caller, params: Params = ()) -> Reply:
        """Delete the MO at `dn` and its subtree (nothing to delete is no error, as on APIC)."""
        grant = self._grant(caller)
        with self.store.lock:
            if not grant.superuser:
                self.rbac.view(grant).check_delete(self.catalog.canonical_dn(dn))
            return self._write_reply(self.writer.delete(dn), params)

    def _write_reply(self, result: WriteResult, params: Params) -> Reply:
        if dict(params).get("rsp-subtree") == "modified":
            return Reply(modified_tree(result, self.class_of))
        return Reply([])

    # --- troubleshooting ------------------------------------------------------------------------------
    def ep_transitions(self, params: Params, caller: Caller) -> Reply:
        """The endpoint tracker (/mqapi2/troubleshoot.eptracker): the transitions of the fvCEp named by the
        `ep` option, with /api's `order-by`, `page` and `page-size` (and their error answers). An unknown
        endpoint has no history (totalCount 0), as a DN query for a missing DN answers."""
        ep = dict(params).get("ep", "")
        if not ep:
            # [M] a real APIC's text for a missing ep is unrecorded
            raise errors.bad_request("Invalid request: troubleshoot.eptracker needs the ep option (an endpoint DN)")
        query = Query.from_params(params, self.catalog)
        grant = self._grant(caller)
        endpoint = self.store.get(ep)
        if not grant.superuser and endpoint is not None and not self.rbac.view(grant).readable(endpoint):
            return Reply([], 0)  # an endpoint the caller may not read has no history for it
        rows, total = self.ep_tracker.transitions(ep, query.order_by, query.page, query.page_size)
        return Reply([_transition_node(mo) for mo in rows], total)

    # --- subscriptions and the event socket ----------------------------------------------------------
    def refresh_subscription(self, sub_id: str, caller: Caller) -> Reply:
        """subscriptionRefresh: a live subscription lives on; 400 for an unknown or expired one."""
        self.subscriptions.refresh(sub_id)
        return Reply([])

    def open_socket(self, token: str) -> queue.Queue[str]:
        """The event messages of a session's websocket; 403 with APIC's texts for a bad token."""
        self.aaa.session_for(token)
        return self.subscriptions.open_socket(token)

    def socket_alive(self, token: str) -> bool:
        try:
            self.aaa.session_for(token)
        except errors.ApicError:
            return False
        return True

    def close_socket(self, token: str) -> None:
        """A closed socket drops its session's subscriptions (clients resubscribe on reconnect)."""
        self.subscriptions.close_socket(token)

    def _subscription(self, caller: Caller, params: Params, kind: str, dn: str, cls: str,
                      query: Query) -> dict[str, str] | None:
        values = dict(params)
        wanted = values.get("subscription")
        if wanted not in ("yes", "no"):
            return None
        token = caller.socket_token
        if not token:
            raise errors.bad_request(
                "Subscription requires a web token session: log in, or sign GET /api/webtokenSession.json"
            )
        key = (kind, dn, cls, tuple(p for p in params if p[0] not in ("subscription", "refresh-timeout")))
        if wanted == "no":
            self.subscriptions.unsubscribe(token, key)
            return None
        target = dn if kind == "mo" else cls
        scope = dn if kind == "class" else ""
        sub_id = self.subscriptions.subscribe(token, kind, target, scope, query, key, values.get("refresh-timeout"))
        return {"subscriptionId": sub_id}

    # --- the controller itself -----------------------------------------------------------------------
    def tick(self) -> int:
        """Settle what the clock made due (the lab's tick): sessions past their timeouts end, with
        their sockets and subscriptions, and subscriptions not refreshed in time lapse. Returns how
        many ended."""
        ended = self.aaa.expire()
        for token in ended:
            self.subscriptions.drop_session(token)
        return len(ended) + self.subscriptions.expire()

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

    def system_post(self, dn: str, body: Mapping[str, Any]) -> None:
        """A write by the controller itself (boot, discovery): read-only props allowed."""
        self.writer.post(dn, proposed_mo(body), system=True)

    def _boot(self) -> None:
        with open(DEFAULT_TREE, encoding="utf-8") as f:
            for entry in yaml.safe_load(f):
                self.system_post(entry["dn"], entry["body"])
        for dn, body in self.rbac.policy.boot_bodies():  # the default roles and security domains
            self.system_post(dn, body)
        for dn, body in self.config.topology.boot_bodies():
            self.system_post(dn, body)
        self.add_user(self.config.admin_user, self.config.admin_password, role="admin")

    def add_user(self, name: str, password: str, role: str = "admin") -> None:
        domain = {"aaaUserDomain": {"attributes": {"name": "all"}, "children": [
            {"aaaUserRole": {"attributes": {"name": role, "privType": "writePriv"}}}]}}
        attrs = {"name": name, "pwd": password, "accountStatus": "active", "unixUserId": "15374"}
        self.system_post(self.aaa.user_dn(name), {"aaaUser": {"attributes": attrs, "children": [domain]}})

    def load_tree(self, path: str | Path) -> int:
        """Post the objects of a fixture file (a list of {dn, body} or one APIC JSON export)."""
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        entries = data if isinstance(data, list) else data.get("objects", [])
        for entry in entries:
            self.writer.post(entry.get("dn", ""), proposed_mo(entry["body"]))
        return len(entries)


def _transition_node(mo: MO) -> dict[str, Any]:
    """A row as the tracker answers it: every property, dn and rn alike, and the status the recorded
    reply carries on each row (EPTRK: "created,modified")."""
    return {mo.cls: {"attributes": {**mo.values(), "dn": mo.dn, "rn": mo.rn, "status": "created,modified"}}}


def _both(first: Callable[[MO], bool], second: Callable[[MO], bool] | None) -> Callable[[MO], bool]:
    if second is None:
        return first
    return lambda mo: first(mo) and second(mo)


def _proposed(body: ProposedMO | Mapping[str, Any]) -> ProposedMO:
    return body if isinstance(body, ProposedMO) else proposed_mo(body)
