"""Assignments: an organisation sets the course (or some modules) for everyone, a team or one person, with a
deadline and optionally a stricter completion rule; members' statuses come from their progress.

Statuses are computed, never stored: from the progress rows in a fixed number of queries, whatever the
number of members (course/assignments.py holds the rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from course import progress as progress_rules
from course.assignments import AssignmentStatus, Requirement, Standing, standing
from course.catalog import Catalog
from course.db import (
    Assignment,
    CasusRun,
    Certificate,
    Membership,
    Organisation,
    PageProgress,
    RunStatus,
    Team,
    User,
    status_is,
)
from course.errors import N_, DomainError, NotFound
from course.progress import CourseProgress, PageVisit
from course.services import quizzes as quiz_service
from course.services.accounts import normalise_email
from course.services.orgs import OrgAccess, acting_access, admin_access, audit
from course.services.progress import Moments


@dataclass(frozen=True)
class MemberProgress:
    """One member's progress with the moments the assignment rules need."""

    progress: CourseProgress
    module_done_at: dict[str, datetime]  # module id -> latest page read or quiz handed in there
    casus_done_at: dict[str, datetime]  # casus id -> first completion
    opened: frozenset[str]  # modules of which a page was opened

    def standing(self, rule: Requirement, today: date) -> Standing:
        return standing(rule, self.progress, self.module_done_at, self.casus_done_at, today, self.opened)


def progress_of(session: Session, catalog: Catalog, user_ids: Sequence[int]) -> dict[int, MemberProgress]:
    """User id -> progress and moments, for many members at once: four queries whatever their number.

    Built for statuses and reports over thousands of members: the pages read come without their moments and
    each module's latest read comes aggregated by the database (reading moments is the slow part on SQLite),
    so the progress's resume point is not computed (None) and its last activity is the latest page read or
    check handed in.
    """
    if not user_ids:
        return {}
    pages = PageProgress.__table__
    read = session.execute(select(pages.c.user_id, pages.c.module_id, pages.c.page_id)
                           .where(pages.c.user_id.in_(user_ids), pages.c.read_at.is_not(None))).all()
    per_module = session.execute(
        select(pages.c.user_id, pages.c.module_id, func.max(pages.c.read_at))
        .where(pages.c.user_id.in_(user_ids)).group_by(pages.c.user_id, pages.c.module_id)).all()
    quizzes = quiz_service.quiz_results_of(session, user_ids)
    runs = CasusRun.__table__
    casuses = session.execute(
        select(runs.c.user_id, runs.c.casus_id, func.min(runs.c.completed_at))
        .where(runs.c.user_id.in_(user_ids), status_is(runs.c.status, RunStatus.COMPLETED))
        .group_by(runs.c.user_id, runs.c.casus_id)).all()
    visits: dict[int, list[PageVisit]] = {user_id: [] for user_id in user_ids}
    done_at: dict[int, dict[str, datetime]] = {user_id: {} for user_id in user_ids}
    opened: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    for user_id, module_id, last_read in per_module:
        opened[user_id].add(module_id)
        if last_read is not None:
            done_at[user_id][module_id] = last_read
    for user_id, module_id, page_id in read:
        moment = done_at[user_id][module_id]
        visits[user_id].append(PageVisit(module_id, page_id, moment, moment))
    module_of_quiz = {quiz.id: quiz.module for quiz in catalog.quizzes.values()}
    for user_id, results in quizzes.items():
        for quiz_id, outcome in results.items():
            module_id, moment = module_of_quiz.get(quiz_id), outcome.last_submitted_at
            if module_id and moment and (module_id not in done_at[user_id] or moment > done_at[user_id][module_id]):
                done_at[user_id][module_id] = moment
    casus_done: dict[int, dict[str, datetime]] = {user_id: {} for user_id in user_ids}
    for user_id, casus_id, completed_at in casuses:
        if completed_at is not None:
            casus_done[user_id][casus_id] = completed_at
    shape = progress_rules.CourseShape.of(catalog)
    result = {}
    for user_id in user_ids:
        progress = progress_rules.course_progress(catalog, visits[user_id], quizzes.get(user_id, {}),
                                                  casus_done[user_id].keys(), shape=shape, resume=False)
        result[user_id] = MemberProgress(progress, done_at[user_id], casus_done[user_id], frozenset(opened[user_id]))
    return result


def requirement(assignment: Assignment) -> Requirement:
    return Requirement(tuple(assignment.module_ids or ()), assignment.due_on, assignment.min_quiz_percent,
                       tuple(assignment.casus_ids or ()))


def applies(assignment: Assignment, user_id: int, team_id: int | None) -> bool:
    """Whether the assignment is for this member: everyone, their team, or them."""
    if assignment.user_id is not None:
        return assignment.user_id == user_id
    if assignment.team_id is not None:
        return assignment.team_id == team_id
    return True


