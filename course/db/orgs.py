"""What organisations add around their memberships (course/db/users.py): teams, assignments, reminders."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.db.base import Base, utcnow


class Team(Base):
    """A department or location of an organisation; its team lead sees its members only."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # unique within the organisation: CSV imports name it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assignment(Base):
    """Work an organisation sets: the course or some modules, for everyone, one team or one person, by a
    deadline, optionally with a rule stricter than the course's. Members' statuses are computed from their
    progress (course/assignments.py), never stored."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    module_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # module slugs; empty: the whole course
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)  # one team
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)  # one person
    due_on: Mapped[date] = mapped_column()
    # Stricter than the course: every knowledge check of the modules scored at least this percentage.
    min_quiz_percent: Mapped[int | None] = mapped_column()
    casus_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # casus slugs that must be completed too
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SentReminder(Base):
    """A reminder mail that went out (or is going out): the unique (recipient, key) pair is what keeps two
    runs of ``flask reminders send`` from sending the same reminder twice."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # the recipient
    # What it was about, e.g. 'due14:a12' (14 days before assignment 12's deadline) or 'digest:o3:2027-W09'.
    key: Mapped[str] = mapped_column(String(120))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
