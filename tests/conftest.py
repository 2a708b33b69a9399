"""Shared fixtures: an app on the test database, a client, an auth helper and a query counter.

The database is SQLite in a temporary file, or PostgreSQL when TEST_DATABASE_URL is set (CI runs the
suite once for each). The schema is built once per run by the real Alembic migrations; every test runs
inside a transaction that is rolled back, with the app's commits turned into savepoints.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import generate_password_hash

from app import create_app
from app.db import Database
from course.catalog import Catalog, load_catalog
from course.services import accounts

# Property tests check behaviour, not speed: on a busy shared machine a 200 ms deadline only adds flaky failures.
settings.register_profile("leerlijn", deadline=None)
settings.load_profile("leerlijn")
# Mutation testing (scripts/mutation-test) runs tests hundreds of times on a busy machine: no deadline, and
# the same examples on every run, so that whether a mutant is killed never depends on chance or load.
settings.register_profile("mutation", deadline=None, derandomize=True, max_examples=40)

# scrypt at its production cost takes about a tenth of a second of CPU per hash, by design, and the suite
# makes and checks about a thousand passwords (a third of its time): it hashes with the same KDF at a small
# work factor. test_auth checks the production constants, kept here.
PRODUCTION_PASSWORD_HASHING = (accounts._PASSWORD_METHOD, accounts._DUMMY_HASH)
accounts._PASSWORD_METHOD = "scrypt:1024:8:1"
accounts._DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16), method=accounts._PASSWORD_METHOD)

FIXTURES = Path(__file__).parent / "fixtures"
VALID_CONTENT = FIXTURES / "content" / "valid"
REPO_ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty test database, migrated to the newest schema by Alembic."""
    schema = None
    if database_url.startswith("postgresql"):
        # A schema of this run's own, so that several runs can share one PostgreSQL database at once.
        schema = f"test_{os.getpid()}_{secrets.token_hex(4)}"
        with create_engine(database_url).begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine = create_engine(database_url, connect_args={"options": f"-csearch_path={schema}"})
    else:
        engine = create_engine(database_url)
    if engine.dialect.name == "sqlite":
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN")
    database = Database(database_url)
    database.engine = engine
    database.upgrade()
    yield engine
    engine.dispose()
    if schema:
        with create_engine(database_url).begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(scope="session")
def valid_catalog() -> Catalog:
    return load_catalog(VALID_CONTENT)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    connection = engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def app(connection: Connection, valid_catalog: Catalog, tmp_path: Path) -> Flask:
    """The app on the small fixture course, its database sessions inside the test's transaction."""
    return make_app(connection, valid_catalog, tmp_path)


def make_app(connection: Connection, catalog: Catalog, tmp_path: Path, **config: Any) -> Flask:
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-with-enough-length-000000",
        "DATABASE_URL": "sqlite://",  # never used: sessions are bound to the test connection below
        "AUTO_MIGRATE": False,
        "WTF_CSRF_ENABLED": False,
        "CONTENT_DIR": catalog.root,
        "CATALOG": catalog,
        "MAIL_OUTBOX": tmp_path / "outbox",
        "MAIL_SERVER": None,
        **config,
    })
    app.extensions["leerlijn.db"].sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the same transaction as the app's requests, for arranging and checking data."""
    db_session = app.extensions["leerlijn.db"].sessionmaker()
    yield db_session
    db_session.close()


def outbox(app: Flask, to: str | None = None) -> list[EmailMessage]:
    """The mails the app wrote to its outbox (oldest first), or only those to ``to``."""
    folder = Path(app.config["MAIL_OUTBOX"])
    mails = [message_from_bytes(p.read_bytes(), policy=email_policy.default) for p in sorted(folder.glob("*.eml"))]
    return [m for m in mails if to is None or m["To"] == to]


def link_in(message: EmailMessage, path: str) -> str:
    """The path (and query) of the first link in ``message`` that starts with ``path``."""
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]*)", body)
    if not match:
        raise AssertionError(f"no link to {path} in mail:\n{body}")
    return match[1]


# Recovery codes of administrators made by fixtures, one used per login (a TOTP code works only once per
# 30 seconds, and some tests log in again within that time). Kept here: this module is imported only once.
RECOVERY_CODES: dict[str, list[str]] = {}


def enable_two_factor(session: Session, user_id: int) -> str:
    """Turn on two-step verification for a user (as if they scanned the QR code a minute ago); returns the secret.

    Log in afterwards with ``AuthActions.login(..., totp_secret=secret)``.
    """
    import time

    import pyotp

    from course.services import two_factor
    secret = two_factor.start_setup(session, user_id)
    two_factor.enable(session, user_id, pyotp.TOTP(secret).at(time.time() - 60), now=time.time() - 60)
    return secret


