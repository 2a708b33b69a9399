"""The interface every question type implements, and the registry of types by name.

A question type is a frozen pydantic model (its definition as written in the quiz file) with four
duties: check the definition beyond what the schema says (``validate_definition``), turn posted form
values into a typed answer (``parse_answer``) and back (``answer_to_raw``), and grade an answer
(``grade``, a pure function of the definition and the answer). ``template`` names the Jinja template
that shows it. New types register with ``@register``; the quiz schema is built from the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, get_args

from pydantic import BeforeValidator, Field

from course.content.validation import SLUG_PATTERN, Frozen
from course.quiz.answers import RawAnswer
from course.quiz.grading import Grade
from course.quiz.text import MarkdownBlock

Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]


def _refuse_bool(value: Any) -> Any:
    # YAML reads `yes`/`true` as booleans, and pydantic would quietly turn them into 1.
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    return value


NoBool = BeforeValidator(_refuse_bool)
"""Put on number fields: a YAML boolean is an author's mistake, not the number 1."""
Problem = tuple[tuple[str | int, ...], str]
"""A problem in a definition: the location inside the question (e.g. ``("options", 2, "id")``) and a message."""


class QuestionType(Frozen):
    """Fields every question has; subclasses add theirs and narrow ``type`` to a literal name."""

    type: str
    id: Slug
    prompt: MarkdownBlock
    explanation: MarkdownBlock
    source: str | None = None  # plain text, e.g. "Felitti e.a. (1998)"
    points: Annotated[float, NoBool] = Field(default=1, gt=0)
    pool: Slug | None = None  # the bank pool this question is drawn from (see the quiz's ``draw``)
    # True when the question presents a situation and asks what to do or how to weigh it (issue 11: at least
    # 70 % of a bank); metadata for authors and the content tests, never shown to learners
    situational: bool = False

    template: ClassVar[str]
    # True for types whose file order gives the answer away (an ordering lists its items in the
    # correct order): their items are shuffled even when the quiz does not shuffle options.
    always_shuffle: ClassVar[bool] = False

    def validate_definition(self) -> Iterator[Problem]:
        """Yield every problem the schema cannot see (duplicate ids, no correct option, ...)."""
        yield from ()

    def choice_ids(self) -> tuple[str, ...]:
        """Ids of the options or items shown in a list whose order may be shuffled; () if none."""
        return ()

    def opaque_values(self) -> tuple[str, ...]:
        """The plain values of this question's fields that a page shows only as opaque values (option,
        category and true/false ids: they would give the key away); () when the learner types the value."""
        return ()

    def field_keys(self) -> tuple[str, ...]:
        """The item ids of this question's per-item fields (``q.<id>.<item>``); () if it has one field."""
        return ()

    def parse_answer(self, raw: RawAnswer) -> Any:
        """Turn posted form values into this type's answer; None when nothing was answered.

        Raises AnswerError for input the learner can correct, MalformedAnswer for input no page sends.
        """
        raise NotImplementedError

    def answer_to_raw(self, answer: Any) -> dict[str, list[str]]:
        """The form values that ``parse_answer`` turns into ``answer`` (to store it and to refill a form)."""
        raise NotImplementedError

    def grade(self, answer: Any) -> Grade:
        """Grade ``answer`` (None: unanswered, scores 0); returns the score and feedback. Pure."""
        raise NotImplementedError

    def without_key(self, grade: Grade) -> Grade:
        """``grade`` as a review that hides the key shows it: right/wrong marks and the feedback that
        gives nothing away (on parts answered right; the question's feedback only if all of it is right).
        Types whose feedback follows the learner's own choice override this."""
        return grade.without_key(lambda item: item.correct, keep_feedback=grade.correct)


QUESTION_TYPES: dict[str, type[QuestionType]] = {}


def type_name(cls: type[QuestionType]) -> str:
    """The name a question type is registered under: the literal of its ``type`` field."""
    (name,) = get_args(cls.model_fields["type"].annotation)
    return str(name)


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Add a question type to the registry. Raises ValueError if its name is taken."""
    name = type_name(cls)
    if name in QUESTION_TYPES:
        raise ValueError(f"question type {name!r} is registered twice")
    QUESTION_TYPES[name] = cls
    return cls


def too_few(elements: tuple[object, ...], minimum: int, field: str, what: str) -> Iterator[Problem]:
    """Yield a problem when ``elements`` has fewer than ``minimum`` entries.

    Checked here rather than in the schema, so that an option with a typo is reported once, not also as
    "too few options".
    """
    if len(elements) < minimum:
        yield (field,), f"needs at least {minimum} {what}, found {len(elements)}"


def duplicate_ids(ids: list[str], field: str) -> Iterator[Problem]:
    """Yield a problem for every id that occurs earlier in ``ids`` (located at ``field[i].id``)."""
    seen: set[str] = set()
    for i, item_id in enumerate(ids):
        if item_id in seen:
            yield (field, i, "id"), f"duplicate id '{item_id}'"
        seen.add(item_id)
