"""Grading of every question type, including the edge cases."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from quiz_builders import make_question, option, perfect_raw

from course.quiz import QUESTION_TYPES
from course.quiz.types.categorise import CategoriseAnswer
from course.quiz.types.choice import ChoiceAnswer, TrueFalseAnswer
from course.quiz.types.entry import NumericAnswer, TextAnswer, normalise_text
from course.quiz.types.ordering import OrderingAnswer


def grade_raw(question, raw):
    return question.grade(question.parse_answer(raw))


@pytest.mark.parametrize("kind", sorted(QUESTION_TYPES))
def test_perfect_answer_scores_one(kind):
    """A fully correct answer earns full credit for every type."""
    question = make_question(kind)
    grade = grade_raw(question, perfect_raw(question))
    assert grade.score == 1 and grade.correct and grade.answered


@pytest.mark.parametrize("kind", sorted(QUESTION_TYPES))
def test_unanswered_scores_zero(kind):
    """A question left open scores nothing and is marked unanswered."""
    grade = make_question(kind).grade(None)
    assert grade.score == 0 and not grade.answered


@pytest.mark.parametrize("kind", sorted(QUESTION_TYPES))
def test_answer_survives_a_round_trip_through_form_values(kind):
    """A saved answer refills the form exactly as the learner left it."""
    question = make_question(kind)
    answer = question.parse_answer(perfect_raw(question))
    assert question.parse_answer(question.answer_to_raw(answer)) == answer


def test_single_choice_right_and_wrong_with_option_feedback():
    q = make_question("single_choice")
    right = q.grade(ChoiceAnswer(frozenset({"a"})))
    wrong = q.grade(ChoiceAnswer(frozenset({"b"})))
    assert right.score == 1
    assert wrong.score == 0
    b = wrong.item("b")
    assert b is not None and not b.correct and b.given == "true" and b.expected == "false"
    assert "Over b." in b.feedback
    a = wrong.item("a")
    assert a is not None and not a.correct and a.given == "false" and a.expected == "true"


def test_single_choice_with_two_chosen_is_wrong():
    assert make_question("single_choice").grade(ChoiceAnswer(frozenset({"a", "b"}))).score == 0


def test_multiple_response_all_or_nothing():
    q = make_question("multiple_response")
    assert q.grade(ChoiceAnswer(frozenset({"a", "b"}))).score == 1
    assert q.grade(ChoiceAnswer(frozenset({"a"}))).score == 0
    assert q.grade(ChoiceAnswer(frozenset({"a", "b", "c"}))).score == 0


def test_multiple_response_per_option_counts_each_judged_option():
    q = make_question("multiple_response", scoring="per_option")
    assert q.grade(ChoiceAnswer(frozenset({"a"}))).score == Fraction(3, 4)  # b missed
    assert q.grade(ChoiceAnswer(frozenset({"a", "b", "c", "d"}))).score == Fraction(1, 2)
    assert q.grade(ChoiceAnswer(frozenset({"c", "d"}))).score == 0
    assert q.grade(None).score == 0  # leaving it open earns nothing, even for the wrong options


def test_true_false_feedback_is_for_the_choice_made():
    q = make_question("true_false", answer=False)
    said_true = q.grade(TrueFalseAnswer(True))
    assert said_true.score == 0 and "Ja." in said_true.feedback
    said_false = q.grade(TrueFalseAnswer(False))
    assert said_false.score == 1 and "Nee." in said_false.feedback


def test_ordering_all_or_nothing_and_positions():
    q = make_question("ordering")
    assert q.grade(OrderingAnswer(("een", "twee", "drie", "vier"))).score == 1
    assert q.grade(OrderingAnswer(("twee", "een", "drie", "vier"))).score == 0
    p = make_question("ordering", scoring="positions")
    grade = p.grade(OrderingAnswer(("twee", "een", "drie", "vier")))
    assert grade.score == Fraction(1, 2)
    een = grade.item("een")
    assert een is not None and een.given == "2" and een.expected == "1" and not een.correct
    assert p.grade(OrderingAnswer(("vier", "drie", "twee", "een"))).score == 0


def test_categorise_per_item_and_all_or_nothing():
    q = make_question("categorise", scoring="per_item")
    grade = q.grade(CategoriseAnswer((("x", "boven"), ("y", "boven"), ("z", "boven"))))
    assert grade.score == Fraction(2, 3)
    y = grade.item("y")
    assert y is not None and y.given == "boven" and y.expected == "onder" and "fy" in y.feedback
    strict = make_question("categorise")
    assert strict.grade(CategoriseAnswer((("x", "boven"), ("y", "boven"), ("z", "boven")))).score == 0


@pytest.mark.parametrize(("value", "right"), [
    ("2.4", True), ("2.5", True), ("2.3", True), ("2.51", False), ("2.29", False), ("-2.4", False),
])
def test_numeric_tolerance_is_inclusive_and_exact(value, right):
    """2,5 counts as right for 2,4 ± 0,1: decimal arithmetic, no float rounding."""
    q = make_question("numeric")
    assert q.grade(NumericAnswer(Decimal(value))).correct is right


def test_numeric_without_tolerance_needs_the_exact_number():
    q = make_question("numeric", answer=3, tolerance=0)
    assert q.grade(NumericAnswer(Decimal("3.0"))).correct
    assert not q.grade(NumericAnswer(Decimal("3.01"))).correct


@pytest.mark.parametrize("text", ["veilig thuis", "VEILIG   THUIS", " Véilig Thuïs ", "Veilig\tThuis"])
def test_short_text_ignores_case_accents_and_spaces(text):
    assert make_question("short_text").grade(TextAnswer(text)).correct


@pytest.mark.parametrize("text", ["veiligthuis", "Veilig Thuis!", "thuis"])
def test_short_text_still_needs_the_words(text):
    assert not make_question("short_text").grade(TextAnswer(text)).correct


def test_short_text_accepts_any_listed_answer():
    q = make_question("short_text", accepted=["AMK", "Advies- en Meldpunt Kindermishandeling"])
    assert q.grade(TextAnswer("advies- en meldpunt kindermishandeling")).correct


def test_normalise_text():
    assert normalise_text(" Één  Kind ") == "een kind"


def test_single_choice_option_order_in_file_does_not_matter():
    q1 = make_question("single_choice", options=[option("a", True), option("b")])
    q2 = make_question("single_choice", options=[option("b"), option("a", True)])
    answer = ChoiceAnswer(frozenset({"a"}))
    assert q1.grade(answer).score == q2.grade(answer).score == 1
