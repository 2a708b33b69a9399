"""Categorise (matching): sort items into categories."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from course.content.validation import Frozen
from course.errors import N_
from course.quiz.answers import AnswerError, MalformedAnswer, RawAnswer, refuse_unknown_keys, single_value
from course.quiz.grading import Grade, ItemFeedback, credit
from course.quiz.text import MarkdownBlock, MarkdownInline
from course.quiz.types.base import Problem, QuestionType, Slug, duplicate_ids, register, too_few


class Category(Frozen):
    id: Slug
    label: MarkdownInline


class CategoriseItem(Frozen):
    id: Slug
    text: MarkdownInline
    category: Slug
    feedback: MarkdownBlock


@dataclass(frozen=True)
class CategoriseAnswer:
    """The category id the learner chose for each item, as sorted ``(item_id, category_id)`` pairs."""

    placed: tuple[tuple[str, str], ...]

    def category_of(self, item_id: str) -> str | None:
        return dict(self.placed).get(item_id)


@register
class Categorise(QuestionType):
    """Items to sort into categories; without JavaScript each item gets a select box of categories."""

    type: Literal["categorise"]
    categories: tuple[Category, ...]
    items: tuple[CategoriseItem, ...]
    scoring: Literal["all_or_nothing", "per_item"]
    template = "quiz/questions/categorise.html"

    def validate_definition(self) -> Iterator[Problem]:
        yield from too_few(self.categories, 2, "categories", "categories")
        yield from too_few(self.items, 1, "items", "item")
        yield from duplicate_ids([c.id for c in self.categories], "categories")
        yield from duplicate_ids([i.id for i in self.items], "items")
        known = {c.id for c in self.categories}
        for n, item in enumerate(self.items):
            if item.category not in known:
                yield ("items", n, "category"), (
                    f"unknown category '{item.category}'; expected one of {sorted(known)}")

    def choice_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    def field_keys(self) -> tuple[str, ...]:
        return self.choice_ids()

    def opaque_values(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

    def parse_answer(self, raw: RawAnswer) -> CategoriseAnswer | None:
        """Categories come as ``{item_id: ["category-id"]}``; every item needs one."""
        ids = self.choice_ids()
        refuse_unknown_keys(raw, self.id, set(ids))
        known = {c.id for c in self.categories}
        placed: dict[str, str] = {}
        for item_id in ids:
            value = single_value(raw, self.id, item_id)
            if not value:
                continue
            if value not in known:
                raise MalformedAnswer(N_("Onbekende categorie."), self.id)
            placed[item_id] = value
        if not placed:
            return None
        if len(placed) < len(ids):
            raise AnswerError(N_("Kies voor elk onderdeel een categorie."), self.id)
        return CategoriseAnswer(tuple(sorted(placed.items())))

    def answer_to_raw(self, answer: CategoriseAnswer) -> dict[str, list[str]]:
        return {item_id: [category] for item_id, category in answer.placed}

    def grade(self, answer: CategoriseAnswer | None) -> Grade:
        placed = dict(answer.placed) if answer else {}
        items = tuple(
            ItemFeedback(item.id, placed.get(item.id) == item.category, placed.get(item.id),
                         item.category, item.feedback)
            for item in self.items
        )
        right = sum(i.correct for i in items)
        score = credit(right, len(items), partial=self.scoring == "per_item")
        return Grade(score, items, answered=answer is not None)
