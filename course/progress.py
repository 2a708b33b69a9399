"""Progress rules: when is a module complete, and how far along is a learner? Pure functions.

The services only fetch rows; every rule that decides a figure a learner or an organisation sees lives
here, in plain functions over plain values, so that each rule is tested (and mutation-tested) without a
database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from course.content.model import CasusesRule, CompletionRules, Module, PagesRule, QuizRule

if TYPE_CHECKING:
    from course.catalog import Catalog


class QuizStatus(StrEnum):
    NONE = "none"  # the module has no quiz
    NOT_STARTED = "not_started"
    FAILED = "failed"  # attempted, not (yet) passed
    PASSED = "passed"


@dataclass(frozen=True)
class SubmittedAttempt:
    """One submitted attempt at a quiz, as far as the progress rules care."""

    score: float | None  # 0..1
    passed: bool
    counts: str  # the quiz's "counts" policy when the attempt was started: "best" or "last"
    submitted_at: datetime | None


@dataclass(frozen=True)
class QuizOutcome:
    """One learner's standing on one quiz, over their submitted attempts."""

    attempts: int
    best_score: float | None  # 0..1
    last_score: float | None
    counted_score: float | None  # best or last, per the quiz's "counts" policy
    passed: bool  # the counted attempt passed
    last_submitted_at: datetime | None


def quiz_outcome(attempts: Sequence[SubmittedAttempt]) -> QuizOutcome:
    """The standing over ``attempts`` (oldest first, at least one; IndexError for none).

    The best attempt is the highest score (a pass wins a tie); which attempt counts follows the policy
    stored with the latest attempt, so changing a quiz file does not rewrite how earlier attempts count.
    """
    last = attempts[-1]
    best = max(attempts, key=lambda a: (a.score or 0, a.passed))
    counted = best if last.counts == "best" else last
    return QuizOutcome(len(attempts), best.score, last.score, counted.score, counted.passed, last.submitted_at)


def quiz_status(has_quiz: bool, outcome: QuizOutcome | None) -> QuizStatus:
    """Where the learner stands on a module's knowledge check."""
    if not has_quiz:
        return QuizStatus.NONE
    if outcome is None or outcome.attempts == 0:
        return QuizStatus.NOT_STARTED
    return QuizStatus.PASSED if outcome.passed else QuizStatus.FAILED


def percent(done: int, total: int) -> int:
    """``done`` out of ``total`` as a whole percentage, rounded down: 100 only when everything is done.

    Rounding down keeps "100 %" for a finished module or course (199 of 200 steps is 99 %, not 100 %).
    Raises ZeroDivisionError for a zero ``total``; callers decide what nothing-to-do means.
    """
    return 100 * done // total


@dataclass(frozen=True)
class ModuleProgress:
    """One learner's progress through one module. Build it with ``module_progress``."""

    module: Module
    pages_read: frozenset[str]
    quiz_status: QuizStatus
    quiz_best_score: float | None
    casuses_completed: frozenset[str]  # ids of this module's casuses the learner completed
    casuses_total: int
    steps_done: int  # pages, quiz and casuses that count toward completion
    steps_total: int
    complete: bool  # every step that counts is done
    percent: int  # 0..100, rounded down
    started: bool  # the learner has read a page, submitted a quiz attempt or completed a casus here

    @property
    def casuses_done(self) -> int:
        return len(self.casuses_completed)


def module_progress(module: Module, rules: CompletionRules, pages_read: Iterable[str], quiz_id: str | None,
                    quiz: QuizOutcome | None, casus_ids: Iterable[str], casuses_completed: Iterable[str]
                    ) -> ModuleProgress:
    """Apply the manifest's completion rules to what one learner has done in ``module``.

    ``pages_read`` are page ids of this module (ids of pages no longer in it are ignored); ``quiz_id`` is
    the module's quiz (None without one) and ``quiz`` the learner's standing on it; ``casus_ids`` are the
    module's casuses and ``casuses_completed`` the ids of every casus the learner completed. A module
    with no step that counts is complete (100 %).
    """
    read = frozenset(pages_read) & module.page_ids
    done = total = 0
    if rules.pages == PagesRule.ALL:
        done, total = len(read), len(module.pages)

    status = quiz_status(quiz_id is not None, quiz)
    if status != QuizStatus.NONE and rules.quiz != QuizRule.NONE:
        total += 1
        if status == QuizStatus.PASSED or (rules.quiz == QuizRule.ATTEMPTED and status == QuizStatus.FAILED):
            done += 1

    own_casuses = frozenset(casus_ids)
    completed = own_casuses & frozenset(casuses_completed)
    if rules.casuses == CasusesRule.ALL:
        done, total = done + len(completed), total + len(own_casuses)

    started = bool(read) or status in (QuizStatus.FAILED, QuizStatus.PASSED) or bool(completed)
    return ModuleProgress(
        module, read, status, quiz.best_score if quiz else None, completed, len(own_casuses), done, total,
        complete=done == total, percent=percent(done, total) if total else 100, started=started)


