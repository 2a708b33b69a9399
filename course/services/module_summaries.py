"""Each learner's standing per module, stored (course.db.ModuleSummary) so that the completion report of an
organisation reads a few figures per member instead of aggregating every page row and check attempt of
every member (course.services.progress_sql).

The figures are the pure rules' (course.progress.course_progress, course.progress.module_done_at) over the
learner's rows, recomputed by the services that change them — a page read, a check handed in, a casus
completed or kept — in the writing transaction, right after the learner's time on task
(course.services.on_task). Each row names what it is valid for, and the report uses a member's rows only when
both still hold, computing the member from the raw rows otherwise:

- ``shape``: a fingerprint of what the rules read from the content (modules, their pages, checks and
  casussen, the completion rules): a content change can never leave a figure stale;
- ``basis``: the learner's time_on_task.version the rows were read after. Every write that closes a span
  raises that version, so a write through a path that did not recompute the summaries (no catalog at hand,
  an older caller) makes them stale instead of wrong. The writing transaction holds the time_on_task row
  (on_task.refresh just wrote it), so no other write of the learner commits between reading the rows and
  storing the figures: two writes of one learner at once store their figures one after the other, the
  second from rows that include the first.

Opening a page without reading it changes no figure stored here: the report checks opened pages itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, literal_column, null, select, type_coerce, union_all
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db import (
    AttemptStatus,
    CasusRun,
    ModuleSummary,
    PageProgress,
    QuizAttempt,
    RunStatus,
    TimeOnTask,
    status_is,
)
from course.db.base import UTCDateTime
from course.db.upsert import insert_for
from course.progress import CourseShape, PageVisit, SubmittedAttempt, course_progress, module_done_at, quiz_outcome

# Users per batch when refreshing many: well under SQLite's limit on bound parameters.
_BATCH = 500


def shape_key(catalog: Catalog) -> str:
    """A fingerprint of everything the stored figures depend on in ``catalog``: each module with its page ids,
    knowledge check and casussen, the module of every check, and the completion rules."""
    modules = [[module.id, [page.id for page in module.pages], quiz_id, list(casus_ids)]
               for module, quiz_id, casus_ids in CourseShape.of(catalog).modules]
    quizzes = sorted([quiz.id, quiz.module] for quiz in catalog.quizzes.values())
    rules = catalog.course.completion
    text = json.dumps([modules, quizzes, [str(rules.pages), str(rules.quiz), str(rules.casuses)]])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _rows(user_ids: Sequence[int]) -> Any:
    """Everything the figures are computed from, in one statement (one snapshot), as rows of one shape:
    (kind, user id, module/quiz/casus id, page id, moment, score, passed, counts, number); kind 'page' for a
    page read (moment: read), 'quiz' for a check handed in (moment: handed in), 'casus' for a casus completed,
    'basis' for the stored time on task's version (in number)."""
    def nothing(type_: Any) -> Any:
        return type_coerce(null(), type_)

    def kind(name: str) -> Any:
        return literal_column(f"'{name}'")
    # The page rows come first: a union's columns take their types (and conversions) from its first select.
    return union_all(
        select(kind("page"), PageProgress.user_id, PageProgress.module_id, PageProgress.page_id,
               PageProgress.read_at, nothing(Float), nothing(Boolean), nothing(String), nothing(Integer))
        .where(PageProgress.user_id.in_(user_ids), PageProgress.read_at.is_not(None)),
        select(kind("quiz"), QuizAttempt.user_id, QuizAttempt.quiz_id, nothing(String), QuizAttempt.submitted_at,
               QuizAttempt.score, QuizAttempt.passed, QuizAttempt.counts, QuizAttempt.number)
        .where(QuizAttempt.user_id.in_(user_ids), status_is(QuizAttempt.status, AttemptStatus.SUBMITTED)),
        select(kind("casus"), CasusRun.user_id, CasusRun.casus_id, nothing(String), nothing(UTCDateTime()),
               nothing(Float), nothing(Boolean), nothing(String), nothing(Integer))
        .where(CasusRun.user_id.in_(user_ids), status_is(CasusRun.status, RunStatus.COMPLETED)),
        select(kind("basis"), TimeOnTask.user_id, nothing(String), nothing(String), nothing(UTCDateTime()),
               nothing(Float), nothing(Boolean), nothing(String), TimeOnTask.version)
        .where(TimeOnTask.user_id.in_(user_ids)))


