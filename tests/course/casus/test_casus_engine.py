"""Running a casus: transitions, effects, refusals of forged or stale input, and storing the state."""

from __future__ import annotations

import json
from types import MappingProxyType

import pytest
from casus_builders import oefencasus

from course.casus.effects import EffectError, apply_effects, parse_effect
from course.casus.engine import (
    Decision,
    RunState,
    StepNotCurrent,
    advance,
    is_complete,
    last_feedback,
    recorded_ids,
    start,
)
from course.casus.kinds import ChoiceFeedback, MultiSelectFeedback, PlanFeedback, ReflectionFeedback
from course.casus.kinds.base import MAX_TEXT_LENGTH
from course.casus.model import Variable
from course.errors import DomainError


def walk(*answers):
    """Advance the oefencasus from the start through (step id, posted values) pairs."""
    casus = oefencasus()
    state = start(casus)
    feedback = None
    for step_id, raw in answers:
        state, feedback = advance(casus, state, step_id, raw)
    return state, feedback


INTRO = [("verwijzing", {}), ("signalen", {"item": ["moe", "slaan", "voetbal"]})]


def test_a_fresh_run_starts_at_the_start_step_with_initial_variables():
    state = start(oefencasus())
    assert state.current == "verwijzing" and state.path == ()
    assert dict(state.variables) == {"signalen": 0, "collega_geraadpleegd": False, "risico": "onbekend",
                                     "pogingen": 0, "afgeleid": 0}


def test_multi_select_adds_the_number_of_correctly_selected_items():
    state, feedback = walk(*INTRO)
    assert state.current == "overleg" and state.variables["signalen"] == 2
    assert isinstance(feedback, MultiSelectFeedback)
    assert (feedback.correct_selected, feedback.correct_total, feedback.wrongly_selected) == (2, 2, 1)
    assert [r.right for r in feedback.results] == [True, True, False]


def test_the_recommended_choice_sets_variables_and_the_conditional_next_follows_them():
    state, _ = walk(*INTRO, ("overleg", {"option": ["collega"]}), ("kies-vervolg", {}))
    assert state.variables["collega_geraadpleegd"] is True and state.variables["risico"] == "hoog"
    assert state.current == "eigen-rol"


def test_a_risky_choice_takes_the_other_branch():
    state, feedback = walk(*INTRO, ("overleg", {"option": ["afsluiten"]}))
    assert isinstance(feedback, ChoiceFeedback) and not feedback.followed_recommendation
    assert [o.id for o in feedback.recommended] == ["collega"]
    state, _ = advance(oefencasus(), state, "kies-vervolg", {})
    assert state.current == "checklist" and state.variables["risico"] == "laag"


def test_waiting_loops_back_to_the_revisit_step_and_counts():
    state, _ = walk(*INTRO, ("overleg", {"option": ["wachten"]}), ("nog-eens", {}),
                    ("overleg", {"option": ["wachten"]}), ("nog-eens", {}))
    assert state.current == "overleg" and state.variables["pogingen"] == 2
    assert [d.step for d in state.path].count("overleg") == 2


def test_reflection_checklist_and_plan_keep_the_learners_words():
    state, feedback = walk(*INTRO, ("overleg", {"option": ["collega"]}), ("kies-vervolg", {}),
                           ("eigen-rol", {"answer": ["  Ik werk aan het begin.\r\nEn ik overleg.  "]}))
    assert isinstance(feedback, ReflectionFeedback) and feedback.answer == "Ik werk aan het begin.\nEn ik overleg."
    state, feedback = advance(oefencasus(), state, "checklist", {"criterion": ["kind-gehoord"]})
    assert [met for _, met in feedback.results] == [False, True]
    state, feedback = advance(oefencasus(), state, "plan", {"field-zorgen": ["<b>Slaan</b>"], "field-wie": [""]})
    assert isinstance(feedback, PlanFeedback) and [t for _, t in feedback.entries] == ["<b>Slaan</b>", ""]
    assert state.current == "debrief" and is_complete(oefencasus(), state)


