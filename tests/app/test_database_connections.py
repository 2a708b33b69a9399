"""Connections to a database server that were dropped cost no request when they sat idle, and are thrown away
when they fail in use (app/db.py, course/db/prepared.py). PostgreSQL only: SQLite has no server to lose."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, exc, literal, select, text
from sqlalchemy.orm import Session

import app.db
from app.db import Database
from course.db.prepared import PreparedSelect


@pytest.fixture
def server_database(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a database server's connections: PostgreSQL")
    database = Database(database_url)
    yield database
    database.engine.dispose()


def _backend_pid(session: Session) -> int:
    return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _drop(database_url: str, pid: int) -> None:
    """What a server restart or a firewall does to a connection: the server ends it."""
    with create_engine(database_url).connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_connection_that_was_idle_and_dropped_is_replaced_before_use(server_database, database_url, monkeypatch):
    with Session(server_database.engine) as session:
        dropped = _backend_pid(session)
    _drop(database_url, dropped)
    monkeypatch.setattr(app.db, "PING_AFTER_IDLE_S", 0.0)  # as if it sat idle for a while

    with Session(server_database.engine) as session:
        assert _backend_pid(session) != dropped  # pinged, found dead, replaced: the request never saw it


def test_a_connection_in_steady_use_is_not_pinged(server_database, monkeypatch):
    pings = []
    dialect = server_database.engine.dialect
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(connection) or True)
    for _ in range(3):
        with Session(server_database.engine) as session:
            session.execute(select(literal(1)))
    assert pings == []
    monkeypatch.setattr(app.db, "PING_AFTER_IDLE_S", 0.0)
    with Session(server_database.engine) as session:
        session.execute(select(literal(1)))
    assert len(pings) == 1


def test_a_prepared_statement_on_a_dropped_connection_throws_it_away(server_database, database_url):
    prepared = PreparedSelect(select(literal(7)))
    with Session(server_database.engine) as session:
        dropped = _backend_pid(session)
        session.commit()
        _drop(database_url, dropped)
        with pytest.raises(exc.DBAPIError) as failure:
            prepared.rows(session)
        assert failure.value.connection_invalidated
    with Session(server_database.engine) as session:  # the next request gets a live connection
        assert prepared.rows(session) == [(7,)]
        assert _backend_pid(session) != dropped
