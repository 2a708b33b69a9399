"""Connections to a database server that were dropped cost no request when they sat idle, and are thrown away
when they fail in use (app/db.py, course/db/prepared.py). PostgreSQL only: SQLite has no server to lose."""

from __future__ import annotations

import os

import pytest
from flask import has_request_context
from sqlalchemy import create_engine, event, exc, func, literal, select, text
from sqlalchemy.orm import Session

import app.db
from app.db import Database
from course.db import LoginSession, PageProgress, User
from course.db.base import utcnow
from course.db.prepared import PreparedStatement
from course.services import accounts
from tests.conftest import AuthActions, real_database_app


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
    prepared = PreparedStatement(select(literal(7)))
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


def test_learner_pages_run_each_statement_on_its_own_and_every_other_request_in_a_transaction(valid_catalog,
                                                                                              tmp_path):
    """On PostgreSQL the learner pages marked ``statement_transactions`` send no BEGIN and ROLLBACK (half of
    their round trips); what they write (the visit) is stored at once. Any other page (GET) reads its login
    on its own too, and runs the rest in a transaction; a POST runs everything in one. The connections go
    back as they came: the next request that is not such a page gets a transaction again."""
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("round trips to a database server: PostgreSQL")
    with real_database_app(valid_catalog, tmp_path) as flask_app:
        engine = flask_app.extensions["leerlijn.db"].engine
        client = flask_app.test_client()
        AuthActions(client).register()
        seen: list[tuple[str, bool]] = []

        @event.listens_for(engine, "before_cursor_execute")
        def note(connection, _cursor, statement, *_args):
            if has_request_context():
                seen.append((statement.split()[0], connection.connection.dbapi_connection.autocommit))

        for path in ("/", "/modules/eerste/", "/modules/eerste/vervolg", "/voortgang", "/interventies"):
            seen.clear()
            assert client.get(path).status_code == 200
            assert seen and all(autocommit for _statement, autocommit in seen), path
        with Session(engine) as other:  # another connection sees the visit: it was committed on its own
            assert other.scalar(select(func.count()).select_from(PageProgress)) == 1

        seen.clear()
        assert client.get("/account").status_code == 200
        (login, login_on_its_own), *rest = seen
        assert login == "SELECT" and login_on_its_own
        assert rest and not any(autocommit for _statement, autocommit in rest)

        seen.clear()
        assert client.post("/modules/eerste/vervolg/gelezen").status_code == 302
        assert seen and not any(autocommit for _statement, autocommit in seen)


def test_lookups_by_key_are_priced_for_tables_in_memory_unless_the_server_was_tuned(server_database, database_url):
    """PostgreSQL's default random_page_cost (made for spinning disks) becomes 1.1 on the app's connections; a
    value the server's administrator chose stays."""
    with create_engine(database_url).connect() as plain:
        server_value = plain.execute(text("SHOW random_page_cost")).scalar_one()
    with Session(server_database.engine) as session:
        assert session.execute(text("SHOW random_page_cost")).scalar_one() == ("1.1" if server_value == "4"
                                                                                else server_value)
    tuned = Database(f"{database_url}{'&' if '?' in database_url else '?'}options=-crandom_page_cost%3D2")
    try:
        with Session(tuned.engine) as session:
            assert session.execute(text("SHOW random_page_cost")).scalar_one() == "2"
    finally:
        tuned.engine.dispose()


def test_the_login_of_a_site_with_a_hundred_learners_reads_its_user_by_key(server_database, valid_catalog,
                                                                          tmp_path):
    """The statement of every logged-in request finds the login and its user through their indexes, not by
    reading and hashing the whole users table (what the default price chose at this size)."""
    with real_database_app(valid_catalog, tmp_path) as flask_app, \
            Session(flask_app.extensions["leerlijn.db"].engine) as session:
        users = [User(email=f"leerling{n}@example.org", name=f"Leerling {n}", password_hash="!")
                 for n in range(100)]
        session.add_all(users)
        session.flush()
        session.add(LoginSession(user_id=users[0].id, secret_hash="0" * 64, remember=False, created_at=utcnow(),
                                 last_seen_at=utcnow(), expires_at=utcnow(), user_agent=""))
        session.flush()
        session.execute(text("ANALYZE users, login_sessions"))  # rolled back with the rest
        login = accounts._RESUME_LOGIN_PREPARED.statement.compile(dialect=session.get_bind().dialect)
        plan = "\n".join(row[0] for row in session.connection().exec_driver_sql(
            f"EXPLAIN {login}", {**login.params, "secret_hash": "0" * 64}))
        session.rollback()
    assert "Seq Scan on users" not in plan and "Index Scan using pk_users on users" in plan, plan
