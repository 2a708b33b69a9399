"""Two runs of `flask reminders send` at once (a slow cron run and a timer): each reminder goes out once.

Runs against a real database with real connections (not the rolled-back test connection), so the unique
constraint and the database's locking decide, as in production: a temporary SQLite file, or a schema of
its own on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db import Assignment, Membership, Organisation, Role, SentReminder, User, utcnow
from course.services import reminders
from tests.conftest import real_database_app

DUE = date(2027, 3, 15)
MEMBERS = 12


@pytest.fixture
def real_app(tmp_path: Path, valid_catalog: Catalog) -> Iterator[Flask]:
    with real_database_app(valid_catalog, tmp_path) as app:
        yield app


def test_two_overlapping_runs_send_every_reminder_exactly_once(real_app: Flask, valid_catalog: Catalog) -> None:
    engine = real_app.extensions["leerlijn.db"].engine
    with Session(engine) as session:
        organisation = Organisation(slug="gelijktijdig", name="Gelijktijdig")
        session.add(organisation)
        session.flush()
        for n in range(MEMBERS):
            user = User(email=f"lid{n}@example.org", name=f"Lid {n}", password_hash="!", email_confirmed_at=utcnow())
            session.add(user)
            session.flush()
            session.add(Membership(user_id=user.id, organisation_id=organisation.id,
                                   role=Role.ORG_ADMIN if n == 0 else Role.LEARNER))
        session.add(Assignment(organisation_id=organisation.id, title="Meldcode", module_ids=[], casus_ids=[],
                               due_on=DUE))
        session.commit()
    day = DUE - timedelta(days=3)
    both_planned = threading.Barrier(2)

    def run() -> int:
        with Session(engine) as session:
            plan = reminders.planned(session, valid_catalog, day)
            session.rollback()  # end the reading transaction (on SQLite it may hold the write lock)
            both_planned.wait(timeout=30)  # neither run has claimed anything when both have their plan
            return sum(reminders.claim(session, reminder) for reminder in plan)

    with ThreadPoolExecutor(2) as pool:
        sent = [future.result() for future in [pool.submit(run), pool.submit(run)]]
    expected = MEMBERS + 1  # every member is reminded, and the admin gets the weekly digest
    assert sum(sent) == expected, sent
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(SentReminder)) == expected
        assert reminders.planned(session, valid_catalog, day) == []
