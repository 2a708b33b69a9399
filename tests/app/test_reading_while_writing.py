"""On SQLite, learners' pages are shown while another worker holds the write lock, and a page that does
write (a first visit) still records it. Runs on a real database file with real connections."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.db import PageProgress
from tests.conftest import AuthActions, another_worker_writing, real_database_app

pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                reason="SQLite's database-wide write lock; PostgreSQL locks rows")


def test_a_page_is_read_while_another_worker_writes(valid_catalog, tmp_path: Path) -> None:
    """A reload of a module page, the overview and the dashboard answer at once while the database is
    locked for writing elsewhere, instead of waiting for the lock (one worker at a time)."""
    with real_database_app(valid_catalog, tmp_path) as app:
        client = app.test_client()
        AuthActions(client).register()
        assert client.get("/modules/eerste/begin").status_code == 200  # the first visit is written
        other_worker = sqlite3.connect(tmp_path / "race.sqlite3", isolation_level=None, timeout=0)
        other_worker.execute("BEGIN IMMEDIATE")
        try:
            for path in ["/modules/eerste/begin", "/", "/voortgang", "/modules/eerste/", "/interventies"]:
                start = time.perf_counter()
                assert client.get(path).status_code == 200, path
                assert time.perf_counter() - start < 1, path
        finally:
            other_worker.execute("ROLLBACK")
            other_worker.close()


def test_a_page_that_writes_after_reading_waits_for_the_lock_and_records_the_visit(valid_catalog,
                                                                                     tmp_path: Path) -> None:
    """A first visit read its rows, then writes: it waits for the other worker's write and then records it."""
    with real_database_app(valid_catalog, tmp_path) as app:
        client = app.test_client()
        AuthActions(client).register()
        with another_worker_writing(tmp_path / "race.sqlite3"):
            assert client.get("/modules/eerste/vervolg").status_code == 200
        with Session(app.extensions["leerlijn.db"].engine) as session:
            assert session.scalar(select(func.count()).select_from(PageProgress)) == 1
