"""Many phones answering at once, each pressing twice: every answer stored exactly once, none lost, no error.

Runs against a real database with real connections (not the rolled-back test connection), so the unique
constraint and the databases' locking do the work they do in production: a temporary SQLite file, or a
schema of its own on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from app import create_app
from course.catalog import Catalog
from course.db import LiveAnswer, LiveParticipant, LiveSession, Role
from course.services.accounts import create_user
from tests.conftest import AuthActions

PARTICIPANTS = 24


@pytest.fixture
def real_app(tmp_path: Path, trainer_catalog: Catalog) -> Iterator[Flask]:
    url = os.environ.get("TEST_DATABASE_URL")
    schema = None
    if url:
        schema = f"live_{secrets.token_hex(4)}"
        with create_engine(url).begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{url}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-with-enough-length-000000",
                      "DATABASE_URL": url, "AUTO_MIGRATE": True, "WTF_CSRF_ENABLED": False,
                      "CONTENT_DIR": trainer_catalog.root, "CATALOG": trainer_catalog})
    yield app
    app.extensions["leerlijn.db"].engine.dispose()
    if schema:
        with create_engine(os.environ["TEST_DATABASE_URL"]).begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def test_parallel_double_answers_are_stored_exactly_once(real_app: Flask) -> None:
    database = real_app.extensions["leerlijn.db"]
    with Session(database.engine) as session:
        create_user(session, email="trainer@example.org", name="Tara", password="een-lang-wachtwoord",
                    role=Role.TRAINER)
    trainer = real_app.test_client()
    AuthActions(trainer).login(email="trainer@example.org")
    response = trainer.post("/trainer/live/nieuw", data={"title": "Druk", "source": "quiz:eerste-toets",
                                                         "min_results": "1"})
    live_id = int(re.search(r"/trainer/live/(\d+)$", response.headers["Location"])[1])
    with Session(database.engine) as session:
        code = session.get(LiveSession, live_id).code

    phones = [real_app.test_client() for _ in range(PARTICIPANTS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        joined = list(pool.map(lambda phone: phone.post(f"/live/{code}/meedoen").status_code, phones))
    assert joined == [302] * PARTICIPANTS
    trainer.post(f"/trainer/live/{live_id}/bediening", data={"action": "start", "version": 2})

    def press_twice(n: int) -> list[int]:
        data = {"item": "q-enkel", "answer": "a" if n % 3 else "b"}
        return [phones[n].post(f"/live/{code}/antwoord", data=data).status_code for _ in range(2)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [s for pair in pool.map(press_twice, range(PARTICIPANTS)) for s in pair]
    assert statuses == [302] * (2 * PARTICIPANTS)  # never a 500, even for the losing double

    with Session(database.engine) as session:
        per_participant = session.execute(
            select(LiveAnswer.participant_id, func.count()).group_by(LiveAnswer.participant_id)).all()
        participants = session.scalar(select(func.count(LiveParticipant.id)))
        values = session.scalars(select(LiveAnswer.value)).all()
    assert participants == PARTICIPANTS
    assert len(per_participant) == PARTICIPANTS and {n for _, n in per_participant} == {1}  # 0 lost, 0 doubled
    assert sorted(values).count("b") == len([n for n in range(PARTICIPANTS) if n % 3 == 0])
    screen = trainer.get(f"/trainer/live/{live_id}/scherm").get_data(as_text=True)
    assert f"{PARTICIPANTS} antwoorden" in screen
