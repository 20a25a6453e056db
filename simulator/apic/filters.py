"""APIC query filter grammar (``query-target-filter`` / ``rsp-subtree-filter``).

Filters are parsed once per request and then evaluated against every candidate MO, which can be
hundreds of thousands of objects for a class query.  The module is therefore split into a parser that
produces a small immutable AST and a compiler that turns the AST into nested closures: all per-filter
work (regex compilation, numeric parsing of constants, flag-set splitting, operator dispatch) happens
at compile time, so evaluating one MO costs a handful of attribute lookups and comparisons.

Reference: /work/shared/research/apic-rest.md §2.3 "Filter grammar".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, TypeAlias

__all__ = [
    "FilterError",
    "Compare",
    "Logic",
    "Not",
    "Const",
    "Node",
    "Predicate",
    "parse_filter",
    "format_filter",
    "compile_filter",
    "compile_node",
    "referenced_classes",
    "MAX_DEPTH",
]

#: Nesting limit.  Real clients nest a few levels at most; the cap keeps hostile input from turning
#: into a RecursionError (which would surface as a 500 instead of a 400).
MAX_DEPTH = 100

_ERROR_TEXT_LIMIT = 200


class FilterError(ValueError):
    """Raised for any filter the simulator cannot accept.

    The message is meant to be dropped verbatim into the ``text`` of an APIC 400 error reply, so it
    carries the offending position and the filter text itself.
    """

    def __init__(self, message: str, *, position: int | None = None, text: str | None = None) -> None:
        super().__init__(message)
        self.position = position
        self.text = text


# --------------------------------------------------------------------------------------------------
# AST


@dataclass(frozen=True, slots=True)
class Compare:
    """A property test; ``values`` has two entries for ``bw`` and one for every other operator."""

    op: str
    cls: str
    attr: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Logic:
    """``and`` / ``or`` / ``xor`` over one or more sub-expressions."""

    op: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    arg: Node


@dataclass(frozen=True, slots=True)
class Const:
    value: bool


Node: TypeAlias = Compare | Logic | Not | Const
Predicate: TypeAlias = Callable[[Any], bool]

_CMP_OPS = frozenset({"eq", "ne", "lt", "gt", "le", "ge"})
_PROP_OPS = _CMP_OPS | {"bw", "anybit", "allbits", "wcard"}
_LOGIC_OPS = frozenset({"and", "or", "xor"})
_CONSTS = {"true": True, "false": False}

# How many values (after the property) each property operator takes.
_ARITY = {op: 1 for op in _PROP_OPS} | {"bw": 2}

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_PROP_RE = re.compile(rf"({_IDENT})\.({_IDENT})")


# --------------------------------------------------------------------------------------------------
# Tokenizer

_LPAREN, _RPAREN, _COMMA, _STR, _WORD, _EOF = "(", ")", ",", "str", "word", "eof"
_DELIMS = frozenset("(),\"'")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    value: str
    pos: int
    end: int


def _error(message: str, text: str, pos: int | None) -> FilterError:
    shown = text if len(text) <= _ERROR_TEXT_LIMIT else text[:_ERROR_TEXT_LIMIT] + "..."
    where = f" at position {pos}" if pos is not None else ""
    return FilterError(f"Invalid filter: {message}{where} in '{shown}'", position=pos, text=text)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "(),":
            tokens.append(_Token(ch, ch, i, i + 1))
            i += 1
        elif ch == '"' or ch == "'":
            # Only the delimiter and the backslash itself are escapable; any other backslash is kept
            # so wcard regexes such as "\d+" survive without double escaping.
            start, i, parts = i, i + 1, []
            while True:
                if i >= n:
                    raise _error("unterminated string", text, start)
                c = text[i]
                if c == ch:
                    i += 1
                    break
                if c == "\\" and i + 1 < n and text[i + 1] in (ch, "\\"):
                    parts.append(text[i + 1])
                    i += 2
                else:
                    parts.append(c)
                    i += 1
            tokens.append(_Token(_STR, "".join(parts), start, i))
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in _DELIMS:
                i += 1
            tokens.append(_Token(_WORD, text[start:i], start, i))
    tokens.append(_Token(_EOF, "", n, n))
    return tokens


# --------------------------------------------------------------------------------------------------
# Parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def fail(self, message: str, tok: _Token) -> FilterError:
        return _error(message, self.text, tok.pos)

    def unexpected(self, tok: _Token, expected: str) -> FilterError:
        if tok.kind == _EOF:
            return self.fail(f"unexpected end of input (expected {expected})", tok)
        return self.fail(f"unexpected token {self.text[tok.pos : tok.end]!r} (expected {expected})", tok)

    def next(self) -> _Token:
        tok = self.tokens[self.i]
        if tok.kind != _EOF:
            self.i += 1
        return tok

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def expect(self, kind: str) -> _Token:
        tok = self.next()
        if tok.kind != kind:
            raise self.unexpected(tok, repr(kind))
        return tok

    def parse(self) -> Node:
        node = self.expr(0)
        tok = self.peek()
        if tok.kind != _EOF:
            raise self.fail(f"unexpected token {self.text[tok.pos : tok.end]!r} after end of expression", tok)
        return node

    def expr(self, depth: int) -> Node:
        tok = self.next()
        if tok.kind != _WORD:
            raise self.unexpected(tok, "an operator")
        if depth >= MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", tok)
        op = tok.value
        if op in _CONSTS:
            if self.peek().kind == _LPAREN:
                self.next()
                self.expect(_RPAREN)
            return Const(_CONSTS[op])
        if op not in _PROP_OPS and op not in _LOGIC_OPS and op != "not":
            raise self.fail(f"unknown operator {op!r}", tok)
        self.expect(_LPAREN)
        if op in _PROP_OPS:
            return self.compare(op, tok)
        args = [self.expr(depth + 1)]
        while self.peek().kind == _COMMA:
            self.next()
            args.append(self.expr(depth + 1))
        close = self.next()
        if close.kind != _RPAREN:
            raise self.unexpected(close, "',' or ')'")
        if op == "not":
            if len(args) != 1:
                raise self.fail(f"operator 'not' takes exactly 1 argument, got {len(args)}", tok)
            return Not(args[0])
        return Logic(op, tuple(args))

    def compare(self, op: str, op_tok: _Token) -> Compare:
        prop = self.next()
        if prop.kind != _WORD:
            raise self.unexpected(prop, "a property <class>.<attr>")
        m = _PROP_RE.fullmatch(prop.value)
        if m is None:
            raise self.fail(f"property {prop.value!r} is not of the form <class>.<attr>", prop)
        values: list[str] = []
        while True:
            tok = self.next()
            if tok.kind == _RPAREN:
                break
            if tok.kind != _COMMA:
                raise self.unexpected(tok, "',' or ')'")
            val = self.next()
            if val.kind not in (_STR, _WORD):
                raise self.unexpected(val, "a value")
            values.append(val.value)
        if len(values) != _ARITY[op]:
            want = _ARITY[op] + 1
            raise self.fail(f"operator {op!r} takes exactly {want} arguments, got {len(values) + 1}", op_tok)
        return Compare(op, m.group(1), m.group(2), tuple(values))


_CACHEABLE_LEN = 4096


@lru_cache(maxsize=512)
def _parse_cached(text: str) -> Node:
    return _Parser(text).parse()


def parse_filter(text: str) -> Node:
    """Parse filter text into an AST.

    Results are memoised: the same handful of filter strings arrive over and over (ansible, the GUI
    polling loop), and the AST is immutable so sharing it is safe.
    """
    if not isinstance(text, str):
        raise FilterError(f"Invalid filter: expected text, got {type(text).__name__}")
    if not text.strip():
        raise FilterError("Invalid filter: empty filter expression", position=0, text=text)
    if len(text) > _CACHEABLE_LEN:  # don't let one huge query pin megabytes in the cache
        return _Parser(text).parse()
    return _parse_cached(text)


# --------------------------------------------------------------------------------------------------
# Formatter


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_filter(node: Node) -> str:
    """Render the canonical text form: no whitespace, values always double-quoted.

    Canonical output lets callers compare, log and cache filters by text regardless of how the
    client spelled them.
    """
    parts: list[str] = []
    _format(node, parts)
    return "".join(parts)


def _format(node: Node, out: list[str]) -> None:
    if isinstance(node, Compare):
        _check_compare(node)
        out.append(f"{node.op}({node.cls}.{node.attr}")
        for v in node.values:
            out.append("," + _quote(v))
        out.append(")")
    elif isinstance(node, Logic):
        _check_logic(node)
        out.append(node.op + "(")
        for k, arg in enumerate(node.args):
            if k:
                out.append(",")
            _format(arg, out)
        out.append(")")
    elif isinstance(node, Not):
        out.append("not(")
        _format(node.arg, out)
        out.append(")")
    elif isinstance(node, Const):
        out.append("true" if node.value else "false")
    else:
        raise FilterError(f"Invalid filter: not a filter node: {node!r}")


def _check_compare(node: Compare) -> None:
    # Hand-built ASTs bypass the parser, so re-check what the parser would have guaranteed.
    if node.op not in _PROP_OPS:
        raise FilterError(f"Invalid filter: unknown operator {node.op!r}")
    if _PROP_RE.fullmatch(f"{node.cls}.{node.attr}") is None:
        raise FilterError(
            f"Invalid filter: property '{node.cls}.{node.attr}' is not of the form <class>.<attr>"
        )
    if len(node.values) != _ARITY[node.op] or not all(isinstance(v, str) for v in node.values):
        raise FilterError(f"Invalid filter: operator {node.op!r} takes {_ARITY[node.op]} string value(s)")


def _check_logic(node: Logic) -> None:
    if node.op not in _LOGIC_OPS:
        raise FilterError(f"Invalid filter: unknown operator {node.op!r}")
    if not node.args:
        raise FilterError(f"Invalid filter: operator {node.op!r} needs at least one argument")


# --------------------------------------------------------------------------------------------------
# Compiler

_NUM_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _to_num(s: str) -> Decimal | None:
    """Exact numeric form of ``s`` or None.

    Decimal (not float) so that long integers such as 64-bit counters and values like "1.0" vs "1"
    compare exactly; the ASCII-only regex keeps Python's laxer parsing ("1_000", "inf", unicode
    digits, surrounding blanks) from turning ordinary strings into numbers.
    """
    if _NUM_RE.fullmatch(s) is None:
        return None
    try:
        return Decimal(s)
    except (InvalidOperation, ValueError):  # exponent beyond Decimal's range: treat as plain text
        return None


def _split_flags(s: str) -> frozenset[str]:
    return frozenset(f for f in (p.strip() for p in s.split(",")) if f)


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "gt": lambda a, b: a > b,
    "le": lambda a, b: a <= b,
    "ge": lambda a, b: a >= b,
}


def _value_test(op: str, values: tuple[str, ...]) -> Callable[[str], bool]:
    """Build the test applied to the MO's attribute string once the class is known to match."""
    if op in _CMP_OPS:
        const = values[0]
        num = _to_num(const)
        rel = _ORDER[op]
        if num is None:
            # A non-numeric constant forces a string comparison whatever the MO holds.
            if op == "eq":
                return const.__eq__
            if op == "ne":
                return const.__ne__
            return lambda v: rel(v, const)

        def numeric_or_string(v: str) -> bool:
            n = _to_num(v)
            return rel(v, const) if n is None else rel(n, num)

        return numeric_or_string

    if op == "bw":
        lo_test = _value_test("ge", values[:1])
        hi_test = _value_test("le", values[1:])
        return lambda v: lo_test(v) and hi_test(v)

    if op == "anybit":
        wanted = _split_flags(values[0])
        return lambda v: not wanted.isdisjoint(_split_flags(v))

    if op == "allbits":
        wanted = _split_flags(values[0])
        return lambda v: wanted <= _split_flags(v)

    if op == "wcard":
        try:
            search = re.compile(values[0]).search
        except (re.error, RecursionError, OverflowError, ValueError):
            # Clients use wcard mostly for substrings ("__ui_"); a pattern that is not a regex is
            # still meaningful as a literal.
            search = re.compile(re.escape(values[0])).search
        return lambda v: search(v) is not None

    raise FilterError(f"Invalid filter: unknown operator {op!r}")


