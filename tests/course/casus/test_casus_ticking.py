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
    """The walk's compact states give back the variables they were made from; one nothing reads goes back to
    its start value, so runs that differ only there are one state."""
    from course.casus.ticking import _States
    states = _States({"a": 0, "b": False, "tally": 0}, frozenset({"a", "b"}))
    assert states.thaw(states.freeze({"a": 1, "b": True, "tally": 0})) == {"a": 1, "b": True, "tally": 0}
    assert states.freeze({"a": 1, "b": True, "tally": 0}) == states.freeze({"tally": 0, "b": True, "a": 1})
    assert states.freeze({"a": 1, "b": True, "tally": 0}) != states.freeze({"a": 2, "b": True, "tally": 0})
    assert states.freeze({"a": 1, "b": True, "tally": 4}) == states.freeze({"a": 1, "b": True, "tally": 7})
    assert states.thaw(states.freeze({"a": 1, "b": True, "tally": 4})) == {"a": 1, "b": True, "tally": 0}
    extra = {"a": 1, "b": True, "tally": 0, "c": 3}
    assert states.thaw(states.freeze(extra)) == extra
    one = _States({"a": 0}, frozenset({"a"}))
    assert one.thaw(one.freeze({"a": 5})) == {"a": 5}


def many_flags(flags: int, praise_when: str) -> str:
    """``flags`` choice steps that each set a flag nothing reads (2**flags runs), then a choice that steers
    by a flag, then the casus above; its praise for the signals is ``praise_when``."""
    variables = "".join(f"  f{n}: {{type: bool}}\n" for n in range(flags)) + "  route: {type: bool}\n"
    good = "judgement: aanbevolen, feedback: Goed."
    steps = "".join(
        f"  - id: keuze{n}\n    kind: choice\n    title: Keuze {n}\n    prompt: Ja of nee?\n    options:\n"
        f"      - {{id: ja, text: Ja, {good}, effects: {{f{n}: true}}, next: keuze{n + 1}}}\n"
        f"      - {{id: nee, text: Nee, {good}, effects: {{f{n}: false}}, next: keuze{n + 1}}}\n"
        for n in range(flags))
    steps += (f"  - id: keuze{flags}\n    kind: choice\n    title: Route\n    prompt: Welke kant?\n    options:\n"
              f"      - {{id: om, text: Om, {good}, effects: {{route: true}}, next: wissel}}\n"
              f"      - {{id: recht, text: Recht, {good}, next: wissel}}\n"
              "  - id: wissel\n    kind: info\n    title: Verder\n    text: Verder.\n    next:\n"
              "      - {when: route, goto: signalen}\n      - {goto: debrief}\n")
    text = CASUS.replace("start: signalen\n", "start: keuze0\n").replace("steps:\n", "steps:\n" + steps)
    text = text.replace("  valkuilen: {type: number}\n", "  valkuilen: {type: number}\n" + variables)
    return text.replace('"signalen >= 2 and afgeleid == 0"', praise_when)


def test_variables_nothing_reads_do_not_hide_a_remark_behind_the_state_limit(tmp_path):
    """2**15 ways to set flags nobody reads would be more states than the walk's limit: it would stop before
    ever reaching the debrief by the route that matters. They are one state each step, so the remark that
    ticking everything meets is found, only on the route a flag steers to (the flag is kept)."""
    casuses, errors = load(tmp_path, many_flags(15, '"signalen >= 2"'))
    assert casuses == ()
    assert len(errors) == 1 and "steps[" in errors[0] and "ticks every item" in errors[0]
    casuses, errors = load(tmp_path, many_flags(15, '"signalen >= 2 and afgeleid == 0"'))
    assert errors == [] and len(casuses) == 1
