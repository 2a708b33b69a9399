"""Casus runs and the decisions taken in them.

A run keeps the engine's state (``course.casus.engine.RunState.to_json``), which holds every answer,
including reflection and plan texts: those are private to the learner and live only in the run (and its
``drafts``). Each answered step is also recorded as a CasusDecision with ids only (never free text), so
later reports can aggregate where learners go ("62% sloeg het collegiaal overleg over").
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.db.base import Base, utcnow


class RunStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    STOPPED = "stopped"  # the learner started again ("Opnieuw") before finishing this run


class CasusRun(Base):
    """One learner working through one casus, from the start to the debrief."""

    __tablename__ = "casus_runs"
    __table_args__ = (
        UniqueConstraint("user_id", "casus_id", "number"),
        # At most one run in progress per learner and casus, even when "Starten" or "Opnieuw" is double-clicked.
        Index("uq_casus_runs_open", "user_id", "casus_id", unique=True,
              sqlite_where=text("status = 'in_progress'"), postgresql_where=text("status = 'in_progress'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique constraint (user_id, casus_id, number) serves lookups by user.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    casus_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column()  # 1 for the learner's first run of this casus, 2 after a restart…
    content_hash: Mapped[str] = mapped_column(String(64))  # the casus file the run started on
    state: Mapped[dict[str, Any]] = mapped_column(JSON)  # RunState.to_json()
    # Unsubmitted texts by step id: a reflection's text, or a plan's texts by field id. Private.
    drafts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[RunStatus] = mapped_column(
        Enum(RunStatus, name="casus_run_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=RunStatus.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()

    decisions: Mapped[list[CasusDecision]] = relationship(back_populates="run", cascade="all, delete-orphan",
                                                          passive_deletes=True, order_by="CasusDecision.position")

    @property
    def completed(self) -> bool:
        return self.status == RunStatus.COMPLETED

    @property
    def stopped(self) -> bool:
        return self.status == RunStatus.STOPPED


class CasusDecision(Base):
    """One answered step of a run: which step, what was chosen (ids and text lengths only), and when."""

    __tablename__ = "casus_decisions"
    __table_args__ = (
        UniqueConstraint("run_id", "position"),
        Index("ix_casus_decisions_casus_id_step_id", "casus_id", "step_id"),  # for aggregate reports
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("casus_runs.id", ondelete="CASCADE"))
    casus_id: Mapped[str] = mapped_column(String(64))  # copied from the run, so reports need no join
    position: Mapped[int] = mapped_column()  # 0 for the run's first decision
    step_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    # {"option": id} | {"selected": [ids]} | {"length": n} | {"lengths": {field: n}} | {}
    choice: Mapped[dict[str, Any]] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    run: Mapped[CasusRun] = relationship(back_populates="decisions")


class CasusVersion(Base):
    """The text of a casus file as a run started on it, so a run is always shown with its own version.

    Kept once per version (runs refer to it by ``CasusRun.content_hash``); without it, editing a casus
    file would change or hide what a finished run showed, the learner's own reflections included. Holds
    course content only, nothing about a person.
    """

    __tablename__ = "casus_versions"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of ``source``
    casus_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)  # the YAML file as it was
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
