"""People and the organisations they belong to."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.db.base import Base, utcnow


class Role(enum.StrEnum):
    """What someone may do. A user's own role is platform-wide; a membership's role is within one organisation."""

    LEARNER = "learner"
    TRAINER = "trainer"
    ORG_ADMIN = "org_admin"  # only as a membership role
    TEAM_LEAD = "team_lead"  # only as a membership role: sees the members of their own team
    SITE_ADMIN = "site_admin"  # only as a user role


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Store the values ('site_admin'), not the member names, and as a CHECK rather than a native
    # PostgreSQL type, so adding a role later is a plain migration.
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e], length=20)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"), default=Role.LEARNER)
    locale: Mapped[str | None] = mapped_column(String(8))  # the UI language the user chose; None: browser's
    # Bumped when the password changes, so every other session and remember-me cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person proved the address is theirs (the link in a mail); None: not yet, no login until then.
    email_confirmed_at: Mapped[datetime | None]
    # Set by an administrator: a disabled account cannot log in and all its logins end.
    disabled_at: Mapped[datetime | None]
    # Two-step verification (TOTP, RFC 6238): the shared secret (base32) once the person has set it up.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_enabled_at: Mapped[datetime | None]
    # The time step of the last code accepted: a code works once, even within its 30 seconds.
    totp_last_step: Mapped[int | None]
    # SHA-256 of each unused recovery code (a recovery code is random and long, so a plain hash suffices).
    recovery_code_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Reminder mails about assignments (deadlines, overdue members, the weekly digest): the person may turn
    # them off; mails about the account itself always go.
    reminder_mail: Mapped[bool] = mapped_column(default=True, server_default=true())

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")
    logins: Mapped[list[LoginSession]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                      passive_deletes=True)

    # The secret of the login this object was loaded for (see LoginSession); never stored on the row.
    login_secret = None
    login_remembered = False  # whether that login is "ingelogd blijven" (no idle timeout)
    # Whether a role requires two-step verification; set when the login is loaded (resume_login).
    needs_two_factor = False
    # Whether the user is an active member of an organisation (which may set them work), when the login was
    # loaded (resume_login); None: not known.
    in_organisation = None
    # The keys ("module/page") of the pages the user finished, when loaded with the login; None: not loaded.
    read_page_keys = None
    # What the page asked the login's statement to bring of the user (resume_login's ``rows``); None: nothing.
    login_rows = None
    # What the login's statement carried for the request (accounts.resume_login's ``carrying``): its columns'
    # values, or None.
    carried = None

    @property
    def is_site_admin(self) -> bool:
        return self.role == Role.SITE_ADMIN

    # The user-session protocol Flask-Login expects, written out so the domain needs no web import.
    is_authenticated = True
    is_anonymous = False

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def get_id(self) -> str | None:
        """What the session and the remember-me cookie carry: the secret of this login, not the user id.

        So a copied cookie works only as long as its login does; logging out deletes the login.
        """
        return self.login_secret


class LoginSession(Base):
    """One login on one device (a browser). Logging out deletes it, and every copy of its cookies stops working."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the random secret in the session and remember-me cookies; the secret itself is not stored,
    # so a copy of this table logs nobody in.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)  # "ingelogd blijven": long-lived, no idle timeout
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)  # updated at most once a minute
    expires_at: Mapped[datetime]  # absolute end, however active the login is
    user_agent: Mapped[str] = mapped_column(String(200), default="")  # so the user recognises the device

    user: Mapped[User] = relationship(back_populates="logins")


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation", cascade="all, delete-orphan")


class Membership(Base):
    """A user's place in an organisation; reports and deadlines of an organisation cover its members only."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "membership_role"), default=Role.LEARNER)
    # The member's team (department, location); a team lead leads the team of their own membership.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by an organisation admin: the member keeps their history but no longer counts for the organisation
    # and loses access to its pages. Leaving (the member's own choice) deletes the row instead.
    deactivated_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")

    @property
    def active(self) -> bool:
        return self.deactivated_at is None
