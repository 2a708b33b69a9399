"""Conversation steps: the other person answers according to the learner's line and the run so far."""

from __future__ import annotations

from pathlib import Path

import pytest
from casus_builders import FIXTURES, load_dir

from course.casus import engine
from course.casus.debrief import debrief
from course.casus.kinds import ConversationFeedback, ConversationStep, InputError
from course.errors import DomainError

SOURCE = FIXTURES / "conversation" / "gesprek.yaml"


def gesprek():
    (casus,), errors = load_dir(FIXTURES / "conversation")
    assert errors == []
    return casus


def play(casus, *options: str):
    state = engine.start(casus)
    feedback = []
    for option in options:
        state, fb = engine.advance(casus, state, state.current, {"option": [option]})
        feedback.append(fb)
    return state, feedback


def test_a_conversation_loads_with_its_speaker_lines_and_options():
    casus = gesprek()
    opening = casus.step("opening")
    assert isinstance(opening, ConversationStep) and opening.speaker == "Moeder van Sam"
    opening_line = opening.says_for(casus.initial_variables()).strip()
    assert opening_line == "<p>Waarom wilde u mij spreken? Is er iets met Sam?</p>"
    assert [o.id for o in opening.recommended] == ["zorg-benoemen"] and opening.meldcode_step == 3


def test_the_reply_follows_the_line_the_learner_chose():
    casus = gesprek()
    _, (good,) = play(casus, "zorg-benoemen")
    _, (bad,) = play(casus, "beschuldigen")
    assert isinstance(good, ConversationFeedback) and good.followed_recommendation
    assert "slaapt slecht" in good.reply_html and "Ik ga nu weg" in bad.reply_html
    assert not bad.followed_recommendation and [o.id for o in bad.recommended] == ["zorg-benoemen"]


def test_the_reply_and_the_opening_line_follow_the_state_so_far():
    """The same question gets an answer only from a mother who was approached with care."""
    casus = gesprek()
    state, (_, trusting) = play(casus, "zorg-benoemen", "open-vraag")
    assert "Mijn man drinkt weer" in trusting.reply_html and state.variables["vertrouwen"] == 2
    state, (_, closed) = play(casus, "beschuldigen", "open-vraag")
    assert "Dat gaat u niets aan" in closed.reply_html and state.variables["vertrouwen"] == 0
    after_accusation, _ = play(casus, "beschuldigen")
    step = casus.step("doorvragen")
    assert "jas aan" in step.says_for(after_accusation.variables)
    assert "afwachtend" in step.says_for(play(casus, "zorg-benoemen")[0].variables)


def test_the_reply_heard_is_stored_and_shown_again_from_the_stored_run():
    casus = gesprek()
    state, _ = play(casus, "zorg-benoemen", "open-vraag")
    restored = engine.RunState.from_json(casus, state.to_json(casus))
    assert restored == state
    step, feedback = engine.last_feedback(casus, restored)
    assert step.id == "doorvragen" and "Mijn man drinkt weer" in feedback.reply_html
    assert engine.recorded_ids(casus, restored.path[-1]) == ("open-vraag",)


def test_the_debrief_puts_every_exchange_beside_the_recommended_line():
    casus = gesprek()
    state, _ = play(casus, "beschuldigen", "gesloten-vraag")
    result = debrief(casus, state)
    assert [(f.step.id, f.chosen.id, f.followed_recommendation) for f in result.forks] == [
        ("opening", "beschuldigen", False), ("doorvragen", "gesloten-vraag", False)]
    assert result.recommended_count == 0 and result.remarks == ()


def test_saying_nothing_is_a_correctable_error_and_a_forged_line_is_refused():
    casus = gesprek()
    state = engine.start(casus)
    with pytest.raises(InputError):
        engine.advance(casus, state, "opening", {})
    with pytest.raises(DomainError):
        engine.advance(casus, state, "opening", {"option": ["bestaat-niet"]})


@pytest.mark.parametrize("stored", [
    {"option": "zorg-benoemen", "reply": "7"}, {"option": "weg", "reply": "0"}, "zorg-benoemen", {"option": 1}])
def test_a_stored_answer_that_no_longer_fits_is_refused(stored):
    casus = gesprek()
    data = engine.start(casus).to_json(casus)
    data["path"] = [{"step": "opening", "answer": stored}]
    with pytest.raises(DomainError):
        engine.RunState.from_json(casus, data)


@pytest.mark.parametrize(("find", "replace", "expected"), [
    ("judgement: aanbevolen\n        feedback: Je benoemt", "judgement: verdedigbaar\n        feedback: Je benoemt",
     "gesprek.yaml:18: steps[0].options: at least one option must be 'aanbevolen'"),
    ('      - when: "vertrouwen >= 2"', '      - when: "vertrouen >= 2"',
     "gesprek.yaml:50: steps[1].options[0].reply[0].when: condition 'vertrouen >= 2': unknown variable"),
    ("          - text: Dat gaat u niets aan.",
     "          - when: \"vertrouwen > 5\"\n            text: Dat gaat u niets aan.",
     "gesprek.yaml:52: steps[1].options[0].reply[1].when: the last line must have no 'when'"),
    ('      - when: "vertrouwen < 0"\n', "      - text: Goedemiddag.\n      - when: \"vertrouwen < 0\"\n",
     "gesprek.yaml:39: steps[1].says[0]: only the last line may leave out 'when'"),
    ("        next: doorvragen\n      - id: beschuldigen", "        next: doorvraag\n      - id: beschuldigen",
     "gesprek.yaml:25: steps[0].options[0].next: no step 'doorvraag' (did you mean 'doorvragen'?)"),
    ("        reply: Nee. Nee, natuurlijk niet.\n", "",
     "gesprek.yaml:54: steps[1].options[1]: missing required key 'reply'"),
    ("    speaker: Moeder van Sam\n    says: Waarom", "    says: Waarom",
     "gesprek.yaml:12: steps[0]: missing required key 'speaker'"),
])
def test_mistakes_in_a_conversation_are_reported_at_their_line(tmp_path: Path, find, replace, expected):
    source = SOURCE.read_text(encoding="utf-8")
    assert find in source
    (tmp_path / "gesprek.yaml").write_text(source.replace(find, replace, 1), encoding="utf-8")
    casuses, errors = load_dir(tmp_path)
    assert casuses == ()
    assert [e for e in errors if expected in e], errors
