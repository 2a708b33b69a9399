"""The result of grading one answer: a score between 0 and 1 and feedback per option or item.

Scores are exact fractions, so a perfect answer scores exactly 1 and a pass mark of 70 is met by 7 out
of 10 without floating-point surprises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction


@dataclass(frozen=True)
class ItemFeedback:
    """How the learner did on one option or item of a question.

    ``given`` and ``expected`` are plain strings whose meaning depends on the question type (for a
    choice option ``"true"``/``"false"`` meaning chosen / should be chosen, for an ordering item a
    1-based position, for a categorise item a category id, for numeric and short text the value).
    ``given`` is None when the learner gave nothing for it; ``expected`` is None when the review policy
    hides the key (see ``Grade.without_key``).
    """

    id: str
    correct: bool
    given: str | None
    expected: str | None
    feedback: str = ""  # HTML written for this option or item; may be empty


@dataclass(frozen=True)
class Grade:
    """Score (0..1, exact) of one answer, with feedback per option/item and on the whole (HTML)."""

    score: Fraction
    items: tuple[ItemFeedback, ...] = ()
    feedback: str = ""
    answered: bool = True
    key_shown: bool = True  # False: the right answers, and feedback that would give them away, are left out
    correct: bool = field(init=False)  # the answer earned full credit

    def __post_init__(self) -> None:
        if not 0 <= self.score <= 1:
            raise ValueError(f"score out of range: {self.score}")
        # A field rather than a property, so that the rule is mutation-tested like the rest.
        object.__setattr__(self, "correct", self.score == 1)

    def without_key(self, keep_item_feedback: Callable[[ItemFeedback], bool],
                    keep_feedback: bool) -> Grade:
        """This grade with the key left out: no ``expected`` values, item feedback only where
        ``keep_item_feedback`` says it gives nothing away, the whole-question feedback only if
        ``keep_feedback``. Score and right/wrong marks stay. A fully right answer keeps everything: the
        learner knows its key already."""
        if self.correct:
            return self
        items = tuple(replace(i, expected=None, feedback=i.feedback if keep_item_feedback(i) else "")
                      for i in self.items)
        return replace(self, items=items, feedback=self.feedback if keep_feedback else "", key_shown=False)

    def item(self, item_id: str) -> ItemFeedback | None:
        """The feedback for one option or item, or None if the question has no such id."""
        return next((i for i in self.items if i.id == item_id), None)


def share(right: int, total: int) -> Fraction:
    """``right`` out of ``total`` as a fraction; 0 for an empty total."""
    return Fraction(right, total) if total else Fraction(0)


def credit(right: int, total: int, partial: bool) -> Fraction:
    """Partial credit (``right`` out of ``total``), or all-or-nothing (1 only when every part is right)."""
    if partial:
        return share(right, total)
    return Fraction(int(total > 0 and right == total))


def passes(score: Fraction, pass_mark: float) -> bool:
    """Whether ``score`` (0..1) reaches ``pass_mark`` (a percentage, 0..100)."""
    return score * 100 >= Fraction(str(pass_mark))
