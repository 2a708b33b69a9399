"""The quiz file as a frozen model; questions are a union discriminated on ``type``, built from the registry."""

from __future__ import annotations

import functools
import operator
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, RootModel, field_validator

from course.content.validation import Frozen
from course.quiz.text import MarkdownBlock
from course.quiz.types import QUESTION_TYPES, QuestionType
from course.quiz.types.base import NoBool, Slug

Question = Annotated[
    functools.reduce(operator.or_, QUESTION_TYPES.values()),  # type: ignore[valid-type]
    Field(discriminator="type"),
]
"""Any registered question type, chosen by its ``type`` key."""

QuestionRoot = RootModel[Question]  # type: ignore[assignment]
"""One question on its own, to validate the questions of a file one by one."""

FeedbackTiming = Literal["after_question", "after_submit"]


class AttemptPolicy(Frozen):
    """How often a learner may try, and which attempt counts for progress."""

    max: int | str = "unlimited"  # a number of attempts (1 or more), or "unlimited"
    counts: Literal["best", "last"] = "best"

    @field_validator("max")
    @classmethod
    def _max_is_positive_or_unlimited(cls, value: int | str) -> int | str:
        if isinstance(value, bool) or (isinstance(value, int) and value < 1) or (
                isinstance(value, str) and value != "unlimited"):
            raise ValueError("must be a number of attempts (1 or more) or 'unlimited'")
        return value

    @property
    def max_attempts(self) -> int | None:
        """The maximum number of attempts, or None when unlimited."""
        return None if self.max == "unlimited" else int(self.max)


class ShufflePolicy(Frozen):
    questions: bool = False
    options: bool = False


class QuizSettings(Frozen):
    """Everything in a quiz file except its questions (validated apart, so one bad question does not
    hide the problems of the others)."""

    id: Slug
    module: Slug
    title: str = Field(min_length=1)
    intro: MarkdownBlock | None = None
    pass_mark: Annotated[float, NoBool] = Field(ge=0, le=100)  # percent of the points needed to pass
    attempts: AttemptPolicy = AttemptPolicy()
    shuffle: ShufflePolicy = ShufflePolicy()
    pool: Annotated[int, NoBool] | None = Field(default=None, ge=1)  # draw this many questions per attempt
    feedback: FeedbackTiming = "after_submit"


class Quiz(QuizSettings):
    """One quiz file. Markdown fields (intro, prompts, feedback) hold HTML once loaded."""

    questions: tuple[Question, ...]

    @cached_property
    def _by_id(self) -> dict[str, QuestionType]:
        return {q.id: q for q in self.questions}

    def question(self, question_id: str) -> QuestionType | None:
        """The question with this id, or None."""
        return self._by_id.get(question_id)

    @property
    def questions_per_attempt(self) -> int:
        """How many questions one attempt has (the pool size, or all)."""
        return min(self.pool, len(self.questions)) if self.pool else len(self.questions)
