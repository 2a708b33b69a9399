"""SQLite: the app's writers queue for each other in the kernel, not in SQLite's sleeping busy handler.

With SQLite's busy timeout set to nothing, a second writer that asked SQLite while the first held the lock
would fail at once ("database is locked"). Queued first (app/db.py, ``QueuedWriterConnection``), it only
asks once the first has committed or rolled back, so it succeeds; and every way a write transaction ends
lets the next one go.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, exc, text

from tests.conftest import real_database_app


@pytest.fixture
def engine(valid_catalog, tmp_path: Path):
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("SQLite's write lock")
    with real_database_app(valid_catalog, tmp_path) as app:
        engine = app.extensions["leerlijn.db"].engine
        engine.dispose()  # connections made from here on never wait in SQLite's busy handler

        @event.listens_for(engine, "connect")
        def no_busy_wait(dbapi_connection, _record) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout=0")

        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE saved (n INTEGER)"))
        yield engine


def _write_in_thread(engine: Engine, n: int) -> tuple[threading.Thread, list[BaseException]]:
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO saved VALUES (:n)"), {"n": n})
        except BaseException as error:  # reported to the test's own thread
            failures.append(error)
    thread = threading.Thread(target=write)
    thread.start()
    return thread, failures


def _saved(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return sorted(connection.execute(text("SELECT n FROM saved")).scalars())


def test_a_second_writer_waits_for_the_first_to_commit_and_then_writes(engine):
    with engine.begin() as first:
        first.execute(text("INSERT INTO saved VALUES (1)"))
        second, failures = _write_in_thread(engine, 2)
        second.join(0.3)
        assert second.is_alive()  # queued behind the first, not turned away by SQLite
    second.join(10)
    assert not second.is_alive() and failures == []
    assert _saved(engine) == [1, 2]


def test_a_rolled_back_writer_lets_the_next_one_go(engine):
    with pytest.raises(RuntimeError), engine.begin() as first:
        first.execute(text("INSERT INTO saved VALUES (1)"))
        raise RuntimeError("the view failed")
    second, failures = _write_in_thread(engine, 2)
    second.join(10)
    assert not second.is_alive() and failures == []
    assert _saved(engine) == [2]


def test_a_writer_turned_away_by_another_program_lets_the_next_one_go(engine, tmp_path: Path):
    """Another program (the sqlite3 shell, a migration) does not queue: SQLite's own lock still decides."""
    other_program = sqlite3.connect(tmp_path / "race.sqlite3", isolation_level=None, timeout=0)
    other_program.execute("BEGIN IMMEDIATE")
    with pytest.raises((exc.OperationalError, sqlite3.OperationalError), match="locked"), engine.begin():
        pass
    other_program.execute("ROLLBACK")
    other_program.close()
    second, failures = _write_in_thread(engine, 2)
    second.join(10)
    assert not second.is_alive() and failures == []
    assert _saved(engine) == [2]


def test_a_closed_connection_lets_the_next_writer_go(engine):
    connection = engine.raw_connection()
    connection.driver_connection.wait_for_writers()
    connection.invalidate()  # closed as a failed connection is: nothing commits or rolls back
    second, failures = _write_in_thread(engine, 2)
    second.join(10)
    assert not second.is_alive() and failures == []
