"""Where each learner is in the course's pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.db.base import Base, utcnow


class PageProgress(Base):
    """One row per learner and page they opened. Pages are referred to by their stable ids, not by file."""

    __tablename__ = "page_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "page_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique constraint below starts with user_id and serves those lookups.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(64))
    page_id: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)  # drives "continue where you left off"
    read_at: Mapped[datetime | None] = mapped_column()  # None until the learner finished the page


class TimeOnTask(Base):
    """A learner's recorded time on task (course.certification.minutes_on_task over all their spans), kept
    by the services that close a span (course.services.on_task), so that a report over thousands of members
    reads one number per member instead of merging every span of every member on each request."""

    __tablename__ = "time_on_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # A double on both databases: the pure rule's float comes back bit for bit.
    minutes_on_task: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Counts the writes: a figure is stored only over the version read with its spans (course.services.on_task).
    version: Mapped[int] = mapped_column(default=0)


class ModuleSummary(Base):
    """A learner's standing in one module, as the completion rules decide it (course.progress), kept by the
    services that record progress (course.services.module_summaries) so that a report over thousands of
    members reads a few numbers per member instead of aggregating every page row and check attempt.

    Valid only for the course shape it was computed for (``shape``) and the learner's rows as they were at
    their stored time on task's ``version`` (``basis``); any other row is ignored by the report, which then
    computes that member from the raw rows."""

    __tablename__ = "module_summaries"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(64))
    # Fingerprint of what the rules read from the content: modules, their pages, checks and casussen, the
    # completion rules (course.services.module_summaries.shape_key).
    shape: Mapped[str] = mapped_column(String(32))
    basis: Mapped[int] = mapped_column(Integer)  # the time_on_task.version the rows were read after
    complete: Mapped[bool] = mapped_column(Boolean)
    started: Mapped[bool] = mapped_column(Boolean)  # a page read, a check handed in or a casus completed
    best_score: Mapped[float | None] = mapped_column(Float)  # the module's knowledge check, 0..1
    casuses_done: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime | None] = mapped_column()  # latest page read or check handed in here
