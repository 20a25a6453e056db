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
import re._constants as _sre_c  # Python's own regex parser: wcard reads patterns as `re` does
import re._parser as _sre_parser
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
    "WCARD_MAX_LENGTH",
    "wcard_matcher",
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
# wcard: a regex match in time linear in the value, whatever the pattern
#
# The APIC's wcard is an unanchored regular-expression match (the GUI's `wcard(vzBrCP.dn,"__ui_")`, clients'
# `"^uni/tn-x/"`), evaluated by the controller's own engine. Python's `re` backtracks: `^(a|a)*b$` takes
# seconds on 24 characters, and a class query evaluates the filter under the store's one lock, stalling
# every other client. So a pattern is read by Python's own parser (same syntax, same meaning as `re`), and
# matched by a finite automaton (Thompson's construction, simulated as a lazily built DFA, as RE2 does):
# whether a value matches is then decided in one pass over it, in time bounded by the value's length times
# the automaton's size, which the pattern's length bounds. Only patterns without repetition or alternation
# (the usual literal prefixes and substrings, where backtracking is bounded by the pattern's length) go to
# `re` directly, which is faster for them. Back-references, look-arounds, atomic groups and possessive
# repeats describe no regular language, so no automaton matches them: such a filter is refused with the
# APIC's bad-filter error, as is a pattern longer than WCARD_MAX_LENGTH or one that expands into more than
# WCARD_MAX_STATES states (`(a{1000}){1000}`). Text that is no regex at all stays a literal, as before.

WCARD_MAX_LENGTH = 512
WCARD_MAX_STATES = 2000
_DFA_CACHE_LIMIT = 10_000  # transitions kept per pattern; past it the cache starts again (RE2's reset)

_CHAR, _SPLIT, _ASSERT, _MATCH = range(4)
_REPEATS = (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT)
_UNSUPPORTED = {
    _sre_c.GROUPREF: "a back-reference", _sre_c.GROUPREF_EXISTS: "a conditional group",
    _sre_c.ASSERT: "a look-around", _sre_c.ASSERT_NOT: "a look-around",
    _sre_c.ATOMIC_GROUP: "an atomic group", _sre_c.POSSESSIVE_REPEAT: "a possessive repeat",
}
_CATEGORY_PATTERNS = {
    _sre_c.CATEGORY_DIGIT: r"\d", _sre_c.CATEGORY_NOT_DIGIT: r"\D", _sre_c.CATEGORY_SPACE: r"\s",
    _sre_c.CATEGORY_NOT_SPACE: r"\S", _sre_c.CATEGORY_WORD: r"\w", _sre_c.CATEGORY_NOT_WORD: r"\W",
}


class _NotRegular(Exception):
    pass


