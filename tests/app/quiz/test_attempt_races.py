"""Autosaves racing "Inleveren" on real connections: what was graded is what stays stored, and nobody sees a 500.

Each round, one tab hands the attempt in with every answer right while seven other tabs of the same
browser autosave every answer wrong at the same moment (SQLite file, or PostgreSQL when TEST_DATABASE_URL
is set). Whatever order the database serialises them in, the stored answers must be the graded ones.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db import AttemptAnswer, AttemptStatus, QuizAttempt
from course.quiz import Paper
from course.services.accounts import create_user
from tests.app.quiz.conftest import paper_fields, perfect_raw, wrong_raw
from tests.conftest import AuthActions, another_worker_writing, real_database_app, same_browser

ROUNDS = 6
AUTOSAVES = 7
JSON = {"Accept": "application/json"}


@pytest.fixture
def race_app(quiz_catalog: Catalog, tmp_path: Path) -> Iterator[Flask]:
    with real_database_app(quiz_catalog, tmp_path) as app:
        yield app


def _learner(app: Flask, n: int) -> FlaskClient:
    with Session(app.extensions["leerlijn.db"].engine) as session:
        create_user(session, email=f"leerling{n}@example.org", name=f"Leerling {n}", password="een-lang-wachtwoord")
    client = app.test_client()
    assert AuthActions(client).login(email=f"leerling{n}@example.org").status_code == 302
    return client


def _start(client: FlaskClient) -> tuple[int, str]:
    location = client.post("/quiz/eerste-toets/starten").headers["Location"]
    attempt_id = int(re.search(r"/quiz/poging/(\d+)$", location)[1])
    html = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    return attempt_id, re.search(r'name="attempt_token" value="([^"]+)"', html)[1]


def _paper(app: Flask, attempt_id: int) -> Paper:
    with Session(app.extensions["leerlijn.db"].engine) as session:
        return Paper.from_snapshot(session.get(QuizAttempt, attempt_id).snapshot)


def _form(paper: Paper, right: bool) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for pq in paper.questions:
        data.update(paper_fields(paper, pq.question.id, (perfect_raw if right else wrong_raw)(pq.question)))
    return data


def _in_parallel(jobs: list) -> list[int]:
    barrier = threading.Barrier(len(jobs))

    def run(job) -> int:
        barrier.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_autosaves_racing_a_submit_never_change_a_graded_answer(race_app: Flask) -> None:
    """However autosaves and "Inleveren" interleave, the review grades exactly the answers that are stored."""
    for n in range(ROUNDS):
        client = _learner(race_app, n)
        attempt_id, token = _start(client)
        paper = _paper(race_app, attempt_id)
        url = f"/quiz/poging/{attempt_id}"
        right = {"attempt_token": token, "action": "submit", **_form(paper, right=True)}
        wrong = {"attempt_token": token, "action": "save", **_form(paper, right=False)}
        tabs = same_browser(client, AUTOSAVES + 1)
        jobs = [lambda tab=tabs[0], url=url, data=right: tab.post(url, data=data).status_code]
        jobs += [lambda tab=tab, url=url, data=wrong: tab.post(url, data=data, headers=JSON).status_code
                 for tab in tabs[1:]]
        statuses = _in_parallel(jobs)
        assert statuses[0] == 302, statuses
        assert set(statuses[1:]) <= {200, 409}, statuses  # saved before the submit, or refused after it

        with Session(race_app.extensions["leerlijn.db"].engine) as session:
            attempt = session.get(QuizAttempt, attempt_id)
            rows = session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).all()
        assert attempt.status == AttemptStatus.SUBMITTED
        stored = {row.question_id: paper.question(row.question_id).question.parse_answer(row.raw) for row in rows}
        regraded = paper.grade(stored)
        assert attempt.score == pytest.approx(float(regraded.score)), f"round {n}: score differs from the answers"
        for row in rows:
            assert row.correct == regraded.grades[row.question_id].correct, f"round {n}: {row.question_id}"
        review = client.get(f"{url}/resultaat").get_data(as_text=True)
        assert f"{round(float(regraded.score) * 100)}" in review


def test_an_autosave_after_submit_is_refused_with_a_message_the_page_shows(race_app: Flask) -> None:
    """A late background save answers 409 and says the attempt was handed in; nothing changes."""
    client = _learner(race_app, 0)
    attempt_id, token = _start(client)
    paper = _paper(race_app, attempt_id)
    url = f"/quiz/poging/{attempt_id}"
    assert client.post(url, data={"attempt_token": token, "action": "submit",
                                  **_form(paper, right=True)}).status_code == 302
    late = client.post(url, data={"attempt_token": token, "action": "save", **_form(paper, right=False)},
                       headers=JSON)
    assert late.status_code == 409
    assert "al ingeleverd" in late.get_json()["error"]
    with Session(race_app.extensions["leerlijn.db"].engine) as session:
        assert session.get(QuizAttempt, attempt_id).passed is True


def test_the_database_itself_refuses_to_change_a_submitted_answer(race_app: Flask) -> None:
    """Even a write that bypasses the service cannot change or add an answer of a handed-in attempt."""
    client = _learner(race_app, 0)
    attempt_id, token = _start(client)
    paper = _paper(race_app, attempt_id)
    client.post(f"/quiz/poging/{attempt_id}", data={"attempt_token": token, "action": "submit",
                                                    **_form(paper, right=True)})
    engine = race_app.extensions["leerlijn.db"].engine
    with Session(engine) as session, pytest.raises(DBAPIError):
        session.execute(update(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
                        .values(raw={"": ["x"]}))
        session.commit()
    with Session(engine) as session, pytest.raises(DBAPIError):
        session.execute(text("INSERT INTO quiz_attempt_answers (attempt_id, question_id, raw, saved_at) "
                             "VALUES (:a, 'extra', '{}', CURRENT_TIMESTAMP)"), {"a": attempt_id})
        session.commit()
    with Session(engine) as session:  # grading a submitted attempt's answers (score, correct) stays possible
        session.execute(update(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id).values(score=1.0))
        session.commit()
        assert len(session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).all()) \
            == len(paper.questions)


def test_the_database_checks_every_row_of_a_statement_that_touches_a_handed_in_attempt(race_app: Flask) -> None:
    """One statement over the answers of an open and a handed-in attempt is refused as a whole, whichever
    way it reaches the handed-in one: an upsert, moving an answer there or away, marking one checked. The
    open attempt's answers alone still change."""
    first, second = _learner(race_app, 0), _learner(race_app, 1)
    handed_in, token = _start(first)
    paper = _paper(race_app, handed_in)
    first.post(f"/quiz/poging/{handed_in}", data={"attempt_token": token, "action": "submit",
                                                  **_form(paper, right=True)})
    open_id, open_token = _start(second)
    second.post(f"/quiz/poging/{open_id}", headers=JSON, data={
        "attempt_token": open_token, "action": "save", **_form(_paper(race_app, open_id), right=False)})
    engine = race_app.extensions["leerlijn.db"].engine
    question = paper.questions[0].question.id
    refused = [
        ("INSERT INTO quiz_attempt_answers (attempt_id, question_id, raw, saved_at) "
         "VALUES (:open, 'nieuw', '{}', CURRENT_TIMESTAMP), (:closed, :question, '{}', CURRENT_TIMESTAMP) "
         "ON CONFLICT (attempt_id, question_id) DO UPDATE SET raw = excluded.raw"),
        ("UPDATE quiz_attempt_answers SET attempt_id = :closed, question_id = 'verplaatst' "
         "WHERE id = (SELECT MIN(id) FROM quiz_attempt_answers WHERE attempt_id = :open)"),
        ("UPDATE quiz_attempt_answers SET attempt_id = :open, question_id = 'verplaatst' "
         "WHERE id = (SELECT MIN(id) FROM quiz_attempt_answers WHERE attempt_id = :closed)"),
        "UPDATE quiz_attempt_answers SET checked_at = CURRENT_TIMESTAMP WHERE attempt_id IN (:open, :closed)",
        # a new id with it: the row's before and after are not paired by id, and still count as changed
        ("UPDATE quiz_attempt_answers SET id = id + 100000, raw = '{}' "
         "WHERE id = (SELECT MIN(id) FROM quiz_attempt_answers WHERE attempt_id = :closed)"),
    ]
    values = {"open": open_id, "closed": handed_in, "question": question}

    def answers() -> list[tuple]:
        with Session(engine) as session:
            return session.execute(text("SELECT attempt_id, question_id, raw, checked_at FROM quiz_attempt_answers "
                                        "ORDER BY attempt_id, question_id")).all()
    before = answers()
    for statement in refused:
        with Session(engine) as session, pytest.raises(DBAPIError, match="answers are final"):
            session.execute(text(statement), values)
            session.commit()
    assert answers() == before
    with Session(engine) as session:
        session.execute(text("UPDATE quiz_attempt_answers SET checked_at = CURRENT_TIMESTAMP WHERE attempt_id = :open"),
                        values)
        session.commit()
    assert [row[3] is not None for row in answers() if row[0] == open_id] == [True] * len(paper.questions)


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's database-wide write lock")
def test_an_autosave_while_another_worker_writes_waits_for_the_lock_and_is_saved(race_app: Flask,
                                                                                 tmp_path: Path) -> None:
    """A background save reads the login while another worker holds SQLite's write lock and commits, then
    takes the lock at its own write and saves: it is never refused as 'database is locked'."""
    client = _learner(race_app, 0)
    attempt_id, token = _start(client)
    paper = _paper(race_app, attempt_id)
    with another_worker_writing(tmp_path / "race.sqlite3"):
        response = client.post(f"/quiz/poging/{attempt_id}", headers=JSON, data={
            "attempt_token": token, "action": "save", **_form(paper, right=True)})
    assert response.status_code == 200, response.get_data(as_text=True)
    with Session(race_app.extensions["leerlijn.db"].engine) as session:
        stored = session.scalars(select(AttemptAnswer.question_id).where(AttemptAnswer.attempt_id == attempt_id))
        assert sorted(stored) == sorted(pq.question.id for pq in paper.questions)
