"""The security audit log: who did what, when and from where — never a password, token or code."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from course.db.base import Base, utcnow


class EventKind(enum.StrEnum):
    """What happened. Stored as plain text (no CHECK constraint), so a new kind needs no migration."""

    REGISTERED = "registered"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"  # a rate limit refused further attempts for an account or an address
    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 - an event name
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an event name
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"
    EMAIL_CONFIRMED = "email_confirmed"
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    TWO_FACTOR_FAILED = "two_factor_failed"
    RECOVERY_CODE_USED = "recovery_code_used"
    ACCESS_DENIED = "access_denied"
    ADMIN_ACTION = "admin_action"
    DATA_EXPORTED = "data_exported"
    ACCOUNT_DELETED = "account_deleted"
    SSO_LINKED = "sso_linked"  # an existing account was linked to an organisation's identity provider


class SecurityEvent(Base):
    """One security-relevant event. Kept when the account is deleted, but then without anything that names it."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, name="security_event_kind", native_enum=False,
                                                 create_constraint=False, length=40,
                                                 values_callable=lambda e: [m.value for m in e]))
    # The account the event is about (None: unknown, or the account was deleted).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Who acted, when not the account itself (an administrator); None otherwise.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ip: Mapped[str | None] = mapped_column(String(45))  # the client's address as the app saw it
    # Small facts about the event (e.g. {"path": "/beheer"}); callers never put secrets here.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
