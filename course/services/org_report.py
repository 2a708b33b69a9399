"""The completion report of an organisation: per member what they did, with filters, totals per team and
exports (CSV, XLSX) with the same columns. A fixed number of queries whatever the number of members.

Never reflection texts or answers to open questions: only counts, scores and dates.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from course.assignments import AssignmentStatus, Requirement, local_today
from course.catalog import Catalog
from course.db import AttemptStatus, CasusDecision, CasusRun, Membership, QuizAttempt, Team, User, status_is
from course.services import assignments as assignment_service
from course.services import progress_sql
from course.services.groups import MIN_CONTRIBUTORS, Spread, answer_spreads
from course.services.orgs import OrgAccess

# A course without a deadline: the report's status when no assignment is chosen.
NO_DEADLINE = date.max


@dataclass(frozen=True)
class ReportRow:
    name: str
    email: str
    team: str
    status: AssignmentStatus
    modules_done: int
    modules_total: int
    best_scores: tuple[int | None, ...]  # per knowledge check (report.quizzes), whole percent, rounded down
    casuses_done: int
    casuses_total: int
    minutes_on_task: int  # recorded time on task, as certificates count it (course.certification)
    completed_at: datetime | None
    user_id: int = 0  # the member's account (the API's member id); no column of the exports


@dataclass(frozen=True)
class TeamTotal:
    team: str
    members: int
    counts: dict[AssignmentStatus, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    quizzes: tuple[tuple[str, str], ...]  # (quiz id, title) in course order: the score columns
    rows: tuple[ReportRow, ...]
    teams: tuple[TeamTotal, ...]
    assignment_title: str | None

    def count(self, status: AssignmentStatus) -> int:
        return sum(1 for row in self.rows if row.status == status)

    def completed_by_week(self, today: date, weeks: int = 12) -> list[tuple[date, int]]:
        """(Monday, members completed by the end of that week) for the last ``weeks`` weeks, oldest first."""
        monday = today - timedelta(days=today.weekday())
        days = sorted(local_today(row.completed_at) for row in self.rows if row.completed_at)
        result = []
        for back in range(weeks - 1, -1, -1):
            start = monday - timedelta(weeks=back)
            end = start + timedelta(days=7)
            result.append((start, sum(1 for day in days if day < end)))
        return result


@dataclass(frozen=True)
class Missed:
    """What the organisation's members miss most: the questions and forks least often answered as recommended."""

    questions: tuple[Spread, ...]
    forks: tuple[Spread, ...]
    withheld: int  # questions and forks left out because fewer than the minimum of members answered them
    minimum: int


class MissedCache:
    """What members miss most, per organisation (or team), kept while nothing it counts has changed; the
    latest ``size`` kept. One per application process: entries hold aggregates only, never an answer."""

    def __init__(self, size: int = 64) -> None:
        self._entries: OrderedDict[tuple[Any, ...], tuple[Catalog, Missed]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], catalog: Catalog) -> Missed | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] is not catalog:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: tuple[Any, ...], catalog: Catalog, missed: Missed) -> None:
        with self._lock:
            self._entries[key] = (catalog, missed)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def _answered(session: Session, members: Select[Any]) -> tuple[Any, ...]:
    """What most_missed counts, in brief: exactly which members, how many checks they handed in and how many
    decisions they took. Answers of a handed-in check and decisions are never changed or removed while their
    member stays, so while these are equal the result is too. Two queries, over indexes only."""
    ids = session.scalars(members.order_by(Membership.user_id)).all()
    who = members.scalar_subquery()
    handed_in = (select(func.count())
                 .where(QuizAttempt.user_id.in_(who), status_is(QuizAttempt.status, AttemptStatus.SUBMITTED))
                 .scalar_subquery())
    decided = (select(func.count()).select_from(CasusDecision).join(CasusRun, CasusRun.id == CasusDecision.run_id)
               .where(CasusRun.user_id.in_(who)).scalar_subquery())
    counts = session.execute(select(handed_in, decided)).one()
    return hashlib.sha256(array("q", ids).tobytes()).hexdigest(), *counts


def most_missed(session: Session, catalog: Catalog, access: OrgAccess, *, limit: int = 5,
                minimum: int = MIN_CONTRIBUTORS, cache: MissedCache | None = None) -> Missed:
    """The knowledge-check questions and casus forks the active members (a team lead: their team) answer
    least often as recommended, from the stored per-question results and decisions; only those with at least
    ``minimum`` members contributing. Never an individual answer or text.

    Counted by the database in three queries, over every stored answer and decision of the members (seconds
    for thousands of them); with ``cache``, the result is kept and given again (two queries) until the
    members, their handed-in checks or their decisions change."""
    members = select(Membership.user_id).where(Membership.organisation_id == access.organisation.id,
                                               Membership.deactivated_at.is_(None))
    if access.team_id is not None:
        members = members.where(Membership.team_id == access.team_id)
    key: tuple[Any, ...] = ()
    if cache is not None:
        key = (access.organisation.id, access.team_id, limit, minimum, *_answered(session, members))
        if (kept := cache.get(key, catalog)) is not None:
            return kept
    questions, forks, withheld = answer_spreads(session, catalog, members.scalar_subquery(), minimum)

    def worst(spreads: tuple[Spread, ...]) -> tuple[Spread, ...]:
        return tuple(sorted((s for s in spreads if s.recommended_percent < 100),
                            key=lambda s: (s.recommended_percent, s.title))[:limit])

    result = Missed(worst(questions), worst(forks), withheld, minimum)
    if cache is not None:
        cache.put(key, catalog, result)
    return result


