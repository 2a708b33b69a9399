"""The bank rules, problem by problem: exactly where in the file and exactly what the author reads."""

from __future__ import annotations

import pytest
from quiz_builders import _QUESTION, make_question, option, question_data

from course.quiz.bank import attempt_size, check_bank, key_problems
from course.quiz.model import QuizSettings
from course.quiz.types.base import QuestionType


def settings(draw=None) -> QuizSettings:
    data = {"id": "x", "module": "m", "title": "T", "pass_mark": 50}
    return QuizSettings.model_validate({**data, "draw": draw} if draw is not None else data)


def tf(n: int, answer: bool = True, pool: str | None = None) -> QuestionType:
    return _QUESTION.validate_python(question_data("true_false", f"v{n}", answer=answer, pool=pool))


def sc(n: int, correct: int, ids: str = "abc") -> QuestionType:
    return make_question("single_choice", f"s{n}", options=[option(k, i == correct) for i, k in enumerate(ids)])


def mr(n: int, correct: str) -> QuestionType:
    return make_question("multiple_response", f"m{n}", options=[option(k, k in correct) for k in "abcd"])


def test_attempt_size():
    bank = [tf(n, pool="a" if n < 3 else "b") for n in range(5)]
    assert attempt_size(settings([{"id": "a", "draw": 2}, {"id": "b", "draw": 9}]), bank) == 4
    assert attempt_size(settings(3), bank) == 3
    assert attempt_size(settings(9), bank) == 5
    assert attempt_size(settings(), bank) == 5


@pytest.mark.parametrize(("draw", "bank", "practice", "problems"), [
    (2, [tf(n) for n in range(4)], [], []),
    (2, [tf(n) for n in range(3)], [], [
        (("draw",), "the bank holds 3 questions and an attempt draws 2: a graded quiz needs at least 2 × 2 = 4 in "
                    "its bank (add questions, or draw fewer with 'draw')")]),
    (None, [tf(0), tf(1)], [], [
        (("questions",), "the bank holds 2 questions and an attempt draws 2: a graded quiz needs at least 2 × 2 = 4 "
                         "in its bank (add questions, or draw fewer with 'draw')")]),
    (5, [tf(n) for n in range(5)], [], [
        (("draw",), "the bank holds 5 questions and an attempt draws 5: a graded quiz needs at least 2 × 5 = 10 in "
                    "its bank (add questions, or draw fewer with 'draw')")]),
    (6, [tf(n) for n in range(5)], [], [
        (("draw",), "draws 6 questions but the bank has only 5"),
        (("draw",), "the bank holds 5 questions and an attempt draws 5: a graded quiz needs at least 2 × 5 = 10 in "
                    "its bank (add questions, or draw fewer with 'draw')")]),
    (1, [tf(0), tf(1, pool="p")], [tf(2, pool="q")], [
        (("practice", 0, "pool"), "practice questions are never drawn into an attempt: remove 'pool'"),
        (("questions", 1, "pool"), "pool 'p' is not declared: list the pools under 'draw' (or remove 'pool')")]),
    ([{"id": "a", "draw": 1}, {"id": "b", "draw": 1}], [tf(0, pool="a"), tf(1, pool="a"), tf(2, pool="b"),
                                                        tf(3, pool="b")], [], []),
    ([{"id": "a", "draw": 2}, {"id": "a", "draw": 1}], [tf(n, pool="a") for n in range(6)] + [tf(7), tf(8, pool="z")],
     [], [
        (("draw", 1, "id"), "duplicate pool id 'a'"),
        (("questions", 6), "missing required key 'pool' (one of: a)"),
        (("questions", 7, "pool"), "unknown pool 'z'; expected one of: a")]),
    ([{"id": "a", "draw": 2}, {"id": "b", "draw": 1}], [tf(n, pool="a") for n in range(5)] + [tf(5, pool="b")], [], [
        (("draw", 1, "draw"), "pool 'b' draws 1 of its 1 question(s): a pool must hold more questions than it "
                              "draws, so that a second attempt gets other ones")]),
    ([{"id": "b", "draw": 1}, {"id": "a", "draw": 1}], [tf(0, pool="a"), tf(1, pool="b"), tf(2, pool="b"),
                                                        tf(3, pool="c")], [], [
        (("draw", 1, "draw"), "pool 'a' draws 1 of its 1 question(s): a pool must hold more questions than it "
                              "draws, so that a second attempt gets other ones"),
        (("questions", 3, "pool"), "unknown pool 'c'; expected one of: a, b")]),
])
def test_bank_problems(draw, bank, practice, problems):
    assert list(check_bank(settings(draw), bank, practice)) == problems


def test_a_larger_bank_factor():
    problems = list(check_bank(settings(2), [tf(n) for n in range(5)], [], bank_factor=3))
    assert problems == [(("draw",), "the bank holds 5 questions and an attempt draws 2: a graded quiz needs at "
                                    "least 3 × 2 = 6 in its bank (add questions, or draw fewer with 'draw')")]


@pytest.mark.parametrize(("bank", "problems"), [
    ([sc(0, 0), sc(1, 0)], [
        (("questions",), "the correct option is option 1 in every single_choice question: vary its position"),
        (("questions",), "the correct option has id 'a' in every single_choice question")]),
    ([sc(0, 1), sc(1, 1, "xyz")], [
        (("questions",), "the correct option is option 2 in every single_choice question: vary its position")]),
    ([sc(0, 0), sc(1, 1, "bac")], [
        (("questions",), "the correct option has id 'a' in every single_choice question")]),
    ([sc(0, 0), sc(1, 1)], []),
    ([sc(0, 0)], []),  # one question is no pattern
    ([tf(0, False), tf(1, False)], [(("questions",), "every true_false question has answer false: vary the key")]),
    ([tf(0, True), tf(1, True), tf(2, True)], [(("questions",), "every true_false question has answer true: "
                                                                "vary the key")]),
    ([tf(0, True), tf(1, False)], []),
    ([tf(0, True)], []),
    ([mr(0, "abcd"), mr(1, "abcd")], [(("questions",), "every option is correct in every multiple_response question: "
                                                       "ticking everything would always score full marks")]),
    ([mr(0, "ab"), mr(1, "ab")], [(("questions",), "the correct options sit at the same positions in every "
                                                   "multiple_response question")]),
    ([mr(0, "ab"), mr(1, "bc")], []),
    ([mr(0, "abcd"), mr(1, "ab")], []),
    ([mr(0, "ab")], []),
    ([tf(0), make_question("categorise", "c", items=[
        {"id": "x", "text": "X", "category": "boven", "feedback": "f"},
        {"id": "y", "text": "Y", "category": "boven", "feedback": "f"}])],
     [(("questions", 1, "items"), "every item belongs to the same category: the question gives its answer away")]),
    ([make_question("categorise", "c")], []),
])
def test_key_patterns(bank, problems):
    assert list(key_problems(bank)) == problems


def test_a_quiz_draws_from_pools_only_when_it_lists_them():
    from course.quiz.model import PoolDraw, drawn_pools
    pools = (PoolDraw(id="a", draw=2), PoolDraw(id="b", draw=1))
    assert (drawn_pools(pools), drawn_pools(3), drawn_pools(None)) == (pools, (), ())
