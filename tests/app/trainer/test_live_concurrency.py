"""Many phones answering at once, each pressing twice: every answer stored exactly once, none lost, no error.

Runs against a real database with real connections (not the rolled-back test connection), so the unique
constraint and the databases' locking do the work they do in production: a temporary SQLite file, or a
schema of its own on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db import LiveAnswer, LiveParticipant, LiveSession, Role
from course.services.accounts import create_user
from tests.conftest import AuthActions, real_database_app

PARTICIPANTS = 24


@pytest.fixture
def real_app(tmp_path: Path, trainer_catalog: Catalog) -> Iterator[Flask]:
    with real_database_app(trainer_catalog, tmp_path) as app:
        yield app


def _new_session(real_app: Flask, title: str) -> tuple[Any, Any, int]:
    """A trainer (logged in) with a new live session on the test quiz: (database, trainer's client, session id)."""
    database = real_app.extensions["leerlijn.db"]
    with Session(database.engine) as session:
        create_user(session, email="trainer@example.org", name="Tara", password="een-lang-wachtwoord",
                    role=Role.TRAINER)
    trainer = real_app.test_client()
    AuthActions(trainer).login(email="trainer@example.org")
    response = trainer.post("/trainer/live/nieuw", data={"title": title, "source": "quiz:eerste-toets",
                                                         "min_results": "1"})
    return database, trainer, int(re.search(r"/trainer/live/(\d+)$", response.headers["Location"])[1])


def test_parallel_double_answers_are_stored_exactly_once(real_app: Flask) -> None:
    database, trainer, live_id = _new_session(real_app, "Druk")
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


def test_an_answer_racing_the_trainers_lock_is_refused_not_stored(real_app: Flask) -> None:
    database, trainer, live_id = _new_session(real_app, "Slot")
    trainer.post(f"/trainer/live/{live_id}/bediening", data={"action": "start", "version": 2})
    with Session(database.engine) as session:
        code = session.get(LiveSession, live_id).code
    phone = real_app.test_client()
    phone.post(f"/live/{code}/meedoen")

    # The trainer's lock is half-way: the session row is changed and locked, not yet committed, when the
    # phone's answer comes in. The answer must see the lock once it is committed, not the state before it.
    with Session(database.engine) as console, ThreadPoolExecutor(max_workers=1) as pool:
        live = console.scalars(select(LiveSession).where(LiveSession.id == live_id).with_for_update()).one()
        live.state = {**live.state, "answering": False}
        live.version += 1
        console.flush()
        answer = pool.submit(phone.post, f"/live/{code}/antwoord", data={"item": "q-enkel", "answer": "a"},
                             headers={"X-Requested-With": "fetch"})
        # Give the answer time to read the session; its read waits for the lock (a later start only makes
        # this test weaker, never wrong).
        time.sleep(0.5)
        console.commit()
        reply = answer.result(timeout=30)
    assert reply.status_code == 409 and "Antwoorden is gesloten voor deze vraag." in reply.get_data(as_text=True)
    with Session(database.engine) as session:
        assert session.scalar(select(func.count(LiveAnswer.id))) == 0
