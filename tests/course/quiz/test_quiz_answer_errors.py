"""What a learner reads when an answer cannot be taken, and at which question; the registry; paper look-ups."""

from __future__ import annotations

from fractions import Fraction

import pytest
from quiz_builders import make_question, make_quiz

from course.quiz import AnswerError, MalformedAnswer, correctable_error, parse_form
from course.quiz.grading import Grade, ItemFeedback
from course.quiz.paper import Paper, draw_paper
from course.quiz.types import QUESTION_TYPES
from course.quiz.types.base import register, type_name
from course.quiz.types.categorise import CategoriseAnswer
from course.quiz.types.choice import ChoiceAnswer, SingleChoice, TrueFalseAnswer

KINDS = sorted(QUESTION_TYPES)
ORDER = {"een": ["1"], "twee": ["2"], "drie": ["3"], "vier": ["4"]}

# kind, raw answer, error class, the exact message the learner reads
ERRORS = [
    ("single_choice", {"": ["a", "b"]}, MalformedAnswer, "Geef één antwoord."),
    ("single_choice", {"": ["z"]}, MalformedAnswer, "Onbekende antwoordoptie."),
    ("multiple_response", {"": ["a", "z"]}, MalformedAnswer, "Onbekende antwoordoptie."),
    ("true_false", {"": ["misschien"]}, MalformedAnswer, "Kies juist of onjuist."),
    ("true_false", {"": ["true", "false"]}, MalformedAnswer, "Geef één antwoord."),
    ("numeric", {"": ["twee"]}, AnswerError, "Vul een getal in, bijvoorbeeld 3 of 2,5."),
    ("numeric", {"": ["1", "2"]}, MalformedAnswer, "Geef één antwoord."),
    ("short_text", {"": ["x" * 201]}, AnswerError, "Je antwoord is te lang (hoogstens 200 tekens)."),
    ("short_text", {"": ["a", "b"]}, MalformedAnswer, "Geef één antwoord."),
    ("ordering", {**ORDER, "een": ["9"]}, MalformedAnswer, "Onbekende positie."),
    ("ordering", {**ORDER, "een": [""]}, AnswerError, "Geef elk onderdeel een plaats in de volgorde."),
    ("ordering", {**ORDER, "een": ["2"]}, AnswerError, "Elke plaats in de volgorde kan maar één keer gekozen worden."),
    ("ordering", {**ORDER, "een": ["1", "2"]}, MalformedAnswer, "Geef één antwoord."),
    ("categorise", {"x": ["boven"], "y": ["midden"], "z": ["boven"]}, MalformedAnswer, "Onbekende categorie."),
    ("categorise", {"x": ["boven"], "y": [""], "z": ["boven"]}, AnswerError, "Kies voor elk onderdeel een categorie."),
    ("categorise", {"x": ["boven"], "y": ["onder", "boven"], "z": ["boven"]}, MalformedAnswer, "Geef één antwoord."),
] + [(kind, {"onbekend": ["a"]}, MalformedAnswer, "Onbekend antwoordveld.") for kind in KINDS]


@pytest.mark.parametrize(("kind", "raw", "error", "message"), ERRORS)
def test_answer_errors_name_the_question_and_say_what_to_do(kind, raw, error, message):
    """The message is shown at the question it belongs to: the error names that question."""
    question = make_question(kind, "vraag-7")
    with pytest.raises(AnswerError) as caught:
        question.parse_answer(raw)
    assert type(caught.value) is error
    assert (caught.value.message, caught.value.field) == (message, "vraag-7")


def test_a_message_with_a_number_keeps_its_template_for_translation():
    with pytest.raises(AnswerError) as caught:
        make_question("short_text").parse_answer({"": ["x" * 201]})
    assert caught.value.template == "Je antwoord is te lang (hoogstens %(max)s tekens)."
    assert caught.value.params == {"max": 200} and str(caught.value) == caught.value.message


@pytest.mark.parametrize("kind", KINDS)
def test_blank_answers_are_unanswered(kind):
    assert make_question(kind).parse_answer({}) is None


