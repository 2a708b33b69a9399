"""Double clicks in a casus: one run in progress, the same result for the same answer, never a 500.

The parallel tests run on real connections (a SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
so the partial unique index and the databases' locking do the work they do in production.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import db_session
from course.catalog import Catalog
from course.db import CasusDecision, CasusRun, RunStatus, User
from course.services.accounts import create_user
from tests.app.casus.conftest import CASUS, CasusActions
from tests.conftest import AuthActions, real_database_app, same_browser

TABS = 10


@pytest.fixture
def race_app(valid_catalog: Catalog, tmp_path: Path) -> Iterator[Flask]:
    with real_database_app(valid_catalog, tmp_path) as app:
        yield app


def _learner(app: Flask) -> FlaskClient:
    with Session(app.extensions["leerlijn.db"].engine) as session:
        create_user(session, email="sanne@example.org", name="Sanne", password="een-lang-wachtwoord")
    client = app.test_client()
    assert AuthActions(client).login().status_code == 302
    return client


def _in_parallel(jobs: list[Callable[[], object]]) -> list:
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], object]) -> object:
        barrier.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _runs(app: Flask) -> list[CasusRun]:
    with Session(app.extensions["leerlijn.db"].engine) as session:
        return list(session.scalars(select(CasusRun).order_by(CasusRun.number)))


def _decisions(app: Flask, run_id: int) -> list[str]:
    with Session(app.extensions["leerlijn.db"].engine) as session:
        return list(session.scalars(select(CasusDecision.step_id).where(CasusDecision.run_id == run_id)
                                    .order_by(CasusDecision.position)))


def test_double_clicks_in_parallel_leave_one_run_and_one_decision(race_app: Flask) -> None:
    """Starten, a step and Opnieuw each clicked ten times at once: one run in progress, every answer once."""
    client = _learner(race_app)
    tabs = same_browser(client, TABS)

    started = _in_parallel([lambda tab=tab: tab.post(f"/casus/{CASUS}/starten") for tab in tabs])
    assert {r.status_code for r in started} == {302}
    assert len({r.headers["Location"] for r in started}) == 1  # every click lands on the same run
    assert [r.status for r in _runs(race_app)] == [RunStatus.IN_PROGRESS]
    run_id = _runs(race_app)[0].id

    token = CasusActions(client).token(run_id)
    url = f"/casus/run/{run_id}"
    same = _in_parallel([lambda tab=tab: tab.post(url, data={"run_token": token, "step": "melding"})
                         for tab in tabs])
    assert [r.status_code for r in same] == [302] * TABS  # the same result for the same answer
    assert {r.headers["Location"] for r in same} == {f"{url}#feedback"}
    assert _decisions(race_app, run_id) == ["melding"]

    mixed = _in_parallel([lambda tab=tab, n=n: tab.post(url, data={
        "run_token": token, "step": "signalen", "item": ["slaan"] if n % 2 else ["sport"]})
        for n, tab in enumerate(tabs)])
    assert {r.status_code for r in mixed} <= {302, 409}, [r.status_code for r in mixed]
    assert _decisions(race_app, run_id) == ["melding", "signalen"]

    again = _in_parallel([lambda tab=tab: tab.post(f"/casus/{CASUS}/opnieuw") for tab in tabs])
    assert {r.status_code for r in again} == {302}
    assert len({r.headers["Location"] for r in again}) == 1
    assert [r.status for r in _runs(race_app)] == [RunStatus.STOPPED, RunStatus.IN_PROGRESS]


def test_the_same_answer_posted_twice_shows_the_same_result(client, auth, casus, session) -> None:
    """A double click on a step's button shows its feedback again instead of "no longer your turn"."""
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    token = casus.token(run_id)
    first = casus.post(run_id, "signalen", {"item": ["slaan"]}, token=token)
    second = casus.post(run_id, "signalen", {"item": ["slaan"]}, token=token)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert "Dat is een signaal." in casus.page(run_id)
    assert session.scalar(select(func.count()).select_from(CasusDecision)) == 2
    assert casus.post(run_id, "signalen", {"item": ["sport"]}, token=token).status_code == 409  # a different one


def test_opnieuw_twice_makes_one_new_run_and_stops_the_old_one(client, auth, casus, session) -> None:
    """Opnieuw clicked twice: one new run; the one before says 'gestopt' and takes no more answers."""
    auth.register()
    first = casus.start()
    casus.answer(first, "melding")
    token = casus.token(first)
    second = casus.restart()
    assert casus.restart() == second
    session.expire_all()
    assert [r.status for r in session.scalars(select(CasusRun).order_by(CasusRun.number))] == [
        RunStatus.STOPPED, RunStatus.IN_PROGRESS]
    overview = client.get(f"/casus/{CASUS}/").get_data(as_text=True)
    assert "gestopt" in overview and "Verder met poging 2" in overview
    refused = casus.post(first, "signalen", {"item": ["slaan"]}, token=token)
    assert refused.status_code == 400 and "nieuwe poging" in refused.get_data(as_text=True)


def test_the_database_allows_one_run_in_progress(race_app: Flask) -> None:
    """Even a write that bypasses the service cannot open a second run of the same casus."""
    client = _learner(race_app)
    CasusActions(client).start()
    run = _runs(race_app)[0]
    with Session(race_app.extensions["leerlijn.db"].engine) as session, pytest.raises(IntegrityError):
        session.add(CasusRun(user_id=run.user_id, casus_id=CASUS, number=2, content_hash=run.content_hash,
                             state=run.state, drafts={}, status=RunStatus.IN_PROGRESS))
        session.commit()


def test_the_error_page_renders_after_a_failed_transaction(valid_catalog: Catalog, tmp_path: Path) -> None:
    """A database error mid-request still shows the styled error page, not a bare "Internal Server Error"."""
    with real_database_app(valid_catalog, tmp_path, PROPAGATE_EXCEPTIONS=False) as app:
        def broken() -> str:
            db_session.add(User(email="sanne@example.org", name="Dubbel", password_hash="x"))
            db_session.flush()  # the address is taken: the transaction fails
            return "unreachable"
        app.add_url_rule("/kapot", view_func=broken)
        client = _learner(app)
        response = client.get("/kapot")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Er ging iets mis" in html and "Je gegevens zijn niet verloren" in html
    assert re.search(r"<nav|<header", html)  # the site's own layout, logged-in header and all
