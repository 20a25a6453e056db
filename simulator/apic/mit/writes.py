"""What a POST or DELETE means for the tree: validate the whole payload, then apply it whole.

A payload is first turned into a plan (create / modify / delete steps) against a view of the tree
that already includes the earlier steps of the same payload; any error there is raised before the
tree is touched. The plan is then applied in one store transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import errors
from ..errors import ApicError
from .catalog import Catalog, ClassMeta
from .dn import MAX_DN_LENGTH, DnError, Rn, child_dn, is_ancestor, parent_dn, rn_of, split_dn
from .normalise import apply_class_rules, checked_value
from .proposed import ProposedMO
from .store import MO, Event, Store

# Housekeeping properties a client may echo back from a GET; they are never taken from a payload.
IGNORED_ON_WRITE = frozenset(
    {"dn", "rn", "status", "childAction", "lcOwn", "modTs", "uid", "userdom", "extMngdBy", "monPolDn"}
)
STATUS_UPSERT = frozenset({"created", "modified"})
# The monitoring policy an MO reports in monPolDn, by where it lives (apic-rest.md §2.4 [R]).
MONITORING_POLICIES = (
    ("uni/tn-", "uni/tn-common/monepg-default"),
    ("uni/infra", "uni/infra/moninfra-default"),
    ("uni/fabric", "uni/fabric/monfab-default"),
    ("topology/", "uni/fabric/monfab-default"),
)


@dataclass
class Step:
    op: str  # create | modify | delete
    dn: str
    meta: ClassMeta | None = None
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class WriteResult:
    root_dn: str
    events: list[Event]


class Writer:
    """Turns request bodies into validated plans and applies them."""

    def __init__(self, store: Store, now: Callable[[], str], uid: str = "15374"):
        self.store = store
        self.catalog: Catalog = store.catalog
        self.now = now
        self.uid = uid

    # --- entry points -------------------------------------------------------------------------
    def post(self, url_dn: str, body: ProposedMO, system: bool = False,
             allow: Callable[[list[Step]], None] | None = None) -> WriteResult:
        """Validate and apply one request body; `system` writes may set read-only properties
        and create non-configurable MOs, as the controller itself does (fabric discovery, VMM).
        `allow` sees every step of the validated plan before anything is applied and may refuse it by
        raising (the caller's roles: rbac.py)."""
        check_lengths(self.catalog, url_dn, body)
        with self.store.lock:
            plan = _Planner(self.store, system)
            root_dn = plan.top(self.catalog.canonical_dn(url_dn), body)
            if allow is not None:
                allow(plan.steps)
            return self._apply(root_dn, plan.steps)

    def delete(self, dn: str) -> WriteResult:
        if len(dn) > MAX_DN_LENGTH:
            raise errors.dn_too_long(dn, MAX_DN_LENGTH)
        dn = self.catalog.canonical_dn(dn)
        with self.store.lock:
            try:
                self.catalog.resolve_dn(dn)
            except DnError as exc:
                raise errors.invalid_dn(str(exc)) from None
            steps = [Step("delete", dn)] if dn in self.store else []
            return self._apply(dn, steps)

    def _apply(self, root_dn: str, steps: list[Step]) -> WriteResult:
        ts = self.now()
        with self.store.transaction() as txn:
            for step in steps:
                if step.op == "create":
                    attrs = dict(step.attrs)
                    attrs.setdefault("modTs", ts)
                    attrs.setdefault("uid", self.uid)
                    if "monPolDn" in step.meta.props and "monPolDn" not in attrs:
                        attrs["monPolDn"] = _monitoring_policy(step.dn)
                    txn.create(step.meta, step.dn, attrs)
                elif step.op == "modify":
                    mo = self.store.by_dn[step.dn]
                    changes = {k: v for k, v in step.attrs.items() if mo.get(k) != v}
                    if changes:
                        changes["modTs"] = ts
                        txn.modify(mo, changes)
                else:
                    txn.delete(step.dn)
        # read after the transaction closed: the managers' reactions belong to this write too
        return WriteResult(root_dn, list(txn.events))


class _Planner:
    """Validates a payload against the tree as the earlier steps of the payload leave it."""

    def __init__(self, store: Store, system: bool = False):
        self.store = store
        self.catalog = store.catalog
        self.system = system
        self.steps: list[Step] = []
        # dn -> (class once created or None once deleted, when): a step's order number, so that a delete
        # hides what was planned below it before, not what is planned there after, without rewriting the
        # plan at each delete (which made a body deleting thousands of children quadratic under the lock)
        self.planned: dict[str, tuple[ClassMeta | None, int]] = {}
        self.deleted_roots: dict[str, int] = {}  # dn -> when its subtree was last deleted
        self._order = 0

    # --- the view of the tree including planned steps -------------------------------------------
    def exists(self, dn: str) -> bool:
        return self.class_at(dn) is not None

    def class_at(self, dn: str) -> ClassMeta | None:
        hit = self.planned.get(dn)
        if hit is not None:
            meta, when = hit
            return None if self._deleted_since(dn, when) else meta
        if self._deleted_since(dn, -1):
            return None
        mo = self.store.by_dn.get(dn)
        return mo.meta if mo else None

    def _plan(self, dn: str, meta: ClassMeta | None) -> None:
        self._order += 1
        self.planned[dn] = (meta, self._order)

    def _deleted_since(self, dn: str, when: int) -> bool:
        """Whether `dn` or one of its ancestors was deleted by a step after step `when`: a walk up the DN's
        few levels, whatever the number of deletes planned."""
        if not self.deleted_roots:
            return False
        while dn:
            deleted = self.deleted_roots.get(dn)
            if deleted is not None and deleted > when:
                return True
            dn = parent_dn(dn)
        return False

    def current(self, dn: str) -> MO | None:
        """The stored MO when the payload has not created it anew."""
        if dn in self.planned:
            return None
        return self.store.by_dn.get(dn) if self.exists(dn) else None

    # --- planning --------------------------------------------------------------------------------
    def top(self, url_dn: str, node: ProposedMO) -> str:
        meta = self._class(node.cls)
        given_dn = self.catalog.canonical_dn(node.attrs.get("dn", ""))
        if given_dn:
            dn = given_dn
            if url_dn and dn != url_dn and not is_ancestor(url_dn, dn):
                raise errors.bad_request(f"Invalid request: dn {dn} does not match the URL dn {url_dn}")
        else:
            url_meta = self._resolve(url_dn)[-1].meta if url_dn else self.catalog.get("topRoot")
            if url_meta.name == meta.name and url_dn:
                dn = url_dn
            else:
                dn = child_dn(url_dn, self._rn_for(meta, node, url_dn))
        path = self._resolve_for(dn, meta, given_dn)
        if _status(node, meta, dn) == "deleted" and not self.exists(dn):
            return dn  # deleting what is not there changes nothing, not even its missing parents
        self._ensure_ancestors(path, dn)
        self._node(node, meta, dn, path[-1].values)
        return dn

    def _resolve_for(self, dn: str, meta: ClassMeta, given_dn: str | None) -> list[Rn]:
        """The DN's path from the root, checking its last RN names an MO of the body's class."""
        try:
            path = self.catalog.resolve_dn(dn)
        except DnError as exc:
            if given_dn and dn and self._fits_class_elsewhere(dn, meta):
                raise errors.dn_not_valid_for_class(dn, meta.name) from None
            raise errors.invalid_dn(str(exc)) from None
        if path[-1].meta.name != meta.name:
            if given_dn:
                raise errors.dn_not_valid_for_class(dn, meta.name)
            raise errors.cannot_contain(rn_of(dn), parent_dn(dn))
        return path

    def _fits_class_elsewhere(self, dn: str, meta: ClassMeta) -> bool:
        """The last RN has the body class's form, only under the wrong parent."""
        return meta.rn is not None and meta.rn.parse(rn_of(dn)) is not None

    def _node(self, node: ProposedMO, meta: ClassMeta, dn: str, rn_values: dict[str, str]) -> None:
        status = _status(node, meta, dn)
        attrs = self._validated_attrs(node, meta, dn, rn_values)
        exists = self.exists(dn)
        if status == "deleted":
            if exists:
                self.steps.append(Step("delete", dn))
                self._plan(dn, None)
                self.deleted_roots[dn] = self._order
            return
        if exists:
            if status == {"created"}:
                raise errors.already_exists(dn)
            current = self.current(dn)
            if current is not None:
                self._check_create_only(meta, current, attrs)
            self.steps.append(Step("modify", dn, meta, attrs))
        else:
            if status == {"modified"}:
                raise errors.not_found_for_modify(dn)
            if not meta.configurable and not self.system:
                raise errors.bad_request(f"Cannot create object of non-configurable class {meta.name}: {dn}")
            full = dict(rn_values)
            full.update(attrs)
            self.steps.append(Step("create", dn, meta, full))
            self._plan(dn, meta)
        for child in node.children:
            self._child(child, meta, dn)
        if not exists:
            self._implicit_children(meta, dn)

    def _child(self, node: ProposedMO, parent: ClassMeta, parent_dn_: str) -> None:
        meta = self._class(node.cls)
        given_dn = self.catalog.canonical_dn(node.attrs.get("dn", ""))
        if given_dn:
            if parent_dn(given_dn) != parent_dn_:
                raise errors.cannot_contain(rn_of(given_dn), parent_dn_)
            rn = rn_of(given_dn)
        else:
            rn = self._rn_for(meta, node, parent_dn_)
        if meta not in parent.children:
            raise errors.cannot_contain(rn, parent_dn_)
        values = meta.rn.parse(rn) if meta.rn else None
        if values is None:
            raise errors.invalid_rn(rn)
        self._node(node, meta, child_dn(parent_dn_, meta.rn.canonical(rn)), values)

    def _implicit_children(self, meta: ClassMeta, dn: str) -> None:
        for cls, attrs in meta.implicit_children:
            child = self.catalog.classes.get(cls)
            if child is None or child.rn is None:
                continue
            rn = child.rn.format(attrs)
            cdn = child_dn(dn, rn)
            if not self.exists(cdn):
                values = child.rn.parse(rn) or {}
                self.steps.append(Step("create", cdn, child, {**values, **attrs}))
                self._plan(cdn, child)
                self._implicit_children(child, cdn)

    def _ensure_ancestors(self, path: list[Rn], dn: str) -> None:
        """Create missing ancestors with their defaults, as APIC does for a deep POST."""
        rns = split_dn(dn)
        for i, (meta, _rn, values) in enumerate(path[:-1]):
            adn = "/".join(rns[: i + 1])
            if not self.exists(adn):
                if not meta.configurable and not self.system:
                    raise errors.bad_request(f"Cannot create object of non-configurable class {meta.name}: {adn}")
                self.steps.append(Step("create", adn, meta, dict(values)))
                self._plan(adn, meta)
                self._implicit_children(meta, adn)

    # --- validation ------------------------------------------------------------------------------
    def _class(self, name: str) -> ClassMeta:
        meta = self.catalog.classes.get(name)
        if meta is None or meta.abstract or meta.rn is None:
            raise errors.unknown_class(name)
        return meta

    def _resolve(self, dn: str) -> list[Rn]:
        try:
            return self.catalog.resolve_dn(dn)
        except DnError as exc:
            raise errors.invalid_dn(str(exc)) from None

    def _rn_for(self, meta: ClassMeta, node: ProposedMO, parent: str) -> str:
        given = node.attrs.get("rn")
        if given:
            return meta.rn.canonical(given)
        missing = [p for p in meta.naming if not node.attrs.get(p)]
        if missing:
            raise errors.invalid_rn(meta.rn.format(node.attrs))
        return meta.rn.format(node.attrs)

    def _validated_attrs(
        self, node: ProposedMO, meta: ClassMeta, dn: str, rn_values: dict[str, str]
    ) -> dict[str, str]:
        out: dict[str, str] = {}
        current = self.current(dn)
        if current is None:
            for prop, value in rn_values.items():
                spec = meta.props.get(prop)
                if spec is not None:
                    # the real text names the RN, not the DN, for a bad naming value
                    checked_value(spec, value, meta.name, rn_of(dn))
        for prop, value in node.attrs.items():
            if prop in IGNORED_ON_WRITE:
                continue
            spec = meta.props.get(prop)
            if spec is None:
                raise errors.unknown_attribute(prop, meta.name)
            if prop in rn_values:
                if value != rn_values[prop]:
                    raise errors.naming_mismatch(prop, value, dn)
                continue
            if spec.access in ("ro", "implicit") and not self.system:
                now = current.get(prop) if current is not None else spec.default
                if value != now:
                    raise errors.read_only(prop, meta.name, dn)
                continue
            out[prop] = checked_value(spec, value, meta.name, dn)
        apply_class_rules(meta.name, out, current.values() if current is not None else meta.defaults, dn)
        return out

    def _check_create_only(self, meta: ClassMeta, current: MO, attrs: dict[str, str]) -> None:
        for prop, value in attrs.items():
            if meta.props[prop].access == "create-only" and current.get(prop) != value:
                raise errors.create_only(meta.name, prop)


def check_lengths(catalog: Catalog, url_dn: str, body: ProposedMO) -> None:
    """Refuse over-long DNs and naming values before any store work: a 100k-character name is answered with
    the APIC's validation error at once, never resolved, matched or planned, and the store's lock is not
    taken for it (the REST layer calls this as soon as the body is parsed; `Writer.post` again)."""
    if len(url_dn) > MAX_DN_LENGTH:
        raise errors.dn_too_long(url_dn, MAX_DN_LENGTH)
    stack = [body]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        for prop in ("dn", "rn"):
            if len(node.attrs.get(prop, "")) > MAX_DN_LENGTH:
                raise errors.dn_too_long(node.attrs[prop], MAX_DN_LENGTH)
        meta = catalog.classes.get(node.cls)
        if meta is None or meta.rn is None:
            continue
        for prop in meta.naming:
            value = node.attrs.get(prop, "")
            spec = meta.props.get(prop)
            limit = spec.max if spec is not None and spec.kind == "string" and spec.max else MAX_DN_LENGTH
            if len(value) > limit:
                raise errors.failed_validation(prop, meta.rn.format(node.attrs), value)


def _status(node: ProposedMO, meta: ClassMeta, dn: str):
    raw = node.attrs.get("status", "")
    parts = {p.strip() for p in raw.split(",") if p.strip()}
    if not parts:
        return STATUS_UPSERT
    if parts == {"deleted"}:
        return "deleted"
    if parts <= STATUS_UPSERT:
        return parts
    raise errors.bad_value(raw, "status", meta.name, dn)


def _monitoring_policy(dn: str) -> str:
    return next((pol for prefix, pol in MONITORING_POLICIES if dn.startswith(prefix)), "")


__all__ = ["ApicError", "ProposedMO", "WriteResult", "Writer", "check_lengths"]
