"""The quiz file as a frozen model; questions are a union discriminated on ``type``, built from the registry."""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
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
        return max_attempts(self.max)


class ShufflePolicy(Frozen):
    questions: bool = False
    options: bool = False


class PoolDraw(Frozen):
    """One part of the bank: each attempt draws ``draw`` of the questions whose ``pool`` is ``id``."""

    id: Slug
    draw: Annotated[int, NoBool] = Field(ge=1)
    objective: Annotated[int, NoBool] | None = Field(default=None, ge=1)  # 1-based, the module's objectives


CorrectAnswers = Literal["always", "after_passing", "after_last_attempt", "after_passing_or_last_attempt",
                         "never"]


class ReviewPolicy(Frozen):
    """What the review of a submitted attempt shows (Moodle-style review options).

    The learner always sees their own answers, which were right or wrong, and the feedback on what they
    chose. ``correct_answers`` says when the key is shown too: the right answers, the feedback on options
    not chosen, and the explanation.
    """

    correct_answers: CorrectAnswers = "after_passing_or_last_attempt"

    def shows_key(self, *, passed: bool, attempts_left: int | None) -> bool:
        """Whether the key may be shown to a learner who has ``passed`` the quiz (in any attempt) and has
        ``attempts_left`` (None: unlimited) attempts left."""
        last = attempts_left == 0
        return {
            "always": True,
            "after_passing": passed,
            "after_last_attempt": last,
            "after_passing_or_last_attempt": passed or last,
            "never": False,
        }[self.correct_answers]


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
    # How an attempt draws its questions from the bank: a number (of all questions), or per pool.
    draw: Annotated[int, NoBool] | tuple[PoolDraw, ...] | None = None
    feedback: FeedbackTiming = "after_submit"
    review: ReviewPolicy = ReviewPolicy()

    @field_validator("draw")
    @classmethod
    def _draw_positive(cls, value: int | tuple[PoolDraw, ...] | None) -> int | tuple[PoolDraw, ...] | None:
        if isinstance(value, int) and value < 1:
            raise ValueError("must be a number of questions (1 or more) or a list of pools")
        if isinstance(value, tuple) and not value:
            raise ValueError("needs at least one pool")
        return value

    @property
    def pools(self) -> tuple[PoolDraw, ...]:
        """The pools an attempt draws from; () when the quiz draws from all its questions at once."""
        return drawn_pools(self.draw)


class Quiz(QuizSettings):
    """One quiz file. Markdown fields (intro, prompts, feedback) hold HTML once loaded.

    ``questions`` is the graded bank that attempts draw from; ``practice`` holds the questions pages
    embed for instant feedback, which are never graded and never drawn.
    """

    questions: tuple[Question, ...]
    practice: tuple[Question, ...] = ()

    @cached_property
    def _by_id(self) -> dict[str, QuestionType]:
        return {q.id: q for q in self.questions}

    @cached_property
    def _practice_by_id(self) -> dict[str, QuestionType]:
        return {q.id: q for q in self.practice}

    def question(self, question_id: str) -> QuestionType | None:
        """The bank question with this id, or None."""
        return self._by_id.get(question_id)

    def practice_question(self, question_id: str) -> QuestionType | None:
        """The practice question with this id (embeddable on a page), or None."""
        return self._practice_by_id.get(question_id)

    def pool_questions(self, pool_id: str) -> tuple[QuestionType, ...]:
        """The bank questions of one pool, in file order."""
        return tuple(q for q in self.questions if q.pool == pool_id)

    @property
    def questions_per_attempt(self) -> int:
        """How many questions one attempt has: the sum of the pools' draws, the ``draw`` number, or all."""
        return questions_per_attempt(self.draw, len(self.questions),
                                     {p.id: len(self.pool_questions(p.id)) for p in self.pools})


# The rules behind the properties above, as plain functions: mutmut does not mutate property bodies.

def max_attempts(policy: int | str) -> int | None:
    """The number of attempts a policy's ``max`` allows, or None for "unlimited"."""
    return None if policy == "unlimited" else int(policy)


def drawn_pools(draw: int | tuple[PoolDraw, ...] | None) -> tuple[PoolDraw, ...]:
    """The pools of a quiz's ``draw``; () when it is a number of questions or absent."""
    return draw if isinstance(draw, tuple) else ()


def questions_per_attempt(draw: int | tuple[PoolDraw, ...] | None, bank: int, pool_sizes: Mapping[str, int]) -> int:
    """How many questions one attempt has: per pool its draw (at most the pool's size), else the ``draw``
    number (at most the ``bank`` size), or the whole bank. ``pool_sizes`` maps pool id -> questions in it."""
    if isinstance(draw, tuple):
        return sum(min(p.draw, pool_sizes[p.id]) for p in draw)
    return min(draw, bank) if draw else bank
