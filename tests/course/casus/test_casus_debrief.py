"""The debrief: my path beside the recommended path, with the framework and the remarks that apply."""

from __future__ import annotations

import pytest
from casus_builders import oefencasus

from course.casus.debrief import debrief
from course.casus.engine import advance, start
from course.errors import DomainError


def run(*options: str):
    """Run the oefencasus choosing ``options`` at the fork 'overleg' (loops back after 'wachten')."""
    casus = oefencasus()
    state, _ = advance(casus, start(casus), "verwijzing", {})
    state, _ = advance(casus, state, "signalen", {"item": ["moe"]})
    for option in options:
        state, _ = advance(casus, state, "overleg", {"option": [option]})
        if option == "wachten":
            state, _ = advance(casus, state, "nog-eens", {})
    state, _ = advance(casus, state, "kies-vervolg", {})
    if state.current == "eigen-rol":
        state, _ = advance(casus, state, "eigen-rol", {"answer": ["Ik werk in de wijk."]})
    state, _ = advance(casus, state, "checklist", {"criterion": ["concreet"]})
    state, _ = advance(casus, state, "plan", {"field-zorgen": ["Vader slaat."], "field-wie": ["Ik bel."]})
    return casus, state


def test_the_recommended_path_shows_each_fork_with_its_framework_and_reasoning():
    casus, state = run("collega")
    report = debrief(casus, state)
    (fork,) = report.forks
    assert fork.chosen.id == "collega" and fork.followed_recommendation
    assert [o.id for o in fork.recommended] == ["collega"]
    assert (fork.meldcode_step, fork.afweging) == (2, 1)
    assert "stap 2" in fork.chosen.feedback_html
    assert report.remarks == ()  # a colleague was consulted and only one signal was found
    assert report.recommended_count == 1
    assert [v.name for v, _ in report.variables] == ["signalen", "collega_geraadpleegd", "risico"]


def test_a_risky_path_sits_beside_the_recommended_one_and_triggers_remarks():
    casus, state = run("wachten", "afsluiten")
    report = debrief(casus, state)
    assert [(f.chosen.id, f.chosen.judgement) for f in report.forks] == [
        ("wachten", "verdedigbaar"), ("afsluiten", "riskant")]
    assert all(f.recommended[0].id == "collega" for f in report.forks)
    assert report.remarks == ("<p>Je hebt besloten zonder een collega te raadplegen.</p>\n",)
    assert report.recommended_count == 0


def test_the_path_lists_every_answered_step_with_its_feedback():
    casus, state = run("collega")
    steps = [entry.step.id for entry in debrief(casus, state).path]
    assert steps == ["verwijzing", "signalen", "overleg", "kies-vervolg", "eigen-rol", "checklist", "plan"]
    plan = debrief(casus, state).path[-1].feedback
    assert [text for _, text in plan.entries] == ["Vader slaat.", "Ik bel."]


def test_no_debrief_before_the_end():
    casus = oefencasus()
    with pytest.raises(DomainError, match="pas aan het eind"):
        debrief(casus, start(casus))
