"""Question definitions that do not add up: the author is told the exact field and what is wrong.

The loader prefixes each problem with file, line and ``questions[n]``; here every type's own checks are
compared whole (location and message), so a message naming the wrong field, the wrong count or the wrong
index fails a test, and a definition just inside a limit is shown to pass.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter
from quiz_builders import option, question_data

from course.quiz import Question

QUESTION: TypeAdapter[Any] = TypeAdapter(Question)


def problems(kind: str, **fields: Any) -> list[tuple[tuple[str | int, ...], str]]:
    return list(QUESTION.validate_python(question_data(kind, **fields)).validate_definition())


def category(category_id: str) -> dict[str, str]:
    return {"id": category_id, "label": category_id.title()}


def cat_item(item_id: str, category_id: str) -> dict[str, str]:
    return {"id": item_id, "text": item_id.upper(), "category": category_id, "feedback": f"over {item_id}"}


# --- categorise ----------------------------------------------------------------------------------

def test_categorise_with_two_categories_and_one_item_is_sound():
    assert problems("categorise", categories=[category("ja"), category("nee")], items=[cat_item("x", "nee")]) == []


def test_categorise_needs_two_categories():
    assert problems("categorise", categories=[category("ja")], items=[cat_item("x", "ja")]) == [
        (("categories",), "needs at least 2 categories, found 1")]


def test_categorise_needs_an_item():
    assert problems("categorise", items=[]) == [(("items",), "needs at least 1 item, found 0")]


def test_categorise_duplicate_category_and_item_ids_are_located_at_the_second():
    assert problems("categorise",
                    categories=[category("ja"), category("nee"), category("ja")],
                    items=[cat_item("x", "ja"), cat_item("y", "nee"), cat_item("x", "nee")]) == [
        (("categories", 2, "id"), "duplicate id 'ja'"),
        (("items", 2, "id"), "duplicate id 'x'"),
    ]


def test_categorise_item_in_an_unknown_category_lists_the_known_ones_sorted():
    assert problems("categorise",
                    categories=[category("zeker"), category("misschien")],
                    items=[cat_item("x", "zeker"), cat_item("y", "nooit"), cat_item("z", "zeker-niet")]) == [
        (("items", 1, "category"), "unknown category 'nooit'; expected one of ['misschien', 'zeker']"),
        (("items", 2, "category"), "unknown category 'zeker-niet'; expected one of ['misschien', 'zeker']"),
    ]


def test_categorise_reports_every_problem_at_once():
    assert problems("categorise", categories=[category("ja")], items=[]) == [
        (("categories",), "needs at least 2 categories, found 1"),
        (("items",), "needs at least 1 item, found 0"),
    ]


# --- choice --------------------------------------------------------------------------------------

def test_single_choice_with_two_options_one_right_is_sound():
    assert problems("single_choice", options=[option("a"), option("b", True)]) == []


@pytest.mark.parametrize(("options", "expected"), [
    ([option("a", True)], [(("options",), "needs at least 2 options, found 1")]),
    ([option("a"), option("b"), option("c")],
     [(("options",), "a single choice question needs exactly one correct option, found 0")]),
    ([option("a", True), option("b"), option("c", True)],
     [(("options",), "a single choice question needs exactly one correct option, found 2")]),
    ([option("a", True), option("b"), option("b")], [(("options", 2, "id"), "duplicate id 'b'")]),
    ([option("a")], [(("options",), "needs at least 2 options, found 1"),
                     (("options",), "a single choice question needs exactly one correct option, found 0")]),
])
def test_single_choice_definition_problems(options, expected):
    assert problems("single_choice", options=options) == expected


def test_multiple_response_with_two_options_one_right_is_sound():
    assert problems("multiple_response", options=[option("a"), option("b", True)]) == []


@pytest.mark.parametrize(("options", "expected"), [
    ([option("a", True)], [(("options",), "needs at least 2 options, found 1")]),
    ([option("a"), option("b")],
     [(("options",), "a multiple response question needs at least one correct option")]),
    ([option("x", True), option("y", True), option("x")], [(("options", 2, "id"), "duplicate id 'x'")]),
])
def test_multiple_response_definition_problems(options, expected):
    assert problems("multiple_response", options=options) == expected


def test_true_false_has_nothing_to_add_up():
    assert problems("true_false") == []


# --- ordering ------------------------------------------------------------------------------------

def test_ordering_with_two_items_is_sound():
    assert problems("ordering", items=[{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]) == []


@pytest.mark.parametrize(("items", "expected"), [
    (["a"], [(("items",), "needs at least 2 items, found 1")]),
    (["a", "b", "a", "b"], [(("items", 2, "id"), "duplicate id 'a'"), (("items", 3, "id"), "duplicate id 'b'")]),
])
def test_ordering_definition_problems(items, expected):
    assert problems("ordering", items=[{"id": i, "text": i.upper()} for i in items]) == expected


# --- short text ----------------------------------------------------------------------------------

def test_short_text_with_one_accepted_answer_is_sound():
    assert problems("short_text", accepted=["Veilig Thuis"]) == []


@pytest.mark.parametrize(("accepted", "expected"), [
    ([], [(("accepted",), "needs at least 1 accepted answer, found 0")]),
    (["Veilig Thuis", "  "], [(("accepted", 1), "an accepted answer cannot be empty")]),
    (["", ""], [(("accepted", 0), "an accepted answer cannot be empty"),
                (("accepted", 1), "an accepted answer cannot be empty")]),
    (["Één kind", "AMK", "een  KIND"], [(("accepted", 2), "'een  KIND' is the same as an earlier accepted answer")]),
    (["a", "b", "A", "B"], [(("accepted", 2), "'A' is the same as an earlier accepted answer"),
                            (("accepted", 3), "'B' is the same as an earlier accepted answer")]),
])
def test_short_text_definition_problems(accepted, expected):
    assert problems("short_text", accepted=accepted) == expected


def test_numeric_has_nothing_to_add_up():
    assert problems("numeric") == []
