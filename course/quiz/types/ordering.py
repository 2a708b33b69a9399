"""Ordering: put items in the right order (the file lists them in the correct order)."""

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


class OrderingItem(Frozen):
    id: Slug
    text: MarkdownInline


@dataclass(frozen=True)
class OrderingAnswer:
    """The item ids in the order the learner put them."""

    order: tuple[str, ...]


@register
class Ordering(QuestionType):
    """Items to put in order; without JavaScript each item gets a select box with its position (1..n)."""

    type: Literal["ordering"]
    items: tuple[OrderingItem, ...]
    scoring: Literal["all_or_nothing", "positions"]
    feedback: MarkdownBlock
    template = "quiz/questions/ordering.html"
    always_shuffle = True

    def validate_definition(self) -> Iterator[Problem]:
        yield from too_few(self.items, 2, "items", "items")
        yield from duplicate_ids([i.id for i in self.items], "items")

    def choice_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    def field_keys(self) -> tuple[str, ...]:
        return self.choice_ids()

    def parse_answer(self, raw: RawAnswer) -> OrderingAnswer | None:
        """Positions come as ``{item_id: ["2"]}``; every item needs its own position."""
        ids = self.choice_ids()
        refuse_unknown_keys(raw, self.id, set(ids))
        positions: dict[str, int] = {}
        for item_id in ids:
            value = single_value(raw, self.id, item_id)
            if not value:
                continue
            # ASCII digits only: str.isdigit() also takes '²', which int() cannot read.
            if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= len(ids):
                raise MalformedAnswer(N_("Onbekende positie."), self.id)
            positions[item_id] = int(value)
        if not positions:
            return None
        if len(positions) < len(ids):
            raise AnswerError(N_("Geef elk onderdeel een plaats in de volgorde."), self.id)
        if len(set(positions.values())) < len(ids):
            raise AnswerError(N_("Elke plaats in de volgorde kan maar één keer gekozen worden."), self.id)
        return OrderingAnswer(tuple(sorted(ids, key=positions.__getitem__)))

    def answer_to_raw(self, answer: OrderingAnswer) -> dict[str, list[str]]:
        return {item_id: [str(pos)] for pos, item_id in enumerate(answer.order, start=1)}

    def grade(self, answer: OrderingAnswer | None) -> Grade:
        given = {item_id: pos for pos, item_id in enumerate(answer.order, start=1)} if answer else {}
        items = tuple(
            ItemFeedback(item.id, given.get(item.id) == pos,
                         str(given[item.id]) if item.id in given else None, str(pos))
            for pos, item in enumerate(self.items, start=1)
        )
        right = sum(i.correct for i in items)
        score = credit(right, len(items), partial=self.scoring == "positions")
        return Grade(score, items, self.feedback, answered=answer is not None)
