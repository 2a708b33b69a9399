"""Organisation API tokens: made and revoked by the organisation's admins, shown once, stored as a SHA-256
hash; every request made with one is recorded. And what the API reads for a token's organisation, one
page at a time, ordered by a stable id so that a cursor never skips or repeats a row.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db import (
    ApiScope,
    ApiToken,
    ApiTokenUse,
    Assignment,
    Certificate,
    Membership,
    Organisation,
    Role,
    Team,
    User,
    utcnow,
)
from course.errors import N_, DomainError, NotFound
from course.services import org_report
from course.services.orgs import OrgAccess, admin_access, audit

TOKEN_PREFIX = "llapi_"  # noqa: S105 - so a leaked token is recognisable (secret scanners, logs)
MAX_TOKENS = 20  # active tokens per organisation
# How long a new token may live, in days; the admin chooses. A year at most: an integration whose key must be
# renewed now and then is one whose owner is still known.
VALID_DAYS = (30, 90, 180, 365)
DEFAULT_VALID_DAYS = 180
EXPIRY_WARNING_DAYS = 30  # the page warns this long before a token ends


class ExpiredToken(DomainError):
    """The token is right but its time is over; ``expired_at`` says since when."""

    def __init__(self, token: ApiToken):
        super().__init__(N_("Deze sleutel is verlopen."))
        self.token = token
        self.expired_at = token.expires_at


def hash_token(secret: str) -> str:
    """The stored form of a token: its SHA-256 in hex (the token is 256 random bits; no slow hash needed)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to the admin once, never stored


def _usable(now: datetime) -> ColumnElement[bool]:
    return and_(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)


def tokens(session: Session, access: OrgAccess, now: datetime | None = None) -> list[ApiToken]:
    """The organisation's tokens, usable ones first (the soonest to end first), then revoked and expired ones,
    newest first; one query."""
    usable = _usable(now or utcnow())
    return list(session.scalars(select(ApiToken).where(ApiToken.organisation_id == access.organisation.id)
                                .order_by(~usable, ApiToken.expires_at, ApiToken.id.desc())))


def create_token(session: Session, user_id: int, slug: str, *, name: str, scopes: Iterable[str],
                 valid_days: int = DEFAULT_VALID_DAYS, now: datetime | None = None) -> NewToken:
    """A new token for the organisation ``slug`` with ``scopes``, usable for ``valid_days`` days; commits and
    logs who made it.

    Raises NotFound when the user is not the organisation's admin and DomainError (field 'name', 'scopes' or
    'valid_days') for an empty name, no or an unknown scope, a validity not offered, or too many active tokens.
    """
    access = admin_access(session, user_id, slug)
    name = " ".join(name.split())[:120]
    if not name:
        raise DomainError(N_("Geef de sleutel een naam, zodat je later weet waarvoor hij is."), field="name")
    chosen = sorted(set(scopes))
    if not chosen or not set(chosen) <= {s.value for s in ApiScope}:
        raise DomainError(N_("Kies wat de sleutel mag."), field="scopes")
    if valid_days not in VALID_DAYS:
        raise DomainError(N_("Kies hoe lang de sleutel geldig is."), field="valid_days")
    now = now or utcnow()
    active = session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.organisation_id == access.organisation.id, _usable(now)))
    if active >= MAX_TOKENS:
        raise DomainError(N_("Deze organisatie heeft het hoogste aantal sleutels. Trek er eerst een in."),
                          field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organisation_id=access.organisation.id, name=name, token_hash=hash_token(secret),
                     prefix=secret[:12], scopes=chosen, created_at=now, expires_at=now + timedelta(days=valid_days))
    session.add(token)
    session.flush()
    audit(session, user_id, access.organisation, "org.api_token.create", api_token_id=token.id, scopes=chosen,
          valid_days=valid_days)
    session.commit()
    return NewToken(token, secret)


