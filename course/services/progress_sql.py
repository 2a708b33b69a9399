"""The completion rules, once more as SQL: per member of an organisation, in one statement, the figures the
completion report shows (modules done, best knowledge-check scores, casussen done, time on task, status and
completion date for an assignment), so a report over 10,000 members never rebuilds progress in Python.

The pure rules stay the one source of truth: course/progress.py (what completes a module, the counted quiz
attempt), course/assignments.py (status, completion date, the stricter minimum score) and
course/certification.py (time on task). This module is their translation, built from the catalog's shape;
tests/app/org/test_report_sql.py seeds varied progress and checks, on SQLite and on PostgreSQL, that every
figure here equals what the pure rules give for the same rows, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from course.assignments import AssignmentStatus, Requirement
from course.catalog import Catalog
from course.certification import MAX_MINUTES_PER_ACTIVITY
from course.content.model import CasusesRule, PagesRule, QuizRule
from course.db import (
    AttemptStatus,
    CasusRun,
    ModuleSummary,
    PageProgress,
    QuizAttempt,
    RunStatus,
    TimeOnTask,
    status_is,
)
from course.db.base import UTCDateTime
from course.progress import CourseShape
from course.services import module_summaries


@dataclass(frozen=True)
class MemberFigures:
    """One member's row of the completion report, as the rules decide it."""

    user_id: int
    name: str
    email: str
    team_id: int | None
    team_name: str | None
    status: AssignmentStatus
    completed_at: datetime | None  # COMPLETED only: when the last step the requirement asks was done
    modules_done: int  # modules of the course complete by its own rules
    casuses_done: int  # casussen of the course's modules completed
    best_scores: tuple[float | None, ...]  # per module with a knowledge check, in course order: 0..1
    minutes_on_task: float  # as certificates count it


class _EpochMicroseconds(FunctionElement[int]):
    """A stored moment as whole microseconds since 1970: exact on both databases, so durations summed here
    equal the pure rule's timedeltas to the microsecond (and round to the same minute)."""

    type = BigInteger()
    inherit_cache = True


