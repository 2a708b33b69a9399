"""The participant's phone, kept cheap for a whole group at once: a page of its own without the site's
navigation, one query per request, and with JavaScript (live.js) an answer confirmed by the reply to its
post instead of a redirect and a second page."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db import LiveAnswer, LiveSession, Role
from course.services.accounts import create_user
from tests.app.trainer.conftest import text
from tests.app.trainer.test_live import act, current_key, join, live_row, new_session
from tests.conftest import AuthActions, real_database_app

FETCH = {"X-Requested-With": "fetch"}  # what live.js sends


def started(app: Flask, trainer: FlaskClient, session: Session) -> tuple[int, str, FlaskClient]:
    live_id = new_session(trainer)
    code = live_row(session, live_id).code
    phone = join(app, code)
    act(trainer, session, live_id, "start")
    return live_id, code, phone


def test_the_phone_page_has_no_site_navigation_but_keeps_the_way_to_help(app: Flask, trainer: FlaskClient,
                                                                        session: Session) -> None:
    _live_id, code, phone = started(app, trainer, session)
    page = phone.get(f"/live/{code}").get_data(as_text=True)
    assert "Hoofdmenu" not in page and "Account maken" not in page  # the site's menus
    assert "Veilig Thuis is dag en nacht gratis bereikbaar" in page
    assert 'name="locale" value="en"' in page  # the language switch stays
    assert "Versturen" in page and 'id="live-region"' in page


def test_an_answer_posted_by_live_js_is_confirmed_in_the_reply(app: Flask, trainer: FlaskClient,
                                                                session: Session) -> None:
    _live_id, code, phone = started(app, trainer, session)
    key = current_key(phone, code)
    first = phone.post(f"/live/{code}/antwoord", data={"item": key, "answer": "b"}, headers=FETCH)
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="live-region"')  # only the part live.js swaps in
    assert "Je antwoord is binnen." in text(first) and "Je koos:" in text(first)

    second = phone.post(f"/live/{code}/antwoord", data={"item": key, "answer": "a"}, headers=FETCH)
    assert second.status_code == 409
    assert "je eerste antwoord telt" in text(second) and "Je antwoord is binnen." in text(second)
    assert session.scalars(select(LiveAnswer.value)).all() == ["b"]
    # Without script the same post still answers with a redirect to the whole page.
    assert phone.post(f"/live/{code}/antwoord", data={"item": key, "answer": "a"}).status_code == 302


def test_live_js_gets_the_reason_for_an_answer_it_cannot_store(app: Flask, trainer: FlaskClient,
                                                               session: Session) -> None:
    live_id, code, phone = started(app, trainer, session)
    key = current_key(phone, code)
    empty = phone.post(f"/live/{code}/antwoord", data={"item": key}, headers=FETCH)
    assert empty.status_code == 422 and "Kies een antwoord." in text(empty) and "Versturen" in text(empty)
    act(trainer, session, live_id, "lock")
    locked = phone.post(f"/live/{code}/antwoord", data={"item": key, "answer": "a"}, headers=FETCH)
    assert locked.status_code == 409 and "Antwoorden is gesloten voor deze vraag." in text(locked)
    assert session.scalar(select(func.count(LiveAnswer.id))) == 0


def test_live_js_refreshes_only_the_live_region(app: Flask, trainer: FlaskClient, session: Session) -> None:
    _live_id, code, phone = started(app, trainer, session)
    response = phone.get(f"/live/{code}", headers=FETCH)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="live-region"') and "<html" not in html and "Versturen" in html
    assert "X-Requested-With" in response.headers["Vary"]


def test_a_phone_request_is_one_query(app: Flask, trainer: FlaskClient, session: Session, count_queries) -> None:
    _live_id, code, phone = started(app, trainer, session)
    key = current_key(phone, code)  # this worker has now read the session's items once
    with count_queries() as page:
        assert "Versturen" in text(phone.get(f"/live/{code}"))
    with count_queries() as answer:
        assert phone.post(f"/live/{code}/antwoord", data={"item": key, "answer": "a"}, headers=FETCH).status_code == 200
    with count_queries() as double_tap:
        assert phone.post(f"/live/{code}/antwoord", data={"item": key, "answer": "a"}, headers=FETCH).status_code == 409
    with count_queries() as poll:
        assert phone.get(f"/live/{code}/stand").status_code == 200
    # The session, this phone's participant and its answers in one query; the answer adds only its insert.
    assert (page.count, answer.count, double_tap.count, poll.count) == (1, 2, 1, 1), (
        page.statements, answer.statements, double_tap.statements, poll.statements)


def test_the_phone_sees_a_new_question_after_the_trainer_moves_on(app: Flask, trainer: FlaskClient,
                                                                   session: Session) -> None:
    live_id, code, phone = started(app, trainer, session)
    first = current_key(phone, code)
    act(trainer, session, live_id, "next")
    assert current_key(phone, code) != first
    assert live_row(session, live_id).state["index"] == 1


@pytest.fixture
def real_app(tmp_path: Path, trainer_catalog: Catalog):
    with real_database_app(trainer_catalog, tmp_path) as app:
        yield app


def test_a_phone_page_does_not_wait_for_another_workers_write(real_app: Flask) -> None:
    database = real_app.extensions["leerlijn.db"]
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL's readers never wait for writers")
    with Session(database.engine) as session:
        create_user(session, email="trainer@example.org", name="Tara", password="een-lang-wachtwoord",
                    role=Role.TRAINER)
    trainer = real_app.test_client()
    AuthActions(trainer).login(email="trainer@example.org")
    response = trainer.post("/trainer/live/nieuw", data={"title": "Slot", "source": "quiz:eerste-toets",
                                                         "min_results": "1"})
    live_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with Session(database.engine) as session:
        code = session.get(LiveSession, live_id).code
    phone = real_app.test_client()
    assert phone.post(f"/live/{code}/meedoen").status_code == 302

    # Another worker in the middle of a write (an answer being stored) holds SQLite's write lock.
    writer = sqlite3.connect(database.engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        database.engine.dispose()  # fresh connections, so the busy timeout is what a worker has
        page = phone.get(f"/live/{code}")
        poll = phone.get(f"/live/{code}/stand")
    finally:
        writer.rollback()
        writer.close()
    assert page.status_code == 200 and "Wacht tot de trainer begint" in text(page)
    assert poll.status_code == 200
