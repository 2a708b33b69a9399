"""Attempt papers: seeded drawing and shuffling, snapshots, and grading a whole attempt."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from quiz_builders import make_question, make_quiz, perfect_raw, question_data

from course.quiz import Paper, display_order, draw_paper


def test_same_seed_same_paper():
    """A reload shows the questions and options in the same order."""
    quiz = make_quiz(shuffle={"questions": True, "options": True}, draw=5)
    assert draw_paper(quiz, 1234, "k") == draw_paper(quiz, 1234, "k")


def test_seeds_give_different_orders():
    quiz = make_quiz(shuffle={"questions": True, "options": True})
    orders = {tuple(pq.question.id for pq in draw_paper(quiz, seed).questions) for seed in range(20)}
    assert len(orders) > 1


def test_without_shuffling_the_file_order_is_kept():
    quiz = make_quiz()
    paper = draw_paper(quiz, 99)
    assert [pq.question.id for pq in paper.questions] == [q.id for q in quiz.questions]
    single = paper.questions[0]
    assert single.order == ("a", "b", "c")


def test_draw_takes_that_many_distinct_questions_in_file_order():
    quiz = make_quiz(draw=3)
    for seed in range(10):
        ids = [pq.question.id for pq in draw_paper(quiz, seed).questions]
        assert len(ids) == len(set(ids)) == 3
        file_order = [q.id for q in quiz.questions]
        assert ids == sorted(ids, key=file_order.index)


@pytest.mark.parametrize("seed", range(30))
def test_ordering_items_are_never_shown_in_the_correct_order(seed):
    """The file lists ordering items correctly; showing them so would give the answer away."""
    for n in (2, 3, 5):
        items = [{"id": f"i{k}", "text": f"I{k}"} for k in range(n)]
        q = make_question("ordering", items=items)
        order = display_order(q, seed, shuffle=False)
        assert sorted(order) == sorted(q.choice_ids())
        assert order != q.choice_ids()


def test_display_order_without_a_list_is_empty():
    assert display_order(make_question("numeric"), 1, shuffle=True) == ()


def test_snapshot_is_json_and_restores_the_same_paper():
    quiz = make_quiz(shuffle={"questions": True, "options": True})
    paper = draw_paper(quiz, 7)
    snapshot = json.loads(json.dumps(paper.to_snapshot()))
    assert Paper.from_snapshot(snapshot) == paper


def test_snapshot_keeps_rendered_html_as_is():
    """Reviewing an old attempt shows the text as it was, not escaped a second time."""
    quiz = make_quiz([question_data("true_false", "tf", prompt="Is dit **vet**?")])
    restored = Paper.from_snapshot(draw_paper(quiz, 1).to_snapshot())
    assert restored.questions[0].question.prompt == "<p>Is dit <strong>vet</strong>?</p>"


@pytest.mark.parametrize("data", [{}, {"version": 99}, {"version": 1, "questions": [{"definition": {}}]}, []])
def test_broken_snapshots_raise_value_error(data):
    with pytest.raises(ValueError):
        Paper.from_snapshot(data)


def test_ordered_sorts_elements_in_paper_order():
    quiz = make_quiz(shuffle={"options": True})
    for pq in draw_paper(quiz, 3).questions:
        elements = getattr(pq.question, "options", None) or getattr(pq.question, "items", None) or []
        if pq.order:
            assert [e.id for e in pq.ordered(elements)] == list(pq.order)


def test_grade_a_whole_paper_weighted_by_points():
    quiz = make_quiz([
        question_data("true_false", "een", points=3),
        question_data("true_false", "twee"),
    ], pass_mark=75)
    paper = draw_paper(quiz, 1)
    one = {"een": paper.questions[0].question.parse_answer({"": ["true"]})}
    result = paper.grade(one)
    assert result.score == Fraction(3, 4)
    assert result.passed  # exactly the pass mark passes
    assert result.grades["twee"].score == 0 and not result.grades["twee"].answered
    assert not paper.grade({}).passed


def test_pass_mark_boundary_is_exact():
    """7 of 10 passes a pass mark of 70 (no floating-point shortfall)."""
    quiz = make_quiz([question_data("true_false", f"v{n}") for n in range(10)], pass_mark=70)
    paper = draw_paper(quiz, 1)
    answers = {pq.question.id: pq.question.parse_answer({"": ["true"]}) for pq in paper.questions[:7]}
    assert paper.grade(answers).passed
    answers.popitem()
    assert not paper.grade(answers).passed


def test_perfect_paper_scores_one():
    quiz = make_quiz()
    paper = draw_paper(quiz, 5)
    answers = {pq.question.id: pq.question.parse_answer(perfect_raw(pq.question)) for pq in paper.questions}
    result = paper.grade(answers)
    assert result.score == 1 and result.passed
