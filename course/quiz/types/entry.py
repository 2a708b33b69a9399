"""Questions the learner answers by typing: numeric (with tolerance) and short text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import Field

from course.errors import N_
from course.quiz.answers import AnswerError, RawAnswer, refuse_unknown_keys, single_value
from course.quiz.grading import Grade, ItemFeedback
from course.quiz.text import MarkdownBlock
from course.quiz.types.base import NoBool, Problem, QuestionType, register, too_few

# A decimal with a comma or a point and no thousands separators: "3", "-2,5", "0.75", ",5".
_NUMBER = re.compile(r"^[+-]?([0-9]{1,15}([.,][0-9]{0,15})?|[.,][0-9]{1,15})$")
MAX_TEXT_LENGTH = 200


@dataclass(frozen=True)
class NumericAnswer:
    value: Decimal


def parse_number(text: str, unit: str | None = None) -> Decimal | None:
    """Read a number as a Dutch learner types it ("3,5", "3.5", "3,5 jaar" when the unit is "jaar").

    Returns None when ``text`` is not such a number.
    """
    text = text.strip()
    if unit and text.casefold().endswith(unit.casefold()):
        text = text[: -len(unit)].strip()
    if not _NUMBER.match(text):
        return None
    return Decimal(text.replace(",", "."))


def format_number(value: Decimal) -> str:
    """A number as a Dutch reader writes it: decimal comma, no trailing zeros ("2,5", "3")."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


@register
class Numeric(QuestionType):
    """A number; any answer within ``tolerance`` of ``answer`` (inclusive) is right."""

    type: Literal["numeric"]
    answer: Annotated[Decimal, NoBool]
    tolerance: Annotated[Decimal, NoBool] = Field(default=Decimal(0), ge=0)
    unit: str | None = None
    feedback_correct: MarkdownBlock
    feedback_incorrect: MarkdownBlock
    template = "quiz/questions/numeric.html"

    def parse_answer(self, raw: RawAnswer) -> NumericAnswer | None:
        refuse_unknown_keys(raw, self.id, {""})
        text = single_value(raw, self.id)
        if not text:
            return None
        value = parse_number(text, self.unit)
        if value is None:
            raise AnswerError(N_("Vul een getal in, bijvoorbeeld 3 of 2,5."), self.id)
        return NumericAnswer(value)

    def answer_to_raw(self, answer: NumericAnswer) -> dict[str, list[str]]:
        return {"": [format_number(answer.value)]}

    def grade(self, answer: NumericAnswer | None) -> Grade:
        expected = format_number(self.answer)
        if answer is None:
            return Grade(Fraction(0), (ItemFeedback("answer", False, None, expected),), answered=False)
        # Decimal arithmetic: 2,5 is within 0,1 of 2,4 (with floats it would not be).
        right = abs(answer.value - self.answer) <= self.tolerance
        feedback = self.feedback_correct if right else self.feedback_incorrect
        item = ItemFeedback("answer", right, format_number(answer.value), expected)
        return Grade(Fraction(int(right)), (item,), feedback)


def normalise_text(text: str) -> str:
    """Fold case, accents and whitespace: " Één  Kind " → "een kind"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


@dataclass(frozen=True)
class TextAnswer:
    text: str


@register
class ShortText(QuestionType):
    """A word or a few words; right when it matches an accepted answer, ignoring case, accents and spaces."""

    type: Literal["short_text"]
    accepted: tuple[str, ...]
    feedback_correct: MarkdownBlock
    feedback_incorrect: MarkdownBlock
    template = "quiz/questions/short_text.html"

    def validate_definition(self) -> Iterator[Problem]:
        yield from too_few(self.accepted, 1, "accepted", "accepted answer")
        seen: set[str] = set()
        for n, text in enumerate(self.accepted):
            key = normalise_text(text)
            if not key:
                yield ("accepted", n), "an accepted answer cannot be empty"
            elif key in seen:
                yield ("accepted", n), f"'{text}' is the same as an earlier accepted answer"
            seen.add(key)

    def parse_answer(self, raw: RawAnswer) -> TextAnswer | None:
        refuse_unknown_keys(raw, self.id, {""})
        text = " ".join(single_value(raw, self.id).split())
        if not text:
            return None
        if len(text) > MAX_TEXT_LENGTH:
            raise AnswerError(N_("Je antwoord is te lang (hoogstens %(max)s tekens)."), self.id,
                              max=MAX_TEXT_LENGTH)
        return TextAnswer(text)

    def answer_to_raw(self, answer: TextAnswer) -> dict[str, list[str]]:
        return {"": [answer.text]}

    def grade(self, answer: TextAnswer | None) -> Grade:
        expected = self.accepted[0]
        if answer is None:
            return Grade(Fraction(0), (ItemFeedback("answer", False, None, expected),), answered=False)
        right = normalise_text(answer.text) in {normalise_text(a) for a in self.accepted}
        feedback = self.feedback_correct if right else self.feedback_incorrect
        return Grade(Fraction(int(right)), (ItemFeedback("answer", right, answer.text, expected),), feedback)
