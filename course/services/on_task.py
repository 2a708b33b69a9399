"""Each learner's time on task, stored (course.db.TimeOnTask) and kept exact by recomputing it with the pure
rule (course.certification.minutes_on_task) whenever one of their spans closes: a page read, a knowledge
check handed in, a casus completed. One learner's spans are a few dozen rows, so that costs two statements
in the writing transaction (read the spans, store the figure); the completion report then reads one number
per member instead of merging every span of every member.

Spans are counted as the report always counted them (course.services.progress_sql): each page from opening
to reading, each check from start to hand-in, each casus run from start to completion.

Two spans of one learner closing at once (a page read in one tab, a check handed in in another) on
PostgreSQL, under READ COMMITTED, would each miss the other's span, and the later write would store a
figure lacking one. So the figure carries a version read together with the spans, and it is stored only
if that version is still the stored one; when another writer got there first, the learner is locked and the
figure recomputed (SQLite, which serialises writers, never gets there). The common path takes no lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, null, select, union_all
from sqlalchemy.orm import Session

from course import certification
from course.db import CasusRun, PageProgress, QuizAttempt, TimeOnTask, User, utcnow
from course.db.base import UTCDateTime
from course.db.upsert import insert_for

# Users per statement when refreshing many: well under SQLite's limit on bound parameters.
_BATCH = 500
# The version a figure is read with when its learner has no row yet.
_NONE = -1


def _spans(user_ids: Sequence[int]) -> Any:
    """(user id, start, end, None) per closed span, and (user id, None, None, version) per stored figure."""
    def no_version() -> Any:
        return cast(null(), Integer)

    def no_moment() -> Any:
        return cast(null(), UTCDateTime())
    # The span rows come first: a union's columns take their types (and conversions) from its first select.
    return union_all(
        select(PageProgress.user_id, PageProgress.first_seen_at, PageProgress.read_at, no_version())
        .where(PageProgress.user_id.in_(user_ids), PageProgress.read_at.is_not(None)),
        select(QuizAttempt.user_id, QuizAttempt.started_at, QuizAttempt.submitted_at, no_version())
        .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.submitted_at.is_not(None)),
        select(CasusRun.user_id, CasusRun.started_at, CasusRun.completed_at, no_version())
        .where(CasusRun.user_id.in_(user_ids), CasusRun.completed_at.is_not(None)),
        select(TimeOnTask.user_id, no_moment(), no_moment(), TimeOnTask.version)
        .where(TimeOnTask.user_id.in_(user_ids)))


def computed(session: Session, user_ids: Sequence[int]) -> dict[int, tuple[float, int]]:
    """User id → (minutes on task by the pure rule from their rows as they are now, the stored figure's
    version or -1); one query."""
    spans: dict[int, list[tuple[datetime, datetime]]] = {user_id: [] for user_id in user_ids}
    versions = dict.fromkeys(user_ids, _NONE)
    if user_ids:
        for user_id, start, end, version in session.execute(_spans(user_ids)):
            if version is not None:
                versions[user_id] = version
            else:
                spans[user_id].append((start, end))
    return {user_id: (certification.minutes_on_task(mine), versions[user_id]) for user_id, mine in spans.items()}


def _store(session: Session, figures: dict[int, tuple[float, int]], *, checked: bool) -> set[int]:
    """Store the figures; with ``checked``, only where the stored version is still the one read with the
    spans. Returns the user ids stored."""
    if not figures:
        return set()
    table = TimeOnTask.__table__
    stmt = insert_for(session, table)
    condition = table.c.version == stmt.excluded.version - 1 if checked else None
    stmt = stmt.on_conflict_do_update(index_elements=["user_id"], where=condition, set_={
        "minutes_on_task": stmt.excluded.minutes_on_task, "updated_at": stmt.excluded.updated_at,
        "version": table.c.version + 1}).returning(table.c.user_id)
    now = utcnow()
    # The row's next version travels as the inserted value: a fresh row starts at 0, an update checks it.
    rows = [{"user_id": user_id, "minutes_on_task": minutes, "updated_at": now, "version": version + 1}
            for user_id, (minutes, version) in figures.items()]
    if len(rows) == 1:
        return set(session.scalars(stmt, rows[0]))
    return set(session.scalars(stmt, rows))


def _lock(session: Session, user_ids: Sequence[int]) -> None:
    """The learners' row locks (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers): under
    them, the span query that follows sees every span committed before."""
    session.execute(select(User.id).where(User.id.in_(user_ids)).order_by(User.id).with_for_update(key_share=True))


def refresh(session: Session, user_id: int) -> float:
    """Recompute and store the learner's minutes on task, in the caller's transaction (no commit): call it
    after writing a closed span, before committing, so the stored figure and the spans change together."""
    session.flush()  # the span just closed may still be pending in the session
    figures = computed(session, [user_id])
    if not _store(session, figures, checked=True):
        # Another transaction stored a figure since the spans were read: it may lack this span, and this
        # figure may lack its span. Under the learner's lock both are visible.
        _lock(session, [user_id])
        figures = computed(session, [user_id])
        _store(session, figures, checked=False)
    return figures[user_id][0]


def refresh_all(session: Session, user_ids: Iterable[int]) -> int:
    """Recompute and store the figure of every user in ``user_ids`` (rows written outside the services: an
    existing database after the migration, a bulk seed); no commit. Returns how many were stored.

    A figure a learner's own work stored meanwhile is left as it is: it is at least as recent."""
    ids = list(user_ids)
    stored = 0
    for start in range(0, len(ids), _BATCH):
        stored += len(_store(session, computed(session, ids[start:start + _BATCH]), checked=True))
    return stored


