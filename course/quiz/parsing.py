"""Turn a posted form into typed answers for a set of questions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from course.errors import N_
from course.quiz.answers import AnswerError, MalformedAnswer, RawAnswer, split_form
from course.quiz.types import QuestionType


@dataclass
class ParsedAnswers:
    """Answers that parsed, by question id, and errors the learner can correct, by question id.

    ``drafts`` holds the posted values of the questions in ``errors`` (a half-sorted categorisation, a
    word where a number goes): an attempt keeps them, so nothing the learner did is lost before they
    finish it. Questions the form left blank appear in none of the three.
    """

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, AnswerError] = field(default_factory=dict)
    drafts: dict[str, RawAnswer] = field(default_factory=dict)


def parse_form(questions: Iterable[QuestionType], form: Mapping[str, Sequence[str]]) -> ParsedAnswers:
    """Parse the answer fields of ``form`` (``q.<id>``, ``q.<id>.<item>``) against ``questions``.

    Returns the parsed answers and the correctable errors. Raises MalformedAnswer, for the whole form,
    when a field names an unknown question or holds a value no page could send, so a forged request
    writes nothing at all.
    """
    by_id = {q.id: q for q in questions}
    parsed = ParsedAnswers()
    for question_id, raw in split_form(form).items():
        question = by_id.get(question_id)
        if question is None:
            raise MalformedAnswer(N_("Onbekende vraag."), question_id)
        try:
            answer = question.parse_answer(raw)
        except MalformedAnswer:
            raise
        except AnswerError as exc:
            parsed.errors[question_id] = exc
            parsed.drafts[question_id] = raw
            continue
        if answer is not None:
            parsed.answers[question_id] = answer
    return parsed


def correctable_error(question: QuestionType, raw: RawAnswer) -> AnswerError | None:
    """What the learner still has to correct in a kept draft ``raw`` of ``question``; None if it is an answer."""
    try:
        question.parse_answer(raw)
    except MalformedAnswer:
        raise
    except AnswerError as exc:
        return exc
    return None


def missing_answers(questions: Iterable[QuestionType], answered: Iterable[str]) -> list[str]:
    """Ids of the questions (in the given order) that have no answer among ``answered``."""
    done = set(answered)
    return [q.id for q in questions if q.id not in done]
