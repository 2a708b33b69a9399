"""Question banks: how attempts draw from them, the bank rules, key variation and the review policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from quiz_builders import make_question, make_quiz, option, perfect_raw, question_data

from course.errors import ErrorReport
from course.quiz import draw_paper, load_quizzes
from course.quiz.bank import key_problems
from course.quiz.model import ReviewPolicy

HEADER = "id: x\nmodule: m\ntitle: T\npass_mark: 50\n"


def tf(question_id: str, answer: bool = True, **fields) -> dict:
    return question_data("true_false", question_id, answer=answer, **fields)


def sc(question_id: str, correct: int = 0, **fields) -> dict:
    return question_data("single_choice", question_id,
                         options=[option(k, n == correct) for n, k in enumerate("abc")], **fields)


def load_text(tmp_path: Path, text: str):
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    report = ErrorReport(tmp_path)
    quizzes = load_quizzes(tmp_path, report, frozenset({"m"}))
    return quizzes, [str(e) for e in report]


def test_each_attempt_draws_the_stated_number_from_every_pool():
    """Per objective 'draw 2 of these 5': every attempt gets two of each pool, and attempts differ."""
    questions = [tf(f"s{n}", n % 2 == 0, pool="signalen") for n in range(5)]
    questions += [sc(f"w{n}", n % 3, pool="wegen") for n in range(4)]
    quiz = make_quiz(questions, draw=[{"id": "signalen", "draw": 2}, {"id": "wegen", "draw": 1}])
    assert quiz.questions_per_attempt == 3
    papers = [draw_paper(quiz, seed) for seed in range(30)]
    for paper in papers:
        pools = [pq.question.pool for pq in paper.questions]
        assert pools.count("signalen") == 2 and pools.count("wegen") == 1
    assert len({tuple(pq.question.id for pq in p.questions) for p in papers}) > 5


def test_the_snapshot_keeps_the_drawn_questions_and_the_review_policy():
    questions = [tf(f"s{n}", n % 2 == 0, pool="p") for n in range(4)]
    quiz = make_quiz(questions, draw=[{"id": "p", "draw": 2}], review={"correct_answers": "after_passing"},
                     attempts={"max": 3})
    paper = draw_paper(quiz, 5)
    snapshot = paper.to_snapshot()
    assert [q["definition"]["id"] for q in snapshot["questions"]] == [pq.question.id for pq in paper.questions]
    restored = type(paper).from_snapshot(snapshot)
    assert restored == paper
    assert restored.correct_answers == "after_passing" and restored.max_attempts == 3


def test_an_old_snapshot_without_a_policy_shows_the_key_as_it_always_did():
    paper = draw_paper(make_quiz(), 1)
    snapshot = paper.to_snapshot()
    del snapshot["correct_answers"], snapshot["max_attempts"]
    assert type(paper).from_snapshot(snapshot).review_policy.shows_key(passed=False, attempts_left=2)


BANK_QUESTIONS = "".join(
    f"  - {{id: q{n}, type: true_false, prompt: p, explanation: e, answer: {str(n % 2 == 0).lower()}, "
    f"feedback_true: t, feedback_false: f{', pool: ' + pool if pool else ''}}}\n"
    for n, pool in enumerate(["a", "a", "a", "b", "b", None]))


@pytest.mark.parametrize(("settings", "questions", "expected"), [
    ("", "  - {id: q1, type: true_false, prompt: p, explanation: e, answer: true, feedback_true: t, "
         "feedback_false: f}\n",
     ":5: questions: the bank holds 1 questions and an attempt draws 1: a graded quiz needs at least 2 × 1 = 2"),
    ("draw: 4\n", BANK_QUESTIONS.replace(", pool: a", "").replace(", pool: b", ""),
     ":5: draw: the bank holds 6 questions and an attempt draws 4"),
    ("draw: 2\n", BANK_QUESTIONS, ":7: questions[0].pool: pool 'a' is not declared"),
    ("draw:\n  - {id: a, draw: 1}\n  - {id: b, draw: 2}\n", BANK_QUESTIONS,
     ":7: draw[1].draw: pool 'b' draws 2 of its 2 question(s)"),
    ("draw:\n  - {id: a, draw: 1}\n  - {id: b, draw: 1}\n", BANK_QUESTIONS,
     ":14: questions[5]: missing required key 'pool' (one of: a, b)"),
    ("draw:\n  - {id: a, draw: 1}\n  - {id: a, draw: 1}\n", BANK_QUESTIONS, ":7: draw[1].id: duplicate pool id 'a'"),
    ("draw:\n  - {id: a, draw: 1}\n", BANK_QUESTIONS.replace("pool: b", "pool: c"),
     ":11: questions[3].pool: unknown pool 'c'; expected one of: a"),
    ("draw: 0\n", BANK_QUESTIONS, ":5: draw: "),
    ("draw: 3\n", BANK_QUESTIONS.replace(", pool: a", "").replace(", pool: b", "")
     + "practice:\n  - {id: q1, type: true_false, prompt: p, explanation: e, answer: true, feedback_true: t, "
       "feedback_false: f}\n",
     ":14: practice[0].id: duplicate question id 'q1'"),
    ("draw: 2\n", BANK_QUESTIONS.replace(", pool: a", "").replace(", pool: b", "")
     + "practice:\n  - {id: oefen, pool: a, type: true_false, prompt: p, explanation: e, answer: true, "
       "feedback_true: t, feedback_false: f}\n",
     ":14: practice[0].pool: practice questions are never drawn into an attempt"),
])
def test_bank_rules_are_reported_with_file_and_line(tmp_path, settings, questions, expected):
    quizzes, errors = load_text(tmp_path, HEADER + settings + "questions:\n" + questions)
    assert quizzes == ()
    assert [e for e in errors if expected in e], errors


def test_a_sound_bank_with_practice_questions_loads(tmp_path):
    bank = BANK_QUESTIONS.replace("feedback_false: f}\n", "feedback_false: f, pool: b}\n")
    bank = bank.replace(", pool: a, pool: b}", ", pool: a}").replace(", pool: b, pool: b}", ", pool: b}")
    text = (HEADER + "draw:\n  - {id: a, draw: 1, objective: 1}\n  - {id: b, draw: 1}\n"
            "review: {correct_answers: after_last_attempt}\nquestions:\n" + bank
            + "practice:\n  - {id: oefen, type: true_false, prompt: p, explanation: e, answer: true, "
              "feedback_true: t, feedback_false: f}\n")
    (quiz,), errors = load_text(tmp_path, text)
    assert errors == []
    assert quiz.questions_per_attempt == 2 and len(quiz.questions) == 6
    assert quiz.practice_question("oefen") is not None and quiz.question("oefen") is None
    assert quiz.practice_question("q1") is None
    assert quiz.pools[0].objective == 1 and quiz.review.correct_answers == "after_last_attempt"


@pytest.mark.parametrize(("questions", "expected"), [
    ([sc("a1", 0), sc("a2", 0), sc("a3", 0)], "option 1 in every single_choice question"),
    ([sc("a1", 1), sc("a2", 1)], "option 2 in every single_choice question"),
    ([tf("t1", False), tf("t2", False)], "every true_false question has answer false"),
    ([tf("t1", True), tf("t2", True)], "every true_false question has answer true"),
    ([question_data("multiple_response", "m1", options=[option("a", True), option("b", True)]),
      question_data("multiple_response", "m2", options=[option("x", True), option("y", True)])],
     "every option is correct in every multiple_response question"),
    ([question_data("multiple_response", "m1", options=[option("a", True), option("b")]),
      question_data("multiple_response", "m2", options=[option("x", True), option("y")])],
     "the correct options sit at the same positions"),
    ([question_data("categorise", "c1", items=[{"id": "x", "text": "X", "category": "boven", "feedback": "f"},
                                               {"id": "y", "text": "Y", "category": "boven", "feedback": "f"}])],
     "every item belongs to the same category"),
])
def test_a_key_that_never_varies_is_reported(questions, expected):
    quiz = make_quiz(questions)
    problems = [message for _, message in key_problems(quiz.questions)]
    assert [m for m in problems if expected in m], problems


def test_a_varied_key_passes():
    quiz = make_quiz([sc("a1", 0), sc("a2", 2), tf("t1", True), tf("t2", False),
                      question_data("multiple_response", "m1", options=[option("a", True), option("b")]),
                      question_data("multiple_response", "m2", options=[option("x"), option("y", True)])])
    assert list(key_problems(quiz.questions)) == []


def test_same_correct_id_is_reported_even_at_different_positions():
    questions = [question_data("single_choice", "a1", options=[option("juist", True), option("b")]),
                 question_data("single_choice", "a2", options=[option("b"), option("juist", True)])]
    problems = [m for _, m in key_problems(make_quiz(questions).questions)]
    assert problems == ["the correct option has id 'juist' in every single_choice question"]


@pytest.mark.parametrize(("policy", "passed", "left", "shown"), [
    ("always", False, 2, True),
    ("never", True, 0, False),
    ("after_passing", False, 0, False),
    ("after_passing", True, 2, True),
    ("after_last_attempt", True, 1, False),
    ("after_last_attempt", False, 0, True),
    ("after_last_attempt", False, None, False),  # unlimited attempts: there is no last one
    ("after_passing_or_last_attempt", False, 1, False),
    ("after_passing_or_last_attempt", True, 1, True),
    ("after_passing_or_last_attempt", False, 0, True),
])
def test_review_policy_decides_when_the_key_is_shown(policy, passed, left, shown):
    assert ReviewPolicy(correct_answers=policy).shows_key(passed=passed, attempts_left=left) is shown


def test_a_review_without_key_keeps_marks_and_the_feedback_on_own_choices():
    question = make_question("single_choice")
    hidden = question.without_key(question.grade(question.parse_answer({"": ["b"]})))
    assert not hidden.key_shown and hidden.score == 0
    assert [(i.id, i.correct, i.expected, i.feedback) for i in hidden.items] == [
        ("a", False, None, ""), ("b", False, None, "<p>Over b.</p>"), ("c", True, None, "")]


@pytest.mark.parametrize("kind", ["ordering", "categorise", "numeric", "short_text", "multiple_response",
                                  "true_false"])
def test_a_wrong_answer_reviewed_without_key_never_holds_an_expected_value(kind):
    from tests.app.quiz.conftest import wrong_raw
    question = make_question(kind)
    hidden = question.without_key(question.grade(question.parse_answer(wrong_raw(question))))
    assert not hidden.key_shown
    assert all(i.expected is None for i in hidden.items)
    if kind in ("numeric", "short_text", "ordering"):
        assert hidden.feedback == ""  # "Het is Veilig Thuis" or the order itself would give the answer away


def test_a_right_answer_keeps_its_key():
    """The learner who answered right knows the key already: the explanation may stay."""
    question = make_question("numeric")
    grade = question.grade(question.parse_answer(perfect_raw(question)))
    assert question.without_key(grade) == grade
