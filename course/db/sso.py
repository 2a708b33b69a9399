"""Single sign-on: an organisation's OpenID Connect provider, and which account each of its people is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from course.db.base import Base, utcnow


class SsoConfig(Base):
    """How one organisation signs its people in: its identity provider (OpenID Connect) and the email domains
    that provider speaks for."""

    __tablename__ = "sso_configs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), unique=True)
    # The provider's issuer URL exactly as its discovery document and ID tokens state it.
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    # The client secret encrypted with LEERLIJN_SSO_KEY (Fernet); None: read from the environment
    # (LEERLIJN_SSO_SECRET_<SLUG>), which wins when both are there. Never stored in plain text.
    client_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    # Lower-case email domains whose addresses this provider may sign in; a domain belongs to one organisation.
    # Set by the platform's operator (command line), not the organisation: it decides whose accounts the
    # provider can take over.
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Members of the organisation may not log in with a password (nor reset one).
    mandatory: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SsoIdentity(Base):
    """An account as a provider knows it: later logins find the account by (issuer, subject), never by email,
    so a changed address at the provider cannot move someone into another account."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))  # the ID token's 'sub': stable, unique per issuer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime] = mapped_column(default=utcnow)
