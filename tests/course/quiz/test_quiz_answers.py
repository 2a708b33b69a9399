"""Posted form values become typed answers; bad values give clear errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from quiz_builders import make_question, make_quiz

from course.quiz import AnswerError, MalformedAnswer, field_name, missing_answers, parse_form
from course.quiz.answers import split_form
from course.quiz.types.entry import MAX_TEXT_LENGTH, format_number, parse_number


def test_field_names_and_splitting():
    assert field_name("ace-dosis") == "q.ace-dosis"
    assert field_name("volgorde", "stap-1") == "q.volgorde.stap-1"
    form = {"csrf_token": ["x"], "q.a": ["1"], "q.b.x": ["boven"], "q.b.y": ["onder"], "action": ["save"]}
    assert split_form(form) == {"a": {"": ["1"]}, "b": {"x": ["boven"], "y": ["onder"]}}


@pytest.mark.parametrize(("kind", "raw"), [
    ("single_choice", {"": ["zz"]}),
    ("single_choice", {"": ["a", "b"]}),
    ("single_choice", {"x": ["a"]}),
    ("multiple_response", {"": ["a", "zz"]}),
    ("true_false", {"": ["misschien"]}),
    ("ordering", {"een": ["0"], "twee": ["2"], "drie": ["3"], "vier": ["4"]}),
    ("ordering", {"een": ["5"]}),
    ("ordering", {"een": ["x"]}),
    ("ordering", {"vijf": ["1"]}),
    ("categorise", {"x": ["midden"]}),
    ("categorise", {"w": ["boven"]}),
    ("numeric", {"": ["1", "2"]}),
    ("short_text", {"extra": ["x"]}),
])
def test_values_no_page_can_send_are_malformed(kind, raw):
    """Forged ids and impossible values are refused as malformed (the web layer answers 400)."""
    with pytest.raises(MalformedAnswer):
        make_question(kind).parse_answer(raw)


@pytest.mark.parametrize(("kind", "raw", "message"), [
    ("ordering", {"een": ["1"], "twee": ["2"]}, "Geef elk onderdeel een plaats"),
    ("ordering", {"een": ["1"], "twee": ["1"], "drie": ["3"], "vier": ["4"]}, "maar één keer"),
    ("categorise", {"x": ["boven"]}, "Kies voor elk onderdeel een categorie"),
    ("numeric", {"": ["twee"]}, "Vul een getal in"),
    ("numeric", {"": ["1.000,5"]}, "Vul een getal in"),
    ("short_text", {"": ["x" * (MAX_TEXT_LENGTH + 1)]}, "te lang"),
])
def test_mistakes_a_learner_can_fix_are_answer_errors(kind, raw, message):
    """An incomplete ordering or a word in a number field is shown at the question, not as a 400."""
    with pytest.raises(AnswerError) as caught:
        make_question(kind).parse_answer(raw)
    assert not isinstance(caught.value, MalformedAnswer)
    assert message in caught.value.message
    assert caught.value.field == "v"


@pytest.mark.parametrize("kind", ["single_choice", "multiple_response", "true_false", "numeric", "short_text"])
@pytest.mark.parametrize("raw", [{}, {"": []}, {"": [""]}, {"": ["   "]}])
def test_blank_means_unanswered(kind, raw):
    assert make_question(kind).parse_answer(raw) is None


@pytest.mark.parametrize("kind", ["ordering", "categorise"])
def test_blank_selects_mean_unanswered(kind):
    q = make_question(kind)
    assert q.parse_answer({item: [""] for item in q.choice_ids()}) is None


@pytest.mark.parametrize(("text", "value"), [
    ("2,4", "2.4"), ("2.4", "2.4"), (" -3 ", "-3"), (",5", "0.5"), ("7,", "7"), ("2,4 factoren", "2.4"),
    ("2,4 Factoren", "2.4"),
])
def test_numbers_as_dutch_learners_type_them(text, value):
    assert parse_number(text, "factoren") == Decimal(value)


@pytest.mark.parametrize("text", ["", "1e5", "1.000,5", "2,4 jaar", "nan", "Infinity", "1 2", "٣"])
def test_not_numbers(text):
    assert parse_number(text, "factoren") is None


def test_format_number_uses_a_decimal_comma():
    assert format_number(Decimal("2.40")) == "2,4"
    assert format_number(Decimal("100")) == "100"


def test_parse_form_collects_answers_and_fixable_errors():
    quiz = make_quiz()
    form = {
        "csrf_token": ["t"],
        "q.q-single-choice": ["a"],
        "q.q-numeric": ["veel"],
        "q.q-ordering.een": ["1"],
        "q.q-short-text": [""],
    }
    parsed = parse_form(quiz.questions, form)
    assert set(parsed.answers) == {"q-single-choice"}
    assert set(parsed.errors) == {"q-numeric", "q-ordering"}


def test_parse_form_refuses_an_unknown_question_whole():
    """A forged question id rejects the whole form, so nothing of it is saved."""
    with pytest.raises(MalformedAnswer):
        parse_form(make_quiz().questions, {"q.q-single-choice": ["a"], "q.verzonnen": ["a"]})


def test_missing_answers_in_question_order():
    quiz = make_quiz()
    ids = [q.id for q in quiz.questions]
    assert missing_answers(quiz.questions, ids[1:3]) == [ids[0], *ids[3:]]


def test_answer_error_keeps_the_template_for_translation():
    error = AnswerError("Hoogstens %(max)s tekens.", "v", max=5)
    assert error.message == "Hoogstens 5 tekens."
    assert error.template == "Hoogstens %(max)s tekens."
    assert error.params == {"max": 5}
