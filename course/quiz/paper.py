"""The paper of an attempt: which questions it drew, in which order, with options in which order.

A paper is drawn from a quiz with the attempt's seed, so the same seed always gives the same paper (a
reload shows the same order). It is stored as a JSON snapshot with the attempt, so an attempt can be
graded and reviewed with exactly the questions it was given, whatever later happens to the quiz file.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pydantic import TypeAdapter, ValidationError

from course.quiz.grading import Grade, passes
from course.quiz.model import CorrectAnswers, FeedbackTiming, Question, Quiz, ReviewPolicy
from course.quiz.opaque import OpaqueValues
from course.quiz.text import TRUSTED_HTML
from course.quiz.types import QuestionType

SNAPSHOT_VERSION = 1
_QUESTION = TypeAdapter(Question)


def _rng(*parts: object) -> random.Random:
    # Not for security: a reproducible order from the attempt's seed. Seeding with a string is stable
    # across processes and Python versions (it is hashed with SHA-512, not hash()).
    return random.Random(":".join(str(p) for p in parts))  # noqa: S311


def display_order(question: QuestionType, seed: object, shuffle: bool) -> tuple[str, ...]:
    """The order to show ``question``'s options or items in, for ``seed``.

    File order unless ``shuffle`` (or the type always shuffles, like ordering, where the file order
    would give the answer away; that order is then never the correct one).
    """
    ids = question.choice_ids()
    if not ids or not (shuffle or question.always_shuffle):
        return ids
    order = list(ids)
    _rng(seed, question.id).shuffle(order)
    if question.always_shuffle and tuple(order) == ids:
        order = order[1:] + order[:1]
    return tuple(order)


@dataclass(frozen=True)
class PaperQuestion:
    question: QuestionType
    order: tuple[str, ...]  # ids of the options/items in the order shown; () for types without a list

    def ordered(self, elements: Sequence[Any]) -> list[Any]:
        """``elements`` (options or items, each with an ``id``) sorted in this paper's order."""
        position = {item_id: n for n, item_id in enumerate(self.order)}
        return sorted(elements, key=lambda e: position.get(e.id, len(position)))


@dataclass(frozen=True)
class PaperGrade:
    """The grade of a whole attempt: per question, the weighted score (0..1), and pass or fail."""

    grades: Mapping[str, Grade]
    score: Fraction
    passed: bool


@dataclass(frozen=True)
class Paper:
    quiz_id: str
    title: str
    pass_mark: float
    feedback: FeedbackTiming
    questions: tuple[PaperQuestion, ...]
    # The quiz's review policy and attempt limit when the attempt started: what its review may show.
    # Snapshots written before review policies existed showed the key at once, hence the defaults.
    correct_answers: CorrectAnswers = "always"
    max_attempts: int | None = None
    # The secret behind the opaque values this paper's pages post (see course/quiz/opaque.py); drawn
    # papers always have a random one.
    key: str = ""

    @property
    def review_policy(self) -> ReviewPolicy:
        return ReviewPolicy(correct_answers=self.correct_answers)

    @property
    def opaque(self) -> OpaqueValues:
        return OpaqueValues(self.key)

    def decode_form(self, form: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """A form posted from this paper's page with its opaque values turned back into ids."""
        return self.opaque.decode_form(self.question_types, form)

    def question(self, question_id: str) -> PaperQuestion | None:
        """The paper's question with this id, or None when the attempt was not given it."""
        return next((pq for pq in self.questions if pq.question.id == question_id), None)

    @property
    def question_types(self) -> tuple[QuestionType, ...]:
        return tuple(pq.question for pq in self.questions)

    def grade(self, answers: Mapping[str, Any]) -> PaperGrade:
        """Grade every question (unanswered ones score 0); the total is weighted by points."""
        grades = {pq.question.id: pq.question.grade(answers.get(pq.question.id)) for pq in self.questions}
        total = sum((Fraction(str(pq.question.points)) for pq in self.questions), Fraction(0))
        earned = sum((Fraction(str(pq.question.points)) * grades[pq.question.id].score
                      for pq in self.questions), Fraction(0))
        score = earned / total if total else Fraction(0)
        return PaperGrade(grades, score, passes(score, self.pass_mark))

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-serialisable dict holding everything needed to show, grade and review this paper."""
        return {
            "version": SNAPSHOT_VERSION,
            "quiz_id": self.quiz_id,
            "title": self.title,
            "pass_mark": self.pass_mark,
            "feedback": self.feedback,
            "correct_answers": self.correct_answers,
            "max_attempts": self.max_attempts,
            "key": self.key,
            "questions": [
                {"definition": pq.question.model_dump(mode="json"), "order": list(pq.order)}
                for pq in self.questions
            ],
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> Paper:
        """Rebuild a paper from ``to_snapshot()`` output. Raises ValueError if ``data`` is not one."""
        if not isinstance(data, Mapping) or data.get("version") != SNAPSHOT_VERSION:
            raise ValueError("not a quiz snapshot of a known version")
        try:
            questions = tuple(
                PaperQuestion(_QUESTION.validate_python(q["definition"], context=TRUSTED_HTML),
                              tuple(q["order"]))
                for q in data["questions"]
            )
            max_attempts = data.get("max_attempts")
            # Attempts started before papers had a key: their pages showed plain ids anyway.
            key = str(data.get("key") or f"legacy:{data['quiz_id']}")
            return cls(str(data["quiz_id"]), str(data["title"]), float(data["pass_mark"]),
                       data["feedback"], questions, ReviewPolicy(correct_answers=data.get(
                           "correct_answers", "always")).correct_answers,
                       None if max_attempts is None else int(max_attempts), key)
        except (KeyError, TypeError, ValidationError) as exc:
            raise ValueError(f"broken quiz snapshot: {exc}") from exc


def draw_paper(quiz: Quiz, seed: int, key: str | None = None) -> Paper:
    """The paper for an attempt with ``seed``: questions drawn from the bank (per pool, or ``draw`` of all),
    in file order unless the quiz shuffles them, options shuffled as the quiz says.

    Deterministic: the same quiz, seed and ``key`` give the same paper; without a ``key`` a fresh random
    one hides the option ids.
    """
    rng = _rng("paper", quiz.id, seed)
    bank = list(quiz.questions)
    if quiz.pools:
        drawn: set[int] = set()
        for pool in quiz.pools:
            members = [n for n, q in enumerate(bank) if q.pool == pool.id]
            drawn.update(rng.sample(members, min(pool.draw, len(members))))
    elif isinstance(quiz.draw, int) and quiz.draw < len(bank):
        drawn = set(rng.sample(range(len(bank)), quiz.draw))
    else:
        drawn = set(range(len(bank)))
    questions = [q for n, q in enumerate(bank) if n in drawn]
    if quiz.shuffle.questions:
        rng.shuffle(questions)
    return Paper(
        quiz.id, quiz.title, quiz.pass_mark, quiz.feedback,
        tuple(PaperQuestion(q, display_order(q, seed, quiz.shuffle.options)) for q in questions),
        quiz.review.correct_answers, quiz.attempts.max_attempts,
        secrets.token_hex(16) if key is None else key,
    )
