"""Wrong ticks count: ticking every item costs something, and no debrief praises it."""

from __future__ import annotations

from pathlib import Path

import pytest
from casus_builders import load_dir

from course.casus import engine
from course.casus.debrief import debrief

CASUS = """\
id: tikken
title: Signalen
module: meldcode
summary: Welke signalen zie je?
minutes: 5
intro: Daan (9) is onrustig.
variables:
  signalen: {type: number}
  afgeleid: {type: number}
  gepland: {type: number}
  valkuilen: {type: number}
start: signalen
steps:
  - id: signalen
    kind: multi_select
    title: Signalen
    prompt: Welke zijn signalen?
    items:
      - {id: blauw, text: Blauwe plekken, correct: true, feedback: Ja.}
      - {id: bang, text: Bang om naar huis te gaan, correct: true, feedback: Ja.}
      - {id: lastig, text: 'Daan is een lastig kind, dus streng zijn is begrijpelijk', correct: false, feedback: Nee.}
    effects: {signalen: "+= correct", afgeleid: "+= wrong"}
    next: plan
  - id: plan
    kind: checklist
    title: Je plan
    prompt: Waar voldoet je plan aan?
    criteria:
      - {id: concreet, text: Concreet gedrag, feedback: Goed.}
      - {id: kind-controleert, text: Daan controleert zelf of het plan werkt, correct: false, feedback: Nee.}
    effects: {gepland: "+= correct", valkuilen: "+= wrong"}
    next: debrief
  - id: debrief
    kind: debrief
    title: Nabespreking
    text: Zo ging het.
    remarks:
      - when: "signalen >= 2 and afgeleid == 0"
        text: Je liet je niet afleiden.
      - when: "afgeleid > 0"
        text: Je koos ook iets wat geen signaal is.
      - when: "gepland >= 1 and valkuilen == 0"
        text: Je plan is concreet en legt geen taak bij Daan.
"""


def load(tmp_path: Path, text: str = CASUS):
    (tmp_path / "tikken.yaml").write_text(text, encoding="utf-8")
    return load_dir(tmp_path)


def run(casus, items: list[str], criteria: list[str]):
    state = engine.start(casus)
    state, _ = engine.advance(casus, state, "signalen", {"item": items})
    state, feedback = engine.advance(casus, state, "plan", {"criterion": criteria})
    return state, feedback


def test_ticking_everything_counts_the_wrong_ticks_and_earns_no_praise(tmp_path):
    (casus,), errors = load(tmp_path)
    assert errors == []
    state, checklist = run(casus, ["blauw", "bang", "lastig"], ["concreet", "kind-controleert"])
    assert dict(state.variables) == {"signalen": 2, "afgeleid": 1, "gepland": 1, "valkuilen": 1}
    assert checklist.wrongly_ticked == 1 and checklist.has_pitfalls
    remarks = debrief(casus, state).remarks
    assert remarks == ("<p>Je koos ook iets wat geen signaal is.</p>\n",)


def test_ticking_exactly_the_right_items_earns_the_praise(tmp_path):
    (casus,), _ = load(tmp_path)
    state, _ = run(casus, ["blauw", "bang"], ["concreet"])
    assert [r.strip() for r in debrief(casus, state).remarks] == [
        "<p>Je liet je niet afleiden.</p>", "<p>Je plan is concreet en legt geen taak bij Daan.</p>"]


@pytest.mark.parametrize(("find", "replace", "line"), [
    ('"signalen >= 2 and afgeleid == 0"', '"signalen >= 2"', 38),
    ('"gepland >= 1 and valkuilen == 0"', '"gepland >= 1"', 42),
    ('"signalen >= 2 and afgeleid == 0"', '"signalen >= 2 or afgeleid == 0"', 38),
])
def test_a_remark_that_ticking_everything_meets_is_reported_at_its_line(tmp_path, find, replace, line):
    """The review's case: "liet je niet afleiden" for a learner who ticked everything, the wrong one too."""
    casuses, errors = load(tmp_path, CASUS.replace(find, replace))
    assert casuses == ()
    assert len(errors) == 1 and errors[0].startswith(f"tikken.yaml:{line}: steps[2].remarks[")
    assert "ticks every item" in errors[0] and "'+= wrong'" in errors[0]


def test_remarks_about_other_decisions_or_about_wrong_ticks_are_not_reported(tmp_path):
    text = CASUS.replace("  valkuilen: {type: number}\n", "  valkuilen: {type: number}\n  gemeld: {type: bool}\n")
    text += "      - when: \"not gemeld\"\n        text: Je meldde niet.\n"
    casuses, errors = load(tmp_path, text)
    assert errors == [] and len(casuses) == 1


def test_a_step_without_wrong_items_is_a_plain_count(tmp_path):
    """When every item should be ticked, ticking all is simply right: nothing to report."""
    text = CASUS.replace("correct: false, feedback: Nee.}\n    effects: {signalen", "correct: true, feedback: Ja.}\n"
                         "    effects: {signalen").replace('"signalen >= 2 and afgeleid == 0"', '"signalen >= 3"')
    casuses, errors = load(tmp_path, text)
    assert errors == [] and len(casuses) == 1


def test_states_of_the_walk_round_trip_also_with_a_variable_the_casus_does_not_declare():
    """The walk's compact states give back exactly the variables they were made from."""
    from course.casus.ticking import _States
    states = _States(("a", "b"))
    assert states.thaw(states.freeze({"a": 1, "b": True})) == {"a": 1, "b": True}
    assert states.freeze({"a": 1, "b": True}) == states.freeze({"b": True, "a": 1})
    assert states.freeze({"a": 1, "b": True}) != states.freeze({"a": 2, "b": True})
    extra = {"a": 1, "b": True, "c": 3}
    assert states.thaw(states.freeze(extra)) == extra
    assert _States(("a",)).thaw(_States(("a",)).freeze({"a": 5})) == {"a": 5}