class _Automaton:
    """A Thompson NFA built from Python's parse of a pattern: states are indexes into parallel lists."""

    def __init__(self, pattern: str) -> None:
        parsed = _sre_parser.parse(pattern)
        self.flags = parsed.state.flags
        if self.flags & _sre_c.SRE_FLAG_LOCALE:
            raise _NotRegular("the locale flag")
        self.kind: list[int] = []
        self.arg: list[Any] = []
        self.out: list[list[int]] = []
        self.context = False  # whether an assertion looks at the previous character (\b, \B, multiline ^)
        match = self._state(_MATCH, None, [])
        self.start = self._sequence(list(parsed), match, self.flags)
        self._word = re.compile(r"\w", re.ASCII if self.flags & re.ASCII else 0).match

    def _state(self, kind: int, arg: Any, out: list[int]) -> int:
        if len(self.kind) >= WCARD_MAX_STATES:
            raise _NotRegular(f"more than {WCARD_MAX_STATES} automaton states")
        self.kind.append(kind)
        self.arg.append(arg)
        self.out.append(out)
        return len(self.kind) - 1

    def _sequence(self, items: list, nxt: int, flags: int) -> int:
        for op, av in reversed(items):
            nxt = self._item(op, av, nxt, flags)
        return nxt

    def _item(self, op, av, nxt: int, flags: int) -> int:
        if op in _UNSUPPORTED:
            raise _NotRegular(_UNSUPPORTED[op])
        if op == _sre_c.SUBPATTERN:
            _group, add, remove, body = av
            return self._sequence(list(body), nxt, (flags | add) & ~remove)
        if op == _sre_c.BRANCH:
            return self._state(_SPLIT, None, [self._sequence(list(alt), nxt, flags) for alt in av[1]])
        if op in _REPEATS:
            low, high, body = av
            return self._repeat(low, high, list(body), nxt, flags)
        if op == _sre_c.AT:
            return self._assertion(av, nxt, flags)
        return self._state(_CHAR, self._char_test(op, av, flags), [nxt])

    def _repeat(self, low: int, high, body: list, nxt: int, flags: int) -> int:
        # greedy or lazy makes no difference to whether a value matches
        if high == _sre_c.MAXREPEAT:
            loop = self._state(_SPLIT, None, [nxt])
            self.out[loop].insert(0, self._sequence(body, loop, flags))
            head = loop
        else:
            head = nxt
            for _ in range(high - low):
                head = self._state(_SPLIT, None, [self._sequence(body, head, flags), nxt])
        for _ in range(low):
            head = self._sequence(body, head, flags)
        return head

    def _assertion(self, at, nxt: int, flags: int) -> int:
        multiline = bool(flags & _sre_c.SRE_FLAG_MULTILINE)
        if at == _sre_c.AT_BEGINNING:
            kind = "bol" if multiline else "start"
        elif at == _sre_c.AT_BEGINNING_STRING:
            kind = "start"
        elif at == _sre_c.AT_END:
            kind = "eol" if multiline else "end"
        elif at == _sre_c.AT_END_STRING:
            kind = "eos"
        elif at in (_sre_c.AT_BOUNDARY, _sre_c.AT_NON_BOUNDARY):
            kind = "boundary" if at == _sre_c.AT_BOUNDARY else "inside"
        else:
            raise _NotRegular(f"the assertion {at}")
        if kind in ("bol", "boundary", "inside"):
            self.context = True
        return self._state(_ASSERT, kind, [nxt])

    def _char_test(self, op, av, flags: int) -> Callable[[str], bool]:
        if op == _sre_c.ANY:
            if flags & _sre_c.SRE_FLAG_DOTALL:
                return lambda c: True
            return lambda c: c != "\n"
        negate = op == _sre_c.NOT_LITERAL or (op == _sre_c.IN and av and av[0][0] == _sre_c.NEGATE)
        if op in (_sre_c.LITERAL, _sre_c.NOT_LITERAL):
            test = _literal(av)
        elif op == _sre_c.IN:
            test = self._set_test([item for item in av if item[0] != _sre_c.NEGATE], flags)
        else:
            raise _NotRegular(f"the construct {op}")
        if flags & _sre_c.SRE_FLAG_IGNORECASE:
            plain = test
            test = lambda c: plain(c) or plain(c.lower()[:1]) or plain(c.upper()[:1])  # noqa: E731
        if negate:
            positive = test
            return lambda c: not positive(c)
        return test

    def _set_test(self, items, flags: int) -> Callable[[str], bool]:
        tests: list[Callable[[str], bool]] = []
        for op, av in items:
            if op == _sre_c.LITERAL:
                tests.append(_literal(av))
            elif op == _sre_c.RANGE:
                lo, hi = av
                tests.append(lambda c, lo=lo, hi=hi: c != "" and lo <= ord(c) <= hi)
            elif op == _sre_c.CATEGORY and av in _CATEGORY_PATTERNS:
                tests.append(re.compile(_CATEGORY_PATTERNS[av], flags & re.ASCII).fullmatch)
            else:
                raise _NotRegular(f"the set item {op}")
        return lambda c: any(t(c) for t in tests)

    # --- matching --------------------------------------------------------------------------------
    def holds(self, kind: str, prev: str | None, nxt: str | None, final_nl: bool) -> bool:
        if kind == "start":
            return prev is None
        if kind == "bol":
            return prev is None or prev == "\n"
        if kind == "end":
            return nxt is None or final_nl
        if kind == "eol":
            return nxt is None or nxt == "\n"
        if kind == "eos":
            return nxt is None
        before = prev is not None and bool(self._word(prev))
        after = nxt is not None and bool(self._word(nxt))
        if kind == "boundary":
            return before != after
        return before == after and not (prev is None and nxt is None)  # sre: \B never matches ''

    def closure(self, states, prev: str | None, nxt: str | None, final_nl: bool) -> tuple[frozenset[int], bool]:
        """The character-consuming states reachable from `states` without consuming one, and whether the
        match state is among them."""
        seen: set[int] = set()
        stack = [*states, self.start]
        chars: list[int] = []
        matched = False
        kind, out = self.kind, self.out
        while stack:
            s = stack.pop()
            if s in seen:
                continue
            seen.add(s)
            k = kind[s]
            if k == _CHAR:
                chars.append(s)
            elif k == _MATCH:
                matched = True
            elif k == _SPLIT:
                stack.extend(out[s])
            elif self.holds(self.arg[s], prev, nxt, final_nl):
                stack.append(out[s][0])
        return frozenset(chars), matched


