"""Choice questions: single choice, multiple response and true/false."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from course.content.validation import Frozen
from course.errors import N_
from course.quiz.answers import MalformedAnswer, RawAnswer, refuse_unknown_keys, single_value
from course.quiz.grading import Grade, ItemFeedback, credit
from course.quiz.text import MarkdownBlock, MarkdownInline
from course.quiz.types.base import Problem, QuestionType, Slug, duplicate_ids, register, too_few


class Option(Frozen):
    id: Slug
    text: MarkdownInline
    correct: bool = False
    feedback: MarkdownBlock


@dataclass(frozen=True)
class ChoiceAnswer:
    """The ids of the options the learner chose (exactly one for single choice)."""

    chosen: frozenset[str]


def _bool_str(value: bool) -> str:
    return "true" if value else "false"


class _ChoiceQuestion(QuestionType):
    options: tuple[Option, ...]

    def validate_definition(self) -> Iterator[Problem]:
        yield from too_few(self.options, 2, "options", "options")
        yield from duplicate_ids([o.id for o in self.options], "options")

    def choice_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def opaque_values(self) -> tuple[str, ...]:
        return self.choice_ids()

    def _chosen_ids(self, raw: RawAnswer) -> frozenset[str]:
        refuse_unknown_keys(raw, self.id, {""})
        chosen = frozenset(v.strip() for v in raw.get("", ()) if v.strip())
        if not chosen <= set(self.choice_ids()):
            raise MalformedAnswer(N_("Onbekende antwoordoptie."), self.id)
        return chosen

    def answer_to_raw(self, answer: ChoiceAnswer) -> dict[str, list[str]]:
        return {"": sorted(answer.chosen)}

    def without_key(self, grade: Grade) -> Grade:
        # Feedback on an option the learner chose refutes (or confirms) their own reasoning: it stays.
        return grade.without_key(lambda item: item.given == "true", keep_feedback=False)

    def _option_feedback(self, chosen: frozenset[str]) -> tuple[ItemFeedback, ...]:
        return tuple(
            ItemFeedback(o.id, (o.id in chosen) == o.correct, _bool_str(o.id in chosen),
                         _bool_str(o.correct), o.feedback)
            for o in self.options
        )


@register
class SingleChoice(_ChoiceQuestion):
    """Exactly one option is correct; the learner picks one (radio buttons)."""

    type: Literal["single_choice"]
    template = "quiz/questions/single_choice.html"

    def validate_definition(self) -> Iterator[Problem]:
        yield from super().validate_definition()
        correct = sum(o.correct for o in self.options)
        if correct != 1:
            yield ("options",), f"a single choice question needs exactly one correct option, found {correct}"

    def parse_answer(self, raw: RawAnswer) -> ChoiceAnswer | None:
        refuse_unknown_keys(raw, self.id, {""})
        value = single_value(raw, self.id)
        return ChoiceAnswer(self._chosen_ids({"": [value]})) if value else None

    def grade(self, answer: ChoiceAnswer | None) -> Grade:
        chosen = answer.chosen if answer else frozenset()
        right = any(o.correct and o.id in chosen for o in self.options) and len(chosen) == 1
        return Grade(Fraction(int(right)), self._option_feedback(chosen), answered=answer is not None)


@register
class MultipleResponse(_ChoiceQuestion):
    """One or more options are correct; the learner ticks every option they think is (checkboxes)."""

    type: Literal["multiple_response"]
    scoring: Literal["all_or_nothing", "per_option"]
    template = "quiz/questions/multiple_response.html"

    def validate_definition(self) -> Iterator[Problem]:
        yield from super().validate_definition()
        if not any(o.correct for o in self.options):
            yield ("options",), "a multiple response question needs at least one correct option"

    def parse_answer(self, raw: RawAnswer) -> ChoiceAnswer | None:
        chosen = self._chosen_ids(raw)
        return ChoiceAnswer(chosen) if chosen else None

    def grade(self, answer: ChoiceAnswer | None) -> Grade:
        chosen = answer.chosen if answer else frozenset()
        items = self._option_feedback(chosen)
        right = sum(i.correct for i in items) if answer else 0
        score = credit(right, len(items), partial=self.scoring == "per_option")
        return Grade(score, items, answered=answer is not None)


@dataclass(frozen=True)
class TrueFalseAnswer:
    value: bool


@register
class TrueFalse(QuestionType):
    """A statement that is true or false; feedback is written for each of the two choices."""

    type: Literal["true_false"]
    answer: bool
    feedback_true: MarkdownBlock
    feedback_false: MarkdownBlock
    template = "quiz/questions/true_false.html"

    def opaque_values(self) -> tuple[str, ...]:
        return ("true", "false")

    def parse_answer(self, raw: RawAnswer) -> TrueFalseAnswer | None:
        refuse_unknown_keys(raw, self.id, {""})
        value = single_value(raw, self.id)
        if not value:
            return None
        if value not in ("true", "false"):
            raise MalformedAnswer(N_("Kies juist of onjuist."), self.id)
        return TrueFalseAnswer(value == "true")

    def answer_to_raw(self, answer: TrueFalseAnswer) -> dict[str, list[str]]:
        return {"": [_bool_str(answer.value)]}

    def without_key(self, grade: Grade) -> Grade:
        # The feedback is written for the value the learner chose.
        return grade.without_key(lambda item: item.given is not None, keep_feedback=grade.answered)

    def grade(self, answer: TrueFalseAnswer | None) -> Grade:
        if answer is None:
            return Grade(Fraction(0), (ItemFeedback("answer", False, None, _bool_str(self.answer)),),
                         answered=False)
        right = answer.value == self.answer
        feedback = self.feedback_true if answer.value else self.feedback_false
        item = ItemFeedback("answer", right, _bool_str(answer.value), _bool_str(self.answer), feedback)
        return Grade(Fraction(int(right)), (item,), feedback)
