"""The completion report's SQL (course.services.progress_sql) gives every member the same figures as the pure
rules (course.progress, course.assignments, course.certification) over the same varied rows, on SQLite and
PostgreSQL: a coordinator never sees a status, date, score or time the learner's own pages would contradict."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from course import certification
from course.assignments import Requirement
from course.catalog import Catalog, load_catalog
from course.content.model import CasusesRule, CompletionRules, PagesRule, QuizRule
from course.db import (
    AttemptStatus,
    CasusRun,
    Membership,
    Organisation,
    PageProgress,
    QuizAttempt,
    RunStatus,
    Team,
    User,
)
from course.progress import CourseShape
from course.services import assignments as assignment_service
from course.services import module_summaries, on_task, progress_sql

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def real_catalog() -> Catalog:
    return load_catalog(ROOT)


def moment(rng: random.Random) -> datetime:
    return NOW - timedelta(days=rng.randint(0, 40), seconds=rng.randint(0, 86_400),
                           microseconds=rng.randint(0, 999_999))


def seed(session: Session, catalog: Catalog, members: int, rng: random.Random) -> list[int]:
    """Members with every kind of row the rules look at, drawn at random: pages read, opened only, or no
    longer in the course; checks handed in or open, scores missing, tied or just below a minimum, "best"
    and "last" policies, hand-ins out of order; casussen completed twice, stopped or open; spans that
    overlap, exceed the cap, last nothing or end before they start."""
    organisation = Organisation(slug="gelijk", name="Gelijk")
    session.add(organisation)
    session.flush()
    team = Team(organisation_id=organisation.id, name="Team")
    session.add(team)
    session.flush()
    users = session.execute(insert(User).returning(User.id), [
        {"email": f"lid{n}@gelijk.example.org", "name": f"Lid {n:03d}", "password_hash": "!"}
        for n in range(members)]).scalars().all()
    session.execute(insert(Membership), [{"user_id": u, "organisation_id": organisation.id, "team_id": team.id}
                                         for u in users])
    pages = [(p.module_id, p.id) for p in catalog.pages] + [(catalog.modules[0].id, "verdwenen-pagina")]
    quizzes = [*catalog.quizzes, "verdwenen-check"]
    casuses = [*catalog.casuses, "verdwenen-casus"]
    page_rows, attempts, runs = [], [], []
    for n, user in enumerate(users):
        # Some read everything there is (to reach "completed"), some nothing, most part of it.
        share = 1.0 if n % 5 == 0 else 0.0 if n % 7 == 0 else rng.random()
        for module_id, page_id in pages:
            if rng.random() < share or n % 5 == 0:
                start = moment(rng)
                end = start + rng.choice([timedelta(minutes=rng.randint(1, 30), seconds=30), timedelta(0),
                                          timedelta(minutes=90), timedelta(seconds=-5),
                                          timedelta(microseconds=rng.randint(1, 10**9))])
                read = None if rng.random() < 0.15 and n % 5 else end
                page_rows.append({"user_id": user, "module_id": module_id, "page_id": page_id,
                                  "first_seen_at": start, "last_seen_at": end, "read_at": read})
        for quiz_id in quizzes:
            if rng.random() > share and n % 5:
                continue
            tries = rng.randint(1, 3)
            for number in range(1, tries + 1):
                score = rng.choice([None, 0.0, 0.5, 0.7, 0.79, 0.8, 0.8, 1.0])
                open_attempt = number == tries and rng.random() < 0.2 and n % 5
                start = moment(rng)
                attempts.append({
                    "user_id": user, "quiz_id": quiz_id, "number": number, "seed": 1, "snapshot": {},
                    "counts": rng.choice(["best", "best", "last"]),
                    "status": AttemptStatus.IN_PROGRESS if open_attempt else AttemptStatus.SUBMITTED,
                    "started_at": start, "submitted_at": None if open_attempt else start + timedelta(
                        minutes=rng.randint(0, 80), microseconds=rng.randint(0, 999_999)),
                    "score": None if open_attempt else score,
                    "passed": None if open_attempt else (score or 0) >= 0.7 if n % 3 else rng.random() < 0.5})
        for casus_id in casuses:
            if rng.random() > share and n % 5:
                continue
            for number in range(1, rng.randint(1, 3) + 1):
                status = RunStatus.COMPLETED if n % 5 == 0 else rng.choice(list(RunStatus))
                if status == RunStatus.IN_PROGRESS and any(
                        r["user_id"] == user and r["casus_id"] == casus_id and r["status"] == RunStatus.IN_PROGRESS
                        for r in runs):
                    status = RunStatus.STOPPED
                start = moment(rng)
                done = start + timedelta(minutes=rng.randint(-2, 75)) if status == RunStatus.COMPLETED else None
                runs.append({"user_id": user, "casus_id": casus_id, "number": number, "content_hash": "x",
                             "state": {}, "drafts": {}, "status": status, "started_at": start, "updated_at": start,
                             "completed_at": done})
    for table, rows in ((PageProgress, page_rows), (QuizAttempt, attempts), (CasusRun, runs)):
        if rows:
            session.execute(insert(table), rows)
    session.flush()
    return list(users)


def by_the_rules(session: Session, catalog: Catalog, user_ids: list[int], requirement: Requirement
                 ) -> dict[int, tuple]:
    """What the pure rules say for each member, from their rows as the services read them."""
    progress = assignment_service.progress_of(session, catalog, user_ids)
    spans: dict[int, list[tuple[datetime, datetime]]] = {u: [] for u in user_ids}
    pages, attempts, runs = PageProgress.__table__, QuizAttempt.__table__, CasusRun.__table__
    for query in (select(pages.c.user_id, pages.c.first_seen_at, pages.c.read_at).where(pages.c.read_at.is_not(None)),
                  select(attempts.c.user_id, attempts.c.started_at, attempts.c.submitted_at)
                  .where(attempts.c.submitted_at.is_not(None)),
                  select(runs.c.user_id, runs.c.started_at, runs.c.completed_at)
                  .where(runs.c.completed_at.is_not(None))):
        for user_id, start, end in session.execute(query.where(query.selected_columns[0].in_(user_ids))):
            spans[user_id].append((start, end))
    shape = CourseShape.of(catalog)
    result = {}
    for user_id in user_ids:
        mine = progress[user_id]
        standing = mine.standing(requirement, TODAY)
        modules = {m.module.id: m for m in mine.progress.modules}
        result[user_id] = (standing.status, standing.completed_at, sum(m.complete for m in mine.progress.modules),
                           sum(m.casuses_done for m in mine.progress.modules),
                           tuple(modules[module.id].quiz_best_score for module, quiz, _c in shape.modules if quiz),
                           certification.minutes_on_task(spans[user_id]))
    return result


def by_sql(session: Session, catalog: Catalog, requirement: Requirement) -> dict[int, tuple]:
    members = (select(User.id.label("user_id"), User.name.label("name"), User.email.label("email"),
                      Membership.team_id.label("team_id"), Team.name.label("team_name"))
               .join(Membership, Membership.user_id == User.id).join(Team, Team.id == Membership.team_id)
               .join(Organisation, Organisation.id == Membership.organisation_id)
               .where(Organisation.slug == "gelijk"))
    return {f.user_id: (f.status, f.completed_at, f.modules_done, f.casuses_done, f.best_scores, f.minutes_on_task)
            for f in progress_sql.member_figures(session, catalog, members, requirement, TODAY)}


RULES = [CompletionRules(),
         CompletionRules(PagesRule.ALL, QuizRule.ATTEMPTED, CasusesRule.NONE),
         CompletionRules(PagesRule.NONE, QuizRule.NONE, CasusesRule.ALL),
         CompletionRules(PagesRule.NONE, QuizRule.PASSED, CasusesRule.NONE)]


@pytest.mark.parametrize("summed", [False, True], ids=["from rows", "half from summaries"])
@pytest.mark.parametrize("rules", RULES, ids=lambda r: f"{r.pages}-{r.quiz}-{r.casuses}")
def test_the_reports_sql_equals_the_pure_rules(session: Session, real_catalog: Catalog, rules: CompletionRules,
                                               summed: bool) -> None:
    """Every member's status, completion date, modules and casussen done, best scores and time on task;
    computed from the raw rows, or for every other member read from their stored figures (refresh-figures,
    course.services.module_summaries) in the same statement."""
    catalog = replace(real_catalog, course=replace(real_catalog.course, completion=rules))
    users = seed(session, catalog, 60, random.Random(str(rules)))
    if summed:
        on_task.refresh_all(session, users[::2])
        assert module_summaries.refresh_all(session, catalog, users[::2]) == 30
    modules = [m.id for m in catalog.modules]
    requirements = [
        Requirement((), date.max),
        Requirement((), TODAY - timedelta(days=1)),  # overdue unless completed
        Requirement(tuple(modules[:2]), TODAY + timedelta(days=3), min_quiz_percent=80),
        Requirement((modules[2], "verdwenen-module"), TODAY, min_quiz_percent=79,
                    casus_ids=tuple(sorted(catalog.casuses))[:2]),
        Requirement(("verdwenen-module",), TODAY + timedelta(days=3), casus_ids=(sorted(catalog.casuses)[-1],)),
    ]
    seen = set()
    for requirement in requirements:
        expected = by_the_rules(session, catalog, users, requirement)
        found = by_sql(session, catalog, requirement)
        assert found.keys() == expected.keys()
        for user_id in users:
            assert found[user_id] == expected[user_id], (requirement, user_id)
        seen |= {figures[0] for figures in expected.values()}
    assert len(seen) == 4  # the seeded rows reach every status, so each branch of the SQL was compared
