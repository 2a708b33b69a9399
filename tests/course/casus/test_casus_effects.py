"""Effects of a decision on the run's variables, and the exact message an author gets for a wrong one."""

from __future__ import annotations

import pytest

from course.casus.effects import EffectError, apply_effects, parse_effect
from course.casus.model import Effect, Variable

VARS = {
    "n": Variable("n", "number", 0),
    "b": Variable("b", "bool", False),
    "r": Variable("r", "choice", "laag", values=("laag", "hoog")),
}


@pytest.mark.parametrize(("name", "raw", "allow_correct", "message"), [
    ("x", 1, True, "unknown variable 'x' (variables: b, n, r)"),
    ("n", "+= veel", True, "'+= veel': the amount must be a number, e.g. \"+= 1\""),
    ("n", "* 2", True, "'* 2': write a number, \"+= 1\" or \"-= 1\""),
    ("n", True, True, "True is not a valid value for 'n' (a number, \"+= 1\" or \"-= 1\")"),
    ("n", "+= correct", False, "'+= correct' only works on a multi_select or checklist step"),
    ("n", "-= wrong", False, "'+= wrong' only works on a multi_select or checklist step"),
    ("b", "ja", True, "'ja' is not a valid value for 'b' (true or false)"),
    ("b", 1, True, "1 is not a valid value for 'b' (true or false)"),
    ("r", "middel", True, "'middel' is not a valid value for 'r' (one of: laag, hoog)"),
])
def test_an_effect_that_does_not_fit_says_exactly_why(name, raw, allow_correct, message):
    with pytest.raises(EffectError) as caught:
        parse_effect(name, raw, VARS, allow_correct=allow_correct)
    assert str(caught.value) == message


def test_unknown_variable_when_none_are_declared():
    with pytest.raises(EffectError) as caught:
        parse_effect("x", 1, {}, allow_correct=False)
    assert str(caught.value) == "unknown variable 'x' (variables: none declared)"


@pytest.mark.parametrize(("name", "raw", "effect"), [
    ("n", 3, Effect("n", "set", 3)),
    ("n", 2.5, Effect("n", "set", 2.5)),
    ("n", " += 2 ", Effect("n", "add", 2, 1)),
    ("n", "-=3", Effect("n", "add", 3, -1)),
    ("n", "+= 0.5", Effect("n", "add", 0.5, 1)),
    ("n", "+=  correct", Effect("n", "add", "correct")),
    ("n", "-= correct", Effect("n", "add", "correct", -1)),
    ("n", "-= wrong", Effect("n", "add", "wrong", -1)),
    ("b", True, Effect("b", "set", True)),
    ("r", "hoog", Effect("r", "set", "hoog")),
])
def test_effects_parse_into_what_they_do(name, raw, effect):
    assert parse_effect(name, raw, VARS, allow_correct=True) == effect


def test_effects_apply_in_order_to_a_copy():
    before = {"n": 1, "b": False, "r": "laag"}
    effects = [Effect("n", "add", 2, 1), Effect("b", "set", True), Effect("n", "add", 0.5, -1),
               Effect("n", "add", "correct"), Effect("r", "set", "hoog"), Effect("n", "add", "wrong", -1)]
    assert apply_effects(effects, before, correct=3, wrong=2) == {"n": 3.5, "b": True, "r": "hoog"}
    assert before == {"n": 1, "b": False, "r": "laag"}
    assert apply_effects([Effect("n", "add", "correct"), Effect("n", "add", "wrong")], {"n": 1}) == {"n": 1}
    assert apply_effects([], before) == before


@pytest.mark.parametrize(("raw", "amount"), [("+= 2", 2), ("-= 12345678901234567891", 12345678901234567891),
                                             ("+= 0.25", 0.25)])
def test_a_whole_amount_stays_a_whole_number(raw, amount):
    """'+= 2' adds the whole number 2 (exactly, however large), so a counter never turns into 3.0."""
    effect = parse_effect("n", raw, VARS, allow_correct=False)
    assert effect.value == amount and type(effect.value) is type(amount)
    after = apply_effects([effect], {"n": 1})["n"]
    assert type(after) is type(amount) and after == 1 + effect.sign * amount


@pytest.mark.parametrize(("effect", "message"), [
    (Effect("r", "add", 1), "cannot add 1 to r = 'laag'"),
    (Effect("n", "add", "veel"), "cannot add 'veel' to n = 1"),
])
def test_adding_what_is_not_a_number_is_refused(effect, message):
    """parse_effect never builds these; one built by hand is refused by name, never 'laag' + 1 or 1 + 'veel'."""
    with pytest.raises(TypeError, match=f"^{message}$"):
        apply_effects([effect], {"n": 1, "r": "laag"})
