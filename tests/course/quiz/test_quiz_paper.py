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


# --- the same paper in every process -------------------------------------------------------------------

def test_a_seed_gives_the_same_paper_in_every_process_and_release():
    """The order comes from the seed hashed with SHA-512 (not Python's per-process hash()): these exact
    papers are what seed 7 gives, on every worker and after an upgrade."""
    shuffled = make_quiz(shuffle={"questions": True, "options": True}, draw=5)
    assert [(pq.question.id, pq.order) for pq in draw_paper(shuffled, 7, "k").questions] == [
        ("q-categorise", ("z", "y", "x")), ("q-short-text", ()), ("q-ordering", ("een", "drie", "vier", "twee")),
        ("q-multiple-response", ("c", "b", "a", "d")), ("q-true-false", ())]
    questions_only = make_quiz(shuffle={"questions": True, "options": False})
    expected = [
        ("q-numeric", ()), ("q-single-choice", ("a", "b", "c")), ("q-multiple-response", ("a", "b", "c", "d")),
        ("q-short-text", ()), ("q-ordering", ("een", "drie", "vier", "twee")), ("q-true-false", ()),
        ("q-categorise", ("x", "y", "z"))]
    assert [(pq.question.id, pq.order) for pq in draw_paper(questions_only, 7, "k").questions] == expected
    # Drawing the whole bank is no draw at all: the same paper.
    whole_bank = make_quiz(shuffle={"questions": True, "options": False}, draw=7)
    assert [(pq.question.id, pq.order) for pq in draw_paper(whole_bank, 7, "k").questions] == expected


def test_pools_draw_per_quiz_and_a_pool_smaller_than_its_draw_gives_all_it_has():
    questions = ([question_data("true_false", f"s{n}", pool="a") for n in range(5)]
                 + [question_data("true_false", f"w{n}", pool="b") for n in range(4)])
    draw = [{"id": "a", "draw": 2}, {"id": "b", "draw": 9}]
    paper = draw_paper(make_quiz(questions, draw=draw), 7, "k")
    assert [pq.question.id for pq in paper.questions] == ["s2", "s4", "w0", "w1", "w2", "w3"]
    # Another quiz with the same seed draws independently of this one.
    other = draw_paper(make_quiz(questions, id="andere", draw=draw), 7, "k")
    assert [pq.question.id for pq in other.questions] == ["s0", "s3", "w0", "w1", "w2", "w3"]


def test_options_are_shuffled_per_question_and_per_seed():
    """Two questions with the same options are not shown in the same order, nor are two attempts."""
    options = [{"id": c, "text": c, "correct": c == "a", "feedback": "f"} for c in "abcdef"]
    q1 = make_question("single_choice", "een", options=options)
    q2 = make_question("single_choice", "twee", options=options)
    assert display_order(q1, "seed", shuffle=True) == ("d", "e", "f", "a", "b", "c")
    assert display_order(q2, "seed", shuffle=True) == ("f", "b", "c", "a", "d", "e")
    assert display_order(q1, 7, shuffle=True) == ("c", "a", "f", "e", "b", "d")
    assert display_order(q1, 7, shuffle=False) == ("a", "b", "c", "d", "e", "f")


def test_a_drawn_paper_has_a_fresh_128_bit_key_unless_given_one():
    quiz = make_quiz()
    keys = {draw_paper(quiz, 1).key for _ in range(3)}
    assert len(keys) == 3 and all(len(k) == 32 and int(k, 16) >= 0 for k in keys)
    assert draw_paper(quiz, 1, "gegeven").key == "gegeven"


def test_a_papers_form_decodes_with_its_own_key():
    """The values a paper's page posts turn back into ids for that paper, and only for that paper."""
    quiz = make_quiz()
    paper, other = draw_paper(quiz, 1, "sleutel"), draw_paper(quiz, 1, "andere")
    question = paper.question("q-single-choice").question
    posted = paper.opaque.encode_raw(question, {"": ["b"]})
    assert paper.decode_form({**posted, "csrf_token": ["t"]}) == {"q.q-single-choice": ["b"], "csrf_token": ["t"]}
    assert other.decode_form(posted) == {"q.q-single-choice": ["?" + posted["q.q-single-choice"][0]]}
    assert paper.question_types == tuple(q for q in quiz.questions)


def test_an_attempt_started_before_papers_had_a_key_still_restores():
    """Its pages showed plain ids; from now on they show values under a key fixed per quiz, the same on
    every reload."""
    snapshot = draw_paper(make_quiz(), 1).to_snapshot()
    del snapshot["key"]
    restored = Paper.from_snapshot(snapshot)
    assert restored.key == "legacy:toets" and Paper.from_snapshot(snapshot) == restored


def test_the_paper_keeps_the_quiz_feedback_timing():
    for timing in ("after_question", "after_submit"):
        paper = draw_paper(make_quiz(feedback=timing), 1)
        assert paper.feedback == timing and Paper.from_snapshot(paper.to_snapshot()).feedback == timing
