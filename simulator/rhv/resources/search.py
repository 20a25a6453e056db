"""The engine's search mini-language, as clients send it in `?search=`.

Forms in use by the SDK examples and ovirt.ovirt: `name=vm1`, `name=vm*`, `name="my vm"`,
`status=up`, `cluster=Default`, `datacenter=Default`, `id=...`, `host=host1`, cross-entity
terms such as `Clusters.name=Default` (data centers having that cluster) or `vm.name=vm1`
(templates of that VM), terms joined with `and`/`or`, then `sortby <field> [asc|desc]` and
`page N`. An optional `Vms:` style prefix is accepted. Values compare case-insensitively unless
the request says `case_sensitive=true`; `*` is a wildcard.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

Getter = Callable[[object], object]

_TOKEN = re.compile(r'\s*(?:(?P<quoted>"[^"]*")|(?P<op><=|>=|!=|=|<|>)|(?P<word>[^\s=<>!"]+))')


class SearchError(ValueError):
    pass


@dataclass
class Term:
    field: str
    op: str
    value: str


@dataclass
class SearchQuery:
    groups: list[list[Term]] = field(default_factory=list)  # OR of ANDs
    sort_by: str | None = None
    descending: bool = False
    page: int | None = None

    def select(self, items: Iterable, fields: dict[str, Getter], case_sensitive: bool = False) -> list:
        for group in self.groups:
            for term in group:
                if term.field.lower() not in fields:
                    raise SearchError(f"Invalid search field '{term.field}'")
        chosen = [item for item in items if self._matches(item, fields, case_sensitive)]
        if self.sort_by:
            key = fields.get(self.sort_by.lower())
            if key is None:
                raise SearchError(f"Invalid sort field '{self.sort_by}'")
            chosen.sort(key=lambda item: _sort_key(key(item)), reverse=self.descending)
        return chosen

    def _matches(self, item, fields: dict[str, Getter], case_sensitive: bool) -> bool:
        if not self.groups:
            return True
        return any(all(_term_matches(t, fields[t.field.lower()](item), case_sensitive) for t in g) for g in self.groups)


def parse(text: str | None) -> SearchQuery:
    query = SearchQuery()
    if not text or not text.strip():
        return query
    tokens = _tokenize(text)
    if tokens and tokens[0][1].endswith(":") and tokens[0][0] == "word":
        tokens = tokens[1:]
    group: list[Term] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        word = value.lower()
        if kind == "word" and word == "and":
            i += 1
            continue
        if kind == "word" and word == "or":
            query.groups.append(group)
            group = []
            i += 1
            continue
        if kind == "word" and word == "sortby":
            if i + 1 >= len(tokens):
                raise SearchError("sortby needs a field")
            query.sort_by = tokens[i + 1][1]
            i += 2
            if i < len(tokens) and tokens[i][1].lower() in ("asc", "desc"):
                query.descending = tokens[i][1].lower() == "desc"
                i += 1
            continue
        if kind == "word" and word == "page":
            if i + 1 >= len(tokens) or not tokens[i + 1][1].isdigit():
                raise SearchError("page needs a number")
            query.page = int(tokens[i + 1][1])
            i += 2
            continue
        if i + 1 < len(tokens) and tokens[i + 1][0] == "op":
            if i + 2 >= len(tokens):
                raise SearchError(f"missing value after {value}{tokens[i + 1][1]}")
            group.append(Term(value, tokens[i + 1][1], _unquote(tokens[i + 2][1])))
            i += 3
            continue
        if kind == "op":
            raise SearchError(f"unexpected '{value}'")
        group.append(Term("name", "=", f"*{_unquote(value)}*"))
        i += 1
    query.groups.append(group)
    query.groups = [g for g in query.groups if g]
    return query


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise SearchError(f"cannot parse search at: {text[pos:]}")
        kind = match.lastgroup
        tokens.append(("word" if kind == "quoted" else kind, match.group(kind)))
        pos = match.end()
    return tokens


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _term_matches(term: Term, actual, case_sensitive: bool) -> bool:
    values = actual if isinstance(actual, (list, tuple, set)) else [actual]
    return any(_compare(term.op, v, term.value, case_sensitive) for v in values if v is not None)


def _compare(op: str, actual, wanted: str, case_sensitive: bool) -> bool:
    if isinstance(actual, bool):
        actual = "true" if actual else "false"
    if op in ("=", "!="):
        a, w = str(actual), wanted
        if not case_sensitive:
            a, w = a.lower(), w.lower()
        equal = glob_match(a, w) if "*" in w else a == w
        return equal if op == "=" else not equal
    a_num, w_num = _number(actual), _number(wanted)
    a, w = (a_num, w_num) if a_num is not None and w_num is not None else (str(actual).lower(), wanted.lower())
    return {"<": a < w, ">": a > w, "<=": a <= w, ">=": a >= w}[op]


def glob_match(text: str, pattern: str) -> bool:
    """`*` matches any run of characters (the engine's only wildcard; `?` and `[` are plain characters here,
    unlike fnmatch). Linear: each literal piece is found left to right, never backtracked."""
    pieces = pattern.split("*")
    if not text.startswith(pieces[0]):
        return False
    pos = len(pieces[0])
    for piece in pieces[1:-1]:
        found = text.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    return len(text) - pos >= len(pieces[-1]) and text.endswith(pieces[-1])


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _sort_key(value):
    number = _number(value)
    return (0, number, "") if number is not None else (1, 0, str(value).lower())
