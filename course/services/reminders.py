"""Reminder emails about assignments: to the learner 14 and 3 days before the deadline, to their team lead
when they are overdue, and a weekly digest to each organisation admin. And before a certificate expires (the
manifest's ``remind_days_before``): to its holder and to the admins of the organisation it was issued in.

Idempotent: every reminder has a key, and a reminder goes out only after its (recipient, key) row was
inserted; the unique constraint on that pair, not a check before inserting, decides, so two overlapping runs
never send the same reminder twice. A person who turned reminders off gets none, except the one mail about
their own certificate running out: that is about their registration, not the organisation's assignments.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from course import certification
from course.assignments import AssignmentStatus
from course.catalog import Catalog
from course.db import (
    ApiToken,
    Assignment,
    Certificate,
    CertificateKind,
    Membership,
    Organisation,
    Role,
    SentReminder,
    User,
    utcnow,
)
from course.db.upsert import insert_for
from course.services import assignments as assignment_service
from course.services.certificates import local_day
from course.services.orgs import OrgAccess

EARLY, LATE = 14, 3  # days before the deadline
API_TOKEN_EARLY, API_TOKEN_LATE = 30, 7  # days before an API key's last day


@dataclass(frozen=True)
class Reminder:
    """One mail to send: ``kind`` is 'due' (to the learner), 'overdue' (to a team lead), 'digest' (to an admin),
    'expiry' (to a certificate's holder), 'expiry_admin' (to an admin of the holder's organisation) or
    'api_token' (to an organisation's admins: an API key ends soon; ``assignment`` is the key's name)."""

    user_id: int  # the recipient
    key: str  # unique per recipient: the same event never mails twice
    kind: str
    organisation: str  # its name; for a certificate, the one printed on it ('' when none)
    assignment: str | None = None  # its title; for a certificate, the course's
    due_on: date | None = None  # the deadline; for a certificate, its last valid day
    days_left: int | None = None
    learner: str | None = None
    lines: tuple[tuple[str, date, dict[AssignmentStatus, int]], ...] = ()  # digest: title, deadline, counts
    slug: str | None = None  # the organisation's, where the mail links to one of its pages


def planned(session: Session, catalog: Catalog, today: date) -> list[Reminder]:
    """Every reminder that is due ``today`` and has not been sent (nor turned off by its recipient).

    Per organisation with assignments: its assignments, members, team leads and admins, and the members'
    progress (a fixed number of queries per organisation).
    """
    sent = {(user_id, key) for user_id, key in session.execute(select(SentReminder.user_id, SentReminder.key))}
    muted = set(session.scalars(select(User.id).where(User.reminder_mail.is_(False))))
    result = []
    organisations = session.scalars(select(Organisation).where(
        Organisation.id.in_(select(Assignment.organisation_id)))).all()
    for organisation in organisations:
        access = OrgAccess(organisation, None, Role.ORG_ADMIN, None)
        result += _for_organisation(session, catalog, access, today)
    result += _expiring(session, catalog, today)
    result += _api_tokens_ending(session, today)
    # Essential, also for someone who turned reminders off: their own certificate, an integration that stops.
    return [r for r in result if (r.user_id, r.key) not in sent
            and (r.user_id not in muted or r.kind in ("expiry", "api_token"))]


def _for_organisation(session: Session, catalog: Catalog, access: OrgAccess, today: date) -> Iterator[Reminder]:
    organisation = access.organisation
    overviews = assignment_service.overviews(session, catalog, access, today)
    managers = session.execute(select(Membership.user_id, Membership.role, Membership.team_id).where(
        Membership.organisation_id == organisation.id, Membership.deactivated_at.is_(None),
        Membership.role.in_((Role.ORG_ADMIN, Role.TEAM_LEAD)))).all()
    leads: dict[int, list[int]] = {}
    for user_id, role, team_id in managers:
        if role == Role.TEAM_LEAD and team_id is not None:
            leads.setdefault(team_id, []).append(user_id)
    for overview in overviews:
        a = overview.assignment
        days_left = (a.due_on - today).days
        for row in overview.standings:
            status = row.standing.status
            if status in (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS) and 0 <= days_left <= EARLY:
                which = "due3" if days_left <= LATE else "due14"
                yield Reminder(row.member.user_id, f"{which}:a{a.id}", "due", organisation.name, a.title, a.due_on,
                               days_left)
            elif status == AssignmentStatus.OVERDUE:
                for lead in leads.get(row.member.team_id or 0, []):
                    if lead == row.member.user_id:
                        continue  # a team lead who is late themselves has their own reminders
                    yield Reminder(lead, f"overdue:a{a.id}:u{row.member.user_id}", "overdue", organisation.name,
                                   a.title, a.due_on, days_left, row.member.name)
    if overviews:
        year, week, _day = today.isocalendar()
        lines = tuple((o.assignment.title, o.assignment.due_on, {s: o.count(s) for s in AssignmentStatus})
                      for o in overviews)
        for user_id, role, _team in managers:
            if role == Role.ORG_ADMIN:
                yield Reminder(user_id, f"digest:o{organisation.id}:{year}-W{week:02d}", "digest", organisation.name,
                               lines=lines)


def _expiring(session: Session, catalog: Catalog, today: date) -> Iterator[Reminder]:
    """Reminders of certificates that run out soon (two queries): neither revoked nor already renewed."""
    days = catalog.course.accreditation.remind_days_before
    renewal = aliased(Certificate)
    certificates = session.scalars(select(Certificate).where(
        Certificate.course_id == catalog.course.id, Certificate.kind == CertificateKind.COURSE,
        Certificate.revoked_at.is_(None), Certificate.valid_until.between(today, today + timedelta(days=days)),
        ~select(renewal.id).where(renewal.renews_id == Certificate.id).exists())
        .order_by(Certificate.valid_until, Certificate.id)).all()
    due = [(c, c.valid_until) for c in certificates
           if c.valid_until is not None and certification.reminder_due(c.valid_until, today, days)]
    admins: dict[int, list[int]] = {}
    organisation_ids = {c.organisation_id for c, _until in due if c.organisation_id is not None}
    if organisation_ids:
        for organisation_id, user_id in session.execute(select(Membership.organisation_id, Membership.user_id).where(
                Membership.organisation_id.in_(organisation_ids), Membership.role == Role.ORG_ADMIN,
                Membership.deactivated_at.is_(None)).order_by(Membership.id)):
            admins.setdefault(organisation_id, []).append(user_id)
    for c, until in due:
        recipients = [(c.user_id, "expiry")] + [(admin_id, "expiry_admin") for admin_id in admins.get(
            c.organisation_id or 0, []) if admin_id != c.user_id]  # an admin holding it has their own reminder
        for user_id, kind in recipients:
            yield Reminder(user_id, f"expiry:c{c.id}", kind, c.organisation_name or "", c.course_title, until,
                           (until - today).days, c.learner_name)


def claim(session: Session, reminder: Reminder) -> bool:
    """Record that ``reminder`` is being sent; commits. False when it was already (another run got it first)."""
    table = SentReminder.__table__
    inserted = session.execute(
        insert_for(session, table).values(user_id=reminder.user_id, key=reminder.key, sent_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "key"]).returning(table.c.id)).first()
    session.commit()
    return inserted is not None


def set_reminder_mail(session: Session, user_id: int, wanted: bool) -> None:
    """Turn the user's reminder mails on or off; commits."""
    user = session.get(User, user_id)
    if user is not None:
        user.reminder_mail = wanted
        session.commit()


