"""Progress rules: when is a module complete, and how far along is a learner? Pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from course.content.model import CasusesRule, CompletionRules, Module, PagesRule, QuizRule


class QuizStatus(StrEnum):
    NONE = "none"  # the module has no quiz
    NOT_STARTED = "not_started"
    FAILED = "failed"  # attempted, not (yet) passed
    PASSED = "passed"


@dataclass(frozen=True)
class QuizOutcome:
    """What the progress rules need to know of a learner's attempts at one quiz."""

    attempts: int
    counted_score: float | None  # 0..1, per the quiz's "counts" policy
    best_score: float | None
    passed: bool


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    pages_read: frozenset[str]
    quiz_status: QuizStatus
    quiz_best_score: float | None
    casuses_completed: frozenset[str]  # ids of this module's casuses the learner completed
    casuses_total: int
    steps_done: int  # pages, quiz and casuses that count toward completion
    steps_total: int

    @property
    def casuses_done(self) -> int:
        return len(self.casuses_completed)

    @property
    def complete(self) -> bool:
        return self.steps_done == self.steps_total

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 100

    @property
    def started(self) -> bool:
        return bool(self.pages_read) or self.quiz_status in (QuizStatus.FAILED, QuizStatus.PASSED) or bool(
            self.casuses_done)


def module_progress(module: Module, rules: CompletionRules, pages_read: Iterable[str], quiz_id: str | None,
                    quiz: QuizOutcome | None, casus_ids: Iterable[str], casuses_completed: Iterable[str]
                    ) -> ModuleProgress:
    """Apply the manifest's completion rules to what one learner has done in ``module``.

    ``pages_read`` are page ids of this module; ``casus_ids`` the module's casuses and
    ``casuses_completed`` the ids of every casus the learner completed.
    """
    read = frozenset(pages_read) & {p.id for p in module.pages}
    done = total = 0
    if rules.pages == PagesRule.ALL:
        done, total = len(read), len(module.pages)

    if quiz_id is None:
        status = QuizStatus.NONE
    elif quiz is None or quiz.attempts == 0:
        status = QuizStatus.NOT_STARTED
    else:
        status = QuizStatus.PASSED if quiz.passed else QuizStatus.FAILED
    if quiz_id is not None and rules.quiz != QuizRule.NONE:
        total += 1
        if status == QuizStatus.PASSED or (rules.quiz == QuizRule.ATTEMPTED and status == QuizStatus.FAILED):
            done += 1

    own_casuses = set(casus_ids)
    completed = frozenset(own_casuses & set(casuses_completed))
    if rules.casuses == CasusesRule.ALL:
        done, total = done + len(completed), total + len(own_casuses)

    return ModuleProgress(module, read, status, quiz.best_score if quiz else None, completed,
                          len(own_casuses), done, total)


@dataclass(frozen=True)
class CourseProgress:
    modules: tuple[ModuleProgress, ...]
    last_activity: datetime | None
    resume: tuple[str, str] | None  # (module id, page id) to continue at, None when nothing was opened yet

    @property
    def percent(self) -> int:
        total = sum(m.steps_total for m in self.modules)
        return round(100 * sum(m.steps_done for m in self.modules) / total) if total else 0

    @property
    def modules_complete(self) -> int:
        return sum(m.complete for m in self.modules)