def test_true_false_reads_both_values():
    question = make_question("true_false")
    assert question.parse_answer({"": [" true "]}) == TrueFalseAnswer(True)
    assert question.parse_answer({"": ["false"]}) == TrueFalseAnswer(False)


def test_categorise_answer_lists_each_item_once_in_order():
    answer = make_question("categorise").parse_answer({"z": ["onder"], "x": ["boven"], "y": ["onder"]})
    assert answer == CategoriseAnswer((("x", "boven"), ("y", "onder"), ("z", "onder")))
    assert (answer.category_of("z"), answer.category_of("w")) == ("onder", None)


# --- a whole form ---------------------------------------------------------------------------------

def test_parse_form_sorts_answers_errors_and_blanks():
    """Each question's answer, or its own error; a blank question is in neither; other fields are ignored."""
    questions = [make_question("single_choice", "kies"), make_question("numeric", "getal"),
                 make_question("short_text", "woord"), make_question("true_false", "waar")]
    parsed = parse_form(questions, {"q.kies": ["b"], "q.getal": ["twee"], "q.woord": [""], "csrf_token": ["x"]})
    assert parsed.answers == {"kies": ChoiceAnswer(frozenset({"b"}))}
    assert list(parsed.errors) == ["getal"]
    assert parsed.errors["getal"].message == "Vul een getal in, bijvoorbeeld 3 of 2,5."
    assert parsed.drafts == {"getal": {"": ["twee"]}}  # kept as typed, so a reload still shows it


def test_a_half_done_answer_is_a_draft_with_what_is_left_to_do():
    sort = make_question("categorise", "sorteer")
    half = {sort.items[0].id: [sort.categories[0].id]} | {i.id: [""] for i in sort.items[1:]}
    parsed = parse_form([sort], {f"q.sorteer.{k}": v for k, v in half.items()})
    assert parsed.answers == {} and parsed.drafts == {"sorteer": half}
    error = correctable_error(sort, half)
    assert error is not None and error.message == "Kies voor elk onderdeel een categorie."
    whole = {i.id: [i.category] for i in sort.items}
    assert correctable_error(sort, whole) is None
    assert correctable_error(sort, {i.id: [""] for i in sort.items}) is None  # blank: unanswered, not wrong
    with pytest.raises(MalformedAnswer):
        correctable_error(sort, {sort.items[0].id: ["geen-categorie"]})


def test_parse_form_refuses_the_whole_form_for_an_unknown_question_or_a_forged_value():
    questions = [make_question("single_choice", "kies")]
    with pytest.raises(MalformedAnswer) as caught:
        parse_form(questions, {"q.kies": ["a"], "q.bestaat-niet": ["a"]})
    assert (caught.value.message, caught.value.field) == ("Onbekende vraag.", "bestaat-niet")
    with pytest.raises(MalformedAnswer, match="Onbekende antwoordoptie"):
        parse_form(questions, {"q.kies": ["zz"]})


# --- the registry ---------------------------------------------------------------------------------

def test_every_type_is_registered_under_its_type_literal():
    assert {name: type_name(cls) for name, cls in QUESTION_TYPES.items()} == {name: name for name in QUESTION_TYPES}
    assert type_name(SingleChoice) == "single_choice"


def test_a_type_name_cannot_be_registered_twice(monkeypatch):
    monkeypatch.setattr("course.quiz.types.base.QUESTION_TYPES", {})
    assert register(SingleChoice) is SingleChoice
    from course.quiz.types import base
    assert {"single_choice": SingleChoice} == base.QUESTION_TYPES
    with pytest.raises(ValueError, match="question type 'single_choice' is registered twice"):
        register(SingleChoice)


# --- the paper ------------------------------------------------------------------------------------

def test_paper_question_lookup_and_display_order():
    paper = draw_paper(make_quiz(), seed=5)
    first = paper.questions[0]
    assert paper.question(first.question.id) is first
    assert paper.question("bestaat-niet") is None
    options = make_question("single_choice").options
    ordered = type(first)(first.question, ("c", "a")).ordered(options)
    assert [o.id for o in ordered] == ["c", "a", "b"]  # ids missing from the order go last, in file order