def registered_learner(app: Flask, name: str, email: str) -> FlaskClient:
    """A client of its own for a learner who just registered (and confirmed): logged in."""
    client = app.test_client()
    AuthActions(client).register(name=name, email=email)
    return client


class AuthActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def register(self, name: str = "Sanne de Vries", email: str = "sanne@example.org",
                 password: str = "een-lang-wachtwoord") -> Any:
        """Register, then confirm the address through the link in the mail: the new learner is logged in."""
        response = self.client.post("/registreren", data={"name": name, "email": email, "password": password,
                                                          "password_repeat": password})
        if response.status_code != 200 or "Kijk in je mailbox" not in response.get_data(as_text=True):
            return response
        mails = outbox(self.client.application, email.strip().lower())
        if not mails or "/account-bevestigen/" not in mails[-1].get_body(("plain",)).get_content():
            return response  # no new account (the address had one already): nothing to confirm
        return self.client.post(link_in(mails[-1], "/account-bevestigen/"))

    def login(self, email: str = "sanne@example.org", password: str = "een-lang-wachtwoord",
              remember: bool = False, totp_secret: str | None = None) -> Any:
        """Log in; with ``totp_secret``, also pass the second step with a current code from it."""
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        response = self.client.post("/inloggen", data=data)
        if totp_secret and response.headers.get("Location") == "/inloggen/code":
            import pyotp
            response = self.client.post("/inloggen/code", data={"code": pyotp.TOTP(totp_secret).now()})
        return response

    def logout(self) -> Any:
        return self.client.post("/uitloggen")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(connection: Connection):
    """``with count_queries() as counter: ...`` counts the SQL statements run (savepoints excluded)."""
    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)", statement, re.IGNORECASE):
                counter.statements.append(statement)

        event.listen(connection, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(connection, "before_cursor_execute", before)
    return counting


def without_csrf_tokens(html: str) -> str:
    """``html`` with its CSRF tokens blanked, to compare two pages: a token carries the second it was made
    in, so two answers a second apart differ there (and only there) on a busy machine."""
    return re.sub(r'(<input[^>]*name="csrf_token"[^>]*value=")[^"]*', r"\1", html)


def csrf_token(html: str) -> str:
    """The CSRF token in a rendered form (for tests that run with CSRF protection on)."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    if not match:
        raise AssertionError("no CSRF token in page")
    return match[1]


@contextmanager
def another_worker_writing(database: Path, seconds: float = 0.3) -> Iterator[None]:
    """Another worker on the same SQLite file holds its write lock (a row written, not yet committed) and
    commits after ``seconds``, from a timer's thread, while the block runs."""
    other_worker = sqlite3.connect(database, isolation_level=None, timeout=0, check_same_thread=False)
    other_worker.execute("BEGIN IMMEDIATE")
    other_worker.execute("UPDATE users SET name = 'Sanne' WHERE id = 1")
    release = threading.Timer(seconds, lambda: other_worker.execute("COMMIT"))
    release.start()
    try:
        yield
    finally:
        release.join()
        other_worker.close()


@contextmanager
def own_database(tmp_path: Path, name: str) -> Iterator[str]:
    """The URL of an empty database of its own: a SQLite file in ``tmp_path``, or a schema ``<name>_…`` of the
    PostgreSQL database TEST_DATABASE_URL names, dropped with everything in it afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return
    schema = f"{name}_{secrets.token_hex(4)}"
    with create_engine(base).begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with create_engine(base).begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@contextmanager
def real_database_app(catalog: Catalog, tmp_path: Path, **config: Any) -> Iterator[Flask]:
    """The app on a database of its own with real connections (no rolled-back test transaction), for races.

    Locks, unique constraints and triggers then work as in production: a temporary SQLite file, or a
    schema of its own on PostgreSQL when TEST_DATABASE_URL is set.
    """
    with own_database(tmp_path, "race") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-with-enough-length-000000",
                          "DATABASE_URL": url, "AUTO_MIGRATE": True, "WTF_CSRF_ENABLED": False,
                          "CONTENT_DIR": catalog.root, "CATALOG": catalog, "MAIL_OUTBOX": tmp_path / "outbox",
                          "MAIL_SERVER": None, "RATELIMIT_ENABLED": False, **config})
        try:
            yield app
        finally:
            app.extensions["leerlijn.db"].dispose()


def same_browser(client: FlaskClient, count: int) -> list[FlaskClient]:
    """``count`` clients carrying ``client``'s cookies: tabs of one browser, for requests in parallel threads."""
    clients = []
    for _ in range(count):
        other = client.application.test_client()
        for cookie in client._cookies.values():  # werkzeug has no public way to list them
            other.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        clients.append(other)
    return clients