@dataclass(frozen=True)
class PageVisit:
    """A learner's row for one page: when they last opened it and when they finished it."""

    module_id: str
    page_id: str
    last_seen_at: datetime
    read_at: datetime | None


# How stale a page's "last seen" may get while the learner keeps reopening the page they opened last:
# within this, a reload writes nothing (no write and commit on the read path). Last activity is then at
# most this much early; where to continue is never wrong, since opening any other page is still written.
VISIT_RESOLUTION = timedelta(minutes=5)


def visit_needs_recording(visits: Sequence[PageVisit], module_id: str, page_id: str, now: datetime,
                          resolution: timedelta = VISIT_RESOLUTION) -> bool:
    """Whether opening ``page_id`` of ``module_id`` at ``now`` must be written, given the learner's rows.

    True for a page not opened before, for a page other than the one opened last (the resume point moves),
    and for the page opened last when its row is older than ``resolution``; False only for reopening the
    page opened last within ``resolution``.
    """
    this = next((v for v in visits if v.module_id == module_id and v.page_id == page_id), None)
    if this is None or now - this.last_seen_at >= resolution:
        return True
    return any(v.last_seen_at >= this.last_seen_at for v in visits if v is not this)


@dataclass(frozen=True)
class CourseProgress:
    """One learner's progress through the whole course. Build it with ``course_progress``."""

    modules: tuple[ModuleProgress, ...]
    last_activity: datetime | None
    resume: tuple[str, str] | None  # (module id, page id) to continue at, None when nothing was opened yet
    percent: int  # steps done of all steps in the course, 0..100, rounded down
    modules_complete: int


@dataclass(frozen=True)
class CourseShape:
    """Per module of a catalog, its quiz id and casus ids: looked up once for many learners' progress."""

    modules: tuple[tuple[Module, str | None, tuple[str, ...]], ...]

    @classmethod
    def of(cls, catalog: Catalog) -> CourseShape:
        modules = []
        for module in catalog.modules:
            quiz = catalog.quiz_for_module(module.id)
            casus_ids = tuple(c.id for c in catalog.casuses_for_module(module.id))
            modules.append((module, quiz.id if quiz else None, casus_ids))
        return cls(tuple(modules))


def course_progress(catalog: Catalog, visits: Iterable[PageVisit], quizzes: Mapping[str, QuizOutcome],
                    casuses_completed: Iterable[str], *, shape: CourseShape | None = None,
                    resume: bool = True) -> CourseProgress:
    """Every module's progress, the last activity and where to continue, from what one learner did.

    ``visits`` are the learner's page rows, ``quizzes`` their standing per quiz id and
    ``casuses_completed`` the ids of the casuses they completed. Rows for pages or quizzes no longer in
    the catalog are ignored, except that they still count as activity. ``shape`` (CourseShape.of(catalog))
    saves looking the modules' quizzes and casussen up again for every learner of a large group; without
    ``resume`` the resume point is left out (None), as overviews of many learners never show it.
    """
    visits = list(visits)
    completed = frozenset(casuses_completed)
    read: dict[str, set[str]] = {}
    for visit in visits:
        if visit.read_at is not None:
            read.setdefault(visit.module_id, set()).add(visit.page_id)
    moments = [m for v in visits for m in (v.last_seen_at, v.read_at)]
    moments += [q.last_submitted_at for q in quizzes.values()]
    last_activity = max((m for m in moments if m is not None), default=None)

    modules = []
    for module, quiz_id, casus_ids in (shape or CourseShape.of(catalog)).modules:
        modules.append(module_progress(
            module, catalog.course.completion, read.get(module.id, ()), quiz_id,
            quizzes.get(quiz_id) if quiz_id else None, casus_ids, completed))
    done = sum(m.steps_done for m in modules)
    total = sum(m.steps_total for m in modules)
    overall = percent(done, total) if total else (100 if modules else 0)
    return CourseProgress(tuple(modules), last_activity, resume_point(catalog, visits, read) if resume else None,
                          overall, sum(m.complete for m in modules))


