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


# --- the exact message and column an author reads --------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("", "condition is empty (column 1)"),
    ("   ", "condition is empty (column 1)"),
    ("risico == 'hoog", "string is not closed (column 11)"),
    ('risico == "hoog', "string is not closed (column 11)"),
    ("risico.x", "'.' is not allowed: conditions have no attribute access (column 7)"),
    ("risico[0]", "'[' is not allowed: conditions have no indexing (column 7)"),
    ("risico ]", "']' is not allowed: conditions have no indexing (column 8)"),
    ("signalen = 3", "'=' is not a comparison: write '==' (column 10)"),
    ("a && b", "'&' is not allowed: write 'and', 'or', 'not', or '!=' (column 3)"),
    ("a | b", "'|' is not allowed: write 'and', 'or', 'not', or '!=' (column 3)"),
    ("!a", "'!' is not allowed: write 'and', 'or', 'not', or '!=' (column 1)"),
    ("signalen + 1", "unexpected character '+' (column 10)"),
    ("a\tb", "unexpected 'b' (column 3)"),
    ("1 < signalen < 5", "comparisons cannot be chained: use 'and' (column 14)"),
    ("(a or b", "expected ')' but found the end of the condition (column 8)"),
    ("(a or b c", "expected ')' but found 'c' (column 9)"),
    ("a)", "unexpected ')' (column 2)"),
    ("a or", "expected a value but found the end of the condition (column 5)"),
    ("signalen >=   ", "expected a value but found the end of the condition (column 15)"),
    ("a == )", "expected a value but found ')' (column 6)"),
    ("or a", "'or' needs a value before it (column 1)"),
    ("a and and b", "'and' needs a value before it (column 7)"),
    ("a == not", "'not' needs a value before it (column 6)"),
    ("len (risico)", "'len(': function calls are not allowed (column 5)"),
    ("x" * 501, "condition is longer than 500 characters"),
    ("(" * 33 + "a" + ")" * 33, "condition is nested more than 32 levels deep (column 34)"),
    ("a and " + "not " * 33 + "a", "condition is nested more than 32 levels deep (column 139)"),
])
def test_a_refused_condition_says_what_and_where(text, expected):
    with pytest.raises(ConditionError) as info:
        parse(text)
    assert str(info.value) == expected


@pytest.mark.parametrize(("text", "variables", "expected"), [
    ("onbekend", VARIABLES, "unknown variable 'onbekend' (variables: collega_geraadpleegd, risico, signalen) "
                            "(column 1)"),
    ("true and x", {}, "unknown variable 'x' (variables: none declared) (column 10)"),
    ("signalen", VARIABLES, "a condition must be true or false, but this gives a number"),
    ("'hoog'", VARIABLES, "a condition must be true or false, but this gives a text"),
    ("not signalen", VARIABLES, "'not' needs a true/false value"),
    ("collega_geraadpleegd or risico", VARIABLES, "'or' needs true/false values on both sides"),
    ("risico and true", VARIABLES, "'and' needs true/false values on both sides"),
    ("true and signalen == 'drie'", VARIABLES, "cannot compare a number with a text (column 19)"),
    ("risico <= 'laag'", VARIABLES, "'<=' compares numbers only (column 8)"),
    ("true != collega_geraadpleegd and true < false", VARIABLES, "'<' compares numbers only (column 39)"),
    ("signalen > 1 and risico == 'middel'", VARIABLES,
     "'middel' is not a value of 'risico' (values: onbekend, laag, hoog) (column 25)"),
    ("'middel' != risico", VARIABLES, "'middel' is not a value of 'risico' (values: onbekend, laag, hoog) (column 10)"),
])
def test_a_condition_that_does_not_fit_the_variables_says_why(text, variables, expected):
    with pytest.raises(ConditionError) as info:
        check(parse(text), variables)
    assert str(info.value) == expected


def test_a_free_text_variable_takes_any_text():
    check(parse("naam == 'Esra'"), {"naam": VariableType("text")})


def test_a_condition_must_be_text():
    with pytest.raises(ConditionError) as info:
        parse(3)  # type: ignore[arg-type]
    assert str(info.value) == "a condition must be text, e.g. \"collega_geraadpleegd and risico == 'hoog'\""


def test_an_error_shows_its_message_and_column():
    """In a log or a test failure (repr) the column is there too, as it is in the message an author reads."""
    assert (str(ConditionError("y")), repr(ConditionError("y"))) == ("y", "ConditionError('y', None)")
    error = ConditionError("x", 3)
    assert (str(error), repr(error), error.message, error.column) == ("x (column 3)", "ConditionError('x', 3)", "x", 3)


def test_a_condition_keeps_its_text_and_names_its_variables():
    condition = parse("not collega_geraadpleegd and (risico == 'hoog' or 3 < signalen) or extra")
    assert condition.source == "not collega_geraadpleegd and (risico == 'hoog' or 3 < signalen) or extra"
    assert condition.variables == {"collega_geraadpleegd", "risico", "signalen", "extra"}
    assert parse("true").variables == frozenset()


def test_literals_keep_their_value_and_type():
    assert parse("'' == x").tree == Compare("==", Const(""), Var("x", 7), 4)
    assert parse("x == \"a b\"").tree.right == Const("a b")
    assert parse("x < 2.50").tree.right == Const(2.5)
    compared = parse("x == 12345678901234567891")
    assert type(compared.tree.right.value) is int
    # Whole numbers are compared exactly, however large (as floats these two would be equal).
    assert compared.holds({"x": 12345678901234567890}) is False
    assert compared.holds({"x": 12345678901234567891}) is True


def test_nesting_is_counted_back_down_when_a_bracket_closes():
    """Inside 20 levels, a closed bracket leaves 20: thirteen more is one too many."""
    inner = "(a) and " + "(" * 13 + "a" + ")" * 13
    with pytest.raises(ConditionError, match="nested more than 32 levels"):
        parse("(" * 20 + inner + ")" * 20)
    assert parse("(" * 19 + inner + ")" * 19).holds({"a": True}) is True


@pytest.mark.parametrize(("text", "variables"), [
    ("x < 1", {"x": "b"}),
    ("1 >= x", {"x": "b"}),
    ("x >= 0", {"x": True}),
    ("1 > x", {"x": False}),
    ("x <= y", {"x": "a", "y": "b"}),
])
def test_ordering_a_run_value_that_is_not_a_number_never_holds(text, variables):
    """The checker refuses it at load; should a run still hold such a value, the condition is false, not
    Python's True >= 0 or 'a' <= 'b'."""
    assert parse(text).holds(variables) is False
