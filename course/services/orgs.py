"""Organisations: their admins, team leads, teams and members.

An organisation admin manages one organisation; a team lead sees the members of their own team. Whoever
asks about an organisation they hold no such role in (or an object of another organisation) gets NotFound,
exactly as for something that does not exist, so ids and slugs reveal nothing. Admin actions go to the
audit log in the same transaction as the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from course.db import EventKind, Membership, Organisation, Role, Team, User, utcnow
from course.errors import N_, DomainError, NotFound
from course.services import accounts
from course.services.audit import record_event

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
# The roles a membership can have, from least to most.
ORG_ROLES = (Role.LEARNER, Role.TEAM_LEAD, Role.ORG_ADMIN)
MANAGING = (Role.ORG_ADMIN, Role.TEAM_LEAD)


@dataclass(frozen=True)
class OrgAccess:
    """What the acting user may see of one organisation: all of it (admin) or one team (team lead)."""

    organisation: Organisation
    user_id: int | None  # None: the command line (an operator of the platform)
    role: Role
    team_id: int | None  # the team lead's team

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ORG_ADMIN


def _not_found() -> NotFound:
    return NotFound(N_("Deze organisatie bestaat niet."))


def org_access(session: Session, user_id: int, slug: str) -> OrgAccess:
    """The user's access to the organisation ``slug`` as its active admin or team lead (one query).

    Raises NotFound for an unknown organisation, one the user does not manage, a deactivated membership and
    a team lead without a team.
    """
    row = session.execute(
        select(Organisation, Membership.role, Membership.team_id)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Organisation.slug == slug, Membership.user_id == user_id, Membership.deactivated_at.is_(None),
               Membership.role.in_(MANAGING))).one_or_none()
    if row is None or (row.role == Role.TEAM_LEAD and row.team_id is None):
        raise _not_found()
    return OrgAccess(row.Organisation, user_id, row.role, row.team_id if row.role == Role.TEAM_LEAD else None)


def admin_access(session: Session, user_id: int, slug: str) -> OrgAccess:
    """As org_access, for the organisation's admins only (a team lead gets NotFound too)."""
    access = org_access(session, user_id, slug)
    if not access.is_admin:
        raise _not_found()
    return access


def acting_access(session: Session, user_id: int | None, slug: str) -> OrgAccess:
    """An admin's access (see admin_access), or with ``user_id`` None the command line's: full access to an
    existing organisation. Raises NotFound."""
    if user_id is not None:
        return admin_access(session, user_id, slug)
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise _not_found()
    return OrgAccess(organisation, None, Role.ORG_ADMIN, None)


def managed_organisations(session: Session, user_id: int) -> list[OrgAccess]:
    """The organisations the user manages (as active admin or team lead), by name (one query)."""
    rows = session.execute(
        select(Organisation, Membership.role, Membership.team_id)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id, Membership.deactivated_at.is_(None), Membership.role.in_(MANAGING))
        .order_by(Organisation.name))
    return [OrgAccess(org, user_id, role, team_id if role == Role.TEAM_LEAD else None) for org, role, team_id in rows
            if role == Role.ORG_ADMIN or team_id is not None]


def audit(session: Session, actor_id: int | None, organisation: Organisation, action: str,
          user_id: int | None = None, **detail: Any) -> None:
    """Add an admin action on ``organisation`` to the audit log, in the caller's transaction (no commit)."""
    record_event(session, EventKind.ADMIN_ACTION, user_id=user_id, actor_id=actor_id, commit=False,
                 action=action, organisation=organisation.slug, **detail)


# --- setting up ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AddedMember:
    membership: Membership
    user: User
    new_account: bool  # an account was made: the person chooses a password through the invitation


def create_organisation(session: Session, *, slug: str, name: str, admin_email: str,
                        admin_name: str | None = None) -> AddedMember:
    """A new organisation with its first admin (an existing account, or a new one to invite); commits.

    Raises DomainError (field 'slug', 'name' or 'admin_email') for a bad or taken slug, an empty name or a
    bad address.
    """
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug):
        raise DomainError(N_("Een korte naam bestaat uit kleine letters, cijfers en streepjes (hoogstens 64)."),
                          field="slug")
    if not name.strip():
        raise DomainError(N_("Geef de organisatie een naam."), field="name")
    if session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise DomainError(N_("Er is al een organisatie met deze korte naam."), field="slug")
    organisation = Organisation(slug=slug, name=name.strip()[:200])
    session.add(organisation)
    try:
        added = _add(session, None, organisation, email=admin_email, name=admin_name, team_id=None,
                     role=Role.ORG_ADMIN, field="admin_email")
        audit(session, None, organisation, "org.create", user_id=added.user.id)
        session.commit()
    except IntegrityError as exc:  # created a moment ago by someone else
        session.rollback()
        raise DomainError(N_("Er is al een organisatie met deze korte naam."), field="slug") from exc
    return added


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def valid_email(email: str) -> bool:
    """Whether ``email`` looks like an address (the mail will tell the rest)."""
    email = email.strip()
    return len(email) <= 254 and EMAIL.fullmatch(email) is not None