@pytest.mark.parametrize(("step_id", "raw", "message"), [
    ("overleg", {"option": ["bestaat-niet"]}, "Deze keuze bestaat niet"),
    ("overleg", {"option": ["collega", "wachten"]}, "meer dan één waarde"),
    ("overleg", {}, "Kies een van de mogelijkheden"),
    ("bestaat-niet", {}, "Deze stap bestaat niet"),
])
def test_forged_or_missing_input_is_refused(step_id, raw, message):
    casus = oefencasus()
    state, _ = walk(*INTRO)
    with pytest.raises(DomainError, match=message):
        advance(casus, state, step_id, raw)


def test_answering_a_step_that_is_not_current_is_refused_without_changing_the_state():
    casus = oefencasus()
    state, _ = walk(*INTRO)
    before = state.to_json(casus)
    with pytest.raises(StepNotCurrent):
        advance(casus, state, "signalen", {"item": ["moe"]})
    with pytest.raises(StepNotCurrent):
        advance(casus, state, "plan", {"field-zorgen": ["x"]})
    assert state.to_json(casus) == before


@pytest.mark.parametrize(("step_id", "raw", "message"), [
    ("signalen", {"item": ["moe", "bestaat-niet"]}, "onbekende of dubbele keuze"),
    ("signalen", {"item": ["moe", "moe"]}, "onbekende of dubbele keuze"),
])
def test_unknown_or_repeated_item_ids_are_refused(step_id, raw, message):
    casus = oefencasus()
    with pytest.raises(DomainError, match=message):
        advance(casus, advance(casus, start(casus), "verwijzing", {})[0], step_id, raw)


def reach_free_text_steps():
    state, _ = walk(*INTRO, ("overleg", {"option": ["collega"]}), ("kies-vervolg", {}))
    return oefencasus(), state


def test_an_empty_or_oversized_reflection_is_refused_with_the_field_named():
    casus, state = reach_free_text_steps()
    with pytest.raises(DomainError) as info:
        advance(casus, state, "eigen-rol", {"answer": ["   "]})
    assert info.value.field == "answer"
    with pytest.raises(DomainError, match="te lang") as info:
        advance(casus, state, "eigen-rol", {"answer": ["x" * (MAX_TEXT_LENGTH + 1)]})
    assert info.value.field == "answer"
    assert str(MAX_TEXT_LENGTH) in info.value.message  # the fixed, translatable message names the limit
    assert advance(casus, state, "eigen-rol", {"answer": ["x" * MAX_TEXT_LENGTH]})[0].current == "checklist"


def test_a_plan_needs_some_text_and_refuses_unknown_fields():
    casus, state = reach_free_text_steps()
    state, _ = advance(casus, state, "eigen-rol", {"answer": ["ok"]})
    state, _ = advance(casus, state, "checklist", {})
    with pytest.raises(DomainError, match="minstens één"):
        advance(casus, state, "plan", {"field-zorgen": [""]})
    with pytest.raises(DomainError, match="onbekend onderdeel"):
        advance(casus, state, "plan", {"field-zorgen": ["x"], "field-geheim": ["y"]})
    with pytest.raises(DomainError, match="te lang") as info:
        advance(casus, state, "plan", {"field-wie": ["x" * (MAX_TEXT_LENGTH + 1)]})
    assert info.value.field == "field-wie"


def test_a_finished_run_accepts_no_more_answers():
    casus = oefencasus()
    state, _ = walk(*INTRO, ("overleg", {"option": ["afsluiten"]}), ("kies-vervolg", {}), ("checklist", {}),
                    ("plan", {"field-zorgen": ["x"]}))
    assert is_complete(casus, state)
    with pytest.raises(DomainError, match="afgerond"):
        advance(casus, state, "debrief", {})


