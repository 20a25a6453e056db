"""The APIC class catalog: what each MO class is, read from the generated `catalog.json`.

Everything class-specific the tree needs (RN format, naming properties, allowed parents,
property types, enums, defaults, access flags, superclasses, relation targets, implicit children)
is data here; the store and the validator stay generic. Regenerate the file with
`python tools/gen_catalog.py ../shared/aci-catalog`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .dn import MAX_DN_LENGTH, Dn, DnError, Rn, RnFormat, compile_rn_format, split_dn

CATALOG_FILE = Path(__file__).with_name("catalog.json")


@dataclass(frozen=True)
class PropMeta:
    name: str
    kind: str = "string"
    default: str = ""
    values: tuple[str, ...] = ()
    access: str = "config"
    secure: bool = False
    min: int | float | None = None
    max: int | float | None = None
    regex: tuple[str, ...] = ()

    @property
    def config(self) -> bool:
        """Shown by rsp-prop-include=config-only."""
        return self.access in ("config", "naming", "create-only")


@dataclass(frozen=True)
class Relation:
    to: str
    kind: str  # "named" | "explicit"
    target_prop: str


@dataclass(eq=False)
class ClassMeta:
    """One class of the catalog; compared by identity (there is one object per class)."""

    name: str
    rn: RnFormat | None
    naming: tuple[str, ...]
    parents: tuple[str, ...]
    superclasses: tuple[str, ...]
    abstract: bool
    configurable: bool
    complete: bool
    raw_props: dict[str, dict]  # the catalog file's entries, made into PropMeta on first use
    relation: Relation | None
    implicit_children: tuple[tuple[str, dict[str, str]], ...] = ()
    children: list[ClassMeta] = field(default_factory=list)

    @cached_property
    def props(self) -> dict[str, PropMeta]:
        """The class's properties; built when first asked for, since a lab touches few of the catalog's
        1,300 classes and building them all was a third of its start-up."""
        return {
            p: PropMeta(
                name=p,
                kind=spec.get("kind", "string"),
                default=spec.get("default", ""),
                values=tuple(spec.get("values", ())),
                access=spec.get("access", "config"),
                secure=bool(spec.get("secure", False)),
                min=spec.get("min"),
                max=spec.get("max"),
                regex=tuple(spec.get("regex", ())),
            )
            for p, spec in self.raw_props.items()
        }

    @cached_property
    def defaults(self) -> dict[str, str]:
        return {p: spec.get("default", "") for p, spec in self.raw_props.items()}

    @cached_property
    def prop_names(self) -> tuple[str, ...]:
        """Property names in the order APIC prints them (alphabetical)."""
        return tuple(sorted(self.props))

    def child_class(self, name: str) -> ClassMeta | None:
        """The child class called `name`, if this class may contain it."""
        return self._children_by_name.get(name)

    @cached_property
    def _children_by_name(self) -> dict[str, ClassMeta]:
        return {child.name: child for child in self.children}

    def child_for_rn(self, rn: str) -> tuple[ClassMeta, dict[str, str]] | None:
        """The child class whose RN format fits `rn`, with the naming values it carries."""
        for cand in self._children_by_prefix(rn):
            values = cand.rn.parse(rn)
            if values is not None:
                return cand, values
        return None

    def _children_by_prefix(self, rn: str):
        index = self._child_index
        # fixed RNs and the longest literal prefixes are tried first; no prefix is longer than the longest
        # key, so a long RN (a 100k-character naming value) costs as much as a short one here
        for end in range(min(len(rn), self._longest_prefix), -1, -1):
            hits = index.get(rn[:end])
            if hits:
                yield from hits

    @cached_property
    def _longest_prefix(self) -> int:
        return max(map(len, self._child_index), default=0)

    @cached_property
    def _child_index(self) -> dict[str, list[ClassMeta]]:
        index: dict[str, list[ClassMeta]] = {}
        for child in self.children:
            if child.rn is not None:
                index.setdefault(child.rn.literal_prefix, []).append(child)
        for hits in index.values():
            hits.sort(key=lambda c: (len(c.rn.props), c.name))
        return index


class UnknownClass(KeyError):
    pass


class Catalog:
    def __init__(self, data: dict):
        self.classes: dict[str, ClassMeta] = {}
        implicit = data.get("implicitChildren", {})
        for name, raw in data["classes"].items():
            rel = raw.get("relation")
            self.classes[name] = ClassMeta(
                name=name,
                rn=compile_rn_format(raw["rn"]) if raw.get("rn") is not None else None,
                naming=tuple(raw.get("naming", ())),
                parents=tuple(raw.get("parents", ())),
                superclasses=tuple(raw.get("super", ())),
                abstract=bool(raw.get("abstract", False)),
                configurable=bool(raw.get("configurable", True)),
                complete=bool(raw.get("complete", False)),
                raw_props=raw.get("props", {}),
                relation=Relation(rel["to"], rel["kind"], rel["targetProp"]) if rel else None,
                implicit_children=tuple(
                    (c["cls"], dict(c.get("attrs", {}))) for c in implicit.get(name, ())
                ),
            )
        for meta in self.classes.values():
            for parent in meta.parents:
                if parent in self.classes and meta.rn is not None:
                    self.classes[parent].children.append(meta)
        self._is_a: dict[tuple[str, str], bool] = {}

    @classmethod
    def load(cls, path: Path | str = CATALOG_FILE) -> Catalog:
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def __contains__(self, name: str) -> bool:
        return name in self.classes

    def get(self, name: str) -> ClassMeta:
        try:
            return self.classes[name]
        except KeyError:
            raise UnknownClass(name) from None

    def is_a(self, cls: str, ancestor: str) -> bool:
        """True when `cls` is `ancestor` or one of its subclasses."""
        key = (cls, ancestor)
        hit = self._is_a.get(key)
        if hit is None:
            meta = self.classes.get(cls)
            hit = cls == ancestor or (meta is not None and ancestor in meta.superclasses)
            self._is_a[key] = hit
        return hit

    def lineage(self, cls: str) -> tuple[str, ...]:
        """The class itself and its superclasses: the keys of the class index an MO lives under."""
        meta = self.classes.get(cls)
        return (cls, *meta.superclasses) if meta else (cls,)

    def dn(self, text: str) -> Dn:
        """`text` parsed once into a `Dn` (DnError when an RN fits no class)."""
        return Dn.parse(text, self)

    def resolve_dn(self, dn: str) -> list[Rn]:
        """Walk a DN from the root: for each RN, its class and naming values.

        Raises DnError with APIC's text when an RN does not fit any child class of its parent.
        """
        if len(dn) > MAX_DN_LENGTH:
            raise DnError(f"Invalid DN {dn[:200]}..., longer than {MAX_DN_LENGTH} characters")
        node = self.classes["topRoot"]
        path: list[Rn] = []
        rns = split_dn(dn)
        for pos, rn in enumerate(rns):
            hit = node.child_for_rn(rn)
            if hit is None:
                raise DnError(f"Invalid DN {dn}, wrong rn prefix {rn} at position {_position(rns, pos)}")
            node, values = hit
            path.append(Rn(node, node.rn.format(values) if node.rn.bare else rn, values))
        return path

    def canonical_dn(self, dn: str) -> str:
        """`dn` as the APIC names it: a naming value bracketed where its RN format has no brackets is
        written bare (`uni/tn-[web]` is `uni/tn-web`). A DN that does not resolve is left as it is, for
        the operation to answer its usual error."""
        if "[" not in dn:
            return dn
        try:
            return "/".join(rn.text for rn in self.resolve_dn(dn))
        except DnError:
            return dn

    def class_of_dn(self, dn: str) -> ClassMeta | None:
        try:
            path = self.resolve_dn(dn)
        except DnError:
            return None
        return path[-1][0] if path else self.classes["topRoot"]


def _position(rns: list[str], pos: int) -> int:
    """Character offset just past RN number `pos` (the DME's wording: "Invalid DN sys/isis/inst,
    wrong rn prefix inst at position 13")."""
    return sum(len(r) + 1 for r in rns[:pos]) + len(rns[pos])


_default: Catalog | None = None


def default_catalog() -> Catalog:
    """The catalog shipped with the package, loaded once per process."""
    global _default
    if _default is None:
        _default = Catalog.load()
    return _default
