"""Tokens with which an organisation's own systems (HR) read its data through the JSON API, and their use."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from course.db.base import Base, utcnow


class ApiScope(enum.StrEnum):
    """What a token may do; an organisation admin grants each one explicitly."""

    READ_MEMBERS = "read:members"
    READ_COMPLETIONS = "read:completions"
    WRITE_ASSIGNMENTS = "write:assignments"


class ApiToken(Base):
    """One organisation's API token. Who made or revoked it is in the security log, not here, so the token
    outlives the admin's account and names nobody."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # what the admin called it, e.g. "AFAS koppeling"
    # SHA-256 of the token: it is 256 random bits, so a plain hash cannot be guessed back; shown once only.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, so the admin recognises it
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)  # ApiScope values
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Every token ends: a secret that leaked into a forgotten script or log stops working by itself.
    expires_at: Mapped[datetime] = mapped_column()
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]  # a revoked token answers 401 like an unknown one


class ApiTokenUse(Base):
    """One request made with a token (every use is recorded, refused ones too)."""

    __tablename__ = "api_token_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(200))  # without the query string
    status: Mapped[int] = mapped_column()  # the HTTP status answered
