"""Whole grades: score, verdict, the feedback chosen and every item's feedback, for every question type.

Each answer goes in as a browser posts it (form values) and the entire Grade is compared, so a wrong
verdict on one option, feedback for the other choice or a score off by one part all fail a test.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from quiz_builders import make_question, make_quiz, question_data

from course.quiz import AnswerError, MalformedAnswer
from course.quiz.grading import Grade, ItemFeedback, credit, passes, share
from course.quiz.paper import draw_paper
from course.quiz.types.entry import MAX_TEXT_LENGTH


def item(item_id: str, correct: bool, given: str | None, expected: str, feedback: str = "") -> ItemFeedback:
    return ItemFeedback(item_id, correct, given, expected, feedback)


def option_items(chosen: set[str], correct: set[str], ids: str) -> tuple[ItemFeedback, ...]:
    """The feedback of every option (ids in file order), each with its own text."""
    def flag(value: bool) -> str:
        return "true" if value else "false"
    return tuple(item(o, (o in chosen) == (o in correct), flag(o in chosen), flag(o in correct), f"<p>Over {o}.</p>")
                 for o in ids)


def grade_raw(question, raw) -> Grade:
    return question.grade(question.parse_answer(raw))


SINGLE = make_question("single_choice")  # a is right; b and c are not
MULTIPLE = make_question("multiple_response")  # a and b are right; c and d are not
MULTIPLE_PER_OPTION = make_question("multiple_response", scoring="per_option")
TRUE_FALSE = make_question("true_false")  # the statement is true
ORDERING = make_question("ordering")  # een, twee, drie, vier
ORDERING_POSITIONS = make_question("ordering", scoring="positions")
CATEGORISE = make_question("categorise")  # x and z boven, y onder
CATEGORISE_PER_ITEM = make_question("categorise", scoring="per_item")
NUMERIC = make_question("numeric")  # 2,4 ± 0,1
SHORT_TEXT = make_question("short_text")  # Veilig Thuis

ZO = "<p>Zo.</p>"


def positions(*order: str) -> dict[str, list[str]]:
    return {item_id: [str(n)] for n, item_id in enumerate(order, 1)}


def ordering_items(*given: str | None) -> tuple[ItemFeedback, ...]:
    return tuple(item(item_id, g == str(n), g, str(n)) for n, (item_id, g) in
                 enumerate(zip(("een", "twee", "drie", "vier"), given, strict=True), 1))


def placed(x: str, y: str, z: str) -> dict[str, list[str]]:
    return {"x": [x], "y": [y], "z": [z]}


def categorise_items(x: str | None, y: str | None, z: str | None) -> tuple[ItemFeedback, ...]:
    expected = {"x": "boven", "y": "onder", "z": "boven"}
    return tuple(item(i, g == expected[i], g, expected[i], f"<p>f{i}</p>") for i, g in zip("xyz", (x, y, z),
                                                                                            strict=True))


CASES = [
    # single choice: feedback on every option, whether chosen or not
    ("single right", SINGLE, {"": ["a"]}, Grade(Fraction(1), option_items({"a"}, {"a"}, "abc"))),
    ("single wrong", SINGLE, {"": ["b"]}, Grade(Fraction(0), option_items({"b"}, {"a"}, "abc"))),
    ("single unanswered", SINGLE, {"": [""]}, Grade(Fraction(0), option_items(set(), {"a"}, "abc"), answered=False)),
    # multiple response, all or nothing
    ("multiple right", MULTIPLE, {"": ["a", "b"]}, Grade(Fraction(1), option_items({"a", "b"}, {"a", "b"}, "abcd"))),
    ("multiple wrong", MULTIPLE, {"": ["c", "d"]}, Grade(Fraction(0), option_items({"c", "d"}, {"a", "b"}, "abcd"))),
    ("multiple partial", MULTIPLE, {"": ["a"]}, Grade(Fraction(0), option_items({"a"}, {"a", "b"}, "abcd"))),
    ("multiple one too many", MULTIPLE, {"": ["a", "b", "c"]},
     Grade(Fraction(0), option_items({"a", "b", "c"}, {"a", "b"}, "abcd"))),
    ("multiple unanswered", MULTIPLE, {}, Grade(Fraction(0), option_items(set(), {"a", "b"}, "abcd"), answered=False)),
    # multiple response, per option: each option ticked or left as it should be is one part
    ("per option right", MULTIPLE_PER_OPTION, {"": ["b", "a"]},
     Grade(Fraction(1), option_items({"a", "b"}, {"a", "b"}, "abcd"))),
    ("per option partial", MULTIPLE_PER_OPTION, {"": ["a", "c"]},
     Grade(Fraction(1, 2), option_items({"a", "c"}, {"a", "b"}, "abcd"))),
    ("per option one missed", MULTIPLE_PER_OPTION, {"": ["a"]},
     Grade(Fraction(3, 4), option_items({"a"}, {"a", "b"}, "abcd"))),
    ("per option wrong", MULTIPLE_PER_OPTION, {"": ["c", "d"]},
     Grade(Fraction(0), option_items({"c", "d"}, {"a", "b"}, "abcd"))),
    ("per option unanswered", MULTIPLE_PER_OPTION, {"": []},
     Grade(Fraction(0), option_items(set(), {"a", "b"}, "abcd"), answered=False)),
    # true/false: the feedback written for the choice made
    ("true/false right", TRUE_FALSE, {"": ["true"]},
     Grade(Fraction(1), (item("answer", True, "true", "true", "<p>Ja.</p>"),), "<p>Ja.</p>")),
    ("true/false wrong", TRUE_FALSE, {"": ["false"]},
     Grade(Fraction(0), (item("answer", False, "false", "true", "<p>Nee.</p>"),), "<p>Nee.</p>")),
    ("true/false unanswered", TRUE_FALSE, {"": [" "]},
     Grade(Fraction(0), (item("answer", False, None, "true"),), answered=False)),
    # ordering: each item's given and expected place
    ("ordering right", ORDERING, positions("een", "twee", "drie", "vier"),
     Grade(Fraction(1), ordering_items("1", "2", "3", "4"), ZO)),
    ("ordering partial", ORDERING, positions("twee", "een", "drie", "vier"),
     Grade(Fraction(0), ordering_items("2", "1", "3", "4"), ZO)),
    ("ordering wrong", ORDERING, positions("vier", "drie", "twee", "een"),
     Grade(Fraction(0), ordering_items("4", "3", "2", "1"), ZO)),
    ("ordering unanswered", ORDERING, {"een": [""], "twee": [""]},
     Grade(Fraction(0), ordering_items(None, None, None, None), ZO, answered=False)),
    ("positions right", ORDERING_POSITIONS, positions("een", "twee", "drie", "vier"),
     Grade(Fraction(1), ordering_items("1", "2", "3", "4"), ZO)),
    ("positions partial", ORDERING_POSITIONS, positions("twee", "een", "drie", "vier"),
     Grade(Fraction(1, 2), ordering_items("2", "1", "3", "4"), ZO)),
    ("positions three of four", ORDERING_POSITIONS, positions("een", "twee", "vier", "drie"),
     Grade(Fraction(1, 2), ordering_items("1", "2", "4", "3"), ZO)),
    ("positions wrong", ORDERING_POSITIONS, positions("vier", "drie", "twee", "een"),
     Grade(Fraction(0), ordering_items("4", "3", "2", "1"), ZO)),
    # categorise: each item's category, with the item's own feedback
    ("categorise right", CATEGORISE, placed("boven", "onder", "boven"),
     Grade(Fraction(1), categorise_items("boven", "onder", "boven"))),
    ("categorise partial", CATEGORISE, placed("boven", "boven", "boven"),
     Grade(Fraction(0), categorise_items("boven", "boven", "boven"))),
    ("categorise wrong", CATEGORISE, placed("onder", "boven", "onder"),
     Grade(Fraction(0), categorise_items("onder", "boven", "onder"))),
    ("categorise unanswered", CATEGORISE, {},
     Grade(Fraction(0), categorise_items(None, None, None), answered=False)),
    ("per item right", CATEGORISE_PER_ITEM, placed("boven", "onder", "boven"),
     Grade(Fraction(1), categorise_items("boven", "onder", "boven"))),
    ("per item partial", CATEGORISE_PER_ITEM, placed("boven", "boven", "boven"),
     Grade(Fraction(2, 3), categorise_items("boven", "boven", "boven"))),
    ("per item one right", CATEGORISE_PER_ITEM, placed("onder", "onder", "onder"),
     Grade(Fraction(1, 3), categorise_items("onder", "onder", "onder"))),
    ("per item wrong", CATEGORISE_PER_ITEM, placed("onder", "boven", "onder"),
     Grade(Fraction(0), categorise_items("onder", "boven", "onder"))),
    # numeric: the feedback for right or wrong, the value as the learner wrote it and the expected one
    ("numeric right", NUMERIC, {"": ["2,45"]},
     Grade(Fraction(1), (item("answer", True, "2,45", "2,4"),), "<p>Goed.</p>")),
    ("numeric at the upper bound", NUMERIC, {"": ["2.5"]},
     Grade(Fraction(1), (item("answer", True, "2,5", "2,4"),), "<p>Goed.</p>")),
    ("numeric at the lower bound", NUMERIC, {"": ["2,30"]},
     Grade(Fraction(1), (item("answer", True, "2,3", "2,4"),), "<p>Goed.</p>")),
    ("numeric just above", NUMERIC, {"": ["2,501"]},
     Grade(Fraction(0), (item("answer", False, "2,501", "2,4"),), "<p>Fout.</p>")),
    ("numeric just below", NUMERIC, {"": ["2,299"]},
     Grade(Fraction(0), (item("answer", False, "2,299", "2,4"),), "<p>Fout.</p>")),
    ("numeric wrong", NUMERIC, {"": ["24"]}, Grade(Fraction(0), (item("answer", False, "24", "2,4"),), "<p>Fout.</p>")),
    ("numeric unanswered", NUMERIC, {"": [""]},
     Grade(Fraction(0), (item("answer", False, None, "2,4"),), answered=False)),
    # short text: the answer as typed (spaces tidied), the first accepted answer as the expected one
    ("short text right", SHORT_TEXT, {"": ["  veilig   thuis "]},
     Grade(Fraction(1), (item("answer", True, "veilig thuis", "Veilig Thuis"),), "<p>Goed.</p>")),
    ("short text wrong", SHORT_TEXT, {"": ["AMK"]},
     Grade(Fraction(0), (item("answer", False, "AMK", "Veilig Thuis"),), "<p>Fout.</p>")),
    ("short text unanswered", SHORT_TEXT, {}, Grade(Fraction(0), (item("answer", False, None, "Veilig Thuis"),),
                                                    answered=False)),
]


@pytest.mark.parametrize(("question", "raw", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_whole_grade(question, raw, expected):
    """The learner sees exactly this score, verdict and feedback, on the question and on every option or item."""
    grade = grade_raw(question, raw)
    assert grade == expected
    assert grade.correct is (expected.score == 1)


def test_single_choice_with_two_options_chosen_is_wrong_whatever_they_are():
    from course.quiz.types.choice import ChoiceAnswer
    grade = SINGLE.grade(ChoiceAnswer(frozenset({"a", "b"})))
    assert grade == Grade(Fraction(0), option_items({"a", "b"}, {"a"}, "abc"))


def test_true_false_when_the_statement_is_false():
    question = make_question("true_false", answer=False)
    assert grade_raw(question, {"": ["false"]}) == Grade(
        Fraction(1), (item("answer", True, "false", "false", "<p>Nee.</p>"),), "<p>Nee.</p>")
    assert grade_raw(question, {"": ["true"]}) == Grade(
        Fraction(0), (item("answer", False, "true", "false", "<p>Ja.</p>"),), "<p>Ja.</p>")


def test_numeric_with_a_unit_and_negative_numbers():
    question = make_question("numeric", answer=-3, tolerance=0, unit="jaar")
    assert grade_raw(question, {"": ["-3 jaar"]}).correct
    assert grade_raw(question, {"": ["-3,0 JAAR"]}).items == (item("answer", True, "-3", "-3"),)
    assert not grade_raw(question, {"": ["3"]}).correct


def test_grade_item_lookup():
    grade = grade_raw(CATEGORISE, placed("boven", "boven", "boven"))
    assert grade.item("y") == item("y", False, "boven", "onder", "<p>fy</p>")
    assert grade.item("onbekend") is None


@pytest.mark.parametrize("score", [Fraction(-1, 100), Fraction(101, 100)])
def test_a_score_outside_0_to_1_is_refused(score):
    with pytest.raises(ValueError, match="out of range"):
        Grade(score)


def test_share_and_credit():
    assert share(3, 4) == Fraction(3, 4) and share(0, 0) == 0 and share(0, 3) == 0
    assert credit(3, 4, partial=True) == Fraction(3, 4)
    assert credit(3, 4, partial=False) == 0
    assert credit(4, 4, partial=False) == 1
    assert credit(0, 0, partial=False) == 0  # nothing to get right is not full marks


# --- answers a page can send that are not (yet) an answer -----------------------------------------

def test_an_ordering_with_its_first_position_blank_asks_for_every_place():
    """Leaving the first place open is a correctable mistake, not an unanswered question or a crash."""
    raw = {"een": [""], "twee": ["1"], "drie": ["2"], "vier": ["3"]}
    with pytest.raises(AnswerError, match="Geef elk onderdeel een plaats") as caught:
        ORDERING.parse_answer(raw)
    assert not isinstance(caught.value, MalformedAnswer) and caught.value.field == "v"


def test_an_ordering_with_a_place_taken_twice():
    with pytest.raises(AnswerError, match="maar één keer"):
        ORDERING.parse_answer({"een": ["1"], "twee": ["1"], "drie": ["2"], "vier": ["3"]})


@pytest.mark.parametrize("value", ["0", "5", "-1", "1.0", "een", "²", "١", "+1"])
def test_an_ordering_place_outside_1_to_n_is_malformed(value):
    """No page sends these: the answer is refused as a whole (400), never a server error."""
    with pytest.raises(MalformedAnswer, match="Onbekende positie"):
        ORDERING.parse_answer({"een": [value], "twee": ["2"], "drie": ["3"], "vier": ["4"]})


def test_a_categorise_answer_with_its_first_item_blank_asks_for_every_item():
    with pytest.raises(AnswerError, match="Kies voor elk onderdeel een categorie"):
        CATEGORISE.parse_answer({"x": [""], "y": ["onder"], "z": ["boven"]})
    with pytest.raises(MalformedAnswer, match="Onbekende categorie"):
        CATEGORISE.parse_answer({"x": ["midden"], "y": ["onder"], "z": ["boven"]})


def test_short_text_length_limit():
    """200 characters is an answer; 201 is too long, with the limit in the message."""
    assert SHORT_TEXT.parse_answer({"": ["x" * MAX_TEXT_LENGTH]}).text == "x" * MAX_TEXT_LENGTH
    with pytest.raises(AnswerError, match="hoogstens 200 tekens") as caught:
        SHORT_TEXT.parse_answer({"": ["x" * (MAX_TEXT_LENGTH + 1)]})
    assert caught.value.params == {"max": 200}
    # Spaces a learner typed twice do not count towards the limit.
    assert SHORT_TEXT.parse_answer({"": ["x " * 100 + "  "]}).text == ("x " * 100).strip()


@pytest.mark.parametrize(("text", "ok"), [
    ("1" * 15, True), ("1" * 16, False), ("0," + "1" * 15, True), ("0," + "1" * 16, False), (",5", True),
    ("2,", True), ("1.000,5", False), ("1e3", False), ("--1", False), ("", None)])
def test_numeric_length_limits(text, ok):
    """Up to 15 digits before and after the comma; anything else asks for a number."""
    if ok is None:
        assert NUMERIC.parse_answer({"": [text]}) is None
    elif ok:
        assert NUMERIC.parse_answer({"": [text]}) is not None
    else:
        with pytest.raises(AnswerError, match="Vul een getal in"):
            NUMERIC.parse_answer({"": [text]})


# --- the pass mark -----------------------------------------------------------------------------------

def weighted_quiz(first_points: float, pass_mark: float):
    """Two true/false questions worth ``first_points`` and the rest of 100 points."""
    questions = [question_data("true_false", "eerste", points=first_points),
                 question_data("true_false", "tweede", points=round(100 - first_points, 6))]
    return draw_paper(make_quiz(questions, pass_mark=pass_mark), seed=1)


@pytest.mark.parametrize(("first_points", "pass_mark", "passed"), [
    (69.5, 70, False),  # 69.5 % does not reach 70 %
    (69.99, 70, False),
    (70, 70, True),
    (70.5, 70, True),
    (69.5, 69.5, True),
    (69.4, 69.5, False),
    (0.5, 0.5, True),
    (99.5, 100, False),
])
def test_pass_mark_boundaries(first_points, pass_mark, passed):
    """Exactly the pass mark passes; a hair below it fails, however it would be rounded for display."""
    from course.quiz.types.choice import TrueFalseAnswer
    paper = weighted_quiz(first_points, pass_mark)
    result = paper.grade({"eerste": TrueFalseAnswer(True), "tweede": TrueFalseAnswer(False)})
    assert result.score == Fraction(str(first_points)) / 100
    assert result.passed is passed
    assert result.grades["eerste"].correct and not result.grades["tweede"].correct


def test_pass_mark_zero_and_hundred():
    assert passes(Fraction(0), 0) and passes(Fraction(1), 100)
    assert not passes(Fraction(99, 100), 100)
    assert passes(Fraction(7, 10), 70) and not passes(Fraction(6999, 10000), 70)


def test_unanswered_questions_score_zero_in_the_total():
    paper = weighted_quiz(50, 50)
    from course.quiz.types.choice import TrueFalseAnswer
    result = paper.grade({"eerste": TrueFalseAnswer(True)})
    assert result.score == Fraction(1, 2) and result.passed
    assert not result.grades["tweede"].answered and result.grades["tweede"].score == 0
    assert paper.grade({}).score == 0 and not paper.grade({}).passed


# --- the attempt policy ----------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "max_attempts", "per_attempt"), [
    ({}, None, 7),
    ({"attempts": {"max": 1}}, 1, 7),
    ({"attempts": {"max": 3, "counts": "last"}, "draw": 3}, 3, 3),
    ({"draw": 7}, None, 7),
    ({"draw": 6}, None, 6),
    ({"draw": 1}, None, 1),
    ({"draw": 9}, None, 7),  # the loader refuses this; the rule still never asks for more than there are
])
def test_attempt_policy(fields, max_attempts, per_attempt):
    """The overview's "n vragen per poging" and "n keer" come from these rules."""
    quiz = make_quiz(**fields)
    assert quiz.attempts.max_attempts == max_attempts
    assert quiz.questions_per_attempt == per_attempt
    assert len(draw_paper(quiz, seed=3).questions) == per_attempt
