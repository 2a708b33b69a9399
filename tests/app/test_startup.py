"""Starting the app: a fresh database is created and migrated (also by servers starting at once); broken content
stops the start; servers starting at once share one whole cache of the course."""

from __future__ import annotations

import multiprocessing
import os
import secrets
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from app import create_app
from course.catalog import load_catalog
from course.catalog_cache import load_catalog_cached
from course.errors import ContentErrors
from tests.conftest import VALID_CONTENT, AuthActions


def test_a_fresh_sqlite_database_is_created_and_migrated(tmp_path):
    db_file = tmp_path / "instance" / "leerlijn.sqlite3"
    app = create_app({"DATABASE_URL": f"sqlite:///{db_file}", "CONTENT_DIR": VALID_CONTENT, "AUTO_MIGRATE": True,
                      "SECRET_KEY": "s" * 40, "WTF_CSRF_ENABLED": False,
                      "MAIL_OUTBOX": tmp_path / "outbox", "CATALOG_CACHE_DIR": tmp_path / "cache"})
    assert db_file.exists()
    tables = set(inspect(create_engine(f"sqlite:///{db_file}")).get_table_names())
    assert {"users", "organisations", "memberships", "page_progress", "alembic_version"} <= tables
    client = app.test_client()
    AuthActions(client).register(name="Sanne", email="s@example.org")
    assert client.get("/voortgang").status_code == 200
    journal = create_engine(f"sqlite:///{db_file}").connect().exec_driver_sql("PRAGMA journal_mode").scalar()
    assert journal == "wal"
    with app.extensions["leerlijn.db"].engine.connect() as connection:  # the app's own connections
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL: see app/db.py


def test_the_app_refuses_to_start_on_invalid_content_with_every_problem(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(VALID_CONTENT, root)
    (root / "modules/02-tweede/01-enige.md").write_text("---\ntitle: x\n---\n[kapot](weg.md)\n")
    with pytest.raises(ContentErrors) as info:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "CONTENT_DIR": root, "SECRET_KEY": "s" * 40,
                    "CATALOG_CACHE_DIR": tmp_path / "cache"})
    assert [str(e) for e in info.value.errors] == [
        "modules/02-tweede/01-enige.md:2: missing required key 'minutes'",
        "modules/02-tweede/01-enige.md:4: broken link 'weg.md': no such page",
    ]


def test_a_restart_after_breaking_cached_content_refuses_to_start_with_file_and_line(tmp_path):
    """The course that started fine yesterday (and was kept) does not hide today's broken edit."""
    root = tmp_path / "content"
    shutil.copytree(VALID_CONTENT, root)
    config = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "CONTENT_DIR": root, "SECRET_KEY": "s" * 40,
              "AUTO_MIGRATE": True, "CATALOG_CACHE_DIR": tmp_path / "cache", "MAIL_OUTBOX": tmp_path / "outbox"}
    create_app(config).extensions["leerlijn.db"].dispose()
    assert list((tmp_path / "cache").iterdir())
    (root / "modules/02-tweede/01-enige.md").write_text("---\ntitle: x\n---\n[kapot](weg.md)\n")
    with pytest.raises(ContentErrors) as info:
        create_app(config)
    assert [str(e) for e in info.value.errors] == [
        "modules/02-tweede/01-enige.md:2: missing required key 'minutes'",
        "modules/02-tweede/01-enige.md:4: broken link 'weg.md': no such page",
    ]


def _start_with_cache(root: Path, cache: Path, barrier, results) -> None:
    """One server's start: wait for the others, then load the course through the shared cache folder."""
    barrier.wait()
    catalog = load_catalog_cached(root, None, cache)
    results.put([(p.id, p.segments) for p in catalog.pages])


def test_servers_starting_at_once_on_an_empty_cache_all_get_the_course_and_leave_one_whole_file(tmp_path):
    cache = tmp_path / "cache"
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(4), context.Queue()
    servers = [context.Process(target=_start_with_cache, args=(VALID_CONTENT, cache, barrier, results))
               for _ in range(4)]
    for server in servers:
        server.start()
    started = [results.get(timeout=120) for _ in servers]
    for server in servers:
        server.join(timeout=60)
    expected = [(p.id, p.segments) for p in load_catalog(VALID_CONTENT).pages]
    assert started == [expected] * 4
    (kept,) = cache.iterdir()  # one file, no half-written leftovers
    assert not kept.name.startswith(".")
    assert load_catalog_cached(VALID_CONTENT, None, cache) == load_catalog(VALID_CONTENT)


def _serve_once(url: str, outbox: Path) -> int:
    """Start an app server on ``url`` (migrating it if need be) and answer one request; its status."""
    app = create_app({"DATABASE_URL": url, "CONTENT_DIR": VALID_CONTENT, "AUTO_MIGRATE": True,
                      "SECRET_KEY": "s" * 40, "MAIL_OUTBOX": outbox, "CATALOG_CACHE_DIR": outbox.parent / "cache"})
    try:
        return app.test_client().get("/").status_code
    finally:
        app.extensions["leerlijn.db"].dispose()


def test_app_servers_starting_at_once_on_a_fresh_database_all_come_up(tmp_path, database_url):
    """Four servers started together on an empty database: one migrates, none fails, one schema version."""
    schema = None
    if database_url.startswith("postgresql"):
        schema = f"start_{secrets.token_hex(4)}"
        with create_engine(os.environ["TEST_DATABASE_URL"]).begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{os.environ['TEST_DATABASE_URL']}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"

    try:
        # Processes, as app servers are. Threads were not the real thing, and tripped over CPython 3.11
        # itself: "SystemError: AST constructor recursion depth mismatch" while werkzeug compiled routes
        # with ast.parse in four threads at once.
        with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn")) as pool:
            statuses = list(pool.map(_serve_once, [url] * 4, [tmp_path / "outbox"] * 4))
        assert statuses == [200] * 4
        with create_engine(url).connect() as connection:
            assert len(connection.execute(text("SELECT version_num FROM alembic_version")).all()) == 1
    finally:
        if schema:
            with create_engine(os.environ["TEST_DATABASE_URL"]).begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
