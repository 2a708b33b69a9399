"""`flask --app app db backup` and many writers at once, on a real database (not the rolled-back test one)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from course.catalog import Catalog
from course.db import PageProgress
from course.services.accounts import create_user
from tests.conftest import AuthActions, real_database_app

ON_POSTGRESQL = bool(os.environ.get("TEST_DATABASE_URL"))
WRITERS = 12


@pytest.fixture
def real_app(valid_catalog: Catalog, tmp_path: Path) -> Iterator[Flask]:
    with real_database_app(valid_catalog, tmp_path) as app:
        yield app


def _learner(app: Flask, email: str) -> None:
    with Session(app.extensions["leerlijn.db"].engine) as session:
        create_user(session, email=email, name=email.split("@")[0], password="een-lang-wachtwoord")


@pytest.mark.skipif(ON_POSTGRESQL, reason="PostgreSQL is backed up with pg_dump (see the next test)")
def test_backup_while_running_and_restore_from_it(real_app: Flask, valid_catalog: Catalog, tmp_path: Path) -> None:
    """The copy holds everything up to the backup; an app started on it lets that learner log in."""
    _learner(real_app, "voor@example.org")
    copy = tmp_path / "backups" / "copy.sqlite3"
    result = real_app.test_cli_runner().invoke(args=["db", "backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert f"Backup written to {copy}" in result.output
    _learner(real_app, "na@example.org")  # after the backup: not in the copy

    restored = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-with-enough-length-000000",
                           "DATABASE_URL": f"sqlite:///{copy}", "AUTO_MIGRATE": True, "WTF_CSRF_ENABLED": False,
                           "CONTENT_DIR": valid_catalog.root, "CATALOG": valid_catalog, "RATELIMIT_ENABLED": False,
                           "MAIL_OUTBOX": tmp_path / "outbox", "MAIL_SERVER": None})
    try:
        client = restored.test_client()
        assert AuthActions(client).login(email="voor@example.org").status_code == 302
        assert client.get("/voortgang").status_code == 200
        assert AuthActions(restored.test_client()).login(email="na@example.org").status_code == 200  # refused
    finally:
        restored.extensions["leerlijn.db"].dispose()


def test_default_backup_goes_to_the_instance_folder(real_app: Flask) -> None:
    result = real_app.test_cli_runner().invoke(args=["db", "backup"])
    if ON_POSTGRESQL:
        assert result.exit_code == 2 and "pg_dump" in result.output and "pg_restore" in result.output
    else:
        assert result.exit_code == 0, result.output
        written = Path(result.output.split("Backup written to ")[1].strip().rstrip("."))
        assert written.parent == Path(real_app.instance_path) / "backups" and written.stat().st_size > 0
        written.unlink()


def test_many_writers_at_once_never_meet_a_locked_database(real_app: Flask, valid_catalog: Catalog) -> None:
    """Twelve learners marking pages read at the same moment: every request answers, none is 'locked'."""
    pages = [(p.module_id, p.id) for p in valid_catalog.pages]
    clients = []
    for n in range(WRITERS):
        _learner(real_app, f"schrijver{n}@example.org")
        client = real_app.test_client()
        assert AuthActions(client).login(email=f"schrijver{n}@example.org").status_code == 302
        clients.append(client)
    barrier = threading.Barrier(WRITERS)

    def write(client) -> list[str]:
        barrier.wait()
        problems = []
        for module, page in pages * 3:
            try:
                response = client.post(f"/modules/{module}/{page}/gelezen")
                if response.status_code >= 500:
                    problems.append(str(response.status_code))
            except Exception as exc:  # every error is what this test counts
                problems.append(repr(exc))
        return problems

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        problems = [p for result in pool.map(write, clients) for p in result]
    assert not [p for p in problems if "locked" in p], problems
    assert not problems
    with Session(real_app.extensions["leerlijn.db"].engine) as session:
        assert session.scalar(select(func.count()).select_from(PageProgress)) == WRITERS * len(pages)