def revoke_token(session: Session, user_id: int, slug: str, token_id: int) -> ApiToken:
    """Revoke the organisation's token ``token_id`` (at once; revoking twice changes nothing); commits and
    logs who did it. Raises NotFound for a token of another organisation or none."""
    access = admin_access(session, user_id, slug)
    token = session.get(ApiToken, token_id)
    if token is None or token.organisation_id != access.organisation.id:
        raise NotFound(N_("Deze sleutel bestaat niet."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit(session, user_id, access.organisation, "org.api_token.revoke", api_token_id=token.id)
        session.commit()
    return token


def authenticate(session: Session, secret: str, now: datetime | None = None) -> ApiToken | None:
    """The active token whose secret this is, or None (unknown, revoked, or its organisation gone); one query.

    Raises ExpiredToken for a token whose time is over: its holder has the secret, so saying so gives nothing
    away, and tells whoever runs the integration what to ask their admin for.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret),
                                                  ApiToken.revoked_at.is_(None)))
    if token is not None and token.expires_at <= (now or utcnow()):
        raise ExpiredToken(token)
    return token


def ending_soon(token: ApiToken, now: datetime | None = None) -> bool:
    """Whether a usable token ends within the warning period (the organisation's page says so)."""
    now = now or utcnow()
    return token.revoked_at is None and now < token.expires_at <= now + timedelta(days=EXPIRY_WARNING_DAYS)


def record_use(session: Session, token_id: int, *, method: str, path: str, status: int) -> None:
    """Record one request made with the token and set its last use; commits."""
    now = utcnow()
    session.add(ApiTokenUse(token_id=token_id, at=now, method=method[:8], path=path[:200], status=status))
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    session.commit()


def forget_uses(session: Session, older_than_days: int, now: datetime | None = None) -> int:
    """Delete the record of requests made more than ``older_than_days`` days ago; commits. Returns how many.

    The record serves to look into a misuse; kept for ever it would only grow (every request adds a row).
    A token's "last used" stays.
    """
    if older_than_days < 1:
        raise DomainError(N_("Het aantal dagen moet minstens 1 zijn."))
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    deleted = session.execute(delete(ApiTokenUse).where(ApiTokenUse.at < cutoff)).rowcount  # type: ignore[attr-defined]
    session.commit()
    return deleted


def uses(session: Session, token_id: int, limit: int = 50) -> list[ApiTokenUse]:
    """The token's latest uses, newest first."""
    return list(session.scalars(select(ApiTokenUse).where(ApiTokenUse.token_id == token_id)
                                .order_by(ApiTokenUse.id.desc()).limit(limit)))


def token_access(session: Session, token: ApiToken) -> OrgAccess:
    """What a token sees: its whole organisation, as the command line does (no acting person)."""
    organisation = session.get(Organisation, token.organisation_id)
    if organisation is None:
        raise NotFound(N_("Deze organisatie bestaat niet."))
    return OrgAccess(organisation, None, Role.ORG_ADMIN, None)


# --- what the API reads -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApiMember:
    id: int  # the member's account id: stable, the same in completions
    name: str
    email: str
    role: Role
    team: str | None
    team_id: int | None
    joined_at: datetime
    deactivated_at: datetime | None


def member_page(session: Session, access: OrgAccess, *, after: int, limit: int,
                updated_since: datetime | None = None) -> tuple[list[ApiMember], bool]:
    """Up to ``limit`` members of the organisation (deactivated ones too) with an account id above ``after``,
    by id; with ``updated_since`` only those who joined or were deactivated at or after it. Returns the
    page and whether more follow. One query."""
    query = (select(User.id, User.name, User.email, Membership.role, Team.name, Team.id, Membership.created_at,
                    Membership.deactivated_at)
             .join(Membership, Membership.user_id == User.id).outerjoin(Team, Team.id == Membership.team_id)
             .where(Membership.organisation_id == access.organisation.id, User.id > after)
             .order_by(User.id).limit(limit + 1))
    if updated_since is not None:
        query = query.where(or_(Membership.created_at >= updated_since, Membership.deactivated_at >= updated_since))
    rows = [ApiMember(*row) for row in session.execute(query)]
    return rows[:limit], len(rows) > limit


@dataclass(frozen=True)
class ApiTeam:
    id: int
    name: str
    active_members: int
    created_at: datetime


def team_page(session: Session, access: OrgAccess, *, after: int, limit: int,
              updated_since: datetime | None = None) -> tuple[list[ApiTeam], bool]:
    """Up to ``limit`` of the organisation's teams with an id above ``after``, by id, each with its number of
    active members; with ``updated_since`` only teams made at or after it. Returns the page and whether
    more follow. One query."""
    active = (select(func.count()).select_from(Membership)
              .where(Membership.team_id == Team.id, Membership.organisation_id == Team.organisation_id,
                     Membership.deactivated_at.is_(None)).scalar_subquery())
    query = (select(Team.id, Team.name, active, Team.created_at)
             .where(Team.organisation_id == access.organisation.id, Team.id > after)
             .order_by(Team.id).limit(limit + 1))
    if updated_since is not None:
        query = query.where(Team.created_at >= updated_since)
    rows = [ApiTeam(*row) for row in session.execute(query)]
    return rows[:limit], len(rows) > limit


def completion_page(session: Session, catalog: Catalog, access: OrgAccess, today: date, *, after: int,
                    limit: int, assignment_id: int | None = None, updated_since: datetime | None = None
                    ) -> tuple[list[org_report.ReportRow], bool]:
    """Up to ``limit`` rows of the completion report (the course, or the assignment ``assignment_id``) of
    members with an account id above ``after``, by id; with ``updated_since`` only members who completed
    at or after it. Returns the page and whether more follow. Raises NotFound for another organisation's
    assignment. The report's queries, whatever the page."""
    report = org_report.completion_report(session, catalog, access, today, assignment_id=assignment_id)
    rows: Sequence[org_report.ReportRow] = sorted(
        (r for r in report.rows if r.user_id > after
         and (updated_since is None or (r.completed_at is not None and r.completed_at >= updated_since))),
        key=lambda r: r.user_id)
    return list(rows[:limit]), len(rows) > limit


def assignment_page(session: Session, access: OrgAccess, *, after: int, limit: int,
                    updated_since: datetime | None = None) -> tuple[list[tuple[Assignment, str | None]], bool]:
    """Up to ``limit`` of the organisation's assignments with an id above ``after``, by id, each with its
    team's name; with ``updated_since`` only those set at or after it. Returns the page and whether more
    follow. One query."""
    query = (select(Assignment, Team.name).outerjoin(Team, Team.id == Assignment.team_id)
             .where(Assignment.organisation_id == access.organisation.id, Assignment.id > after)
             .order_by(Assignment.id).limit(limit + 1))
    if updated_since is not None:
        query = query.where(Assignment.created_at >= updated_since)
    rows = [(assignment, team) for assignment, team in session.execute(query)]
    return rows[:limit], len(rows) > limit


def certificate_page(session: Session, access: OrgAccess, *, after: int, limit: int,
                     updated_since: datetime | None = None) -> tuple[list[Certificate], bool]:
    """Up to ``limit`` certificates earned within the organisation by people who are still (or were made
    inactive as) its members, id above ``after``, by id; with ``updated_since`` only those issued or revoked
    at or after it. Someone who left the organisation takes their certificates with them. One query."""
    query = (select(Certificate)
             .join(Membership, (Membership.user_id == Certificate.user_id)
                   & (Membership.organisation_id == Certificate.organisation_id))
             .where(Certificate.organisation_id == access.organisation.id, Certificate.id > after)
             .order_by(Certificate.id).limit(limit + 1))
    if updated_since is not None:
        query = query.where(or_(Certificate.issued_at >= updated_since, Certificate.revoked_at >= updated_since))
    rows = list(session.scalars(query))
    return rows[:limit], len(rows) > limit
