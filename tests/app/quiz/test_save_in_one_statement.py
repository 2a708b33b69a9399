"""A quiz save on a real database of its own (both databases): on PostgreSQL, once the worker knows the
attempt's paper, the save is one statement that is its own transaction, carried by the login's
(course.db.drafts.CARRIED_SAVE_COUNTS). Whatever the path, the learner sees the same: answers stored as
posted, a handed-in attempt refused with its answers kept, a fixed answer refused with nothing else changed,
a stale paper in the worker's memory never decoding a form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db import AttemptAnswer, QuizAttempt
from course.quiz import Paper
from course.services import quizzes
from tests.app.quiz.conftest import paper_fields, perfect_raw, wrong_raw
from tests.app.quiz.test_attempt_races import JSON, _learner, _paper, _start
from tests.conftest import real_database_app


@pytest.fixture
def real_app(quiz_catalog: Catalog, tmp_path: Path) -> Iterator[Flask]:
    with real_database_app(quiz_catalog, tmp_path) as app:
        yield app


def _stored(app: Flask, attempt_id: int) -> dict[str, dict]:
    with Session(app.extensions["leerlijn.db"].engine) as session:
        return {a.question_id: a.raw for a in session.scalars(select(AttemptAnswer).where(
            AttemptAnswer.attempt_id == attempt_id))}


def _saved_at(app: Flask, attempt_id: int):
    with Session(app.extensions["leerlijn.db"].engine) as session:
        return session.get(QuizAttempt, attempt_id).last_saved_at


def _form(paper: Paper, answer=perfect_raw, only: int | None = None) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for pq in paper.questions[:only]:
        form.update(paper_fields(paper, pq.question.id, answer(pq.question)))
    return form


def _save(client, attempt_id: int, token: str, form: dict, action: str = "save"):
    return client.post(f"/quiz/poging/{attempt_id}", data={"attempt_token": token, "action": action, **form},
                       headers=JSON)


def test_a_save_stores_every_answer_and_on_postgresql_is_one_statement_with_the_login(real_app):
    client = _learner(real_app, 1)
    attempt_id, token = _start(client)
    paper = _paper(real_app, attempt_id)
    assert _save(client, attempt_id, token, _form(paper, wrong_raw)).status_code == 200  # the worker reads the paper
    first_saved = _saved_at(real_app, attempt_id)

    engine = real_app.extensions["leerlijn.db"].engine
    statements, transactions = [], []

    def executed(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def begun(connection) -> None:
        transactions.append(connection)
    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "begin", begun)
    try:
        response = _save(client, attempt_id, token, _form(paper))
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        event.remove(engine, "begin", begun)
    assert response.status_code == 200
    assert sorted(response.get_json()["saved"]) == sorted(pq.question.id for pq in paper.questions)
    assert _stored(real_app, attempt_id) == {pq.question.id: perfect_raw(pq.question) for pq in paper.questions}
    assert _saved_at(real_app, attempt_id) > first_saved
    if engine.dialect.name == "postgresql":
        [statement] = statements  # the login carried the save (app/quiz/views.py: _carry_autosave)
        assert statement.startswith("WITH touched AS") and "login_sessions.secret_hash" in statement, statements
        assert transactions == [], "no transaction begun: the save is its own"


def test_a_handed_in_attempt_refuses_the_next_save_and_keeps_the_graded_answers(real_app):
    client = _learner(real_app, 1)
    attempt_id, token = _start(client)
    paper = _paper(real_app, attempt_id)
    assert _save(client, attempt_id, token, _form(paper)).status_code == 200
    handed_in = client.post(f"/quiz/poging/{attempt_id}", data={"attempt_token": token, "action": "submit"})
    assert handed_in.status_code == 302 and handed_in.headers["Location"].endswith("/resultaat")

    refused = _save(client, attempt_id, token, _form(paper, wrong_raw))
    assert refused.status_code == 409 and "al ingeleverd" in refused.get_json()["error"]
    assert _stored(real_app, attempt_id) == {pq.question.id: perfect_raw(pq.question) for pq in paper.questions}


def test_changing_an_answer_whose_feedback_was_shown_is_refused_and_nothing_else_is_saved(real_app):
    client = _learner(real_app, 1)
    location = client.post("/quiz/tweede-toets/starten").headers["Location"]
    attempt_id = int(location.rsplit("/", 1)[1])
    token = client.get(location).get_data(as_text=True).split('name="attempt_token" value="')[1].split('"')[0]
    paper = _paper(real_app, attempt_id)
    first, second = (pq.question for pq in paper.questions[:2])
    checked = client.post(f"/quiz/poging/{attempt_id}", data={
        "attempt_token": token, "action": "check", "question": first.id,
        **paper_fields(paper, first.id, perfect_raw(first))})
    assert checked.status_code == 302
    assert _save(client, attempt_id, token, paper_fields(paper, second.id, wrong_raw(second))).status_code == 200
    saved_at = _saved_at(real_app, attempt_id)

    refused = _save(client, attempt_id, token, {**paper_fields(paper, first.id, wrong_raw(first)),
                                               **paper_fields(paper, second.id, perfect_raw(second))})
    assert refused.status_code == 409 and "feedback" in refused.get_json()["error"]
    assert _stored(real_app, attempt_id) == {first.id: perfect_raw(first), second.id: wrong_raw(second)}
    assert _saved_at(real_app, attempt_id) == saved_at


def test_a_paper_this_worker_kept_for_another_attempt_never_decodes_the_form(real_app):
    """The paper kept for an attempt id must be the attempt's own (its key): with another one in its place
    (what an id used again after a deletion would leave), the save reads the attempt's own and stores the
    answers as posted."""
    client = _learner(real_app, 1)
    attempt_id, token = _start(client)
    other_id, _ = _start(_learner(real_app, 2))
    paper, other = _paper(real_app, attempt_id), _paper(real_app, other_id)
    assert _save(client, attempt_id, token, _form(paper, wrong_raw)).status_code == 200
    quizzes._PAPERS[attempt_id] = (other.key, other)

    response = _save(client, attempt_id, token, _form(paper))
    assert response.status_code == 200
    assert _stored(real_app, attempt_id) == {pq.question.id: perfect_raw(pq.question) for pq in paper.questions}
