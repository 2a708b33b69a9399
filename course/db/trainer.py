"""What trainers run: groups of learners (cohorts), and live sessions in which a group answers on their
phones, with or without an account.

All live state lives here, never in a worker's memory, so a session works with several gunicorn workers
and several app servers on one PostgreSQL database.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.db.base import Base, utcnow


class Group(Base):
    """A cohort a trainer teaches: learners join it with its code and the trainer follows their progress."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date | None] = mapped_column()
    ends_on: Mapped[date | None] = mapped_column()
    join_code: Mapped[str] = mapped_column(String(16), unique=True)  # random, shown to the group; not a secret
    closed_at: Mapped[datetime | None] = mapped_column()  # a closed group takes no new members
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[GroupMember]] = relationship(back_populates="group", cascade="all, delete-orphan",
                                                      passive_deletes=True)

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class GroupMember(Base):
    """A learner in a group. The trainer sees their progress and aggregated answers, never their texts,
    unless the learner shares their reflections (off by default, revocable)."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    shares_reflections: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[Group] = relationship(back_populates="members")


class LiveSource(enum.StrEnum):
    QUIZ = "quiz"
    CASUS = "casus"
    PROMPTS = "prompts"


class LiveSession(Base):
    """A live session on the projector. ``state`` is course.live.state.LiveState as JSON; ``version`` goes up
    with every change participants must see, and is their polling ETag."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)  # what participants type to join
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[LiveSource] = mapped_column(
        Enum(LiveSource, name="live_source", native_enum=False, length=10,
             values_callable=lambda e: [m.value for m in e]))
    source_id: Mapped[str | None] = mapped_column(String(64))  # the quiz or casus id
    # The items asked (quiz, prompts) as course.live.items.LiveItem.to_json(), fixed when the session starts;
    # for a casus, the group's run state (course.casus.engine.RunState.to_json) and the items asked so far.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    casus_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    casus_hash: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)
    ask_names: Mapped[bool] = mapped_column(default=False)
    min_results: Mapped[int] = mapped_column(default=3)  # results appear from this many answers on
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()


class LiveParticipant(Base):
    """Someone who joined a live session: anonymous (a random token in their browser session), or a
    logged-in learner. Rejoining with the same token or account is the same participant."""

    __tablename__ = "live_participants"
    __table_args__ = (
        UniqueConstraint("session_id", "token_hash"),
        Index("uq_live_participants_user", "session_id", "user_id", unique=True,
              sqlite_where=text("user_id IS NOT NULL"), postgresql_where=text("user_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the participant's token
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    display_name: Mapped[str | None] = mapped_column(String(60))  # only when the trainer asked for names
    # The learner's own copy of a live casus, once they kept it in their progress.
    kept_run_id: Mapped[int | None] = mapped_column(ForeignKey("casus_runs.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveAnswer(Base):
    """One participant's answer to one item. The unique constraint is what makes a double submit or two
    racing workers store exactly one answer."""

    __tablename__ = "live_answers"
    __table_args__ = (UniqueConstraint("participant_id", "item_key"),
                      Index("ix_live_answers_session_id_item_key", "session_id", "item_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("live_participants.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON)  # an option id, ids, a text or words (course.live.items)
    hidden: Mapped[bool] = mapped_column(default=False)  # an open answer the trainer took off the screen
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped[LiveParticipant] = relationship()
