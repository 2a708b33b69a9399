"""The autosave the login's statement carries (app/quiz/views.py: _carry_autosave; course.db.drafts.
CARRIED_SAVE_COUNTS): it is made from the page's attempt token before anyone's login is known, so on both
databases, and whoever is logged in, a learner sees what the save in a transaction gave: the answers kept for
the page's owner and only theirs, nothing kept from a token a password change made void, the same messages.
On PostgreSQL each save here is the worker's second to its attempt (it knows the paper): the carried one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import literal_column, text, update
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db import User
from course.services import quizzes
from course.services.accounts import change_password
from tests.app.quiz.conftest import paper_fields, perfect_raw, wrong_raw
from tests.app.quiz.test_attempt_races import _learner, _paper, _start
from tests.app.quiz.test_save_in_one_statement import _form, _save, _saved_at, _stored
from tests.conftest import AuthActions, real_database_app


@pytest.fixture
def real_app(quiz_catalog: Catalog, tmp_path: Path) -> Iterator[Flask]:
    with real_database_app(quiz_catalog, tmp_path) as app:
        yield app


def _first_saved(app: Flask, learner: int):
    """A learner's client, attempt, token and paper, after a first save (the worker then knows the paper)."""
    client = _learner(app, learner)
    attempt_id, token = _start(client)
    paper = _paper(app, attempt_id)
    assert _save(client, attempt_id, token, _form(paper, wrong_raw)).status_code == 200
    return client, attempt_id, token, paper


def _user_id(app: Flask, learner: int) -> int:
    with Session(app.extensions["leerlijn.db"].engine) as session:
        return session.execute(text("SELECT id FROM users WHERE email = :e"),
                               {"e": f"leerling{learner}@example.org"}).scalar_one()


def test_a_page_of_another_account_saves_for_its_owner_and_the_one_logged_in_stays(real_app):
    client, attempt_id, token, paper = _first_saved(real_app, 1)
    client.post("/uitloggen")
    _learner(real_app, 2)
    assert AuthActions(client).login(email="leerling2@example.org").status_code == 302

    answered = _save(client, attempt_id, token, _form(paper))
    assert answered.status_code == 409 and "ander account" in answered.get_json()["error"]
    assert _stored(real_app, attempt_id) == {pq.question.id: perfect_raw(pq.question) for pq in paper.questions}
    assert client.get(f"/quiz/poging/{attempt_id}").status_code == 404  # still the other account, and not theirs


def test_a_save_after_the_login_ended_is_kept_and_the_learner_told(real_app):
    client, attempt_id, token, paper = _first_saved(real_app, 1)
    with client.session_transaction() as flask_session:
        flask_session.clear()

    answered = _save(client, attempt_id, token, _form(paper))
    assert answered.status_code == 401 and "uitgelogd" in answered.get_json()["error"]
    assert _stored(real_app, attempt_id) == {pq.question.id: perfect_raw(pq.question) for pq in paper.questions}


def test_a_token_from_before_a_password_change_elsewhere_keeps_nothing(real_app):
    client, attempt_id, token, paper = _first_saved(real_app, 1)
    saved_at = _saved_at(real_app, attempt_id)
    with Session(real_app.extensions["leerlijn.db"].engine) as session:
        change_password(session, _user_id(real_app, 1), current="een-lang-wachtwoord",
                        new="een-ander-lang-wachtwoord")  # every login ends, this browser's too

    answered = _save(client, attempt_id, token, _form(paper))
    assert answered.status_code == 401 and "wachtwoord is gewijzigd" in answered.get_json()["error"]
    assert _stored(real_app, attempt_id) == {pq.question.id: wrong_raw(pq.question) for pq in paper.questions}
    assert _saved_at(real_app, attempt_id) == saved_at


def test_a_page_from_before_a_password_change_in_this_browser_still_saves(real_app):
    """The login that changed the password stays, and so does its open page (the save in a transaction
    asks the logged-in learner, not the token's session version)."""
    client, attempt_id, token, paper = _first_saved(real_app, 1)
    with Session(real_app.extensions["leerlijn.db"].engine) as session:
        session.execute(update(User).where(User.id == _user_id(real_app, 1))
                        .values(session_version=User.session_version + 1))
        session.commit()

    assert _save(client, attempt_id, token, _form(paper)).status_code == 200
    assert _stored(real_app, attempt_id) == {pq.question.id: perfect_raw(pq.question) for pq in paper.questions}


def test_a_token_of_one_attempt_posted_to_another_saves_nothing(real_app):
    client, attempt_id, token, paper = _first_saved(real_app, 1)
    _, other_id, _, other_paper = _first_saved(real_app, 2)

    forged = client.post(f"/quiz/poging/{other_id}", data={"attempt_token": token, "action": "save",
                                                          **_form(other_paper)}, headers={"Accept": "application/json"})
    assert forged.status_code == 404
    assert _stored(real_app, other_id) == {pq.question.id: wrong_raw(pq.question) for pq in other_paper.questions}
    assert _stored(real_app, attempt_id) == {pq.question.id: wrong_raw(pq.question) for pq in paper.questions}


def test_a_save_with_a_nul_byte_is_refused_and_nothing_is_kept(real_app):
    """The hooks before the login still come first: the NUL check refuses the post before any save."""
    client, attempt_id, token, paper = _first_saved(real_app, 1)
    text_question = next(pq.question for pq in paper.questions if pq.question.type == "short_text")
    form = {**_form(paper), **paper_fields(paper, text_question.id, {"": ["zor\x00g"]})}

    answered = _save(client, attempt_id, token, form)
    assert answered.status_code == 400 and "nul-byte" in answered.get_data(as_text=True)
    assert _stored(real_app, attempt_id) == {pq.question.id: wrong_raw(pq.question) for pq in paper.questions}


def test_an_options_request_with_a_form_writes_nothing(real_app):
    client, attempt_id, token, paper = _first_saved(real_app, 1)
    saved_at = _saved_at(real_app, attempt_id)

    asked = client.options(f"/quiz/poging/{attempt_id}", data={"attempt_token": token, "action": "save",
                                                               **_form(paper)})
    assert asked.status_code == 200
    assert _stored(real_app, attempt_id) == {pq.question.id: wrong_raw(pq.question) for pq in paper.questions}
    assert _saved_at(real_app, attempt_id) == saved_at


def test_when_the_carried_statement_fails_the_view_saves_by_itself(real_app, monkeypatch):
    """A failure in the login's statement with the save (here: a division by zero beside it) costs no error
    page: the login is read again alone and the view saves as it would have."""
    client, attempt_id, token, paper = _first_saved(real_app, 1)
    carry = quizzes.carry_save

    def failing(*args, **kwargs):
        carried = carry(*args, **kwargs)
        if carried is None:
            return None
        columns, parameters = carried.carrying
        return replace(carried, carrying=((*columns, literal_column("1/0")), parameters))
    monkeypatch.setattr(quizzes, "carry_save", failing)

    assert _save(client, attempt_id, token, _form(paper)).status_code == 200
    assert _stored(real_app, attempt_id) == {pq.question.id: perfect_raw(pq.question) for pq in paper.questions}
