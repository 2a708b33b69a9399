"""Opaque answer values: what a page shows instead of option, item and category ids.

Option ids come from the quiz file (``a``, ``b``, ``true``…) and the correct one is often the first, so a
page that posts them lets a script answer ``a`` everywhere. A page shows each id as a keyed hash instead:
with a key that never leaves the server and differs per attempt, a value says nothing about which option
it is, and the values of one attempt are useless in another. Stored answers keep the plain ids.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from course.quiz.answers import FIELD_PREFIX, field_name
from course.quiz.types import QuestionType

_UNKNOWN = "?"  # prefixed to a value no page of this attempt showed: never an id, so parsing refuses it


@lru_cache(maxsize=8192)
def _value(key: str, question_id: str, plain: str) -> str:
    # Every page and every save of an attempt needs the same few dozen values (a save decodes each posted
    # one against all of its question's): an HMAC each time was most of decoding a form.
    digest = hmac.new(key.encode(), f"{question_id}\x1f{plain}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class OpaqueValues:
    """Encodes ids for one attempt (or one learner's embedded questions) under a secret ``key``."""

    key: str

    def value(self, question_id: str, plain: str) -> str:
        """The value a page posts for the option, category or true/false choice ``plain``."""
        return _value(self.key, question_id, plain)

    def field(self, question_id: str, item_id: str = "") -> str:
        """The form field name of a question, or of one of its items (ordering, categorise)."""
        return field_name(question_id, self.value(question_id, f"item:{item_id}") if item_id else "")

    def decode_form(self, questions: Iterable[QuestionType], form: Mapping[str, Sequence[str]]
                    ) -> dict[str, list[str]]:
        """``form`` with the answer fields of ``questions`` turned back into plain ids.

        Fields of other questions and non-answer fields pass unchanged. A value or item field that this
        attempt never showed comes out as an id no question has, so parsing refuses it as forged.
        """
        by_id = {q.id: q for q in questions}
        decoded: dict[str, list[str]] = {}
        for name, values in form.items():
            question_id, _, item = name[len(FIELD_PREFIX):].partition(".")
            question = by_id.get(question_id) if name.startswith(FIELD_PREFIX) else None
            if question is None:
                decoded[name] = list(values)
                continue
            if item:
                items = {self.value(question_id, f"item:{i}"): i for i in question.field_keys()}
                item = items.get(item, _UNKNOWN + item)
            plain = {self.value(question_id, v): v for v in question.opaque_values()}
            if plain:
                values = [plain.get(v.strip(), _UNKNOWN + v) if v.strip() else v for v in values]
            decoded[field_name(question_id, item)] = list(values)
        return decoded

    def encode_raw(self, question: QuestionType, raw: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """The form fields a page of this attempt posts for the plain answer ``raw`` (tests, scripts)."""
        opaque = bool(question.opaque_values())
        return {self.field(question.id, item): [self.value(question.id, v) if opaque and v else v for v in values]
                for item, values in raw.items()}
