"""Issuing, renewing, revoking and verifying certificates; learners' register numbers.

The rules are in course.certification; this module fetches the rows they need and writes the records.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from course import certification
from course.catalog import Catalog
from course.certification import Assessment, Evidence, QuizResult, Validity
from course.db import (
    AttemptStatus,
    CasusRun,
    Certificate,
    CertificateKind,
    EventKind,
    Membership,
    Organisation,
    PageProgress,
    QuizAttempt,
    RegisterNumber,
    RunStatus,
    User,
    status_is,
    utcnow,
)
from course.errors import N_, DomainError, NotFound
from course.registers import REGISTERS, normalise_number, valid_number
from course.services.audit import record_event
from course.services.ownership import lock_learner
from course.services.progress import course_progress

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # certificates carry Dutch calendar days
CODE_LENGTH = 32  # base32 characters: 160 random bits, far beyond guessing
_CODE = re.compile(rf"[A-Z2-7]{{{CODE_LENGTH}}}")


def new_code() -> str:
    """A fresh verification code: 32 characters of base32 (A–Z, 2–7), 160 random bits."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def normalise_code(raw: str) -> str | None:
    """A code as typed or printed (groups, lower case, dashes) in its stored form; None if it cannot be one."""
    code = re.sub(r"[\s\-]", "", raw).upper()
    return code if _CODE.fullmatch(code) else None