def computed(session: Session, catalog: Catalog, user_ids: Sequence[int], key: str) -> list[dict[str, Any]]:
    """One row per module of the course for each of ``user_ids`` with a stored time on task: the figures by
    the pure rules from their rows as they are now, with ``key`` and the version read with the rows as their
    basis. One query."""
    visits: dict[int, list[PageVisit]] = {user_id: [] for user_id in user_ids}
    tries: dict[int, dict[str, list[tuple[int, SubmittedAttempt]]]] = {user_id: {} for user_id in user_ids}
    completed: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    bases: dict[int, int] = {}
    for kind, user_id, item, page_id, moment, score, passed, counts, number in session.execute(_rows(user_ids)):
        if kind == "page":
            visits[user_id].append(PageVisit(item, page_id, moment, moment))
        elif kind == "quiz":
            tries[user_id].setdefault(item, []).append((number, SubmittedAttempt(score, bool(passed), counts,
                                                                                 moment)))
        elif kind == "casus":
            completed[user_id].add(item)
        else:
            bases[user_id] = number
    shape = CourseShape.of(catalog)
    module_of_quiz = {quiz.id: quiz.module for quiz in catalog.quizzes.values()}
    result = []
    for user_id, basis in bases.items():
        outcomes = {quiz_id: quiz_outcome([a for _n, a in sorted(rows, key=lambda r: r[0])])
                    for quiz_id, rows in tries[user_id].items()}
        progress = course_progress(catalog, visits[user_id], outcomes, completed[user_id], shape=shape,
                                   resume=False)
        done_at = module_done_at(visits[user_id], outcomes, module_of_quiz)
        result += [{"user_id": user_id, "module_id": m.module.id, "shape": key, "basis": basis,
                    "complete": m.complete, "started": m.started, "best_score": m.quiz_best_score,
                    "casuses_done": m.casuses_done, "done_at": done_at.get(m.module.id)}
                   for m in progress.modules]
    return result


def _store(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = ModuleSummary.__table__
    stmt = insert_for(session, table)
    stmt = stmt.on_conflict_do_update(index_elements=["user_id", "module_id"], set_={
        name: stmt.excluded[name] for name in
        ("shape", "basis", "complete", "started", "best_score", "casuses_done", "done_at")})
    session.execute(stmt, rows)


def refresh(session: Session, catalog: Catalog, user_id: int) -> None:
    """Recompute and store the learner's figures for every module of ``catalog``, in the caller's transaction
    (no commit): call it right after on_task.refresh, whose stored version they are valid for. Two
    statements."""
    session.flush()
    _store(session, computed(session, catalog, [user_id], shape_key(catalog)))


def refresh_all(session: Session, catalog: Catalog, user_ids: Iterable[int]) -> int:
    """Recompute and store the figures of every user in ``user_ids`` that has a stored time on task (rows
    written outside the services, a content change); no commit. Returns how many users were stored.

    A learner's write committing meanwhile raises their version past the basis stored here, so the report
    computes them from their rows (exact) until that write's own figures are stored."""
    ids = list(user_ids)
    key = shape_key(catalog)
    stored = 0
    for start in range(0, len(ids), _BATCH):
        rows = computed(session, catalog, ids[start:start + _BATCH], key)
        _store(session, rows)
        stored += len({row["user_id"] for row in rows})
    return stored