def _compile_compare(
    node: Compare, is_a: Callable[[str, str], bool], caches: dict[str, dict[str, bool]]
) -> Predicate:
    _check_compare(node)
    cls, attr = node.cls, node.attr
    # One is_a cache per filter class, shared by every comparison on that class in this filter.
    cache = caches.setdefault(cls, {})

    # The plain string eq/ne case is what ansible and aci-containers send on every call; keep it to a
    # single closure with no inner calls.
    if node.op in ("eq", "ne") and _to_num(node.values[0]) is None:
        const = node.values[0]
        if node.op == "eq":

            def pred_eq(mo: Any) -> bool:
                c = mo.cls
                try:
                    ok = cache[c]
                except KeyError:
                    ok = cache[c] = bool(is_a(c, cls))
                return ok and mo.get(attr) == const

            return pred_eq

        def pred_ne(mo: Any) -> bool:
            c = mo.cls
            try:
                ok = cache[c]
            except KeyError:
                ok = cache[c] = bool(is_a(c, cls))
            return ok and mo.get(attr) != const

        return pred_ne

    test = _value_test(node.op, node.values)

    def pred(mo: Any) -> bool:
        c = mo.cls
        try:
            ok = cache[c]
        except KeyError:
            ok = cache[c] = bool(is_a(c, cls))
        return ok and test(mo.get(attr))

    return pred


