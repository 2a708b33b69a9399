"""Property tests: scores stay in [0, 1], option order never changes a grade, perfect answers score 1."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from quiz_builders import make_question, option, perfect_raw

from course.quiz import display_order

IDS = [f"o{n}" for n in range(8)]


@st.composite
def choice_questions(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["single_choice", "multiple_response"]))
    n = draw(st.integers(2, 7))
    if kind == "single_choice":
        right = draw(st.integers(0, n - 1))
        flags = [i == right for i in range(n)]
        extra: dict[str, Any] = {}
    else:
        flags = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(any))
        extra = {"scoring": draw(st.sampled_from(["all_or_nothing", "per_option"]))}
    return {"kind": kind, "options": [option(IDS[i], flags[i]) for i in range(n)], **extra}


@st.composite
def categorise_questions(draw: Any) -> dict[str, Any]:
    categories = [f"c{k}" for k in range(draw(st.integers(2, 4)))]
    n = draw(st.integers(1, 6))
    items = [{"id": IDS[i], "text": IDS[i], "category": draw(st.sampled_from(categories)), "feedback": "f"}
             for i in range(n)]
    return {"kind": "categorise", "scoring": draw(st.sampled_from(["all_or_nothing", "per_item"])),
            "categories": [{"id": c, "label": c} for c in categories], "items": items}


@st.composite
def ordering_questions(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(2, 7))
    return {"kind": "ordering", "scoring": draw(st.sampled_from(["all_or_nothing", "positions"])),
            "items": [{"id": IDS[i], "text": IDS[i]} for i in range(n)]}


definitions = st.one_of(choice_questions(), categorise_questions(), ordering_questions())


def build(definition: dict[str, Any]):
    fields = dict(definition)
    return make_question(fields.pop("kind"), **fields)


@st.composite
def question_and_raw(draw: Any):
    """A question and any answer a page could post for it (complete or partial)."""
    question = build(draw(definitions))
    q: Any = question
    if question.type == "single_choice":
        raw = {"": [draw(st.sampled_from(question.choice_ids()))]}
    elif question.type == "multiple_response":
        raw = {"": draw(st.lists(st.sampled_from(question.choice_ids()), unique=True))}
    elif question.type == "ordering":
        positions = draw(st.permutations(range(1, len(q.items) + 1)))
        raw = {item.id: [str(p)] for item, p in zip(q.items, positions, strict=True)}
    else:
        categories = [c.id for c in q.categories]
        raw = {item.id: [draw(st.sampled_from(categories))] for item in q.items}
    return question, raw


@given(question_and_raw())
def test_score_is_always_between_zero_and_one(case):
    question, raw = case
    grade = question.grade(question.parse_answer(raw))
    assert 0 <= grade.score <= 1
    assert grade.correct == (grade.score == 1)


@given(definitions)
def test_a_perfect_answer_always_scores_one(definition):
    question = build(definition)
    assert question.grade(question.parse_answer(perfect_raw(question))).score == 1


@given(question_and_raw(), st.randoms(use_true_random=False))
def test_option_order_never_changes_the_grade(case, rnd):
    """Shuffling options (or categorise items and categories) in the file leaves every grade as it was."""
    question, raw = case
    if question.type == "ordering":
        return  # the file order of an ordering *is* its answer
    data = question.model_dump()
    for key in ("options", "items", "categories"):
        if key in data:
            data[key] = list(data[key])
            rnd.shuffle(data[key])
    shuffled = make_question(data.pop("type"), data.pop("id"), **data)
    assert shuffled.grade(shuffled.parse_answer(raw)).score == question.grade(question.parse_answer(raw)).score


@given(definitions, st.integers(), st.booleans())
def test_display_order_is_a_permutation_and_deterministic(definition, seed, shuffle):
    question = build(definition)
    order = display_order(question, seed, shuffle)
    assert sorted(order) == sorted(question.choice_ids())
    assert order == display_order(question, seed, shuffle)