def grouped(code: str) -> str:
    """The code as printed: groups of four, easier to read out and type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def local_day(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def evidence_of(session: Session, catalog: Catalog, user_id: int) -> Evidence:
    """What the learner did, as the certification rules need it (four queries)."""
    progress = course_progress(session, catalog, user_id)
    complete = bool(progress.modules) and all(m.complete for m in progress.modules)
    pages = session.execute(select(PageProgress.first_seen_at, PageProgress.read_at)
                            .where(PageProgress.user_id == user_id)).all()
    attempts = session.execute(
        select(QuizAttempt.quiz_id, QuizAttempt.started_at, QuizAttempt.submitted_at, QuizAttempt.score,
               QuizAttempt.passed)
        .where(QuizAttempt.user_id == user_id, status_is(QuizAttempt.status, AttemptStatus.SUBMITTED))).all()
    runs = session.execute(select(CasusRun.casus_id, CasusRun.started_at, CasusRun.completed_at)
                           .where(CasusRun.user_id == user_id, status_is(CasusRun.status, RunStatus.COMPLETED))).all()
    spans = [(seen, read) for seen, read in pages if read is not None]
    spans += [(a.started_at, a.submitted_at) for a in attempts if a.submitted_at is not None]
    spans += [(r.started_at, r.completed_at) for r in runs if r.completed_at is not None]
    return Evidence(
        course_complete=complete,
        course_last_step_at=max((read for _, read in pages if read is not None), default=None),
        quiz_results=tuple(QuizResult(a.quiz_id, a.submitted_at, a.score or 0.0, bool(a.passed))
                           for a in attempts if a.submitted_at is not None),
        casus_completions=tuple((r.casus_id, r.completed_at) for r in runs if r.completed_at is not None),
        minutes_on_task=certification.minutes_on_task(spans))


def certificates_of(session: Session, user_id: int) -> list[Certificate]:
    """The learner's certificates, newest first."""
    return list(session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def own_certificate(session: Session, user_id: int, certificate_id: int) -> Certificate:
    """The learner's own certificate; NotFound for a missing one or someone else's (they look the same)."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None or certificate.user_id != user_id:
        raise NotFound(N_("Dit certificaat bestaat niet."))
    return certificate


def _latest(session: Session, user_id: int, course_id: str) -> Certificate | None:
    # Only course certificates: one for an assignment is neither renewed nor stands in for this one.
    return session.scalar(select(Certificate).where(Certificate.user_id == user_id,
                                                    Certificate.course_id == course_id,
                                                    Certificate.kind == CertificateKind.COURSE)
                          .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(1))


@dataclass(frozen=True)
class Standing:
    """Where a learner stands: their latest certificate (if any), its state, and what a new one still needs."""

    latest: Certificate | None
    validity: Validity | None
    refresher_open: bool  # the latest may be renewed now
    assessment: Assessment | None  # towards the first certificate or the renewal; None when nothing is open


def refresher_since(until: date, remind_days_before: int) -> datetime:
    """The moment the refresher opened: the start (Dutch time) of the first day of the reminder window."""
    return datetime.combine(until - timedelta(days=remind_days_before), time.min, AMSTERDAM).astimezone(UTC)


def standing(session: Session, catalog: Catalog, user_id: int, now: datetime | None = None) -> Standing:
    """The learner's certificate standing on the course (reads only)."""
    now = now or utcnow()
    accreditation = catalog.course.accreditation
    latest = _latest(session, user_id, catalog.course.id)
    quiz_ids = list(catalog.quizzes)
    casus_ids = list(catalog.casuses)
    if latest is None:
        requirement = certification.first_requirement(accreditation, quiz_ids, casus_ids)
        return Standing(None, None, False, certification.assess(requirement, evidence_of(session, catalog, user_id)))
    today = local_day(now)
    state = certification.validity(latest.revoked_at is not None, latest.valid_until, today)
    if state == Validity.REVOKED or latest.valid_until is None or not certification.refresher_open(
            latest.valid_until, today, accreditation.remind_days_before):
        return Standing(latest, state, False, None)
    requirement = certification.refresher_requirement(
        accreditation, quiz_ids, casus_ids, refresher_since(latest.valid_until, accreditation.remind_days_before))
    return Standing(latest, state, True, certification.assess(requirement, evidence_of(session, catalog, user_id)))


def issue_if_earned(session: Session, catalog: Catalog, user_id: int, now: datetime | None = None
                    ) -> Certificate | None:
    """Issue the first certificate, or renew the latest through the refresher, when the learner has earned it.

    Returns the new certificate (committed), or None when nothing is due. A revoked certificate is never
    replaced automatically. Safe to call after every step: the learner's lock makes two calls issue once.
    """
    now = now or utcnow()
    first = standing(session, catalog, user_id, now)
    if first.assessment is None or not first.assessment.earned:
        return None
    lock_learner(session, user_id)
    current = standing(session, catalog, user_id, now)  # again, under the lock: a parallel call may have issued
    if current.assessment is None or not current.assessment.earned or current.assessment.completed_at is None:
        session.rollback()
        return None
    user = session.get(User, user_id)
    if user is None:  # pragma: no cover - the caller holds a signed-in user
        raise NotFound(N_("Dit account bestaat niet."))
    completed_on = local_day(current.assessment.completed_at)
    accreditation = catalog.course.accreditation
    previous = current.latest
    membership = session.execute(
        select(Membership.organisation_id, Organisation.name).join(Organisation)
        .where(Membership.user_id == user_id).order_by(Membership.created_at, Membership.id).limit(1)).first()
    registers = {r.register for r in accreditation.registers}
    numbers = {r.register: r.number for r in session.scalars(
        select(RegisterNumber).where(RegisterNumber.user_id == user_id)) if r.register in registers}
    certificate = Certificate(
        code=new_code(), user_id=user_id, organisation_id=membership[0] if membership else None,
        organisation_name=membership[1] if membership else None, course_id=catalog.course.id,
        course_title=catalog.course.title, learner_name=user.name, completed_on=completed_on, issued_at=now,
        study_minutes=catalog.study_load.total.minutes,
        accreditation=[{"register": r.register, "number": r.number, "points": r.points}
                       for r in accreditation.registers],
        register_numbers=numbers,
        valid_until=certification.valid_until(completed_on, accreditation,
                                               previous.valid_until if previous else None),
        renews_id=previous.id if previous else None)
    session.add(certificate)
    session.commit()
    return certificate


@dataclass(frozen=True)
class Verification:
    """What the public verification page shows, and nothing more."""

    learner_name: str
    course_title: str
    completed_on: date
    valid_until: date | None
    validity: Validity
    accreditation: tuple[tuple[str, str, int], ...]  # (register, course accreditation number, points)
    revoked_reason: str | None
    # What the organisation asked, for an assignment's certificate (Certificate.requirement); its name and
    # the assignment's title stay off the public page.
    requirement: dict[str, Any] | None = None


def verify(session: Session, raw_code: str, today: date) -> Verification | None:
    """The public facts of the certificate with this code, or None when no certificate has it."""
    code = normalise_code(raw_code)
    certificate = session.scalar(select(Certificate).where(Certificate.code == code)) if code else None
    if certificate is None:
        return None
    return Verification(
        certificate.learner_name, certificate.course_title, certificate.completed_on, certificate.valid_until,
        certification.validity(certificate.revoked_at is not None, certificate.valid_until, today),
        tuple((a["register"], a["number"], a["points"]) for a in certificate.accreditation),
        certificate.revoked_reason, certificate.requirement)


def find_by_code(session: Session, raw_code: str) -> Certificate | None:
    """For administrators: the certificate with this code (as typed or printed)."""
    code = normalise_code(raw_code)
    return session.scalar(select(Certificate).where(Certificate.code == code)) if code else None


def revoke(session: Session, actor_id: int, certificate_id: int, reason: str, ip: str | None = None) -> Certificate:
    """Revoke a certificate with a reason the verification page shows; logged. Raises NotFound, DomainError."""
    reason = reason.strip()
    if not reason:
        raise DomainError(N_("Geef een reden op."), field="reason")
    certificate = session.get(Certificate, certificate_id, with_for_update=True)
    if certificate is None:
        raise NotFound(N_("Dit certificaat bestaat niet."))
    if certificate.revoked_at is not None:
        raise DomainError(N_("Dit certificaat is al ingetrokken."))
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason[:500]
    certificate.revoked_by_id = actor_id
    record_event(session, EventKind.ADMIN_ACTION, user_id=certificate.user_id, actor_id=actor_id, ip=ip,
                 commit=False, action="certificate_revoked", certificate=certificate.id)
    session.commit()
    return certificate


def register_numbers(session: Session, user_id: int) -> dict[str, str]:
    """Register id → the learner's number there."""
    return {r.register: r.number for r in session.scalars(
        select(RegisterNumber).where(RegisterNumber.user_id == user_id))}


def set_register_numbers(session: Session, user_id: int, numbers: dict[str, str]) -> None:
    """Record the learner's numbers (register id → number as typed; empty removes it). All or nothing:
    raises DomainError naming the field (``skj``) of a number that has not the register's shape."""
    cleaned = {}
    for register_id, raw in numbers.items():
        if register_id not in REGISTERS:
            raise DomainError(N_("Onbekend register."))
        number = normalise_number(raw)
        if number and not valid_number(register_id, number):
            raise DomainError(N_("Dit nummer heeft niet de vorm van een nummer van dit register."),
                              field=register_id.lower())
        cleaned[register_id] = number
    existing = {r.register: r for r in session.scalars(select(RegisterNumber).where(RegisterNumber.user_id == user_id))}
    for register_id, number in cleaned.items():
        row = existing.get(register_id)
        if not number:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(RegisterNumber(user_id=user_id, register=register_id, number=number))
        elif row.number != number:
            row.number, row.updated_at = number, utcnow()
    session.commit()