def completion_report(session: Session, catalog: Catalog, access: OrgAccess, today: date, *,
                      assignment_id: int | None = None, team_id: int | None = None,
                      status: AssignmentStatus | None = None) -> Report:
    """The report: every active member (a team lead: their team's) or those of ``team_id``; status and
    completion date for the assignment ``assignment_id``, else for the whole course without a deadline;
    only ``status`` when given. Raises NotFound for an assignment of another organisation.

    One query (two with an assignment) whatever the number of members: the figures are aggregated by the
    database (course.services.progress_sql, checked against the pure rules by its tests).
    """
    members = (select(User.id.label("user_id"), User.name.label("name"), User.email.label("email"),
                      Membership.team_id.label("team_id"), Team.name.label("team_name"))
               .join(Membership, Membership.user_id == User.id).outerjoin(Team, Team.id == Membership.team_id)
               .where(Membership.organisation_id == access.organisation.id, Membership.deactivated_at.is_(None)))
    if access.team_id is not None:
        members = members.where(Membership.team_id == access.team_id)
    if team_id is not None:
        members = members.where(Membership.team_id == team_id)
    rule = Requirement((), NO_DEADLINE)
    title = None
    if assignment_id is not None:
        assignment = assignment_service.get_assignment(session, access, assignment_id)
        rule, title = assignment_service.requirement(assignment), assignment.title
        # Who it is for, as course.services.assignments.applies decides it.
        if assignment.user_id is not None:
            members = members.where(User.id == assignment.user_id)
        elif assignment.team_id is not None:
            members = members.where(Membership.team_id == assignment.team_id)
    quizzes = tuple((q.id, q.title) for module in catalog.modules
                    for q in [catalog.quiz_for_module(module.id)] if q is not None)
    modules_total = len(catalog.modules)
    casuses_total = sum(len(catalog.casuses_for_module(m.id)) for m in catalog.modules)
    rows, totals = [], {}
    for member in progress_sql.member_figures(session, catalog, members, rule, today):
        if status is not None and member.status != status:
            continue
        team = member.team_name or ""
        rows.append(ReportRow(member.name, member.email, team, member.status, member.modules_done, modules_total,
                              tuple(map(_percent, member.best_scores)), member.casuses_done,
                              casuses_total, round(member.minutes_on_task), member.completed_at, member.user_id))
        counts = totals.setdefault(team, {})
        counts[member.status] = counts.get(member.status, 0) + 1
    teams = tuple(TeamTotal(team, sum(totals[team].values()), totals[team]) for team in sorted(totals))
    return Report(quizzes, tuple(rows), teams, title)


@cache
def _percent(score: float | None) -> int | None:
    # Cached: a report of thousands of members has only a handful of distinct scores.
    return None if score is None else int(round(score * 100, 6))


# --- exports ------------------------------------------------------------------------------------------------

STATUS_NAMES = {AssignmentStatus.NOT_STARTED: "niet begonnen", AssignmentStatus.IN_PROGRESS: "bezig",
                AssignmentStatus.COMPLETED: "afgerond", AssignmentStatus.OVERDUE: "te laat"}


def header(report: Report) -> list[str]:
    return (["Naam", "E-mailadres", "Team", "Status", "Modules afgerond", "Modules totaal"]
            + [f"Beste score {title} (%)" for _id, title in report.quizzes]
            + ["Casussen afgerond", "Casussen totaal", "Tijd aan de cursus (minuten)", "Afgerond op"])


def cells(report: Report, row: ReportRow) -> list[object]:
    """One row's cells: numbers as numbers, the completion moment as a date (Dutch calendar day)."""
    done = local_today(row.completed_at) if row.completed_at else None
    return [row.name, row.email, row.team, STATUS_NAMES[row.status], row.modules_done, row.modules_total,
            *row.best_scores, row.casuses_done, row.casuses_total, row.minutes_on_task, done]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_lines(report: Report, chunk: int = 500) -> Iterator[str]:
    """The report as CSV (';', as Dutch Excel expects), formula-like text cells defused: the header, then
    the rows a few hundred at a time, for a response that starts before the last row is written."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(report))
    for n, row in enumerate(report.rows, 1):
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else defuse(v)
                         for v in cells(report, row)])
        if n % chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def to_csv(report: Report) -> str:
    """The whole report as one CSV text (csv_lines)."""
    return "".join(csv_lines(report))


def to_xlsx(report: Report) -> bytes:
    """The report as an XLSX workbook with the same columns; text is never read as a formula.

    XlsxWriter writing row by row (constant_memory): for 10,000 members it takes about half the time of
    openpyxl's write-only mode (docs/benchmarks.md).
    """
    import xlsxwriter
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("Voltooiing")
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header(report))
    for number, row in enumerate(report.rows, 1):
        for column, value in enumerate(cells(report, row)):
            if value is None:
                continue
            if isinstance(value, date):
                sheet.write_datetime(number, column, value, day)
            elif isinstance(value, str):
                sheet.write_string(number, column, str(defuse(value)))
            else:
                sheet.write_number(number, column, value)
    workbook.close()
    return out.getvalue()
