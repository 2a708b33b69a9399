"""Certificates (immutable records of what was certified) and the registration numbers learners record."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint, event, inspect, text
from sqlalchemy.orm import Mapped, mapped_column

from course.db.base import Base, utcnow


class CertificateKind(enum.StrEnum):
    COURSE = "course"  # the course completed by its own rules and the manifest's earning rule
    # An organisation's assignment with a stricter rule completed. It carries no accreditation points (the
    # course certificate does: a register must not award points twice for one course) and never expires:
    # it says the learner met that rule on that day, which stays true; an organisation that wants the work
    # done again sets a new assignment.
    ASSIGNMENT = "assignment"


ASSIGNED = text("assignment_id IS NOT NULL")


class Certificate(Base):
    """Proof that one person completed the course (or an organisation's assignment), as it was when they did.

    Everything printed on the certificate is a snapshot taken at issue (name, course title, hours,
    accreditation, register numbers; for an assignment its title and what it asked), so later edits of the
    course, the assignment or the account change nothing on it. Only the columns in MUTABLE ever change
    after insert: revoking (and SET NULL when what a link names goes). A renewal is a new certificate that
    names the one it renews.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        # One certificate per learner and assignment, also when two requests earn it at the same moment.
        # Led by assignment_id, so it also finds an assignment's certificates (and those its deletion unlinks).
        Index("uq_certificates_assignment", "assignment_id", "user_id", unique=True,
              sqlite_where=ASSIGNED, postgresql_where=ASSIGNED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The verification code: 160 random bits in base32 (32 characters), printed and in the QR code.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The organisation the learner belonged to at issue; the name below is what the certificate shows.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"),
                                                        index=True)
    course_id: Mapped[str] = mapped_column(String(64))
    course_title: Mapped[str] = mapped_column(String(300))
    learner_name: Mapped[str] = mapped_column(String(120))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    completed_on: Mapped[date]  # the Dutch calendar day the last required step was done
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    study_minutes: Mapped[int]  # the course's measured study load (course.studyload) at issue
    # [{"register": "SKJ", "number": "<the course's accreditation number>", "points": 8}, …]
    accreditation: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The learner's own numbers at issue, for the registers the course is accredited by: {"SKJ": "110012345"}.
    register_numbers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    valid_until: Mapped[date | None]  # the last valid day; None: never expires
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[CertificateKind] = mapped_column(
        Enum(CertificateKind, name="certificate_kind", native_enum=False, length=16,
             values_callable=lambda e: [m.value for m in e]),
        default=CertificateKind.COURSE, server_default=CertificateKind.COURSE.value)
    # The assignment it certifies (ASSIGNMENT only); NULL again once the organisation withdraws it, while
    # the title and requirement below keep saying what was certified.
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    assignment_title: Mapped[str | None] = mapped_column(String(200))
    # What the assignment asked, in titles as they were at issue (ASSIGNMENT only):
    # {"modules": [module titles; empty: the whole course], "min_quiz_percent": 80 or null,
    #  "casuses": [casus titles]}
    requirement: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    MUTABLE = frozenset({"revoked_at", "revoked_reason", "revoked_by_id", "renews_id", "organisation_id",
                         "assignment_id"})  # the last three: only SET NULL when what they name is deleted


@event.listens_for(Certificate, "before_update")
def _refuse_changes(_mapper: Any, _connection: Any, target: Certificate) -> None:
    changed = {attr.key for attr in inspect(target).attrs if attr.history.has_changes()}
    if changed - Certificate.MUTABLE:
        raise ValueError(f"a certificate is an immutable record; refused change of {sorted(changed)}")


class RegisterNumber(Base):
    """A learner's registration number at a professional register (course.registers), as they entered it."""

    __tablename__ = "register_numbers"
    __table_args__ = (UniqueConstraint("user_id", "register"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    register: Mapped[str] = mapped_column(String(8))  # a key of course.registers.REGISTERS
    number: Mapped[str] = mapped_column(String(20))  # normalised: digits only
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
