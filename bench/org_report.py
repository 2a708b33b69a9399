"""The completion report of a large organisation: how long the report's query and its exports take.

    .venv/bin/python bench/org_report.py [--members 10000] [--database-url URL]

Seeds an organisation of N members in 40 teams on a fresh SQLite database (or in a schema of its own on the
PostgreSQL database given, dropped afterwards), migrated by Alembic, with the real course: each member's
progress is drawn at random (pages read, knowledge checks handed in with a score and an answer per question
drawn, casussen completed with a choice at each fork; each taking minutes) and written with bulk inserts, as
the services would store it; one assignment for everyone; each member's time on task then stored as
`flask org refresh-figures` stores it (course.services.on_task), and likewise their standing per module
(course.services.module_summaries), unless --unstored is given: the report then merges every member's spans
and aggregates every page row and check attempt itself, as after an upgrade before that command ran. Then times, with
the project's own services, the report (every member's row, as the page shows them), what the members
miss most (the page of its own: counted, then once more as the next visit finds it kept), the CSV and the
XLSX export, and counts the queries. The last line printed is one JSON object:

    {"members": N, "report_seconds": …, "csv_seconds": …, "xlsx_seconds": …, "queries": …,
     "missed_seconds": …, "missed_queries": …, "missed_kept_seconds": …, "missed_kept_queries": …}

Targets: report under 0.5 s, CSV under 1 s, XLSX under 3 s, and the same number of queries for any N.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, insert, select, text, update
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import Database  # noqa: E402
from course.casus.kinds import ChoiceStep  # noqa: E402
from course.catalog import load_catalog  # noqa: E402
from course.db import (  # noqa: E402
    Assignment,
    AttemptAnswer,
    AttemptStatus,
    CasusDecision,
    CasusRun,
    Membership,
    Organisation,
    PageProgress,
    QuizAttempt,
    Role,
    RunStatus,
    Team,
    User,
)
from course.services import module_summaries, on_task, org_report  # noqa: E402
from course.services.orgs import OrgAccess  # noqa: E402

TEAMS = 40


def seed(session: Session, catalog, members: int, rng: random.Random) -> Organisation:
    now = datetime.now(UTC)
    organisation = Organisation(slug="bench", name="Bench Jeugdzorg")
    session.add(organisation)
    session.flush()
    teams = [Team(organisation_id=organisation.id, name=f"Team {n:02d}") for n in range(TEAMS)]
    session.add_all(teams)
    session.flush()
    users = session.execute(insert(User).returning(User.id), [
        {"email": f"medewerker{n}@bench.example.org", "name": f"Medewerker {n:05d}", "password_hash": "!bench",
         "role": Role.LEARNER, "email_confirmed_at": now} for n in range(members)]).scalars().all()
    session.execute(insert(Membership), [
        {"user_id": user_id, "organisation_id": organisation.id, "team_id": teams[n % TEAMS].id, "role": Role.LEARNER}
        for n, user_id in enumerate(users)])
    pages = [(p.module_id, p.id) for p in catalog.pages]
    quizzes = list(catalog.quizzes.values())
    casuses = list(catalog.casuses)
    page_rows, attempts, runs = [], [], []
    for user_id in users:
        reached = rng.randint(0, len(pages))  # members read the course in order, some further than others
        for module_id, page_id in pages[:reached]:
            moment = now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
            opened = moment - timedelta(seconds=rng.randint(30, 900))  # a page takes minutes to read
            page_rows.append({"user_id": user_id, "module_id": module_id, "page_id": page_id,
                              "first_seen_at": opened, "last_seen_at": moment, "read_at": moment})
        done_modules = {module_id for module_id, _page in pages[:reached]}
        for quiz in quizzes:
            if quiz.module in done_modules and rng.random() < 0.8:
                for number in range(1, rng.randint(1, 3) + 1):
                    score = rng.choice([0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
                    moment = now - timedelta(days=rng.randint(0, 30))
                    attempts.append({"user_id": user_id, "quiz_id": quiz.id, "number": number, "seed": 1,
                                     "snapshot": {}, "counts": "best", "status": AttemptStatus.IN_PROGRESS,
                                     "started_at": moment - timedelta(minutes=rng.randint(3, 40)),
                                     "submitted_at": moment, "score": score,
                                     "passed": score >= 0.7})
        for casus_id in casuses:
            if rng.random() < reached / len(pages):
                moment = now - timedelta(days=rng.randint(0, 30))
                runs.append({"user_id": user_id, "casus_id": casus_id, "number": 1, "content_hash": "bench",
                             "state": {}, "drafts": {}, "status": RunStatus.COMPLETED,
                             "started_at": moment - timedelta(minutes=rng.randint(5, 90)),
                             "updated_at": moment, "completed_at": moment})
    for start in range(0, len(page_rows), 5000):
        session.execute(insert(PageProgress), page_rows[start:start + 5000])
    seed_answers(session, quizzes, attempts, rng)
    seed_decisions(session, catalog, runs, rng)
    session.add(Assignment(organisation_id=organisation.id, title="Meldcode", module_ids=[], casus_ids=[],
                           due_on=date.today() + timedelta(days=14)))
    session.commit()
    return organisation


def seed_answers(session: Session, quizzes, attempts: list[dict], rng: random.Random) -> None:
    """The attempts with an answer per question drawn (about ten), as the quiz stores them: written while
    the attempt is open (a submitted attempt's answers are final), one attempt number at a time (a member
    has one open attempt per check), then handed in."""
    by_id = {quiz.id: quiz for quiz in quizzes}
    for number in sorted({a["number"] for a in attempts}):
        wave = [a for a in attempts if a["number"] == number]
        answers = []
        for start in range(0, len(wave), 5000):
            chunk = wave[start:start + 5000]
            ids = session.scalars(insert(QuizAttempt).returning(QuizAttempt.id, sort_by_parameter_order=True),
                                  chunk).all()
            for attempt_id, attempt in zip(ids, chunk, strict=True):
                questions = by_id[attempt["quiz_id"]].questions
                for question in rng.sample(questions, min(10, len(questions))):
                    options = getattr(question, "options", None)
                    if options:
                        picked = rng.choice(options)
                        raw, correct = {"": [picked.id]}, bool(picked.correct) or rng.random() < 0.6
                    elif hasattr(question, "feedback_true"):
                        correct = rng.random() < 0.7
                        raw = {"": ["true" if question.answer == correct else "false"]}
                    else:
                        raw, correct = {"volgorde": ["1", "2"]}, rng.random() < 0.6
                    answers.append({"attempt_id": attempt_id, "question_id": question.id, "raw": raw,
                                    "correct": correct})
        for start in range(0, len(answers), 10000):
            session.execute(insert(AttemptAnswer), answers[start:start + 10000])
        session.execute(update(QuizAttempt).where(QuizAttempt.status == AttemptStatus.IN_PROGRESS)
                        .values(status=AttemptStatus.SUBMITTED))


def seed_decisions(session: Session, catalog, runs: list[dict], rng: random.Random) -> None:
    """The completed casus runs with a decision at each fork (the recommended option more often than not)."""
    decisions = []
    for start in range(0, len(runs), 5000):
        chunk = runs[start:start + 5000]
        ids = session.scalars(insert(CasusRun).returning(CasusRun.id, sort_by_parameter_order=True), chunk).all()
        for run_id, run in zip(ids, chunk, strict=True):
            forks = [step for step in catalog.casuses[run["casus_id"]].steps if isinstance(step, ChoiceStep)]
            for position, step in enumerate(forks):
                good = [o for o in step.options if o.recommended] or list(step.options)
                option = rng.choice(good) if rng.random() < 0.7 else rng.choice(step.options)
                decisions.append({"run_id": run_id, "casus_id": run["casus_id"], "position": position,
                                  "step_id": step.id, "kind": "choice", "choice": {"option": option.id},
                                  "decided_at": run["completed_at"]})
    for start in range(0, len(decisions), 10000):
        session.execute(insert(CasusDecision), decisions[start:start + 10000])


def timed(name, run):
    """(result, wall-clock seconds); this process's CPU seconds go to stderr (the database's own work, on
    PostgreSQL, is not among them)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = run()
    print(f"{name}: {time.perf_counter() - start:.3f} s, of which {time.process_time() - cpu:.3f} s CPU in this"
          " process", file=sys.stderr)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--unstored", action="store_true",
                        help="no stored figures: the report computes every member from the raw rows")
    args = parser.parse_args()
    schema = None
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        database = Database(url)
        if url.startswith("postgresql"):
            schema = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
            with create_engine(url).begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            database.engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            database.upgrade()
            catalog = load_catalog(ROOT)
            with Session(database.engine) as session:
                organisation = seed(session, catalog, args.members, random.Random(13))
                if not args.unstored:
                    member_ids = session.scalars(select(Membership.user_id).where(
                        Membership.organisation_id == organisation.id)).all()
                    timed("time on task stored", lambda: on_task.refresh_all(session, member_ids))
                    timed("module summaries stored",
                          lambda: module_summaries.refresh_all(session, catalog, member_ids))
                session.execute(text("ANALYZE"))  # planner statistics, as a database in use has them
                session.commit()
                print(f"seeded {args.members} members", file=sys.stderr)
                access = OrgAccess(organisation, None, Role.ORG_ADMIN, None)
                statements: list[str] = []
                event.listen(database.engine, "before_cursor_execute",
                             lambda _c, _cur, statement, *_a: statements.append(statement))
                report, report_seconds = timed("report", lambda: org_report.completion_report(
                    session, catalog, access, date.today()))
                queries = len(statements)
                del statements[:]
                kept = org_report.MissedCache()
                missed, missed_seconds = timed("most missed", lambda: org_report.most_missed(
                    session, catalog, access, cache=kept))
                missed_queries = len(statements)
                del statements[:]
                again, missed_kept_seconds = timed("most missed again (kept)", lambda: org_report.most_missed(
                    session, catalog, access, cache=kept))
                missed_kept_queries = len(statements)
                assert again == missed
                print(f"most missed: {len(missed.questions)} questions, {len(missed.forks)} forks",
                      file=sys.stderr)
                _csv, csv_seconds = timed("csv", lambda: org_report.to_csv(org_report.completion_report(
                    session, catalog, access, date.today())))
                _xlsx, xlsx_seconds = timed("xlsx", lambda: org_report.to_xlsx(org_report.completion_report(
                    session, catalog, access, date.today())))
                assert len(report.rows) == args.members
        finally:
            database.engine.dispose()
            if schema:
                with create_engine(url).begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    print(json.dumps({"members": args.members, "report_seconds": round(report_seconds, 3),
                      "csv_seconds": round(csv_seconds, 3), "xlsx_seconds": round(xlsx_seconds, 3),
                      "queries": queries, "missed_seconds": round(missed_seconds, 3),
                      "missed_queries": missed_queries, "missed_kept_seconds": round(missed_kept_seconds, 3),
                      "missed_kept_queries": missed_kept_queries}))


if __name__ == "__main__":
    main()