@pytest.mark.parametrize(("snapshot", "message"), [
    ({"version": 99}, "not a quiz snapshot of a known version"),
    ([], "not a quiz snapshot of a known version"),
    ({"version": 1, "quiz_id": "x"}, "broken quiz snapshot: "),
])
def test_a_broken_snapshot_is_a_value_error(snapshot, message):
    with pytest.raises(ValueError) as caught:
        Paper.from_snapshot(snapshot)
    assert str(caught.value).startswith(message)


# --- hiding the key ---------------------------------------------------------------------------------

def test_without_key_for_choices_keeps_only_feedback_on_chosen_options():
    question = make_question("single_choice")
    grade = question.without_key(question.grade(ChoiceAnswer(frozenset({"b"}))))
    assert grade == Grade(Fraction(0), (
        ItemFeedback("a", False, "false", None, ""), ItemFeedback("b", False, "true", None, "<p>Over b.</p>"),
        ItemFeedback("c", True, "false", None, "")), "", key_shown=False)
    right = question.grade(ChoiceAnswer(frozenset({"a"})))
    assert question.without_key(right) is right  # a right answer gives nothing away


def test_without_key_for_true_false_keeps_the_feedback_on_the_choice_made():
    question = make_question("true_false")
    grade = question.without_key(question.grade(TrueFalseAnswer(False)))
    assert grade == Grade(Fraction(0), (ItemFeedback("answer", False, "false", None, "<p>Nee.</p>"),), "<p>Nee.</p>",
                          key_shown=False)
    unanswered = question.without_key(question.grade(None))
    assert unanswered == Grade(Fraction(0), (ItemFeedback("answer", False, None, None, ""),), "", answered=False,
                               key_shown=False)


def test_without_key_for_other_types_keeps_feedback_on_right_parts_only():
    question = make_question("categorise", scoring="per_item")
    grade = question.without_key(question.grade(CategoriseAnswer((("x", "boven"), ("y", "boven"), ("z", "onder")))))
    assert grade == Grade(Fraction(1, 3), (
        ItemFeedback("x", True, "boven", None, "<p>fx</p>"), ItemFeedback("y", False, "boven", None, ""),
        ItemFeedback("z", False, "onder", None, "")), "", key_shown=False)


# --- Markdown fields --------------------------------------------------------------------------------

def test_markdown_fields_render_once_and_trusted_html_is_kept():
    from course.quiz.text import TRUSTED_HTML, render_field
    assert render_field("Een **vet** woord", None, inline=False) == "<p>Een <strong>vet</strong> woord</p>"
    assert render_field("Een **vet** woord", {}, inline=True) == "Een <strong>vet</strong> woord"
    assert render_field("<p>al HTML</p> ", TRUSTED_HTML, inline=False) == "<p>al HTML</p> "
    calls = []
    def renderer(text: str, inline: bool) -> str:
        calls.append((text, inline))
        return f"  [{text}]\n"
    assert render_field("x", {"markdown": renderer}, inline=True) == "[x]"
    assert calls == [("x", True)]


def test_pool_questions_and_questions_per_attempt_by_pool():
    from quiz_builders import question_data
    questions = [question_data("true_false", f"v{n}", pool="a" if n < 3 else "b") for n in range(5)]
    quiz = make_quiz(questions, draw=[{"id": "a", "draw": 2}, {"id": "b", "draw": 5}])
    assert [q.id for q in quiz.pool_questions("a")] == ["v0", "v1", "v2"]
    assert [q.id for q in quiz.pool_questions("b")] == ["v3", "v4"]
    assert quiz.pool_questions("c") == ()
    assert quiz.questions_per_attempt == 4  # 2 of pool a, and pool b's 2 (it cannot give 5)


def test_a_paper_without_questions_scores_nothing():
    """A snapshot that lost its questions grades as 0 %, never as full marks or a crash."""
    paper = Paper("toets", "Toets", 0.0, "after_submit", ())
    result = paper.grade({})
    assert (result.score, result.passed, dict(result.grades)) == (Fraction(0), True, {})
    paper = Paper("toets", "Toets", 50.0, "after_submit", ())
    assert paper.grade({}).score == 0 and not paper.grade({}).passed