@compiles(_EpochMicroseconds, "sqlite")
def _epoch_sqlite(element: _EpochMicroseconds, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC moments as text 'YYYY-MM-DD HH:MM:SS.ffffff' (course.db.base.UTCDateTime). Its date
    # functions round the fraction to milliseconds (.9999995 would be the next second): seconds and
    # microseconds are read apart.
    moment = compiler.process(next(iter(element.clauses)), **kw)
    return (f"(CAST(strftime('%s', substr({moment}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({moment}, 21, 6) AS INTEGER))")


@compiles(_EpochMicroseconds, "postgresql")
def _epoch_postgresql(element: _EpochMicroseconds, compiler: Any, **kw: Any) -> str:
    moment = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(EXTRACT(EPOCH FROM {moment}) * 1000000 AS BIGINT)"


def _later(*moments: ColumnElement[Any]) -> ColumnElement[Any]:
    """The latest of nullable moments, None only when all are (GREATEST differs per database on NULL)."""
    result = moments[0]
    for other in moments[1:]:
        result = case((result.is_(None), other), (other.is_(None), result), (result > other, result), else_=other)
    return result


def _as_int(flag: ColumnElement[Any]) -> ColumnElement[int]:
    return case((flag, 1), else_=0)


def member_figures(session: Session, catalog: Catalog, members: Select[Any], requirement: Requirement,
                   today: date) -> list[MemberFigures]:
    """The report's figures for the members ``members`` selects (columns user_id, name, email, team_id,
    team_name), by name, with their status and completion date for ``requirement`` on ``today``.

    One statement whatever the number of members: each kind of progress row is aggregated per member in
    the database (pages, knowledge-check attempts, casus runs) and joined to the members with their stored
    time on task; the spans of members without one are merged here.
    """
    shape = CourseShape.of(catalog)
    rules = catalog.course.completion
    wanted = [n for n, (module, _q, _c) in enumerate(shape.modules)
              if not requirement.module_ids or module.id in requirement.module_ids]
    wanted_ids = [shape.modules[n][0].id for n in wanted]
    # SQLite would otherwise select the members again for every list of them below; PostgreSQL plans better
    # with the members' statistics, which a materialized list hides (it would then expect far more rows).
    member_list = (members.cte("members").prefix_with("MATERIALIZED", dialect="sqlite")
                   .prefix_with("NOT MATERIALIZED", dialect="postgresql"))
    all_ids = select(member_list.c.user_id).scalar_subquery()
    threshold = None if requirement.min_quiz_percent is None else requirement.min_quiz_percent - 0.0000005

    # Members with valid stored figures (course.services.module_summaries) are read from them; only the
    # others (rows written before they were kept or outside the services, a content change since) have their
    # rows aggregated here.
    summed = _summaries(catalog, shape, wanted_ids, threshold, all_ids)
    stored = TimeOnTask.__table__
    unsummed_list = (select(member_list.c.user_id).outerjoin(stored, stored.c.user_id == member_list.c.user_id)
                     .where(~_has_summary(catalog, member_list.c.user_id, stored.c.version))
                     .cte("unsummed").prefix_with("MATERIALIZED"))
    unsummed = select(unsummed_list.c.user_id).scalar_subquery()
    page_agg = _pages(shape, wanted_ids, unsummed)
    quiz_agg = _quizzes(catalog, shape, wanted_ids, unsummed)
    # The casussen an assignment asks are looked up for every member.
    casus_agg = _casuses(shape, requirement, all_ids if requirement.casus_ids else unsummed)
    summary = summed.c.basis == stored.c.version
    # Time on task is stored per learner (course.services.on_task); only members without a stored figure
    # (rows written before it was kept, or outside the services) have their spans merged here.
    unstored_list = (select(member_list.c.user_id).outerjoin(stored, stored.c.user_id == member_list.c.user_id)
                     .where(stored.c.id.is_(None)).cte("unstored").prefix_with("MATERIALIZED"))
    unstored = select(unstored_list.c.user_id).scalar_subquery()
    on_task = _time_on_task(unstored)

    # The rules, per module (course.progress.module_progress) and for the requirement (course.assignments).
    def got(table: Any, name: str) -> ColumnElement[Any]:
        return func.coalesce(table.c[name], 0)

    complete, started = [], []
    for n, (module, quiz_id, casus_ids) in enumerate(shape.modules):
        done: ColumnElement[Any] = literal(0)
        total = 0
        if rules.pages == PagesRule.ALL:
            done, total = done + got(page_agg, f"read_{n}"), total + len(module.pages)
        if quiz_id is not None and rules.quiz != QuizRule.NONE:
            counted = f"attempted_{n}" if rules.quiz == QuizRule.ATTEMPTED else f"passed_{n}"
            done, total = done + got(quiz_agg, counted), total + 1
        if rules.casuses == CasusesRule.ALL:
            done, total = done + got(casus_agg, f"casuses_{n}"), total + len(casus_ids)
        complete.append(done == total if total else true())
        began = [got(page_agg, f"opened_{n}") == 1, got(page_agg, f"read_{n}") > 0,
                 got(casus_agg, f"casuses_{n}") > 0]
        if quiz_id is not None:
            began.append(got(quiz_agg, f"attempted_{n}") == 1)
        started.append(or_(*began))
    asked = [complete[n] for n in wanted]
    if threshold is not None:
        # course.assignments.scored_at_least: round(score * 100, 6) >= minimum.
        asked += [quiz_agg.c[f"best_{n}"] * 100 > threshold for n in wanted if shape.modules[n][1] is not None]
    casuses_asked = [got(casus_agg, f"asked_{n}") == 1 for n in range(len(requirement.casus_ids))]
    raw_complete = and_(*asked, *casuses_asked) if asked or casuses_asked else true()
    raw_started = or_(*[started[n] for n in wanted], *casuses_asked) if wanted or casuses_asked else false()
    # From the summaries: every module asked complete (and scored enough), started when one was or a page of
    # one was opened (opening alone changes no summary: looked up here, for the few members it decides).
    pages = PageProgress.__table__
    # OFFSET 0 keeps PostgreSQL from turning this into a hash of every page row of the modules (a full scan):
    # a look-up per member in the index is what it needs.
    opened = (select(pages.c.id).where(pages.c.user_id == member_list.c.user_id, pages.c.module_id.in_(wanted_ids))
              .limit(1).offset(0).exists())
    summed_complete = and_(summed.c.short == 0, *casuses_asked)
    summed_started = or_(summed.c.started == 1, opened, *casuses_asked)
    is_complete = case((summary, summed_complete), else_=raw_complete)
    is_started = case((summary, summed_started), else_=raw_started)
    if today > requirement.due_on:
        status = case((is_complete, literal(AssignmentStatus.COMPLETED.value)),
                      else_=literal(AssignmentStatus.OVERDUE.value))
    else:
        status = case((is_complete, literal(AssignmentStatus.COMPLETED.value)),
                      (is_started, literal(AssignmentStatus.IN_PROGRESS.value)),
                      else_=literal(AssignmentStatus.NOT_STARTED.value))
    completed_at = type_coerce(case((is_complete, case(
        (summary, _later(summed.c.done_at, casus_agg.c.done_at)),
        else_=_later(page_agg.c.done_at, quiz_agg.c.done_at, casus_agg.c.done_at)))), UTCDateTime())
    modules_done = case((summary, summed.c.modules_done), else_=sum((_as_int(c) for c in complete), literal(0)))
    casuses_done = case((summary, summed.c.casuses_done),
                        else_=sum((got(casus_agg, f"casuses_{n}") for n in range(len(shape.modules))), literal(0)))
    scores = [case((summary, summed.c[f"best_{n}"]), else_=quiz_agg.c[f"best_{n}"])
              for n, (_m, quiz_id, _c) in enumerate(shape.modules) if quiz_id is not None]

    query = (select(member_list.c.user_id, member_list.c.name, member_list.c.email, member_list.c.team_id,
                    member_list.c.team_name, status.label("status"), completed_at.label("completed_at"),
                    modules_done.label("modules_done"), casuses_done.label("casuses_done"),
                    stored.c.minutes_on_task.label("stored_minutes"),
                    func.coalesce(on_task.c.microseconds, 0).label("on_task"), *scores)
             .select_from(member_list)
             .outerjoin(summed, summed.c.user_id == member_list.c.user_id)
             .outerjoin(page_agg, page_agg.c.user_id == member_list.c.user_id)
             .outerjoin(quiz_agg, quiz_agg.c.user_id == member_list.c.user_id)
             .outerjoin(casus_agg, casus_agg.c.user_id == member_list.c.user_id)
             .outerjoin(stored, stored.c.user_id == member_list.c.user_id)
             .outerjoin(on_task, on_task.c.user_id == member_list.c.user_id)
             .order_by(func.lower(member_list.c.name), member_list.c.user_id))
    if session.get_bind().dialect.name == "postgresql":
        # The statement's estimated cost for 10,000 members (83,000) is near jit_above_cost (100,000), which
        # a misestimate or a larger organisation passes: compiling its expressions then took 6.1 s for a query
        # of 0.3 s. Never worth it here; for this transaction only.
        session.execute(text("SET LOCAL jit = off"))
    result = []
    statuses = {s.value: s for s in AssignmentStatus}
    for row in session.execute(query):
        (user_id, name, email, team_id, team_name, status_value, completed, modules, casuses, stored_minutes,
         micro, *best) = row
        minutes = (stored_minutes if stored_minutes is not None
                   else timedelta(microseconds=int(micro)).total_seconds() / 60)
        result.append(MemberFigures(user_id, name, email, team_id, team_name, statuses[status_value], completed,
                                    int(modules), int(casuses), tuple(best), minutes))
    return result


def _has_summary(catalog: Catalog, user_id: Any, version: Any) -> ColumnElement[bool]:
    """Whether the member has summaries still valid: of the course's current shape, and read after their
    latest write (their stored time on task's ``version``). A learner's summaries of one shape all come from
    its latest refresh (each writes every module of the shape), so they share one basis."""
    summaries = ModuleSummary.__table__
    # OFFSET 0 keeps PostgreSQL from hashing every summary row to answer this: a look-up per member in the
    # index is what it needs.
    return (select(summaries.c.id).where(summaries.c.user_id == user_id, summaries.c.basis == version,
                                         summaries.c.shape == module_summaries.shape_key(catalog))
            .limit(1).offset(0).exists())


def _summaries(catalog: Catalog, shape: CourseShape, wanted_ids: list[str], threshold: float | None, ids: Any
               ) -> Any:
    """Per member with summaries of the course's current shape: their basis (valid when it is the member's
    stored time on task's version), modules complete, casussen done, how many modules asked are not complete
    or (with a minimum) scored too low, whether one asked was started, the latest step in those, and the best
    score per module with a knowledge check."""
    summaries = ModuleSummary.__table__
    # A learner's rows of one shape are the shape's modules: asking for all of them needs no test per row.
    everything = len(set(wanted_ids)) == len(shape.modules)
    asked = true() if everything else summaries.c.module_id.in_(wanted_ids)
    short = summaries.c.complete.is_(False)
    if threshold is not None:
        checked = [module.id for module, quiz_id, _c in shape.modules if quiz_id is not None]
        low = or_(summaries.c.best_score.is_(None), summaries.c.best_score * 100 <= threshold)
        short = or_(short, low if len(checked) == len(shape.modules) else and_(summaries.c.module_id.in_(checked),
                                                                                low))
    columns: list[Any] = [
        summaries.c.user_id, func.max(summaries.c.basis).label("basis"),
        func.sum(_as_int(summaries.c.complete.is_(True))).label("modules_done"),
        func.sum(summaries.c.casuses_done).label("casuses_done"),
        func.sum(_as_int(and_(asked, short))).label("short"),
        func.max(_as_int(and_(asked, summaries.c.started.is_(True)))).label("started"),
        func.max(summaries.c.done_at if everything else case((asked, summaries.c.done_at))).label("done_at")]
    for n, (module, quiz_id, _casuses) in enumerate(shape.modules):
        if quiz_id is not None:
            columns.append(func.max(case((summaries.c.module_id == module.id, summaries.c.best_score)))
                           .label(f"best_{n}"))
    return (select(*columns).where(summaries.c.shape == module_summaries.shape_key(catalog),
                                   summaries.c.user_id.in_(ids))
            .group_by(summaries.c.user_id).subquery("summed"))


def _pages(shape: CourseShape, wanted_ids: list[str], ids: Any) -> Any:
    """Per member and module: pages of the module read (ids no longer in it ignored), whether a page was
    opened; the latest reading in the modules asked for. Grouped per module first, then turned into one row
    per member: the per-module columns then cost a pass over a few rows per member, not over every page."""
    pages = PageProgress.__table__
    known = or_(*[and_(pages.c.module_id == module.id, pages.c.page_id.in_([p.id for p in module.pages]))
                  for module, _quiz, _casuses in shape.modules if module.pages]) if shape.modules else false()
    per_module = (select(pages.c.user_id, pages.c.module_id,
                         func.sum(_as_int(and_(pages.c.read_at.is_not(None), known))).label("read"),
                         func.max(pages.c.read_at).label("done_at"))
                  .where(pages.c.user_id.in_(ids)).group_by(pages.c.user_id, pages.c.module_id).subquery("modules"))
    columns: list[Any] = [per_module.c.user_id]
    for n, (module, _quiz, _casuses) in enumerate(shape.modules):
        this = per_module.c.module_id == module.id
        columns += [func.max(case((this, per_module.c.read), else_=0)).label(f"read_{n}"),
                    func.max(_as_int(this)).label(f"opened_{n}")]
    columns.append(func.max(case((per_module.c.module_id.in_(wanted_ids), per_module.c.done_at))).label("done_at"))
    return select(*columns).group_by(per_module.c.user_id).subquery("p")


def _quizzes(catalog: Catalog, shape: CourseShape, wanted_ids: list[str], ids: Any) -> Any:
    """Per member and module with a knowledge check: whether they handed it in, the best score, whether the
    counted attempt passed; the latest hand-in of the checks of the modules asked for.

    The best attempt is the highest score, a pass winning a tie, the earliest of equals; the last attempt's
    "counts" policy decides whether the best or the last one counts (course.progress.quiz_outcome).
    """
    attempts = QuizAttempt.__table__
    passed = _as_int(attempts.c.passed.is_(True))
    partition = (attempts.c.user_id, attempts.c.quiz_id)
    quiz_ids = [q for _m, q, _c in shape.modules if q is not None]
    wanted_quizzes = [q.id for q in catalog.quizzes.values() if q.module in wanted_ids]
    ranked = select(
        attempts.c.user_id, attempts.c.quiz_id, attempts.c.score, passed.label("passed"), attempts.c.counts,
        attempts.c.submitted_at,
        func.row_number().over(partition_by=partition,
                               order_by=(func.coalesce(attempts.c.score, 0).desc(), passed.desc(),
                                         attempts.c.number)).label("best"),
        func.row_number().over(partition_by=partition, order_by=attempts.c.number.desc()).label("last"),
    ).where(attempts.c.user_id.in_(ids), status_is(attempts.c.status, AttemptStatus.SUBMITTED),
            attempts.c.quiz_id.in_(sorted(set(quiz_ids) | set(wanted_quizzes)))).subquery("ranked")
    best, last = ranked.c.best == 1, ranked.c.last == 1
    per_quiz = (select(ranked.c.user_id, ranked.c.quiz_id,
                       func.max(case((best, ranked.c.score))).label("score"),
                       case((func.max(case((last, ranked.c.counts))) == "best",
                             func.max(case((best, ranked.c.passed)))),
                            else_=func.max(case((last, ranked.c.passed)))).label("passed"),
                       func.max(case((last, ranked.c.submitted_at))).label("done_at"))
                .where(or_(best, last)).group_by(ranked.c.user_id, ranked.c.quiz_id).subquery("checks"))
    columns: list[Any] = [per_quiz.c.user_id]
    for n, (_module, quiz_id, _casuses) in enumerate(shape.modules):
        if quiz_id is None:
            continue
        this = per_quiz.c.quiz_id == quiz_id
        columns += [func.max(_as_int(this)).label(f"attempted_{n}"),
                    func.max(case((this, per_quiz.c.score))).label(f"best_{n}"),
                    func.max(case((this, per_quiz.c.passed), else_=0)).label(f"passed_{n}")]
    columns.append(func.max(case((per_quiz.c.quiz_id.in_(wanted_quizzes), per_quiz.c.done_at))).label("done_at"))
    return select(*columns).group_by(per_quiz.c.user_id).subquery("q")


def _casuses(shape: CourseShape, requirement: Requirement, ids: Any) -> Any:
    """Per member: casussen completed per module, whether each casus asked for is, and the latest first
    completion of those asked for (each casus counts once, from its first completion)."""
    runs = CasusRun.__table__
    firsts = (select(runs.c.user_id, runs.c.casus_id, func.min(runs.c.completed_at).label("done_at"))
              .where(runs.c.user_id.in_(ids), status_is(runs.c.status, RunStatus.COMPLETED),
                     runs.c.completed_at.is_not(None))
              .group_by(runs.c.user_id, runs.c.casus_id).subquery("firsts"))
    casus_cols: list[Any] = [firsts.c.user_id]
    for n, (_module, _quiz, casus_ids) in enumerate(shape.modules):
        casus_cols.append(func.sum(_as_int(firsts.c.casus_id.in_(casus_ids))).label(f"casuses_{n}"))
    for n, casus_id in enumerate(requirement.casus_ids):
        casus_cols.append(func.max(_as_int(firsts.c.casus_id == casus_id)).label(f"asked_{n}"))
    casus_cols.append(func.max(case((firsts.c.casus_id.in_(requirement.casus_ids), firsts.c.done_at)))
                      .label("done_at"))
    return select(*casus_cols).group_by(firsts.c.user_id).subquery("c")


def _time_on_task(ids: Any) -> Any:
    """Per member, microseconds on task as course.certification.minutes_on_task counts them: each page from
    opening to reading, each check from start to hand-in, each casus from start to completion; each cut at
    the cap, overlaps counted once.

    In one pass over the spans in order of start: each adds what reaches past the latest end before it
    (the length of a union of intervals), so no second pass numbers the merged stretches.
    """
    pages, attempts, runs = PageProgress.__table__, QuizAttempt.__table__, CasusRun.__table__

    def span(table: Any, start: Any, end: Any) -> Select[Any]:
        return (select(table.c.user_id, _EpochMicroseconds(start).label("s"), _EpochMicroseconds(end).label("e"))
                .where(table.c.user_id.in_(ids), end.is_not(None)))

    # MATERIALIZED: SQLite would otherwise copy the moment conversions into every later use of s and e.
    spans = union_all(span(pages, pages.c.first_seen_at, pages.c.read_at),
                      span(attempts, attempts.c.started_at, attempts.c.submitted_at),
                      span(runs, runs.c.started_at, runs.c.completed_at)).cte("spans").prefix_with("MATERIALIZED")
    cap = MAX_MINUTES_PER_ACTIVITY * 60 * 1_000_000
    clipped = (select(spans.c.user_id, spans.c.s,
                      case((spans.c.e - spans.c.s > cap, spans.c.s + cap), else_=spans.c.e).label("e"))
               .where(spans.c.e > spans.c.s).cte("clipped").prefix_with("MATERIALIZED"))
    before = func.max(clipped.c.e).over(partition_by=clipped.c.user_id, order_by=(clipped.c.s, clipped.c.e),
                                        rows=(None, -1))
    ordered = select(clipped.c.user_id, clipped.c.s, clipped.c.e, before.label("before")).subquery("ordered")
    beyond = case((or_(ordered.c.before.is_(None), ordered.c.before <= ordered.c.s), ordered.c.e - ordered.c.s),
                  (ordered.c.e > ordered.c.before, ordered.c.e - ordered.c.before), else_=0)
    return (select(ordered.c.user_id, cast(func.sum(beyond), BigInteger).label("microseconds"))
            .group_by(ordered.c.user_id).subquery("on_task"))
