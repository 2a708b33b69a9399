"""The database for the web layer: one engine per app, one session per request, Alembic on start-up."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.local import LocalProxy

from app.request_objects import the_app, the_globals, the_request
from course.db.prepared import STANDALONE_STATEMENTS

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
View = TypeVar("View", bound=Callable[..., Any])
T = TypeVar("T")
MIGRATION_LOCK = 0x4C45_524C  # "LERL": the advisory lock key that serialises migrations on PostgreSQL


class Database:
    """An engine and a session factory; tests swap the factory for one bound to a rolled-back connection."""

    def __init__(self, url: str):
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 10, "factory": QueuedWriterConnection}  # busy timeout, seconds
        self.engine: Engine = create_engine(url, **kwargs)
        if self.engine.dialect.name == "sqlite":
            database_file = self.engine.url.database
            queue = f"{database_file}.writers" if database_file and database_file != ":memory:" else None

            def connect(dbapi_connection: QueuedWriterConnection, record: Any) -> None:
                _sqlite_pragmas(dbapi_connection, record)
                if queue is not None:
                    dbapi_connection.queue_fd = os.open(queue, os.O_RDWR | os.O_CREAT, 0o600)
            event.listen(self.engine, "connect", connect)
            event.listen(self.engine, "begin", _sqlite_begin)
            # retval: called as it is, not through the wrapper SQLAlchemy gives a listener that returns
            # nothing (every statement passes here).
            event.listen(self.engine, "before_cursor_execute", _sqlite_lock_before_writing, retval=True)
        else:
            event.listen(self.engine, "connect", _price_lookups_by_key)
            event.listen(self.engine.pool, "checkin", _note_idle_since)
            dialect = self.engine.dialect
            event.listen(self.engine.pool, "checkout",
                         lambda dbapi_connection, record, _proxy: _ping_after_idle(dialect, dbapi_connection, record))
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self.kept_connections = KeptConnections(self.engine)
        # For the pages marked with statement_transactions, on a database server (see there). SQLite has
        # no round trips to save, and its deferred reads are already what these pages need.
        self.statement_sessionmaker = (
            None if self.engine.dialect.name == "sqlite"
            else sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False))

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (every branch head)."""
        from alembic import command  # imported here: an app server that does not migrate never loads it

        config = alembic_config()
        with self.engine.begin() as connection:
            # Several app servers (or gunicorn workers) starting at once must not migrate side by side: the
            # first takes the lock and migrates, the others wait, then find nothing left to do. SQLite's
            # lock is the BEGIN IMMEDIATE every transaction here starts with; PostgreSQL needs one of its own.
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")

    def dispose(self) -> None:
        """Close every connection of this process: the kept ones, then the pool's."""
        self.kept_connections.close()
        self.engine.dispose()

    def backup(self, target: Path) -> None:
        """Copy a SQLite database to ``target`` while the app keeps running (SQLite's online backup API:
        a consistent copy, even with writes going on). Raises BackupUnsupported on PostgreSQL."""
        if self.engine.dialect.name != "sqlite":
            raise BackupUnsupported(self.engine.dialect.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = self.engine.raw_connection()
        try:
            with sqlite3.connect(target) as copy:
                source.driver_connection.backup(copy)  # type: ignore[union-attr]
            copy.close()
        finally:
            source.close()


class KeptConnections:
    """Connections a worker keeps for the statements that run outside a transaction (``course.db.prepared``'s
    StandaloneStatements): a logged-in page's one statement (the login with the page's rows), a quiz save's
    login and, on PostgreSQL, the save itself.

    Taking a connection from the pool for a request's session, beginning and ending its transaction and
    handing the connection back cost a learner page a sixth of its time in Python on SQLite, and on
    PostgreSQL two more driver calls to switch to autocommit and back. A read on its own needs none of that:
    a kept connection runs it without a transaction (SQLite's own autocommit, PostgreSQL's autocommit), and
    the statement is its own consistent snapshot.

    The connections come from the engine's pool and stay out of it; at most ``KEPT`` wait per process
    (a sync worker uses one, threads more at once; those above ``KEPT`` go back to the pool after their
    read). Kept per process id: a forked child never uses its parent's. A connection the server dropped
    (a restart, a firewall) fails its statement, is thrown away and the statement runs once more on a new
    one: what runs here is safe to repeat (a read; a save of the same answers again).
    """

    KEPT = 2

    def __init__(self, engine: Engine):
        self._engine = engine
        self._idle: dict[int, list[Connection]] = {}

    def run(self, statement: Callable[[Connection], T]) -> T:
        idle = self._idle.get(os.getpid())
        if idle is None:
            idle = self._idle.setdefault(os.getpid(), [])
        for attempt in (1, 2):
            try:
                connection = idle.pop()
            except IndexError:
                connection = self._connect()
            try:
                result = statement(connection)
            except BaseException as error:
                connection.close()  # never kept after a failure
                if isinstance(error, DBAPIError) and error.connection_invalidated and attempt == 1:
                    continue
                raise
            if connection.in_transaction():  # a read through SQLAlchemy's execute began one: never keep it open
                connection.rollback()
            if len(idle) < self.KEPT:
                idle.append(connection)
            else:
                connection.close()
            return result
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _connect(self) -> Connection:
        connection = self._engine.connect()
        if connection.dialect.name != "sqlite":  # SQLite's connections are in autocommit already (_sqlite_pragmas)
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection

    def close(self) -> None:
        for connection in self._idle.pop(os.getpid(), []):
            connection.close()


class BackupUnsupported(Exception):
    """Only SQLite is backed up by the app; PostgreSQL has pg_dump."""


def alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue for each other in the kernel before they ask SQLite.

    SQLite lets one writer at a time hold its write lock; another that asks meanwhile is turned away and
    retries from its busy handler, which sleeps between tries (1, 2, 5, 10 ms and longer). Two app workers
    saving answers at once therefore spent much of their time asleep while the lock was already free: over
    HTTP the quiz autosave answered at about half the rate its CPU time allows. Here a write transaction
    first takes an exclusive lock on a file beside the database (``flock``), which the kernel hands to the
    next waiter the moment its holder commits or rolls back; by the time it asks SQLite, the lock is free.
    Only this app's connections queue there: another program writing (a migration, the sqlite3 shell) is
    still waited for by the busy handler, as before. A worker that dies holding the file lock loses it
    with its file descriptor.
    """

    queue_fd: int | None = None  # none for a database in memory: nobody to queue with
    queued = False

    def wait_for_writers(self) -> None:
        if self.queue_fd is not None and not self.queued:
            fcntl.flock(self.queue_fd, fcntl.LOCK_EX)
            self.queued = True

    def leave_writers(self) -> None:
        if self.queued:
            self.queued = False
            fcntl.flock(self.queue_fd, fcntl.LOCK_UN)  # type: ignore[arg-type]

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_writers()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_writers()

    def close(self) -> None:
        self.leave_writers()
        if self.queue_fd is not None:
            os.close(self.queue_fd)
            self.queue_fd = None
        super().close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's pysqlite recipe: the driver's own transaction handling starts a transaction only at the
    # first INSERT/UPDATE, so reads before it see no consistent state. Turn it off and begin ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    # In WAL mode, NORMAL syncs at checkpoints instead of at every commit (SQLite's advice for WAL): a crash
    # of the app loses nothing, and the database never corrupts; only a power cut or kernel crash could undo
    # the last commits. Full sync made every commit wait ~17 ms for the disk, the larger part of an answer.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# A pooled connection to a database server is tested with a round trip of its own (a ping) before use only
# when it sat unused this long (seconds): a server restart or a dropped connection (a firewall's idle
# timeout) then costs no request. SQLAlchemy's pool_pre_ping pinged before every request: one of a page's
# five round trips to PostgreSQL. A connection in steady use that the server drops fails its request once;
# the pool then throws away every connection opened before the failure.
# PostgreSQL's default price of reading a page at random (4, four times a page read in sequence) is made for
# spinning disks. With it the planner read the whole of a small table (the users, at a hundred) and hashed
# it to find one login, and scanned progress rows through a bitmap: a third of the database's work for a
# page. Every page's statements look a few rows up by key in tables that stay in memory, for which the
# manual gives a price close to the sequential one (1.1, as for solid-state disks). Set per connection, and
# only while the server has the default: a value its administrator chose is kept.
PRICE_LOOKUPS_BY_KEY = ("SELECT set_config('random_page_cost', '1.1', false) "
                        "WHERE current_setting('random_page_cost') = '4'")


def _price_lookups_by_key(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(PRICE_LOOKUPS_BY_KEY)
    cursor.close()
    dbapi_connection.commit()  # a setting made in a transaction that is rolled back is undone with it


PING_AFTER_IDLE_S = 5.0


def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["leerlijn_idle_since"] = time.monotonic()


def _ping_after_idle(dialect: Dialect, dbapi_connection: Any, record: Any) -> None:
    idle_since = record.info.get("leerlijn_idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return  # new (just opened) or in steady use
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        # The pool's documented answer: this connection is thrown away and the checkout retried.
        raise DisconnectionError(str(error)) from error


# Requests that only read, by HTTP's rules. Their transactions take no lock until they write (see below).
_READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT)\b", re.IGNORECASE)


def _sqlite_begin(connection: Connection) -> None:
    # A transaction that may write takes the write lock at its start (waiting up to the busy timeout for
    # it): one lock order for all writes. A deferred transaction that read first and writes later fails at
    # once with "database is locked" when another one committed in between, and an autosave could change an
    # attempt that a racing submit had just graded. Readers are not blocked (WAL); writers queue.
    #
    # But a page that is only read must not queue behind the other workers: holding the write lock for a
    # whole page (the login's query to the end of the template) let one worker at a time show pages, and
    # made the others sleep in SQLite's busy handler. So GET requests begin deferred; should one write after
    # all (a visit, a login's last-seen moment), its read is ended and the write lock taken just before the
    # write (_sqlite_lock_before_writing). Such writes are small and idempotent by HTTP's rules for GET.
    #
    # A view marked with lock_at_first_write begins deferred too: its first write is the one that locks what
    # it then relies on, so nothing it read before that write is used afterwards.
    deferred = has_request_context() and (the_request().method in _READING_METHODS or _locks_at_first_write())
    connection.info["leerlijn_deferred"] = deferred
    driver: QueuedWriterConnection = connection.connection.driver_connection  # type: ignore[assignment]
    if not deferred:
        driver.wait_for_writers()
    # Straight to the driver, as the COMMIT below: SQLAlchemy's execution of one statement cost a third
    # of an empty transaction's round (begin, close). Should BEGIN fail, the pool's rollback of the
    # connection it gets back lets the next writer go.
    driver.execute("BEGIN" if deferred else "BEGIN IMMEDIATE")


def lock_at_first_write(when: Callable[[], bool]) -> Callable[[View], View]:
    """Mark a view whose requests (those for which ``when()`` holds) rely on nothing they read before their
    first write: on SQLite they then take the write lock at that write, as GET requests do, instead of
    holding it from the login's query on; on a database server those reads (the login's) run on a kept
    connection outside the session's transaction, as a page's do. The write itself must take the lock on
    what the view relies on (an ``UPDATE … WHERE`` that checks the state, as a quiz save does), so that
    nothing read before it decides what is written."""
    def mark(view: View) -> View:
        view.leerlijn_lock_at_first_write = when  # type: ignore[attr-defined]
        return view
    return mark


def statement_transactions(view: View) -> View:
    """Mark a page (GET) whose every write is one statement that stands on its own (a visit's upsert, the
    login's last-seen moment): on PostgreSQL its statements then run without a transaction around them
    (autocommit). Such a page is two round trips to the server (the login, the page's query) instead of
    four (BEGIN and ROLLBACK around them); each statement is atomic, and nothing the page writes depends
    on a snapshot shared with another statement. A POST, and any view not marked, keeps its transaction."""
    view.leerlijn_statement_transactions = True  # type: ignore[attr-defined]
    return view


def _statement_transactions() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method == "GET" and getattr(view, "leerlijn_statement_transactions", False)


def _locks_at_first_write() -> bool:
    when = getattr(the_app().view_functions.get(the_request().endpoint or ""), "leerlijn_lock_at_first_write", None)
    return when is not None and when()


def _sqlite_lock_before_writing(connection: Connection, cursor: Any, statement: str, parameters: Any,
                                *_args: Any) -> tuple[str, Any]:
    if connection.info.get("leerlijn_deferred") and _WRITES.match(statement):
        connection.info["leerlijn_deferred"] = False
        driver: QueuedWriterConnection = cursor.connection
        driver.wait_for_writers()
        # Nothing was written yet in this transaction: ending it only lets go of the snapshot it read.
        driver.execute("COMMIT")
        driver.execute("BEGIN IMMEDIATE")
    return statement, parameters


def init_app(app: Flask) -> Database:
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.config["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    database = Database(app.config["DATABASE_URL"])
    app.extensions["leerlijn.db"] = database
    if app.config["AUTO_MIGRATE"]:
        database.upgrade()

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session = the_globals().pop("db_session", None)
        if session is not None:
            session.close()

    return database


def _get_session() -> Session:
    # Every use of db_session comes here (a page's few statements, some ten times): one look through g's
    # proxy, not one per step.
    context_globals = the_globals()
    session: Session | None = context_globals.get("db_session")
    if session is None:
        database: Database = the_app().extensions["leerlijn.db"]
        maker = database.statement_sessionmaker  # None on SQLite: only a database server has round trips to save
        in_request = has_request_context()
        session = context_globals.db_session = (
            maker if maker is not None and in_request and _statement_transactions()
            else database.sessionmaker)()
        # A request that only reads may run its first reads (the login's statement) on a kept connection,
        # without a transaction; on a database server so may a request whose reads before its first write
        # decide nothing it writes (lock_at_first_write: a quiz save, whose login then needs no BEGIN; on
        # SQLite it stays in the transaction, which saves nothing there and used a second connection). Not
        # when the session is bound to a connection of its own (the tests' one transaction, rolled back
        # after each test): another connection would not see what it holds.
        if in_request and isinstance(session.bind, Engine) and (
                the_request().method in _READING_METHODS or (maker is not None and _locks_at_first_write())):
            session.info[STANDALONE_STATEMENTS] = database.kept_connections
    return session


db_session: Session = LocalProxy(_get_session)  # type: ignore[assignment]