def _compile(node: Node, is_a: Callable[[str, str], bool], caches: dict[str, dict[str, bool]]) -> Predicate:
    if isinstance(node, Compare):
        return _compile_compare(node, is_a, caches)
    if isinstance(node, Const):
        value = bool(node.value)
        return lambda mo: value
    if isinstance(node, Not):
        inner = _compile(node.arg, is_a, caches)
        return lambda mo: not inner(mo)
    if isinstance(node, Logic):
        _check_logic(node)
        fs = tuple(_compile(a, is_a, caches) for a in node.args)
        if len(fs) == 1:
            # and(x) / or(x) / xor(x) are all just x (aci-containers sends and(eq(...))).
            return fs[0]
        if node.op == "and":
            if len(fs) == 2:
                f, g = fs
                return lambda mo: f(mo) and g(mo)
            return lambda mo: all(f(mo) for f in fs)
        if node.op == "or":
            if len(fs) == 2:
                f, g = fs
                return lambda mo: f(mo) or g(mo)
            return lambda mo: any(f(mo) for f in fs)

        # n-ary xor is parity (true when an odd number of arguments hold), i.e. chained binary xor.
        def pred_xor(mo: Any) -> bool:
            r = False
            for f in fs:
                r ^= f(mo)
            return r

        return pred_xor
    raise FilterError(f"Invalid filter: not a filter node: {node!r}")


def compile_node(node: Node, is_a: Callable[[str, str], bool]) -> Predicate:
    """Compile an already parsed (or hand-built) AST; see :func:`compile_filter`."""
    return _compile(node, is_a, {})


def compile_filter(text: str, is_a: Callable[[str, str], bool]) -> Predicate:
    """Compile filter text into a predicate over MOs.

    ``is_a(mo_cls, cls)`` decides whether an MO of class ``mo_cls`` is a ``cls``; it is consulted at
    most once per distinct MO class per filter class, so it may be slow.
    MOs need ``.cls`` and ``.get(attr) -> str``.
    """
    return compile_node(parse_filter(text), is_a)


def referenced_classes(node: Node) -> set[str]:
    """Class names used in properties, so callers can reject filters on unknown classes up front."""
    found: set[str] = set()
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Compare):
            found.add(n.cls)
        elif isinstance(n, Logic):
            stack.extend(n.args)
        elif isinstance(n, Not):
            stack.append(n.arg)
    return found
