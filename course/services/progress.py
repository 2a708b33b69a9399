"""Recording what a learner has read, and computing their progress through the course."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CompoundSelect,
    DateTime,
    Float,
    Integer,
    String,
    bindparam,
    func,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from course import progress
from course.catalog import Catalog
from course.content.model import Page
from course.db import PageProgress, status_is, utcnow
from course.db.casus import CasusRun, RunStatus
from course.db.prepared import PreparedStatement
from course.db.quiz import AttemptStatus, EmbeddedCheck, QuizAttempt
from course.db.upsert import insert_for
from course.progress import CourseProgress, PageVisit, QuizOutcome, SubmittedAttempt, quiz_outcome
from course.services import module_summaries, on_task


def record_visit(session: Session, user_id: int, page: Page, *, read: bool = False,
                 visits: Sequence[PageVisit] | None = None, catalog: Catalog | None = None) -> bool:
    """Note that the user opened ``page`` (and finished it, if ``read``); commits. Safe to repeat.

    ``visits`` are the user's page rows as the caller just loaded them (``page_visits``): when they show
    that opening the page changes nothing (``progress.visit_needs_recording``), nothing is written and
    nothing committed. Reading keeps the learner's stored figures: time on task, and with ``catalog`` their
    standing per module (without it the report computes them from the rows). Returns whether it wrote.
    """
    now = utcnow()
    if not read and visits is not None and not progress.visit_needs_recording(visits, page.module_id, page.id, now):
        return False
    values = {"user_id": user_id, "module_id": page.module_id, "page_id": page.id,
              "first_seen_at": now, "last_seen_at": now, "read_at": now if read else None}
    table = PageProgress.__table__
    stmt = insert_for(session, table).values(values)
    # COALESCE keeps the first time the page was read: re-reading does not move the date.
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "module_id", "page_id"],
        set_={"last_seen_at": now, "read_at": func.coalesce(table.c.read_at, stmt.excluded.read_at)})
    session.execute(stmt)
    if read:  # only reading closes a page's span (opening it counts for nothing yet)
        on_task.refresh(session, user_id)
        if catalog is not None:
            module_summaries.refresh(session, catalog, user_id)
    session.commit()
    return True


def page_visits(session: Session, user_id: int) -> list[PageVisit]:
    """Every page row of the user (opened, last seen, finished), in one query."""
    return [PageVisit(*row) for row in _PAGE_VISITS.rows(session, user_id=user_id)]


def page_state(session: Session, user_id: int, *, rows: Sequence[tuple[Any, ...]] | None = None
               ) -> tuple[list[PageVisit], dict[tuple[str, str], dict[str, list[str]]]]:
    """What a module page with embedded questions needs of the user, in one query: their page rows
    (as ``page_visits``) and the answers kept for embedded questions (as ``quizzes.embedded_checks``:
    (quiz id, question id) → form values; nothing is removed). ``rows``: those of ``PAGE_STATE_ROWS``
    when the login brought them (``accounts.resume_login``); then no query."""
    visits: list[PageVisit] = []
    checks: dict[tuple[str, str], dict[str, list[str]]] = {}
    if rows is None:
        rows = _PAGE_STATE.rows(session, user_id=user_id)
    for kind, first, second, last_seen_at, read_at, raw in rows:
        if kind == "page":
            visits.append(PageVisit(first, second, last_seen_at, read_at))
        else:
            checks[(first, second)] = dict(raw)
    return visits, checks


def read_pages(session: Session, user_id: int, module_id: str | None = None) -> set[tuple[str, str]]:
    """(module id, page id) of every page the user has finished, optionally within one module."""
    query = select(PageProgress.module_id, PageProgress.page_id).where(
        PageProgress.user_id == user_id, PageProgress.read_at.is_not(None))
    if module_id is not None:
        query = query.where(PageProgress.module_id == module_id)
    return {(m, p) for m, p in session.execute(query)}


def course_progress(session: Session, catalog: Catalog, user_id: int, *,
                    visits: Sequence[PageVisit] | None = None,
                    rows: Sequence[tuple[Any, ...]] | None = None) -> CourseProgress:
    """The user's progress through every module, their last activity and where to continue.

    One query whatever the size of the course (page rows, handed-in checks and completed casussen
    together); ``visits`` (from ``page_visits``) are used instead of the page rows when the caller has them;
    with ``rows`` (those of ``PROGRESS_ROWS`` the login brought: ``accounts.resume_login``) no query.
    """
    if rows is not None:
        pages, outcomes, completed = _learners_rows(session, [user_id], pages=True, rows=rows)
        return progress.course_progress(catalog, pages[user_id], outcomes[user_id], completed[user_id],
                                        shape=_shape(catalog))
    return course_progress_of(session, catalog, [user_id], visits={user_id: visits} if visits is not None else None
                              )[user_id]


def course_progress_of(session: Session, catalog: Catalog, user_ids: Sequence[int], *,
                       visits: Mapping[int, Sequence[PageVisit]] | None = None) -> dict[int, CourseProgress]:
    """User id → progress, for several learners at once (a group's overview): one query for all of them."""
    pages, outcomes, completed = _learners_rows(session, user_ids, pages=visits is None)
    if visits is not None:
        pages = {user_id: list(visits.get(user_id, ())) for user_id in user_ids}
    shape = _shape(catalog)
    return {user_id: progress.course_progress(catalog, pages[user_id], outcomes[user_id], completed[user_id],
                                              shape=shape) for user_id in user_ids}


@dataclass(frozen=True)
class Moments:
    """When a learner last worked in each module and first completed each casus: what the rules of an
    organisation's assignments ask besides the progress (``course.assignments.standing``)."""

    module_done_at: dict[str, datetime]  # module id -> latest page read or check handed in there
    casus_done_at: dict[str, datetime]  # casus id -> first completion
    opened: frozenset[str]  # modules of which a page was opened


def course_progress_with_moments(session: Session, catalog: Catalog, user_id: int, *,
                                 rows: Sequence[tuple[Any, ...]] | None = None) -> tuple[CourseProgress, Moments]:
    """The user's progress (as ``course_progress``) and its Moments, from the same one query (or ``rows``,
    as there)."""
    pages, outcomes, completed = _learners_rows(session, [user_id], pages=True, rows=rows)
    visits, quizzes, casuses = pages[user_id], outcomes[user_id], completed[user_id]
    done_at = progress.module_done_at(visits, quizzes, {quiz.id: quiz.module for quiz in catalog.quizzes.values()})
    course = progress.course_progress(catalog, visits, quizzes, casuses, shape=_shape(catalog))
    return course, Moments(done_at, {casus_id: at for casus_id, at in casuses.items() if at is not None},
                           frozenset(v.module_id for v in visits))


def _learners_rows(session: Session, user_ids: Sequence[int], *, pages: bool,
                   rows: Sequence[tuple[Any, ...]] | None = None) -> tuple[
        dict[int, list[PageVisit]], dict[int, dict[str, QuizOutcome]], dict[int, dict[str, datetime | None]]]:
    """Per user: their page rows (none unless ``pages``), their standing per quiz, and the casuses they
    completed with the first completion's moment. One query."""
    visits: dict[int, list[PageVisit]] = {user_id: [] for user_id in user_ids}
    attempts: dict[int, dict[str, list[tuple[int, SubmittedAttempt]]]] = {user_id: {} for user_id in user_ids}
    completed: dict[int, dict[str, datetime | None]] = {user_id: {} for user_id in user_ids}
    one = len(user_ids) == 1
    if rows is None:
        rows = (_PROGRESS_ROWS_OF_ONE[pages].rows(session, user_id=user_ids[0]) if one else
                session.connection().execute(_PROGRESS_ROWS[pages], {"user_ids": list(user_ids)}))
    for kind, user_id, item, page_id, at, done_at, score, passed, counts, number in rows:
        if kind == "page":
            visits[user_id].append(PageVisit(item, page_id, at, done_at))
        elif kind == "quiz":
            attempts[user_id].setdefault(item, []).append((number, SubmittedAttempt(score, bool(passed), counts, at)))
        else:
            first = completed[user_id].get(item)
            completed[user_id][item] = at if first is None or (at is not None and at < first) else first
    outcomes = {user_id: {quiz_id: quiz_outcome([a for _, a in sorted(rows, key=lambda r: r[0])])
                          for quiz_id, rows in attempts[user_id].items()} for user_id in user_ids}
    return visits, outcomes, completed


_SHAPES: dict[int, tuple[Catalog, progress.CourseShape]] = {}


def _shape(catalog: Catalog) -> progress.CourseShape:
    """The catalog's CourseShape, worked out once per catalog (a catalog never changes once loaded)."""
    known = _SHAPES.get(id(catalog))
    if known is None or known[0] is not catalog:
        if len(_SHAPES) > 8:  # tests load many catalogs; an app has one
            _SHAPES.clear()
        known = _SHAPES[id(catalog)] = (catalog, progress.CourseShape.of(catalog))
    return known[1]


def _progress_rows(*, pages: bool, one: bool) -> CompoundSelect:
    """Everything progress is computed from, as rows of one shape: (kind, user id, module/quiz/casus id,
    page id, moment, read at, score, passed, counts, attempt number); kind is 'page', 'quiz' or 'casus'
    (whose moment is its completion).
    For the users in the expanding parameter ``user_ids``, or with ``one`` for the one in ``user_id``."""
    def nothing(type_: Any) -> Any:
        return type_coerce(null(), type_)

    def of_users(column: Any) -> Any:
        return column == bindparam("user_id") if one else column.in_(bindparam("user_ids", expanding=True))
    # Table columns, run on the session's connection: the ORM's execution cost more than the query itself.
    attempt, run, page = QuizAttempt.__table__.c, CasusRun.__table__.c, PageProgress.__table__.c
    quizzes = select(literal_column("'quiz'"), attempt.user_id, attempt.quiz_id, nothing(String),
                     attempt.submitted_at, nothing(DateTime), attempt.score, attempt.passed,
                     attempt.counts, attempt.number).where(
        of_users(attempt.user_id), status_is(attempt.status, AttemptStatus.SUBMITTED))
    casuses = select(literal_column("'casus'"), run.user_id, run.casus_id, nothing(String),
                     run.completed_at, nothing(DateTime), nothing(Float), nothing(Boolean), nothing(String),
                     nothing(Integer)).where(of_users(run.user_id), status_is(run.status, RunStatus.COMPLETED))
    if not pages:
        return union_all(quizzes, casuses)
    # The page rows come first: a union's columns take their types (and conversions) from its first select.
    rows = select(literal_column("'page'"), page.user_id, page.module_id, page.page_id, page.last_seen_at,
                  page.read_at, nothing(Float), nothing(Boolean), nothing(String),
                  nothing(Integer)).where(of_users(page.user_id))
    return union_all(rows, quizzes, casuses)


# Built once: making the statement cost a third as much as running it. One learner's (on every page with
# progress) is prepared (course/db/prepared.py), with a plain parameter: an expanding one cannot be prepared,
# and made SQLAlchemy write the statement's SQL anew on every execution.
_PROGRESS_ROWS = {pages: _progress_rows(pages=pages, one=False) for pages in (True, False)}
_PROGRESS_ROWS_OF_ONE = {pages: PreparedStatement(_progress_rows(pages=pages, one=True)) for pages in (True, False)}

# What the pages that show the course's progress ask the login's statement to bring (course_progress's
# ``rows``).
PROGRESS_ROWS = _PROGRESS_ROWS_OF_ONE[True].statement

_PAGES = PageProgress.__table__.c
# A module page's own queries when the login did not bring its rows: prepared (course/db/prepared.py),
# SQLAlchemy's execution cost more than the query itself.
_PAGE_VISITS = PreparedStatement(select(_PAGES.module_id, _PAGES.page_id, _PAGES.last_seen_at, _PAGES.read_at).where(
    _PAGES.user_id == bindparam("user_id")))
_CHECKS = EmbeddedCheck.__table__.c
# The page rows come first, with a JSON-typed empty column: a union's columns take their types (and so the
# conversion of the kept answers) from its first select.
_PAGE_STATE = PreparedStatement(union_all(
    select(literal_column("'page'"), _PAGES.module_id, _PAGES.page_id, _PAGES.last_seen_at, _PAGES.read_at,
           type_coerce(null(), _CHECKS.raw.type)).where(_PAGES.user_id == bindparam("user_id")),
    select(literal_column("'check'"), _CHECKS.quiz_id, _CHECKS.question_id, type_coerce(null(), DateTime),
           type_coerce(null(), DateTime), _CHECKS.raw).where(_CHECKS.user_id == bindparam("user_id"))))

# What a module page asks the login's statement to bring (page_state's ``rows``).
PAGE_STATE_ROWS = _PAGE_STATE.statement
