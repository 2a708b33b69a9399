"""The completion report of an organisation: per member what they did, with filters, totals per team and
exports (CSV, XLSX) with the same columns. A fixed number of queries whatever the number of members.

Never reflection texts or answers to open questions: only counts, scores and dates.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from course import certification
from course.assignments import AssignmentStatus, Requirement, local_today
from course.catalog import Catalog
from course.db import CasusRun, PageProgress, QuizAttempt
from course.services import assignments as assignment_service
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


def most_missed(session: Session, catalog: Catalog, access: OrgAccess, *, limit: int = 5,
                minimum: int = MIN_CONTRIBUTORS) -> Missed:
    """The knowledge-check questions and casus forks the active members (a team lead: their team) answer
    least often as recommended, from the stored per-question results and decisions; only those with at least
    ``minimum`` members contributing. Three queries. Never an individual answer or text."""
    user_ids = [m.user_id for m in assignment_service.active_members(session, access)]
    if not user_ids:
        return Missed((), (), 0, minimum)
    questions, forks, withheld = answer_spreads(session, catalog, user_ids, minimum)

    def worst(spreads: tuple[Spread, ...]) -> tuple[Spread, ...]:
        return tuple(sorted((s for s in spreads if s.recommended_percent < 100),
                            key=lambda s: (s.recommended_percent, s.title))[:limit])

    return Missed(worst(questions), worst(forks), withheld, minimum)


def completion_report(session: Session, catalog: Catalog, access: OrgAccess, today: date, *,
                      assignment_id: int | None = None, team_id: int | None = None,
                      status: AssignmentStatus | None = None) -> Report:
    """The report: every active member (a team lead: their team's) or those of ``team_id``; status and
    completion date for the assignment ``assignment_id``, else for the whole course without a deadline;
    only ``status`` when given. Raises NotFound for an assignment of another organisation.

    Eight queries (nine with an assignment), whatever the number of members.
    """
    members = assignment_service.active_members(session, access)
    rule = Requirement((), NO_DEADLINE)
    title = None
    if assignment_id is not None:
        assignment = assignment_service.get_assignment(session, access, assignment_id)
        rule, title = assignment_service.requirement(assignment), assignment.title
        members = [m for m in members if assignment_service.applies(assignment, m.user_id, m.team_id)]
    if team_id is not None:
        members = [m for m in members if m.team_id == team_id]
    progress = assignment_service.progress_of(session, catalog, [m.user_id for m in members])
    quizzes = tuple((q.id, q.title) for module in catalog.modules
                    for q in [catalog.quiz_for_module(module.id)] if q is not None)
    quiz_module = {q.id: q.module for q in catalog.quizzes.values()}
    on_task = minutes_on_task_of(session, [m.user_id for m in members])
    rows, totals = [], {}
    for member in members:
        mine = progress[member.user_id]
        result = mine.standing(rule, today)
        if status is not None and result.status != status:
            continue
        by_module = {m.module.id: m for m in mine.progress.modules}
        scores = tuple(_percent(by_module[quiz_module[q]].quiz_best_score) if quiz_module[q] in by_module else None
                       for q, _title in quizzes)
        rows.append(ReportRow(member.name, member.email, member.team_name or "", result.status,
                              sum(m.complete for m in mine.progress.modules), len(mine.progress.modules), scores,
                              sum(m.casuses_done for m in mine.progress.modules),
                              sum(m.casuses_total for m in mine.progress.modules),
                              round(on_task.get(member.user_id, 0)),
                              result.completed_at, member.user_id))
        total = totals.setdefault(member.team_name or "", TeamTotal(member.team_name or "", 0, {}))
        totals[total.team] = TeamTotal(total.team, total.members + 1,
                                       {**total.counts, result.status: total.counts.get(result.status, 0) + 1})
    return Report(quizzes, tuple(rows), tuple(totals[k] for k in sorted(totals)), title)


def minutes_on_task_of(session: Session, user_ids: Sequence[int]) -> dict[int, float]:
    """User id -> recorded minutes on task, counted as for certificates (each page from opening to reading,
    each check from start to hand-in, each casus from start to completion; capped, overlaps once). Three
    queries whatever the number of members."""
    if not user_ids:
        return {}
    pages, attempts, runs = PageProgress.__table__, QuizAttempt.__table__, CasusRun.__table__
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for query in (select(pages.c.user_id, pages.c.first_seen_at, pages.c.read_at)
                  .where(pages.c.user_id.in_(user_ids), pages.c.read_at.is_not(None)),
                  select(attempts.c.user_id, attempts.c.started_at, attempts.c.submitted_at)
                  .where(attempts.c.user_id.in_(user_ids), attempts.c.submitted_at.is_not(None)),
                  select(runs.c.user_id, runs.c.started_at, runs.c.completed_at)
                  .where(runs.c.user_id.in_(user_ids), runs.c.completed_at.is_not(None))):
        for user_id, start, end in session.execute(query):
            spans[user_id].append((start, end))
    return {user_id: certification.minutes_on_task(found) for user_id, found in spans.items()}


def _percent(score: float | None) -> int | None:
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


def to_csv(report: Report) -> str:
    """The report as CSV (';', as Dutch Excel expects), formula-like text cells defused."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(report))
    for row in report.rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else defuse(v)
                         for v in cells(report, row)])
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The report as an XLSX workbook with the same columns; text is never read as a formula."""
    from openpyxl import Workbook
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Voltooiing")
    sheet.append(header(report))
    for row in report.rows:
        sheet.append([defuse(v) for v in cells(report, row)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
