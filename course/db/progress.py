"""Where each learner is in the course's pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
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