def _add(session: Session, actor_id: int | None, organisation: Organisation, *, email: str, name: str | None,
         team_id: int | None, role: Role, field: str = "email") -> AddedMember:
    if not valid_email(email):
        raise DomainError(N_("Dit is geen geldig e-mailadres."), field=field)
    user = accounts.find_user(session, email)
    new_account = user is None
    if user is None:
        if not (name or "").strip():
            raise DomainError(N_("Vul de naam in: er is nog geen account met dit e-mailadres."), field="name")
        user = accounts.invited_user(email, name or "")
        session.add(user)
        session.flush()
    elif organisation.id is not None:
        existing = session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                           Membership.organisation_id == organisation.id))
        if existing is not None:
            raise DomainError(N_("Deze persoon is al lid van de organisatie.") if existing.active else
                              N_("Deze persoon is gedeactiveerd; activeer het lid opnieuw in de ledenlijst."),
                              field=field)
    membership = Membership(user=user, organisation=organisation, role=role, team_id=team_id)
    session.add(membership)
    session.flush()
    return AddedMember(membership, user, new_account)


def add_member(session: Session, user_id: int, slug: str, *, email: str, name: str | None = None,
               team_id: int | None = None, role: Role = Role.LEARNER) -> AddedMember:
    """Add someone to the organisation (an admin invites them); commits.

    An existing account is linked; otherwise a new one is made for the person to claim through a mailed link.
    Raises NotFound (not an admin, a team of another organisation) and DomainError (field 'email' or 'name':
    a bad address, a member already, a new person without a name).
    """
    access = admin_access(session, user_id, slug)
    _check_team(session, access, team_id)
    if role not in ORG_ROLES:
        raise DomainError(N_("Onbekende rol."), field="role")
    added = _add(session, user_id, access.organisation, email=email, name=name, team_id=team_id, role=role)
    audit(session, user_id, access.organisation, "org.invite", user_id=added.user.id, role=role.value)
    try:
        session.commit()
    except IntegrityError as exc:  # the same person added twice at once
        session.rollback()
        raise DomainError(N_("Deze persoon is al lid van de organisatie."), field="email") from exc
    return added


# --- teams --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TeamSummary:
    id: int
    name: str
    members: int  # active members


def teams(session: Session, access: OrgAccess) -> list[TeamSummary]:
    """The organisation's teams by name with their active member counts (a team lead: their own); one query."""
    query = (select(Team.id, Team.name, func.count(Membership.id))
             .outerjoin(Membership, and_(Membership.team_id == Team.id, Membership.deactivated_at.is_(None)))
             .where(Team.organisation_id == access.organisation.id).group_by(Team.id, Team.name).order_by(Team.name))
    if access.team_id is not None:
        query = query.where(Team.id == access.team_id)
    return [TeamSummary(team_id, name, count) for team_id, name, count in session.execute(query)]


def create_team(session: Session, user_id: int, slug: str, name: str) -> Team:
    """A new team in the organisation; commits. Raises DomainError (field 'name') for an empty or taken name."""
    access = admin_access(session, user_id, slug)
    name = " ".join(name.split())
    if not name:
        raise DomainError(N_("Geef het team een naam."), field="name")
    taken = session.scalar(select(Team.id).where(Team.organisation_id == access.organisation.id,
                                                 func.lower(Team.name) == name.lower()))
    if taken is not None:
        raise DomainError(N_("Er is al een team met deze naam."), field="name")
    team = Team(organisation_id=access.organisation.id, name=name[:120])
    session.add(team)
    audit(session, user_id, access.organisation, "org.team.create", team=name)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise DomainError(N_("Er is al een team met deze naam."), field="name") from exc
    return team


def _check_team(session: Session, access: OrgAccess, team_id: int | None) -> None:
    if team_id is None:
        return
    if session.scalar(select(Team.id).where(Team.id == team_id, Team.organisation_id == access.organisation.id)
                      ) is None:
        raise NotFound(N_("Dit team bestaat niet."))


# --- members ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberRow:
    membership_id: int
    user_id: int
    name: str
    email: str
    role: Role
    team_id: int | None
    team_name: str | None
    joined_at: datetime
    deactivated_at: datetime | None
    claimed: bool  # the person has set a password and confirmed the address (False: invited, not yet)

    @property
    def active(self) -> bool:
        return self.deactivated_at is None


