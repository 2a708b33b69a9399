"""The few statements every page runs, compiled once and run straight on the database driver.

SQLAlchemy's execution of one statement (its cache key, an execution context, the result's metadata and, for
the ORM, the loading of objects) cost the login's query ten times what the database took to answer it, on
every request. A ``PreparedStatement`` keeps what SQLAlchemy works out once for a statement on a database: its
SQL, how each parameter is sent and how each column is read back (the column types' own processors, so a
timestamp comes back as it would through SQLAlchemy). It runs on the driver's cursor of the session's own
connection, inside the session's transaction (or, a read before the session began one, on the session's
StandaloneStatements if it has them), and fires the engine's cursor events as any statement does: query counts,
the SQLite write-lock hook and statement logging all see it.

For SELECTs (and unions), and for an INSERT or UPDATE with RETURNING (the quiz autosave's two statements);
not for expanding parameters (``IN`` lists): those are refused when compiled.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.sql.dml import ReturningInsert, ReturningUpdate
from sqlalchemy.sql.expression import CompoundSelect, Select

Processor = Callable[[Any], Any] | None
T = TypeVar("T")

# The key in a session's ``info`` of its StandaloneStatements, if it has any.
STANDALONE_STATEMENTS = "leerlijn.standalone_statements"


class StandaloneStatements(Protocol):
    """Where statements that stand on their own may run: on a connection of their own, outside any
    transaction, each statement atomic and its own snapshot. A session's reads run there when the session
    has begun no transaction and holds no changes; so does a statement that is a whole unit of work by
    itself and safe to repeat (PostgreSQL's quiz save, ``course.services.quizzes``), run with
    ``run_standalone``. The web layer gives one to a request whose reads before its first write decide
    nothing it writes (``app.db``): a page whose login's statement brings all it shows then never begins a
    transaction of its session, nor takes a connection from the pool and gives it back."""

    def run(self, statement: Callable[[Connection], T]) -> T:
        """``statement(connection)``'s result, on a connection without a transaction; run once more on a
        new connection when the server dropped the first (so it must be safe to repeat)."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # the parameters' names in order (SQLite's ?, PostgreSQL's $1), None: by name (pyformat)
    positional: tuple[str, ...] | None
    # name -> (the key callers give, and how it is sent) or (None, the value fixed in the statement, as sent)
    binds: Mapping[str, tuple[str | None, Any, Processor]]
    # psycopg's: the SQL as sent, with the server's own placeholders ($1), run on a raw cursor (_execute)
    raw: bytes | None = None


class PreparedStatement:
    """A SELECT (or UNION), or an INSERT or UPDATE … RETURNING, run on a session's connection without
    SQLAlchemy's per-execution work.

    ``rows(session, **params)`` returns plain tuples, each column converted as SQLAlchemy would.
    """

    def __init__(self, statement: Select[Any] | CompoundSelect | ReturningInsert[Any] | ReturningUpdate[Any]):
        self.statement = statement
        # The columns it returns, whose types convert what the driver gives.
        self._columns = (statement.selected_columns if isinstance(statement, Select | CompoundSelect)
                         else statement.exported_columns)
        self._reads_only = isinstance(statement, Select | CompoundSelect)
        # Per database driver (how a statement is written and read depends on the driver: psycopg's form is
        # its own: _execute).
        self._compiled: dict[str, _Compiled] = {}
        # Per driver: (column index, processor) of the columns that need converting. Worked out at the first
        # execution: some processors depend on the type the driver reports for the column (PostgreSQL's
        # numbers).
        self._converted: dict[str, tuple[tuple[int, Callable[[Any], Any]], ...]] = {}

    def rows(self, session: Session, **params: Any) -> list[tuple[Any, ...]]:
        reads = session.info.get(STANDALONE_STATEMENTS) if self._reads_only else None
        if reads is not None and not session.in_transaction() and not (session.new or session.dirty or session.deleted):
            # Nothing of the session's own to see, no transaction to share a snapshot with: the statement is
            # a read of its own (see StandaloneStatements).
            return reads.run(lambda connection: self._rows_on(connection, params))
        if session.autoflush:
            session.flush()  # as a query through the session would: it sees the session's own changes
        return self._rows_on(session.connection(), params)

    def _rows_on(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.driver) or self._compile(dialect)
        values = {}
        for name, (key, value, processor) in compiled.binds.items():
            if key is not None:
                value = params[key]
                if processor is not None:
                    value = processor(value)
            values[name] = value
        parameters: Any = (tuple(values[name] for name in compiled.positional) if compiled.positional is not None
                           else values)
        converters = self._converted.get(dialect.driver)
        rows, description = _execute(connection, compiled, parameters, describe=converters is None)
        if converters is None:
            processors = (column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                          for column, described in zip(self._columns, description, strict=True))
            converters = self._converted[dialect.driver] = tuple(
                (index, processor) for index, processor in enumerate(processors) if processor is not None)
        if not converters:
            return rows
        converted = []
        for raw in rows:
            row = list(raw)
            for index, processor in converters:
                # NULL stays None through every processor (SQLAlchemy's rule for them); a union padded with
                # NULLs (the login's statement with a page's rows) has many.
                value = row[index]
                if value is not None:
                    row[index] = processor(value)
            converted.append(tuple(row))
        return converted

    def run_standalone(self, statements: StandaloneStatements, **params: Any) -> list[tuple[Any, ...]]:
        """The rows, the statement run by itself on ``statements``' connection (autocommit: a write is
        committed when this returns). For a statement that is a whole unit of work and safe to repeat."""
        return statements.run(lambda connection: self._rows_on(connection, params))

    def first(self, session: Session, **params: Any) -> tuple[Any, ...] | None:
        rows = self.rows(session, **params)
        return rows[0] if rows else None

    def _compile(self, dialect: Dialect) -> _Compiled:
        raw = dialect.driver == "psycopg"
        compiled = self.statement.compile(dialect=_with_dollar_placeholders(dialect) if raw else dialect)
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("a PreparedStatement cannot expand parameters (IN lists): use session.execute")
        sql = str(compiled)
        # Values SQLAlchemy renders into the SQL at each execution (the separator of aggregate_strings) are
        # constants: rendered once, here.
        inlined = {compiled.bind_names[bind] for bind in compiled.literal_execute_params}
        for name in inlined:
            bind = compiled.binds[name]
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", compiled.render_literal_value(bind.effective_value, bind.type))
        binds = {}
        for name, bind in compiled.binds.items():
            if name in inlined:
                continue
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:  # a parameter callers give: bindparam("user_id")
                binds[name] = (bind.key, None, processor)
            else:  # a value fixed in the statement (a role)
                value = bind.effective_value
                binds[name] = (None, processor(value) if processor is not None else value, None)
        positional = (tuple(name for name in compiled.positiontup or () if name not in inlined)
                      if compiled.positional else None)
        prepared = _Compiled(sql=sql, positional=positional, binds=binds, raw=sql.encode() if raw else None)
        self._compiled[dialect.driver] = prepared
        return prepared


@lru_cache(maxsize=8)  # one per engine (the tests make many)
def _with_dollar_placeholders(dialect: Dialect) -> Dialect:
    """The connection's PostgreSQL dialect writing the server's own placeholders ($1) instead of psycopg's
    (%(name)s). psycopg rewrites its own into the server's on every execution, with a cache only for
    statements up to 4 kB: the login's statement of the course overview, the module index and the dashboard
    (5 kB) was taken apart by a regular expression on every request, a twentieth of the page."""
    numbered = copy.copy(dialect)
    numbered.paramstyle, numbered.positional = "numeric_dollar", True
    # Its own quoting of names and literals: the copied one doubles every % for psycopg's placeholders,
    # which the raw cursor sends as they are.
    numbered.identifier_preparer = numbered.preparer(numbered)
    return numbered


def _execute(connection: Connection, compiled: _Compiled, parameters: Any, *, describe: bool
             ) -> tuple[list[Any], Any]:
    """The rows and, with ``describe``, the cursor's description of its columns (psycopg builds an object per
    column for it: a tenth of a page's driver work, needed only once per statement)."""
    dispatch = connection.dispatch
    pooled = connection.connection  # the pool's proxy of the driver's connection: on a closed one this fails
    sql, kept = compiled.sql, compiled.raw is not None
    cursor = pooled.info.get(_KEPT_CURSOR) if kept else None
    try:
        if cursor is None:
            if kept:
                # psycopg's raw cursor takes the server's placeholders as they are. It asks for binary rows: no
                # timestamp written out as text by the server and parsed back by the driver (a sixth of the
                # driver's work on the login's row), the same values. Kept with the driver's connection (the
                # pool clears ``info`` when it opens another): a new cursor worked out how to read each
                # column again, a fifth of the driver's work for a row.
                import psycopg  # here: a site on SQLite never loads it

                cursor = pooled.info[_KEPT_CURSOR] = psycopg.RawCursor(pooled.dbapi_connection)
                cursor.format = psycopg.pq.Format.BINARY
            else:
                cursor = pooled.cursor()
        dispatch.before_cursor_execute(connection, cursor, sql, parameters, None, False)
        cursor.execute(compiled.raw if kept else sql, parameters)
        rows, description = cursor.fetchall(), cursor.description if describe else None
        dispatch.after_cursor_execute(connection, cursor, sql, parameters, None, False)
    except connection.dialect.loaded_dbapi.Error as error:
        # As SQLAlchemy does for a failed statement: a connection the server dropped is thrown away (the pool
        # opens a new one), and the exception is SQLAlchemy's own, so handlers of it keep working.
        pooled.info.pop(_KEPT_CURSOR, None)  # a failed statement's cursor is closed, not used again
        kept = False
        dropped = connection.dialect.is_disconnect(error, pooled.dbapi_connection, cursor)
        if dropped:
            connection.invalidate(error)
            cursor = None  # went with its connection
        raise exc.DBAPIError.instance(sql, parameters, error, connection.dialect.loaded_dbapi.Error,
                                      connection_invalidated=dropped) from error
    except BaseException:
        pooled.info.pop(_KEPT_CURSOR, None)  # interrupted (a worker's timeout): the cursor is not used again
        kept = False
        raise
    finally:
        if not kept and cursor is not None:
            cursor.close()
    return rows, description


_KEPT_CURSOR = "leerlijn.kept_cursor"


@cache
def _primary_key_attributes(mapper: Mapper[Any]) -> tuple[str, ...]:
    return tuple(mapper.get_property_by_column(column).key for column in mapper.primary_key)


def loaded_instance(session: Session, mapper: Mapper[T], values: Mapping[str, Any]) -> T:
    """The mapped object with these attribute values (every column attribute), persistent in ``session`` as
    if the ORM had loaded it from a query: in the identity map, without pending changes, lazy relationships
    loading when used. The object the session already holds for that identity wins, as in a query (its expired
    attributes, if any, then load when used)."""
    identity = mapper.identity_key_from_primary_key([values[key] for key in _primary_key_attributes(mapper)])
    existing = session.identity_map.get(identity)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    instance: T = manager_of_class(mapper.class_).new_instance()
    # Straight into the instance's dict, and into the identity map, as the ORM's own loading does
    # (loading.py's _instance): set_committed_value per column cost a tenth of the login, and session.add's
    # path (make_transient_to_detached, then attaching) began a transaction of the session that nothing
    # else on a page may need, and that had to be ended again. Relationships load when used, as after a
    # query.
    vars(instance).update(values)
    state = instance_state(instance)
    state.key, state.identity_token = identity, None
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, identity)  # type: ignore[attr-defined]
    return instance
