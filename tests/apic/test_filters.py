"""Tests for the APIC filter grammar (simulator.apic.filters)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.apic.filters import (
    MAX_DEPTH,
    Compare,
    Const,
    FilterError,
    Logic,
    Node,
    Not,
    compile_filter,
    compile_node,
    format_filter,
    parse_filter,
    referenced_classes,
)

# --------------------------------------------------------------------------------------------------
# Fixtures: a tiny MO and class hierarchy


class FakeMO:
    __slots__ = ("cls", "attrs")

    def __init__(self, cls: str, **attrs: str) -> None:
        self.cls = cls
        self.attrs = attrs

    def get(self, attr: str) -> str:
        return self.attrs.get(attr, "")

    def __repr__(self) -> str:
        return f"FakeMO({self.cls!r}, **{self.attrs!r})"


# child -> parent
PARENT = {
    "fvAEPg": "fvEPg",
    "l3extInstP": "fvEPg",
    "fvEPg": "fvATg",
    "fvATg": None,
    "fvTenant": None,
    "fvBD": None,
    "vzBrCP": None,
    "topSystem": None,
    "a": None,
}


def is_a(mo_cls: str, cls: str) -> bool:
    c: str | None = mo_cls
    while c is not None:
        if c == cls:
            return True
        c = PARENT.get(c)
    return False


def matches(text: str, mo: FakeMO) -> bool:
    return compile_filter(text, is_a)(mo)


# --------------------------------------------------------------------------------------------------
# Client forms seen in the wild


def test_ansible_eq_form():
    f = compile_filter('eq(fvTenant.name,"x")', is_a)
    assert f(FakeMO("fvTenant", name="x"))
    assert not f(FakeMO("fvTenant", name="y"))
    assert not f(FakeMO("fvBD", name="x"))
    assert parse_filter('eq(fvTenant.name,"x")') == Compare("eq", "fvTenant", "name", ("x",))


def test_aci_containers_single_arg_and():
    f = compile_filter('and(eq(topSystem.role,"leaf"))', is_a)
    assert f(FakeMO("topSystem", role="leaf"))
    assert not f(FakeMO("topSystem", role="spine"))
    assert parse_filter('and(eq(topSystem.role,"leaf"))') == Logic(
        "and", (Compare("eq", "topSystem", "role", ("leaf",)),)
    )


def test_gui_not_wcard():
    f = compile_filter('not(wcard(vzBrCP.dn,"__ui_"))', is_a)
    assert f(FakeMO("vzBrCP", dn="uni/tn-T/brc-web"))
    assert not f(FakeMO("vzBrCP", dn="uni/tn-T/brc-__ui_web"))


def test_ansible_and_of_two():
    f = compile_filter('and(eq(a.b,"1"),eq(a.c,"2"))', is_a)
    assert f(FakeMO("a", b="1", c="2"))
    assert not f(FakeMO("a", b="1", c="3"))
    assert not f(FakeMO("a", b="0", c="2"))


# --------------------------------------------------------------------------------------------------
# Comparison operators


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # numeric when both sides are numbers
        ('eq(a.n,"10")', "10", True),
        ('eq(a.n,"10")', "10.0", True),
        ('eq(a.n,"10")', "1e1", True),
        ('eq(a.n,"10")', "+10", True),
        ('eq(a.n,"10")', "010", True),
        ('eq(a.n,"10")', "11", False),
        ('ne(a.n,"10")', "10.00", False),
        ('ne(a.n,"10")', "9", True),
        ('lt(a.n,"9")', "10", False),  # as strings "10" < "9"
        ('lt(a.n,"9")', "8.5", True),
        ('gt(a.n,"9")', "10", True),
        ('gt(a.n,"-1")', "-0.5", True),
        ('le(a.n,"10")', "10", True),
        ('le(a.n,"10")', "10.1", False),
        ('ge(a.n,"10")', "10", True),
        ('ge(a.n,"10")', "9.99", False),
        ('gt(a.n,"18446744073709551614")', "18446744073709551615", True),  # exact, no float rounding
        # string when either side is not a number
        ('eq(a.s,"abc")', "abc", True),
        ('eq(a.s,"abc")', "ABC", False),
        ('ne(a.s,"abc")', "abd", True),
        ('lt(a.s,"b")', "abc", True),
        ('lt(a.s,"b")', "b", False),
        ('gt(a.s,"b")', "ba", True),
        ('le(a.s,"b")', "b", True),
        ('ge(a.s,"b")', "a", False),
        ('gt(a.n,"abc")', "5", False),  # "5" < "abc" as strings
        ('lt(a.n,"10")', "9x", False),  # "9x" > "10" as strings
        ('eq(a.n,"1_000")', "1000", False),  # Python-only numeric spellings are not numbers
        ('eq(a.n,"inf")', "infinity", False),
        ('eq(a.n," 1")', "1", False),
        # unknown attribute reads as ''
        ('eq(a.missing,"")', None, True),
        ('lt(a.missing,"a")', None, True),
    ],
)
def test_comparisons(text, value, expected):
    attrs = {} if value is None else {"n": value, "s": value}
    assert matches(text, FakeMO("a", **attrs)) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("10", True), ("5.5", True), ("1.0", True), ("0", False), ("11", False), ("0.999", False)],
)
def test_bw_numeric_inclusive(value, expected):
    assert matches('bw(a.n,"1","10")', FakeMO("a", n=value)) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("b", True), ("c", True), ("d", True), ("cz", True), ("a", False), ("da", False), ("", False)],
)
def test_bw_string_inclusive(value, expected):
    assert matches('bw(a.s,"b","d")', FakeMO("a", s=value)) is expected


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ('anybit(a.f,"nd,querier")', "querier", True),
        ('anybit(a.f,"nd,querier")', "ctrl,nd", True),
        ('anybit(a.f,"nd,querier")', "ctrl", False),
        ('anybit(a.f,"nd,querier")', "", False),
        ('anybit(a.f,"nd")', "nd-x", False),  # whole flag names, not substrings
        ('allbits(a.f,"nd,querier")', "querier,nd,ctrl", True),
        ('allbits(a.f,"nd,querier")', "nd", False),
        ('allbits(a.f,"nd")', "nd", True),
        ('allbits(a.f,"nd, querier")', "querier , nd", True),  # blanks around flags ignored
    ],
)
def test_bits(text, value, expected):
    assert matches(text, FakeMO("a", f=value)) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("__ui_", "uni/tn-T/brc-__ui_x", True),
        ("__ui_", "uni/tn-T/brc-x", False),
        ("^uni/tn-", "uni/tn-T", True),  # regex anchors work
        ("^tn-", "uni/tn-T", False),
        ("T$", "uni/tn-T", True),
        ("tn-.", "uni/tn-T", True),
        ("web|db", "epg-db1", True),
        (r"\d+", "node-101", True),  # backslash kept for regexes
        (r"\d+", "node-x", False),
        ("[", "a[b", True),  # invalid regex -> literal
        ("[", "ab", False),
        ("a(b", "xa(by", True),
        ("a(b", "ab", False),
        ("*x", "a*xb", True),
    ],
)
def test_wcard(pattern, value, expected):
    node = Compare("wcard", "a", "dn", (pattern,))
    assert compile_node(node, is_a)(FakeMO("a", dn=value)) is expected
    assert matches(format_filter(node), FakeMO("a", dn=value)) is expected


# --------------------------------------------------------------------------------------------------
# Logic and constants


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("false", False),
        ("true()", True),
        ("false()", False),
        ("not(true)", False),
        ("not(false())", True),
        ("and(true,true)", True),
        ("and(true,false)", False),
        ("and(true,true,false)", False),
        ("or(false,false)", False),
        ("or(false,true)", True),
        ("or(false,false,false,true)", True),
        ("xor(true,true)", False),
        ("xor(true,false)", True),
        ("xor(false,false)", False),
        ("xor(true,true,true)", True),  # parity
        ("xor(true)", True),
        ("and(or(false,not(false)),xor(true,false),not(and(true,false)))", True),
        ('or(and(eq(a.b,"1"),eq(a.c,"9")),not(eq(a.b,"1")))', False),
        ('or(and(eq(a.b,"1"),eq(a.c,"2")),not(eq(a.b,"1")))', True),
        ('xor(eq(a.b,"1"),eq(a.c,"2"),eq(a.d,""))', True),
    ],
)
def test_logic(text, expected):
    assert matches(text, FakeMO("a", b="1", c="2")) is expected


def test_class_mismatch_is_false_even_for_ne():
    bd_name = 'eq(fvBD.name,"x")'
    epg = FakeMO("fvAEPg", name="x")
    assert not matches(bd_name, epg)
    assert not matches('ne(fvBD.name,"y")', epg)
    assert matches(f"not({bd_name})", epg)
    assert matches(f"not({bd_name})", FakeMO("fvBD", name="y"))
    assert not matches(f"not({bd_name})", FakeMO("fvBD", name="x"))


def test_subclass_match():
    assert matches('eq(fvEPg.name,"e")', FakeMO("fvAEPg", name="e"))
    assert matches('eq(fvATg.name,"e")', FakeMO("fvAEPg", name="e"))
    assert matches('eq(fvEPg.name,"e")', FakeMO("l3extInstP", name="e"))
    assert not matches('eq(fvAEPg.name,"e")', FakeMO("fvEPg", name="e"))
    assert not matches('eq(fvAEPg.name,"e")', FakeMO("l3extInstP", name="e"))


def test_is_a_cached_per_class():
    calls: list[tuple[str, str]] = []

    def counting_is_a(mo_cls: str, cls: str) -> bool:
        calls.append((mo_cls, cls))
        return is_a(mo_cls, cls)

    f = compile_filter('or(eq(fvEPg.name,"x"),eq(fvEPg.descr,"y"),gt(fvBD.n,"3"))', counting_is_a)
    mos = [FakeMO(c, name="x") for c in ("fvAEPg", "fvBD", "fvTenant")] * 50
    results = [f(mo) for mo in mos]
    assert results == [True, False, False] * 50
    assert len(calls) == len(set(calls)) <= 6


# --------------------------------------------------------------------------------------------------
# Lexical details


def test_whitespace_everywhere():
    text = " \n and ( eq ( a.b , \"1\" ) ,\n\t eq(a.c,'2') , true ( ) ) \r\n"
    assert parse_filter(text) == parse_filter('and(eq(a.b,"1"),eq(a.c,"2"),true)')


def test_whitespace_inside_quotes_is_kept():
    assert parse_filter('eq(a.b,"  x y ")').values == ("  x y ",)


def test_quoted_value_with_commas_parens_pipes():
    node = parse_filter('and(eq(a.b,"x,(y)|z"),wcard(a.c,"),(,"))')
    assert node == Logic(
        "and", (Compare("eq", "a", "b", ("x,(y)|z",)), Compare("wcard", "a", "c", ("),(,",)))
    )
    assert matches('eq(a.b,"x,(y)|z")', FakeMO("a", b="x,(y)|z"))


def test_escaped_quotes_and_backslashes():
    node = parse_filter(r'eq(a.b,"say \"hi\" \\ ok \d")')
    assert node.values == ('say "hi" \\ ok \\d',)
    assert parse_filter(r"eq(a.b,'it\'s \"x\"')").values == ('it\'s \\"x\\"',)
    assert parse_filter(r'eq(a.b,"it\'s")').values == ("it\\'s",)


def test_single_quotes_and_bare_values():
    assert parse_filter("eq(a.b,'x')") == parse_filter('eq(a.b,"x")')
    assert parse_filter("eq(a.b,x)") == parse_filter('eq(a.b,"x")')
    assert parse_filter("bw(a.b, 1 ,10)") == Compare("bw", "a", "b", ("1", "10"))
    assert parse_filter("eq(a.b,uni/tn-x|y)").values == ("uni/tn-x|y",)
    assert parse_filter('eq(a.b,"")').values == ("",)


def test_format_is_canonical():
    assert (
        format_filter(parse_filter(" and( eq(a.b,'x\"y') , not( true() ) ) "))
        == r'and(eq(a.b,"x\"y"),not(true))'
    )
    assert format_filter(Compare("bw", "a", "b", ("1", "a\\"))) == r'bw(a.b,"1","a\\")'
    assert format_filter(Const(False)) == "false"


def test_referenced_classes():
    node = parse_filter('and(eq(fvTenant.name,"x"),not(or(wcard(vzBrCP.dn,"a"),true,bw(fvBD.n,"1","2"))))')
    assert referenced_classes(node) == {"fvTenant", "vzBrCP", "fvBD"}
    assert referenced_classes(Const(True)) == set()


def test_parse_is_memoised_but_values_equal():
    assert parse_filter('eq(a.b,"x")') is parse_filter('eq(a.b,"x")')


# --------------------------------------------------------------------------------------------------
# Errors


MALFORMED = [
    "",
    "   ",
    "eq(fvTenant.name",
    'eq(fvTenant.name,"x"',
    'eq(fvTenant.name,"x"))',
    '(eq(a.b,"x"))',
    'eq(fvTenant.name "x")',
    'and(eq(a.b,"1") eq(a.c,"2"))',
    'and(eq(a.b,"1"),)',
    'foo(a.b,"x")',
    'EQ(a.b,"x")',
    'pholder(a.b,"x")',
    'eq(name,"x")',
    'eq(.name,"x")',
    'eq(a.,"x")',
    'eq(a.b.c,"x")',
    'eq("a.b","x")',
    'eq(1a.b,"x")',
    'eq(a.b,"x") junk',
    'eq(a.b,"x")eq(a.b,"y")',
    "eq(a.b)",
    "eq(a.b,)",
    'eq(a.b,"1","2")',
    'bw(a.b,"1")',
    'bw(a.b,"1","2","3")',
    'wcard(a.b,"1","2")',
    "not(true,false)",
    "not()",
    "and()",
    "or()",
    "not",
    "eq",
    "eq()",
    '"x"',
    "true(",
    "true(x)",
    "true false",
    'eq(a.b,"x',
    "eq(a.b,'x",
    'eq(a.b,"x\\")',
    "and(true,,false)",
    ")",
    ",",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_raises_filter_error(text):
    with pytest.raises(FilterError):
        parse_filter(text)
    with pytest.raises(FilterError):
        compile_filter(text, is_a)


def test_error_message_shape():
    with pytest.raises(FilterError) as exc:
        parse_filter('and(eq(a.b,"1")))')
    err = exc.value
    assert isinstance(err, ValueError)
    assert err.position == 16
    assert (
        str(err)
        == "Invalid filter: unexpected token ')' after end of expression at position 16 in 'and(eq(a.b,\"1\")))'"
    )

    with pytest.raises(FilterError, match=r"^Invalid filter: unknown operator 'foo' at position 4 in"):
        parse_filter('not(foo(a.b,"1"))')
    with pytest.raises(FilterError, match=r"property 'name' is not of the form <class>\.<attr>"):
        parse_filter('eq(name,"x")')
    with pytest.raises(FilterError, match=r"unexpected end of input"):
        parse_filter("eq(fvTenant.name")


def test_deep_nesting_is_a_filter_error_not_recursion_error():
    ok = "not(" * (MAX_DEPTH - 1) + "true" + ")" * (MAX_DEPTH - 1)
    assert compile_filter(ok, is_a)(FakeMO("a")) is ((MAX_DEPTH - 1) % 2 == 0)
    with pytest.raises(FilterError, match="nesting"):
        parse_filter("not(" * 5000 + "true" + ")" * 5000)


@pytest.mark.parametrize(
    "node",
    [
        Compare("foo", "a", "b", ("x",)),
        Compare("eq", "", "b", ("x",)),
        Compare("eq", "a", "b", ("x", "y")),
        Compare("bw", "a", "b", ("x",)),
        Logic("nand", (Const(True),)),
        Logic("and", ()),
        "eq(a.b,1)",
    ],
)
def test_invalid_hand_built_nodes(node):
    with pytest.raises(FilterError):
        format_filter(node)
    with pytest.raises(FilterError):
        compile_node(node, is_a)


# --------------------------------------------------------------------------------------------------
# At scale (its speed is measured side by side by bench/class_query_filter.py, never asserted here)


def test_eq_over_100k_mos_finds_exactly_the_matches():
    classes = ["fvTenant", "fvBD", "fvAEPg", "fvTenant"]
    mos = [FakeMO(classes[i % 4], name=f"t{i % 1000}", descr="") for i in range(100_000)]
    pred = compile_filter('eq(fvTenant.name,"t4")', is_a)
    hits = [mo for mo in mos if pred(mo)]
    assert len(hits) == 100
    assert all(mo.cls == "fvTenant" and mo.attrs["name"] == "t4" for mo in hits)


# --------------------------------------------------------------------------------------------------
# Property-based tests

IDENT = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
PROP_OPS = ["eq", "ne", "lt", "gt", "le", "ge", "bw", "anybit", "allbits", "wcard"]


def compare_nodes(classes, attrs, values):
    def build(op, cls, attr, v1, v2):
        return Compare(op, cls, attr, (v1, v2) if op == "bw" else (v1,))

    return st.builds(build, st.sampled_from(PROP_OPS), classes, attrs, values, values)


def trees(leaf):
    consts = st.builds(Const, st.booleans())
    return st.recursive(
        st.one_of(leaf, consts),
        lambda children: st.one_of(
            st.builds(Not, children),
            st.builds(
                Logic,
                st.sampled_from(["and", "or", "xor"]),
                st.lists(children, min_size=1, max_size=4).map(tuple),
            ),
        ),
        max_leaves=15,
    )


ANY_AST = trees(compare_nodes(IDENT, IDENT, st.text(max_size=12)))


def noisy_format(node: Node, rnd) -> str:
    """A non-canonical but equivalent spelling: random blanks, quote styles, bare values, ``true()``."""

    def ws() -> str:
        return rnd.choice(["", "", " ", "  ", "\n", "\t "])

    def value(v: str) -> str:
        if v and re.fullmatch(r"[A-Za-z0-9_./|:-]+", v) and rnd.random() < 0.3:
            return v
        q = rnd.choice(['"', "'"])
        return q + v.replace("\\", "\\\\").replace(q, "\\" + q) + q

    def go(n: Node) -> str:
        if isinstance(n, Const):
            word = "true" if n.value else "false"
            return word + (f"{ws()}({ws()})" if rnd.random() < 0.3 else "")
        if isinstance(n, Not):
            return f"not{ws()}({ws()}{go(n.arg)}{ws()})"
        if isinstance(n, Logic):
            inner = f"{ws()},{ws()}".join(go(a) for a in n.args)
            return f"{n.op}{ws()}({ws()}{inner}{ws()})"
        args = [f"{n.cls}.{n.attr}"] + [value(v) for v in n.values]
        return f"{n.op}{ws()}({ws()}" + f"{ws()},{ws()}".join(args) + f"{ws()})"

    return ws() + go(node) + ws()


@given(ANY_AST)
@settings(max_examples=300)
def test_roundtrip_format_parse(ast):
    text = format_filter(ast)
    assert parse_filter(text) == ast
    assert format_filter(parse_filter(text)) == text


@given(ANY_AST, st.randoms(use_true_random=False))
@settings(max_examples=300)
def test_roundtrip_noisy_spelling(ast, rnd):
    assert parse_filter(noisy_format(ast, rnd)) == ast


# ---- reference evaluator: a direct reading of the spec, walking the AST per MO

_REF_NUM = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def _ref_number(s: str) -> Fraction | None:
    return Fraction(s) if _REF_NUM.fullmatch(s) else None


def _ref_cmp(op: str, mo_value: str, const: str) -> bool:
    a, b = _ref_number(mo_value), _ref_number(const)
    if a is None or b is None:
        a, b = mo_value, const
    return {
        "eq": a == b,
        "ne": a != b,
        "lt": a < b,
        "gt": a > b,
        "le": a <= b,
        "ge": a >= b,
    }[op]


def _ref_flags(s: str) -> set[str]:
    return {f.strip() for f in s.split(",")} - {""}


def reference_eval(node: Node, mo: FakeMO) -> bool:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Not):
        return not reference_eval(node.arg, mo)
    if isinstance(node, Logic):
        results = [reference_eval(a, mo) for a in node.args]
        if node.op == "and":
            return all(results)
        if node.op == "or":
            return any(results)
        return sum(results) % 2 == 1
    if not is_a(mo.cls, node.cls):
        return False
    v = mo.get(node.attr)
    if node.op == "bw":
        return _ref_cmp("ge", v, node.values[0]) and _ref_cmp("le", v, node.values[1])
    if node.op == "anybit":
        return bool(_ref_flags(v) & _ref_flags(node.values[0]))
    if node.op == "allbits":
        return _ref_flags(node.values[0]) <= _ref_flags(v)
    if node.op == "wcard":
        try:
            return re.search(node.values[0], v) is not None
        except re.error:
            return node.values[0] in v
    return _ref_cmp(node.op, v, node.values[0])


VALUE_POOL = [
    "",
    "0",
    "1",
    "01",
    "1.0",
    "1.",
    ".5",
    "-2",
    "+3",
    "10",
    "9",
    "1e1",
    "2E-1",
    "abc",
    "ABC",
    "b",
    "x y",
    "nd",
    "querier",
    "nd,querier",
    "ctrl,nd",
    " nd , ",
    "__ui_",
    "uni/tn-__ui_x",
    "^uni",
    "a.c",
    "[",
    "a(b",
    "x|y",
    r"\d",
]
SMALL_VALUES = st.one_of(st.sampled_from(VALUE_POOL), st.text(alphabet="ab01.-+e,[(|^$ \\", max_size=6))
MO_CLASSES = ["fvTenant", "fvBD", "fvEPg", "fvAEPg", "l3extInstP", "fvATg", "vzBrCP"]
MO_ATTRS = ["name", "descr", "n", "flags"]

EVAL_AST = trees(compare_nodes(st.sampled_from(MO_CLASSES), st.sampled_from(MO_ATTRS), SMALL_VALUES))


def _constants(node: Node) -> list[str]:
    if isinstance(node, Compare):
        return list(node.values)
    if isinstance(node, Not):
        return _constants(node.arg)
    if isinstance(node, Logic):
        return [v for a in node.args for v in _constants(a)]
    return []


def _numeric_twins(v: str) -> list[str]:
    """Spellings of the same number that differ as strings, so numeric and string order disagree."""
    if _ref_number(v) is None:
        return [v]
    return [v, v + "0" if "." in v else v + ".0", "0" + v.lstrip("+"), v + "e0"]


def mos_for(node: Node):
    """MOs biased towards the filter's own classes and constants, so comparisons often hit the edges
    (equal bounds, numerically equal but textually different values) instead of trivially failing."""
    consts = [t for v in _constants(node) for t in _numeric_twins(v)]
    values = st.one_of(st.sampled_from(consts), SMALL_VALUES) if consts else SMALL_VALUES
    return st.builds(
        lambda cls, attrs: FakeMO(cls, **attrs),
        st.sampled_from(MO_CLASSES),
        st.dictionaries(st.sampled_from(MO_ATTRS), values, min_size=2, max_size=4),
    )


@given(st.data())
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_compiled_agrees_with_reference(data):
    ast = data.draw(EVAL_AST, label="ast")
    mos = data.draw(st.lists(mos_for(ast), min_size=1, max_size=8), label="mos")
    pred = compile_node(ast, is_a)
    via_text = compile_filter(format_filter(ast), is_a)
    for mo in mos:
        expected = reference_eval(ast, mo)
        assert pred(mo) is expected, (format_filter(ast), mo)
        assert via_text(mo) is expected


@given(st.data())
@settings(max_examples=600)
def test_single_comparison_agrees_with_reference(data):
    # Without and/or around it every comparison result is observable, which makes this the sharp
    # check of the per-operator semantics.
    node = data.draw(compare_nodes(st.sampled_from(MO_CLASSES), st.sampled_from(["n"]), SMALL_VALUES))
    consts = [t for v in node.values for t in _numeric_twins(v)]
    value = data.draw(st.one_of(st.sampled_from(consts), SMALL_VALUES), label="value")
    cls = data.draw(st.sampled_from(MO_CLASSES + [node.cls] * 3), label="mo class")
    mo = FakeMO(cls, n=value)
    assert compile_node(node, is_a)(mo) is reference_eval(node, mo), (format_filter(node), mo)


GRAMMARISH = st.text(alphabet="eqnltgbwanyitlsdorxfuwcr(),\" '\\.AB_1-", max_size=40)


@st.composite
def mangled_filters(draw):
    """Valid filter text with a slice cut out or replaced, to reach deep parser states."""
    text = format_filter(draw(ANY_AST))
    i = draw(st.integers(0, len(text)))
    j = draw(st.integers(i, len(text)))
    return text[:i] + draw(st.sampled_from(["", "(", ")", ",", '"', "'", "\\", " ", "x"])) + text[j:]


@given(st.one_of(st.text(max_size=60), GRAMMARISH, mangled_filters()))
@settings(max_examples=800)
def test_parse_only_raises_filter_error(text):
    try:
        node = parse_filter(text)
    except FilterError:
        return
    # Whatever parses must also format, re-parse and compile.
    assert parse_filter(format_filter(node)) == node
    compile_node(node, is_a)(FakeMO("a", b="1"))
