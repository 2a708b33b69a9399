"""Recording what a learner has read, and computing their progress through the course."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.content.model import Page
from course.db import PageProgress, utcnow
from course.db.upsert import insert_for
from course.progress import CourseProgress, QuizOutcome, module_progress
from course.services import casuses as casus_service
from course.services import quizzes as quiz_service
from course.services.quizzes import QuizResult


def record_visit(session: Session, user_id: int, page: Page, *, read: bool = False) -> None:
    """Note that the user opened ``page`` (and finished it, if ``read``); commits. Safe to repeat."""
    now = utcnow()
    values = {"user_id": user_id, "module_id": page.module_id, "page_id": page.id,
              "first_seen_at": now, "last_seen_at": now, "read_at": now if read else None}
    table = PageProgress.__table__
    stmt = insert_for(session, table).values(values)
    # COALESCE keeps the first time the page was read: re-reading does not move the date.
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "module_id", "page_id"],
        set_={"last_seen_at": now, "read_at": func.coalesce(table.c.read_at, stmt.excluded.read_at)})
    session.execute(stmt)
    session.commit()


def read_pages(session: Session, user_id: int, module_id: str | None = None) -> set[tuple[str, str]]:
    """(module id, page id) of every page the user has finished, optionally within one module."""
    query = select(PageProgress.module_id, PageProgress.page_id).where(
        PageProgress.user_id == user_id, PageProgress.read_at.is_not(None))
    if module_id is not None:
        query = query.where(PageProgress.module_id == module_id)
    return {(m, p) for m, p in session.execute(query)}


def course_progress(session: Session, catalog: Catalog, user_id: int) -> CourseProgress:
    """The user's progress through every module, their last activity and where to continue.

    Three queries whatever the size of the course: page rows, quiz results, completed casuses.
    """
    return course_progress_of(session, catalog, [user_id])[user_id]


def course_progress_of(session: Session, catalog: Catalog, user_ids: Sequence[int]) -> dict[int, CourseProgress]:
    """User id → progress, for several learners at once (a group's overview): the same three queries."""
    rows = session.execute(
        select(PageProgress.user_id, PageProgress.module_id, PageProgress.page_id, PageProgress.last_seen_at,
               PageProgress.read_at)
        .where(PageProgress.user_id.in_(user_ids))).all()
    quiz_results = quiz_service.quiz_results_of(session, user_ids)
    completed_casuses = casus_service.completed_casus_ids_of(session, user_ids)
    rows_of: dict[int, list[Any]] = {user_id: [] for user_id in user_ids}
    for row in rows:
        rows_of[row.user_id].append(row)
    return {user_id: _progress(catalog, rows_of[user_id], quiz_results.get(user_id, {}),
                               completed_casuses.get(user_id, set()))
            for user_id in user_ids}


def _progress(catalog: Catalog, rows: Sequence[Any], quiz_results: dict[str, QuizResult],
              completed_casuses: set[str]) -> CourseProgress:
    read: dict[str, set[str]] = {}
    last_seen: tuple[datetime, str, str] | None = None
    last_activity: datetime | None = None
    for _user, module_id, page_id, seen_at, read_at in rows:
        if read_at is not None:
            read.setdefault(module_id, set()).add(page_id)
        if catalog.module(module_id) and catalog.module(module_id).page(page_id) and (
                last_seen is None or seen_at > last_seen[0]):
            last_seen = (seen_at, module_id, page_id)
        for moment in (seen_at, read_at):
            if moment is not None and (last_activity is None or moment > last_activity):
                last_activity = moment
    for result in quiz_results.values():
        if result.last_submitted_at and (last_activity is None or result.last_submitted_at > last_activity):
            last_activity = result.last_submitted_at

    modules = []
    for module in catalog.modules:
        quiz = catalog.quiz_for_module(module.id)
        result = quiz_results.get(quiz.id) if quiz else None
        outcome = QuizOutcome(result.attempts, result.counted_score, result.best_score, result.passed) \
            if result else None
        modules.append(module_progress(
            module, catalog.course.completion, read.get(module.id, ()), quiz.id if quiz else None, outcome,
            [c.id for c in catalog.casuses_for_module(module.id)], completed_casuses))
    return CourseProgress(tuple(modules), last_activity, _resume_point(catalog, last_seen, read))


def _resume_point(catalog: Catalog, last_seen: tuple[datetime, str, str] | None,
                  read: dict[str, set[str]]) -> tuple[str, str] | None:
    """The last page opened; if it was finished, the first unread page after it."""
    if last_seen is None:
        return None
    _, module_id, page_id = last_seen
    if page_id not in read.get(module_id, set()):
        return module_id, page_id
    pages = catalog.pages
    start = next(i for i, p in enumerate(pages) if p.module_id == module_id and p.id == page_id)
    for page in pages[start + 1:] + pages[:start]:
        if page.id not in read.get(page.module_id, set()):
            return page.module_id, page.id
    return module_id, page_id