# --- setting work ---------------------------------------------------------------------------------------------

class Target:
    ORGANISATION = "organisation"
    TEAM = "team"
    PERSON = "person"


def create_assignment(session: Session, catalog: Catalog, user_id: int | None, slug: str, *, title: str,
                      module_ids: Sequence[str], target: str, team_id: int | None = None, email: str | None = None,
                      due_on: date, min_quiz_percent: int | None = None, casus_ids: Sequence[str] = (),
                      today: date, api_token_id: int | None = None) -> Assignment:
    """Set work for the organisation, one of its teams or one of its members; commits. ``user_id`` None:
    set by the organisation's own system through the API token ``api_token_id`` (the audit log says which).

    Raises NotFound (not an admin, a team of another organisation) and DomainError (field named) for an empty
    title, unknown modules or casussen, a deadline in the past, a percentage outside 1–100, a person who is
    not an active member.
    """
    access = acting_access(session, user_id, slug)
    title = " ".join(title.split())
    if not title:
        raise DomainError(N_("Geef de opdracht een titel."), field="title")
    known = {m.id for m in catalog.modules}
    if set(module_ids) - known:
        raise DomainError(N_("Kies modules uit de cursus."), field="modules")
    if set(casus_ids) - set(catalog.casuses):
        raise DomainError(N_("Kies casussen uit de cursus."), field="casuses")
    if due_on < today:
        raise DomainError(N_("De deadline ligt in het verleden."), field="due_on")
    if min_quiz_percent is not None and not 1 <= min_quiz_percent <= 100:
        raise DomainError(N_("Een percentage ligt tussen 1 en 100."), field="min_quiz_percent")
    assignee = None
    if target == Target.TEAM:
        if team_id is None or session.scalar(select(Team.id).where(
                Team.id == team_id, Team.organisation_id == access.organisation.id)) is None:
            raise DomainError(N_("Kies een team van de organisatie."), field="team")
    elif target == Target.PERSON:
        team_id = None
        assignee = session.scalar(select(User.id).join(Membership, Membership.user_id == User.id).where(
            User.email == normalise_email(email or ""), Membership.organisation_id == access.organisation.id,
            Membership.deactivated_at.is_(None)))
        if assignee is None:
            raise DomainError(N_("Er is geen actief lid met dit e-mailadres."), field="email")
    elif target == Target.ORGANISATION:
        team_id = None
    else:
        raise DomainError(N_("Kies voor wie de opdracht is."), field="target")
    assignment = Assignment(organisation_id=access.organisation.id, title=title[:200],
                            module_ids=sorted(set(module_ids), key=[m.id for m in catalog.modules].index),
                            team_id=team_id, user_id=assignee, due_on=due_on, min_quiz_percent=min_quiz_percent,
                            casus_ids=sorted(set(casus_ids)), created_by_id=user_id)
    session.add(assignment)
    session.flush()
    via = {"api_token_id": api_token_id} if api_token_id is not None else {}
    audit(session, user_id, access.organisation, "org.assignment.create", user_id=assignee,
          assignment=assignment.id, due_on=due_on.isoformat(), **via)
    session.commit()
    return assignment


def delete_assignment(session: Session, user_id: int, slug: str, assignment_id: int) -> None:
    """Withdraw an assignment (progress stays: it belongs to the members); commits. NotFound as elsewhere."""
    access = admin_access(session, user_id, slug)
    assignment = _assignment(session, access, assignment_id)
    audit(session, user_id, access.organisation, "org.assignment.delete", assignment=assignment.id,
           title=assignment.title)
    session.delete(assignment)
    session.commit()


def get_assignment(session: Session, access: OrgAccess, assignment_id: int) -> Assignment:
    """The organisation's assignment ``assignment_id`` (a team lead: one for everyone or their team).

    Raises NotFound for one of another organisation or team, as for a missing one.
    """
    return _assignment(session, access, assignment_id)


def assignment_list(session: Session, access: OrgAccess) -> list[Assignment]:
    """The organisation's assignments (a team lead: for everyone or their team), by deadline; one query."""
    query = select(Assignment).where(Assignment.organisation_id == access.organisation.id)
    if access.team_id is not None:
        query = query.where(or_(Assignment.team_id.is_(None), Assignment.team_id == access.team_id))
    return list(session.scalars(query.order_by(Assignment.due_on, Assignment.id)))


def _assignment(session: Session, access: OrgAccess, assignment_id: int) -> Assignment:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.organisation_id != access.organisation.id or (
            access.team_id is not None and assignment.team_id not in (None, access.team_id)):
        raise NotFound(N_("Deze opdracht bestaat niet."))
    return assignment


# --- statuses -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    email: str
    team_id: int | None
    team_name: str | None


@dataclass(frozen=True)
class MemberStanding:
    member: Member
    standing: Standing