def _literal(code: int) -> Callable[[str], bool]:
    ch = chr(code)
    return ch.__eq__


class _WcardMatcher:
    """`search(value)`: whether the pattern matches somewhere in `value`, one automaton step per character."""

    def __init__(self, automaton: _Automaton) -> None:
        self.nfa = automaton
        self.cache: dict[tuple, frozenset[int] | None] = {}

    def __call__(self, value: str) -> bool:
        nfa, cache = self.nfa, self.cache
        if len(cache) > _DFA_CACHE_LIMIT:
            cache.clear()
        states: frozenset[int] = frozenset()
        prev: str | None = None
        last = len(value) - 1
        context = nfa.context
        for i, c in enumerate(value):
            final_nl = i == last and c == "\n"
            key = (states, prev if context else prev is None, final_nl, c)
            nxt = cache.get(key, False)
            if nxt is False:
                chars, matched = nfa.closure(states, prev, c, final_nl)
                nxt = None if matched else frozenset(nfa.out[s][0] for s in chars if nfa.arg[s](c))
                cache[key] = nxt
            if nxt is None:
                return True
            states, prev = nxt, c
        return nfa.closure(states, prev, None, False)[1]


@lru_cache(maxsize=256)
def wcard_matcher(pattern: str) -> Callable[[str], bool]:
    """The test of `wcard(<prop>,"<pattern>")` on one value; FilterError for a pattern no bounded engine
    can match (see above). Shared between requests: the GUI polls with the same few patterns."""
    if len(pattern) > WCARD_MAX_LENGTH:
        raise FilterError(f"Invalid filter: wcard pattern longer than {WCARD_MAX_LENGTH} characters")
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        # Clients use wcard mostly for substrings ("__ui_"); a pattern that is not a regex is
        # still meaningful as a literal.
        return lambda v, literal=pattern: literal in v
    try:
        parsed = _sre_parser.parse(pattern)
        if not _backtracks(list(parsed)):
            search = compiled.search
            return lambda v: search(v) is not None
        return _WcardMatcher(_Automaton(pattern))
    except _NotRegular as exc:
        shown = pattern if len(pattern) <= 60 else pattern[:60] + "..."
        raise FilterError(f"Invalid filter: wcard pattern '{shown}' uses {exc}, which cannot be matched in "
                          "bounded time") from None


def _backtracks(items: list) -> bool:
    """Whether a backtracking engine may try more than one way through the pattern (a repeat or an
    alternation anywhere, or a construct only the automaton check refuses)."""
    for op, av in items:
        if op in _REPEATS or op == _sre_c.BRANCH or op in _UNSUPPORTED:
            return True
        if op == _sre_c.SUBPATTERN and _backtracks(list(av[3])):
            return True
    return False


# --------------------------------------------------------------------------------------------------
# Compiler

_NUM_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def numeric_value(s: str) -> Decimal | None:
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
        num = numeric_value(const)
        rel = _ORDER[op]
        if num is None:
            # A non-numeric constant forces a string comparison whatever the MO holds.
            if op == "eq":
                return const.__eq__
            if op == "ne":
                return const.__ne__
            return lambda v: rel(v, const)

        def numeric_or_string(v: str) -> bool:
            n = numeric_value(v)
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
        return wcard_matcher(values[0])

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
    if node.op in ("eq", "ne") and numeric_value(node.values[0]) is None:
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