def members(session: Session, access: OrgAccess, *, team_id: int | None = None) -> list[MemberRow]:
    """The organisation's members by name (a team lead: their team's), active and deactivated; one query."""
    query = (select(Membership.id, User.id, User.name, User.email, Membership.role, Membership.team_id, Team.name,
                    Membership.created_at, Membership.deactivated_at, User.email_confirmed_at)
             .join(User, User.id == Membership.user_id).outerjoin(Team, Team.id == Membership.team_id)
             .where(Membership.organisation_id == access.organisation.id)
             .order_by(func.lower(User.name), User.id))
    if access.team_id is not None:
        query = query.where(Membership.team_id == access.team_id)
    elif team_id is not None:
        query = query.where(Membership.team_id == team_id)
    return [MemberRow(mid, uid, name, email, role, tid, tname, joined, deactivated, confirmed is not None)
            for mid, uid, name, email, role, tid, tname, joined, deactivated, confirmed in session.execute(query)]


def _membership(session: Session, access: OrgAccess, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if (membership is None or membership.organisation_id != access.organisation.id
            or (access.team_id is not None and membership.team_id != access.team_id)):
        raise NotFound(N_("Dit lid bestaat niet."))
    return membership


def _other_active_admins(session: Session, membership: Membership) -> int:
    return session.scalar(select(func.count()).select_from(Membership).where(
        Membership.organisation_id == membership.organisation_id, Membership.id != membership.id,
        Membership.role == Role.ORG_ADMIN, Membership.deactivated_at.is_(None))) or 0


def _keep_an_admin(session: Session, membership: Membership) -> None:
    if membership.role == Role.ORG_ADMIN and membership.active and not _other_active_admins(session, membership):
        raise DomainError(N_("Een organisatie heeft altijd een beheerder. Maak eerst iemand anders beheerder."))


def update_member(session: Session, user_id: int, slug: str, membership_id: int, *, team_id: int | None,
                  role: Role) -> Membership:
    """Put a member in another team and/or give them another role; commits.

    Raises NotFound (not an admin; a member or team of another organisation) and DomainError (the last admin
    would lose the role, a team lead without a team).
    """
    access = admin_access(session, user_id, slug)
    membership = _membership(session, access, membership_id)
    _check_team(session, access, team_id)
    if role not in ORG_ROLES:
        raise DomainError(N_("Onbekende rol."), field="role")
    if role == Role.TEAM_LEAD and team_id is None:
        raise DomainError(N_("Een teamleider hoort bij een team: kies het team."), field="team")
    if role != Role.ORG_ADMIN:
        _keep_an_admin(session, membership)
    membership.team_id, membership.role = team_id, role
    audit(session, user_id, access.organisation, "org.member.update", user_id=membership.user_id, role=role.value,
           team_id=team_id)
    session.commit()
    return membership


def set_active(session: Session, user_id: int, slug: str, membership_id: int, active: bool) -> Membership:
    """Deactivate a member (history stays; no access, no reports, no reminders) or activate them again; commits.

    Raises NotFound (not an admin, a member of another organisation) and DomainError (the last admin).
    """
    access = admin_access(session, user_id, slug)
    membership = _membership(session, access, membership_id)
    if active == membership.active:
        return membership
    if not active:
        _keep_an_admin(session, membership)
    membership.deactivated_at = None if active else utcnow()
    audit(session, user_id, access.organisation, "org.member.activate" if active else "org.member.deactivate",
           user_id=membership.user_id)
    session.commit()
    return membership


# --- the member's own side ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class OwnMembership:
    organisation: Organisation
    role: Role
    team_name: str | None
    active: bool


def my_organisations(session: Session, user_id: int) -> list[OwnMembership]:
    """The organisations the user belongs to (deactivated memberships too), by name; one query."""
    rows = session.execute(
        select(Organisation, Membership.role, Team.name, Membership.deactivated_at)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .outerjoin(Team, Team.id == Membership.team_id)
        .where(Membership.user_id == user_id).order_by(Organisation.name))
    return [OwnMembership(org, role, team, deactivated is None) for org, role, team, deactivated in rows]


def leave_organisation(session: Session, user_id: int, slug: str) -> Organisation:
    """The user leaves the organisation (their own progress stays theirs); commits. Returns the organisation.

    Raises NotFound when they are not a member, DomainError when they are its last admin.
    """
    membership = session.scalar(select(Membership).join(Organisation).where(
        Organisation.slug == slug, Membership.user_id == user_id))
    if membership is None:
        raise _not_found()
    _keep_an_admin(session, membership)
    organisation = membership.organisation
    session.delete(membership)
    record_event(session, EventKind.ADMIN_ACTION, user_id=user_id, commit=False, action="org.leave",
                 organisation=organisation.slug)
    session.commit()
    return organisation