@dataclass(frozen=True)
class AssignmentOverview:
    assignment: Assignment
    target: str  # the team's or person's name; "" for the whole organisation
    standings: tuple[MemberStanding, ...]  # the members it is for (a team lead: of their team), by name

    def count(self, status: AssignmentStatus) -> int:
        return sum(1 for s in self.standings if s.standing.status == status)


def active_members(session: Session, access: OrgAccess) -> list[Member]:
    """The organisation's active members (a team lead: their team's), by name; one query."""
    query = (select(User.id, User.name, User.email, Membership.team_id, Team.name)
             .join(Membership, Membership.user_id == User.id).outerjoin(Team, Team.id == Membership.team_id)
             .where(Membership.organisation_id == access.organisation.id, Membership.deactivated_at.is_(None))
             .order_by(func.lower(User.name), User.id))
    if access.team_id is not None:
        query = query.where(Membership.team_id == access.team_id)
    return [Member(*row) for row in session.execute(query)]


def overviews(session: Session, catalog: Catalog, access: OrgAccess, today: date,
              assignment_id: int | None = None) -> list[AssignmentOverview]:
    """Every assignment of the organisation (or only ``assignment_id``) with each member's standing, newest
    deadline last. Seven queries whatever the number of members and assignments."""
    query = select(Assignment).where(Assignment.organisation_id == access.organisation.id)
    if assignment_id is not None:
        query = query.where(Assignment.id == assignment_id)
    if access.team_id is not None:
        query = query.where(or_(Assignment.team_id.is_(None), Assignment.team_id == access.team_id))
    found = list(session.scalars(query.order_by(Assignment.due_on, Assignment.id)))
    if assignment_id is not None and not found:
        raise NotFound(N_("Deze opdracht bestaat niet."))
    members = active_members(session, access)
    progress = progress_of(session, catalog, [m.user_id for m in members]) if found else {}
    names = {t.id: t.name for t in session.scalars(select(Team).where(
        Team.organisation_id == access.organisation.id))} if found else {}
    people = {m.user_id: m.name for m in members}
    result = []
    for assignment in found:
        rule = requirement(assignment)
        rows = tuple(MemberStanding(m, progress[m.user_id].standing(rule, today))
                     for m in members if applies(assignment, m.user_id, m.team_id))
        if assignment.user_id is not None and not rows and access.team_id is not None:
            continue  # someone outside the team lead's team
        target = (people.get(assignment.user_id or 0, "") if assignment.user_id else
                  names.get(assignment.team_id or 0, "") if assignment.team_id else "")
        result.append(AssignmentOverview(assignment, target, rows))
    return result


@dataclass(frozen=True)
class MyAssignment:
    title: str
    organisation: str
    due_on: date
    module_ids: tuple[str, ...]
    min_quiz_percent: int | None
    casus_ids: tuple[str, ...]
    standing: Standing
    certificate_id: int | None = None  # the certificate this assignment's stricter rule earned, once earned


def set_for(user_id: int) -> Select[tuple[Assignment, str]]:
    """The assignments set for the user through an active membership (for them, their team or everyone),
    each with its organisation's name."""
    return (select(Assignment, Organisation.name)
            .join(Membership, and_(Membership.organisation_id == Assignment.organisation_id,
                                   Membership.user_id == user_id, Membership.deactivated_at.is_(None)))
            .join(Organisation, Organisation.id == Assignment.organisation_id)
            .where(or_(Assignment.user_id == user_id,
                       and_(Assignment.user_id.is_(None), Assignment.team_id.is_(None)),
                       and_(Assignment.user_id.is_(None), Assignment.team_id == Membership.team_id))))


def my_assignments(session: Session, catalog: Catalog, user_id: int, today: date, *,
                   progress: tuple[CourseProgress, Moments] | None = None) -> list[MyAssignment]:
    """The work the user's organisations set them (active memberships only), soonest deadline first.

    One query for the assignments with their organisations and certificates, four more for the user's
    progress unless ``progress`` (``progress.course_progress_with_moments``) gives it.
    """
    earned = and_(Certificate.assignment_id == Assignment.id, Certificate.user_id == user_id,
                  Certificate.revoked_at.is_(None))
    rows = session.execute(set_for(user_id).add_columns(Certificate.id).outerjoin(Certificate, earned)
                           .order_by(Assignment.due_on, Assignment.id)).all()
    if not rows:
        return []
    if progress is not None:
        course, moments = progress
        mine = MemberProgress(course, moments.module_done_at, moments.casus_done_at, moments.opened)
    else:
        mine = progress_of(session, catalog, [user_id])[user_id]
    return [MyAssignment(a.title, org, a.due_on, tuple(a.module_ids or ()), a.min_quiz_percent,
                         tuple(a.casus_ids or ()),
                         mine.standing(requirement(a), today), certificate_id)
            for a, org, certificate_id in rows]