def resume_point(catalog: Catalog, visits: Sequence[PageVisit], read: Mapping[str, set[str]]
                 ) -> tuple[str, str] | None:
    """(module id, page id) to continue at: the page opened last, or if it was finished, the first
    unread page after it (wrapping round to the start); None when no page of the course was opened."""
    pages = catalog.pages
    position = catalog.page_positions
    opened = [v for v in visits if (v.module_id, v.page_id) in position]
    if not opened:
        return None
    last = max(opened, key=lambda v: v.last_seen_at)
    if last.page_id not in read.get(last.module_id, set()):
        return last.module_id, last.page_id
    start = position[(last.module_id, last.page_id)]
    for page in pages[start + 1:] + pages[:start]:
        if page.id not in read.get(page.module_id, set()):
            return page.module_id, page.id
    return last.module_id, last.page_id


def module_done_at(visits: Iterable[PageVisit], quizzes: Mapping[str, QuizOutcome],
                   module_of_quiz: Mapping[str, str]) -> dict[str, datetime]:
    """Per module id, the moment of the learner's latest step in it: a page of the module read (also a page
    no longer in it) or one of its knowledge checks handed in (``module_of_quiz``: quiz id -> module id).
    Modules with neither are left out. The completion date of an assignment is the latest of these over the
    modules it asks (course.assignments.standing)."""
    moments: dict[str, list[datetime]] = {}
    for visit in visits:
        if visit.read_at is not None:
            moments.setdefault(visit.module_id, []).append(visit.read_at)
    for quiz_id, outcome in quizzes.items():
        module_id = module_of_quiz.get(quiz_id)
        if module_id is not None and outcome.last_submitted_at is not None:
            moments.setdefault(module_id, []).append(outcome.last_submitted_at)
    return {module_id: max(found) for module_id, found in moments.items()}


@dataclass(frozen=True)
class NextStep:
    """The one thing to do next in a module: ``kind`` names what ``target`` is (a page, quiz or casus id of
    ``module_id``, or the id of the next module); ``done`` means the whole course is complete."""

    kind: Literal["page", "quiz", "casus", "module", "done"]
    module_id: str
    target: str | None
    title: str | None


def next_step(catalog: Catalog, course: CourseProgress, module_id: str, reading: str | None = None) -> NextStep:
    """What a learner in ``module_id`` does next: the first unread page, then the knowledge check (until
    it counts as done), then each casus not yet completed, then the next module that is not complete
    (wrapping round to the start), and ``done`` when every module is. ``reading`` is a page of the module
    that counts as read already (the one the learner is finishing). Raises KeyError for an unknown module.
    """
    by_id = {m.module.id: m for m in course.modules}
    here = by_id[module_id]
    module = here.module
    for page in module.pages:
        if page.id not in here.pages_read and page.id != reading:
            return NextStep("page", module_id, page.id, page.title)
    quiz = catalog.quiz_for_module(module_id)
    rules = catalog.course.completion
    quiz_left = here.quiz_status == QuizStatus.NOT_STARTED or (
        here.quiz_status == QuizStatus.FAILED and rules.quiz != QuizRule.ATTEMPTED)
    if quiz is not None and quiz_left:
        return NextStep("quiz", module_id, quiz.id, quiz.title)
    for casus in catalog.casuses_for_module(module_id):
        if casus.id not in here.casuses_completed:
            return NextStep("casus", module_id, casus.id, casus.title)
    order = [m.module.id for m in course.modules]
    start = order.index(module_id)
    for other in order[start + 1:] + order[:start]:
        if not by_id[other].complete:
            return NextStep("module", module_id, other, by_id[other].module.title)
    return NextStep("done", module_id, None, None)