def test_the_state_survives_a_json_round_trip():
    casus = oefencasus()
    state, _ = walk(*INTRO, ("overleg", {"option": ["collega"]}), ("kies-vervolg", {}),
                    ("eigen-rol", {"answer": ["Mijn antwoord"]}), ("checklist", {"criterion": ["concreet"]}),
                    ("plan", {"field-zorgen": ["Zorg"]}))
    data = json.loads(json.dumps(state.to_json(casus)))
    again = RunState.from_json(casus, data)
    assert again.current == state.current and dict(again.variables) == dict(state.variables)
    assert [(d.step, d.answer if not isinstance(d.answer, MappingProxyType) else dict(d.answer))
            for d in again.path] == [
        ("verwijzing", None), ("signalen", ("moe", "slaan", "voetbal")), ("overleg", "collega"),
        ("kies-vervolg", None), ("eigen-rol", "Mijn antwoord"), ("checklist", ("concreet",)),
        ("plan", {"zorgen": "Zorg", "wie": ""})]


@pytest.mark.parametrize("data", [
    None, [], {"version": 2}, {"version": 1, "current": "weg", "variables": {}, "path": []},
    {"version": 1, "current": "overleg", "variables": {}, "path": [{"step": "overleg", "answer": "weg"}]},
    {"version": 1, "current": "overleg", "variables": {}, "path": [{"step": "signalen", "answer": "moe"}]},
    {"version": 1, "current": "overleg", "variables": {}, "path": [{"step": "plan", "answer": {"x": "y"}}]},
    {"version": 1, "current": "overleg", "variables": {}, "path": ["overleg"]},
])
def test_a_stored_state_that_no_longer_fits_the_casus_is_a_domain_error(data):
    with pytest.raises(DomainError):
        RunState.from_json(oefencasus(), data)


def test_stored_variables_of_the_wrong_type_fall_back_to_their_initial_value():
    data = {"version": 1, "current": "overleg", "path": [],
            "variables": {"signalen": "veel", "risico": "hoog", "weg": 1}}
    state = RunState.from_json(oefencasus(), data)
    assert dict(state.variables) == {"signalen": 0, "collega_geraadpleegd": False, "risico": "hoog",
                                     "pogingen": 0, "afgeleid": 0}


def test_recorded_ids_never_contain_free_text():
    casus = oefencasus()
    assert recorded_ids(casus, Decision("overleg", "collega")) == ("collega",)
    assert recorded_ids(casus, Decision("signalen", ("moe",))) == ("moe",)
    assert recorded_ids(casus, Decision("eigen-rol", "mijn geheime gedachte")) == ()
    assert recorded_ids(casus, Decision("plan", MappingProxyType({"zorgen": "geheim"}))) == ()


def test_last_feedback_repeats_what_the_learner_saw():
    casus = oefencasus()
    assert last_feedback(casus, start(casus)) is None
    state, feedback = walk(*INTRO, ("overleg", {"option": ["wachten"]}))
    step, again = last_feedback(casus, state)
    assert step.id == "overleg" and again == feedback


VARS = {
    "n": Variable("n", "number", 0),
    "b": Variable("b", "bool", False),
    "r": Variable("r", "choice", "laag", values=("laag", "hoog")),
}


@pytest.mark.parametrize(("raw", "before", "after"), [
    (3, 1, 3), ("+= 2", 1, 3), ("-= 1", 1, 0), ("+=1.5", 1, 2.5), ("+= correct", 1, 5), ("+= wrong", 1, 3),
    ("-= wrong", 1, -1), ("-= correct", 1, -3),
])
def test_number_effects(raw, before, after):
    effect = parse_effect("n", raw, VARS, allow_correct=True)
    assert apply_effects([effect], {"n": before}, correct=4, wrong=2) == {"n": after}


@pytest.mark.parametrize(("name", "raw", "message"), [
    ("x", 1, "unknown variable 'x'"),
    ("n", "+= veel", "the amount must be a number"),
    ("n", "* 2", "write a number"),
    ("n", True, "not a valid value"),
    ("n", "+= correct", "only works on a multi_select or checklist step"),
    ("n", "-= wrong", "only works on a multi_select or checklist step"),
    ("b", "ja", "true or false"),
    ("r", "middel", "one of: laag, hoog"),
])
def test_effects_that_do_not_fit_their_variable_are_refused(name, raw, message):
    with pytest.raises(EffectError, match=message):
        parse_effect(name, raw, VARS, allow_correct=False)
