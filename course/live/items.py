"""What a live session asks: items built from a quiz, a casus step or a trainer's own prompts, the
answers participants may give to them, and the tally the presenter shows.

Items are plain frozen data that survive a JSON round trip, so a session keeps a snapshot of what it
asked: a content change during a session never changes the question on the projector.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from course.errors import N_, DomainError


class ItemKind(StrEnum):
    SINGLE = "single"  # one option (a poll, a single-choice question, a casus fork)
    MULTIPLE = "multiple"  # any number of options
    RATING = "rating"  # 1..5
    OPEN = "open"  # a short free text, shown anonymously after moderation
    WORDS = "words"  # up to three words each, shown as a word list
    INFO = "info"  # nothing to answer (a casus situation to read together)


ANSWERABLE = frozenset({ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.RATING, ItemKind.OPEN, ItemKind.WORDS})
RATING_VALUES = ("1", "2", "3", "4", "5")
MAX_OPEN_LENGTH = 500  # characters: a thought to share, not an essay
MAX_WORDS = 3
MAX_WORD_LENGTH = 40


class LiveInputError(DomainError):
    """An answer the participant can correct (nothing chosen, too long a text)."""


@dataclass(frozen=True)
class LiveOption:
    id: str
    label_html: str  # trusted HTML rendered from course content, or escaped trainer text


@dataclass(frozen=True)
class LiveItem:
    """One question of a live session, as participants and the presenter see it."""

    key: str  # unique within the session: answers are stored under it
    kind: ItemKind
    prompt_html: str
    options: tuple[LiveOption, ...] = ()
    recommended: tuple[str, ...] = ()  # option ids to reveal as the recommended answer
    explanation_html: str = ""  # shown with the recommended answer
    context_html: str = ""  # a casus situation or intro shown above the prompt

    @property
    def answerable(self) -> bool:
        return self.kind in ANSWERABLE

    @property
    def option_ids(self) -> tuple[str, ...]:
        if self.kind == ItemKind.RATING:
            return RATING_VALUES
        return tuple(o.id for o in self.options)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind.value, "prompt_html": self.prompt_html,
                "options": [[o.id, o.label_html] for o in self.options], "recommended": list(self.recommended),
                "explanation_html": self.explanation_html, "context_html": self.context_html}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LiveItem:
        return cls(str(data["key"]), ItemKind(data["kind"]), str(data["prompt_html"]),
                   tuple(LiveOption(str(i), str(label)) for i, label in data.get("options", ())),
                   tuple(str(r) for r in data.get("recommended", ())), str(data.get("explanation_html", "")),
                   str(data.get("context_html", "")))


def parse_answer(item: LiveItem, values: Sequence[str]) -> Any:
    """The stored form of posted ``values`` for ``item``: an option id, a sorted list of ids, a text or a
    list of words. Raises LiveInputError for input to correct, DomainError for input no form sends."""
    cleaned = [v.strip() for v in values if v.strip()]
    if not item.answerable:
        raise DomainError(N_("Bij deze stap hoef je niets te antwoorden."))
    if item.kind in (ItemKind.SINGLE, ItemKind.RATING):
        if not cleaned:
            raise LiveInputError(N_("Kies een antwoord."))
        if len(cleaned) > 1 or cleaned[0] not in item.option_ids:
            raise DomainError(N_("Dit antwoord hoort niet bij deze vraag."))
        return cleaned[0]
    if item.kind == ItemKind.MULTIPLE:
        chosen = set(cleaned)
        if not chosen:
            raise LiveInputError(N_("Kies minstens één antwoord."))
        if not chosen <= set(item.option_ids):
            raise DomainError(N_("Dit antwoord hoort niet bij deze vraag."))
        return [i for i in item.option_ids if i in chosen]
    text = " ".join(cleaned).replace("\r\n", "\n")
    if not text:
        raise LiveInputError(N_("Schrijf eerst je antwoord."))
    if item.kind == ItemKind.OPEN:
        if len(text) > MAX_OPEN_LENGTH:
            raise LiveInputError(N_("Je antwoord is te lang: maximaal 500 tekens."))
        return text
    words = [w.lower() for w in re.split(r"[\s,;]+", text) if w]
    if len(words) > MAX_WORDS or any(len(w) > MAX_WORD_LENGTH for w in words):
        raise LiveInputError(N_("Geef maximaal drie woorden."))
    return words


@dataclass(frozen=True)
class Bar:
    option: LiveOption
    count: int
    percent: int  # of the participants who answered
    recommended: bool


@dataclass(frozen=True)
class Tally:
    """What the group answered to one item. ``visible`` is False below the session's minimum, so that
    nobody can be picked out of a tiny group's result."""

    answered: int
    visible: bool
    bars: tuple[Bar, ...] = ()
    texts: tuple[tuple[int, str], ...] = ()  # (answer id, text) of open answers not hidden
    words: tuple[tuple[str, int], ...] = ()  # (word, count), most frequent first
    mean: float | None = None  # ratings

    def leading(self) -> str | None:
        """The option chosen most (the first in file order on a tie), or None without answers."""
        if not self.bars or not any(b.count for b in self.bars):
            return None
        return max(self.bars, key=lambda b: b.count).option.id


def _percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def tally(item: LiveItem, answers: Iterable[tuple[int, Any, bool]], minimum: int) -> Tally:
    """Count ``answers`` — (answer id, stored value, hidden) — to ``item``.

    Returns a Tally whose content is empty unless at least ``minimum`` participants answered.
    """
    rows = list(answers)
    answered = len(rows)
    if answered < minimum:
        return Tally(answered, False)
    if item.kind in (ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.RATING):
        counts: Counter[str] = Counter()
        for _id, value, _hidden in rows:
            counts.update([value] if isinstance(value, str) else value)
        options = item.options if item.kind != ItemKind.RATING else tuple(LiveOption(v, v) for v in RATING_VALUES)
        bars = tuple(Bar(o, counts[o.id], _percent(counts[o.id], answered), o.id in item.recommended)
                     for o in options)
        mean = None
        if item.kind == ItemKind.RATING:
            mean = round(sum(int(v) for _id, v, _h in rows) / answered, 1)
        return Tally(answered, True, bars, mean=mean)
    if item.kind == ItemKind.WORDS:
        words: Counter[str] = Counter()
        for _id, value, _hidden in rows:
            words.update(set(value))
        return Tally(answered, True, words=tuple(sorted(words.items(), key=lambda w: (-w[1], w[0]))))
    return Tally(answered, True, texts=tuple((i, v) for i, v, hidden in rows if not hidden))
