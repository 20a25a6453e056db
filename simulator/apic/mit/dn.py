"""Distinguished names and relative names of the APIC management information tree.

A DN is a '/'-separated path of RNs, but a '/' inside square brackets belongs to a naming value
(`rsdomAtt-[uni/vmmp-Redhat/dom-x]`, `rspathAtt-[topology/pod-1/paths-101/pathep-[eth1/1]]`),
so every split here counts bracket depth. RN formats come from the class catalog
(`vlanns-[{name}]-{allocMode}`) and are compiled once into a parser and a formatter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote


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
    if "[" not in dn:
        return dn.rfind("/")
    depth = 0
    for i in range(len(dn) - 1, -1, -1):
        ch = dn[i]
        if ch == "]":
            depth += 1
        elif ch == "[":
            depth -= 1
        elif ch == "/" and depth == 0:
            return i
    return -1


_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class RnFormat:
    """A compiled RN format such as `vlanns-[{name}]-{allocMode}`."""

    text: str
    props: tuple[str, ...]
    literal_prefix: str
    _regex: re.Pattern

    def parse(self, rn: str) -> dict[str, str] | None:
        """The naming property values an RN carries, or None if the RN does not fit the format."""
        if not self.props:
            return {} if rn == self.text else None
        m = self._regex.match(rn)
        if m is None:
            return None
        values = dict(zip(self.props, m.groups(), strict=True))
        if any(v == "" for v in values.values()):
            return None
        return values

    def format(self, values: dict[str, str]) -> str:
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), self.text)


@cache
def compile_rn_format(text: str) -> RnFormat:
    props: list[str] = []
    pattern: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        pattern.append(re.escape(text[pos : m.start()]))
        bracketed = m.start() > 0 and text[m.start() - 1] == "["
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
    regex = re.compile("^" + "".join(pattern) + "$", re.DOTALL)
    return RnFormat(text, tuple(props), literal, regex)
