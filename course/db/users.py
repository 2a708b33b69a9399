"""People and the organisations they belong to."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.db.base import Base, utcnow


class Role(enum.StrEnum):
    """What someone may do. A user's own role is platform-wide; a membership's role is within one organisation."""

    LEARNER = "learner"
    TRAINER = "trainer"
    ORG_ADMIN = "org_admin"  # only as a membership role
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

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_site_admin(self) -> bool:
        return self.role == Role.SITE_ADMIN

    # The user-session protocol Flask-Login expects, written out so the domain needs no web import.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The session's user id; includes the session version, so a password change logs out other devices."""
        return f"{self.id}:{self.session_version}"


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
