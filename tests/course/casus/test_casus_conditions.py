"""The condition language: parses what authors write, evaluates it, and refuses anything that is not in it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.casus.conditions import (
    BoolOp,
    Compare,
    Condition,
    ConditionError,
    Const,
    Node,
    Not,
    Var,
    VariableType,
    check,
    parse,
)

VARIABLES = {
    "signalen": VariableType("number"),
    "collega_geraadpleegd": VariableType("bool"),
    "risico": VariableType("text", ("onbekend", "laag", "hoog")),
}
STATE = {"signalen": 3, "collega_geraadpleegd": True, "risico": "hoog"}


@pytest.mark.parametrize(("text", "expected"), [
    ("collega_geraadpleegd", True),
    ("not collega_geraadpleegd", False),
    ("collega_geraadpleegd and risico == 'hoog'", True),
    ('risico == "laag" or signalen >= 3', True),
    ("signalen > 3", False),
    ("signalen < 3.5 and signalen != 2", True),
    ("not (signalen <= 2 or risico != 'hoog')", True),
    ("true and not false", True),
    ("signalen == -1 or signalen > -1", True),
    ("not not collega_geraadpleegd", True),
    ("collega_geraadpleegd == true", True),
])
def test_conditions_evaluate_against_the_variables(text, expected):
    condition = parse(text)
    check(condition, VARIABLES)
    assert condition.holds(STATE) is expected


def test_and_binds_tighter_than_or():
    assert parse("a or b and c").tree == BoolOp("or", (Var("a", 1), BoolOp("and", (Var("b", 6), Var("c", 12)))))


@pytest.mark.parametrize(("text", "message"), [
    ("risico.lower() == 'hoog'", "'.' is not allowed"),
    ("__import__('os')", "function calls are not allowed"),
    ("len(risico) > 0", "function calls are not allowed"),
    ("risico[0] == 'h'", "no indexing"),
    ("signalen = 3", "write '=='"),
    ("signalen && risico", "write 'and'"),
    ("signalen + 1 > 2", "unexpected character '+'"),
    ("1 < signalen < 5", "cannot be chained"),
    ("risico == 'hoog", "string is not closed"),
    ("(collega_geraadpleegd", "expected ')'"),
    ("collega_geraadpleegd)", "unexpected ')'"),
    ("", "condition is empty"),
    ("and collega_geraadpleegd", "needs a value before it"),
    ("collega_geraadpleegd and", "expected a value but found the end"),
    ("lambda: 1", "unexpected character ':'"),
    ("x" * 501, "longer than 500"),
    ("(" * 40 + "true" + ")" * 40, "nested more than 32 levels"),
    ("not " * 40 + "true", "nested more than 32 levels"),
])
def test_syntax_outside_the_language_is_refused(text, message):
    with pytest.raises(ConditionError, match=re.escape(message)):
        parse(text)


@pytest.mark.parametrize(("text", "message"), [
    ("collegaa", "unknown variable 'collegaa'"),
    ("os", "unknown variable 'os'"),
    ("signalen", "must be true or false"),
    ("signalen and collega_geraadpleegd", "'and' needs true/false values"),
    ("not risico", "'not' needs a true/false value"),
    ("signalen == 'veel'", "cannot compare a number with a text"),
    ("collega_geraadpleegd == 1", "cannot compare a bool with a number"),
    ("risico > 'laag'", "compares numbers only"),
    ("risico == 'middel'", "'middel' is not a value of 'risico'"),
    ("'hoogg' != risico", "'hoogg' is not a value of 'risico'"),
])
def test_unknown_names_and_type_errors_are_refused(text, message):
    with pytest.raises(ConditionError, match=message):
        check(parse(text), VARIABLES)


def test_an_error_names_its_column():
    with pytest.raises(ConditionError) as info:
        parse("signalen >= 2 and risico.x")
    assert info.value.column == 25 and str(info.value).endswith("(column 25)")


@given(st.text(max_size=60))
def test_any_text_either_parses_or_raises_a_condition_error(text):
    try:
        condition = parse(text)
    except ConditionError:
        return
    try:
        check(condition, VARIABLES)
    except ConditionError:
        return
    assert condition.holds(STATE) in (True, False)


# A strategy for well-typed conditions, written out as text: parsing and evaluating them must agree with
# Python's own evaluation of the same tree.
NAMES = {"number": ["signalen"], "bool": ["collega_geraadpleegd"], "text": ["risico"]}
numbers = st.one_of(st.just(Var("signalen")), st.integers(-5, 5).map(Const))
texts = st.one_of(st.just(Var("risico")), st.sampled_from(["onbekend", "laag", "hoog"]).map(Const))
comparisons = st.one_of(
    st.tuples(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), numbers, numbers),
    st.tuples(st.sampled_from(["==", "!="]), texts, texts),
).map(lambda t: Compare(*t))
booleans: st.SearchStrategy[Node] = st.recursive(
    st.one_of(st.just(Var("collega_geraadpleegd")), st.booleans().map(Const), comparisons),
    lambda inner: st.one_of(
        inner.map(Not),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3))
        .map(lambda t: BoolOp(t[0], tuple(t[1]))),
    ),
    max_leaves=8,
)


def write(node: Node) -> str:
    if isinstance(node, Const):
        if isinstance(node.value, bool):
            return "true" if node.value else "false"
        return repr(node.value)
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Not):
        return f"not ({write(node.operand)})"
    if isinstance(node, BoolOp):
        return "(" + f" {node.op} ".join(write(o) for o in node.operands) + ")"
    return f"{write(node.left)} {node.op} {write(node.right)}"


def python_value(node: Node, env: dict) -> object:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Var):
        return env[node.name]
    if isinstance(node, Not):
        return not python_value(node.operand, env)
    if isinstance(node, BoolOp):
        values = [python_value(o, env) for o in node.operands]
        return all(values) if node.op == "and" else any(values)
    left, right = python_value(node.left, env), python_value(node.right, env)
    return {"==": left == right, "!=": left != right, "<": left < right if left is not None else None,
            "<=": left <= right, ">": left > right, ">=": left >= right}[node.op]


@given(booleans, st.integers(-5, 5), st.booleans(), st.sampled_from(["onbekend", "laag", "hoog"]))
def test_written_conditions_parse_and_evaluate_like_the_tree(node, signalen, collega, risico):
    env = {"signalen": signalen, "collega_geraadpleegd": collega, "risico": risico}
    condition: Condition = parse(write(node))
    check(condition, VARIABLES)
    assert condition.holds(env) is python_value(node, env)


# --- limits: long is fine, deep is not -------------------------------------------------------------

def flat(length: int) -> str:
    """A flat condition of exactly ``length`` characters: 'signalen > 0 or signalen > 1 or ...', padded."""
    parts, text = [], ""
    n = 0
    while len(text) + len(f" or signalen > {n}") < length - 12:
        parts.append(f"signalen > {n}")
        text = " or ".join(parts)
        n += 1
    return text.ljust(length)


def test_a_long_flat_condition_is_accepted():
    """500 characters of 'or' is long but not deep: it parses into one flat 'or' and evaluates."""
    text = flat(500)
    assert len(text) == 500
    condition = parse(text)
    check(condition, VARIABLES)
    assert isinstance(condition.tree, BoolOp) and len(condition.tree.operands) == 29
    assert condition.holds({**STATE, "signalen": 1}) is True
    assert condition.holds({**STATE, "signalen": -5}) is False
    with pytest.raises(ConditionError, match="longer than 500 characters"):
        parse(flat(501))


@pytest.mark.parametrize(("depth", "ok"), [(31, True), (32, True), (33, False), (100, False)])
def test_nesting_is_bounded_at_32_levels(depth, ok):
    """32 levels of 'not' or brackets are fine; one more is refused with a message, never a RecursionError."""
    for text in ("not " * depth + "collega_geraadpleegd", "(" * depth + "collega_geraadpleegd" + ")" * depth):
        if ok:
            condition = parse(text)
            check(condition, VARIABLES)
            assert condition.holds(STATE) is (depth % 2 == 0 if text.startswith("not") else True)
        else:
            with pytest.raises(ConditionError, match="nested more than 32 levels deep"):
                parse(text)


def test_depth_counts_nesting_not_length():
    """Brackets one after the other do not add up: depth is reset when a bracket closes."""
    text = " and ".join(["(" * 30 + "collega_geraadpleegd" + ")" * 30] * 3)
    assert parse(text).holds(STATE) is True
