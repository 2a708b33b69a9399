"""Certificates (immutable records of what was certified) and the registration numbers learners record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from course.db.base import Base, utcnow


class Certificate(Base):
    """Proof that one person completed the course, as it was when they did.

    Everything printed on the certificate is a snapshot taken at issue (name, course title, hours,
    accreditation, register numbers), so later edits of the course or the account change nothing on it.
    Only the columns in MUTABLE ever change after insert: revoking (and SET NULL when what a link names
    goes). A renewal is a new certificate that names the one it renews.
    """

    __tablename__ = "certificates"

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

    MUTABLE = frozenset({"revoked_at", "revoked_reason", "revoked_by_id", "renews_id",
                         "organisation_id"})  # the last two: only SET NULL when what they name is deleted


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
