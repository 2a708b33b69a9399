"""Answers as a browser posts them, and the errors a posted answer can have.

A *raw answer* is the plain form data for one question: ``{"": [values]}`` for the question's own
field, ``{"<item-id>": [value]}`` for per-item fields (ordering positions, categories). On a page the
fields are named ``q.<question-id>`` and ``q.<question-id>.<item-id>``: dots never occur in ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from course.errors import N_, DomainError

RawAnswer = Mapping[str, Sequence[str]]
FIELD_PREFIX = "q."



class AnswerError(DomainError):
    """An answer the learner can correct on the page (an incomplete ordering, a word where a number goes).

    ``template`` is the untranslated Dutch message with ``%(name)s`` placeholders filled from ``params``,
    so the web layer can translate it; ``message`` is the filled-in text. ``field`` is the question id.
    """

    def __init__(self, template: str, question_id: str | None = None, **params: object):
        super().__init__(template % params if params else template, field=question_id)
        self.template = template
        self.params = params


class MalformedAnswer(AnswerError):
    """Data no page of ours can send: an unknown question or option id, two values for one radio button.

    The web layer answers 400 and writes nothing.
    """


def field_name(question_id: str, item_id: str = "") -> str:
    """The form field name of a question (or of one of its items)."""
    return f"{FIELD_PREFIX}{question_id}.{item_id}" if item_id else f"{FIELD_PREFIX}{question_id}"


def split_form(form: Mapping[str, Sequence[str]]) -> dict[str, dict[str, list[str]]]:
    """Group the answer fields of a posted form by question id; other fields (csrf, buttons) are ignored.

    Returns ``{question_id: raw_answer}``.
    """
    grouped: dict[str, dict[str, list[str]]] = {}
    for name, values in form.items():
        if not name.startswith(FIELD_PREFIX):
            continue
        question_id, _, item_id = name[len(FIELD_PREFIX):].partition(".")
        grouped.setdefault(question_id, {})[item_id] = [str(v) for v in values]
    return grouped


def single_value(raw: RawAnswer, question_id: str, key: str = "") -> str:
    """The one (stripped) value posted for ``key``; "" when nothing was posted.

    Raises MalformedAnswer when several values were posted for a field that holds one.
    """
    values = [v for v in raw.get(key, ()) if v.strip()]
    if len(values) > 1:
        raise MalformedAnswer(N_("Geef één antwoord."), question_id)
    return values[0].strip() if values else ""


def refuse_unknown_keys(raw: RawAnswer, question_id: str, allowed: set[str]) -> None:
    """Raise MalformedAnswer when the raw answer has a field the question does not have."""
    unknown = set(raw) - allowed
    if unknown:
        raise MalformedAnswer(N_("Onbekend antwoordveld."), question_id)
