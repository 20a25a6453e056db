"""Distinguished names and relative names of the APIC management information tree.

A DN is a '/'-separated path of RNs, but a '/' inside square brackets belongs to a naming value
(`rsdomAtt-[uni/vmmp-Redhat/dom-x]`, `rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]]`),
so every split here counts bracket depth. RN formats come from the class catalog
(`vlanns-[{name}]-{allocMode}`) and are compiled once into a parser and a formatter; a `Dn` is a DN
resolved once against the catalog, so code asks it for naming values instead of slicing RNs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote

if TYPE_CHECKING:
    from .catalog import Catalog, ClassMeta


#: The longest DN the simulator resolves. Real DNs stay far below it (names are at most 64 characters, a
#: DN nests a bracketed DN or two); past it a DN is refused before any work proportional to its length.
MAX_DN_LENGTH = 2048


class DnError(ValueError):
    """A DN or RN that cannot be parsed (unbalanced brackets, empty RN)."""


def split_dn(dn: str) -> list[str]:
    """Split a DN into its RNs, keeping '/' inside brackets."""
    if dn in ("", "/"):
        return []
    rns: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(dn):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise DnError(f"unbalanced ']' at position {i} in {dn}")
        elif ch == "/" and depth == 0:
            rns.append(dn[start:i])
            start = i + 1
    if depth:
        raise DnError(f"unbalanced '[' in {dn}")
    rns.append(dn[start:])
    if any(rn == "" for rn in rns):
        raise DnError(f"empty rn in {dn}")
    return rns


def join_dn(rns: list[str] | tuple[str, ...]) -> str:
    return "/".join(rns)


def parent_dn(dn: str) -> str:
    """The DN of the parent ('' for a top-level MO such as `uni`)."""
    i = _last_top_level_slash(dn)
    return dn[:i] if i >= 0 else ""


def rn_of(dn: str) -> str:
    i = _last_top_level_slash(dn)
    return dn[i + 1 :] if i >= 0 else dn


def child_dn(parent: str, rn: str) -> str:
    return f"{parent}/{rn}" if parent else rn


def is_ancestor(ancestor: str, dn: str) -> bool:
    """True when `dn` lies strictly below `ancestor` in the tree."""
    if ancestor == "":
        return dn != ""
    if not dn.startswith(ancestor) or len(dn) <= len(ancestor) or dn[len(ancestor)] != "/":
        return False
    # the '/' must be a top-level separator, not one inside a bracketed value
    return dn[: len(ancestor)].count("[") == dn[: len(ancestor)].count("]")


def decode_dn(raw: str) -> str:
    """Percent-decode a DN taken from a URL path (clients send brackets raw or encoded)."""
    return unquote(raw) if "%" in raw else raw


def _last_top_level_slash(dn: str) -> int:
    """The position of the DN's last top-level '/' (not inside a bracketed naming value), -1 for none.

    A '/' is top-level when the brackets before it are balanced (naming values nest brackets, as in
    `rscEpToPathEp-[topology/pod-1/paths-101/pathep-[eth1/1]]`); `str.count` keeps it at C speed (the store
    asks it for every MO it links)."""
    i = dn.rfind("/")
    if "[" not in dn:
        return i
    while i > 0 and dn.count("[", 0, i) != dn.count("]", 0, i):
        i = dn.rfind("/", 0, i)
    return i


_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class RnFormat:
    """A compiled RN format such as `vlanns-[{name}]-{allocMode}`."""

    text: str
    props: tuple[str, ...]
    literal_prefix: str
    pattern: str  # compiled on first use: most of the catalog's 1,300 formats never meet an RN
    bare: frozenset[str] = frozenset()  # the naming properties the format does not bracket

    def parse(self, rn: str) -> dict[str, str] | None:
        """The naming property values an RN carries, or None if the RN does not fit the format.

        Any naming value may come bracketed (`tn-[web]` names tenant `web`, as cisco.aci's aci_rest
        users write it); the brackets are dropped where the format has none and the value needs none
        (no `/` and no brackets of its own inside), so `canonical` gives the RN the APIC stores."""
        if not self.props:
            return {} if rn == self.text else None
        m = _compiled(self.pattern).match(rn)
        if m is None:
            return None
        values = dict(zip(self.props, m.groups(), strict=True))
        for prop in self.bare:
            values[prop] = _unbracketed(values[prop])
        if any(v == "" for v in values.values()):
            return None
        return values

    def canonical(self, rn: str) -> str:
        """`rn` as the APIC writes it (`tn-[web]` is `tn-web`); unchanged when it does not fit."""
        values = self.parse(rn) if self.bare else None
        return self.format(values) if values else rn

    def format(self, values: dict[str, str]) -> str:
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), self.text)


@cache
def compile_rn_format(text: str) -> RnFormat:
    props: list[str] = []
    pattern: list[str] = []
    bare: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        pattern.append(re.escape(text[pos : m.start()]))
        bracketed = m.start() > 0 and text[m.start() - 1] == "["
        if not bracketed:
            bare.append(m.group(1))
        # a bracketed value may itself hold brackets (nested DNs), so it is matched greedily
        # up to the closing bracket that the format puts after it
        pattern.append("(.*)" if bracketed else "(.+?)")
        props.append(m.group(1))
        pos = m.end()
    pattern.append(re.escape(text[pos:]))
    first = _PLACEHOLDER.search(text)
    literal = text[: first.start()] if first else text
    if literal.endswith("["):
        literal = literal[:-1]
    return RnFormat(text, tuple(props), literal, "^" + "".join(pattern) + "$", frozenset(bare))


def _unbracketed(value: str) -> str:
    """A bracketed naming value without its brackets, when what they hold needs none."""
    if len(value) > 2 and value[0] == "[" and value[-1] == "]":
        inner = value[1:-1]
        if not any(ch in inner for ch in "/[]"):
            return inner
    return value


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.DOTALL)


class Rn(NamedTuple):
    """One RN of a resolved DN: the class it names, its text and the naming values it carries."""

    meta: ClassMeta
    text: str
    values: dict[str, str]


class Dn:
    """A DN parsed once against the catalog: each RN with its class and naming values.

    Code that needs a tenant's name or a domain's vendor asks for it by class and property
    (`dn.naming("vmmProvP")["vendor"]`) instead of slicing RN strings, and builds DNs from naming
    values (`tenant.child("fvAEPg", name="web")`) instead of formatting RNs by hand, so the RN
    formats stay the catalog's alone.
    """

    __slots__ = ("_top", "path", "text")

    def __init__(self, top: ClassMeta, path: tuple[Rn, ...] = ()):
        self._top = top
        self.path = path
        self.text = join_dn([rn.text for rn in path])

    @classmethod
    def parse(cls, text: str, catalog: Catalog) -> Dn:
        """Resolve every RN of `text`; DnError (with APIC's text) when one fits no class."""
        return cls(catalog.get("topRoot"), tuple(catalog.resolve_dn(text)))

    @classmethod
    def root(cls, catalog: Catalog) -> Dn:
        return cls(catalog.get("topRoot"))

    @property
    def rns(self) -> tuple[str, ...]:
        return tuple(rn.text for rn in self.path)

    @property
    def rn(self) -> str:
        return self.path[-1].text if self.path else ""

    @property
    def meta(self) -> ClassMeta:
        return self.path[-1].meta if self.path else self._top

    @property
    def cls(self) -> str:
        return self.meta.name

    @property
    def parent(self) -> Dn | None:
        """The parent's DN; None for the root."""
        return Dn(self._top, self.path[:-1]) if self.path else None

    def ancestor(self, cls: str) -> Dn | None:
        """The nearest DN on the way to the root (this one included) that names an MO of `cls`."""
        for end in range(len(self.path), 0, -1):
            if _is_a(self.path[end - 1].meta, cls):
                return Dn(self._top, self.path[:end])
        return None

    def naming(self, cls: str | None = None) -> dict[str, str]:
        """The naming values of this DN's own RN, or of the nearest RN of class `cls` on its path."""
        if cls is None:
            return dict(self.path[-1].values) if self.path else {}
        found = self.ancestor(cls)
        if found is None:
            raise KeyError(f"{self.text or 'the root'} has no {cls} on its path")
        return dict(found.path[-1].values)

    def child(self, cls: str, **values: str) -> Dn:
        """The DN of a child of class `cls` named by `values` (its naming properties)."""
        meta = self.meta.child_class(cls)
        if meta is None or meta.rn is None:
            raise DnError(f"class {cls} cannot be contained by {self.cls}")
        missing = [p for p in meta.rn.props if not values.get(p)]
        if missing:
            raise DnError(f"{cls} needs a value for {', '.join(missing)}")
        naming = {p: str(values[p]) for p in meta.rn.props}
        return Dn(self._top, (*self.path, Rn(meta, meta.rn.format(naming), naming)))

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Dn({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dn) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def _is_a(meta: ClassMeta, cls: str) -> bool:
    return meta.name == cls or cls in meta.superclasses
