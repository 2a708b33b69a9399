"""Rules for a quiz's question bank: how attempts draw from it, and a key that varies.

A bank that is barely larger than an attempt gives a second attempt the same questions as the first, and a
key that is always the first option (or always "true") can be learned without reading a question. Both
are checked when the quiz is loaded; each check yields ``(location in the file, message)`` pairs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from course.content.yamlfile import Loc
from course.quiz.model import QuizSettings
from course.quiz.types import QuestionType

DEFAULT_BANK_FACTOR = 2
"""A graded quiz's bank holds at least this many times the questions one attempt draws."""


def attempt_size(settings: QuizSettings, questions: Sequence[QuestionType]) -> int:
    """How many questions one attempt draws (pools already checked against their questions or not)."""
    if isinstance(settings.draw, tuple):
        return sum(min(p.draw, sum(q.pool == p.id for q in questions)) for p in settings.draw)
    return min(settings.draw, len(questions)) if settings.draw else len(questions)


def check_bank(settings: QuizSettings, questions: Sequence[QuestionType], practice: Sequence[QuestionType],
               bank_factor: int = DEFAULT_BANK_FACTOR) -> Iterator[tuple[Loc, str]]:
    """Yield every problem with how ``settings.draw`` draws from ``questions`` and the bank's size.

    Checks: a numeric ``draw`` fits the bank and questions then name no pool; with pools, pool ids are
    unique, every question names one of them, each pool draws fewer questions than it holds (so
    attempts differ in every pool); practice questions name no pool; the bank holds at least
    ``bank_factor`` times the questions of one attempt.
    """
    for n, q in enumerate(practice):
        if q.pool is not None:
            yield ("practice", n, "pool"), "practice questions are never drawn into an attempt: remove 'pool'"
    pools = settings.pools
    if not pools:
        for n, q in enumerate(questions):
            if q.pool is not None:
                yield (("questions", n, "pool"),
                       f"pool '{q.pool}' is not declared: list the pools under 'draw' (or remove 'pool')")
        if isinstance(settings.draw, int) and settings.draw > len(questions):
            yield ("draw",), f"draws {settings.draw} questions but the bank has only {len(questions)}"
    else:
        declared: set[str] = set()
        for n, pool in enumerate(pools):
            if pool.id in declared:
                yield ("draw", n, "id"), f"duplicate pool id '{pool.id}'"
            declared.add(pool.id)
            size = sum(q.pool == pool.id for q in questions)
            if pool.draw >= size:
                yield (("draw", n, "draw"),
                       f"pool '{pool.id}' draws {pool.draw} of its {size} question(s): a pool must hold more "
                       "questions than it draws, so that a second attempt gets other ones")
        for n, q in enumerate(questions):
            if q.pool is None:
                yield ("questions", n), f"missing required key 'pool' (one of: {', '.join(sorted(declared))})"
            elif q.pool not in declared:
                yield (("questions", n, "pool"),
                       f"unknown pool '{q.pool}'; expected one of: {', '.join(sorted(declared))}")
    per_attempt = attempt_size(settings, questions)
    if len(questions) < bank_factor * per_attempt:
        where: Loc = ("draw",) if settings.draw is not None else ("questions",)
        yield (where, f"the bank holds {len(questions)} questions and an attempt draws {per_attempt}: a graded "
                      f"quiz needs at least {bank_factor} × {per_attempt} = {bank_factor * per_attempt} in its "
                      "bank (add questions, or draw fewer with 'draw')")


def _correct_positions(options: Sequence[Any]) -> tuple[int, ...]:
    return tuple(i for i, o in enumerate(options) if o.correct)


def key_problems(questions: Sequence[QuestionType]) -> Iterator[tuple[Loc, str]]:
    """Yield a problem for every key pattern that is the same across the whole bank.

    The engine shuffles options, but a pattern in the file (the key always first, always 'b', every
    statement true, every option of a multiple response correct) still tells an author their questions
    lean one way, and leaks as soon as shuffling is switched off. A pattern needs at least two questions
    of the type.
    """
    single = [q for q in questions if q.type == "single_choice"]
    if len(single) >= 2:
        positions = {_correct_positions(q.options) for q in single}  # type: ignore[attr-defined]
        if len(positions) == 1:
            (position,) = next(iter(positions))
            yield (("questions",), f"the correct option is option {position + 1} in every single_choice "
                                   "question: vary its position")
        ids = {next(o.id for o in q.options if o.correct) for q in single}  # type: ignore[attr-defined]
        if len(ids) == 1:
            yield ("questions",), f"the correct option has id '{ids.pop()}' in every single_choice question"
    statements = [q for q in questions if q.type == "true_false"]
    answers = {q.answer for q in statements}  # type: ignore[attr-defined]
    if len(statements) >= 2 and len(answers) == 1:
        value = "true" if answers.pop() else "false"
        yield ("questions",), f"every true_false question has answer {value}: vary the key"
    multiple = [q for q in questions if q.type == "multiple_response"]
    if len(multiple) >= 2:
        if all(all(o.correct for o in q.options) for q in multiple):  # type: ignore[attr-defined]
            yield (("questions",), "every option is correct in every multiple_response question: ticking "
                                   "everything would always score full marks")
        elif len({_correct_positions(q.options) for q in multiple}) == 1:  # type: ignore[attr-defined]
            yield ("questions",), "the correct options sit at the same positions in every multiple_response question"
    for n, q in enumerate(questions):
        if q.type == "categorise" and len({item.category for item in q.items}) == 1:  # type: ignore[attr-defined]
            yield (("questions", n, "items"),
                   "every item belongs to the same category: the question gives its answer away")
