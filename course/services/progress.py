"""Recording what a learner has read, and computing their progress through the course."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course import progress
from course.catalog import Catalog
from course.content.model import Page
from course.db import PageProgress, utcnow
from course.db.upsert import insert_for
from course.progress import CourseProgress, PageVisit
from course.services import casuses as casus_service
from course.services import quizzes as quiz_service


def record_visit(session: Session, user_id: int, page: Page, *, read: bool = False,
                 visits: Sequence[PageVisit] | None = None) -> bool:
    """Note that the user opened ``page`` (and finished it, if ``read``); commits. Safe to repeat.

    ``visits`` are the user's page rows as the caller just loaded them (``page_visits``): when they show
    that opening the page changes nothing (``progress.visit_needs_recording``), nothing is written and
    nothing committed. Returns whether it wrote.
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
    session.commit()
    return True


def page_visits(session: Session, user_id: int) -> list[PageVisit]:
    """Every page row of the user (opened, last seen, finished), in one query."""
    return [PageVisit(*row) for row in session.execute(
        select(PageProgress.module_id, PageProgress.page_id, PageProgress.last_seen_at, PageProgress.read_at)
        .where(PageProgress.user_id == user_id))]


def read_pages(session: Session, user_id: int, module_id: str | None = None) -> set[tuple[str, str]]:
    """(module id, page id) of every page the user has finished, optionally within one module."""
    query = select(PageProgress.module_id, PageProgress.page_id).where(
        PageProgress.user_id == user_id, PageProgress.read_at.is_not(None))
    if module_id is not None:
        query = query.where(PageProgress.module_id == module_id)
    return {(m, p) for m, p in session.execute(query)}


def course_progress(session: Session, catalog: Catalog, user_id: int, *,
                    visits: Sequence[PageVisit] | None = None) -> CourseProgress:
    """The user's progress through every module, their last activity and where to continue.

    Three queries whatever the size of the course: page rows, quiz results, completed casuses; two when
    the caller already loaded the page rows (``visits``, from ``page_visits``).
    """
    if visits is None:
        return course_progress_of(session, catalog, [user_id])[user_id]
    return progress.course_progress(catalog, visits, quiz_service.quiz_results_of(session, [user_id]).get(user_id, {}),
                                    casus_service.completed_casus_ids_of(session, [user_id]).get(user_id, set()))


def course_progress_of(session: Session, catalog: Catalog, user_ids: Sequence[int]) -> dict[int, CourseProgress]:
    """User id → progress, for several learners at once (a group's overview): the same three queries."""
    rows = session.execute(
        select(PageProgress.user_id, PageProgress.module_id, PageProgress.page_id, PageProgress.last_seen_at,
               PageProgress.read_at)
        .where(PageProgress.user_id.in_(user_ids))).all()
    quiz_results = quiz_service.quiz_results_of(session, user_ids)
    completed_casuses = casus_service.completed_casus_ids_of(session, user_ids)
    visits: dict[int, list[PageVisit]] = {user_id: [] for user_id in user_ids}
    for user_id, module_id, page_id, seen_at, read_at in rows:
        visits[user_id].append(PageVisit(module_id, page_id, seen_at, read_at))
    return {user_id: progress.course_progress(catalog, visits[user_id], quiz_results.get(user_id, {}),
                                              completed_casuses.get(user_id, set()))
            for user_id in user_ids}
