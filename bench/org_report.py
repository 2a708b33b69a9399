"""The completion report of a large organisation: how long the report's query and its exports take.

    .venv/bin/python bench/org_report.py [--members 10000] [--database-url URL]

Seeds an organisation of N members in 40 teams on a fresh SQLite database (or in a schema of its own on the
PostgreSQL database given, dropped afterwards), migrated by Alembic, with the real course: each member's
progress is drawn at random (pages read, knowledge checks handed in with a score, casussen completed) and
written with bulk inserts, as the services would store it; one assignment for everyone. Then times, with
the project's own services, the report (every member's row, as the page shows them), the CSV and the XLSX
export, and counts the queries the report ran. The last line printed is one JSON object:

    {"members": N, "report_seconds": …, "csv_seconds": …, "xlsx_seconds": …, "queries": …}

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

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import Database  # noqa: E402
from course.catalog import load_catalog  # noqa: E402
from course.db import (  # noqa: E402
    Assignment,
    AttemptStatus,
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
from course.services import org_report  # noqa: E402
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
                                     "snapshot": {}, "counts": "best", "status": AttemptStatus.SUBMITTED,
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
    for table, rows in ((PageProgress, page_rows), (QuizAttempt, attempts), (CasusRun, runs)):
        for start in range(0, len(rows), 5000):
            session.execute(insert(table), rows[start:start + 5000])
    session.add(Assignment(organisation_id=organisation.id, title="Meldcode", module_ids=[], casus_ids=[],
                           due_on=date.today() + timedelta(days=14)))
    session.commit()
    return organisation


def timed(run):
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a fresh SQLite file)")
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
                print(f"seeded {args.members} members", file=sys.stderr)
                access = OrgAccess(organisation, None, Role.ORG_ADMIN, None)
                statements: list[str] = []
                event.listen(database.engine, "before_cursor_execute",
                             lambda _c, _cur, statement, *_a: statements.append(statement))
                report, report_seconds = timed(lambda: org_report.completion_report(
                    session, catalog, access, date.today()))
                queries = len(statements)
                _csv, csv_seconds = timed(lambda: org_report.to_csv(org_report.completion_report(
                    session, catalog, access, date.today())))
                _xlsx, xlsx_seconds = timed(lambda: org_report.to_xlsx(org_report.completion_report(
                    session, catalog, access, date.today())))
                assert len(report.rows) == args.members
        finally:
            database.engine.dispose()
            if schema:
                with create_engine(url).begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    print(json.dumps({"members": args.members, "report_seconds": round(report_seconds, 3),
                      "csv_seconds": round(csv_seconds, 3), "xlsx_seconds": round(xlsx_seconds, 3),
                      "queries": queries}))


if __name__ == "__main__":
    main()
