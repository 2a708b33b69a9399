"""The security audit log: recording events and reading them back for administrators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from course.db import EventKind, SecurityEvent, User

# Keys that must never reach the log, whatever a caller passes: the log is read by people.
_SECRET_KEYS = frozenset({"password", "token", "code", "secret", "recovery_code", "totp"})


def record_event(session: Session, kind: EventKind, *, user_id: int | None = None, actor_id: int | None = None,
                 ip: str | None = None, commit: bool = True, **detail: Any) -> SecurityEvent:
    """Add an event to the log (and commit unless ``commit`` is False). Returns the event.

    Raises ValueError when ``detail`` has a key that names a secret, so a careless caller fails in tests.
    """
    secret = _SECRET_KEYS.intersection(key.lower() for key in detail)
    if secret:
        raise ValueError(f"secrets never go into the audit log: {sorted(secret)}")
    event = SecurityEvent(kind=kind, user_id=user_id, actor_id=actor_id, ip=ip, detail=detail)
    session.add(event)
    if commit:
        session.commit()
    return event


@dataclass(frozen=True)
class EventLine:
    """An event as the administrator's log page shows it."""

    event: SecurityEvent
    user_email: str | None
    actor_email: str | None


@dataclass(frozen=True)
class EventPage:
    lines: list[EventLine]
    page: int
    pages: int


def list_events(session: Session, *, page: int = 1, per_page: int = 50, kind: EventKind | None = None,
                user_id: int | None = None) -> EventPage:
    """One page of events, newest first, with the email addresses of the accounts involved (one query)."""
    where = []
    if kind is not None:
        where.append(SecurityEvent.kind == kind)
    if user_id is not None:
        where.append(SecurityEvent.user_id == user_id)
    total = session.scalar(select(func.count()).select_from(SecurityEvent).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    subject, actor = aliased(User), aliased(User)
    rows = session.execute(
        select(SecurityEvent, subject.email, actor.email)
        .outerjoin(subject, SecurityEvent.user_id == subject.id)
        .outerjoin(actor, SecurityEvent.actor_id == actor.id)
        .where(*where).order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
        .limit(per_page).offset((page - 1) * per_page))
    return EventPage([EventLine(event, email, actor_email) for event, email, actor_email in rows], page, pages)

