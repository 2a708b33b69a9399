"""Quiz attempts and the answers saved in them.

Rows refer to a quiz by its id (the file name); an attempt keeps a snapshot of the questions it was
given, so editing or removing a quiz file never breaks an attempt's history or review.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.db.base import Base, utcnow


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class QuizAttempt(Base):
    """One try at a quiz by one learner."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "number"),
        # At most one open attempt per learner and quiz, even when two "start" clicks race.
        Index("uq_quiz_attempts_open", "user_id", "quiz_id", unique=True,
              sqlite_where=text("status = 'in_progress'"), postgresql_where=text("status = 'in_progress'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique constraint (user_id, quiz_id, number) serves lookups by user.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column()  # 1 for the learner's first attempt at this quiz, 2 for the next…
    seed: Mapped[int] = mapped_column()  # drew the questions and their order; kept to explain a paper
    # The paper as course.quiz.Paper.to_snapshot() wrote it: the questions given, in the order shown.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The snapshot's own "key", copied when the attempt starts: a save compares it with the key of the paper
    # its form was parsed with, without reading the snapshot (NULL for snapshots without a key).
    paper_key: Mapped[str | None] = mapped_column(String(32))
    counts: Mapped[str] = mapped_column(String(8))  # "best" | "last": the quiz's policy when this started
    status: Mapped[AttemptStatus] = mapped_column(
        Enum(AttemptStatus, name="attempt_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=AttemptStatus.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_saved_at: Mapped[datetime | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    score: Mapped[float | None] = mapped_column()  # 0..1, weighted by points; set at submit
    passed: Mapped[bool | None] = mapped_column()  # set at submit, against the pass mark in the snapshot

    answers: Mapped[list[AttemptAnswer]] = relationship(back_populates="attempt", cascade="all, delete-orphan",
                                                        passive_deletes=True)

    @property
    def submitted(self) -> bool:
        return self.status == AttemptStatus.SUBMITTED


class AttemptAnswer(Base):
    """The learner's answer to one question of an attempt, saved as they go; graded at submit."""

    __tablename__ = "quiz_attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    # The form values of a valid answer, as the question type's answer_to_raw() gives them.
    raw: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    # With feedback after each question: when the learner checked it. A checked answer is final.
    checked_at: Mapped[datetime | None] = mapped_column()
    score: Mapped[float | None] = mapped_column()  # 0..1 for this question; set at submit
    correct: Mapped[bool | None] = mapped_column()  # full credit; set at submit, for "most missed" reports

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


class EmbeddedCheck(Base):
    """The answer a learner just checked on a question embedded in a module page, until that page shows
    its feedback once (then the row is deleted). Kept here, not in the session cookie: a long answer made
    the cookie larger than browsers keep."""

    __tablename__ = "embedded_checks"
    __table_args__ = (UniqueConstraint("user_id", "quiz_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    raw: Mapped[dict[str, list[str]]] = mapped_column(JSON)  # the form values, as split_form gives them
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
