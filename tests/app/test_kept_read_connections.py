"""A page's login statement runs on a connection the worker keeps, outside any transaction (app/db.py's
KeptConnections): it must show each learner their own rows, see every change the moment it is
committed, survive a connection the server dropped, and never hand a forked worker its parent's connection.
On a real database of its own (both databases): the tests' rolled-back transaction would hide what matters."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, delete, exc, text
from sqlalchemy.orm import Session

from app.db import KeptConnections
from course.db import LoginSession
from tests.conftest import real_database_app, registered_learner


@pytest.fixture
def real_app(valid_catalog, tmp_path):
    with real_database_app(valid_catalog, tmp_path) as flask_app:
        yield flask_app


def _kept(flask_app) -> KeptConnections:
    return flask_app.extensions["leerlijn.db"].kept_connections


def test_two_learners_each_see_their_own_progress_through_the_kept_connection(real_app):
    sanne = registered_learner(real_app, "Sanne", "sanne@example.org")
    ahmed = registered_learner(real_app, "Ahmed", "ahmed@example.org")
    sanne.post("/modules/eerste/begin/gelezen")
    sanne.post("/modules/eerste/vervolg/gelezen")
    ahmed.post("/modules/eerste/begin/gelezen")

    for _ in range(2):  # in turn on the same kept connection
        assert "2 / 2" in sanne.get("/voortgang").get_data(as_text=True)
        ahmeds = ahmed.get("/voortgang").get_data(as_text=True)
        assert "1 / 2" in ahmeds and "2 / 2" not in ahmeds
    assert _kept(real_app)._idle[os.getpid()], "the pages' reads ran on a kept connection"


def test_a_change_committed_elsewhere_shows_on_the_next_page_at_once(real_app):
    """The kept connection holds no snapshot between requests: a read of its own sees every commit."""
    client = registered_learner(real_app, "Sanne", "sanne@example.org")
    assert client.get("/voortgang").status_code == 200
    other = registered_learner(real_app, "Ahmed", "ahmed@example.org")
    other.post("/modules/eerste/begin/gelezen")  # a commit on another connection in between
    assert client.get("/voortgang").status_code == 200

    with Session(real_app.extensions["leerlijn.db"].engine) as session:  # logged out on another device
        session.execute(delete(LoginSession))
        session.commit()
    response = client.get("/voortgang")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def _drop_kept_connection(flask_app) -> None:
    """What a server restart or a firewall does to the kept connection: it is gone under the worker."""
    kept = _kept(flask_app)._idle[os.getpid()][-1]
    if kept.dialect.name == "sqlite":
        kept.connection.driver_connection.close()
        return
    pid = kept.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    kept.rollback()
    with create_engine(os.environ["TEST_DATABASE_URL"]).connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_dropped_kept_connection_costs_the_learner_nothing(real_app):
    client = registered_learner(real_app, "Sanne", "sanne@example.org")
    client.post("/modules/eerste/begin/gelezen")
    assert "1 / 2" in client.get("/voortgang").get_data(as_text=True)
    dropped = _kept(real_app)._idle[os.getpid()][-1]
    _drop_kept_connection(real_app)

    response = client.get("/voortgang")  # the read fails on the dead connection and runs again on a new one

    assert response.status_code == 200 and "1 / 2" in response.get_data(as_text=True)
    assert dropped not in _kept(real_app)._idle[os.getpid()]


def test_a_failing_read_is_not_repeated_and_its_connection_not_kept(real_app):
    kept = _kept(real_app)
    calls = []

    def broken(connection):
        calls.append(connection)
        return connection.exec_driver_sql("SELECT no_such_column FROM no_such_table").all()

    with pytest.raises(exc.DBAPIError) as failure:
        kept.run(broken)
    assert not failure.value.connection_invalidated
    assert len(calls) == 1 and calls[0].closed
    assert kept._idle[os.getpid()] == []


def test_a_forked_worker_never_uses_its_parents_connection(real_app, monkeypatch):
    kept = _kept(real_app)
    parents = kept.run(lambda connection: connection)
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a worker forked after the parent's reads

    childs = kept.run(lambda connection: connection)

    assert childs is not parents
    assert kept._idle[-1] == [childs]


def test_a_read_that_began_a_transaction_leaves_none_open_on_the_kept_connection(real_app):
    kept = _kept(real_app)
    kept.run(lambda connection: connection.exec_driver_sql("SELECT 1").all())
    connection = kept._idle[os.getpid()][-1]
    assert not connection.in_transaction()