def _api_tokens_ending(session: Session, today: date) -> Iterator[Reminder]:
    """A month and a week before an organisation's API key ends, a mail to each of its admins (one query):
    the system using it stops on that day unless someone makes a new key."""
    rows = session.execute(
        select(ApiToken.id, ApiToken.name, ApiToken.expires_at, Organisation.name, Organisation.slug,
               Membership.user_id)
        .join(Organisation, Organisation.id == ApiToken.organisation_id)
        .join(Membership, and_(Membership.organisation_id == ApiToken.organisation_id,
                               Membership.role == Role.ORG_ADMIN, Membership.deactivated_at.is_(None)))
        .where(ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > datetime.combine(today, time.min, tzinfo=UTC),
               ApiToken.expires_at <= datetime.combine(today + timedelta(days=API_TOKEN_EARLY + 1), time.min,
                                                       tzinfo=UTC))
        .order_by(ApiToken.expires_at, ApiToken.id, Membership.user_id)).all()
    for token_id, name, expires_at, organisation, slug, user_id in rows:
        last_day = local_day(expires_at)
        days_left = (last_day - today).days
        if not 0 <= days_left <= API_TOKEN_EARLY:  # the query's window is in UTC, the days are Dutch
            continue
        which = "api7" if days_left <= API_TOKEN_LATE else "api30"
        yield Reminder(user_id, f"{which}:t{token_id}", "api_token", organisation, name, last_day, days_left,
                       slug=slug)
